package store

import (
	"errors"
	"path/filepath"
	"testing"
)

// TestDrafts: a draft keeps its form and is never sent as it is; queued,
// the message keeps the form beside its bytes; a message being sent or
// sent cannot be written again; a failed one can, and becomes a draft;
// drafts and forms survive a repair; a draft can be thrown away.
func TestDrafts(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "popbox.db")
	s := openTest(t, path)
	a := addAccount(t, s, "Work")
	d, err := s.SaveDraft(a.ID, Outgoing{Subject: "hi", To: []string{"b@y"}}, []byte("To: b@y\n\nfirst"))
	if err != nil || d.State != OutDraft || d.ID == "" {
		t.Fatalf("SaveDraft: %+v %v", d, err)
	}
	if _, err := s.BeginSending(a.ID, d.ID, true); !errors.Is(err, ErrOutState) {
		t.Fatalf("BeginSending of a draft: %v, want ErrOutState", err)
	}
	if _, err := s.SaveDraft(a.ID, Outgoing{}, nil); err == nil {
		t.Fatal("an empty draft was saved")
	}
	d.Subject = "hi again"
	d2, err := s.SaveDraft(a.ID, d, []byte("To: b@y\n\nsecond"))
	if err != nil || d2.ID != d.ID || !d2.Created.Equal(d.Created) {
		t.Fatalf("SaveDraft in place: %+v %v", d2, err)
	}
	if list, _ := s.Drafts(a.ID); len(list) != 1 || list[0].Subject != "hi again" {
		t.Fatalf("Drafts: %+v", list)
	}
	if _, form, _ := s.OutgoingForm(a.ID, d.ID); string(form) != "To: b@y\n\nsecond" {
		t.Fatalf("draft form %q", form)
	}
	q, err := s.QueueOutgoing(a.ID, d2, []byte("Subject: hi\r\n\r\nbody\r\n"), []byte("To: b@y\n\nsecond"))
	if err != nil || q.State != OutQueued || q.ID != d.ID {
		t.Fatalf("QueueOutgoing: %+v %v", q, err)
	}
	if list, _ := s.Drafts(a.ID); len(list) != 0 {
		t.Fatalf("a queued message is still a draft: %+v", list)
	}
	o, raw, _ := s.OutgoingMessage(a.ID, q.ID)
	_, form, _ := s.OutgoingForm(a.ID, q.ID)
	if string(raw) != "Subject: hi\r\n\r\nbody\r\n" || string(form) != "To: b@y\n\nsecond" || o.Size != len(raw) {
		t.Fatalf("queued: %+v raw %q form %q", o, raw, form)
	}
	if _, err := s.BeginSending(a.ID, q.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveDraft(a.ID, q, []byte("x")); !errors.Is(err, ErrOutState) {
		t.Fatalf("SaveDraft while sending: %v", err)
	}
	if err := s.DeleteOutgoing(a.ID, q.ID); !errors.Is(err, ErrOutState) {
		t.Fatalf("DeleteOutgoing while sending: %v", err)
	}
	if _, err := s.EndSending(a.ID, q.ID, OutFailed, "offline", false); err != nil {
		t.Fatal(err)
	}
	back, err := s.SaveDraft(a.ID, q, []byte("To: b@y\n\nthird"))
	if err != nil || back.State != OutDraft || back.Reason != "" || back.Attempts != 1 {
		t.Fatalf("a failed message written again: %+v %v", back, err)
	}
	q2, _ := s.QueueOutgoing(a.ID, back, []byte("m\r\n"), []byte("To: b@y\n\nthird"))
	s.BeginSending(a.ID, q2.ID, false)
	s.EndSending(a.ID, q2.ID, OutSent, "", false)
	if _, err := s.SaveDraft(a.ID, q2, []byte("x")); !errors.Is(err, ErrOutState) {
		t.Fatalf("SaveDraft of a sent message: %v", err)
	}
	keep, _ := s.SaveDraft(a.ID, Outgoing{Subject: "kept"}, []byte("To: c@y\n\nkept"))
	gone, _ := s.SaveDraft(a.ID, Outgoing{Subject: "gone"}, []byte("To: c@y\n\ngone"))
	if err := s.DeleteOutgoing(a.ID, gone.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.OutgoingMessage(a.ID, gone.ID); !errors.Is(err, ErrNoOutgoing) {
		t.Fatalf("deleted draft: %v", err)
	}
	s.Close()
	dst := filepath.Join(dir, "new", "popbox.db")
	if _, err := Salvage(path, dst, Options{}); err != nil {
		t.Fatal(err)
	}
	ns := openTest(t, dst)
	defer ns.Close()
	if o, form, err := ns.OutgoingForm(a.ID, keep.ID); err != nil || o.State != OutDraft || string(form) != "To: c@y\n\nkept" {
		t.Fatalf("draft after repair: %+v %q %v", o, form, err)
	}
	if _, form, err := ns.OutgoingForm(a.ID, q2.ID); err != nil || string(form) != "To: b@y\n\nthird" {
		t.Fatalf("form of a sent message after repair: %q %v", form, err)
	}
}
