package tui

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"popbox/mail/mime"
	"popbox/tui/i18n"
)

// The link list of L: the links of the message (mime.Links), numbered,
// each once, with their text, shown over the body with the chosen one's
// whole address under them. Enter, or a number, hands a link to the
// opener; only http, https and mailto links are opened. A link is never
// opened by one key without this list on the screen.

// linkItem is one row of the list.
type linkItem struct {
	url, text string
	ok        bool // http, https or mailto: may be opened
}

// linkList is the state of the list.
type linkList struct {
	shown   bool // the list is over the body
	loading bool
	items   []linkItem
	cursor  int
	top     int    // the first row on the screen
	number  string // digits typed so far
}

// linksFoundMsg carries the links of message id.
type linksFoundMsg struct {
	id    string
	seq   int
	links []mime.Link
	err   error
}

// linkDetailLines bounds the lines of the chosen link's address.
const linkDetailLines = 4

// openableLink reports whether u is a link popbox hands to the opener: an
// http or https address with a host, or a mailto address. javascript:,
// file:, data: and the rest are listed, never opened.
func openableLink(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	switch strings.ToLower(p.Scheme) {
	case "http", "https":
		return p.Host != ""
	case "mailto":
		return p.Opaque != ""
	}
	return false
}

// startLinks shows the list and reads the links in a command.
func (m readerModel) startLinks() (readerModel, tea.Cmd) {
	if !m.loaded || m.err != nil {
		return m, nil
	}
	m.links = linkList{shown: true, loading: true}
	m.note = ""
	m.layout()
	src, id, seq := m.src, m.msg.ID, m.seq
	return m, func() tea.Msg {
		raw, err := src.Raw(id)
		if err != nil {
			return linksFoundMsg{id: id, seq: seq, err: err}
		}
		return linksFoundMsg{id: id, seq: seq, links: mime.Links(raw)}
	}
}

// linksFound fills the list, or closes it and says why there is none.
func (m readerModel) linksFound(msg linksFoundMsg) readerModel {
	l := m.d.lang
	if !m.links.shown {
		return m
	}
	m.links.loading = false
	switch {
	case msg.err != nil:
		m.links.shown = false
		m.note, m.noteErr = l.tr("reader.linksFailed", l.errText(msg.err, i18n.TaskOther)), true
	case len(msg.links) == 0:
		m.links.shown = false
		m.note, m.noteErr = l.tr("reader.noLinks"), true
	}
	for _, k := range msg.links {
		m.links.items = append(m.links.items, linkItem{url: k.URL, text: k.Text, ok: openableLink(k.URL)})
	}
	m.layout()
	return m
}

// linksKey moves in the list, opens a link (enter, or its number) or
// closes the list (esc, q).
func (m readerModel) linksKey(k tea.KeyMsg) (readerModel, tea.Cmd) {
	ll := &m.links
	count := len(ll.items)
	switch {
	case key.Matches(k, m.k.LinksClose):
		m.links = linkList{}
		m.note = ""
		m.layout()
		return m, nil
	case ll.loading || count == 0:
		return m, nil
	case key.Matches(k, m.k.LinkOpen):
		n := ll.cursor + 1
		if ll.number != "" {
			n, _ = strconv.Atoi(ll.number)
		}
		ll.number = ""
		return m.openLink(n)
	case key.Matches(k, m.k.Up):
		ll.cursor--
	case key.Matches(k, m.k.Down):
		ll.cursor++
	case key.Matches(k, m.k.PageUp):
		ll.cursor -= max(m.linkRows()-1, 1)
	case key.Matches(k, m.k.PageDown):
		ll.cursor += max(m.linkRows()-1, 1)
	case key.Matches(k, m.k.Top):
		ll.cursor = 0
	case key.Matches(k, m.k.Bottom):
		ll.cursor = count - 1
	case k.Type == tea.KeyBackspace:
		if ll.number != "" {
			ll.number = ll.number[:len(ll.number)-1]
		}
		return m, nil
	case k.Type == tea.KeyRunes && len(k.Runes) == 1 && k.Runes[0] >= '0' && k.Runes[0] <= '9':
		next := ll.number + string(k.Runes)
		n, _ := strconv.Atoi(next)
		if n < 1 || n > count {
			return m, nil
		}
		ll.number, ll.cursor = next, n-1
		if n*10 > count {
			ll.number = ""
			return m.openLink(n)
		}
		m.scrollLinks()
		return m, nil
	default:
		return m, nil
	}
	ll.number = ""
	ll.cursor = min(max(ll.cursor, 0), count-1)
	m.scrollLinks()
	return m, nil
}

// openLink hands link n (1-based) to the opener, unless it is one popbox
// does not open.
func (m readerModel) openLink(n int) (readerModel, tea.Cmd) {
	l := m.d.lang
	if n < 1 || n > len(m.links.items) {
		m.note, m.noteErr = l.tr("reader.badNumber", len(m.links.items)), true
		return m, nil
	}
	m.links.cursor = n - 1
	m.scrollLinks()
	it := m.links.items[n-1]
	if !it.ok {
		m.note, m.noteErr = l.tr("reader.linkNotOpened"), true
		return m, nil
	}
	m.note, m.noteErr = l.tr("reader.opening", clean(it.url)), false
	id, seq, open, u := m.msg.ID, m.seq, m.d.launcher(), it.url
	return m, func() tea.Msg {
		return partOpenedMsg{id: id, seq: seq, what: u, link: true, err: open(u)}
	}
}

// linkDetail is the chosen link's whole address, wrapped to the width.
func (m readerModel) linkDetail() []string {
	ll := m.links
	if ll.cursor >= len(ll.items) {
		return nil
	}
	lines := wrapLines(clean(ll.items[ll.cursor].url), max(m.width, 1))
	if len(lines) > linkDetailLines {
		lines = lines[:linkDetailLines]
		lines[linkDetailLines-1] = ansi.Truncate(lines[linkDetailLines-1], max(m.width-1, 1), "") + "…"
	}
	return lines
}

// linkRows is how many rows of the list fit: the body's height less the
// title and the address under the rows.
func (m readerModel) linkRows() int {
	return max(m.vp.Height-1-len(m.linkDetail())-1, 1)
}

// scrollLinks keeps the chosen row on the screen.
func (m *readerModel) scrollLinks() {
	rows := m.linkRows()
	ll := &m.links
	if ll.cursor < ll.top {
		ll.top = ll.cursor
	}
	if ll.cursor >= ll.top+rows {
		ll.top = ll.cursor - rows + 1
	}
	ll.top = max(min(ll.top, len(ll.items)-rows), 0)
}

// linksView draws the list in the body's place: a title, the rows, a
// rule and the chosen link's address; exactly the body's height.
func (m readerModel) linksView() string {
	st, l, w := m.d.styles, m.d.lang, m.width
	ll := m.links
	if ll.loading {
		return fitLines(st.faint.Render(l.tr("reader.linksLoading")), m.vp.Height)
	}
	lines := []string{st.title.Render(ansi.Truncate(l.tr("reader.linksTitle", len(ll.items)), w, "…"))}
	numW := len(strconv.Itoa(len(ll.items)))
	rows := m.linkRows()
	for i := ll.top; i < len(ll.items) && i < ll.top+rows; i++ {
		it := ll.items[i]
		var b strings.Builder
		fmt.Fprintf(&b, "%*d  ", numW, i+1)
		if !it.ok {
			b.WriteString(l.tr("reader.linkNotOpenable") + " ")
		}
		if it.text != "" {
			b.WriteString(clean(it.text) + "  ")
		}
		b.WriteString(clean(it.url))
		line := ansi.Truncate(b.String(), w, "…")
		switch {
		case i == ll.cursor:
			line = st.selected.Render(line + strings.Repeat(" ", max(w-ansi.StringWidth(line), 0)))
		case !it.ok:
			line = st.faint.Render(line)
		default:
			line = st.text.Render(line)
		}
		lines = append(lines, line)
	}
	for len(lines) < 1+rows {
		lines = append(lines, "")
	}
	lines = append(lines, st.faint.Render(strings.Repeat("─", max(w, 0))))
	for _, d := range m.linkDetail() {
		lines = append(lines, st.accent.Render(d))
	}
	return fitLines(strings.Join(lines, "\n"), m.vp.Height)
}

// linksHint is the line under the list when there is no note.
func (m readerModel) linksHint() string {
	l := m.d.lang
	s := l.tr("reader.linksHint")
	if m.links.number != "" {
		s = l.tr("reader.linkNumber") + m.links.number
	}
	return m.d.styles.faint.Render(ansi.Truncate(s, m.width, "…"))
}
