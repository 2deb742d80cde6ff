//go:build unix

package render

import (
	"os"
	"os/signal"
	"syscall"
	"time"
)

// resizeSignals are the signals that tell of a new terminal size.
var resizeSignals = []os.Signal{syscall.SIGWINCH}

// canSuspend tells that suspend stops the process.
const canSuspend = true

// suspendWait bounds the wait for SIGCONT after SIGTSTP. The kernel drops
// SIGTSTP for an orphaned process group (no job-control shell above it,
// as under a plain sh -c in a tmux pane): nothing stops, and no SIGCONT
// will come (a tmux pane whose command is popbox, for one). Bubble Tea's
// own suspend waits for it for ever, the terminal released and no key
// read.
const suspendWait = time.Second

// suspend stops popbox's process group, as the terminal's ctrl+z would
// outside raw mode, and returns once it is continued (the shell's fg), or
// after suspendWait when the stop did not happen.
func suspend() error {
	cont := make(chan os.Signal, 1)
	signal.Notify(cont, syscall.SIGCONT)
	defer signal.Stop(cont)
	if err := syscall.Kill(0, syscall.SIGTSTP); err != nil {
		return err
	}
	// A stopped process does not run its timers: when the stop happens,
	// SIGCONT is what ends the wait, however long popbox stayed stopped.
	select {
	case <-cont:
	case <-time.After(suspendWait):
	}
	return nil
}
