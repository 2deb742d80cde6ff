package store

import (
	"errors"
	"path/filepath"
	"testing"
)

// TestOutboxStates: a message goes queued -> sending -> sent and is then
// listed as sent only; a failed one can be sent again; one left "sending"
// by a process that is gone becomes unknown, which only a forced send
// takes again; the bytes stay as written; the outbox survives a reopen.
func TestOutboxStates(t *testing.T) {
	path := testPath(t)
	s := openTest(t, path)
	a := addAccount(t, s, "Work")
	raw := []byte("Subject: hi\r\n\r\nbody\r\n")
	o, err := s.AddOutgoing(a.ID, Outgoing{MessageID: "<1@x>", From: "a@x", To: []string{"b@y"}}, raw)
	if err != nil || o.ID != "1" || o.State != OutQueued {
		t.Fatalf("AddOutgoing: %+v, %v", o, err)
	}
	if _, err := s.BeginSending(a.ID, o.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BeginSending(a.ID, o.ID, true); !errors.Is(err, ErrOutState) {
		t.Fatalf("second BeginSending while sending: %v, want ErrOutState", err)
	}
	// The send of this process holds it: SettleOutbox leaves it alone.
	if got, err := s.SettleOutbox(a.ID); err != nil || len(got) != 0 {
		t.Fatalf("SettleOutbox during a send: %v, %v", got, err)
	}
	if _, err := s.EndSending(a.ID, o.ID, OutSent, "", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BeginSending(a.ID, o.ID, true); !errors.Is(err, ErrOutState) {
		t.Fatalf("BeginSending of a sent message: %v, want ErrOutState", err)
	}
	sent, _ := s.Sent(a.ID)
	box, _ := s.Outbox(a.ID)
	if len(sent) != 1 || sent[0].SentAt.IsZero() || len(box) != 0 {
		t.Fatalf("sent %+v, outbox %+v", sent, box)
	}

	o2, _ := s.AddOutgoing(a.ID, Outgoing{MessageID: "<2@x>", To: []string{"b@y"}}, raw)
	s.BeginSending(a.ID, o2.ID, false)
	s.EndSending(a.ID, o2.ID, OutFailed, "refused", true)
	if o, err := s.BeginSending(a.ID, o2.ID, false); err != nil || o.Attempts != 2 {
		t.Fatalf("retry of a failed message: %+v, %v", o, err)
	}
	// Killed here: the next process finds it sending.
	s.Close()
	s = openTest(t, path)
	settled, err := s.SettleOutbox(a.ID)
	if err != nil || len(settled) != 1 || settled[0].ID != o2.ID || settled[0].State != OutUnknown {
		t.Fatalf("SettleOutbox after a kill: %+v, %v", settled, err)
	}
	if _, err := s.BeginSending(a.ID, o2.ID, false); !errors.Is(err, ErrOutState) {
		t.Fatalf("plain retry of an unknown message: %v, want ErrOutState", err)
	}
	if _, err := s.BeginSending(a.ID, o2.ID, true); err != nil {
		t.Fatalf("forced retry: %v", err)
	}
	s.EndSending(a.ID, o2.ID, OutSent, "", false)
	got, b, err := s.OutgoingMessage(a.ID, o2.ID)
	if err != nil || string(b) != string(raw) || got.MessageID != "<2@x>" {
		t.Fatalf("OutgoingMessage: %+v %q %v", got, b, err)
	}
	if _, _, err := s.OutgoingMessage(a.ID, "9"); !errors.Is(err, ErrNoOutgoing) {
		t.Fatalf("missing: %v", err)
	}
}

// TestSalvageKeepsOutbox: a repair carries the outbox over, every state,
// bytes and IDs, and new messages get new IDs after the copied ones.
func TestSalvageKeepsOutbox(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "popbox.db")
	st := openTest(t, path)
	a, err := st.AddAccount(testAccount("Work"))
	if err != nil {
		t.Fatal(err)
	}
	q, err := st.AddOutgoing(a.ID, Outgoing{To: []string{"b@example.com"}}, []byte("queued\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := st.AddOutgoing(a.ID, Outgoing{To: []string{"c@example.com"}, State: OutSent}, []byte("sent\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	dst := filepath.Join(dir, "new", "popbox.db")
	if _, err := Salvage(path, dst, Options{}); err != nil {
		t.Fatal(err)
	}
	nst := openTest(t, dst)
	defer nst.Close()
	for _, want := range []struct {
		o   Outgoing
		raw string
	}{{q, "queued\r\n"}, {s, "sent\r\n"}} {
		o, raw, err := nst.OutgoingMessage(a.ID, want.o.ID)
		if err != nil || string(raw) != want.raw || o.State != want.o.State {
			t.Fatalf("after repair %s: %+v %q %v", want.o.ID, o, raw, err)
		}
	}
	n, err := nst.AddOutgoing(a.ID, Outgoing{To: []string{"d@example.com"}}, []byte("new\r\n"))
	if err != nil || n.ID == q.ID || n.ID == s.ID {
		t.Fatalf("new outgoing ID %q after repair (%v), copied %s and %s", n.ID, err, q.ID, s.ID)
	}
}
