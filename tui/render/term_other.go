//go:build !unix

package render

import "os"

// resizeSignals is empty: there is no resize signal here (syscall has no
// SIGWINCH on Windows), so the size is only read at the start.
var resizeSignals []os.Signal

// canSuspend tells that there is no job control to stop the process with.
const canSuspend = false

// suspend does nothing here.
func suspend() error { return nil }
