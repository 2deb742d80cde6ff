package render

import (
	"errors"
	"io"
	"os/exec"

	tea "github.com/charmbracelet/bubbletea"
)

// Exec runs c on the terminal (an editor, a pager), as tea.ExecProcess
// does: the program waits, c gets the keys and the screen, and once it
// ends the program's screen comes back, redrawn, and fn's message (fn may
// be nil) is sent with c's error. c's standard input and output are the
// terminal's unless set; its standard error is os.Stderr unless set.
//
// With Bubble Tea's renderer this is tea.ExecProcess. With popbox's,
// Bubble Tea knows nothing of the raw mode and the alternate screen, so
// the renderer gives them up before c runs and takes them back after:
// tea.ExecProcess alone would run c in raw mode on the alternate screen.
func (t *Terminal) Exec(c *exec.Cmd, fn tea.ExecCallback) tea.Cmd {
	if t == nil || t.standard {
		return tea.ExecProcess(c, fn)
	}
	return tea.Exec(handover{r: t.r, cmd: c, run: c.Run}, fn)
}

// Suspend stops the program as ctrl+z stops a program in cooked mode: the
// terminal goes back to the shell, whose job control shows it stopped,
// and on fg the program's screen comes back, redrawn, and the program
// gets a tea.ResumeMsg. Where there is no job control (Windows) it does
// nothing; on a nil Terminal (a model's test) it is tea.Suspend.
//
// It runs as an Exec whose command stops the process. With popbox's
// renderer that is needed for the same reason as in Exec: tea.Suspend
// alone would leave the shell in raw mode on the alternate screen. With
// either, the wait for the shell's fg is bounded (see suspendWait), where
// tea.Suspend would hang for ever in a process group that cannot stop.
func (t *Terminal) Suspend() tea.Cmd {
	if t == nil {
		return tea.Suspend
	}
	if !canSuspend {
		return nil
	}
	h := handover{run: suspend}
	if !t.standard {
		h.r = t.r
	}
	return tea.Exec(h, func(error) tea.Msg { return tea.ResumeMsg{} })
}

// handover is a tea.ExecCommand that lends the terminal out for run: the
// renderer, if any, lets go of it before and takes it back after. Bubble
// Tea calls Run from its event loop with its key reader stopped (and,
// with its own renderer, the terminal released), so no key is read in
// between, and nothing is drawn.
type handover struct {
	r   *renderer // nil with Bubble Tea's renderer
	cmd *exec.Cmd // whose standard streams Bubble Tea sets; nil for a suspend
	run func() error
}

// Run releases the terminal, runs, and restores the terminal, whatever
// run returned.
func (h handover) Run() error {
	if h.r == nil {
		return h.run()
	}
	if err := h.r.release(); err != nil {
		return errors.Join(err, h.r.restore())
	}
	err := h.run()
	return errors.Join(err, h.r.restore())
}

// SetStdin gives cmd the program's input unless it has one, as
// tea.ExecProcess does.
func (h handover) SetStdin(r io.Reader) {
	if h.cmd != nil && h.cmd.Stdin == nil {
		h.cmd.Stdin = r
	}
}

// SetStdout gives cmd the program's output unless it has one.
func (h handover) SetStdout(w io.Writer) {
	if h.cmd != nil && h.cmd.Stdout == nil {
		h.cmd.Stdout = w
	}
}

// SetStderr gives cmd w (Bubble Tea passes os.Stderr) unless it has one.
func (h handover) SetStderr(w io.Writer) {
	if h.cmd != nil && h.cmd.Stderr == nil {
		h.cmd.Stderr = w
	}
}
