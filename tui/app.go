// Package tui is popbox's terminal interface: the setup wizard, the message
// list and reader of the active account, the accounts screen and help, on
// Bubble Tea. app.go holds the root model, which routes keys and results to
// the screens and draws the status bar and footer around them.
package tui

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
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
}

// undoWindow is how long a deleted message can be brought back with u
// before the store deletes it.
const undoWindow = 5 * time.Second

// noticeTime is how long a notice stays in the status bar.
const noticeTime = 6 * time.Second

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
		checker: netChecker{},
		plain:   getenv("NO_COLOR") != "",
	}
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
	m := newApp(d, st, appConfig{version: opts.Version, interval: fetchInterval(getenv)})
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
)

// pendingDelete is a message deleted in the list, waiting out its undo
// window; started is set once its store delete runs.
type pendingDelete struct {
	id, acct string
	seq      int
	started  bool
}

// deleteDueMsg ends the undo window of delete seq.
type deleteDueMsg struct{ seq int }

// deleteDoneMsg is the store's answer to a delete.
type deleteDoneMsg struct {
	id, acct string
	seq      int
	err      error
}

// markSeenDoneMsg is the store's answer to marking a message read.
type markSeenDoneMsg struct {
	id  string
	err error
}

// accountUsedMsg is the store's answer to making an account active.
type accountUsedMsg struct {
	id  string
	err error
}

// accountRemovedMsg is the store's answer to removing an account.
type accountRemovedMsg struct {
	id, name string
	err      error
}

// editLoadedMsg is an account read with its passwords, for the wizard.
type editLoadedMsg struct {
	acct mail.Account
	err  error
}

// noticeExpiredMsg clears notice seq from the status bar.
type noticeExpiredMsg struct{ seq int }

// fetchInfo is the last fetch of one account, for the status bar.
type fetchInfo struct {
	at      time.Time
	outcome string
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
	wizard     *wizardModel // nil until opened
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

	banner     string
	bannerErr  bool
	bannerFrom error
	notice     string
	noticeSeq  int

	pending []pendingDelete
	delSeq  int
}

// newApp builds the root model on st.
func newApp(d deps, st appStore, cfg appConfig) appModel {
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
	return appModel{
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
	}
}

// Init loads the accounts (then the active account's first page) and
// starts the automatic fetch timer when one is set.
func (m appModel) Init() tea.Cmd {
	cmds := []tea.Cmd{loadAccounts(m.st, m.acctReq)}
	if m.cfg.interval > 0 {
		cmds = append(cmds, m.fetchTick())
	}
	return tea.Batch(cmds...)
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
			m = m.setBanner(m.d.lang.tr("app.useFailed", clean(msg.err.Error())), true)
			m.acctReq++
			return m.withLayout(loadAccounts(m.st, m.acctReq))
		}
		return m, nil
	case accountRemovedMsg:
		if msg.err != nil {
			m.accts = m.accts.setNote(m.d.lang.tr("acct.removeFailed", clean(msg.err.Error())), true)
			return m, nil
		}
		m.accts = m.accts.setNote(m.d.lang.tr("acct.removed", clean(msg.name)), false)
		m.acctReq++
		return m, loadAccounts(m.st, m.acctReq)
	case editLoadedMsg:
		if msg.err != nil {
			m.accts = m.accts.setNote(m.d.lang.tr("acct.loadFailed", clean(msg.err.Error())), true)
			return m, nil
		}
		return m.openWizard(&msg.acct)

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
		var cmd tea.Cmd
		m.reader, cmd = m.reader.update(msg)
		return m, cmd
	case markSeenDoneMsg:
		if msg.err != nil {
			return m.withBanner(m.d.lang.tr("app.markFailed", clean(msg.err.Error())), true)
		}
		return m, nil

	case fetchProgressMsg:
		return m.fetchProgress(msg)
	case fetchDoneMsg:
		return m.fetchDone(msg)
	case fetchTickMsg:
		if msg.seq != m.tickSeq {
			return m, nil
		}
		tick := m.fetchTick()
		if m.fetching || !m.hasActive || m.screen == screenWizard {
			return m, tick
		}
		m2, cmd := m.startFetch(true)
		return m2, tea.Batch(tick, cmd)

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
	}
	return false
}

// modal reports whether a dialog has every key: the wizard, the password
// dialog, the picker, and the removal question.
func (m appModel) modal() bool {
	switch m.screen {
	case screenWizard, screenPasswd, screenSwitcher:
		return true
	case screenAccounts:
		return m.accts.modal()
	}
	return false
}

// key routes a key press: global keys first, then the focused screen.
func (m appModel) key(k tea.KeyMsg) (appModel, tea.Cmd) {
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
		return m.listKey(k)
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

// accountsKey runs the accounts screen's actions that need the store,
// the wizard or the password dialog.
func (m appModel) accountsKey(k tea.KeyMsg) (appModel, tea.Cmd) {
	l := m.d.lang
	sel, _ := m.accts.selected()
	switch m.accts.intent(k) {
	case accountsUse:
		m2, cmd := m.switchTo(sel.ID)
		m2.accts = m2.accts.setNote(l.tr("acct.nowActive", clean(sel.Name)), false)
		return m2, cmd
	case accountsAdd:
		return m.openWizard(nil)
	case accountsEdit:
		st, id := m.st, sel.ID
		return m, func() tea.Msg {
			a, err := st.Account(id)
			return editLoadedMsg{acct: a, err: err}
		}
	case accountsYes:
		m.accts.confirming = false
		st, id, name := m.st, sel.ID, sel.Name
		m.accts = m.accts.setNote(l.tr("acct.removing", clean(name)), false)
		return m, m.track(func() tea.Msg {
			return accountRemovedMsg{id: id, name: name, err: st.RemoveAccount(id)}
		})
	case accountsIncoming, accountsOutgoing:
		outgoing := m.accts.intent(k) == accountsOutgoing
		if outgoing && sel.SMTPSame {
			m.accts = m.accts.setNote(l.tr("acct.sameCredentials", clean(sel.Name)), true)
			return m, nil
		}
		m.pwReq++
		var cmd tea.Cmd
		m.passwd, cmd = newPasswd(*m.d, m.st, sel, outgoing, m.pwReq)
		m.passwd = m.passwd.setSize(m.width, m.bodyHeight())
		m.screen = screenPasswd
		return m, cmd
	case accountsBack:
		if !m.hasActive {
			// No account, no list to go back to: q leaves.
			if k.String() == "q" {
				return m.quit()
			}
			return m, nil
		}
		m.screen = screenList
		return m, nil
	}
	var cmd tea.Cmd
	m.accts, cmd = m.accts.update(k)
	return m, cmd
}

// switcherKey moves in the account picker or makes the chosen account
// active.
func (m appModel) switcherKey(k tea.KeyMsg) (appModel, tea.Cmd) {
	switch m.switcher.intent(k) {
	case switcherCancel:
		m.screen = m.back
		return m, nil
	case switcherChoose:
		m.switcher, _ = m.switcher.update(k)
		m.screen = m.back
		if a, ok := m.switcher.chosen(); ok {
			return m.switchTo(a.ID)
		}
		return m, nil
	}
	var cmd tea.Cmd
	m.switcher, cmd = m.switcher.update(k)
	return m, cmd
}

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
	for _, p := range m.pending {
		err := m.st.DeleteMessage(p.id)
		if err != nil && !errors.Is(err, store.ErrNoAccount) && !errors.Is(err, store.ErrNoMessage) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// track counts a store write while it runs, so shutdown can wait for it.
func (m appModel) track(f func() tea.Msg) tea.Cmd {
	w := m.writes
	return func() tea.Msg {
		w.begin()
		defer w.end()
		return f()
	}
}

// writeTracker counts commands writing to the store.
type writeTracker struct {
	mu sync.Mutex
	n  int
}

// begin counts a write that starts.
func (w *writeTracker) begin() { w.mu.Lock(); w.n++; w.mu.Unlock() }

// end counts a write that is done.
func (w *writeTracker) end() { w.mu.Lock(); w.n--; w.mu.Unlock() }

// wait returns when no write runs, or after d.
func (w *writeTracker) wait(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		w.mu.Lock()
		n := w.n
		w.mu.Unlock()
		if n == 0 {
			return
		}
	}
}

// accountsLoaded takes a fresh account list in. The first one decides the
// start: the wizard when there is no account, else the active account's
// list.
func (m appModel) accountsLoaded(msg accountsLoadedMsg) (appModel, tea.Cmd) {
	if msg.req != m.acctReq {
		return m, nil
	}
	if msg.err != nil {
		return m.withBanner(m.d.lang.tr("app.accountsFailed", clean(msg.err.Error())), true)
	}
	first := !m.started
	m.started = true
	m.accounts = msg.accounts
	m.accts = m.accts.setAccounts(msg.accounts, msg.activeID)
	if len(msg.accounts) == 0 {
		m.hasActive, m.active = false, mail.Account{}
		m.list = newList(*m.d, m.st, "", nil)
		if first {
			return m.openWizard(nil)
		}
		if m.screen != screenWizard {
			m.screen = screenAccounts
		}
		return m.withLayout(nil)
	}
	var active mail.Account
	found := false
	for _, a := range msg.accounts {
		if a.ID == msg.activeID {
			active, found = a, true
		}
	}
	if !found {
		// The store names no active account although there are some: the
		// first one is what the store would pick.
		active = msg.accounts[0]
		m.accts.activeID = active.ID
	}
	if m.hasActive && active.ID == m.active.ID {
		m.active = active
		return m, nil
	}
	m.active, m.hasActive = active, true
	if _, ok := m.fetched[active.ID]; !ok && !active.Hints.LastLogin.IsZero() {
		m.fetched[active.ID] = fetchInfo{at: active.Hints.LastLogin}
	}
	if m.screen == screenReader {
		m.screen = screenList
	}
	return m.newList()
}

// newList builds the active account's list and loads its first page.
func (m appModel) newList() (appModel, tea.Cmd) {
	var hidden []string
	for _, p := range m.pending {
		if p.acct == m.active.ID {
			hidden = append(hidden, p.id)
		}
	}
	m.list = newList(*m.d, m.st, m.active.ID, hidden)
	m.list.after = m.after
	var c1, c2 tea.Cmd
	m.list, c1 = m.list.setSize(m.width, m.bodyHeight())
	m.list, c2 = m.list.init()
	return m, tea.Batch(c1, c2)
}

// switchTo makes account id the active one: the list shows its mail at
// once, the store is told in a command.
func (m appModel) switchTo(id string) (appModel, tea.Cmd) {
	l := m.d.lang
	var acct mail.Account
	found := false
	for _, a := range m.accounts {
		if a.ID == id {
			acct, found = a, true
		}
	}
	if !found {
		return m, nil
	}
	if m.hasActive && id == m.active.ID {
		return m.withNotice(l.tr("app.alreadyActive", clean(acct.Name)))
	}
	m.active, m.hasActive = acct, true
	m.accts = m.accts.focus(id)
	if _, ok := m.fetched[id]; !ok && !acct.Hints.LastLogin.IsZero() {
		m.fetched[id] = fetchInfo{at: acct.Hints.LastLogin}
	}
	if m.screen == screenReader {
		m.screen = screenList
	}
	m.openOnLoad = false
	m, c1 := m.newList()
	m, c2 := m.withNotice(l.tr("app.switched", clean(acct.Name)))
	st := m.st
	use := m.track(func() tea.Msg { return accountUsedMsg{id: id, err: st.Use(id)} })
	return m, tea.Batch(c1, c2, use)
}

// cycle switches to the next (+1) or previous (-1) account, wrapping.
func (m appModel) cycle(delta int) (appModel, tea.Cmd) {
	n := len(m.accounts)
	if n == 0 {
		return m.withNotice(m.d.lang.tr("app.noAccounts"))
	}
	if n == 1 && m.hasActive {
		return m.withNotice(m.d.lang.tr("app.onlyAccount"))
	}
	i := 0
	for j, a := range m.accounts {
		if a.ID == m.active.ID {
			i = j
		}
	}
	return m.switchTo(m.accounts[((i+delta)%n+n)%n].ID)
}

// open shows msg in the reader and marks it read.
func (m appModel) open(msg store.Message) (appModel, tea.Cmd) {
	m.openSeq++
	var load tea.Cmd
	m.reader, load = newReader(*m.d, m.st, msg, m.openSeq, m.cfg.saveDir)
	m.reader = m.reader.setSize(m.width, m.bodyHeight())
	m.screen = screenReader
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

// deleteMessage hides msg at once and deletes it in the store when its undo
// window has passed.
func (m appModel) deleteMessage(msg store.Message) (appModel, tea.Cmd) {
	m.delSeq++
	seq := m.delSeq
	m.pending = append(m.pending, pendingDelete{id: msg.ID, acct: msg.AccountID, seq: seq})
	if msg.AccountID == "" {
		m.pending[len(m.pending)-1].acct = m.active.ID
	}
	var cmd tea.Cmd
	m.list, cmd = m.list.hide(msg.ID)
	due := m.after(undoWindow, func(time.Time) tea.Msg { return deleteDueMsg{seq: seq} })
	note := "app.deleted"
	if m.active.Retention.Kind == mail.RetainMirror {
		note = "app.deletedMirror"
	}
	m, c2 := m.withNotice(m.d.lang.tr(note, int(undoWindow/time.Second)))
	return m, tea.Batch(cmd, due, c2)
}

// undo brings back the newest message of the active account still in its
// undo window.
func (m appModel) undo() (appModel, tea.Cmd) {
	for i := len(m.pending) - 1; i >= 0; i-- {
		p := m.pending[i]
		if p.started || p.acct != m.active.ID {
			continue
		}
		m.pending = append(m.pending[:i:i], m.pending[i+1:]...)
		var cmd tea.Cmd
		m.list, cmd = m.list.unhide(p.id)
		m, c2 := m.withNotice(m.d.lang.tr("app.undone"))
		return m, tea.Batch(cmd, c2)
	}
	return m.withNotice(m.d.lang.tr("app.nothingToUndo"))
}

// deleteDue runs the store delete of pending delete seq.
func (m appModel) deleteDue(seq int) (appModel, tea.Cmd) {
	for i, p := range m.pending {
		if p.seq != seq || p.started {
			continue
		}
		m.pending[i].started = true
		st := m.st
		return m, m.track(func() tea.Msg {
			return deleteDoneMsg{id: p.id, acct: p.acct, seq: p.seq, err: st.DeleteMessage(p.id)}
		})
	}
	return m, nil
}

// deleteDone forgets a finished delete and reads the list again.
func (m appModel) deleteDone(msg deleteDoneMsg) (appModel, tea.Cmd) {
	for i, p := range m.pending {
		if p.seq == msg.seq {
			m.pending = append(m.pending[:i:i], m.pending[i+1:]...)
			break
		}
	}
	var cmd tea.Cmd
	if msg.acct == m.list.acct {
		m.list, cmd = m.list.forget(msg.id)
	}
	if msg.err != nil {
		m2, c2 := m.withBanner(m.d.lang.tr("app.deleteFailed", clean(msg.err.Error())), true)
		return m2, tea.Batch(cmd, c2)
	}
	return m, cmd
}

// openWizard shows the setup wizard: a new account, or existing prefilled.
func (m appModel) openWizard(existing *mail.Account) (appModel, tea.Cmd) {
	if m.screen != screenWizard {
		m.back = m.baseScreen()
	}
	w := newWizard(*m.d, m.st, existing).setSize(m.width, m.bodyHeight())
	m.wizard = &w
	m.screen = screenWizard
	return m, nil
}

// updateWizard is the wizard's update on the root's pointer to it.
func updateWizard(w *wizardModel, msg tea.Msg) (*wizardModel, tea.Cmd) {
	if w == nil {
		return nil, nil
	}
	next, cmd := w.update(msg)
	return &next, cmd
}

// wizardSaved returns from the wizard to the accounts screen (or the list
// of a first account) and reads the accounts again.
func (m appModel) wizardSaved(msg wizardSavedMsg) (appModel, tea.Cmd) {
	l := m.d.lang
	note := "acct.saved"
	if msg.added {
		note = "acct.added"
	}
	m.accts = m.accts.setNote(l.tr(note, clean(msg.acct.Name)), false)
	m.wizard = nil
	m.screen = screenAccounts
	if !m.hasActive || m.back == screenList {
		m.screen = screenList
	}
	m.acctReq++
	if msg.acct.ID == m.active.ID {
		// Edited: the list stays, the status bar takes the new name.
		a := msg.acct
		a.Incoming.Password, a.Outgoing.Password = "", ""
		m.active = a
	}
	m, c := m.withNotice(l.tr(note, clean(msg.acct.Name)))
	return m, tea.Batch(c, loadAccounts(m.st, m.acctReq))
}

// wizardCancelled goes back to where the wizard was opened from; without
// any account that is the accounts screen with its hint.
func (m appModel) wizardCancelled() (appModel, tea.Cmd) {
	m.wizard = nil
	m.screen = m.back
	if !m.hasActive {
		m.screen = screenAccounts
	}
	if m.screen == screenWizard || m.screen == screenHelp || m.screen == screenSwitcher || m.screen == screenPasswd {
		m.screen = screenAccounts
	}
	return m, nil
}

// startFetch runs a fetch of the active account in the background.
func (m appModel) startFetch(auto bool) (appModel, tea.Cmd) {
	l := m.d.lang
	if !m.hasActive {
		return m.withNotice(l.tr("app.noAccounts"))
	}
	if m.fetching {
		return m.withNotice(l.tr("fetch.already", clean(m.fetch.acctName)))
	}
	m.fetchReq++
	m.fetch = newFetchJob(m.active, m.fetchReq, auto)
	m.fetching = true
	if !auto && errors.Is(m.bannerCause(), errFetchBanner) {
		m.banner = ""
	}
	m, c := m.layout()
	return m, tea.Batch(c, m.fetch.run(m.syncFn, m.st), m.fetch.wait())
}

// errFetchBanner marks a banner that a fetch put up; a new fetch clears it.
var errFetchBanner = errors.New("fetch banner")

// bannerCause is what the banner is about, for clearing it when the cause
// is gone.
func (m appModel) bannerCause() error {
	if m.banner == "" {
		return nil
	}
	return m.bannerFrom
}

// cancelFetch asks the running fetch to stop; what it committed stays.
func (m appModel) cancelFetch() (appModel, tea.Cmd) {
	m.fetch.cancel()
	m.fetch.cancelling = true
	return m, nil
}

// fetchProgress shows the newest progress and reads the list again when a
// batch was committed.
func (m appModel) fetchProgress(msg fetchProgressMsg) (appModel, tea.Cmd) {
	if !m.fetching || msg.req != m.fetch.req {
		return m, nil
	}
	committed := msg.p.Committed > m.fetch.last.Committed
	m.fetch.last = msg.p
	cmds := []tea.Cmd{m.fetch.wait()}
	if committed && msg.acctID == m.list.acct {
		var cmd tea.Cmd
		m.list, cmd = m.list.reload()
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

// fetchDone ends a fetch: outcome in the status bar, problems in a banner,
// the list read again.
func (m appModel) fetchDone(msg fetchDoneMsg) (appModel, tea.Cmd) {
	if !m.fetching || msg.req != m.fetch.req {
		return m, nil
	}
	l := m.d.lang
	m.fetching = false
	now := m.d.now()
	acct := msg.acct
	if acct.ID == "" {
		for _, a := range m.accounts {
			if a.ID == msg.acctID {
				acct = a
			}
		}
	}
	outcome := fetchOutcome(l, msg.res, msg.err, now)
	info := fetchInfo{at: m.fetched[msg.acctID].at, outcome: outcome}
	if msg.err == nil {
		info.at = now
	}
	m.fetched[msg.acctID] = info
	var cmds []tea.Cmd
	if msg.acctID == m.list.acct {
		var cmd tea.Cmd
		m.list, cmd = m.list.reload()
		cmds = append(cmds, cmd)
	}
	switch {
	case msg.err != nil && !errors.Is(msg.err, context.Canceled):
		m = m.setBannerFrom(problemText(l, msg.err, acct, false, true), true, errors.Join(errFetchBanner, msg.err))
	case len(msg.res.Warnings) > 0:
		var ws []string
		for _, w := range msg.res.Warnings {
			ws = append(ws, clean(w))
		}
		m = m.setBannerFrom(strings.Join(ws, " "), false, errFetchBanner)
	}
	if msg.acctID != m.active.ID {
		m2, c := m.withNotice(clean(m.fetch.acctName) + ": " + outcome)
		m = m2
		cmds = append(cmds, c)
	} else if msg.auto && msg.err == nil && msg.res.New > 0 {
		m2, c := m.withNotice(l.tr("fetch.newMail", msg.res.New))
		m = m2
		cmds = append(cmds, c)
	}
	m, c := m.layout()
	cmds = append(cmds, c)
	return m, tea.Batch(cmds...)
}

// fetchTick arms the automatic fetch timer.
func (m appModel) fetchTick() tea.Cmd {
	seq := m.tickSeq
	return m.after(m.cfg.interval, func(time.Time) tea.Msg { return fetchTickMsg{seq: seq} })
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
		section("help.reader", []key.Binding{rk.Up, rk.Down, rk.PageUp, rk.PageDown, rk.Top, rk.Bottom}, []key.Binding{rk.Next, rk.Prev, rk.Save, rk.Delete, rk.Undo, rk.Back}),
		section("help.accountsScreen", []key.Binding{ak.Up, ak.Down, ak.Use, ak.Back}, []key.Binding{ak.Add, ak.Edit, ak.Remove, ak.Incoming, ak.Outgoing}),
	}
}

// helpContent draws the sections side by side when they fit, else under
// each other.
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
	var rows []string
	var row []string
	roww := 0
	for _, b := range blocks {
		w := lipgloss.Width(b)
		if len(row) > 0 && roww+4+w > m.width {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
			row, roww = nil, 0
		}
		if len(row) > 0 {
			row = append(row, "    ")
			roww += 4
		}
		row = append(row, b)
		roww += w
	}
	if len(row) > 0 {
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	return st.title.Render(title) + "\n\n" + strings.Join(rows, "\n\n")
}

// footerKeys are the few bindings that matter on the current screen.
func (m appModel) footerKeys() []key.Binding {
	var ks []key.Binding
	g, l := m.k, m.d.lang
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
		return append(ks, m.reader.keys().ShortHelp()...)
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

// setBanner puts up a banner (an error when isErr) for esc to dismiss.
func (m appModel) setBanner(s string, isErr bool) appModel {
	return m.setBannerFrom(s, isErr, nil)
}

// setBannerFrom is setBanner remembering the cause.
func (m appModel) setBannerFrom(s string, isErr bool, cause error) appModel {
	m.banner, m.bannerErr, m.bannerFrom = s, isErr, cause
	return m
}

// withBanner is setBanner with the layout redone.
func (m appModel) withBanner(s string, isErr bool) (appModel, tea.Cmd) {
	return m.setBanner(s, isErr).layout()
}

// withLayout redoes the layout and adds cmd.
func (m appModel) withLayout(cmd tea.Cmd) (appModel, tea.Cmd) {
	m, c := m.layout()
	return m, tea.Batch(cmd, c)
}

// withNotice shows s in the status bar for a few seconds.
func (m appModel) withNotice(s string) (appModel, tea.Cmd) {
	m.noticeSeq++
	m.notice = s
	seq := m.noticeSeq
	return m, m.after(noticeTime, func(time.Time) tea.Msg { return noticeExpiredMsg{seq: seq} })
}

// bannerLines is the banner wrapped to the width.
func (m appModel) bannerLines() []string {
	if m.banner == "" || m.width <= 0 {
		return nil
	}
	lines := strings.Split(wrapText(m.banner, max(m.width-2, 1)), "\n")
	if len(lines) > 4 {
		lines = lines[:4]
		lines[3] = ansi.Truncate(lines[3], max(m.width-3, 1), "") + "…"
	}
	return lines
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

// statusBar is one reversed line: the active account and its counts on the
// left, the last fetch (or a notice) on the right.
func (m appModel) statusBar() string {
	l, w := m.d.lang, m.width
	left := " popbox"
	if m.hasActive {
		left = " " + clean(m.active.Name) + " <" + clean(m.active.Email) + ">"
		if m.list.src != nil {
			left += " · " + m.list.status()
		}
	} else if m.started {
		left = " " + l.tr("app.noActiveShort")
	}
	right := m.notice
	if right == "" && m.hasActive {
		info := m.fetched[m.active.ID]
		switch {
		case info.outcome != "":
			right = info.outcome
		case !info.at.IsZero():
			right = l.tr("fetch.last", clockText(l, info.at, m.d.now()))
		default:
			right = l.tr("fetch.never")
		}
	}
	if right != "" {
		right += " "
	}
	rw := ansi.StringWidth(right)
	if rw > w/2 {
		right = ansi.Truncate(right, max(w/2, 1), "…")
		rw = ansi.StringWidth(right)
	}
	left = ansi.Truncate(left, max(w-rw-1, 0), "…")
	gap := max(w-ansi.StringWidth(left)-rw, 0)
	return m.d.styles.statusBar.Render(left + strings.Repeat(" ", gap) + right)
}
