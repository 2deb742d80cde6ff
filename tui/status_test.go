package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"popbox/mail"
	"popbox/store"
)

// statusLine is the status bar of m's view: the line above the footer.
func statusLine(m appModel) string {
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	if len(lines) < 2 {
		return ""
	}
	return lines[len(lines)-2]
}

// syncNew is an engine that finds n new messages.
func syncNew(n int) syncFunc {
	return func(context.Context, mail.Account, mail.Cache, mail.SyncOptions, func(mail.Progress)) (mail.SyncResult, error) {
		return mail.SyncResult{New: n}, nil
	}
}

// TestAppFetchResultReplacesNotice: after f the fetch's result is the
// status, whatever notice stood there before.
func TestAppFetchResultReplacesNotice(t *testing.T) {
	tests := []struct {
		name   string
		before func(t *testing.T, m appModel) appModel
		notice string
	}{
		{"Now using", func(t *testing.T, m appModel) appModel { return press(t, m, "]") }, "Now using Home."},
		{"Nothing to undo", func(t *testing.T, m appModel) appModel { return press(t, m, "u") }, "Nothing to undo."},
		{"Added", func(t *testing.T, m appModel) appModel {
			a := testAccounts()[2]
			a.ID, a.Name = "4", "Local"
			m, cmd := m.update(wizardSavedMsg{acct: a, added: true})
			return settle(t, m, cmd)
		}, "Added Local."},
	}
	for _, tc := range tests {
		for _, n := range []int{0, 3} {
			want := map[int]string{0: "fetched 10:42: no new mail", 3: "fetched 10:42: 3 new"}[n]
			t.Run(tc.name+"/"+want, func(t *testing.T) {
				st := newMemStore(testAccounts()...)
				st.fill("1", 5, englishSubject)
				st.fill("2", 5, englishSubject)
				m := testApp(t, st, langEN, 100, 24)
				m = tc.before(t, m)
				if s := statusLine(m); !strings.Contains(s, tc.notice) {
					t.Fatalf("status %q, want the notice %q first", s, tc.notice)
				}
				m.syncFn = syncNew(n)
				m = press(t, m, "f")
				s := statusLine(m)
				if !strings.Contains(s, want) || strings.Contains(s, tc.notice) {
					t.Errorf("status after f: %q, want %q in place of %q", s, want, tc.notice)
				}
			})
		}
	}
}

// TestAppFetchStartClearsNotice: the older notice goes when f starts a
// fetch.
func TestAppFetchStartClearsNotice(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 5, englishSubject)
	m := testApp(t, st, langEN, 100, 24)
	m = press(t, m, "u")
	m.syncFn = stuckSync
	m, _ = m.update(keyMsg("f"))
	if s := statusLine(m); strings.Contains(s, "Nothing to undo.") {
		t.Errorf("status while fetching: %q, the older notice stayed", s)
	}
}

// TestAppNoticesExpire: a notice goes when its time is up, and the expiry
// of an older notice leaves a newer one alone.
func TestAppNoticesExpire(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 5, englishSubject)
	m := testApp(t, st, langEN, 100, 24)
	m = press(t, m, "u")
	first := m.noticeSeq
	m = press(t, m, "]")
	m, _ = m.update(noticeExpiredMsg{seq: first})
	if s := statusLine(m); !strings.Contains(s, "Now using Home.") {
		t.Fatalf("status %q: the older notice's expiry took the newer one", s)
	}
	m, _ = m.update(noticeExpiredMsg{seq: m.noticeSeq})
	if s := statusLine(m); strings.Contains(s, "Now using") || !strings.Contains(s, "not fetched yet") {
		t.Errorf("status %q after the notice expired, want the fetch state back", s)
	}
}

// TestAppRemoveActiveAccountStatus: after the active account is removed
// the status names what happened and the account now in use, never the
// removed one as in use.
func TestAppRemoveActiveAccountStatus(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 4, englishSubject)
	st.fill("2", 6, englishSubject)
	m := testApp(t, st, langEN, 100, 24)
	m = press(t, m, "]")
	if s := statusLine(m); !strings.Contains(s, "Now using Home.") {
		t.Fatalf("status %q", s)
	}
	m = press(t, m, "A", "x", "y")
	if m.active.ID == "2" {
		t.Fatal("Home is still the active account")
	}
	s := statusLine(m)
	if strings.Contains(s, "Now using Home") {
		t.Errorf("status %q still says the removed account is in use", s)
	}
	if want := "Removed Home; now using Work."; !strings.Contains(s, want) {
		t.Errorf("status %q, want %q", s, want)
	}
	// Removing an account that is not the active one says so, too.
	m = press(t, m, "down", "x", "y")
	if s := statusLine(m); !strings.Contains(s, "Removed 個人.") {
		t.Errorf("status %q after removing 個人", s)
	}
}

// TestAppBrokenPolicy: a policy file that cannot be used is reported as
// what it is, with what to do, not as accounts that could not be read;
// other errors of the store keep their frame.
func TestAppBrokenPolicy(t *testing.T) {
	policy := fmt.Errorf("accounts: %w", &store.PolicyError{Path: "/etc/popbox/policy.json", Why: "not valid JSON"})
	tests := []struct {
		l        lang
		err      error
		want     string
		dontWant string
	}{
		{langEN, policy, "The sharing policy file /etc/popbox/policy.json cannot be used (not valid JSON); ask your administrator to fix it (it should hold {\"sharing\": \"private\"}, \"public\" or \"user-choice\").", "Could not read the accounts"},
		{langJA, policy, "共有ポリシーファイル /etc/popbox/policy.json を使用できません", "アカウントを読み込めませんでした"},
		{langEN, errors.New("disk on fire"), "Could not read the accounts: disk on fire", "policy"},
	}
	for _, tc := range tests {
		st := newMemStore(testAccounts()...)
		st.failAccounts = tc.err
		m := testApp(t, st, tc.l, 100, 24)
		text := strings.Join(strings.Fields(strings.ReplaceAll(screenText(m), "\n! ", " ")), " ")
		if !strings.Contains(m.banner, tc.want) || strings.Contains(m.banner, tc.dontWant) {
			t.Errorf("%v: banner %q, want %q without %q", tc.err, m.banner, tc.want, tc.dontWant)
		}
		if !strings.Contains(text, tc.want) {
			t.Errorf("%v: the screen lacks %q:\n%s", tc.err, tc.want, screenText(m))
		}
		// The wizard opened on an account that cannot be read says why,
		// in the same words.
		st.failAccounts = nil
		m = testApp(t, st, tc.l, 100, 24)
		st.failAccounts = tc.err
		m = press(t, m, "A", "e")
		if !strings.Contains(m.accts.note, tc.want) && tc.err == policy {
			t.Errorf("%v: accounts note %q, want %q", tc.err, m.accts.note, tc.want)
		}
	}
}

// TestAppFirstFetchStatus: while the first fetch of an account runs, the
// status bar does not say it was never fetched beside its progress bar.
func TestAppFirstFetchStatus(t *testing.T) {
	for _, l := range []lang{langEN, langJA} {
		st := newMemStore(testAccounts()...)
		st.fill("2", 3, englishSubject)
		m := testApp(t, st, l, 100, 24)
		m = press(t, m, "]") // Home: never fetched
		m, _ = m.update(noticeExpiredMsg{seq: m.noticeSeq})
		never := l.tr("fetch.never")
		if s := statusLine(m); !strings.Contains(s, never) {
			t.Fatalf("status %q before the first fetch, want %q", s, never)
		}
		m.syncFn = stuckSync
		m, _ = m.update(keyMsg("f"))
		if s := statusLine(m); strings.Contains(s, never) {
			t.Errorf("lang %v: status %q beside the first fetch's progress", l, s)
		}
	}
}

// TestAppCountsFormatted: every count in the TUI is written one way, with
// thousands separators (i18n.Count), and a count of one is singular.
func TestAppCountsFormatted(t *testing.T) {
	d := testDeps(langEN)
	job := fetchJob{acctName: "Work", last: mail.Progress{Phase: mail.PhaseRetrieve, Messages: 11523, MessagesTotal: 20000, Bytes: 3 << 20, BytesTotal: 12 << 20}}
	if got := ansi.Strip(progressLine(d, job, 120)); !strings.Contains(got, "Work: 11,523/20,000 messages, 3.0M/12M") {
		t.Errorf("progress %q", got)
	}
	job.last = mail.Progress{Phase: mail.PhaseRetrieve, Messages: 0, MessagesTotal: 1, BytesTotal: 2048}
	if got := ansi.Strip(progressLine(d, job, 120)); !strings.Contains(got, "Work: 0/1 message, ") {
		t.Errorf("progress of one message %q", got)
	}
	dj := testDeps(langJA)
	job.last = mail.Progress{Phase: mail.PhaseRetrieve, Messages: 11523, MessagesTotal: 20000, Bytes: 3 << 20, BytesTotal: 12 << 20}
	if got := ansi.Strip(progressLine(dj, job, 120)); !strings.Contains(got, "Work: 11,523/20,000通、3.0M/12M") {
		t.Errorf("Japanese progress %q", got)
	}
	outcomes := []struct {
		l    lang
		res  mail.SyncResult
		err  error
		want string
	}{
		{langEN, mail.SyncResult{New: 11523, Deleted: 1200, Failed: 1001}, nil, "fetched 10:42: 11,523 new, 1,200 deleted on the server, 1,001 could not be fetched"},
		{langJA, mail.SyncResult{New: 11523, Deleted: 1200, Failed: 1001}, nil, "10:42 に受信: 新着11,523通、サーバーから1,200通削除、1,001通は受信できず"},
		{langEN, mail.SyncResult{New: 2, Delivered: 1, WaitingDelivery: 1}, nil, "fetched 10:42: 2 new, 1 delivered, 1 waiting for delivery"},
		{langJA, mail.SyncResult{New: 2, Delivered: 1, WaitingDelivery: 1}, nil, "10:42 に受信: 新着2通、1通配送、1通配送待ち"},
		{langEN, mail.SyncResult{New: 11523}, context.Canceled, "fetch cancelled, 11,523 new kept"},
		{langJA, mail.SyncResult{New: 11523}, context.Canceled, "受信を中止（新着11,523通は保存済み）"},
	}
	for _, tc := range outcomes {
		if got := fetchOutcome(tc.l, tc.res, tc.err, appNow); got != tc.want {
			t.Errorf("outcome %q, want %q", got, tc.want)
		}
	}
	// The automatic fetch's notice.
	for _, tc := range []struct {
		l    lang
		n    int
		want string
	}{
		{langEN, 1, "New mail: 1 message"},
		{langEN, 11523, "New mail: 11,523 messages"},
		{langJA, 11523, "新着メール: 11,523通"},
	} {
		st := newMemStore(testAccounts()...)
		m := testApp(t, st, tc.l, 100, 24)
		m.cfg.interval = time.Minute
		m.syncFn = syncNew(tc.n)
		m, cmd := m.update(fetchTickMsg{seq: m.tickSeq})
		m = settle(t, m, cmd)
		if s := statusLine(m); !strings.Contains(s, tc.want+" ") {
			t.Errorf("status %q, want %q", s, tc.want)
		}
	}
}

// TestListOneMatch: a filter with one hit says "1 match".
func TestListOneMatch(t *testing.T) {
	for _, tc := range []struct {
		l          lang
		q          string
		want       string
		wantOthers string
	}{
		{langEN, "[7]", "1 match", "11,111 matches"},
		{langJA, "[7]", "1件一致", "11,111件一致"},
	} {
		st := newMemStore(testAccounts()...)
		st.fill("1", 11111, englishSubject)
		m := testList(t, st, tc.l, 80, 24)
		m = press(t, m, "/", "="+tc.q, "enter")
		if got := m.status(); got != tc.want {
			t.Errorf("%v: status %q, want %q", tc.l, got, tc.want)
		}
		m = press(t, m, "/", "backspace", "backspace", "backspace", "=]", "enter")
		if got := m.status(); got != tc.wantOthers {
			t.Errorf("%v: status %q, want %q", tc.l, got, tc.wantOthers)
		}
	}
}

// TestStatusBarRoom: a notice longer than half the width takes what the
// left side leaves, and is cut only where there is no room.
func TestStatusBarRoom(t *testing.T) {
	st := newMemStore(testAccounts()...)
	m := testApp(t, st, langJA, 70, 24)
	m = press(t, m, "]", "A", "x", "y")
	want := "Home を削除し、Work に切り替えました。"
	if s := statusLine(m); !strings.Contains(s, want) {
		t.Errorf("status %q, want %q whole", s, want)
	}
	checkScreen(t, m.View(), 70, 24)
	m, _ = m.update(tea.WindowSizeMsg{Width: 50, Height: 24})
	if s := statusLine(m); !strings.Contains(s, "…") {
		t.Errorf("status %q at 50 columns, want it cut", s)
	}
	checkScreen(t, m.View(), 50, 24)
}
