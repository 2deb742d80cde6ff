package store

import (
	"bytes"
	"errors"
	"os"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestRefreshTokens: a refresh token is sealed like a password: it opens
// for its account and side only, a new one replaces the old, it is nowhere
// in the file in plain text, and it goes with its account.
func TestRefreshTokens(t *testing.T) {
	s := newStore(t)
	for _, n := range []string{"Work", "Home"} {
		if _, err := s.AddAccount(testAccount(n)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.RefreshToken("Work", false); !errors.Is(err, ErrNoToken) {
		t.Fatalf("before sign-in: %v, want ErrNoToken", err)
	}
	const first, rotated = "1.AQ-refresh-token-FIRST-unique", "1.AQ-refresh-token-ROTATED-unique"
	if err := s.SetRefreshToken("Work", false, first); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRefreshToken("Work", false, rotated); err != nil {
		t.Fatal(err)
	}
	if got, err := s.RefreshToken("Work", false); err != nil || got != rotated {
		t.Errorf("incoming token = %q, %v; want the rotated one", got, err)
	}
	if _, err := s.RefreshToken("Work", true); !errors.Is(err, ErrNoToken) {
		t.Errorf("outgoing side: %v, want ErrNoToken", err)
	}
	if _, err := s.RefreshToken("Home", false); !errors.Is(err, ErrNoToken) {
		t.Errorf("another account: %v, want ErrNoToken", err)
	}

	// A sealed token copied to another account does not open there.
	var work, home string
	list, _ := s.Accounts()
	for _, a := range list {
		if a.Name == "Work" {
			work = a.ID
		} else {
			home = a.ID
		}
	}
	if err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSecrets)
		return b.Put(secretKey(home, sideIncomingToken), copyBytes(b.Get(secretKey(work, sideIncomingToken))))
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RefreshToken("Home", false); !errors.Is(err, ErrKeyFile) {
		t.Errorf("a token moved to another account: %v, want it refused", err)
	}

	raw, err := os.ReadFile(s.path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("refresh-token")) {
		t.Error("a refresh token is in the database file in plain text")
	}

	if err := s.SetRefreshToken("Work", false, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RefreshToken("Work", false); !errors.Is(err, ErrNoToken) {
		t.Errorf("after sign-out: %v", err)
	}
	if err := s.SetRefreshToken("Work", true, rotated); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveAccount("Work"); err != nil {
		t.Fatal(err)
	}
	if err := s.view(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketSecrets).Get(secretKey(work, sideOutgoingToken)) != nil {
			t.Error("the removed account's token is still stored")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestRefreshTokenRepaired: repair copies a refresh token with the
// passwords, and it still opens in the new file.
func TestRefreshTokenRepaired(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/popbox.db"
	s := openTest(t, path)
	if _, err := s.AddAccount(testAccount("Work")); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRefreshToken("Work", true, "tok-to-keep"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	dst := dir + "/new.db"
	if _, err := Salvage(path, dst, Options{}); err != nil {
		t.Fatal(err)
	}
	n := openTest(t, dst)
	if got, err := n.RefreshToken("Work", true); err != nil || got != "tok-to-keep" {
		t.Errorf("after repair: %q, %v", got, err)
	}
}
