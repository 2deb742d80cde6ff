package tui

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"popbox/mail"
	"popbox/mail/compose"
	"popbox/store"
)

// The compose screen: a message being written (new, a reply or a
// forward). Its text goes to $VISUAL or $EDITOR, run on the terminal
// (deps.execCmd), or, with neither set, into the screen's own editor;
// then a preview shows the message as it will go, and y queues it for
// the app to send (app_compose.go). The message is a draft in the outbox
// from the moment the screen opens, saved again each time the editor
// closes, so leaving, a failing editor or a killed popbox never loses
// what was written.

// composeStore is what the compose screen and the Sent and outbox views
// need of the store; *store.Store satisfies it.
type composeStore interface {
	SaveDraft(accountID string, o store.Outgoing, form []byte) (store.Outgoing, error)
	QueueOutgoing(accountID string, o store.Outgoing, raw, form []byte) (store.Outgoing, error)
	DeleteOutgoing(accountID, id string) error
	OutgoingForm(accountID, id string) (store.Outgoing, []byte, error)
	OutgoingMessage(accountID, id string) (store.Outgoing, []byte, error)
	Outbox(accountID string) ([]store.Outgoing, error)
	Sent(accountID string) ([]store.Outgoing, error)
	SettleOutbox(accountID string) ([]store.Outgoing, error)
}

// composeStage is where the compose screen is.
type composeStage int

const (
	composeWait    composeStage = iota // saving, or the editor has the terminal
	composeEdit                        // the screen's own editor
	composePreview                     // the message as it will go
)

// composeNext is what follows a save.
type composeNext int

const (
	nextEdit composeNext = iota
	nextPreview
	nextClose
	nextStay // an autosave: go on writing
)

// autosaveEvery is how often the screen's own editor keeps its text as
// the draft while it changes, so that a closed terminal or a killed
// popbox loses at most that much.
const autosaveEvery = 15 * time.Second

// composeAutosaveMsg is the autosave timer of compose screen seq.
type composeAutosaveMsg struct{ seq, gen int }

// composeSavedMsg: the draft was saved (or not: err).
type composeSavedMsg struct {
	seq  int
	out  store.Outgoing
	next composeNext
	text string // what was saved
	err  error
}

// editorDoneMsg: the editor ended; text is its file (nil when unread).
type editorDoneMsg struct {
	seq  int
	text []byte
	err  error
}

// composeBuiltMsg is the message built for the preview.
type composeBuiltMsg struct {
	seq      int
	draft    compose.Draft
	built    compose.Built
	problems []formProblem
	err      error
}

// composeQueuedMsg: the message is in the outbox, queued; the app sends it.
type composeQueuedMsg struct {
	seq int
	out store.Outgoing
	err error
}

// composeClosedMsg: the screen is done; note says what became of the
// message (kept as a draft, thrown away, nothing written).
type composeClosedMsg struct {
	note string
	err  bool
}

// composeSendMsg asks the app to send the queued message out.
type composeSendMsg struct {
	acct mail.Account
	out  store.Outgoing
}

// composeKeys are the compose screen's bindings.
type composeKeys struct {
	Send, Edit, Charset, Keep, Discard, Yes, No, Done, Up, Down, PageUp, PageDown key.Binding
}

func defaultComposeKeys(l lang) composeKeys {
	return composeKeys{
		Send:     bind(l, "y", "help.composeSend", "y"),
		Edit:     bind(l, "e", "help.composeEdit", "e"),
		Charset:  bind(l, "J", "help.composeCharset", "J"),
		Keep:     bind(l, "q/esc", "help.composeKeep", "q", "esc"),
		Discard:  bind(l, "x", "help.composeDiscard", "x"),
		Yes:      bind(l, "y", "help.yes", "y", "Y"),
		No:       bind(l, "n/esc", "help.no", "n", "N", "esc"),
		Done:     bind(l, "ctrl+s", "help.composeDone", "ctrl+s"),
		Up:       bind(l, "k/↑", "help.scrollUp", "k", "up"),
		Down:     bind(l, "j/↓", "help.scrollDown", "j", "down"),
		PageUp:   bind(l, "pgup/b", "help.pageUp", "pgup", "b"),
		PageDown: bind(l, "pgdn/space", "help.pageDown", "pgdown", " "),
	}
}

// composeModel is the compose screen.
type composeModel struct {
	d    *deps
	st   composeStore
	k    composeKeys
	acct mail.Account
	seq  int

	out   store.Outgoing // as the outbox has it; ID "" before the first save
	isNew bool           // the draft was made by this screen, not reopened
	form  composeForm
	first string // the text the screen started with
	stage composeStage
	busy  bool // a save, build or queue runs: keys wait

	ta       textarea.Model
	prev     readerModel
	built    compose.Built
	draft    compose.Draft
	problems []formProblem
	asking   bool // "throw the draft away?"
	note     string
	noteErr  bool

	width, height int

	// track counts a store write for the app's shutdown; after is the
	// autosave timer (tea.Tick; in tests one that never fires).
	track func(func() tea.Msg) tea.Cmd
	after afterFunc
	// saved is the text last saved; autosaving is set while an autosave
	// runs, and then (with pending) is what to do once it is done: a
	// save asked for meanwhile waits for it, so saves never cross.
	saved      string
	timerGen   int // the running timer's number: one timer at a time
	autosaving bool
	pending    bool
	then       composeNext
}

// newCompose opens the screen on form for account acct; out is the
// outbox message it continues (ID "" for a new one); seq numbers the
// screen, so a late answer for an earlier one is dropped. The command
// saves the draft, then the editor opens.
func newCompose(d deps, st composeStore, acct mail.Account, form composeForm, out store.Outgoing, seq int, track func(func() tea.Msg) tea.Cmd, after afterFunc) (composeModel, tea.Cmd) {
	ta := textarea.New()
	ta.ShowLineNumbers = false
	ta.Prompt = ""
	ta.CharLimit = 0
	ta.MaxHeight = 0
	// A steady cursor: a blinking one would tick for as long as the
	// screen is open.
	ta.Cursor.SetMode(cursor.CursorStatic)
	m := composeModel{d: &d, st: st, k: defaultComposeKeys(d.lang), acct: acct, seq: seq,
		out: out, isNew: out.ID == "", form: form, first: form.Text, stage: composeWait, busy: true, ta: ta,
		track: track, after: after}
	return m, m.save(nextEdit)
}

// editor is the user's editor command: $VISUAL, else $EDITOR; "" when
// neither is set (the screen's own editor).
func (m composeModel) editor() string {
	if v := strings.TrimSpace(m.d.env("VISUAL")); v != "" {
		return v
	}
	return strings.TrimSpace(m.d.env("EDITOR"))
}

// save keeps the form as the draft, then next.
func (m composeModel) save(next composeNext) tea.Cmd {
	st, acct, out, form, seq := m.st, m.acct, m.out, m.form, m.seq
	return m.write(func() tea.Msg {
		// parseForm looks at the attached files: here, off the update path.
		d, _ := parseForm(form, acct)
		o := outgoingOf(d)
		o.ID = out.ID
		got, err := st.SaveDraft(acct.ID, o, form.encode())
		return composeSavedMsg{seq: seq, out: got, next: next, text: form.Text, err: err}
	})
}

// write is a command writing to the store, counted for the shutdown.
func (m composeModel) write(f func() tea.Msg) tea.Cmd {
	if m.track == nil {
		return f
	}
	return m.track(f)
}

// autosaveTimer starts the next autosave's wait.
func (m composeModel) autosaveTimer() tea.Cmd {
	if m.after == nil {
		return nil
	}
	seq, gen := m.seq, m.timerGen
	return m.after(autosaveEvery, func(time.Time) tea.Msg { return composeAutosaveMsg{seq: seq, gen: gen} })
}

// finish saves the text of the screen's own editor, then next; after an
// autosave that is still running.
func (m composeModel) finish(next composeNext) (composeModel, tea.Cmd) {
	m.form.Text = m.ta.Value()
	m.busy = true
	if next == nextPreview {
		m.ta.Blur()
		m.stage = composeWait
	}
	if m.autosaving {
		m.pending, m.then = true, next
		return m, nil
	}
	return m, m.save(next)
}

// editorFileMsg: the text is in a private file for the editor (or, err,
// could not be written).
type editorFileMsg struct {
	seq       int
	dir, path string
	err       error
}

// writeEditorFile puts the text into a private file for the editor; the
// editor runs when it is there (runEditor).
func (m composeModel) writeEditorFile() tea.Cmd {
	seq, text := m.seq, m.form.Text
	return func() tea.Msg {
		dir, err := os.MkdirTemp("", "popbox-compose-")
		if err != nil {
			return editorFileMsg{seq: seq, err: err}
		}
		path := filepath.Join(dir, "message.eml")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			os.RemoveAll(dir)
			return editorFileMsg{seq: seq, err: err}
		}
		return editorFileMsg{seq: seq, dir: dir, path: path}
	}
}

// runEditor runs the editor on the file; editorDoneMsg brings back what
// it wrote.
func (m composeModel) runEditor(f editorFileMsg) tea.Cmd {
	seq := m.seq
	// The editor may be a command with arguments ("code --wait"): the
	// shell reads it, and the file goes as its own argument, unquoted by
	// nobody.
	c := exec.Command("sh", "-c", m.editor()+` "$1"`, "sh", f.path)
	return m.d.execCmd(c, func(err error) tea.Msg {
		text, rerr := os.ReadFile(f.path)
		os.RemoveAll(f.dir)
		if rerr != nil && err == nil {
			err = rerr
		}
		return editorDoneMsg{seq: seq, text: text, err: err}
	})
}

// build makes the message for the preview.
func (m composeModel) build() tea.Cmd {
	form, acct, seq := m.form, m.acct, m.seq
	return func() tea.Msg {
		d, problems := parseForm(form, acct)
		msg := composeBuiltMsg{seq: seq, draft: d, problems: problems}
		if len(problems) == 0 {
			msg.built, msg.err = compose.Build(d)
		}
		return msg
	}
}

// queue puts the built message into the outbox, queued.
func (m composeModel) queue() tea.Cmd {
	st, acct, seq, form := m.st, m.acct, m.seq, m.form
	o := outgoingOf(m.draft)
	o.ID, o.MessageID = m.out.ID, m.built.MessageID
	o.To = m.built.Recipients
	raw := m.built.Raw
	return m.write(func() tea.Msg {
		got, err := st.QueueOutgoing(acct.ID, o, raw, form.encode())
		return composeQueuedMsg{seq: seq, out: got, err: err}
	})
}

// discard throws the draft away.
func (m composeModel) discard(note string) tea.Cmd {
	st, acct, id := m.st, m.acct, m.out.ID
	l := m.d.lang
	return m.write(func() tea.Msg {
		if id != "" {
			if err := st.DeleteOutgoing(acct.ID, id); err != nil {
				return composeClosedMsg{note: l.failText("compose.discardFailed", err), err: true}
			}
		}
		return composeClosedMsg{note: note}
	})
}

func closeWith(note string, isErr bool) tea.Cmd {
	return func() tea.Msg { return composeClosedMsg{note: note, err: isErr} }
}

// typing: the screen's own editor has the keys.
func (m composeModel) typing() bool { return m.stage == composeEdit }

func (m composeModel) setNote(s string, isErr bool) composeModel {
	m.note, m.noteErr = s, isErr
	return m
}

// update handles the screen's answers and keys.
func (m composeModel) update(msg tea.Msg) (composeModel, tea.Cmd) {
	l := m.d.lang
	switch msg := msg.(type) {
	case composeAutosaveMsg:
		if msg.seq != m.seq || msg.gen != m.timerGen || m.stage != composeEdit {
			return m, nil
		}
		if text := m.ta.Value(); !m.busy && !m.autosaving && text != m.saved {
			m.form.Text = text
			m.autosaving = true
			return m, tea.Batch(m.save(nextStay), m.autosaveTimer())
		}
		return m, m.autosaveTimer()
	case composeSavedMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		if msg.err == nil {
			m.out, m.saved = msg.out, msg.text
		}
		if msg.next == nextStay {
			m.autosaving = false
			if msg.err != nil {
				m = m.setNote(l.failText("compose.saveFailed", msg.err), true)
			}
			if m.pending {
				m.pending = false
				return m, m.save(m.then)
			}
			return m, nil
		}
		m.busy = false
		if msg.err != nil {
			// Not saved: the text is still here; say so and stay.
			m = m.setNote(l.failText("compose.saveFailed", msg.err), true)
			if m.stage == composeWait {
				return m.ownEditor()
			}
			return m, nil
		}
		m.out = msg.out
		switch msg.next {
		case nextEdit:
			return m.edit()
		case nextPreview:
			m.busy = true
			return m, m.build()
		default:
			return m, closeWith(l.tr("compose.kept"), false)
		}
	case editorFileMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		if msg.err != nil {
			// No file, no editor: the text goes on in the screen's own.
			m = m.setNote(l.failText("compose.editorFileFailed", msg.err), true)
			return m.ownEditor()
		}
		return m, m.runEditor(msg)
	case editorDoneMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		if msg.text != nil {
			m.form.Text = string(msg.text)
		}
		if msg.err != nil {
			m.busy = true
			m = m.setNote(l.tr("compose.editorFailed", clean(m.editor()), clean(msg.err.Error())), true)
			return m, m.save(nextPreview)
		}
		if m.isNew && m.form.Text == m.first {
			return m, m.discard(l.tr("compose.nothingWritten"))
		}
		if strings.TrimSpace(m.form.Text) == "" {
			m.form.Text = m.first
			return m, m.discard(l.tr("compose.emptied"))
		}
		m.busy = true
		return m, m.save(nextPreview)
	case composeBuiltMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		m.busy = false
		m.stage = composePreview
		m.draft, m.built, m.problems = msg.draft, msg.built, msg.problems
		if msg.err != nil {
			m.problems = append(m.problems, formProblem{"compose.buildFailed", []any{clean(msg.err.Error())}})
		}
		return m.openPreview()
	case composeQueuedMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		m.busy = false
		if msg.err != nil {
			return m.setNote(l.failText("compose.queueFailed", msg.err), true), nil
		}
		acct, out := m.acct, msg.out
		return m, func() tea.Msg { return composeSendMsg{acct: acct, out: out} }
	case readerLoadedMsg, attachmentSavedMsg:
		var cmd tea.Cmd
		m.prev, cmd = m.prev.update(msg)
		return m, cmd
	case tea.KeyMsg:
		return m.key(msg)
	}
	if m.stage == composeEdit {
		var cmd tea.Cmd
		m.ta, cmd = m.ta.Update(msg)
		return m, cmd
	}
	return m, nil
}

// edit hands the text to the editor: the user's, or the screen's own.
func (m composeModel) edit() (composeModel, tea.Cmd) {
	m.note = ""
	if m.editor() != "" {
		m.stage = composeWait
		return m, m.writeEditorFile()
	}
	return m.ownEditor()
}

// ownEditor hands the text to the screen's own editor, autosaved.
func (m composeModel) ownEditor() (composeModel, tea.Cmd) {
	m.stage = composeEdit
	m = m.startOwnEditor()
	m.timerGen++
	return m, m.autosaveTimer()
}

func (m composeModel) startOwnEditor() composeModel {
	m.sizeEditor()
	m.ta.SetValue(m.form.Text)
	// The cursor goes where writing starts: an empty To, else the first
	// line of the text (above a quote).
	target := startLine(m.form.Text)
	for i := 0; m.ta.Line() > target && i < 1<<16; i++ {
		m.ta.CursorUp()
	}
	m.ta.CursorEnd()
	m.ta.Focus()
	return m
}

// startLine is the line of text where writing starts: the To line when it
// is empty, else the first line after the headers.
func startLine(text string) int {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i, ln := range lines {
		if strings.TrimSpace(ln) == "" {
			return min(i+1, len(lines)-1)
		}
		if name, value, ok := strings.Cut(ln, ":"); ok && strings.EqualFold(name, "To") && strings.TrimSpace(value) == "" {
			return i
		}
	}
	return len(lines) - 1
}

func (m *composeModel) sizeEditor() {
	m.ta.SetWidth(max(m.width, 10))
	m.ta.SetHeight(max(m.height-2, 3))
}

// openPreview shows the built message through the reader, as the
// recipient will read it.
func (m composeModel) openPreview() (composeModel, tea.Cmd) {
	raw := m.built.Raw
	if raw == nil {
		raw = []byte("Subject: " + m.draft.Subject + "\r\n\r\n" + m.draft.Body)
	}
	var cmd tea.Cmd
	m.prev, cmd = newReader(*m.d, rawSource(raw), store.Message{ID: "preview", Received: m.d.now()}, m.seq, "")
	m.prev = m.prev.setSize(m.width, m.previewHeight())
	return m, cmd
}

// rawSource is a readerSource of one message.
type rawSource []byte

func (r rawSource) Raw(string) ([]byte, error) { return r, nil }

// key handles a key of the screen.
func (m composeModel) key(k tea.KeyMsg) (composeModel, tea.Cmd) {
	l := m.d.lang
	if m.busy {
		return m, nil
	}
	switch m.stage {
	case composeEdit:
		switch {
		case key.Matches(k, m.k.Done):
			return m.finish(nextPreview)
		case k.String() == "esc":
			return m.finish(nextClose)
		}
		var cmd tea.Cmd
		m.ta, cmd = m.ta.Update(k)
		return m, cmd
	case composePreview:
		if m.asking {
			switch {
			case key.Matches(k, m.k.Yes):
				m.asking, m.busy = false, true
				return m, m.discard(l.tr("compose.discarded"))
			case key.Matches(k, m.k.No):
				m.asking = false
			}
			return m, nil
		}
		switch {
		case key.Matches(k, m.k.Send):
			if len(m.problems) > 0 {
				return m.setNote(l.tr("compose.fixFirst"), true), nil
			}
			m.busy = true
			m = m.setNote(l.tr("compose.queueing"), false)
			return m, m.queue()
		case key.Matches(k, m.k.Edit):
			return m.edit()
		case key.Matches(k, m.k.Charset):
			m.form.JIS = !m.form.JIS
			m.busy = true
			return m, m.save(nextPreview)
		case key.Matches(k, m.k.Discard):
			m.asking = true
			return m, nil
		case key.Matches(k, m.k.Keep):
			return m, closeWith(l.tr("compose.kept"), false)
		case key.Matches(k, m.k.Up, m.k.Down, m.k.PageUp, m.k.PageDown):
			var cmd tea.Cmd
			m.prev.vp, cmd = m.prev.vp.Update(k)
			return m, cmd
		}
	}
	return m, nil
}

// setSize fits the screen into w x h cells.
func (m composeModel) setSize(w, h int) composeModel {
	m.width, m.height = w, h
	m.sizeEditor()
	if m.prev.src != nil {
		m.prev = m.prev.setSize(w, m.previewHeight())
	}
	return m
}

// previewTop is the lines above the reader in the preview: the title,
// what the message itself does not show (Bcc, encoding, size) and the
// problems.
func (m composeModel) previewTop() []string {
	st, l, w := m.d.styles, m.d.lang, max(m.width, 1)
	var lines []string
	title := l.tr("compose.previewTitle")
	if m.out.ID != "" {
		title += " · " + l.tr("compose.draftN", m.out.ID)
	}
	lines = append(lines, st.title.Render(ansi.Truncate(title, w, "…")))
	if len(m.draft.Bcc) > 0 {
		lines = append(lines, ansi.Truncate(l.tr("compose.bcc", clean(formatAddresses(m.draft.Bcc))), w, "…"))
	}
	if m.built.Raw != nil {
		cs := m.built.Charset.String()
		info := l.tr("compose.info", cs, mail.FormatSizeShort(int64(len(m.built.Raw))), len(m.built.Recipients))
		if m.built.FellBack {
			info += " · " + l.tr("compose.fellBack")
		}
		lines = append(lines, st.faint.Render(ansi.Truncate(info, w, "…")))
	}
	for _, p := range m.problems {
		for _, ln := range wrapLines("✗ "+p.text(l), w) {
			lines = append(lines, st.err.Render(ln))
		}
	}
	return lines
}

func (m composeModel) previewHeight() int {
	return max(m.height-len(m.previewTop())-1, 3)
}

// view draws exactly height lines.
func (m composeModel) view() string {
	st, l, w := m.d.styles, m.d.lang, max(m.width, 1)
	var body string
	switch m.stage {
	case composeWait:
		what := l.tr("compose.saving")
		if !m.busy && m.editor() != "" {
			what = l.tr("compose.inEditor", clean(m.editor()))
		}
		body = st.faint.Render(ansi.Truncate(what, w, "…"))
	case composeEdit:
		head := st.title.Render(ansi.Truncate(l.tr("compose.editTitle"), w, "…"))
		body = head + "\n" + m.ta.View()
	case composePreview:
		body = strings.Join(m.previewTop(), "\n") + "\n" + m.prev.view()
	}
	var foot string
	switch {
	case m.asking:
		foot = st.warn.Render(ansi.Truncate(l.tr("compose.discardAsk"), w, "…"))
	case m.note != "":
		style := st.ok
		if m.noteErr {
			style = st.warn
		}
		foot = style.Render(ansi.Truncate(m.note, w, "…"))
	}
	if foot == "" {
		return fitLines(body, m.height)
	}
	return fitLines(body, max(m.height-1, 0)) + "\n" + foot
}

// keys is the footer and help of the screen.
func (m composeModel) keys() help.KeyMap {
	k := m.k
	switch {
	case m.asking:
		return keyMap{short: []key.Binding{k.Yes, k.No}}
	case m.stage == composeEdit:
		keep := k.Keep
		keep.SetHelp("esc", m.d.lang.tr("help.composeKeep"))
		return keyMap{short: []key.Binding{k.Done, keep}}
	case m.stage == composePreview:
		k.Send.SetEnabled(len(m.problems) == 0)
		return keyMap{short: []key.Binding{k.Send, k.Edit, k.Charset, k.Keep, k.Discard}}
	}
	return keyMap{}
}

// composeHelp lists the screen's keys for the help screen.
func composeHelp(l lang) [][]key.Binding {
	k := defaultComposeKeys(l)
	return [][]key.Binding{{k.Send, k.Edit, k.Charset, k.Keep, k.Discard}, {k.Done, k.Up, k.Down, k.PageUp, k.PageDown}}
}
