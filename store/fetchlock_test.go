package store

import (
	"context"
	"testing"
	"time"
)

// TestLendCloseKeepsOpen: closing a lent handle leaves the database open
// for the lender and the other handles.
func TestLendCloseKeepsOpen(t *testing.T) {
	s := newStore(t)
	a, err := s.AddAccount(testAccount("Work"))
	if err != nil {
		t.Fatal(err)
	}
	l := s.Lend()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Account(a.ID); err != nil {
		t.Fatalf("lent handle after its Close: %v", err)
	}
	if _, err := s.Account(a.ID); err != nil {
		t.Fatalf("lender after the lent handle's Close: %v", err)
	}
	// The lent handle shares the fetch locks.
	unlock, ok := s.TryLockFetch(a.ID)
	if !ok {
		t.Fatal("TryLockFetch on a free account")
	}
	if _, ok := l.TryLockFetch(a.ID); ok {
		t.Fatal("a lent handle took the fetch lock its lender holds")
	}
	unlock()
}

func TestLockFetch(t *testing.T) {
	s := newStore(t)
	unlock, err := s.LockFetch(context.Background(), "1")
	if err != nil {
		t.Fatal(err)
	}
	// Another account is free.
	u2, ok := s.TryLockFetch("2")
	if !ok {
		t.Fatal("the lock of account 1 held account 2")
	}
	u2()
	if _, ok := s.TryLockFetch("1"); ok {
		t.Fatal("TryLockFetch took a held lock")
	}
	// A waiter with a deadline gives up.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.LockFetch(ctx, "1"); err == nil {
		t.Fatal("LockFetch of a held lock returned before its context ended")
	}
	// A waiter gets its turn when the holder lets go, and not before.
	got := make(chan func(), 1)
	go func() {
		u, err := s.LockFetch(context.Background(), "1")
		if err != nil {
			t.Error(err)
		}
		got <- u
	}()
	select {
	case <-got:
		t.Fatal("the waiter ran while the lock was held")
	case <-time.After(50 * time.Millisecond):
	}
	unlock()
	unlock() // a second call does nothing
	u := <-got
	if _, ok := s.TryLockFetch("1"); ok {
		t.Fatal("the second unlock released the waiter's lock")
	}
	u()
	if u, ok := s.TryLockFetch("1"); !ok {
		t.Fatal("the lock is not free after both unlocked")
	} else {
		u()
	}
}
