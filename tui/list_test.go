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

// testList is the list of account 1 of st, sized w x h, first page loaded.
func testList(t *testing.T, st *memStore, l lang, w, h int) listModel {
	t.Helper()
	m := newList(testDeps(l), st, "1", nil)
	m.after = noTimer
	m, c1 := m.setSize(w, h)
	m, c2 := m.init()
	return settleModel(m, listModel.update, tea.Batch(c1, c2))
}

func TestListIntent(t *testing.T) {
	tests := []struct {
		key       string
		filtering bool
		query     string
		want      listIntent
	}{
		{"k", false, "", listUp},
		{"up", false, "", listUp},
		{"j", false, "", listDown},
		{"down", false, "", listDown},
		{"g", false, "", listTop},
		{"home", false, "", listTop},
		{"G", false, "", listBottom},
		{"end", false, "", listBottom},
		{"pgup", false, "", listPageUp},
		{"ctrl+b", false, "", listPageUp},
		{"pgdown", false, "", listPageDown},
		{" ", false, "", listPageDown},
		{"enter", false, "", listOpen},
		{"/", false, "", listFilter},
		{"esc", false, "", listNone},
		{"esc", false, "ann", listClearFilter},
		{"d", false, "", listDelete},
		{"delete", false, "", listDelete},
		{"u", false, "", listUndo},
		{"q", false, "", listQuit},
		{"x", false, "", listNone},
		{"j", true, "", listNone},
		{"q", true, "", listNone},
		{"enter", true, "", listNone},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/filtering=%v/query=%q", tc.key, tc.filtering, tc.query), func(t *testing.T) {
			m := newList(testDeps(langEN), newMemStore(), "1", nil)
			m.filtering, m.query = tc.filtering, tc.query
			if got := m.intent(keyMsg(tc.key)); got != tc.want {
				t.Errorf("intent %v, want %v", got, tc.want)
			}
		})
	}
}

func TestListMoves(t *testing.T) {
	// 80x24 list area: a header line and 23 rows.
	tests := []struct {
		name        string
		keys        []string
		cursor, top int
	}{
		{"start", nil, 0, 0},
		{"j", []string{"j"}, 1, 0},
		{"k at the top", []string{"k"}, 0, 0},
		{"j scrolls past the screen", repeat("j", 30), 30, 8},
		{"pgdown", []string{"pgdown"}, 23, 1},
		{"pgdown twice", []string{"pgdown", "pgdown"}, 46, 24},
		{"pgup back", []string{"pgdown", "pgdown", "pgup"}, 23, 23},
		{"G", []string{"G"}, 99_999, 99_977},
		{"G then k", []string{"G", "k"}, 99_998, 99_977},
		{"G then g", []string{"G", "g"}, 0, 0},
		{"G then j stays", []string{"G", "j"}, 99_999, 99_977},
	}
	st := newMemStore(testAccounts()...)
	st.fill("1", 100_000, englishSubject)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := testList(t, st, langEN, 80, 24)
			m = press(t, m, tc.keys...)
			if m.cursor != tc.cursor || m.top != tc.top {
				t.Fatalf("cursor %d top %d, want %d %d", m.cursor, m.top, tc.cursor, tc.top)
			}
			sel, ok := m.selected()
			if !ok || sel.Summary.Subject != englishSubject(tc.cursor) {
				t.Fatalf("selected %q (loaded %v), want %q", sel.Summary.Subject, ok, englishSubject(tc.cursor))
			}
			if len(m.win) > m.rows()+2*m.pad() {
				t.Errorf("window holds %d rows, more than a screen and two pads", len(m.win))
			}
			out := ansi.Strip(m.view())
			if !strings.Contains(out, fmt.Sprintf("[%d] ", tc.cursor+1)) {
				t.Errorf("selected row not on screen:\n%s", out)
			}
			checkScreen(t, m.view(), 80, 24)
		})
	}
}

func repeat(k string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = k
	}
	return out
}

func TestListReadsPagesNotEverything(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 100_000, englishSubject)
	m := testList(t, st, langEN, 120, 40)
	if st.pageN != 1 || st.countN != 1 {
		t.Fatalf("startup: %d pages, %d counts", st.pageN, st.countN)
	}
	// Scrolling a screen at a time through 2,000 messages reads a page
	// every few screens, never everything.
	before := st.pageN
	for range 2000 / 39 {
		m = press(t, m, "pgdown")
	}
	if n := st.pageN - before; n == 0 || n > 30 {
		t.Errorf("50 screens read %d pages", n)
	}
	// A key on a loaded window reads nothing.
	before = st.pageN
	m = press(t, m, "j", "k")
	if st.pageN != before {
		t.Errorf("j/k inside the window read %d pages", st.pageN-before)
	}
	// A resize taller than the window loads the missing rows.
	m, cmd := m.setSize(120, 400)
	m = settleModel(m, listModel.update, cmd)
	for i := m.top; i < m.top+m.rows() && i < m.total; i++ {
		if j := i - m.winStart; j < 0 || j >= len(m.win) {
			t.Fatalf("row %d not loaded after the resize (window %d+%d)", i, m.winStart, len(m.win))
		}
	}
}

func TestListStalePageDropped(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 500, englishSubject)
	m := testList(t, st, langEN, 80, 24)
	old := pageLoadedMsg{acct: "1", gen: m.gen, req: m.req - 1, msgs: []store.Message{{ID: "stale"}}, total: 1}
	m2, _ := m.update(old)
	if m2.total != 500 || m2.win[0].msg.ID == "stale" {
		t.Error("an older request's page was taken")
	}
	other := pageLoadedMsg{acct: "2", gen: m.gen, req: m.req, msgs: []store.Message{{ID: "other"}}, total: 1}
	m2, _ = m.update(other)
	if m2.win[0].msg.ID == "other" {
		t.Error("another account's page was taken")
	}
}

func TestListPageError(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.failPage = errors.New("disk on fire")
	m := testList(t, st, langEN, 80, 24)
	if !strings.Contains(ansi.Strip(m.view()), "Could not read the messages: disk on fire") {
		t.Errorf("error not shown:\n%s", ansi.Strip(m.view()))
	}
}

func TestListFilter(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 1000, englishSubject)
	m := testList(t, st, langEN, 80, 24)
	m.after = tea.Tick
	m = press(t, m, "j", "j", "/")
	if !m.typing() {
		t.Fatal("/ did not focus the filter")
	}
	// Typed quickly: the keys' commands (the pause timers) run together.
	var cmds []tea.Cmd
	for _, k := range []string{"i", "n", "v", "o", "i", "c", "e"} {
		var cmd tea.Cmd
		m, cmd = m.update(keyMsg(k))
		cmds = append(cmds, cmd)
	}
	m = settleModel(m, listModel.update, tea.Batch(cmds...))
	// The search runs after the pause, once, not once per letter.
	if st.searchN != 1 {
		t.Errorf("typing a word ran %d searches", st.searchN)
	}
	m = press(t, m, "enter")
	if m.typing() || m.query != "invoice" {
		t.Fatalf("enter: typing %v query %q", m.typing(), m.query)
	}
	if m.total != 200 || m.cursor != 0 {
		t.Fatalf("filter total %d cursor %d, want 200 0", m.total, m.cursor)
	}
	out := ansi.Strip(m.view())
	if strings.Contains(out, "Quarterly") || !strings.Contains(out, "[2] Your invoice") || !strings.Contains(out, "Filter: invoice") {
		t.Errorf("filtered view:\n%s", out)
	}
	if m.status() != "200 matches" {
		t.Errorf("status %q", m.status())
	}
	m = press(t, m, "G")
	if sel, _ := m.selected(); sel.Summary.Subject != englishSubject(996) {
		t.Errorf("G in the filter selected %q", sel.Summary.Subject)
	}
	m = press(t, m, "esc")
	if m.query != "" || m.total != 1000 {
		t.Errorf("esc: query %q total %d", m.query, m.total)
	}
	// A filter without matches says so.
	m = press(t, m, "/", "z", "z", "z", "enter")
	if !strings.Contains(ansi.Strip(m.view()), "No message matches “zzz”.") {
		t.Errorf("no-match view:\n%s", ansi.Strip(m.view()))
	}
	// esc while typing drops the filter.
	m = press(t, m, "/", "x", "esc")
	if m.query != "" || m.typing() {
		t.Errorf("esc while typing: query %q typing %v", m.query, m.typing())
	}
}

func TestListHideUnhide(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 300, englishSubject)
	m := testList(t, st, langEN, 80, 24)
	m = press(t, m, "j")
	m, cmd := m.hide("1-299")
	m = settleModel(m, listModel.update, cmd)
	if m.total != 299 {
		t.Fatalf("total %d", m.total)
	}
	if sel, _ := m.selected(); sel.ID != "1-298" {
		t.Errorf("cursor on %q after hiding, want the next one", sel.ID)
	}
	// Pages read later skip the hidden message and keep their offsets.
	m = press(t, m, "G")
	if sel, _ := m.selected(); sel.ID != "1-1" {
		t.Errorf("last row %q, want 1-1", sel.ID)
	}
	m = press(t, m, "g")
	for i, r := range m.win[:50] {
		want := englishSubject(i)
		if i >= 1 {
			want = englishSubject(i + 1)
		}
		if r.msg.Summary.Subject != want {
			t.Fatalf("row %d is %q, want %q", i, r.msg.Summary.Subject, want)
		}
	}
	m, cmd = m.unhide("1-299")
	m = settleModel(m, listModel.update, cmd)
	if m.total != 300 || m.win[1].msg.ID != "1-299" {
		t.Errorf("unhide: total %d, row 1 %q", m.total, m.win[1].msg.ID)
	}
}

func TestListMarkSeen(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 5, englishSubject)
	m := testList(t, st, langEN, 80, 24)
	if m.win[0].mark != " * " {
		t.Fatalf("first row not unread: %q", m.win[0].mark)
	}
	m = m.markSeen("1-5", true)
	if m.win[0].mark != "   " || !m.win[0].msg.Seen {
		t.Errorf("markSeen left %q", m.win[0].mark)
	}
}

func TestListColumnsAlign(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 40, japaneseSubject)
	for _, w := range []int{40, 60, 80, 120, 200} {
		m := testList(t, st, langJA, w, 30)
		lines := strings.Split(ansi.Strip(m.view()), "\n")
		subjectAt := -1
		for i, line := range lines[1:30] {
			if got := ansi.StringWidth(line); got != w {
				t.Errorf("width %d: row %d is %d cells: %q", w, i, got, line)
			}
			// the subject column starts right after "[n] "'s position
			col := ansi.StringWidth(line[:strings.Index(line, "[")])
			if subjectAt < 0 {
				subjectAt = col
			} else if col != subjectAt {
				t.Errorf("width %d: subject of row %d starts at cell %d, not %d: %q", w, i, col, subjectAt, line)
			}
		}
	}
}

func TestFitCells(t *testing.T) {
	tests := []struct {
		in   string
		w    int
		want string
	}{
		{"abc", 5, "abc  "},
		{"abcdef", 5, "abcd…"},
		{"会議の議事録", 12, "会議の議事録"},
		{"会議の議事録", 11, "会議の議事…"},
		{"会議の議事録", 10, "会議の議… "},
		{"会議の議事録", 13, "会議の議事録 "},
		{"a\x1b[31mred\x1b[0m", 10, "a[31mred[…"},
		{"tab\there\r\nnext", 20, "tab here next       "},
		{"", 3, "   "},
		{"x", 0, ""},
	}
	for _, tc := range tests {
		got := fitCells(tc.in, tc.w)
		if got != tc.want {
			t.Errorf("fitCells(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.want)
		}
		if tc.w > 0 && ansi.StringWidth(got) != tc.w {
			t.Errorf("fitCells(%q, %d) is %d cells", tc.in, tc.w, ansi.StringWidth(got))
		}
	}
}

func TestShortDate(t *testing.T) {
	tests := []struct {
		t      time.Time
		en, ja string
	}{
		{appNow.Add(-time.Hour), "09:42", "09:42"},
		{appNow.Add(-11 * time.Hour), "Nov 25", "11月25日"},
		{time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), "Jan 2", "1月2日"},
		{time.Date(2024, 11, 26, 3, 4, 5, 0, time.UTC), "2024-11-26", "2024/11/26"},
		{time.Time{}, "", ""},
	}
	for _, tc := range tests {
		if got := shortDate(langEN, tc.t, appNow); got != tc.en {
			t.Errorf("en %v: %q, want %q", tc.t, got, tc.en)
		}
		if got := shortDate(langJA, tc.t, appNow); got != tc.ja {
			t.Errorf("ja %v: %q, want %q", tc.t, got, tc.ja)
		}
	}
}

func TestListHostileHeaders(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.msgs["1"] = []store.Message{{ID: "x", AccountID: "1", Summary: mail.Summary{
		From:    mail.Address{Name: "evil\x1b]0;pwned\x07", Address: "e@example.com"},
		Subject: "\x1b[2J\x1b[Hclear\u202eeman\r\nsecond",
		Date:    appNow,
	}}}
	m := testList(t, st, langEN, 80, 24)
	v := m.view()
	checkNoControls(t, v)
}

func TestListGolden(t *testing.T) {
	cases := []struct {
		g    goldenCase
		subj func(int) string
	}{
		{goldenCase{name: "list/80x24", lang: langEN, w: 80, h: 24, wait: "last fetch"}, englishSubject},
		{goldenCase{name: "list/120x40", lang: langEN, w: 120, h: 40, keys: []string{"j", "j", "j"}, wait: "last fetch"}, englishSubject},
		{goldenCase{name: "list/ja-80x24", lang: langJA, w: 80, h: 24, wait: "前回の受信"}, japaneseSubject},
		{goldenCase{name: "list/ja-120x40", lang: langJA, w: 120, h: 40, keys: []string{"pgdown"}, wait: "前回の受信"}, japaneseSubject},
		{goldenCase{name: "list/mixed-80x24", lang: langEN, w: 80, h: 24, keys: []string{"/", "山", "田", "enter"}, wait: "matches"}, func(i int) string {
			if i%2 == 0 {
				return japaneseSubject(i)
			}
			return englishSubject(i)
		}},
		{goldenCase{name: "list/color-80x24", lang: langEN, w: 80, h: 24, color: true, keys: []string{"j"}, wait: "last fetch"}, englishSubject},
		{goldenCase{name: "list/fetching-80x24", lang: langEN, w: 80, h: 24, keys: []string{"f"}, wait: "esc cancel fetch", sync: stuckSync}, englishSubject},
		{goldenCase{name: "list/fetching-ja-120x40", lang: langJA, w: 120, h: 40, keys: []string{"f"}, wait: "受信を中止", sync: stuckSync}, japaneseSubject},
		{goldenCase{name: "list/error-80x24", lang: langEN, w: 80, h: 24, keys: []string{"f"}, wait: "fetch failed", sync: failSync(&mail.AuthError{})}, englishSubject},
		{goldenCase{name: "list/error-ja-80x24", lang: langJA, w: 80, h: 24, keys: []string{"f"}, wait: "受信に失敗", sync: failSync(fmt.Errorf("dial: %w", mail.ErrCertificate))}, japaneseSubject},
	}
	for _, tc := range cases {
		t.Run(tc.g.name, func(t *testing.T) {
			st := newMemStore(testAccounts()...)
			st.fill("1", 1000, tc.subj)
			runGolden(t, st, tc.g)
		})
	}
}

// stuckSync reports one progress value and waits to be cancelled.
func stuckSync(ctx context.Context, _ mail.Account, _ mail.Cache, _ mail.SyncOptions, report func(mail.Progress)) (mail.SyncResult, error) {
	report(mail.Progress{Phase: mail.PhaseRetrieve, Messages: 120, MessagesTotal: 500, Bytes: 3 << 20, BytesTotal: 12 << 20, Committed: 0, Session: 1})
	<-ctx.Done()
	return mail.SyncResult{}, ctx.Err()
}

// failSync is an engine that fails at once with err.
func failSync(err error) syncFunc {
	return func(context.Context, mail.Account, mail.Cache, mail.SyncOptions, func(mail.Progress)) (mail.SyncResult, error) {
		return mail.SyncResult{}, err
	}
}

// TestListFarJumpKeepsRows: while the page of a far jump is loading, the
// screen keeps the rows it had instead of going blank for a frame.
func TestListFarJumpKeepsRows(t *testing.T) {
	st := newMemStore()
	st.fill("1", 5000, func(i int) string { return fmt.Sprintf("subject %d", i) })
	m := testList(t, st, langEN, 80, 24)
	before := m.view()
	m, cmd := m.update(keyMsg("G"))
	if cmd == nil || !m.loading {
		t.Fatal("G on 5000 messages should load the last page")
	}
	if got := m.view(); got != before {
		t.Fatalf("while loading, the view changed:\n%s", got)
	}
	m = settleModel(m, listModel.update, cmd)
	after := m.view()
	if after == before || !strings.Contains(after, "subject 4999") {
		t.Fatalf("after the page arrived the oldest message is not shown:\n%s", after)
	}
}
