package tui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"popbox/mail"
	"popbox/store"
)

// appNow is the fixed clock of every screen test: Wednesday 26 November
// 2025, 10:42 UTC.
var appNow = time.Date(2025, 11, 26, 10, 42, 0, 0, time.UTC)

// memStore is an in-memory appStore for the screen tests: accounts, an
// active one, messages newest first per account, raw bytes and passwords.
type memStore struct {
	mu        sync.Mutex
	accounts  []mail.Account
	active    string
	msgs      map[string][]store.Message
	raw       map[string][]byte
	passwords map[string]string
	deleted   []string
	seen      map[string]bool
	used      []string
	countN    int
	pageN     int
	searchN   int
	failPage  error
	// failAccounts is what Accounts and Account return when set.
	failAccounts error
	policy       store.Policy
	// accountsN and policyN count the reads of the accounts and the policy.
	accountsN int
	policyN   int
}

func newMemStore(accts ...mail.Account) *memStore {
	s := &memStore{msgs: map[string][]store.Message{}, raw: map[string][]byte{}, passwords: map[string]string{}, seen: map[string]bool{}}
	for i, a := range accts {
		if a.ID == "" {
			a.ID = strconv.Itoa(i + 1)
		}
		s.accounts = append(s.accounts, a)
	}
	if len(s.accounts) > 0 {
		s.active = s.accounts[0].ID
	}
	return s
}

// fill gives account id n messages, newest first, the newest at appNow
// minus 5 minutes, each 7 hours older than the one before.
func (s *memStore) fill(id string, n int, subject func(i int) string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	senders := []mail.Address{
		{Name: "Ann Example", Address: "ann@example.com"},
		{Name: "", Address: "billing@shop.example"},
		{Name: "山田太郎", Address: "taro@example.jp"},
		{Name: "A very long sender name that does not fit", Address: "long@example.org"},
	}
	var list []store.Message
	for i := range n {
		mid := id + "-" + strconv.Itoa(n-i)
		sum := mail.Summary{
			From:        senders[i%len(senders)],
			To:          []mail.Address{{Name: "Me", Address: "me@example.com"}},
			Subject:     subject(i),
			Date:        appNow.Add(-5*time.Minute - time.Duration(i)*7*time.Hour),
			Size:        int64(800 + i*i*997%3_000_000),
			Attachments: i%3 == 1,
		}
		list = append(list, store.Message{ID: mid, AccountID: id, UID: "uid" + mid, Summary: sum, Seen: i%4 != 0, Received: sum.Date})
		s.raw[mid] = []byte(fmt.Sprintf("From: %s\r\nSubject: %s\r\n\r\nBody of %s\r\n", sum.From.Address, sum.Subject, mid))
	}
	s.msgs[id] = list
}

func (s *memStore) live(id string) []store.Message { return s.msgs[id] }

func (s *memStore) Count(id string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.countN++
	return len(s.live(id)), nil
}

func (s *memStore) Page(id string, off, limit int) ([]store.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageN++
	if s.failPage != nil {
		return nil, s.failPage
	}
	all := s.live(id)
	if off >= len(all) {
		return nil, nil
	}
	return slices.Clone(all[off:min(off+limit, len(all))]), nil
}

func (s *memStore) Search(id, q string, off, limit int) ([]store.Message, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.searchN++
	q = strings.ToLower(q)
	var hits []store.Message
	for _, m := range s.live(id) {
		if strings.Contains(strings.ToLower(m.Summary.From.Name+" "+m.Summary.From.Address+" "+m.Summary.Subject), q) {
			hits = append(hits, m)
		}
	}
	if off >= len(hits) {
		return nil, len(hits), nil
	}
	return hits[off:min(off+limit, len(hits))], len(hits), nil
}

func (s *memStore) Message(id string) (store.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.msgs {
		for _, m := range l {
			if m.ID == id {
				return m, nil
			}
		}
	}
	return store.Message{}, store.ErrNoMessage
}

func (s *memStore) Raw(id string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.raw[id]
	if !ok {
		return nil, store.ErrNoMessage
	}
	return b, nil
}

func (s *memStore) MarkSeen(id string, seen bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen[id] = seen
	for acct, l := range s.msgs {
		for i := range l {
			if l[i].ID == id {
				s.msgs[acct][i].Seen = seen
			}
		}
	}
	return nil
}

func (s *memStore) DeleteMessage(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for acct, l := range s.msgs {
		for i := range l {
			if l[i].ID == id {
				s.msgs[acct] = slices.Delete(slices.Clone(l), i, i+1)
				s.deleted = append(s.deleted, id)
				return nil
			}
		}
	}
	return store.ErrNoMessage
}

func (s *memStore) Accounts() ([]mail.Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accountsN++
	if s.failAccounts != nil {
		return nil, s.failAccounts
	}
	return slices.Clone(s.accounts), nil
}

func (s *memStore) Account(nameOrID string) (mail.Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failAccounts != nil {
		return mail.Account{}, s.failAccounts
	}
	for _, a := range s.accounts {
		if a.ID == nameOrID || strings.EqualFold(a.Name, nameOrID) {
			a.Incoming.Password = s.passwords[a.ID+"/in"]
			a.Outgoing.Password = s.passwords[a.ID+"/out"]
			return a, nil
		}
	}
	return mail.Account{}, store.ErrNoAccount
}

func (s *memStore) ActiveID() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active, nil
}

func (s *memStore) Use(nameOrID string) error {
	a, err := s.Account(nameOrID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active = a.ID
	s.used = append(s.used, a.ID)
	return nil
}

func (s *memStore) RemoveAccount(nameOrID string) error {
	a, err := s.Account(nameOrID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts = slices.DeleteFunc(s.accounts, func(x mail.Account) bool { return x.ID == a.ID })
	delete(s.msgs, a.ID)
	if s.active == a.ID {
		s.active = ""
		if len(s.accounts) > 0 {
			s.active = s.accounts[0].ID
		}
	}
	return nil
}

func (s *memStore) SetPassword(nameOrID string, outgoing bool, pw string) error {
	a, err := s.Account(nameOrID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	side := "/in"
	if outgoing {
		side = "/out"
	}
	s.passwords[a.ID+side] = pw
	return nil
}

func (s *memStore) LookupUIDs(_ string, uids []string, fn func(int, mail.UIDRecord, bool)) error {
	for i := range uids {
		fn(i, mail.UIDRecord{}, false)
	}
	return nil
}

func (s *memStore) Tombstones(string) (int, error) { return 0, nil }

func (s *memStore) Prepare([]mail.NewMessage) {}

// Commit puts the batch on top of the account's list (the fake sync makes
// every message newer than what is stored).
func (s *memStore) Commit(id string, batch []mail.NewMessage) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var add []store.Message
	for i, nm := range batch {
		mid := fmt.Sprintf("%s-new-%d-%d", id, len(s.msgs[id]), i)
		add = append([]store.Message{{ID: mid, AccountID: id, UID: nm.UID, Summary: nm.Summary, Received: appNow}}, add...)
		s.raw[mid] = bytes.Clone(nm.Raw)
	}
	s.msgs[id] = append(add, s.msgs[id]...)
	return 0, nil
}

func (s *memStore) ForgetUIDs(string, []string) error        { return nil }
func (s *memStore) SaveHints(string, mail.ServerHints) error { return nil }
func (s *memStore) SharingPolicy() (store.Policy, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.policyN++
	return s.policy, nil
}

// reads is how often the accounts and the policy were read.
func (s *memStore) reads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accountsN + s.policyN
}

func (s *memStore) UpdateAccount(a mail.Account) error { return nil }
func (s *memStore) AddAccount(a mail.Account) (mail.Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a.ID = strconv.Itoa(len(s.accounts) + 100)
	s.accounts = append(s.accounts, a)
	if s.active == "" {
		s.active = a.ID
	}
	return a, nil
}

var _ appStore = (*memStore)(nil)

// testAccounts are three accounts: Work (the active one), Home and 個人.
func testAccounts() []mail.Account {
	work := mail.Account{ID: "1", Name: "Work", Email: "ann@example.com",
		Incoming: mail.Server{Host: "pop.example.com", Port: 995, Security: mail.SecuritySSL, User: "ann@example.com"},
		SMTPSame: true, Retention: mail.Retention{Kind: mail.RetainKeep},
		Hints: mail.ServerHints{LastLogin: appNow.Add(-72 * time.Minute)}}
	home := mail.Account{ID: "2", Name: "Home", Email: "ann@gmail.com",
		Incoming:  mail.Server{Host: "pop.gmail.com", Port: 995, Security: mail.SecuritySSL, User: "ann@gmail.com"},
		Outgoing:  mail.Server{Host: "smtp.gmail.com", Port: 465, Security: mail.SecuritySSL, User: "ann@gmail.com"},
		Retention: mail.Retention{Kind: mail.RetainMirror}}
	ja := mail.Account{ID: "3", Name: "個人", Email: "taro@example.jp",
		Incoming: mail.Server{Host: "pop.example.jp", Port: 110, Security: mail.SecurityStartTLS, User: "taro"},
		SMTPSame: true, Retention: mail.Retention{Kind: mail.RetainDays, Days: 30}}
	return []mail.Account{work, home, ja}
}

func englishSubject(i int) string {
	subjects := []string{"Quarterly report", "Your invoice for November", "Lunch on Friday?", "Re: the build is broken again, can someone with access to the CI machines take a look", "Photos from the trip"}
	return fmt.Sprintf("[%d] %s", i+1, subjects[i%len(subjects)])
}

func japaneseSubject(i int) string {
	subjects := []string{"会議の議事録について", "【重要】システムメンテナンスのお知らせ（11月30日 2:00～6:00）", "Re: 見積書の件", "週末の予定", "請求書を送付いたします"}
	return fmt.Sprintf("[%d] %s", i+1, subjects[i%len(subjects)])
}

func testDeps(l lang) deps {
	return deps{lang: l, styles: newStyles(), now: func() time.Time { return appNow }, plain: true}
}

// testApp is a root model on st, sized w x h and settled (accounts and the
// first page loaded).
func testApp(t *testing.T, st *memStore, l lang, w, h int) appModel {
	t.Helper()
	m := newApp(testDeps(l), st, appConfig{version: "test", saveDir: t.TempDir()})
	m.after = noTimer
	m, _ = m.update(tea.WindowSizeMsg{Width: w, Height: h})
	return settle(t, m, m.Init())
}

// noTimer stands in for tea.Tick in tests: timers never fire; the tests
// send the timers' messages themselves.
func noTimer(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }

func TestAppStartsOnActiveList(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 50, englishSubject)
	m := testApp(t, st, langEN, 80, 24)
	if m.screen != screenList || !m.hasActive || m.active.ID != "1" {
		t.Fatalf("screen %v active %q, want the list of account 1", m.screen, m.active.ID)
	}
	if m.list.total != 50 || len(m.list.win) == 0 {
		t.Fatalf("list total %d, %d rows loaded", m.list.total, len(m.list.win))
	}
	out := screenText(m)
	for _, want := range []string{"[1] Quarterly report", "Work <ann@example.com> · 50 messages", "last fetch 09:30"} {
		if !strings.Contains(out, want) {
			t.Errorf("screen lacks %q:\n%s", want, out)
		}
	}
	checkScreen(t, m.View(), 80, 24)
	if st.pageN != 1 {
		t.Errorf("startup read %d pages, want 1", st.pageN)
	}
}

func TestAppNoAccountOpensWizard(t *testing.T) {
	st := newMemStore()
	m := testApp(t, st, langEN, 80, 24)
	if m.screen != screenWizard {
		t.Fatalf("screen %v, want the wizard", m.screen)
	}
	m, _ = m.update(wizardCancelledMsg{})
	if m.screen != screenAccounts {
		t.Fatalf("after cancel screen %v, want accounts", m.screen)
	}
	if !strings.Contains(screenText(m), "No account yet. Press a to add one.") {
		t.Errorf("accounts screen lacks the hint:\n%s", screenText(m))
	}
	checkScreen(t, m.View(), 80, 24)
}

// TestAppWizardGetsItsData: opening the wizard reads nothing in update; a
// command reads the account to edit, the accounts and the sharing policy,
// and the wizard is built on them. A stale or failed load is handled.
func TestAppWizardGetsItsData(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.policy = store.PolicyPublic
	st.passwords["2/in"] = "home-pw"
	m := testApp(t, st, langEN, 80, 24)
	m = press(t, m, "A")

	reads := st.reads()
	m, cmd := m.update(keyMsg("a"))
	if st.reads() != reads {
		t.Fatal("update read the store to open the wizard")
	}
	if m.screen != screenWizard || m.wizard != nil || cmd == nil {
		t.Fatalf("a: screen %v wizard %v cmd %v, want the wizard's screen loading", m.screen, m.wizard != nil, cmd != nil)
	}
	m = settle(t, m, cmd)
	if m.wizard == nil || m.wizard.existing != nil {
		t.Fatal("no wizard for a new account after the load")
	}
	if want := []string{"Work", "Home", "個人"}; !slices.Equal(m.wizard.taken, want) {
		t.Errorf("names taken %q, want %q", m.wizard.taken, want)
	}
	if s, forced := m.wizard.sharingForced(); !forced || s != mail.SharingPublic {
		t.Errorf("sharing forced %v %v, want public by the policy", s, forced)
	}

	m, _ = m.update(wizardCancelledMsg{})
	m, cmd = m.update(keyMsg("down"))
	m = settle(t, m, cmd)
	reads = st.reads()
	m, cmd = m.update(keyMsg("e"))
	if st.reads() != reads || m.screen != screenWizard || m.wizard != nil {
		t.Fatalf("e: reads %d -> %d, screen %v", reads, st.reads(), m.screen)
	}
	// A load of an earlier request is dropped.
	stale, _ := m.update(wizardLoadedMsg{req: m.wizReq - 1})
	if stale.wizard != nil {
		t.Fatal("a stale load opened the wizard")
	}
	m = settle(t, m, cmd)
	if m.wizard == nil || m.wizard.existing == nil || m.wizard.existing.ID != "2" || m.wizard.existing.Incoming.Password != "home-pw" {
		t.Fatalf("edit: wizard %+v", m.wizard)
	}
	if want := []string{"Work", "個人"}; !slices.Equal(m.wizard.taken, want) {
		t.Errorf("names taken while editing Home %q, want %q", m.wizard.taken, want)
	}

	// The account to edit cannot be read: back to the accounts with a note.
	m, _ = m.update(wizardCancelledMsg{})
	m, _ = m.update(keyMsg("e"))
	m, _ = m.update(wizardLoadedMsg{req: m.wizReq, err: store.ErrNoAccount})
	if m.screen != screenAccounts || m.wizard != nil || !strings.Contains(screenText(m), "Could not read the account") {
		t.Errorf("failed load: screen %v\n%s", m.screen, screenText(m))
	}
}

func TestAppWizardSavedShowsList(t *testing.T) {
	st := newMemStore()
	m := testApp(t, st, langEN, 80, 24)
	a, _ := st.AddAccount(testAccounts()[0])
	st.fill(a.ID, 3, englishSubject)
	m, cmd := m.update(wizardSavedMsg{acct: a, added: true})
	m = settle(t, m, cmd)
	if m.screen != screenList || m.active.ID != a.ID || m.list.total != 3 {
		t.Fatalf("screen %v active %q total %d after the first account was added", m.screen, m.active.ID, m.list.total)
	}
}

func TestAppSwitchShortcuts(t *testing.T) {
	tests := []struct {
		name   string
		keys   []string
		active string
	}{
		{"alt+2 picks the second account", []string{"alt+2"}, "2"},
		{"alt+3 picks the third", []string{"alt+3"}, "3"},
		{"alt+9 without a ninth stays", []string{"alt+9"}, "1"},
		{"] cycles forward", []string{"]"}, "2"},
		{"] twice", []string{"]", "]"}, "3"},
		{"] wraps around", []string{"]", "]", "]"}, "1"},
		{"[ wraps backwards", []string{"["}, "3"},
		{"ctrl+a then enter keeps the active one", []string{"ctrl+a", "enter"}, "1"},
		{"ctrl+a, down, enter", []string{"ctrl+a", "down", "enter"}, "2"},
		{"ctrl+a, 3", []string{"ctrl+a", "3"}, "3"},
		{"ctrl+a, esc cancels", []string{"ctrl+a", "down", "esc"}, "1"},
		{"alt+2 works while the filter is typed", []string{"/", "x", "alt+2"}, "2"},
		{"[ while the filter is typed is a letter", []string{"/", "["}, "1"},
		{"from the reader", []string{"enter", "alt+2"}, "2"},
		{"from the accounts screen", []string{"A", "]"}, "2"},
		{"enter on the accounts screen", []string{"A", "down", "down", "enter"}, "3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newMemStore(testAccounts()...)
			st.fill("1", 20, englishSubject)
			st.fill("2", 7, japaneseSubject)
			st.fill("3", 0, englishSubject)
			m := testApp(t, st, langEN, 80, 24)
			m = press(t, m, tc.keys...)
			if m.active.ID != tc.active {
				t.Fatalf("active %q, want %q", m.active.ID, tc.active)
			}
			if m.list.acct != tc.active {
				t.Errorf("list shows account %q, want %q", m.list.acct, tc.active)
			}
			if a, _ := m.accts.selected(); a.ID != tc.active {
				t.Errorf("the accounts screen's cursor is on %q, not on the active account", a.ID)
			}
			want := map[string]int{"1": 20, "2": 7, "3": 0}[tc.active]
			if m.list.total != want {
				t.Errorf("list total %d, want %d", m.list.total, want)
			}
			if tc.active != "1" {
				if len(st.used) == 0 || st.used[len(st.used)-1] != tc.active {
					t.Errorf("store.Use calls %v, want the last to be %q", st.used, tc.active)
				}
				if m.screen == screenReader {
					t.Errorf("the reader of another account stayed open")
				}
			}
			checkScreen(t, m.View(), 80, 24)
		})
	}
}

func TestAppSwitchShowsNewListAtOnce(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 20, englishSubject)
	st.fill("2", 7, japaneseSubject)
	m := testApp(t, st, langEN, 80, 24)
	m, cmd := m.update(keyMsg("alt+2"))
	if m.list.acct != "2" || m.active.ID != "2" {
		t.Fatalf("the key did not switch the list at once: list %q", m.list.acct)
	}
	m = settle(t, m, cmd)
	if !strings.Contains(screenText(m), "会議の議事録について") {
		t.Errorf("list of Home not shown:\n%s", screenText(m))
	}
	if !strings.Contains(screenText(m), "Now using Home.") {
		t.Errorf("no notice of the switch:\n%s", screenText(m))
	}
}

// syncScript is a fake mail.Sync: it reports the given progress values one
// by one, committing a message whenever Committed grows, waiting for the
// test between steps, and ends with res / err or the context's error.
type syncScript struct {
	steps []mail.Progress
	res   mail.SyncResult
	err   error
	next  chan struct{} // one value per step; closed = run to the end
	calls int
	acct  mail.Account
}

func (s *syncScript) fn(ctx context.Context, acct mail.Account, cache mail.Cache, _ mail.SyncOptions, report func(mail.Progress)) (mail.SyncResult, error) {
	s.calls++
	s.acct = acct
	committed := 0
	res := s.res
	for _, p := range s.steps {
		select {
		case <-ctx.Done():
			res.New = committed
			return res, fmt.Errorf("fetch: %w", ctx.Err())
		case <-s.next:
		}
		for committed < p.Committed {
			committed++
			if _, err := cache.Commit(acct.ID, []mail.NewMessage{{UID: "n" + strconv.Itoa(committed), Summary: mail.Summary{Subject: fmt.Sprintf("fresh %d", committed), Date: appNow}}}); err != nil {
				return res, err
			}
		}
		report(p)
	}
	select {
	case <-ctx.Done():
		res.New = committed
		return res, fmt.Errorf("fetch: %w", ctx.Err())
	case <-s.next:
	}
	return res, s.err
}

// loop is a small event loop for tests whose commands block (a fetch and
// its progress waiter): commands run in goroutines that outlive one call,
// as in Bubble Tea, and idle feeds their messages back until it is quiet.
type loop struct {
	t    *testing.T
	m    appModel
	msgs chan tea.Msg
}

func newLoop(t *testing.T, m appModel) *loop {
	return &loop{t: t, m: m, msgs: make(chan tea.Msg, 1000)}
}

func (l *loop) start(c tea.Cmd) {
	if c != nil {
		go func() { l.msgs <- c() }()
	}
}

// idle handles messages until none came for a moment.
func (l *loop) idle() {
	for {
		select {
		case msg := <-l.msgs:
			switch msg := msg.(type) {
			case nil:
			case tea.BatchMsg:
				for _, c := range msg {
					l.start(c)
				}
			default:
				var c tea.Cmd
				l.m, c = l.m.update(msg)
				l.start(c)
			}
		case <-time.After(80 * time.Millisecond):
			return
		}
	}
}

// key presses k and returns its command's first result when asked to
// look at it; the rest runs in the loop.
func (l *loop) key(k string) {
	var c tea.Cmd
	l.m, c = l.m.update(keyMsg(k))
	l.start(c)
	l.idle()
}

func TestAppFetchProgressAndCommit(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 10, englishSubject)
	st.passwords["1/in"] = "secret"
	s := &syncScript{
		steps: []mail.Progress{
			{Phase: mail.PhaseConnect},
			{Phase: mail.PhaseRetrieve, Messages: 1, MessagesTotal: 4, Bytes: 1000, BytesTotal: 4000, Session: 1},
			{Phase: mail.PhaseRetrieve, Messages: 2, MessagesTotal: 4, Bytes: 2000, BytesTotal: 4000, Committed: 2, Session: 1},
			{Phase: mail.PhaseRetrieve, Messages: 4, MessagesTotal: 4, Bytes: 4000, BytesTotal: 4000, Committed: 4, Session: 1},
		},
		res:  mail.SyncResult{New: 4},
		next: make(chan struct{}),
	}
	m := testApp(t, st, langEN, 80, 24)
	m.syncFn = s.fn
	l := newLoop(t, m)
	l.key("f")
	if !l.m.fetching {
		t.Fatal("f did not start a fetch")
	}
	if l.m.bodyHeight() != 24-3 {
		t.Errorf("body height %d while fetching, want 21", l.m.bodyHeight())
	}
	step := func() {
		s.next <- struct{}{}
		l.idle()
	}
	step()
	if out := screenText(l.m); !strings.Contains(out, "Work: connecting…") {
		t.Errorf("phase not shown:\n%s", out)
	}
	step()
	if out := screenText(l.m); !strings.Contains(out, "Work: 1/4 messages, 1000B/4K") || !strings.Contains(out, "25%") {
		t.Errorf("progress not shown:\n%s", out)
	}
	if l.m.list.total != 10 {
		t.Errorf("list reloaded before a commit: total %d", l.m.list.total)
	}
	step()
	if l.m.list.total != 12 {
		t.Errorf("list total %d after 2 committed, want 12", l.m.list.total)
	}
	if !strings.Contains(screenText(l.m), "fresh 2") {
		t.Errorf("committed message not listed:\n%s", screenText(l.m))
	}
	checkScreen(t, l.m.View(), 80, 24)
	step()
	step() // the engine returns
	if l.m.fetching {
		t.Fatal("still fetching after the engine returned")
	}
	if l.m.list.total != 14 {
		t.Errorf("list total %d after the fetch, want 14", l.m.list.total)
	}
	if out := screenText(l.m); !strings.Contains(out, "fetched 10:42: 4 new") {
		t.Errorf("outcome not in the status bar:\n%s", out)
	}
	if s.acct.Incoming.Password != "secret" {
		t.Errorf("sync got the account without its password")
	}
	if s.calls != 1 {
		t.Errorf("sync ran %d times", s.calls)
	}
	checkScreen(t, l.m.View(), 80, 24)
}

func TestAppFetchCancel(t *testing.T) {
	for _, key := range []string{"esc", "ctrl+c"} {
		t.Run(key, func(t *testing.T) {
			st := newMemStore(testAccounts()...)
			st.fill("1", 10, englishSubject)
			s := &syncScript{
				steps: []mail.Progress{{Phase: mail.PhaseRetrieve, Messages: 1, MessagesTotal: 9, Committed: 1}, {Phase: mail.PhaseRetrieve, Messages: 2, MessagesTotal: 9, Committed: 1}},
				next:  make(chan struct{}),
			}
			m := testApp(t, st, langEN, 80, 24)
			m.syncFn = s.fn
			l := newLoop(t, m)
			l.key("f")
			s.next <- struct{}{}
			l.idle()
			if l.m.fetch.last.Committed != 1 || l.m.list.total != 11 {
				t.Fatalf("progress not taken: %+v, total %d", l.m.fetch.last, l.m.list.total)
			}
			m, cmd := l.m.update(keyMsg(key))
			if !m.fetch.cancelling || m.quitting {
				t.Fatalf("%s: cancelling %v quitting %v", key, m.fetch.cancelling, m.quitting)
			}
			if cmd != nil {
				t.Fatalf("%s returned a command (quit?)", key)
			}
			if !strings.Contains(screenText(m), "cancelling the fetch") {
				t.Errorf("no cancelling line:\n%s", screenText(m))
			}
			l.m = m
			l.idle()
			if l.m.fetching {
				t.Fatal("still fetching after cancel")
			}
			if l.m.banner != "" {
				t.Errorf("a cancelled fetch put up a banner: %q", l.m.banner)
			}
			if out := screenText(l.m); !strings.Contains(out, "fetch cancelled, 1 new kept") {
				t.Errorf("outcome missing:\n%s", out)
			}
			if l.m.list.total != 11 {
				t.Errorf("the committed message is not listed: total %d", l.m.list.total)
			}
			// Now ctrl+c quits.
			_, cmd = l.m.update(keyMsg("ctrl+c"))
			if cmd == nil {
				t.Fatal("ctrl+c after the fetch did nothing")
			}
			if _, quit := cmd().(tea.QuitMsg); !quit {
				t.Error("ctrl+c after the fetch did not quit")
			}
		})
	}
}

func TestAppQuitWhileFetching(t *testing.T) {
	st := newMemStore(testAccounts()...)
	s := &syncScript{steps: []mail.Progress{{Phase: mail.PhaseLogin}}, next: make(chan struct{})}
	m := testApp(t, st, langEN, 80, 24)
	m.syncFn = s.fn
	l := newLoop(t, m)
	l.key("f")
	l.key("q")
	if !l.m.quitting {
		t.Fatal("q did not quit")
	}
	if err := l.m.shutdown(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-l.m.fetch.finished:
	default:
		t.Fatal("shutdown returned before the fetch stopped")
	}
}

func TestAppFetchErrorBanner(t *testing.T) {
	accts := testAccounts()
	tests := []struct {
		err  error
		want string
	}{
		{&mail.AuthError{}, "pop.example.com refused the password for ann@example.com: change the incoming password with p on the accounts screen (A, then p)."},
		{fmt.Errorf("read: %w", mail.ErrTimeout), "pop.example.com did not answer in time"},
		{fmt.Errorf("dial: %w", mail.ErrUnreachable), "Cannot reach pop.example.com on port 995"},
		{fmt.Errorf("tls: %w", mail.ErrCertificate), "The certificate of pop.example.com is not trusted"},
		{fmt.Errorf("uidl: %w", mail.ErrNoUIDL), "pop.example.com does not support UIDL"},
		{fmt.Errorf("login: %w", mail.ErrLoginDelay), "pop.example.com asks for more time between logins"},
		{fmt.Errorf("stat: %w", mail.ErrMailbox), "select a new one"},
		{fmt.Errorf("tls: %w", mail.ErrTLSMismatch), "Port 995 of pop.example.com does not match the SSL setting"},
		{errors.New("disk full"), "The fetch failed: disk full. Press f to try again."},
	}
	for _, tc := range tests {
		t.Run(tc.want[:min(len(tc.want), 24)], func(t *testing.T) {
			st := newMemStore(accts...)
			st.fill("1", 5, englishSubject)
			m := testApp(t, st, langEN, 80, 24)
			m.syncFn = func(context.Context, mail.Account, mail.Cache, mail.SyncOptions, func(mail.Progress)) (mail.SyncResult, error) {
				return mail.SyncResult{}, tc.err
			}
			m = press(t, m, "f")
			if m.fetching {
				t.Fatal("fetch did not end")
			}
			if !strings.Contains(m.banner, tc.want) || !m.bannerErr {
				t.Fatalf("banner %q, want it to contain %q", m.banner, tc.want)
			}
			view := m.View()
			checkScreen(t, view, 80, 24)
			if !strings.Contains(strings.ReplaceAll(ansi.Strip(view), "\n! ", " "), m.banner[:40]) {
				t.Errorf("banner not on screen:\n%s", ansi.Strip(view))
			}
			if !strings.Contains(ansi.Strip(view), "fetch failed (10:42)") {
				t.Errorf("status bar lacks the outcome:\n%s", ansi.Strip(view))
			}
			m = press(t, m, "esc")
			if m.banner != "" {
				t.Errorf("esc did not dismiss the banner")
			}
			if m.bodyHeight() != 22 {
				t.Errorf("body height %d after the banner went, want 22", m.bodyHeight())
			}
		})
	}
}

func TestAppFetchErrorJapanese(t *testing.T) {
	st := newMemStore(testAccounts()...)
	m := testApp(t, st, langJA, 80, 24)
	m.syncFn = func(context.Context, mail.Account, mail.Cache, mail.SyncOptions, func(mail.Progress)) (mail.SyncResult, error) {
		return mail.SyncResult{}, &mail.AuthError{}
	}
	m = press(t, m, "f")
	want := "pop.example.com が ann@example.com のパスワードを拒否しました。アカウント画面（A）で p を押して受信パスワードを変更してください。"
	if m.banner != want {
		t.Errorf("banner %q, want %q", m.banner, want)
	}
	checkScreen(t, m.View(), 80, 24)
}

func TestAppAutoFetch(t *testing.T) {
	st := newMemStore(testAccounts()...)
	m := testApp(t, st, langEN, 80, 24)
	m.cfg.interval = time.Minute
	calls := 0
	m.syncFn = func(ctx context.Context, a mail.Account, c mail.Cache, _ mail.SyncOptions, _ func(mail.Progress)) (mail.SyncResult, error) {
		calls++
		c.Commit(a.ID, []mail.NewMessage{{UID: "x", Summary: mail.Summary{Subject: "auto", Date: appNow}}})
		return mail.SyncResult{New: 1}, nil
	}
	m, cmd := m.update(fetchTickMsg{seq: m.tickSeq})
	if !m.fetching {
		t.Fatal("the timer did not start a fetch")
	}
	m = settle(t, m, cmd)
	if calls != 1 || m.fetching {
		t.Fatalf("calls %d fetching %v", calls, m.fetching)
	}
	if !strings.Contains(screenText(m), "New mail: 1 message ") {
		t.Errorf("no new-mail notice:\n%s", screenText(m))
	}
	// A stale timer does nothing.
	m, _ = m.update(fetchTickMsg{seq: m.tickSeq + 1})
	if m.fetching {
		t.Error("a stale timer started a fetch")
	}
}

func TestFetchInterval(t *testing.T) {
	for v, want := range map[string]time.Duration{"": 0, "0": 0, "-3": 0, "x": 0, "5": 5 * time.Minute, " 15 ": 15 * time.Minute} {
		got := fetchInterval(func(k string) string {
			if k == fetchIntervalEnv {
				return v
			}
			return ""
		})
		if got != want {
			t.Errorf("%q: %v, want %v", v, got, want)
		}
	}
}

func TestAppDeleteUndoCommit(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 10, englishSubject)
	m := testApp(t, st, langEN, 80, 24)
	m = press(t, m, "j", "d")
	if m.list.total != 9 {
		t.Fatalf("total %d after d, want 9", m.list.total)
	}
	if strings.Contains(screenText(m), "[2] Your invoice") {
		t.Errorf("deleted message still listed:\n%s", screenText(m))
	}
	if !strings.Contains(screenText(m), "Deleted. u brings it back (5 s).") {
		t.Errorf("no undo notice:\n%s", screenText(m))
	}
	if len(st.deleted) != 0 {
		t.Fatal("the store delete ran at once")
	}
	m = press(t, m, "u")
	if m.list.total != 10 || !strings.Contains(screenText(m), "[2] Your invoice") {
		t.Fatalf("undo did not bring it back: total %d\n%s", m.list.total, screenText(m))
	}
	// Delete two, let the first one's window pass.
	m = press(t, m, "d")
	first := m.pending[0]
	m = press(t, m, "d")
	if m.list.total != 8 || len(m.pending) != 2 {
		t.Fatalf("total %d, pending %d", m.list.total, len(m.pending))
	}
	m, cmd := m.update(deleteDueMsg{seq: first.seq})
	m = settle(t, m, cmd)
	if !slices.Equal(st.deleted, []string{first.id}) {
		t.Fatalf("store deletes %v, want [%s]", st.deleted, first.id)
	}
	if m.list.total != 8 || len(m.pending) != 1 {
		t.Fatalf("after the first delete: total %d pending %d", m.list.total, len(m.pending))
	}
	// Quitting commits the pending one.
	m, _ = m.update(keyMsg("q"))
	if !m.quitting {
		t.Fatal("q did not quit")
	}
	if err := m.shutdown(); err != nil {
		t.Fatal(err)
	}
	if len(st.deleted) != 2 {
		t.Errorf("after quit the store deleted %v, want two", st.deleted)
	}
}

func TestAppDeleteKeepsOffsets(t *testing.T) {
	// A deleted message before the window must not shift later pages.
	st := newMemStore(testAccounts()...)
	st.fill("1", 1000, englishSubject)
	m := testApp(t, st, langEN, 80, 24)
	m = press(t, m, "d") // deletes [1]
	m = press(t, m, "G")
	sel, ok := m.list.selected()
	if !ok || sel.Summary.Subject != englishSubject(999) {
		t.Fatalf("last row %q, want %q", sel.Summary.Subject, englishSubject(999))
	}
	if m.list.total != 999 {
		t.Errorf("total %d", m.list.total)
	}
	m = press(t, m, "g")
	sel, _ = m.list.selected()
	if sel.Summary.Subject != englishSubject(1) {
		t.Errorf("first row %q after delete", sel.Summary.Subject)
	}
	m = press(t, m, "pgdown", "pgdown", "pgdown", "pgdown", "pgdown", "pgdown", "pgdown")
	sel, _ = m.list.selected()
	if want := englishSubject(m.list.cursor + 1); sel.Summary.Subject != want {
		t.Errorf("row %d is %q, want %q", m.list.cursor, sel.Summary.Subject, want)
	}
}

func TestAppReaderFlow(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 10, englishSubject)
	m := testApp(t, st, langEN, 80, 24)
	m = press(t, m, "enter")
	if m.screen != screenReader || !m.reader.loaded {
		t.Fatalf("enter: screen %v loaded %v", m.screen, m.reader.loaded)
	}
	if !st.seen["1-10"] {
		t.Error("opening did not mark the message read in the store")
	}
	if r := m.list.win[0]; !r.msg.Seen || r.mark != "   " {
		t.Errorf("list row still unread: %+v", r.mark)
	}
	if !strings.Contains(screenText(m), "Body of 1-10") {
		t.Errorf("body not shown:\n%s", screenText(m))
	}
	m = press(t, m, "n")
	if m.reader.msg.ID != "1-9" {
		t.Errorf("n opened %q, want 1-9", m.reader.msg.ID)
	}
	m = press(t, m, "p", "p")
	if m.reader.msg.ID != "1-10" || !strings.Contains(screenText(m), "This is the first message.") {
		t.Errorf("p at the top: %q\n%s", m.reader.msg.ID, screenText(m))
	}
	m = press(t, m, "d")
	if m.screen != screenReader || m.reader.msg.ID != "1-9" {
		t.Errorf("d in the reader: screen %v, message %q; want the next one", m.screen, m.reader.msg.ID)
	}
	m = press(t, m, "q")
	if m.screen != screenList || m.quitting {
		t.Errorf("q in the reader: screen %v quitting %v", m.screen, m.quitting)
	}
	checkScreen(t, m.View(), 80, 24)
}

func TestAppNextAcrossPages(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 2000, englishSubject)
	m := testApp(t, st, langEN, 80, 24)
	m = press(t, m, "enter")
	for i := 0; i < 400; i++ {
		var cmd tea.Cmd
		m, cmd = m.update(keyMsg("n"))
		m = settle(t, m, cmd)
	}
	if m.reader.msg.ID != "1-1600" {
		t.Errorf("after 400 × n the reader shows %q, want 1-1600", m.reader.msg.ID)
	}
}

func TestAppAccountsScreen(t *testing.T) {
	st := newMemStore(testAccounts()...)
	m := testApp(t, st, langEN, 80, 24)
	m = press(t, m, "A")
	if m.screen != screenAccounts {
		t.Fatalf("A: screen %v", m.screen)
	}
	m = press(t, m, "tab")
	if m.screen != screenList {
		t.Fatalf("tab back: screen %v", m.screen)
	}
	m = press(t, m, "tab", "down", "x")
	if !m.accts.confirming {
		t.Fatal("x did not ask")
	}
	if !strings.Contains(screenText(m), "Remove the account Home (ann@gmail.com)") {
		t.Errorf("question not shown:\n%s", screenText(m))
	}
	m = press(t, m, "n")
	if m.accts.confirming || len(st.accounts) != 3 {
		t.Fatal("n did not keep the account")
	}
	m = press(t, m, "D", "y")
	if len(st.accounts) != 2 || len(m.accounts) != 2 {
		t.Fatalf("y did not remove: store %d, app %d", len(st.accounts), len(m.accounts))
	}
	if !strings.Contains(screenText(m), "Removed Home.") {
		t.Errorf("no note:\n%s", screenText(m))
	}
	// o on an account with the same credentials explains instead.
	m = press(t, m, "up", "o")
	if m.screen != screenAccounts || !strings.Contains(screenText(m), "sends with its incoming credentials") {
		t.Errorf("o on Work:\n%s", screenText(m))
	}
	m = press(t, m, "e")
	if m.screen != screenWizard {
		t.Fatalf("e: screen %v, want the wizard", m.screen)
	}
	m, _ = m.update(wizardCancelledMsg{})
	if m.screen != screenAccounts {
		t.Errorf("wizard cancel returned to %v", m.screen)
	}
	m = press(t, m, "a")
	if m.screen != screenWizard {
		t.Fatalf("a: screen %v, want the wizard", m.screen)
	}
}

func TestAppRemoveActiveAccount(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 4, englishSubject)
	st.fill("2", 6, englishSubject)
	m := testApp(t, st, langEN, 80, 24)
	m = press(t, m, "A", "x", "y")
	if m.active.ID != "2" || m.list.acct != "2" || m.list.total != 6 {
		t.Fatalf("after removing the active account: active %q list %q total %d", m.active.ID, m.list.acct, m.list.total)
	}
}

func TestAppPasswordChange(t *testing.T) {
	tests := []struct {
		name    string
		keys    []string
		checker checker
		saved   string
		screen  screen
		text    string
	}{
		{"incoming with test", []string{"A", "p", "n", "e", "w", "ctrl+t", "enter"}, stubChecker{}, "new", screenAccounts, "The incoming password of Work was changed."},
		{"test refused", []string{"A", "p", "b", "a", "d", "ctrl+t", "enter"}, stubChecker{pop: &mail.AuthError{}}, "", screenPasswd, "pop.example.com refused the password for ann@example.com: check it and type it again."},
		{"test off by default", []string{"A", "p", "b", "a", "d", "enter"}, stubChecker{pop: &mail.AuthError{}}, "bad", screenAccounts, "changed"},
		{"test on and off again", []string{"A", "p", "b", "a", "d", "ctrl+t", "ctrl+t", "enter"}, stubChecker{pop: &mail.AuthError{}}, "bad", screenAccounts, "changed"},
		{"no checker", []string{"A", "p", "x", "enter"}, nil, "x", screenAccounts, "changed"},
		{"empty", []string{"A", "p", "enter"}, stubChecker{}, "", screenPasswd, "Type the new password."},
		{"esc cancels", []string{"A", "p", "x", "esc"}, stubChecker{}, "", screenAccounts, ""},
		{"outgoing of Home", []string{"A", "down", "o", "s", "ctrl+t", "enter"}, stubChecker{}, "s", screenAccounts, "The outgoing password of Home was changed."},
		{"outgoing refused", []string{"A", "down", "o", "s", "ctrl+t", "enter"}, stubChecker{smtp: fmt.Errorf("auth: %w", mail.ErrAuth)}, "", screenPasswd, "smtp.gmail.com refused the password for ann@gmail.com"},
		{"no checker, ctrl+t stays off", []string{"A", "p", "x", "ctrl+t", "enter"}, nil, "x", screenAccounts, "changed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newMemStore(testAccounts()...)
			d := testDeps(langEN)
			d.checker = tc.checker
			m := newApp(d, st, appConfig{})
			m.after = noTimer
			m, _ = m.update(tea.WindowSizeMsg{Width: 80, Height: 24})
			m = settle(t, m, m.Init())
			m = press(t, m, tc.keys...)
			if m.screen != tc.screen {
				t.Fatalf("screen %v, want %v\n%s", m.screen, tc.screen, screenText(m))
			}
			got := st.passwords["1/in"] + st.passwords["2/out"]
			if got != tc.saved {
				t.Errorf("stored %q, want %q", got, tc.saved)
			}
			shown := strings.Join(strings.Fields(screenText(m)+" "+m.passwd.errText), " ")
			if tc.text != "" && !strings.Contains(shown, tc.text) {
				t.Errorf("screen lacks %q:\n%s", tc.text, screenText(m))
			}
			if strings.Contains(screenText(m), "bad") {
				t.Errorf("the password is shown in clear:\n%s", screenText(m))
			}
			checkScreen(t, m.View(), 80, 24)
		})
	}
}

// stubChecker answers every login test with fixed errors.
type stubChecker struct{ pop, smtp error }

func (c stubChecker) CheckPOP3(context.Context, mail.Account) error { return c.pop }
func (c stubChecker) CheckSMTP(context.Context, mail.Account) error { return c.smtp }

func TestAppHelpToggle(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 3, englishSubject)
	m := testApp(t, st, langEN, 80, 24)
	m = press(t, m, "?")
	if m.screen != screenHelp {
		t.Fatalf("? opened %v", m.screen)
	}
	out := screenText(m)
	for _, want := range []string{"ctrl+a", "switch account", "alt+1…9", "fetch mail", "next message"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
	m = press(t, m, "?")
	if m.screen != screenList {
		t.Errorf("? again: %v", m.screen)
	}
	m = press(t, m, "enter", "?", "esc")
	if m.screen != screenReader {
		t.Errorf("help from the reader returned to %v", m.screen)
	}
}

func TestAppResizeReachesEveryScreen(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 100, japaneseSubject)
	m := testApp(t, st, langEN, 80, 24)
	m = press(t, m, "enter")
	for _, size := range [][2]int{{120, 40}, {40, 12}, {80, 24}, {200, 60}} {
		m, _ = m.update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		for _, s := range []screen{screenList, screenReader, screenAccounts, screenHelp} {
			mm := m
			mm.screen = s
			if s == screenHelp {
				mm = mm.openHelp()
			}
			checkScreen(t, mm.View(), size[0], size[1])
		}
		if m.list.width != size[0] || m.reader.width != size[0] || m.accts.width != size[0] {
			t.Errorf("size %v did not reach every screen", size)
		}
	}
}

func TestAppKeepsBindingsAwayFromTyping(t *testing.T) {
	// While the filter is typed, f, q, A, ? and [ are letters.
	st := newMemStore(testAccounts()...)
	st.fill("1", 30, englishSubject)
	m := testApp(t, st, langEN, 80, 24)
	m.syncFn = func(context.Context, mail.Account, mail.Cache, mail.SyncOptions, func(mail.Progress)) (mail.SyncResult, error) {
		t.Error("a fetch started while typing")
		return mail.SyncResult{}, nil
	}
	m = press(t, m, "/", "f", "q", "A", "?", "[")
	if m.screen != screenList || m.quitting || m.fetching {
		t.Fatalf("screen %v quitting %v fetching %v", m.screen, m.quitting, m.fetching)
	}
	if got := m.list.filter.Value(); got != "fqA?[" {
		t.Errorf("filter %q", got)
	}
}

// TestMessageKeysExist checks that every message key named in the screens'
// source is in the catalog, in both languages: a missing one would show as
// its key.
func TestMessageKeysExist(t *testing.T) {
	keyRe := regexp.MustCompile(`"((?:app|list|reader|acct|help|fetch|pw)\.[A-Za-z]+)"`)
	files := []string{"app.go", "list.go", "reader.go", "accounts.go", "passwd.go", "fetch.go", "keys.go"}
	seen := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRe.FindAllStringSubmatch(string(b), -1) {
			seen++
			v, ok := catalog[m[1]]
			if !ok || v[0] == "" || v[1] == "" {
				t.Errorf("%s: message %q is not in the catalog in both languages", f, m[1])
			}
		}
	}
	if seen < 100 {
		t.Errorf("found only %d message keys; the pattern is wrong", seen)
	}
}

// TestAppJapaneseNoEnglishFromBelow: whatever kind of error mail or store
// returns to a fetch, a Japanese screen says it in Japanese: no English
// sentence of theirs shows through.
func TestAppJapaneseNoEnglishFromBelow(t *testing.T) {
	english := regexp.MustCompile(`(?i)\b(the|is|are|was|not|with|and|to|of|for|could|cannot|does|did|this|that|check|again|popbox list|run)\b`)
	errs := []error{
		fmt.Errorf("x: %w", mail.ErrAuth), fmt.Errorf("x: %w", mail.ErrUnreachable), fmt.Errorf("x: %w", mail.ErrTimeout),
		fmt.Errorf("x: %w", mail.ErrTLSMismatch), fmt.Errorf("x: %w", mail.ErrCertificate), fmt.Errorf("x: %w", mail.ErrNoSTARTTLS),
		fmt.Errorf("x: %w", mail.ErrNoUIDL), fmt.Errorf("x: %w", mail.ErrProtocol), fmt.Errorf("x: %w", mail.ErrMailbox),
		fmt.Errorf("x: %w", mail.ErrQuitRefused), fmt.Errorf("x: %w", mail.ErrLoginDelay),
		&mail.LoginDelayError{Host: "pop.example.com", Delay: time.Minute},
		&store.NotFoundError{Kind: store.ErrNoAccount, ID: "1"},
		&store.KeyFileError{Path: "/k", Problem: store.KeyMissing},
		&store.KeyFileError{Path: "/k", Problem: store.KeyMismatch, Account: "Work", Side: "incoming"},
		&store.PolicyError{Path: "/p", Why: "EACCES"},
	}
	for _, e := range errs {
		st := newMemStore(testAccounts()...)
		m := testApp(t, st, langJA, 100, 30)
		m.syncFn = func(context.Context, mail.Account, mail.Cache, mail.SyncOptions, func(mail.Progress)) (mail.SyncResult, error) {
			return mail.SyncResult{}, e
		}
		m = press(t, m, "f")
		if m.banner == "" || english.MatchString(m.banner) || !strings.ContainsFunc(m.banner, func(r rune) bool { return r >= 0x3040 && r <= 0x9fff }) {
			t.Errorf("%v: banner %q", e, m.banner)
		}
	}
}

// TestAppBadFetchInterval: a POPBOX_FETCH_INTERVAL that is not a number of
// minutes is not ignored in silence: the first screen says why popbox will
// not fetch on its own.
func TestAppBadFetchInterval(t *testing.T) {
	getenv := func(v string) func(string) string {
		return func(k string) string {
			if k == fetchIntervalEnv {
				return v
			}
			return ""
		}
	}
	for v, bad := range map[string]bool{"abc": true, "-3": true, "1.5": true, "": false, "0": false, "10": false} {
		if got := badFetchInterval(getenv(v)) != ""; got != bad {
			t.Errorf("%q: bad %v, want %v", v, got, bad)
		}
	}
	for _, l := range []lang{langEN, langJA} {
		m := newApp(testDeps(l), newMemStore(testAccounts()...), appConfig{badInterval: "abc"})
		m.after = noTimer
		m, _ = m.update(tea.WindowSizeMsg{Width: 100, Height: 30})
		m = settle(t, m, m.Init())
		if v := screenText(m); !strings.Contains(v, "POPBOX_FETCH_INTERVAL") || !strings.Contains(v, `"abc"`) {
			t.Errorf("lang %d: the screen does not say why:\n%s", l, v)
		}
	}
}
