// Package tui is popbox's terminal interface: the setup wizard, the message
// list and reader of the active account, the accounts screen and help, on
// Bubble Tea. app.go holds the root model, which routes keys and results to
// the screens and lays them out under the status bar and footer; its jobs
// have a file each: app_accounts.go (loading and switching accounts,
// opening the wizard), app_fetch.go, app_delete.go (delete and undo),
// app_help.go (help screen, footer keys) and app_status.go (banner, notices,
// status bar).
package tui

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"popbox/mail"
	"popbox/store"
	"popbox/tui/render"
)

// Options configure Run.
type Options struct {
	Getenv  func(string) string // for the language; nil = os.Getenv
	FPS     int                 // 0 = 120
	Version string
	// Outside brings news of changes that commands served from this TUI
	// made to the database (see Outside); nil when none are served.
	Outside <-chan Outside
}

// quitWait bounds how long Run waits for a cancelled fetch, or a store
// write, to finish.
const quitWait = 15 * time.Second

// quitStart is how long Run waits for a fetch command that has not started.
const quitStart = 200 * time.Millisecond

// appStore is everything the TUI needs of the store; *store.Store
// satisfies it.
type appStore interface {
	listSource
	readerSource
	accountStore
	fetchStore
	wizardSource
	wizardStore
}

// Run starts the TUI on st; with no account it opens the wizard. It returns
// when the user quits, after a running fetch has stopped and the deletes
// still in their undo window are done.
func Run(st *store.Store, opts Options) error {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	d := deps{
		lang:    detectLang(getenv),
		styles:  newStyles(),
		now:     time.Now,
		checker: newNetChecker(st, getenv),
		plain:   getenv("NO_COLOR") != "",
		getenv:  getenv,
		// The wizard's server lookup; only here is it on.
		discover: lookupDiscover(getenv),
		// Parts handed to an opener; removed when popbox ends.
		files: newOpenFiles(getenv),
	}
	defer d.files.remove()
	if !d.plain {
		// Ask the terminal for its background now: done lazily, at the
		// first adaptive colour, the query would race Bubble Tea for the
		// terminal's input.
		lipgloss.HasDarkBackground()
	}
	// Our renderer, not Bubble Tea's: it writes a key's change at once
	// instead of at the next tick of a frame clock (tui/render).
	// POPBOX_RENDERER=bubbletea brings Bubble Tea's back.
	d.term = render.New(os.Stdin, os.Stdout, render.Options{FPS: opts.FPS, Renderer: getenv(render.RendererEnv)})
	m := newApp(d, st, appConfig{version: opts.Version, interval: fetchInterval(getenv), badInterval: badFetchInterval(getenv), getenv: getenv, outside: opts.Outside})
	m.sender = storeSender{st: st, getenv: getenv, l: d.lang}
	// Run leaves the alternate screen before it returns, so the shutdown
	// below, which can wait for a fetch to stop, happens on the main screen.
	final, err := d.term.Run(m)
	if am, ok := final.(appModel); ok {
		err = errors.Join(err, am.shutdown())
	} else {
		err = errors.Join(err, m.shutdown())
	}
	return err
}

// afterFunc makes a command that sends fn's message after d: tea.Tick, or
// in tests a stand-in that never fires, so they control time themselves.
type afterFunc func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd

// appConfig are the root's settings besides deps.
type appConfig struct {
	version  string
	interval time.Duration // automatic fetch; 0 = off
	saveDir  string        // attachments; "" = ~/Downloads or the working folder
	// badInterval is a POPBOX_FETCH_INTERVAL that is not a number of
	// minutes; the first screen says so.
	badInterval string
	// getenv reads the environment (POPBOX_OAUTH_CLIENT_ID for a fetch of
	// an account that signs in with OAuth2); nil is os.Getenv.
	getenv func(string) string
	// outside: see Options.Outside.
	outside <-chan Outside
}

// screen is which screen has the keyboard.
type screen int

const (
	screenList screen = iota
	screenReader
	screenAccounts
	screenWizard
	screenHelp
	screenPasswd
	screenSwitcher
	screenCompose // writing a message (compose.go)
	screenFolder  // the Sent or outbox view (folder.go)
)

// markSeenDoneMsg is the store's answer to marking a message read.
type markSeenDoneMsg struct {
	id  string
	err error
}

// appModel is the root model: it owns the screens and routes in one order:
// global keys, window size to every screen, async results to the screen
// that asked, then keys to the focused screen.
type appModel struct {
	d      *deps
	st     appStore
	cfg    appConfig
	k      globalKeys
	hk     helpKeys
	syncFn syncFunc
	after  afterFunc
	// writes counts the store writes in flight, so Run can wait for them.
	writes *writeTracker

	width, height int
	screen        screen
	back          screen // where help, the picker and dialogs return to
	quitting      bool

	accounts  []mail.Account
	active    mail.Account
	hasActive bool
	acctReq   int
	started   bool // the first account list arrived

	list       listModel
	reader     readerModel
	openSeq    int
	openOnLoad bool
	accts      accountsModel
	wizard     *wizardModel // nil until opened, and while its data loads
	wizReq     int
	passwd     passwdModel
	pwReq      int
	switcher   switcherModel
	helpVP     viewport.Model
	help       help.Model

	fetch    fetchJob
	fetching bool
	fetchReq int
	fetched  map[string]fetchInfo
	tickSeq  int
	plans    map[string]fetchPlan // automatic fetching, by account ID
	newMail  map[string]int       // new mail not looked at yet, by account ID

	banner     string
	bannerErr  bool
	bannerFrom error
	notice     string
	noticeSeq  int

	pending []pendingDelete
	delSeq  int

	// Answering mail (app_compose.go): the compose screen and where it
	// returns to, the Sent and outbox views, the reader showing a sent
	// message, the question after F, the sends running.
	ck          composeStartKeys
	outbox      composeStore // nil when the store keeps no outbox (tests)
	sender      outSender    // nil: nothing is sent (tests)
	compose     composeModel
	composeSeq  int
	composeBack screen
	folder      folderModel
	readerSent  bool
	forwardAsk  bool
	forwardRaw  func() ([]byte, error)
	sending     int
	sendSpin    spinner.Model
}

// newApp builds the root model on st.
func newApp(d deps, st appStore, cfg appConfig) appModel {
	if cfg.getenv == nil {
		cfg.getenv = os.Getenv
	}
	h := help.New()
	h.Styles = help.Styles{
		Ellipsis:       d.styles.faint,
		ShortKey:       d.styles.key,
		ShortDesc:      d.styles.help,
		ShortSeparator: d.styles.faint,
		FullKey:        d.styles.key,
		FullDesc:       d.styles.help,
		FullSeparator:  d.styles.faint,
	}
	m := appModel{
		d: &d, st: st, cfg: cfg,
		k:       defaultGlobalKeys(d.lang),
		hk:      defaultHelpKeys(d.lang),
		syncFn:  mail.Sync,
		after:   tea.Tick,
		writes:  &writeTracker{},
		accts:   newAccounts(d),
		help:    h,
		helpVP:  viewport.New(0, 0),
		fetched: map[string]fetchInfo{},
		ck:      defaultComposeStartKeys(d.lang),
	}
	if cs, ok := st.(composeStore); ok {
		m.outbox = cs
	}
	if cfg.badInterval != "" {
		m = m.setBanner(d.lang.tr("app.badInterval", fetchIntervalEnv, cfg.badInterval), true)
	}
	return m
}

// Init loads the accounts (then the active account's first page) and
// starts the automatic fetch timer when one is set.
func (m appModel) Init() tea.Cmd {
	return tea.Batch(loadAccounts(m.st, m.acctReq), waitOutside(m.cfg.outside), m.fetchTick())
}

// Update is tea.Model's; see update.
func (m appModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	return m.update(msg)
}

// update is the routing, in the order STYLE.md gives.
func (m appModel) update(msg tea.Msg) (appModel, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return m.key(msg)
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m.layout()

	case accountsLoadedMsg:
		return m.accountsLoaded(msg)
	case accountUsedMsg:
		if msg.err != nil {
			m = m.setBanner(m.d.lang.failText("app.useFailed", msg.err), true)
			m.acctReq++
			return m.withLayout(loadAccounts(m.st, m.acctReq))
		}
		return m, nil
	case accountRemovedMsg:
		return m.accountRemoved(msg)
	case wizardLoadedMsg:
		return m.wizardLoaded(msg)

	case pageLoadedMsg:
		if msg.acct != m.list.acct {
			return m, nil
		}
		var cmd tea.Cmd
		m.list, cmd = m.list.update(msg)
		if m.openOnLoad && m.screen == screenReader {
			if sel, ok := m.list.selected(); ok {
				m.openOnLoad = false
				if sel.ID != m.reader.msg.ID {
					m2, cmd2 := m.open(sel)
					return m2, tea.Batch(cmd, cmd2)
				}
			}
		}
		return m, cmd
	case filterTickMsg:
		var cmd tea.Cmd
		m.list, cmd = m.list.update(msg)
		return m, cmd
	case readerLoadedMsg, attachmentSavedMsg:
		if m.screen == screenCompose {
			// The preview's reader.
			var cmd tea.Cmd
			m.compose, cmd = m.compose.update(msg)
			return m, cmd
		}
		var cmd tea.Cmd
		m.reader, cmd = m.reader.update(msg)
		return m, cmd
	case markSeenDoneMsg:
		if msg.err != nil {
			return m.withBanner(m.d.lang.failText("app.markFailed", msg.err), true)
		}
		return m, nil

	case fetchProgressMsg:
		return m.fetchProgress(msg)
	case fetchDoneMsg:
		return m.fetchDone(msg)
	case outsideMsg:
		return m.outside(msg.o)
	case fetchTickMsg:
		if msg.seq != m.tickSeq {
			return m, nil
		}
		return m.scheduled()
	case onNewDoneMsg:
		return m.onNewDone(msg)

	case deleteDueMsg:
		return m.deleteDue(msg.seq)
	case deleteDoneMsg:
		return m.deleteDone(msg)

	case passwdCheckedMsg:
		if m.screen != screenPasswd {
			return m, nil
		}
		var cmd tea.Cmd
		m.passwd, cmd = m.passwd.update(msg)
		return m, cmd
	case passwdSavedMsg:
		if m.screen != screenPasswd || msg.req != m.pwReq {
			return m, nil
		}
		var cmd tea.Cmd
		m.passwd, cmd = m.passwd.update(msg)
		if msg.err != nil {
			return m, cmd
		}
		name := clean(m.passwd.acct.Name)
		m.screen = screenAccounts
		note := "acct.pwChangedIncoming"
		if msg.outgoing {
			note = "acct.pwChangedOutgoing"
		}
		m.accts = m.accts.setNote(m.d.lang.tr(note, name), false)
		if errors.Is(m.bannerCause(), mail.ErrAuth) {
			m.banner = ""
		}
		return m.withLayout(nil)

	case wizardSavedMsg:
		return m.wizardSaved(msg)
	case wizardCancelledMsg:
		return m.wizardCancelled()

	case noticeExpiredMsg:
		if msg.seq == m.noticeSeq {
			m.notice = ""
		}
		return m, nil

	}
	if m2, cmd, ok := m.composeUpdate(msg); ok {
		return m2, cmd
	}

	// Anything else (cursor blink, spinner ticks, the wizard's own
	// results) belongs to the screen that has focus.
	return m.toScreen(msg)
}

// toScreen hands msg to the focused screen.
func (m appModel) toScreen(msg tea.Msg) (appModel, tea.Cmd) {
	var cmd tea.Cmd
	switch m.screen {
	case screenList:
		m.list, cmd = m.list.update(msg)
	case screenReader:
		m.reader, cmd = m.reader.update(msg)
	case screenAccounts:
		m.accts, cmd = m.accts.update(msg)
	case screenWizard:
		m.wizard, cmd = updateWizard(m.wizard, msg)
	case screenPasswd:
		m.passwd, cmd = m.passwd.update(msg)
	case screenSwitcher:
		m.switcher, cmd = m.switcher.update(msg)
	case screenCompose:
		m.compose, cmd = m.compose.update(msg)
	}
	return m, cmd
}

// typing reports whether the focused screen has a text field with focus:
// then single-letter keys are its own.
func (m appModel) typing() bool {
	switch m.screen {
	case screenList:
		return m.list.typing()
	case screenReader:
		return m.reader.typing()
	case screenWizard:
		return m.wizard != nil && m.wizard.typing()
	case screenPasswd:
		return m.passwd.typing()
	case screenCompose:
		return m.compose.typing()
	}
	return false
}

// modal reports whether a dialog has every key: the wizard, the password
// dialog, the picker, and the removal question.
func (m appModel) modal() bool {
	if m.forwardAsk {
		return true
	}
	switch m.screen {
	case screenWizard, screenPasswd, screenSwitcher, screenCompose:
		return true
	case screenFolder:
		return m.folder.asking != folderNone
	case screenAccounts:
		return m.accts.modal()
	}
	return false
}

// key routes a key press. Bubble Tea v1 delivers the letters of one read
// (typed fast, a held key over a slow link, keys sent together) as one
// KeyMsg with several runes, which matches no binding: unless a text field
// has focus, or it is a paste, every letter goes on alone, in order.
func (m appModel) key(k tea.KeyMsg) (appModel, tea.Cmd) {
	if k.Type != tea.KeyRunes || len(k.Runes) < 2 || k.Paste || k.Alt || m.typing() {
		return m.oneKey(k)
	}
	var cmds []tea.Cmd
	for i, r := range k.Runes {
		if m.quitting {
			break
		}
		if m.typing() {
			// A letter of the batch opened a field (/ the filter): the
			// rest is its text.
			rest := k
			rest.Runes = k.Runes[i:]
			var cmd tea.Cmd
			m, cmd = m.oneKey(rest)
			cmds = append(cmds, cmd)
			break
		}
		one := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}}
		if r == ' ' {
			one.Type = tea.KeySpace
		}
		var cmd tea.Cmd
		m, cmd = m.oneKey(one)
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

// oneKey routes one key press: global keys first, then the focused screen.
func (m appModel) oneKey(k tea.KeyMsg) (appModel, tea.Cmd) {
	l := m.d.lang
	if key.Matches(k, m.k.Quit) {
		if m.fetching && !m.fetch.cancelling {
			return m.cancelFetch()
		}
		return m.quit()
	}
	if key.Matches(k, m.k.Suspend) {
		return m, m.d.suspend()
	}
	if m.forwardAsk {
		return m.forwardKey(k)
	}
	typing, modal := m.typing(), m.modal()
	if !typing && !modal {
		switch {
		case m.fetching && !m.fetch.cancelling && key.Matches(k, m.k.CancelFetch):
			return m.cancelFetch()
		case m.banner != "" && key.Matches(k, m.k.Dismiss):
			m.banner = ""
			return m.withLayout(nil)
		case key.Matches(k, m.k.Help):
			if m.screen == screenHelp {
				m.screen = m.back
				return m, nil
			}
			return m.openHelp(), nil
		case key.Matches(k, m.k.Switch):
			if len(m.accounts) == 0 {
				return m.withNotice(l.tr("app.noAccounts"))
			}
			m.back = m.baseScreen()
			m.switcher = newSwitcher(*m.d, m.accounts, m.active.ID, m.width, m.bodyHeight())
			m.screen = screenSwitcher
			return m, nil
		case key.Matches(k, m.k.SwitchTo):
			n, _ := strconv.Atoi(strings.TrimPrefix(k.String(), "alt+"))
			if n < 1 || n > len(m.accounts) {
				return m.withNotice(l.tr("app.noAccountN", n))
			}
			return m.switchTo(m.accounts[n-1].ID)
		case key.Matches(k, m.k.PrevAccount):
			return m.cycle(-1)
		case key.Matches(k, m.k.NextAccount):
			return m.cycle(1)
		case key.Matches(k, m.k.Fetch):
			return m.startFetch(false)
		case key.Matches(k, m.k.Accounts) && m.screen != screenHelp:
			if m.screen == screenAccounts {
				if k.String() == "tab" && m.hasActive {
					m.screen = screenList
				}
				return m, nil
			}
			m.screen = screenAccounts
			m.accts.note = ""
			return m, nil
		}
	} else if !modal && key.Matches(k, m.k.SwitchTo) {
		// alt+digit is no letter: it switches even while the filter is typed.
		n, _ := strconv.Atoi(strings.TrimPrefix(k.String(), "alt+"))
		if n >= 1 && n <= len(m.accounts) {
			return m.switchTo(m.accounts[n-1].ID)
		}
		return m, nil
	}

	switch m.screen {
	case screenList:
		m, seen := m.seenNew()
		m2, cmd := m.listKey(k)
		return m2, tea.Batch(seen, cmd)
	case screenReader:
		return m.readerKey(k)
	case screenAccounts:
		return m.accountsKey(k)
	case screenHelp:
		return m.helpKey(k)
	case screenSwitcher:
		return m.switcherKey(k)
	case screenPasswd:
		if m.passwd.intent(k) == passwdCancel {
			m.screen = screenAccounts
			return m, nil
		}
		var cmd tea.Cmd
		m.passwd, cmd = m.passwd.update(k)
		return m, cmd
	case screenWizard:
		var cmd tea.Cmd
		m.wizard, cmd = updateWizard(m.wizard, k)
		return m, cmd
	case screenCompose:
		var cmd tea.Cmd
		m.compose, cmd = m.compose.update(k)
		return m, cmd
	case screenFolder:
		return m.folderKey(k)
	}
	return m, nil
}

// baseScreen is the screen under help and the picker.
func (m appModel) baseScreen() screen {
	switch m.screen {
	case screenHelp, screenSwitcher:
		return m.back
	}
	return m.screen
}

// listKey turns a list key into its action: open, delete and undo need
// the root; the rest moves the list.
func (m appModel) listKey(k tea.KeyMsg) (appModel, tea.Cmd) {
	if !m.hasActive {
		if m.list.intent(k) == listQuit {
			return m.quit()
		}
		return m, nil
	}
	if !m.list.typing() {
		var raw func() ([]byte, error)
		if sel, ok := m.list.selected(); ok {
			raw = m.inboxRaw(sel.ID)
		}
		if m2, cmd, done := m.composeStartKey(k, raw); done {
			return m2, cmd
		}
	}
	switch m.list.intent(k) {
	case listOpen:
		if sel, ok := m.list.selected(); ok {
			return m.open(sel)
		}
		return m, nil
	case listDelete:
		if sel, ok := m.list.selected(); ok {
			return m.deleteMessage(sel)
		}
		return m, nil
	case listUndo:
		return m.undo()
	case listQuit:
		return m.quit()
	}
	var cmd tea.Cmd
	m.list, cmd = m.list.update(k)
	return m, cmd
}

// readerKey turns a reader key into its action: next, previous, delete
// and back need the root; scrolling and saving are the reader's.
func (m appModel) readerKey(k tea.KeyMsg) (appModel, tea.Cmd) {
	if m2, cmd, done := m.readerComposeKey(k); done {
		return m2, cmd
	}
	switch m.reader.intent(k) {
	case readerNext:
		return m.step(1)
	case readerPrev:
		return m.step(-1)
	case readerDelete:
		msg := m.reader.msg
		m2, cmd := m.deleteMessage(msg)
		if sel, ok := m2.list.selected(); ok && sel.ID != msg.ID {
			m3, cmd2 := m2.open(sel)
			return m3, tea.Batch(cmd, cmd2)
		}
		m2.screen = screenList
		return m2, cmd
	case readerUndo:
		return m.undo()
	case readerBack:
		m.screen = screenList
		m.openOnLoad = false
		return m, nil
	}
	var cmd tea.Cmd
	m.reader, cmd = m.reader.update(k)
	return m, cmd
}

// quit ends the program; Run then stops a fetch and finishes the deletes.
func (m appModel) quit() (appModel, tea.Cmd) {
	m.quitting = true
	if m.fetching {
		m.fetch.cancel()
	}
	return m, tea.Quit
}

// shutdown runs after the program ended: it stops a fetch (cancelling
// loses nothing: committed batches stay), waits for store writes in flight
// and deletes what is still in its undo window. A delete whose command may
// have run already is done again; the store then says it is gone.
func (m appModel) shutdown() error {
	if m.fetching {
		m.fetch.cancel()
		select {
		case <-m.fetch.started:
			select {
			case <-m.fetch.finished:
			case <-time.After(quitWait):
			}
		case <-time.After(quitStart):
			// The program ended before the fetch command ran.
		}
	}
	m.writes.wait(quitWait)
	var errs []error
	if err := m.keepComposing(); err != nil {
		errs = append(errs, err)
	}
	for _, p := range m.pending {
		err := m.st.DeleteMessage(p.id)
		if err != nil && !errors.Is(err, store.ErrNoAccount) && !errors.Is(err, store.ErrNoMessage) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// open shows msg in the reader and marks it read.
func (m appModel) open(msg store.Message) (appModel, tea.Cmd) {
	m.openSeq++
	var load tea.Cmd
	m.reader, load = newReader(*m.d, m.st, msg, m.openSeq, m.cfg.saveDir)
	m.reader = m.reader.setSize(m.width, m.bodyHeight())
	m.screen = screenReader
	m.readerSent = false
	if msg.Seen {
		return m, load
	}
	m.list = m.list.markSeen(msg.ID, true)
	m.reader.msg.Seen = true
	st, id := m.st, msg.ID
	mark := m.track(func() tea.Msg { return markSeenDoneMsg{id: id, err: st.MarkSeen(id, true)} })
	return m, tea.Batch(load, mark)
}

// step opens the next (+1) or previous (-1) message of the list.
func (m appModel) step(delta int) (appModel, tea.Cmd) {
	before := m.list.cursor
	var cmd tea.Cmd
	m.list, cmd = m.list.move(delta)
	if m.list.cursor == before {
		note := "app.lastMessage"
		if delta < 0 {
			note = "app.firstMessage"
		}
		m2, c2 := m.withNotice(m.d.lang.tr(note))
		return m2, tea.Batch(cmd, c2)
	}
	sel, ok := m.list.selected()
	if !ok {
		m.openOnLoad = true
		return m, cmd
	}
	m2, c2 := m.open(sel)
	return m2, tea.Batch(cmd, c2)
}

// withLayout redoes the layout and adds cmd.
func (m appModel) withLayout(cmd tea.Cmd) (appModel, tea.Cmd) {
	m, c := m.layout()
	return m, tea.Batch(cmd, c)
}

// bodyHeight is what is left for the screen under the chrome: banner,
// progress line, status bar and footer.
func (m appModel) bodyHeight() int {
	h := m.height - 2 - len(m.bannerLines())
	if m.fetching {
		h--
	}
	return max(h, 1)
}

// layout gives every screen its size; window-size changes and banners
// coming and going reach every screen.
func (m appModel) layout() (appModel, tea.Cmd) {
	w, h := m.width, m.bodyHeight()
	var cmd tea.Cmd
	if m.list.src != nil {
		m.list, cmd = m.list.setSize(w, h)
	}
	if m.reader.src != nil {
		m.reader = m.reader.setSize(w, h)
	}
	m.accts = m.accts.setSize(w, h)
	m.switcher = m.switcher.setSize(w, h)
	if m.passwd.st != nil {
		m.passwd = m.passwd.setSize(w, h)
	}
	if m.wizard != nil {
		wz := m.wizard.setSize(w, h)
		m.wizard = &wz
	}
	if m.compose.d != nil {
		m.compose = m.compose.setSize(w, h)
	}
	if m.folder.d != nil {
		m.folder = m.folder.setSize(w, h)
	}
	m.helpVP.Width, m.helpVP.Height = w, h
	if m.screen == screenHelp {
		m.helpVP.SetContent(m.helpContent())
	}
	return m, cmd
}

// View draws the focused screen, then the banner, the fetch progress, the
// status bar and the footer: exactly the terminal's height.
func (m appModel) View() string {
	if m.quitting || m.width <= 0 || m.height <= 0 {
		return ""
	}
	bh := m.bodyHeight()
	var body string
	switch m.screen {
	case screenList:
		if m.hasActive {
			body = m.list.view()
		} else if m.started {
			body = m.d.styles.faint.Render(m.d.lang.tr("app.noActive"))
		}
	case screenReader:
		body = m.reader.view()
	case screenAccounts:
		body = m.accts.view()
	case screenWizard:
		if m.wizard != nil {
			body = m.wizard.view()
		}
	case screenHelp:
		body = m.helpVP.View()
	case screenPasswd:
		body = m.passwd.view()
	case screenSwitcher:
		body = m.switcher.view()
	case screenCompose:
		body = m.compose.view()
	case screenFolder:
		body = m.folder.view()
	}
	var b strings.Builder
	b.Grow((m.width + 32) * m.height)
	b.WriteString(fitLines(body, bh))
	st := m.d.styles
	for _, line := range m.bannerLines() {
		b.WriteString("\n")
		style := st.banner
		if m.bannerErr {
			style = st.bannerErr
		}
		b.WriteString(style.Render("! " + line))
	}
	if m.fetching {
		b.WriteString("\n")
		b.WriteString(progressLine(*m.d, m.fetch, m.width))
	}
	b.WriteString("\n")
	b.WriteString(m.statusBar())
	b.WriteString("\n")
	hm := m.help
	hm.Width = m.width
	// help drops the items that do not fit, but not when its ellipsis
	// does not fit either: cut what is left to the width.
	b.WriteString(ansi.Truncate(hm.ShortHelpView(m.footerKeys()), m.width, "…"))
	return b.String()
}
