package tui

import (
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"popbox/store"
)

// listSource is what the message list needs of the store; *store.Store
// satisfies it, tests pass a fake. Count must be cheap (the store keeps it
// per account), Page and Search read one window newest first.
type listSource interface {
	Count(accountID string) (int, error)
	Page(accountID string, offset, limit int) ([]store.Message, error)
	Search(accountID, query string, offset, limit int) ([]store.Message, int, error)
	MarkSeen(id string, seen bool) error
	DeleteMessage(id string) error
}

// filterDelay is how long the filter waits after the last key before it
// asks the store, so typing a word costs one search, not one per letter.
const filterDelay = 150 * time.Millisecond

// minPad is the least number of rows loaded above and below the screen.
const minPad = 100

// pageLoadedMsg is a window of summaries read from the store. storeOff is
// the offset asked for in the store's order (hidden messages included).
type pageLoadedMsg struct {
	acct     string
	gen, req int
	storeOff int
	msgs     []store.Message
	total    int
	err      error
}

// filterTickMsg fires filterDelay after a key in the filter field.
type filterTickMsg struct {
	acct     string
	gen, seq int
}

// listRow is one loaded message with its columns formatted for the
// current width.
type listRow struct {
	msg  store.Message
	spos int // position in the store's order for the query of the window
	// columns, each padded or truncated to its width in cells
	mark, date, from, subject, size, attach string
}

// hiddenMsg is a message deleted in the list whose store delete is still
// pending (undo window). pos is its position in the store's order for the
// generation gen, -1 while unknown.
type hiddenMsg struct {
	pos, gen int
}

// listIntent is what a key means on the list.
type listIntent int

const (
	listNone listIntent = iota
	listUp
	listDown
	listTop
	listBottom
	listPageUp
	listPageDown
	listOpen
	listFilter
	listClearFilter
	listDelete
	listUndo
	listQuit
)

// listModel is the message list of one account, newest first. It keeps the
// total count and a window of rows around the screen; pages are read by
// commands, so scrolling 100k messages costs what scrolling 100 does.
type listModel struct {
	d     *deps
	src   listSource
	k     listKeys
	after afterFunc // timers: tea.Tick
	acct  string

	gen   int    // bumped when the query changes: older pages are dropped
	req   int    // the newest page request; only its answer is used
	query string // the applied filter; "" lists everything

	filter    textinput.Model
	filtering bool // the filter field has focus
	filterSeq int

	width, height int
	cols          columns

	total   int  // messages in the view, hidden ones left out
	counted bool // total is known
	cursor  int
	top     int

	win      []listRow
	winStart int // view index of win[0]
	// drawTop and drawCursor are the last position whose rows were all
	// loaded: while a far jump (G, a big PgDn) waits for its page, view
	// keeps showing them instead of a blank screen for a frame.
	drawTop, drawCursor int
	loading             bool
	wantLo              int // view range of the request in flight
	wantHi              int

	hidden map[string]hiddenMsg
	err    error
	// early are the moves typed before the count was known, made when it
	// comes.
	early []listIntent
	// undoElsewhere: u brings back a message deleted in another account
	// (the root keeps the deletes).
	undoElsewhere bool
}

// newList makes the list of account acct. hidden are IDs whose delete is
// pending; they stay out of the list.
func newList(d deps, src listSource, acct string, hidden []string) listModel {
	ti := textinput.New()
	ti.Prompt = "/ "
	ti.Placeholder = d.lang.tr("list.filterPlaceholder")
	ti.CharLimit = 200
	ti.PromptStyle = d.styles.accent
	ti.TextStyle = d.styles.text
	ti.PlaceholderStyle = d.styles.faint
	// A steady cursor: a blinking one redraws the screen twice a second.
	ti.Cursor.SetMode(cursor.CursorStatic)
	m := listModel{
		d:      &d,
		src:    src,
		k:      defaultListKeys(d.lang),
		after:  tea.Tick,
		acct:   acct,
		filter: ti,
		hidden: map[string]hiddenMsg{},
	}
	for _, id := range hidden {
		m.hidden[id] = hiddenMsg{pos: -1}
	}
	return m
}

// init loads the first page.
func (m listModel) init() (listModel, tea.Cmd) {
	return m.request(0)
}

// typing reports whether the filter field has focus.
func (m listModel) typing() bool { return m.filtering }

// rows is the number of message rows on screen.
func (m listModel) rows() int {
	r := m.height - 1 // column header
	if m.filtering || m.query != "" {
		r-- // filter line
	}
	return max(r, 1)
}

// setSize fits the list into w x h cells; rows are formatted again when the
// width changes, and a page is loaded when the screen grew past the window.
func (m listModel) setSize(w, h int) (listModel, tea.Cmd) {
	if w != m.width {
		m.width = w
		m.cols = layoutColumns(w)
		m.filter.Width = max(w-4, 1)
		m.formatAll()
	}
	m.height = h
	m.clamp()
	return m.ensure()
}

// intent maps a key to what it means here. Keys of the filter field are
// left to update.
func (m listModel) intent(k tea.KeyMsg) listIntent {
	if m.filtering {
		return listNone
	}
	switch {
	case key.Matches(k, m.k.Up):
		return listUp
	case key.Matches(k, m.k.Down):
		return listDown
	case key.Matches(k, m.k.Top):
		return listTop
	case key.Matches(k, m.k.Bottom):
		return listBottom
	case key.Matches(k, m.k.PageUp):
		return listPageUp
	case key.Matches(k, m.k.PageDown):
		return listPageDown
	case key.Matches(k, m.k.Open):
		return listOpen
	case key.Matches(k, m.k.Filter):
		return listFilter
	case key.Matches(k, m.k.ClearFilter) && m.query != "":
		return listClearFilter
	case key.Matches(k, m.k.Delete):
		return listDelete
	case key.Matches(k, m.k.Undo):
		return listUndo
	case key.Matches(k, m.k.Quit):
		return listQuit
	}
	return listNone
}

// update handles the list's own keys and its async results. Open, delete,
// undo and quit are the root's (it asks intent first).
func (m listModel) update(msg tea.Msg) (listModel, tea.Cmd) {
	m, cmd := m.step(msg)
	if m.loaded(m.top) {
		m.drawTop, m.drawCursor = m.top, m.cursor
	}
	return m, cmd
}

// loaded reports whether every row of the screen starting at view index top
// is in the loaded window.
func (m listModel) loaded(top int) bool {
	end := min(top+m.rows(), m.total)
	return top >= m.winStart && end <= m.winStart+len(m.win)
}

// step is update without the bookkeeping of the last drawable position.
func (m listModel) step(msg tea.Msg) (listModel, tea.Cmd) {
	switch msg := msg.(type) {
	case pageLoadedMsg:
		return m.pageLoaded(msg)
	case filterTickMsg:
		if msg.acct != m.acct || msg.seq != m.filterSeq || !m.filtering {
			return m, nil
		}
		return m.applyQuery(strings.TrimSpace(m.filter.Value()))
	case tea.KeyMsg:
		if m.filtering {
			return m.filterKey(msg)
		}
		switch in := m.intent(msg); in {
		case listUp, listDown, listTop, listBottom, listPageUp, listPageDown:
			if !m.counted {
				// Typed ahead of the first page (after a switch, or a
				// filter): the move is made when the count is known.
				m.early = append(m.early, in)
				return m, nil
			}
			m.moveCursor(in)
			return m.ensure()
		case listFilter:
			m.filtering = true
			m.filter.SetValue(m.query)
			m.filter.CursorEnd()
			cmd := m.filter.Focus()
			m.clamp()
			return m, cmd
		case listClearFilter:
			return m.applyQuery("")
		}
		return m, nil
	}
	if m.filtering {
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		return m, cmd
	}
	return m, nil
}

// filterKey edits the filter: enter applies it at once, esc drops it, any
// other key edits and searches after a short pause.
func (m listModel) filterKey(k tea.KeyMsg) (listModel, tea.Cmd) {
	switch {
	case key.Matches(k, m.k.FilterApply):
		m.filtering = false
		m.filter.Blur()
		m.filterSeq++
		return m.applyQuery(strings.TrimSpace(m.filter.Value()))
	case key.Matches(k, m.k.FilterCancel):
		m.filtering = false
		m.filter.Blur()
		m.filter.SetValue("")
		m.filterSeq++
		return m.applyQuery("")
	}
	before := m.filter.Value()
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(k)
	if m.filter.Value() == before {
		return m, cmd
	}
	m.filterSeq++
	acct, gen, seq := m.acct, m.gen, m.filterSeq
	tick := m.after(filterDelay, func(time.Time) tea.Msg { return filterTickMsg{acct: acct, gen: gen, seq: seq} })
	return m, tea.Batch(cmd, tick)
}

// applyQuery switches the view to the messages matching q (all when q is
// empty) and loads its first page.
func (m listModel) applyQuery(q string) (listModel, tea.Cmd) {
	if q == m.query && m.counted {
		m.clamp()
		return m, nil
	}
	m.query = q
	m.gen++
	m.cursor, m.top = 0, 0
	m.win, m.winStart = nil, 0
	m.counted, m.total = false, 0
	m.early = nil
	m.loading = false
	for id, h := range m.hidden {
		m.hidden[id] = hiddenMsg{pos: -1, gen: h.gen}
	}
	return m.request(0)
}

// moveCursor moves the cursor as a move intent says, without loading.
func (m *listModel) moveCursor(in listIntent) {
	switch in {
	case listUp:
		m.cursor--
	case listDown:
		m.cursor++
	case listTop:
		m.cursor = 0
	case listBottom:
		m.cursor = m.total - 1
	case listPageUp:
		m.cursor -= m.rows()
	case listPageDown:
		m.cursor += m.rows()
	}
	m.clamp()
}

// move moves the cursor by delta rows.
func (m listModel) move(delta int) (listModel, tea.Cmd) {
	return m.moveTo(m.cursor + delta)
}

// moveTo puts the cursor on row i (clamped), scrolls it into view and loads
// the window around it when needed.
func (m listModel) moveTo(i int) (listModel, tea.Cmd) {
	m.cursor = i
	m.clamp()
	return m.ensure()
}

// clamp keeps the cursor in the list and on the screen.
func (m *listModel) clamp() {
	rows := m.rows()
	if m.cursor >= m.total {
		m.cursor = m.total - 1
	}
	if m.cursor < 0 {
		m.cursor = 0
	}
	if m.cursor < m.top {
		m.top = m.cursor
	}
	if m.cursor >= m.top+rows {
		m.top = m.cursor - rows + 1
	}
	if m.top > m.total-rows {
		m.top = m.total - rows
	}
	if m.top < 0 {
		m.top = 0
	}
}

// pad is how many rows are kept loaded above and below the screen.
func (m listModel) pad() int { return max(m.rows(), minPad) }

// ensure loads a new window when the screen is not inside the loaded one or
// comes within one screen of its edge.
func (m listModel) ensure() (listModel, tea.Cmd) {
	if !m.counted {
		return m, nil // the first page is on its way
	}
	rows := m.rows()
	lo, hi := m.top, min(m.top+rows, m.total)
	haveLo, haveHi := m.winStart, m.winStart+len(m.win)
	if m.loading {
		haveLo, haveHi = m.wantLo, m.wantHi
	}
	covered := haveLo <= lo && haveHi >= hi
	nearTop := haveLo > 0 && lo-haveLo < rows
	nearEnd := haveHi < m.total && haveHi-hi < rows
	if covered && !nearTop && !nearEnd {
		return m, nil
	}
	if m.loading && covered {
		return m, nil // the request in flight has room enough
	}
	return m.request(max(0, m.top-m.pad()))
}

// reload reads the current window again (after a fetch committed, or a
// delete went through), keeping the cursor.
func (m listModel) reload() (listModel, tea.Cmd) {
	return m.request(max(0, m.top-m.pad()))
}

// request asks for the window starting at view index from.
func (m listModel) request(from int) (listModel, tea.Cmd) {
	m.req++
	limit := m.rows() + 2*m.pad()
	storeOff := from + m.hiddenBefore(from)
	extra := len(m.hidden)
	m.loading = true
	m.wantLo, m.wantHi = from, from+limit
	src, acct, gen, req, q := m.src, m.acct, m.gen, m.req, m.query
	return m, func() tea.Msg {
		msg := pageLoadedMsg{acct: acct, gen: gen, req: req, storeOff: storeOff}
		if q == "" {
			msg.total, msg.err = src.Count(acct)
			if msg.err == nil {
				msg.msgs, msg.err = src.Page(acct, storeOff, limit+extra)
			}
		} else {
			msg.msgs, msg.total, msg.err = src.Search(acct, q, storeOff, limit+extra)
		}
		return msg
	}
}

// hiddenBefore counts the hidden messages known to sit in the store's
// order before the message at view index viewIdx: its store offset is
// viewIdx plus that.
func (m listModel) hiddenBefore(viewIdx int) int {
	var pos []int
	for _, h := range m.hidden {
		if h.gen == m.gen && h.pos >= 0 {
			pos = append(pos, h.pos)
		}
	}
	slices.Sort(pos)
	s := viewIdx
	for _, p := range pos {
		if p > s {
			break
		}
		s++
	}
	return s - viewIdx
}

// hiddenInView counts hidden messages that belong to the current view.
func (m listModel) hiddenInView() int {
	if m.query == "" {
		return len(m.hidden)
	}
	n := 0
	for _, h := range m.hidden {
		if h.gen == m.gen && h.pos >= 0 {
			n++
		}
	}
	return n
}

// pageLoaded takes a window in, if it answers the newest request.
func (m listModel) pageLoaded(msg pageLoadedMsg) (listModel, tea.Cmd) {
	if msg.acct != m.acct || msg.gen != m.gen || msg.req != m.req {
		return m, nil
	}
	m.loading = false
	if msg.err != nil {
		m.err = msg.err
		return m, nil
	}
	m.err = nil
	before := 0
	for _, h := range m.hidden {
		if h.gen == m.gen && h.pos >= 0 && h.pos < msg.storeOff {
			before++
		}
	}
	rows := make([]listRow, 0, len(msg.msgs))
	now := m.d.now()
	for i, sm := range msg.msgs {
		if _, ok := m.hidden[sm.ID]; ok {
			m.hidden[sm.ID] = hiddenMsg{pos: msg.storeOff + i, gen: m.gen}
			continue
		}
		r := listRow{msg: sm, spos: msg.storeOff + i}
		m.format(&r, now)
		rows = append(rows, r)
	}
	m.win = rows
	m.winStart = msg.storeOff - before
	m.total = max(msg.total-m.hiddenInView(), 0)
	m.counted = true
	m.clamp()
	for _, in := range m.early {
		m.moveCursor(in)
	}
	m.early = nil
	return m.ensure()
}

// selected is the message under the cursor, when it is loaded.
func (m listModel) selected() (store.Message, bool) {
	i := m.cursor - m.winStart
	if m.total == 0 || i < 0 || i >= len(m.win) {
		return store.Message{}, false
	}
	return m.win[i].msg, true
}

// hide takes message id out of the list at once (its delete is pending).
func (m listModel) hide(id string) (listModel, tea.Cmd) {
	h := hiddenMsg{pos: -1, gen: m.gen}
	for i, r := range m.win {
		if r.msg.ID == id {
			h.pos = r.spos
			m.win = append(m.win[:i:i], m.win[i+1:]...)
			break
		}
	}
	m.hidden[id] = h
	if m.total > 0 && (m.query == "" || h.pos >= 0) {
		m.total--
	}
	m.clamp()
	return m.ensure()
}

// unhide brings a message whose delete was undone back, by reading the
// window again.
func (m listModel) unhide(id string) (listModel, tea.Cmd) {
	if _, ok := m.hidden[id]; !ok {
		return m, nil
	}
	delete(m.hidden, id)
	return m.reload()
}

// forget drops a hidden message whose delete went through, and reads the
// window again so positions match the store.
func (m listModel) forget(id string) (listModel, tea.Cmd) {
	if _, ok := m.hidden[id]; !ok {
		return m, nil
	}
	delete(m.hidden, id)
	return m.reload()
}

// markSeen updates the unread mark of a loaded row.
func (m listModel) markSeen(id string, seen bool) listModel {
	for i := range m.win {
		if m.win[i].msg.ID == id {
			m.win[i].msg.Seen = seen
			m.format(&m.win[i], m.d.now())
			break
		}
	}
	return m
}

// keys is the list's help: the footer's few bindings and the full set.
func (m listModel) keys() help.KeyMap {
	k := m.k
	if m.filtering {
		return keyMap{short: []key.Binding{k.FilterApply, k.FilterCancel}, full: [][]key.Binding{{k.FilterApply, k.FilterCancel}}}
	}
	k.Open.SetEnabled(m.total > 0)
	k.Delete.SetEnabled(m.total > 0)
	k.Undo.SetEnabled(len(m.hidden) > 0 || m.undoElsewhere)
	k.ClearFilter.SetEnabled(m.query != "")
	return keyMap{
		short: []key.Binding{k.Open, k.Filter, k.ClearFilter, k.Undo},
		full: [][]key.Binding{
			{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
			{k.Open, k.Filter, k.ClearFilter, k.Delete, k.Undo, k.Quit},
		},
	}
}
