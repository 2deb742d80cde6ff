//go:build unix

package render

import (
	"os"
	"syscall"
)

// resizeSignals are the signals that tell of a new terminal size.
var resizeSignals = []os.Signal{syscall.SIGWINCH}
