package tui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"popbox/mail"
	"popbox/tui/render"
)

// TestAppFetchEvery: an account with an interval of its own is fetched on
// its own, active or not, when due: its interval after its last fetch
// began, at least the server's LOGIN-DELAY, twice as long after a failure;
// one fetch at a time; never while the wizard is open.
func TestAppFetchEvery(t *testing.T) {
	accts := testAccounts()
	accts[1].FetchEvery = mail.Every(10 * time.Minute) // Home, not active
	st := newMemStore(accts...)
	m := testApp(t, st, langEN, 100, 24)
	clock := appNow
	m.d.now = func() time.Time { return clock }
	var fetched []string
	fail := false
	m.syncFn = func(_ context.Context, a mail.Account, _ mail.Cache, _ mail.SyncOptions, _ func(mail.Progress)) (mail.SyncResult, error) {
		fetched = append(fetched, a.Name)
		if fail {
			return mail.SyncResult{}, errors.New("connection refused")
		}
		return mail.SyncResult{}, nil
	}
	if m.tickEvery() != scheduleTick {
		t.Fatalf("tick every %v, want %v", m.tickEvery(), scheduleTick)
	}
	tick := func() {
		t.Helper()
		var cmd tea.Cmd
		m, cmd = m.update(fetchTickMsg{seq: m.tickSeq})
		m = settle(t, m, cmd)
	}
	tick() // never fetched: due at once
	if strings.Join(fetched, ",") != "Home" {
		t.Fatalf("fetched %v, want Home (Work has no interval)", fetched)
	}
	clock = clock.Add(9 * time.Minute)
	tick()
	if len(fetched) != 1 {
		t.Fatalf("fetched before the interval: %v", fetched)
	}
	clock = clock.Add(time.Minute)
	fail = true
	tick()
	if len(fetched) != 2 {
		t.Fatalf("not fetched after the interval: %v", fetched)
	}
	// A failure doubles the wait: not due 10 minutes later, due at 20.
	clock = clock.Add(10 * time.Minute)
	tick()
	if len(fetched) != 2 {
		t.Fatalf("no backoff after a failure: %v", fetched)
	}
	clock = clock.Add(10 * time.Minute)
	fail = false
	tick()
	if len(fetched) != 3 {
		t.Fatalf("not fetched after the backoff: %v", fetched)
	}

	// The server's LOGIN-DELAY is longer than the interval: it wins.
	m.accounts[1].Hints.LoginDelay = 15 * time.Minute
	clock = clock.Add(10 * time.Minute)
	tick()
	if len(fetched) != 3 {
		t.Fatalf("fetched before the server's LOGIN-DELAY: %v", fetched)
	}
	clock = clock.Add(5 * time.Minute)
	m.screen = screenWizard
	tick()
	if len(fetched) != 3 {
		t.Fatal("fetched while the wizard was open")
	}
	m.screen = screenList
	tick()
	if len(fetched) != 4 {
		t.Fatalf("not fetched after the LOGIN-DELAY: %v", fetched)
	}
}

// TestAppNewMailCount: new mail fetched on its own counts as "N new" in
// the status bar and the window title until the list is used; the bell
// rings for an account that asks, only for an automatic fetch; the
// account's new-mail command runs with the account and the count.
func TestAppNewMailCount(t *testing.T) {
	out := filepath.Join(t.TempDir(), "on-new")
	accts := testAccounts()
	accts[0].Bell = true
	accts[0].OnNew = `printf '%s %s' "$POPBOX_ACCOUNT" "$POPBOX_NEW" > ` + out
	st := newMemStore(accts...)
	m := testApp(t, st, langEN, 100, 24)
	m.cfg.interval = time.Minute
	m.syncFn = syncNew(3)
	m, cmd := m.update(fetchTickMsg{seq: m.tickSeq})
	m, _ = m.update(runUntil[fetchDoneMsg](t, m, cmd))
	if s := statusLine(m); !strings.Contains(s, "· 3 new") {
		t.Errorf("status %q lacks 3 new", s)
	}
	msgs := runCmd(m.titleCmd())
	if len(msgs) != 1 || msgs[0] != render.TitleMsg("popbox (3 new)") {
		t.Errorf("title %v", msgs)
	}
	_, c := m.onNewMail(m.active, 1, true)
	if !hasMsg[render.BellMsg](runCmd(c)) {
		t.Error("no bell for an automatic fetch of an account that asks for it")
	}
	_, c = m.onNewMail(m.active, 1, false)
	if hasMsg[render.BellMsg](runCmd(c)) {
		t.Error("a bell for a fetch asked for with f")
	}
	if b, err := os.ReadFile(out); err != nil || string(b) != "Work 1" {
		t.Errorf("the new-mail command wrote %q (%v)", b, err)
	}
	m = press(t, m, "j")
	if s := statusLine(m); strings.Contains(s, "new") {
		t.Errorf("the count stays after the list was used: %q", s)
	}
	if msgs := runCmd(m.titleCmd()); msgs[0] != render.TitleMsg("popbox") {
		t.Errorf("title after reading %v", msgs)
	}
}

// runUntil runs cmd (and the commands its messages bring) until a message
// of type T arrives, and returns it.
func runUntil[T tea.Msg](t *testing.T, m appModel, cmd tea.Cmd) T {
	t.Helper()
	for _, msg := range runCmd(cmd) {
		if v, ok := msg.(T); ok {
			return v
		}
		if _, ok := msg.(fetchProgressMsg); ok {
			var next tea.Cmd
			m, next = m.update(msg)
			if v, ok := tryRun[T](next); ok {
				return v
			}
		}
	}
	var zero T
	t.Fatalf("no %T", zero)
	return zero
}

func tryRun[T tea.Msg](cmd tea.Cmd) (T, bool) {
	for _, msg := range runCmd(cmd) {
		if v, ok := msg.(T); ok {
			return v, true
		}
	}
	var zero T
	return zero, false
}

func hasMsg[T tea.Msg](msgs []tea.Msg) bool {
	for _, m := range msgs {
		if _, ok := m.(T); ok {
			return true
		}
	}
	return false
}
