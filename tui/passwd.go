package tui

import (
	"context"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"popbox/mail"
	"popbox/tui/i18n"
)

// checkTimeout bounds a login test from the password dialog; the mail
// package's own deadlines are shorter, this is the last resort.
const checkTimeout = 90 * time.Second

// passwordSetter is what the password dialog needs of the store.
type passwordSetter interface {
	SetPassword(nameOrID string, outgoing bool, password string) error
}

// passwdCheckedMsg is the result of the optional login test.
type passwdCheckedMsg struct {
	acctID string
	req    int
	err    error
}

// passwdSavedMsg says the new password is stored (err nil) or why not.
type passwdSavedMsg struct {
	acctID   string
	req      int
	outgoing bool
	err      error
}

// passwdIntent is what a key means in the password dialog.
type passwdIntent int

const (
	passwdNone passwdIntent = iota
	passwdSave
	passwdToggleTest
	passwdCancel
)

// passwdModel changes one password of one account: the incoming (POP3) or
// the outgoing (SMTP) one, typed masked, optionally tested by logging in
// before it is stored.
type passwdModel struct {
	d  *deps
	k  passwdKeys
	st passwordSetter

	acct     mail.Account
	outgoing bool
	req      int

	input    textinput.Model
	strokes  int // keys that changed the password, for its mask (mask.go)
	test     bool
	checking bool
	spin     spinner.Model
	errText  string

	width, height int
}

// newPasswd opens the dialog for one side of acct; req numbers it so that a
// late answer for an earlier dialog is dropped. The login test is off until
// ctrl+t turns it on: a password can be stored while the server is away.
func newPasswd(d deps, st passwordSetter, acct mail.Account, outgoing bool, req int) (passwdModel, tea.Cmd) {
	ti := textinput.New()
	ti.EchoMode = textinput.EchoPassword
	ti.EchoCharacter = '•' // never drawn: view shows the mask of mask.go
	ti.Prompt = ""
	ti.CharLimit = 512
	ti.TextStyle = d.styles.text
	ti.Cursor.SetMode(cursor.CursorStatic)
	cmd := ti.Focus()
	sp := spinner.New(spinner.WithSpinner(spinner.Line), spinner.WithStyle(d.styles.accent))
	m := passwdModel{
		d: &d, k: defaultPasswdKeys(d.lang), st: st,
		acct: acct, outgoing: outgoing, req: req,
		input: ti, spin: sp,
	}
	return m, cmd
}

// typing is true while the field has focus: every letter is the password's.
func (m passwdModel) typing() bool { return !m.checking }

// server is the side being changed, as it is used.
func (m passwdModel) server() mail.Server {
	if m.outgoing {
		return m.acct.SMTP()
	}
	return m.acct.Incoming
}

// intent maps a key to what it means here.
func (m passwdModel) intent(k tea.KeyMsg) passwdIntent {
	switch {
	case key.Matches(k, m.k.Cancel):
		return passwdCancel
	case m.checking:
		return passwdNone
	case key.Matches(k, m.k.Save):
		return passwdSave
	case key.Matches(k, m.k.ToggleTest):
		return passwdToggleTest
	}
	return passwdNone
}

// update edits the field, runs the test and stores the password. Cancel is
// the root's; so is closing the dialog on passwdSavedMsg without error.
func (m passwdModel) update(msg tea.Msg) (passwdModel, tea.Cmd) {
	switch msg := msg.(type) {
	case passwdCheckedMsg:
		if msg.acctID != m.acct.ID || msg.req != m.req || !m.checking {
			return m, nil
		}
		if msg.err != nil {
			m.checking = false
			m.errText = problemText(m.d.lang, msg.err, m.acct, m.outgoing, false)
			return m, m.input.Focus()
		}
		return m, m.store()
	case passwdSavedMsg:
		if msg.acctID != m.acct.ID || msg.req != m.req {
			return m, nil
		}
		m.checking = false
		if msg.err != nil {
			m.errText = m.d.lang.tr("pw.saveFailed", m.d.lang.errText(msg.err, i18n.TaskOther))
			return m, m.input.Focus()
		}
		return m, nil
	case spinner.TickMsg:
		if !m.checking {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case tea.KeyMsg:
		switch m.intent(msg) {
		case passwdSave:
			return m.submit()
		case passwdToggleTest:
			m.test = !m.test && m.d.checker != nil
			return m, nil
		case passwdCancel:
			return m, nil
		}
		if m.checking {
			return m, nil
		}
		before := m.input.Value()
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		if m.input.Value() != before {
			m.strokes++
		}
		return m, cmd
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return m, cmd
}

// submit tests the new password when asked to, else stores it.
func (m passwdModel) submit() (passwdModel, tea.Cmd) {
	pw := m.input.Value()
	if pw == "" {
		m.errText = m.d.lang.tr("pw.empty")
		return m, nil
	}
	if strings.ContainsFunc(pw, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		m.errText = m.d.lang.tr("pw.control")
		return m, nil
	}
	m.errText = ""
	m.checking = true
	m.input.Blur()
	if !m.test || m.d.checker == nil {
		return m, m.store()
	}
	acct := m.acct
	if m.outgoing {
		acct.Outgoing.Password, acct.Outgoing.PasswordCmd = pw, ""
	} else {
		acct.Incoming.Password, acct.Incoming.PasswordCmd = pw, ""
	}
	ch, outgoing, req := m.d.checker, m.outgoing, m.req
	check := func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
		defer cancel()
		var err error
		if outgoing {
			err = ch.CheckSMTP(ctx, acct)
		} else {
			err = ch.CheckPOP3(ctx, acct)
		}
		return passwdCheckedMsg{acctID: acct.ID, req: req, err: err}
	}
	return m, tea.Batch(m.spin.Tick, check)
}

// store writes the password in a command.
func (m passwdModel) store() tea.Cmd {
	st, id, outgoing, req, pw := m.st, m.acct.ID, m.outgoing, m.req, m.input.Value()
	return func() tea.Msg {
		return passwdSavedMsg{acctID: id, req: req, outgoing: outgoing, err: st.SetPassword(id, outgoing, pw)}
	}
}

// setSize keeps the dialog centred.
func (m passwdModel) setSize(w, h int) passwdModel {
	m.width, m.height = w, h
	m.input.Width = max(min(w-10, 50), 8)
	return m
}

// passwdMaxWidth is the widest the dialog's text gets, so sentences stay
// readable on a wide terminal.
const passwdMaxWidth = 60

// view is a box in the middle of the screen, of one width for the
// terminal's (its text wrapped or cut to it), so it never loses a side
// and does not change size as errors come and go.
func (m passwdModel) view() string {
	st, l := m.d.styles, m.d.lang
	// The box adds a border and a space of padding on each side.
	inner := min(max(m.width-6, 16), passwdMaxWidth)
	srv := m.server()
	title := l.tr("pw.titleIncoming")
	if m.outgoing {
		title = l.tr("pw.titleOutgoing")
	}
	wrap := func(s string) string { return wrapText(s, inner) }
	cut := func(s string) string { return ansi.Truncate(s, inner, "…") }
	lines := []string{
		st.title.Render(cut(title)),
		st.faint.Render(wrap(l.tr("pw.who", clean(m.acct.Name), clean(srv.User), clean(srv.Host)))),
		"",
		cut(st.label.Render(l.tr("pw.label")) + " " + m.fieldView()),
	}
	check := "[ ]"
	if m.test {
		check = "[x]"
	}
	lines = append(lines, st.text.Render(wrap(check+" "+l.tr("pw.test"))))
	if hint := l.i18n().AppPasswordHint(srv.Host, m.acct.Email); hint != "" {
		lines = append(lines, st.hint.Render(wrap(hint)))
	}
	if strings.TrimSpace(srv.PasswordCmd) != "" {
		lines = append(lines, st.warn.Render(wrap(l.tr("pw.hasCommand"))))
	}
	lines = append(lines, "")
	switch {
	case m.checking && m.test:
		lines = append(lines, m.spin.View()+" "+st.text.Render(wrapText(l.tr("pw.checking", clean(srv.Host)), inner-2)))
	case m.checking:
		lines = append(lines, st.faint.Render(l.tr("pw.saving")))
	case m.errText != "":
		lines = append(lines, st.err.Render(wrap(m.errText)))
	}
	box := st.box.Width(inner + 2).Render(strings.Join(lines, "\n"))
	return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, box)
}

// fieldView is the password as the mask of mask.go: eight marks while
// typed (one moving with each key) or while checked, never its length.
func (m passwdModel) fieldView() string {
	st := m.d.styles
	if m.checking {
		return st.text.Render(storedMask)
	}
	cur := m.input.Cursor
	cur.SetChar(" ")
	if m.input.Value() == "" {
		return cur.View()
	}
	return st.text.Render(typingMask(m.strokes)) + cur.View()
}

// keys is the dialog's help.
func (m passwdModel) keys() help.KeyMap {
	k := m.k
	k.ToggleTest.SetEnabled(m.d.checker != nil)
	return keyMap{short: []key.Binding{k.Save, k.ToggleTest, k.Cancel}, full: [][]key.Binding{{k.Save, k.ToggleTest, k.Cancel}}}
}
