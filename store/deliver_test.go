package store

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"popbox/mail"
)

// lookup is the record LookupUIDs gives for uid.
func lookup(t *testing.T, s *Store, accountID, uid string) mail.UIDRecord {
	t.Helper()
	var out mail.UIDRecord
	if err := s.LookupUIDs(accountID, []string{uid}, func(_ int, rec mail.UIDRecord, ok bool) {
		if !ok {
			t.Fatalf("no record for %s", uid)
		}
		out = rec
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDeliveryMarks: Commit marks a message waiting for delivery in its
// own transaction, LookupUIDs says so for every UID that leads to it (a
// duplicate's too), Delivered clears the mark, and a message deleted in
// popbox is gone for delivery.
func TestDeliveryMarks(t *testing.T) {
	s := newStore(t)
	a := addAccount(t, s, "Work")
	date := time.Date(2024, 2, 2, 0, 0, 0, 0, time.UTC)
	if n, err := s.PendingDeliveryCount(a.ID); err != nil || n != 0 {
		t.Fatalf("a new account: %d waiting, %v", n, err)
	}
	m1, m2, m3 := newMsg("u1", date, "One"), newMsg("u2", date, "Two"), newMsg("u3", date, "Three")
	m1.PendingDelivery, m2.PendingDelivery = true, true
	commit(t, s, a.ID, m1, m2, m3)
	// The same bytes as u1 under a new UID: no mark of its own, but its
	// message's.
	dup := newMsg("u1", date, "One")
	dup.UID, dup.PendingDelivery = "u9", true
	if d := commit(t, s, a.ID, dup); d != 1 {
		t.Fatalf("duplicates %d", d)
	}
	list, err := s.PendingDeliveries(a.ID, "", 10)
	if err != nil || len(list) != 2 || list[0].UID != "u1" || list[1].UID != "u2" || !list[0].FirstSeen.Equal(m1.FirstSeen) {
		t.Fatalf("pending %+v, %v", list, err)
	}
	if more, _ := s.PendingDeliveries(a.ID, list[0].ID, 10); len(more) != 1 || more[0].UID != "u2" {
		t.Fatalf("after %s: %+v", list[0].ID, more)
	}
	for uid, want := range map[string]bool{"u1": true, "u9": true, "u2": true, "u3": false} {
		if got := lookup(t, s, a.ID, uid).PendingDelivery; got != want {
			t.Errorf("%s pending %v, want %v", uid, got, want)
		}
	}
	if err := s.Delivered(a.ID, []string{list[0].ID}); err != nil {
		t.Fatal(err)
	}
	if lookup(t, s, a.ID, "u1").PendingDelivery || lookup(t, s, a.ID, "u9").PendingDelivery || !lookup(t, s, a.ID, "u2").PendingDelivery {
		t.Error("Delivered cleared the wrong marks")
	}
	if n, _ := s.PendingDeliveryCount(a.ID); n != 1 {
		t.Errorf("%d waiting, want 1", n)
	}
	// Deleted in popbox before delivery: gone, which delivery takes as done.
	if err := s.DeleteMessage(list[1].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Raw(list[1].ID); !mail.IsGone(err) {
		t.Fatalf("Raw of a deleted message: %v, want gone", err)
	}
	if n, err := s.DropPendingDeliveries(a.ID); err != nil || n != 1 {
		t.Fatalf("dropped %d, %v", n, err)
	}
	if n, _ := s.PendingDeliveryCount(a.ID); n != 0 {
		t.Errorf("%d waiting after the drop", n)
	}
	// A failed commit marks nothing.
	bad := newMsg("u2", date, "again")
	bad.PendingDelivery = true
	if _, err := s.Commit(a.ID, []mail.NewMessage{bad}); err == nil {
		t.Fatal("a UID stored twice was taken")
	}
	if n, _ := s.PendingDeliveryCount(a.ID); n != 0 {
		t.Errorf("%d waiting after a failed commit", n)
	}
}

// TestSalvageKeepsDeliveryMarks: popbox repair copies the marks of the
// messages it copies, so the repaired database still delivers them.
func TestSalvageKeepsDeliveryMarks(t *testing.T) {
	path := testPath(t)
	s := openTest(t, path)
	a := addAccount(t, s, "Work")
	date := time.Date(2024, 2, 2, 0, 0, 0, 0, time.UTC)
	m1, m2 := newMsg("u1", date, "One"), newMsg("u2", date, "Two")
	m1.PendingDelivery = true
	commit(t, s, a.ID, m1, m2)
	want, err := s.PendingDeliveries(a.ID, "", 10)
	if err != nil || len(want) != 1 {
		t.Fatalf("%+v, %v", want, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "popbox.db")
	if _, err := Salvage(path, dst, Options{}); err != nil {
		t.Fatal(err)
	}
	out := openSalvaged(t, dst)
	got, err := out.PendingDeliveries(a.ID, "", 10)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("after repair %+v (%v), want %+v", got, err, want)
	}
	if !lookup(t, out, a.ID, "u1").PendingDelivery || lookup(t, out, a.ID, "u2").PendingDelivery {
		t.Error("the repaired database's UIDs lost their marks")
	}
}
