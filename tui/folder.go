package tui

import (
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"popbox/store"
)

// The Sent and outbox views: what the account sent, and what it has not
// sent yet (drafts, queued, failed, delivery unknown). S and D switch
// between them and the inbox; enter opens a message (a draft or an unsent
// one in the compose screen, a sent one in the reader); s sends an unsent
// one again; x throws one away.

// folderKind is which view.
type folderKind int

const (
	folderSent folderKind = iota
	folderOutbox
)

// folderLoadedMsg is a view's list, read from the store.
type folderLoadedMsg struct {
	kind  folderKind
	acct  string
	items []store.Outgoing
	err   error
}

// folderIntent is what a key means in a view.
type folderIntent int

const (
	folderNone folderIntent = iota
	folderMove
	folderOpen
	folderSend
	folderDelete
	folderBack
)

// folderKeys are the views' bindings.
type folderKeys struct {
	Up, Down, Top, Bottom, Open, Send, Delete, Back, Yes, No key.Binding
}

func defaultFolderKeys(l lang) folderKeys {
	return folderKeys{
		Up:     bind(l, "k/↑", "help.up", "k", "up"),
		Down:   bind(l, "j/↓", "help.down", "j", "down"),
		Top:    bind(l, "g/home", "help.top", "g", "home"),
		Bottom: bind(l, "G/end", "help.bottom", "G", "end"),
		Open:   bind(l, "enter", "help.open", "enter"),
		Send:   bind(l, "s", "help.folderSend", "s"),
		Delete: bind(l, "x", "help.folderDelete", "x", "delete"),
		Back:   bind(l, "q/esc", "help.folderBack", "q", "esc"),
		Yes:    bind(l, "y", "help.yes", "y", "Y"),
		No:     bind(l, "n/esc", "help.no", "n", "N", "esc"),
	}
}

// folderModel is one view of an account's outgoing mail.
type folderModel struct {
	d    *deps
	k    folderKeys
	kind folderKind
	acct string

	items  []store.Outgoing
	loaded bool
	err    error
	cursor int
	top    int
	// asking: the question for the selected message (throw away; send
	// again one whose delivery is unknown) waits for y or n.
	asking    folderIntent
	askingFor string

	width, height int
}

// newFolder opens view kind of account acctID; the command reads it.
func newFolder(d deps, st composeStore, kind folderKind, acctID string) (folderModel, tea.Cmd) {
	m := folderModel{d: &d, k: defaultFolderKeys(d.lang), kind: kind, acct: acctID}
	return m, loadFolder(st, kind, acctID)
}

// loadFolder reads a view's list; an outbox view first settles what a
// killed popbox left "sending".
func loadFolder(st composeStore, kind folderKind, acctID string) tea.Cmd {
	return func() tea.Msg {
		msg := folderLoadedMsg{kind: kind, acct: acctID}
		if kind == folderSent {
			msg.items, msg.err = st.Sent(acctID)
			return msg
		}
		if _, err := st.SettleOutbox(acctID); err != nil {
			msg.err = err
			return msg
		}
		list, err := st.Outbox(acctID)
		slices.Reverse(list) // newest first, as the inbox
		msg.items, msg.err = list, err
		return msg
	}
}

// loaded takes a fresh list, keeping the cursor on the same message.
func (m folderModel) loadedList(msg folderLoadedMsg) folderModel {
	if msg.kind != m.kind || msg.acct != m.acct {
		return m
	}
	var keep string
	if sel, ok := m.selected(); ok {
		keep = sel.ID
	}
	m.items, m.err, m.loaded = msg.items, msg.err, true
	m.cursor = min(m.cursor, max(len(m.items)-1, 0))
	for i, o := range m.items {
		if o.ID == keep {
			m.cursor = i
		}
	}
	m.scroll()
	return m
}

// selected is the message under the cursor.
func (m folderModel) selected() (store.Outgoing, bool) {
	if m.cursor < 0 || m.cursor >= len(m.items) {
		return store.Outgoing{}, false
	}
	return m.items[m.cursor], true
}

// intent maps a key to what it means here.
func (m folderModel) intent(k tea.KeyMsg) folderIntent {
	switch {
	case key.Matches(k, m.k.Up, m.k.Down, m.k.Top, m.k.Bottom):
		return folderMove
	case key.Matches(k, m.k.Open):
		return folderOpen
	case m.kind == folderOutbox && key.Matches(k, m.k.Send):
		return folderSend
	case key.Matches(k, m.k.Delete):
		return folderDelete
	case key.Matches(k, m.k.Back):
		return folderBack
	}
	return folderNone
}

// move handles the cursor keys.
func (m folderModel) move(k tea.KeyMsg) folderModel {
	switch {
	case key.Matches(k, m.k.Up):
		m.cursor--
	case key.Matches(k, m.k.Down):
		m.cursor++
	case key.Matches(k, m.k.Top):
		m.cursor = 0
	case key.Matches(k, m.k.Bottom):
		m.cursor = len(m.items) - 1
	}
	m.cursor = max(min(m.cursor, len(m.items)-1), 0)
	m.scroll()
	return m
}

func (m *folderModel) scroll() {
	rows := m.rows()
	if m.cursor < m.top {
		m.top = m.cursor
	}
	if m.cursor >= m.top+rows {
		m.top = m.cursor - rows + 1
	}
	m.top = max(min(m.top, len(m.items)-rows), 0)
}

// rows is how many messages fit under the title and column heads.
func (m folderModel) rows() int { return max(m.height-2, 1) }

func (m folderModel) setSize(w, h int) folderModel {
	m.width, m.height = w, h
	m.scroll()
	return m
}

// title names the view.
func (m folderModel) title() string {
	if m.kind == folderSent {
		return m.d.lang.tr("folder.sentTitle", len(m.items))
	}
	return m.d.lang.tr("folder.outboxTitle", len(m.items))
}

// stateText names an outbox state.
func stateText(l lang, o store.Outgoing) string {
	return l.tr("outbox.state." + string(o.State))
}

// view draws exactly height lines: title, column heads, the messages and,
// for the selected unsent message that failed, why.
func (m folderModel) view() string {
	st, l, w := m.d.styles, m.d.lang, max(m.width, 1)
	var lines []string
	lines = append(lines, st.title.Render(ansi.Truncate(m.title(), w, "…")))
	switch {
	case m.err != nil:
		lines = append(lines, st.err.Render(ansi.Truncate(l.failText("folder.loadFailed", m.err), w, "…")))
		return fitLines(strings.Join(lines, "\n"), m.height)
	case !m.loaded:
		lines = append(lines, st.faint.Render(l.tr("reader.loading")))
		return fitLines(strings.Join(lines, "\n"), m.height)
	case len(m.items) == 0:
		empty := "folder.sentEmpty"
		if m.kind == folderOutbox {
			empty = "folder.outboxEmpty"
		}
		lines = append(lines, st.faint.Render(ansi.Truncate(l.tr(empty), w, "…")))
		return fitLines(strings.Join(lines, "\n"), m.height)
	}
	dateW, stateW := 16, 0
	if m.kind == folderOutbox {
		for _, o := range m.items {
			stateW = max(stateW, ansi.StringWidth(stateText(l, o)))
		}
	}
	rest := max(w-dateW-stateW-5, 10)
	toW := min(max(rest/3, 10), 30)
	subjW := max(rest-toW-1, 1)
	head := "  " + fitCells(l.tr("folder.date"), dateW) + " "
	if stateW > 0 {
		head += fitCells(l.tr("folder.state"), stateW) + " "
	}
	head += fitCells(l.tr("folder.to"), toW) + " " + l.tr("folder.subject")
	lines = append(lines, st.faint.Render(ansi.Truncate(head, w, "")))
	rows := m.rows()
	reasonLine := ""
	for i := m.top; i < len(m.items) && i < m.top+rows; i++ {
		o := m.items[i]
		when := o.Updated
		if !o.SentAt.IsZero() {
			when = o.SentAt
		}
		mark := "  "
		if i == m.cursor && m.d.plain {
			// Without colours the reverse bar is invisible: point at the row.
			mark = "> "
		}
		row := mark + fitCells(shortWhen(l, when.In(m.d.now().Location()), m.d.now()), dateW) + " "
		if stateW > 0 {
			row += fitCells(stateText(l, o), stateW) + " "
		}
		subj := clean(o.Subject)
		if subj == "" {
			subj = l.tr("list.noSubject")
		}
		row += fitCells(clean(strings.Join(o.To, ", ")), toW) + " " + fitCells(subj, subjW)
		row = ansi.Truncate(row, w, "")
		if i == m.cursor {
			row = st.selected.Render(fitRaw(row, w))
			if o.Reason != "" && m.kind == folderOutbox {
				reasonLine = clean(o.Reason)
			}
		}
		lines = append(lines, row)
	}
	out := fitLines(strings.Join(lines, "\n"), m.height)
	foot := ""
	switch {
	case m.asking == folderDelete:
		foot = st.warn.Render(ansi.Truncate(l.tr("folder.deleteAsk"), w, "…"))
	case m.asking == folderSend:
		foot = st.warn.Render(ansi.Truncate(l.tr("folder.forceAsk"), w, "…"))
	case reasonLine != "":
		foot = st.warn.Render(ansi.Truncate(reasonLine, w, "…"))
	}
	if foot != "" {
		out = fitLines(strings.Join(lines, "\n"), max(m.height-1, 0)) + "\n" + foot
	}
	return out
}

// shortWhen is a list date: the time today, else the day.
func shortWhen(l lang, t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return t.Format("15:04")
	}
	if l == langJA {
		return t.Format("2006/01/02 15:04")
	}
	return t.Format("2 Jan 2006 15:04")
}

// keys is the footer of a view.
func (m folderModel) keys() help.KeyMap {
	k := m.k
	if m.asking != folderNone {
		return keyMap{short: []key.Binding{k.Yes, k.No}}
	}
	_, any := m.selected()
	k.Open.SetEnabled(any)
	k.Delete.SetEnabled(any)
	k.Send.SetEnabled(any && m.kind == folderOutbox)
	return keyMap{short: []key.Binding{k.Open, k.Send, k.Delete, k.Back}}
}

// folderHelp lists the views' keys for the help screen.
func folderHelp(l lang) [][]key.Binding {
	k := defaultFolderKeys(l)
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom}, {k.Open, k.Send, k.Delete, k.Back}}
}
