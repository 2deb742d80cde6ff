package tui

import (
	"slices"
	"strings"
	"testing"
)

// footer is the last line of m's view.
func footer(m appModel) string {
	s := screenText(m)
	return s[strings.LastIndex(s, "\n")+1:]
}

// TestAppUndoAcrossSwitch: switching accounts does not end the undo
// window of a delete. u brings the newest deleted message back, of
// whichever account, and says which; the delete of one account never
// touches another's list, and a delete whose window passed while another
// account was shown is done on its own account.
func TestAppUndoAcrossSwitch(t *testing.T) {
	setup := func(t *testing.T) (*memStore, appModel) {
		st := newMemStore(testAccounts()...)
		st.fill("1", 10, englishSubject)
		st.fill("2", 6, japaneseSubject)
		return st, testApp(t, st, langEN, 100, 24)
	}
	t.Run("u on the other account brings it back", func(t *testing.T) {
		st, m := setup(t)
		m = press(t, m, "j", "d", "]")
		if m.active.ID != "2" || len(m.pending) != 1 {
			t.Fatalf("active %q pending %v", m.active.ID, m.pending)
		}
		if f := footer(m); !strings.Contains(f, "u undo delete") {
			t.Errorf("footer %q on Home does not offer u while Work's delete can be undone", f)
		}
		m = press(t, m, "u")
		if s := statusLine(m); !strings.Contains(s, "The message is back in Work.") {
			t.Errorf("status %q after u on Home", s)
		}
		if len(m.pending) != 0 || m.list.acct != "2" || m.list.total != 6 || len(m.list.hidden) != 0 {
			t.Errorf("pending %v; Home's list %q total %d hidden %v", m.pending, m.list.acct, m.list.total, m.list.hidden)
		}
		if f := footer(m); strings.Contains(f, "u undo") {
			t.Errorf("footer %q still offers u", f)
		}
		m = press(t, m, "[")
		if m.active.ID != "1" || m.list.total != 10 || !strings.Contains(screenText(m), "[2] Your invoice") {
			t.Fatalf("Work after the undo: total %d\n%s", m.list.total, screenText(m))
		}
		if err := m.shutdown(); err != nil || len(st.deleted) != 0 {
			t.Errorf("the store deleted %v (%v) after the undo", st.deleted, err)
		}
	})
	t.Run("u after switching back", func(t *testing.T) {
		st, m := setup(t)
		m = press(t, m, "j", "d", "]", "[")
		if m.list.total != 9 || strings.Contains(screenText(m), "[2] Your invoice") {
			t.Fatalf("the deleted message is back after switching: total %d", m.list.total)
		}
		m = press(t, m, "u")
		if m.list.total != 10 || !strings.Contains(screenText(m), "[2] Your invoice") {
			t.Fatalf("u did not bring it back: total %d\n%s", m.list.total, screenText(m))
		}
		if s := statusLine(m); !strings.Contains(s, "The message is back.") {
			t.Errorf("status %q", s)
		}
		if err := m.shutdown(); err != nil || len(st.deleted) != 0 {
			t.Errorf("the store deleted %v (%v)", st.deleted, err)
		}
	})
	t.Run("newest first, each on its own account", func(t *testing.T) {
		st, m := setup(t)
		m = press(t, m, "d", "]", "d")
		homeFirst := st.msgs["2"][0].ID
		m = press(t, m, "u")
		if s := statusLine(m); !strings.Contains(s, "The message is back.") || m.list.total != 6 {
			t.Errorf("first u: status %q total %d, want Home's message back", s, m.list.total)
		}
		m = press(t, m, "u")
		if s := statusLine(m); !strings.Contains(s, "The message is back in Work.") {
			t.Errorf("second u: status %q", s)
		}
		m = press(t, m, "u")
		if s := statusLine(m); !strings.Contains(s, "Nothing to undo.") {
			t.Errorf("third u: status %q", s)
		}
		if err := m.shutdown(); err != nil || len(st.deleted) != 0 || st.msgs["2"][0].ID != homeFirst {
			t.Errorf("the store deleted %v (%v)", st.deleted, err)
		}
	})
	t.Run("the window passes while the other account is shown", func(t *testing.T) {
		st, m := setup(t)
		workSecond := st.msgs["1"][1].ID
		m = press(t, m, "j", "d", "]")
		m, cmd := m.update(deleteDueMsg{seq: m.pending[0].seq})
		m = settle(t, m, cmd)
		if !slices.Equal(st.deleted, []string{workSecond}) || len(st.msgs["2"]) != 6 {
			t.Fatalf("store deleted %v, Home has %d", st.deleted, len(st.msgs["2"]))
		}
		if m.list.acct != "2" || m.list.total != 6 || m.banner != "" {
			t.Errorf("Home's list %q total %d banner %q", m.list.acct, m.list.total, m.banner)
		}
		m = press(t, m, "u")
		if s := statusLine(m); !strings.Contains(s, "Nothing to undo.") {
			t.Errorf("status %q", s)
		}
		m = press(t, m, "[")
		if m.list.total != 9 || strings.Contains(screenText(m), "[2] Your invoice") {
			t.Errorf("Work after its delete: total %d\n%s", m.list.total, screenText(m))
		}
	})
	t.Run("removing the account drops its deletes", func(t *testing.T) {
		st, m := setup(t)
		m = press(t, m, "d", "]", "A", "up", "x", "y")
		if len(st.accounts) != 2 || len(m.pending) != 0 {
			t.Fatalf("accounts %d pending %v after removing Work", len(st.accounts), m.pending)
		}
		m = press(t, m, "esc", "u")
		if s := statusLine(m); !strings.Contains(s, "Nothing to undo.") || m.banner != "" {
			t.Errorf("status %q banner %q", s, m.banner)
		}
		if err := m.shutdown(); err != nil {
			t.Error(err)
		}
	})
}

// TestAppDeleteOfRemovedAccount: a delete that runs after its account was
// removed finds the message gone, which is no error to show.
func TestAppDeleteOfRemovedAccount(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 3, englishSubject)
	st.fill("2", 3, englishSubject)
	m := testApp(t, st, langEN, 100, 24)
	m = press(t, m, "d")
	p := m.pending[0]
	m, cmd := m.update(deleteDueMsg{seq: p.seq})
	// The account goes before the delete's command runs.
	if err := st.RemoveAccount("1"); err != nil {
		t.Fatal(err)
	}
	m = settle(t, m, cmd)
	if m.banner != "" || len(m.pending) != 0 {
		t.Errorf("banner %q pending %v", m.banner, m.pending)
	}
}
