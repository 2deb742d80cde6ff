package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// helpKey scrolls or closes the help screen.
func (m appModel) helpKey(k tea.KeyMsg) (appModel, tea.Cmd) {
	switch {
	case key.Matches(k, m.hk.Close):
		m.screen = m.back
		return m, nil
	case key.Matches(k, m.hk.Up):
		if k.String() == "pgup" {
			m.helpVP.PageUp()
		} else {
			m.helpVP.ScrollUp(1)
		}
	case key.Matches(k, m.hk.Down):
		if k.String() == "k" || k.String() == "j" || k.String() == "down" {
			m.helpVP.ScrollDown(1)
		} else {
			m.helpVP.PageDown()
		}
	}
	return m, nil
}

// openHelp shows every binding.
func (m appModel) openHelp() appModel {
	m.back = m.baseScreen()
	m.screen = screenHelp
	m.helpVP.SetContent(m.helpContent())
	m.helpVP.GotoTop()
	return m
}

// helpSection is one titled group of the help screen: a help.KeyMap whose
// full help is drawn in columns.
type helpSection struct {
	title string
	keys  help.KeyMap
}

// helpSections lists every binding, screen by screen.
func (m appModel) helpSections() []helpSection {
	l, g := m.d.lang, m.k
	lk := defaultListKeys(l)
	rk := defaultReaderKeys(l)
	ak := defaultAccountsKeys(l)
	section := func(title string, cols ...[]key.Binding) helpSection {
		return helpSection{title: l.tr(title), keys: keyMap{full: cols}}
	}
	return []helpSection{
		section("help.global", []key.Binding{g.Help, g.Fetch, g.CancelFetch, g.Accounts, g.Quit, g.Suspend}, []key.Binding{g.Switch, g.SwitchTo, g.PrevAccount, g.NextAccount, g.Dismiss}),
		section("help.list", []key.Binding{lk.Up, lk.Down, lk.PageUp, lk.PageDown, lk.Top, lk.Bottom}, []key.Binding{lk.Open, lk.Filter, lk.ClearFilter, lk.Delete, lk.Undo, lk.Quit}),
		section("help.reader", []key.Binding{rk.Up, rk.Down, rk.PageUp, rk.PageDown, rk.Top, rk.Bottom}, []key.Binding{rk.Next, rk.Prev, rk.Save, rk.Open, rk.OpenHTML, rk.Links, rk.Delete, rk.Undo, rk.Back}),
		section("help.accountsScreen", []key.Binding{ak.Up, ak.Down, ak.Use, ak.Back}, []key.Binding{ak.Add, ak.Edit, ak.Remove, ak.Incoming, ak.Outgoing}),
		section("help.writing", []key.Binding{m.ck.Compose, m.ck.Reply, m.ck.ReplyAll, m.ck.Forward}, []key.Binding{m.ck.Sent, m.ck.Outbox}),
		section("help.composeScreen", composeHelp(l)...),
		section("help.folderScreen", folderHelp(l)...),
	}
}

// helpGap is the space between two columns of sections.
const helpGap = 4

// helpContent draws the sections in a grid: as many columns as fit the
// width, each as wide as its widest section (in cells), so a section
// starts at the same cell in every row; one column when none fit.
func (m appModel) helpContent() string {
	st, l := m.d.styles, m.d.lang
	title := l.tr("help.title")
	if m.cfg.version != "" {
		title = "popbox " + m.cfg.version + " · " + title
	}
	var blocks []string
	for _, s := range m.helpSections() {
		hm := m.help
		hm.FullSeparator = "   "
		hm.ShowAll = true
		blocks = append(blocks, st.title.Render(s.title)+"\n"+hm.View(s.keys))
	}
	cols, widths := helpGrid(blocks, m.width)
	var rows []string
	for i := 0; i < len(blocks); i += cols {
		var row []string
		for j := 0; j < cols && i+j < len(blocks); j++ {
			cell := blocks[i+j]
			if i+j+1 < len(blocks) && j+1 < cols {
				// Pad to the column's width and the gap: the next column
				// starts at the same cell in every row.
				cell = lipgloss.PlaceHorizontal(widths[j]+helpGap, lipgloss.Left, cell)
			}
			row = append(row, cell)
		}
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	return st.title.Render(title) + "\n\n" + strings.Join(rows, "\n\n")
}

// helpGrid is the most columns the blocks fit in within width, filled row
// by row, and the width in cells of each column.
func helpGrid(blocks []string, width int) (int, []int) {
	for cols := len(blocks); cols > 1; cols-- {
		widths := make([]int, cols)
		for i, b := range blocks {
			widths[i%cols] = max(widths[i%cols], lipgloss.Width(b))
		}
		total := helpGap * (cols - 1)
		for _, w := range widths {
			total += w
		}
		if total <= width {
			return cols, widths
		}
	}
	return 1, nil
}

// footerKeys are the few bindings that matter on the current screen.
func (m appModel) footerKeys() []key.Binding {
	var ks []key.Binding
	g, l := m.k, m.d.lang
	if cks, ok := m.composeFooter(); ok {
		return cks
	}
	if m.fetching && !m.modal() && !m.typing() {
		ks = append(ks, g.CancelFetch)
	} else if m.banner != "" && !m.modal() && !m.typing() {
		ks = append(ks, g.Dismiss)
	}
	switch m.screen {
	case screenList:
		if !m.hasActive {
			return append(ks, g.Accounts, g.Help, m.list.k.Quit)
		}
		if m.list.typing() {
			return append(ks, m.list.keys().ShortHelp()...)
		}
		ks = append(ks, m.list.keys().ShortHelp()...)
		// The footer's words are shorter than the help screen's.
		fetch, accts, sw := g.Fetch, g.Accounts, g.Switch
		fetch.SetHelp("f", l.tr("help.fetchShort"))
		fetch.SetEnabled(!m.fetching)
		accts.SetHelp("A", l.tr("help.accounts"))
		sw.SetHelp("ctrl+a", l.tr("help.switchShort"))
		help := g.Help
		help.SetHelp("?", l.tr("help.helpShort"))
		return append(ks, fetch, accts, sw, help, m.list.k.Quit)
	case screenReader:
		// A delete in the reader hides the message in the list until its
		// undo window ends: u works while the list hides one.
		ks = append(ks, m.reader.keysFor(len(m.list.hidden) > 0).ShortHelp()...)
		if !m.reader.typing() {
			// Answering, when the width has room for it (? lists it).
			hm := m.help
			hm.Width = 0
			if with := append(ks[:len(ks):len(ks)], m.ck.Reply); lipgloss.Width(hm.ShortHelpView(with)) <= m.width {
				ks = with
			}
		}
		return ks
	case screenAccounts:
		return append(ks, m.accts.keys().ShortHelp()...)
	case screenHelp:
		return []key.Binding{m.hk.Close, m.hk.Down}
	case screenSwitcher:
		return m.switcher.keys().ShortHelp()
	case screenPasswd:
		return m.passwd.keys().ShortHelp()
	case screenWizard:
		if m.wizard != nil {
			return m.wizard.keys().ShortHelp()
		}
	}
	return ks
}
