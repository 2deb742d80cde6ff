package tui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"popbox/mail"
	"popbox/tui/i18n"
)

// accountStore is what the accounts screen, the switcher and the password
// dialog need of the store; *store.Store satisfies it.
type accountStore interface {
	Accounts() ([]mail.Account, error)
	Account(nameOrID string) (mail.Account, error)
	ActiveID() (string, error)
	Use(nameOrID string) error
	RemoveAccount(nameOrID string) error
	SetPassword(nameOrID string, outgoing bool, password string) error
}

// accountsLoadedMsg is the account list and the active account's ID.
type accountsLoadedMsg struct {
	req      int
	accounts []mail.Account
	activeID string
	err      error
}

// loadAccounts reads the accounts (without passwords) and the active ID.
func loadAccounts(st accountStore, req int) tea.Cmd {
	return func() tea.Msg {
		accts, err := st.Accounts()
		if err != nil {
			return accountsLoadedMsg{req: req, err: err}
		}
		id, err := st.ActiveID()
		return accountsLoadedMsg{req: req, accounts: accts, activeID: id, err: err}
	}
}

// accountsIntent is what a key means on the accounts screen.
type accountsIntent int

const (
	accountsNone accountsIntent = iota
	accountsUp
	accountsDown
	accountsUse
	accountsAdd
	accountsEdit
	accountsRemove
	accountsIncoming
	accountsOutgoing
	accountsBack
	accountsYes
	accountsNo
)

// accountsModel lists the accounts, marks the active one and offers add,
// edit, remove and the two password changes.
type accountsModel struct {
	d *deps
	k accountsKeys

	accounts []mail.Account
	activeID string
	cursor   int

	confirming bool // "remove this account?" is asked

	width, height int
	note          string
	noteErr       bool
}

// newAccounts makes the accounts screen.
func newAccounts(d deps) accountsModel {
	return accountsModel{d: &d, k: defaultAccountsKeys(d.lang)}
}

// setAccounts replaces the list, keeping the cursor on the same account
// when it is still there, else on the active one.
func (m accountsModel) setAccounts(accts []mail.Account, activeID string) accountsModel {
	cur := ""
	if a, ok := m.selected(); ok {
		cur = a.ID
	} else {
		cur = activeID
	}
	m.accounts, m.activeID = accts, activeID
	m.cursor = 0
	for i, a := range accts {
		if a.ID == cur {
			m.cursor = i
		}
	}
	m.confirming = false
	return m
}

// focus puts the cursor on account id (the one just made active).
func (m accountsModel) focus(id string) accountsModel {
	for i, a := range m.accounts {
		if a.ID == id {
			m.cursor = i
		}
	}
	m.activeID = id
	m.confirming = false
	return m
}

// selected is the account under the cursor.
func (m accountsModel) selected() (mail.Account, bool) {
	if m.cursor < 0 || m.cursor >= len(m.accounts) {
		return mail.Account{}, false
	}
	return m.accounts[m.cursor], true
}

// typing is always false: the screen has no text field.
func (m accountsModel) typing() bool { return false }

// modal reports whether a y/n question is open, which takes every key.
func (m accountsModel) modal() bool { return m.confirming }

// back is the key that leaves the screen: q or esc back to the list, or
// with no account, when there is no list, q that quits.
func (m accountsModel) back() key.Binding {
	if len(m.accounts) == 0 {
		return bind(m.d.lang, "q", "help.quit", "q")
	}
	return m.k.Back
}

// intent maps a key to what it means here.
func (m accountsModel) intent(k tea.KeyMsg) accountsIntent {
	if m.confirming {
		switch {
		case key.Matches(k, m.k.Yes):
			return accountsYes
		case key.Matches(k, m.k.No):
			return accountsNo
		}
		return accountsNone
	}
	_, has := m.selected()
	switch {
	case key.Matches(k, m.k.Up):
		return accountsUp
	case key.Matches(k, m.k.Down):
		return accountsDown
	case key.Matches(k, m.k.Add):
		return accountsAdd
	case key.Matches(k, m.back()):
		return accountsBack
	case !has:
		return accountsNone
	case key.Matches(k, m.k.Use):
		return accountsUse
	case key.Matches(k, m.k.Edit):
		return accountsEdit
	case key.Matches(k, m.k.Remove):
		return accountsRemove
	case key.Matches(k, m.k.Incoming):
		return accountsIncoming
	case key.Matches(k, m.k.Outgoing):
		return accountsOutgoing
	}
	return accountsNone
}

// update moves the cursor and opens or closes the removal question; the
// actions that need the store are the root's.
func (m accountsModel) update(msg tea.Msg) (accountsModel, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	switch m.intent(k) {
	case accountsUp:
		if m.cursor > 0 {
			m.cursor--
		}
		m.note = ""
	case accountsDown:
		if m.cursor < len(m.accounts)-1 {
			m.cursor++
		}
		m.note = ""
	case accountsRemove:
		m.confirming = true
		m.note = ""
	case accountsNo:
		m.confirming = false
	}
	return m, nil
}

// setNote shows a line under the list (an error when isErr).
func (m accountsModel) setNote(s string, isErr bool) accountsModel {
	m.note, m.noteErr = s, isErr
	return m
}

// setSize fits the screen into w x h cells.
func (m accountsModel) setSize(w, h int) accountsModel {
	m.width, m.height = w, h
	return m
}

// serverText is host:port and the security, as in pop.example.com:995 SSL.
func serverText(s mail.Server) string {
	return s.Host + ":" + strconv.Itoa(s.Port) + " " + securityText(s.Security)
}

// securityText names a connection security for people.
func securityText(s mail.Security) string {
	switch s {
	case mail.SecuritySSL:
		return "SSL"
	case mail.SecurityStartTLS:
		return "STARTTLS"
	}
	return "plain"
}

// view draws exactly height lines: a title, one row per account, and the
// question or note under them.
func (m accountsModel) view() string {
	st, l, w := m.d.styles, m.d.lang, m.width
	var lines []string
	lines = append(lines, st.title.Render(ansi.Truncate(l.tr("acct.title", i18n.Count(len(m.accounts))), w, "…")), "")
	if len(m.accounts) == 0 {
		lines = append(lines, st.faint.Render(ansi.Truncate("  "+l.tr("acct.none"), w, "…")))
	}
	// Two lines an account: name and address, then the servers and the
	// retention, indented.
	nameW := min(max(w/4, 8), 24)
	rows := max((m.height-5)/2, 1)
	first := 0
	if m.cursor >= rows {
		first = m.cursor - rows + 1
	}
	for i := first; i < len(m.accounts) && i < first+rows; i++ {
		a := m.accounts[i]
		mark := "   "
		if a.ID == m.activeID {
			mark = " * "
		}
		if i == m.cursor && m.d.plain {
			mark = ">" + mark[1:]
		}
		top := mark + fitCells(a.Name, nameW) + "  " + fitCells(a.Email, max(w-3-nameW-2, 0))
		detail := "     " + clean(serverText(a.Incoming)) + " · " + l.i18n().Retention(a.Retention)
		if smtp := a.SMTP(); smtp.Host != "" {
			detail += " · " + l.tr("acct.outgoing", clean(serverText(smtp)))
		}
		top, detail = fitRaw(top, w), fitRaw(detail, w)
		switch {
		case i == m.cursor:
			top, detail = st.selected.Render(top), st.selected.Render(detail)
		case a.ID == m.activeID:
			top, detail = st.accent.Render(top), st.faint.Render(detail)
		default:
			detail = st.faint.Render(detail)
		}
		lines = append(lines, top, detail)
	}
	lines = append(lines, "")
	switch {
	case m.confirming:
		a, _ := m.selected()
		q := l.tr("acct.confirmRemove", clean(a.Name), clean(a.Email))
		lines = append(lines, st.warn.Render(wrapText(q, max(w, 1))))
	case m.note != "":
		style := st.ok
		if m.noteErr {
			style = st.err
		}
		lines = append(lines, style.Render(wrapText(m.note, max(w, 1))))
	}
	return fitLines(strings.Join(lines, "\n"), m.height)
}

// keys is the accounts screen's help.
func (m accountsModel) keys() help.KeyMap {
	k := m.k
	if m.confirming {
		return keyMap{short: []key.Binding{k.Yes, k.No}, full: [][]key.Binding{{k.Yes, k.No}}}
	}
	_, has := m.selected()
	for _, b := range []*key.Binding{&k.Use, &k.Edit, &k.Remove, &k.Incoming, &k.Outgoing} {
		b.SetEnabled(has)
	}
	if a, ok := m.selected(); ok && a.SMTPSame {
		k.Outgoing.SetEnabled(false)
	}
	k.Back = m.back()
	return keyMap{
		short: []key.Binding{k.Use, k.Add, k.Edit, k.Remove, k.Incoming, k.Outgoing, k.Back},
		full:  [][]key.Binding{{k.Up, k.Down, k.Use, k.Back}, {k.Add, k.Edit, k.Remove, k.Incoming, k.Outgoing}},
	}
}

// switcherIntent is what a key means in the account picker.
type switcherIntent int

const (
	switcherNone switcherIntent = iota
	switcherUp
	switcherDown
	switcherChoose
	switcherCancel
)

// switcherModel is the small account picker of ctrl+a.
type switcherModel struct {
	d        *deps
	k        switcherKeys
	accounts []mail.Account
	activeID string
	cursor   int

	width, height int
}

// newSwitcher opens the picker on the active account.
func newSwitcher(d deps, accts []mail.Account, activeID string, w, h int) switcherModel {
	m := switcherModel{d: &d, k: defaultSwitcherKeys(d.lang), accounts: accts, activeID: activeID, width: w, height: h}
	for i, a := range accts {
		if a.ID == activeID {
			m.cursor = i
		}
	}
	return m
}

// intent maps a key to what it means here.
func (m switcherModel) intent(k tea.KeyMsg) switcherIntent {
	switch {
	case key.Matches(k, m.k.Up):
		return switcherUp
	case key.Matches(k, m.k.Down):
		return switcherDown
	case key.Matches(k, m.k.Choose, m.k.Number):
		return switcherChoose
	case key.Matches(k, m.k.Cancel):
		return switcherCancel
	}
	return switcherNone
}

// update moves the cursor; a number key moves it onto that account. The
// root reads chosen() on switcherChoose.
func (m switcherModel) update(msg tea.Msg) (switcherModel, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	switch m.intent(k) {
	case switcherUp:
		m.cursor = (m.cursor - 1 + len(m.accounts)) % max(len(m.accounts), 1)
	case switcherDown:
		m.cursor = (m.cursor + 1) % max(len(m.accounts), 1)
	case switcherChoose:
		if key.Matches(k, m.k.Number) {
			n, _ := strconv.Atoi(k.String())
			if n >= 1 && n <= len(m.accounts) {
				m.cursor = n - 1
			}
		}
	}
	return m, nil
}

// chosen is the account under the cursor.
func (m switcherModel) chosen() (mail.Account, bool) {
	if m.cursor < 0 || m.cursor >= len(m.accounts) {
		return mail.Account{}, false
	}
	return m.accounts[m.cursor], true
}

// setSize keeps the box centred.
func (m switcherModel) setSize(w, h int) switcherModel {
	m.width, m.height = w, h
	return m
}

// view is a box in the middle of the screen, one numbered row per account.
func (m switcherModel) view() string {
	st, l := m.d.styles, m.d.lang
	inner := min(max(m.width-6, 10), 60)
	lines := []string{st.title.Render(ansi.Truncate(l.tr("acct.switchTitle"), inner, "…")), ""}
	nameW := switcherNameWidth(m.accounts, inner)
	for i, a := range m.accounts {
		n := "  "
		if i < 9 {
			n = strconv.Itoa(i+1) + " "
		}
		mark := "  "
		if a.ID == m.activeID {
			mark = "* "
		}
		cur := " "
		if i == m.cursor && m.d.plain {
			cur = ">"
		}
		line := cur + fitRaw(n+mark+fitCells(a.Name, nameW)+"  "+clean(a.Email), inner-1)
		if i == m.cursor {
			line = st.selected.Render(line)
		}
		lines = append(lines, line)
	}
	if len(m.accounts) == 0 {
		lines = append(lines, st.faint.Render(fitCells(l.tr("acct.none"), inner)))
	}
	box := st.box.Render(strings.Join(lines, "\n"))
	return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, box)
}

// keys is the picker's help.
func (m switcherModel) keys() help.KeyMap {
	k := m.k
	return keyMap{short: []key.Binding{k.Choose, k.Number, k.Cancel}, full: [][]key.Binding{{k.Up, k.Down, k.Choose, k.Number, k.Cancel}}}
}
