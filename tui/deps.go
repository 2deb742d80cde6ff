package tui

import (
	"context"
	"os/exec"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"popbox/mail"
	"popbox/tui/render"
)

// checker runs the connection tests of the wizard and the password dialogs.
// The real one dials the servers (mail.CheckPOP3, mail.CheckSMTP); tests use
// a fake, so Update functions stay pure.
type checker interface {
	CheckPOP3(ctx context.Context, acct mail.Account) error
	CheckSMTP(ctx context.Context, acct mail.Account) error
}

// deps is what every screen shares: language, styles, the clock and the
// connection checker. Screens that need the store get it as their own
// argument (an interface they define), so their tests can pass a fake.
type deps struct {
	lang    lang
	styles  styles
	now     func() time.Time
	checker checker
	// plain is set for NO_COLOR / ASCII golden files.
	plain bool
	// term is the terminal Run draws on, for execCmd and suspend; nil in
	// tests, where both are Bubble Tea's own commands.
	term *render.Terminal
}

// execCmd runs c on the terminal, as an $EDITOR is run: popbox's screen
// gives way to c until it ends, then comes back, redrawn, and fn's message
// (fn may be nil) arrives with c's error. It works with either renderer
// (render.Terminal.Exec); tea.ExecProcess alone would not.
func (d deps) execCmd(c *exec.Cmd, fn func(error) tea.Msg) tea.Cmd {
	return d.term.Exec(c, fn)
}

// suspend stops popbox for the shell's job control (ctrl+z); on fg the
// screen comes back, redrawn, and a tea.ResumeMsg arrives.
func (d deps) suspend() tea.Cmd {
	return d.term.Suspend()
}
