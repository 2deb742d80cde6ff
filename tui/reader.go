package tui

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"popbox/mail"
	"popbox/store"
	"popbox/tui/i18n"
)

// readerSource is what the reader needs of the store; *store.Store
// satisfies it.
type readerSource interface {
	Raw(id string) ([]byte, error)
}

// readerLoadedMsg is a message read and decoded by loadMessage.
type readerLoadedMsg struct {
	id   string
	seq  int
	msg  *mail.Message
	body string // Body made safe for the terminal, tabs expanded
	// saveDir is the folder to offer for its attachments (downloadFolder).
	saveDir string
	err     error
}

// attachmentSavedMsg says where an attachment went, or why it did not.
type attachmentSavedMsg struct {
	id   string
	seq  int
	dir  string // the folder it was to go to
	path string
	err  error
}

// readerIntent is what a key means in the reader.
type readerIntent int

const (
	readerNone readerIntent = iota
	readerScroll
	readerTop
	readerBottom
	readerNext
	readerPrev
	readerSave
	readerDelete
	readerUndo
	readerBack
	readerOpen     // o: open an attachment (reader_open.go)
	readerOpenHTML // H: open the HTML part
	readerLinks    // L: the link list (reader_links.go)
)

// readerModel shows one message: headers, the readable body in a viewport
// and the attachments, which s then a number saves.
type readerModel struct {
	d   *deps
	src readerSource
	k   readerKeys

	msg store.Message
	seq int // open number: a load for an older open is dropped

	loaded bool
	parsed *mail.Message
	body   string
	err    error

	width, height int
	header        string
	headerLines   int
	vp            viewport.Model
	// wrapped caches the body wrapped per width; the map is shared by the
	// copies of one reader, and only update writes to it.
	wrapped      map[int]string
	contentWidth int // the width the viewport's text was wrapped for; 0 = none yet

	saving bool   // the attachment number prompt is open
	number string // the number typed so far
	// asking: the folder prompt is open for attachment saveN; folder is
	// its field, prefilled with saveDir.
	asking  bool
	saveN   int
	folder  textinput.Model
	saveDir string // the folder offered first; "" until the load found it (downloadFolder)
	note    string
	noteErr bool
	// opening: the attachment number prompt of o is open (number is its
	// digits); links is the link list of L (reader_open.go,
	// reader_links.go).
	opening bool
	links   linkList
}

// newReader opens msg; seq numbers the open so a late load of an earlier
// message is dropped. The returned command reads and decodes it.
func newReader(d deps, src readerSource, msg store.Message, seq int, saveDir string) (readerModel, tea.Cmd) {
	k := defaultReaderKeys(d.lang)
	vp := viewport.New(0, 0)
	vp.KeyMap = viewport.KeyMap{
		Up:           k.Up,
		Down:         k.Down,
		PageUp:       k.PageUp,
		PageDown:     k.PageDown,
		HalfPageUp:   key.NewBinding(key.WithKeys("ctrl+u")),
		HalfPageDown: key.NewBinding(key.WithKeys("ctrl+d")),
	}
	m := readerModel{d: &d, src: src, k: k, msg: msg, seq: seq, vp: vp, wrapped: map[int]string{}, saveDir: saveDir, folder: newFolderInput(d)}
	id, fetched := msg.ID, msg.Received
	return m, func() tea.Msg {
		raw, err := src.Raw(id)
		if err != nil {
			return readerLoadedMsg{id: id, seq: seq, err: err}
		}
		p := mail.Parse(raw, fetched)
		dir := saveDir
		if dir == "" && len(p.Attachments) > 0 {
			// Read here, off the update path: it looks at the disk.
			dir = downloadFolder(os.Getenv)
		}
		return readerLoadedMsg{id: id, seq: seq, msg: p, body: expandTabs(p.Body), saveDir: dir}
	}
}

// expandTabs lays out a body for the screen: tabs become spaces to the
// next multiple of 8 and a byte order mark goes. The body is terminal-safe
// already: mail/mime's one sanitiser made it so (its contract: valid UTF-8,
// no control characters but newline and tab); what is left of a control
// character here (none should be) becomes a space rather than reach the
// terminal.
func expandTabs(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	col := 0
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteByte('\n')
			col = 0
			continue
		case r == '\t':
			n := 8 - col%8
			b.WriteString(strings.Repeat(" ", n))
			col += n
			continue
		case r == '\r' || r == '\ufeff':
			continue
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			r = ' '
		}
		b.WriteRune(r)
		col++
	}
	return strings.TrimRight(b.String(), "\n ")
}

// intent maps a key to what it means here.
func (m readerModel) intent(k tea.KeyMsg) readerIntent {
	if m.typing() {
		return readerNone
	}
	switch {
	case key.Matches(k, m.k.Up, m.k.Down, m.k.PageUp, m.k.PageDown, m.vp.KeyMap.HalfPageUp, m.vp.KeyMap.HalfPageDown):
		return readerScroll
	case key.Matches(k, m.k.Top):
		return readerTop
	case key.Matches(k, m.k.Bottom):
		return readerBottom
	case key.Matches(k, m.k.Next):
		return readerNext
	case key.Matches(k, m.k.Prev):
		return readerPrev
	case key.Matches(k, m.k.Save):
		return readerSave
	case key.Matches(k, m.k.Delete):
		return readerDelete
	case key.Matches(k, m.k.Undo):
		return readerUndo
	case key.Matches(k, m.k.Back):
		return readerBack
	case key.Matches(k, m.k.Open):
		return readerOpen
	case key.Matches(k, m.k.OpenHTML):
		return readerOpenHTML
	case key.Matches(k, m.k.Links):
		return readerLinks
	}
	return readerNone
}

// typing reports whether the attachment number or folder prompt, or the
// link list, is open: then the keys are the reader's.
func (m readerModel) typing() bool { return m.saving || m.asking || m.opening || m.links.shown }

// update handles scrolling, the save prompt and the async results. Next,
// previous, delete and back are the root's.
func (m readerModel) update(msg tea.Msg) (readerModel, tea.Cmd) {
	switch msg := msg.(type) {
	case readerLoadedMsg:
		if msg.id != m.msg.ID || msg.seq != m.seq {
			return m, nil
		}
		m.loaded, m.err = true, msg.err
		if msg.err == nil {
			m.parsed, m.body = msg.msg, msg.body
		}
		if m.saveDir == "" {
			m.saveDir = msg.saveDir
		}
		m.layout()
		return m, nil
	case attachmentSavedMsg:
		if msg.id != m.msg.ID || msg.seq != m.seq {
			return m, nil
		}
		m = m.saved(msg)
		m.layout()
		return m, nil
	case partOpenedMsg:
		if msg.id != m.msg.ID || msg.seq != m.seq {
			return m, nil
		}
		m = m.opened(msg)
		m.layout()
		return m, nil
	case linksFoundMsg:
		if msg.id != m.msg.ID || msg.seq != m.seq {
			return m, nil
		}
		return m.linksFound(msg), nil
	case tea.KeyMsg:
		if m.saving {
			return m.saveKey(msg)
		}
		if m.asking {
			return m.folderKey(msg)
		}
		if m.opening {
			return m.openKey(msg)
		}
		if m.links.shown {
			return m.linksKey(msg)
		}
		switch m.intent(msg) {
		case readerScroll:
			var cmd tea.Cmd
			m.vp, cmd = m.vp.Update(msg)
			return m, cmd
		case readerTop:
			m.vp.GotoTop()
		case readerBottom:
			m.vp.GotoBottom()
		case readerSave:
			return m.startSave(), nil
		case readerOpen:
			return m.startOpen(), nil
		case readerOpenHTML:
			return m.openHTML()
		case readerLinks:
			return m.startLinks()
		}
		return m, nil
	}
	return m, nil
}

// attachments lists the message's attachments, none before it is loaded.
func (m readerModel) attachments() []mail.Attachment {
	if m.parsed == nil {
		return nil
	}
	return m.parsed.Attachments
}

// setSize fits the reader into w x h cells.
func (m readerModel) setSize(w, h int) readerModel {
	m.width, m.height = w, h
	m.layout()
	return m
}

// layout builds the header block for the width and sizes the viewport
// under it, wrapping the body once per width.
func (m *readerModel) layout() {
	if m.width <= 0 || m.height <= 0 {
		return
	}
	m.header = m.headerView()
	m.headerLines = strings.Count(m.header, "\n") + 1
	h := m.height - m.headerLines - 1 // separator
	if m.typing() || m.note != "" {
		h--
	}
	m.sizeFolder()
	defer m.scrollLinks()
	h = max(h, 1)
	m.vp.Width, m.vp.Height = m.width, h
	if !m.loaded || m.err != nil {
		return
	}
	if m.contentWidth != m.width {
		text, ok := m.wrapped[m.width]
		if !ok {
			text = wrapText(m.body, m.width)
			m.wrapped[m.width] = text
		}
		frac := 0.0
		if m.contentWidth > 0 {
			frac = m.vp.ScrollPercent()
		}
		m.vp.SetContent(text)
		m.contentWidth = m.width
		if frac > 0 {
			m.vp.SetYOffset(int(frac * float64(m.vp.TotalLineCount()-m.vp.Height)))
		}
	}
}

// headerView is From, To, Cc, Date, Subject, the attachments and any
// decoding notes, each cut to the width.
func (m readerModel) headerView() string {
	st, l, w := m.d.styles, m.d.lang, m.width
	s := m.msg.Summary
	if m.parsed != nil {
		s = m.parsed.Summary
	}
	labels := []string{l.tr("reader.from"), l.tr("reader.to"), l.tr("reader.cc"), l.tr("reader.date"), l.tr("reader.subject"), l.tr("reader.attachments")}
	lw := 0
	for _, x := range labels {
		lw = max(lw, ansi.StringWidth(x))
	}
	lw++
	var lines []string
	add := func(label, value string, style func(...string) string, maxLines int) {
		vw := max(w-lw-1, 1)
		wrapped := wrapLines(value, vw)
		if len(wrapped) > maxLines {
			wrapped = wrapped[:maxLines]
			last := wrapped[maxLines-1]
			wrapped[maxLines-1] = ansi.Truncate(last, vw-1, "") + "…"
		}
		for i, v := range wrapped {
			name := ""
			if i == 0 {
				name = label
			}
			lines = append(lines, st.headerName.Render(fitCells(name, lw))+" "+style(v))
		}
	}
	text := st.headerValue.Render
	add(labels[0], clean(formatAddresses([]mail.Address{s.From})), text, 2)
	if len(s.To) > 0 {
		add(labels[1], clean(formatAddresses(s.To)), text, 2)
	}
	if len(s.Cc) > 0 {
		add(labels[2], clean(formatAddresses(s.Cc)), text, 2)
	}
	if !s.Date.IsZero() {
		add(labels[3], longDate(l, s.Date.In(m.d.now().Location())), text, 1)
	}
	subj := clean(s.Subject)
	if subj == "" {
		subj = l.tr("list.noSubject")
	}
	add(labels[4], subj, st.title.Render, 3)
	if atts := m.attachments(); len(atts) > 0 {
		var parts []string
		for i, a := range atts {
			desc := a.Type
			if a.Size > 0 {
				desc += ", " + mail.FormatSizeShort(a.Size)
			}
			parts = append(parts, fmt.Sprintf("[%d] %s (%s)", i+1, displayName(a, i+1), desc))
		}
		add(labels[5], strings.Join(parts, "  "), st.accent.Render, 3)
	}
	if m.parsed != nil {
		for i, n := range m.parsed.Notes {
			if i == 2 {
				lines = append(lines, st.note.Render(ansi.Truncate(l.tr("reader.moreNotes", len(m.parsed.Notes)-2), w, "…")))
				break
			}
			lines = append(lines, st.note.Render(ansi.Truncate(clean(n), w, "…")))
		}
	}
	return strings.Join(lines, "\n")
}

// formatAddresses writes addresses as Name <addr>, comma-separated.
func formatAddresses(as []mail.Address) string {
	parts := make([]string, 0, len(as))
	for _, a := range as {
		switch {
		case a.Name != "" && a.Address != "":
			parts = append(parts, a.Name+" <"+a.Address+">")
		case a.Name != "":
			parts = append(parts, a.Name)
		default:
			parts = append(parts, a.Address)
		}
	}
	return strings.Join(parts, ", ")
}

// longDate is the reader's date with weekday and time.
func longDate(l lang, t time.Time) string {
	if l == langJA {
		wd := []string{"日", "月", "火", "水", "木", "金", "土"}[t.Weekday()]
		return t.Format("2006年1月2日") + "(" + wd + ") " + t.Format("15:04")
	}
	return t.Format("Mon, 2 Jan 2006 15:04")
}

// view draws exactly height lines.
func (m readerModel) view() string {
	st, l := m.d.styles, m.d.lang
	var b strings.Builder
	b.WriteString(m.header)
	b.WriteString("\n")
	b.WriteString(st.faint.Render(strings.Repeat("─", max(m.width, 0))))
	b.WriteString("\n")
	switch {
	case m.err != nil:
		// Wrapped, not cut: the sentence ends with what to do (for a
		// damaged message, the repair command).
		lines := wrapLines(clean(l.tr("reader.error", l.errText(m.err, i18n.TaskOther))), max(m.width, 1))
		for i, line := range lines {
			lines[i] = st.err.Render(line)
		}
		b.WriteString(fitLines(strings.Join(lines, "\n"), m.vp.Height))
	case !m.loaded:
		b.WriteString(fitLines(st.faint.Render(l.tr("reader.loading")), m.vp.Height))
	case m.links.shown:
		b.WriteString(m.linksView())
	default:
		b.WriteString(fitLines(m.vp.View(), m.vp.Height))
	}
	switch {
	case m.saving:
		b.WriteString("\n")
		prompt := l.tr("reader.savePrompt", len(m.attachments())) + m.number
		b.WriteString(st.accent.Render(ansi.Truncate(prompt, m.width, "…")))
	case m.asking:
		b.WriteString("\n")
		b.WriteString(m.folderLine())
	case m.opening:
		b.WriteString("\n")
		prompt := l.tr("reader.openPrompt", len(m.attachments())) + m.number
		b.WriteString(st.accent.Render(ansi.Truncate(prompt, m.width, "…")))
	case m.links.shown && m.note == "":
		b.WriteString("\n")
		b.WriteString(m.linksHint())
	case m.note != "":
		b.WriteString("\n")
		style := st.ok
		if m.noteErr {
			style = st.warn
		}
		b.WriteString(style.Render(ansi.Truncate(m.note, m.width, "…")))
	}
	return b.String()
}

// keys is the reader's help, without undo: only the root knows when a
// delete can be undone (keysFor).
func (m readerModel) keys() help.KeyMap { return m.keysFor(false) }

// keysFor is the reader's help; undoable says a delete can be undone now.
// The footer's words are shorter than the help screen's, so that with u
// it fits 60 columns.
func (m readerModel) keysFor(undoable bool) help.KeyMap {
	k, l := m.k, m.d.lang
	if m.links.shown {
		return keyMap{short: []key.Binding{k.LinkOpen, k.LinksClose}, full: [][]key.Binding{{k.Up, k.Down, k.LinkOpen, k.LinksClose}}}
	}
	if m.opening {
		return keyMap{short: []key.Binding{k.SaveCancel}, full: [][]key.Binding{{k.SaveCancel}}}
	}
	if m.typing() {
		return keyMap{short: []key.Binding{k.SaveConfirm, k.SaveCancel}, full: [][]key.Binding{{k.SaveConfirm, k.SaveCancel}}}
	}
	k.Save.SetEnabled(len(m.attachments()) > 0)
	k.Undo.SetEnabled(undoable)
	next, prev, save := k.Next, k.Prev, k.Save
	next.SetHelp("n", l.tr("help.nextShort"))
	prev.SetHelp("p", l.tr("help.prevShort"))
	save.SetHelp("s", l.tr("help.saveShort"))
	return keyMap{
		short: []key.Binding{k.Back, next, prev, k.Delete, k.Undo, save},
		full:  m.allKeys(),
	}
}

// allKeys is every reader binding, for the help screen.
func (m readerModel) allKeys() [][]key.Binding {
	k := m.k
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Next, k.Prev, k.Save, k.Open, k.OpenHTML, k.Links, k.Delete, k.Undo, k.Back},
	}
}

// fitLines pads or cuts s to exactly n lines.
func fitLines(s string, n int) string {
	if n <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	for len(lines) < n {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}
