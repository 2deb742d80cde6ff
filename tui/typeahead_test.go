package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// batch is what Bubble Tea v1 makes of letters that arrive in one read
// (typed fast, a held key over a slow link): one key message with every
// rune. paste marks the text of a bracketed paste.
func batch(s string, paste bool) tea.KeyMsg {
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: paste}
}

// sendBatch sends one batch to the root and runs what it asks for.
func sendBatch(t *testing.T, m appModel, s string, paste bool) appModel {
	t.Helper()
	m, cmd := m.update(batch(s, paste))
	return settle(t, m, cmd)
}

// TestAppTypeahead: every key of a batch acts, in order, as if it had
// come alone; a key of the batch that opens a text field hands the rest
// of the batch to the field; a paste stays a paste.
func TestAppTypeahead(t *testing.T) {
	newApp := func(t *testing.T) appModel {
		st := newMemStore(testAccounts()...)
		st.fill("1", 30, englishSubject)
		st.fill("2", 5, englishSubject)
		return testApp(t, st, langEN, 80, 24)
	}
	t.Run("jjj moves three rows", func(t *testing.T) {
		m := sendBatch(t, newApp(t), "jjj", false)
		if m.list.cursor != 3 {
			t.Fatalf("cursor %d after jjj, want 3", m.list.cursor)
		}
	})
	t.Run("in order", func(t *testing.T) {
		m := sendBatch(t, newApp(t), "jjjjgj", false)
		if m.list.cursor != 1 {
			t.Fatalf("cursor %d after jjjjgj, want 1", m.list.cursor)
		}
		m = sendBatch(t, m, "Gk", false)
		if m.list.cursor != 28 {
			t.Fatalf("cursor %d after Gk, want 28", m.list.cursor)
		}
	})
	t.Run("a global key in the batch", func(t *testing.T) {
		// ] makes Home active, then j moves in Home's list.
		m := sendBatch(t, newApp(t), "]j", false)
		if m.active.ID != "2" || m.list.acct != "2" || m.list.cursor != 1 {
			t.Fatalf("after ]j: active %q list %q cursor %d, want Home, row 1", m.active.ID, m.list.acct, m.list.cursor)
		}
	})
	t.Run("the filter takes the rest", func(t *testing.T) {
		m := sendBatch(t, newApp(t), "j/Quar", false)
		if !m.list.filtering || m.list.filter.Value() != "Quar" {
			t.Fatalf("filtering %v value %q, want the field to hold Quar", m.list.filtering, m.list.filter.Value())
		}
		if m.list.cursor != 1 {
			t.Errorf("cursor %d, want the j before / to have moved it to 1", m.list.cursor)
		}
		// While the field has focus, a batch is typed as it is.
		m = sendBatch(t, m, "qf", false)
		if m.quitting || m.fetching || m.list.filter.Value() != "Quarqf" {
			t.Fatalf("quitting %v fetching %v value %q", m.quitting, m.fetching, m.list.filter.Value())
		}
	})
	t.Run("a paste into the filter stays a paste", func(t *testing.T) {
		m := press(t, newApp(t), "/")
		m = sendBatch(t, m, "jjq", true)
		if m.quitting || m.list.filter.Value() != "jjq" {
			t.Fatalf("quitting %v value %q, want the pasted text in the field", m.quitting, m.list.filter.Value())
		}
	})
	t.Run("a paste into the list is not keys", func(t *testing.T) {
		m := sendBatch(t, newApp(t), "jjq", true)
		if m.quitting || m.list.cursor != 0 {
			t.Fatalf("quitting %v cursor %d: pasted text acted as keys", m.quitting, m.list.cursor)
		}
	})
	t.Run("q ends the batch", func(t *testing.T) {
		m := newApp(t)
		m, cmd := m.update(batch("jqj", false))
		if !m.quitting || m.list.cursor != 1 {
			t.Fatalf("quitting %v cursor %d, want quit after one row", m.quitting, m.list.cursor)
		}
		if cmd == nil {
			t.Fatal("no quit command")
		}
	})
	t.Run("accounts screen", func(t *testing.T) {
		m := press(t, newApp(t), "A")
		m = sendBatch(t, m, "jj", false)
		if m.screen != screenAccounts || m.accts.cursor != 2 {
			t.Fatalf("screen %v cursor %d after jj, want the accounts screen on row 2", m.screen, m.accts.cursor)
		}
	})
}

// TestListMovesBeforeCount: moves typed before the list's first page (and
// count) arrived are made, in order, once it is there.
func TestListMovesBeforeCount(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 500, englishSubject)
	for _, tc := range []struct {
		keys []string
		want int
	}{
		{[]string{"j", "j"}, 2},
		{[]string{"G", "k"}, 498},
		{[]string{"pgdown", "g", "j"}, 1},
		{[]string{"k"}, 0},
	} {
		m := newList(testDeps(langEN), st, "1", nil)
		m.after = noTimer
		m, c1 := m.setSize(80, 24)
		m, c2 := m.init()
		m, _ = drive(m, tc.keys...)
		m = settleModel(m, listModel.update, tea.Batch(c1, c2))
		if m.cursor != tc.want {
			t.Errorf("%v before the first page: cursor %d, want %d", tc.keys, m.cursor, tc.want)
		}
		if sel, ok := m.selected(); !ok || sel.Summary.Subject != englishSubject(tc.want) {
			t.Errorf("%v: selected %q (%v), want %q", tc.keys, sel.Summary.Subject, ok, englishSubject(tc.want))
		}
	}
}
