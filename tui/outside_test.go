package tui

import (
	"strings"
	"testing"

	"popbox/mail"
)

// TestOutsideFetch: a fetch served to the command line shows as an
// automatic one does: the list read again, the new-mail notice, the
// status bar's outcome; news of another account leaves the list be.
func TestOutsideFetch(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 5, englishSubject)
	m := testApp(t, st, langEN, 100, 24)
	if m.list.total != 5 {
		t.Fatalf("list total %d before", m.list.total)
	}
	st.fill("1", 7, englishSubject)
	m2, cmd := m.update(outsideMsg{o: Outside{AccountID: "2", Fetch: &mail.SyncResult{New: 2}}})
	m2 = settle(t, m2, cmd)
	if m2.list.total != 5 || m2.notice != "" {
		t.Fatalf("news of account 2 changed the list of account 1: total %d, notice %q", m2.list.total, m2.notice)
	}
	m2, cmd = m2.update(outsideMsg{o: Outside{AccountID: "1", Fetch: &mail.SyncResult{New: 2}}})
	m2 = settle(t, m2, cmd)
	if m2.list.total != 7 {
		t.Fatalf("list total %d after a served fetch, want 7", m2.list.total)
	}
	if !strings.Contains(m2.notice, "New mail: 2 messages") {
		t.Fatalf("notice %q", m2.notice)
	}
	if info := m2.fetched["1"]; info.at.IsZero() || info.outcome == "" {
		t.Fatalf("status bar's last fetch not set: %+v", info)
	}
}

// TestOutsideAccounts: account changes made from the command line are
// read again.
func TestOutsideAccounts(t *testing.T) {
	st := newMemStore(testAccounts()...)
	m := testApp(t, st, langEN, 100, 24)
	if err := st.Use("2"); err != nil {
		t.Fatal(err)
	}
	m2, cmd := m.update(outsideMsg{o: Outside{Accounts: true}})
	m2 = settle(t, m2, cmd)
	if m2.active.ID != "2" {
		t.Fatalf("active %q after account use from the command line, want 2", m2.active.ID)
	}
}
