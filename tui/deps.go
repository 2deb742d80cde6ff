package tui

import (
	"context"
	"os"
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
	styles  *styles
	now     func() time.Time
	checker checker
	// plain is set for NO_COLOR / ASCII golden files.
	plain bool
	// term is the terminal Run draws on, for execCmd and suspend; nil in
	// tests, where both are Bubble Tea's own commands.
	term *render.Terminal
	// getenv reads the environment (POPBOX_OAUTH_CLIENT_ID for a sign-in);
	// nil is os.Getenv.
	getenv func(string) string
	// discover looks up the servers of an address for the wizard
	// (wizard_discover.go); nil turns the lookup off, as in tests. Run
	// sets the real one (lookupDiscover).
	discover discoverFunc
	// opener opens a file popbox wrote, or a link, from the reader, and
	// the wizard's sign-in address; nil is runOpener (POPBOX_OPENER,
	// xdg-open or open). files is the
	// private folder those files go into (reader_open.go).
	opener func(target string) error
	files  *openFiles
}

// title sets the window title; bell rings the terminal's bell.
func (d deps) title(s string) tea.Cmd { return d.term.Title(s) }
func (d deps) bell() tea.Cmd          { return d.term.Bell() }

// env reads the environment through getenv.
func (d deps) env(k string) string {
	if d.getenv == nil {
		return os.Getenv(k)
	}
	return d.getenv(k)
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
