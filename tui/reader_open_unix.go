//go:build unix

package tui

import (
	"os/exec"
	"syscall"
)

// detach starts c in a session of its own: no controlling terminal, and
// the terminal's signals (ctrl+c, a hang-up) are not its.
func detach(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
}
