package store

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestPasswordNotInFiles(t *testing.T) {
	const secret = "Zx9-unique-S3cret-pw"
	path := testPath(t)
	s, err := Open(path, testOptions(path))
	if err != nil {
		t.Fatal(err)
	}
	a := testAccount("Work")
	a.Incoming.Password = secret
	a.Outgoing.Password = secret + "-out"
	if _, err := s.AddAccount(a); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPassword("Work", false, secret); err != nil {
		t.Fatal(err)
	}
	got, err := s.Account("Work")
	if err != nil || got.Incoming.Password != secret {
		t.Fatalf("Account: %q, %v", got.Incoming.Password, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + ".key"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s contains the password in plain text", f)
		}
	}
}

func TestMissingKeyFile(t *testing.T) {
	path := testPath(t)
	s, err := Open(path, testOptions(path))
	if err != nil {
		t.Fatal(err)
	}
	addAccount(t, s, "Work")
	addAccount(t, s, "My Home")
	s.Close()
	if err := os.Remove(path + ".key"); err != nil {
		t.Fatal(err)
	}

	s = openTest(t, path)
	if list, err := s.Accounts(); err != nil || len(list) != 2 {
		t.Fatalf("Accounts without key file: %v, %v", list, err)
	}
	_, err = s.Account("Work")
	if !errors.Is(err, ErrKeyFile) {
		t.Fatalf("Account without key file: %v, want ErrKeyFile", err)
	}
	want := "the key file " + path + ".key is missing; passwords must be set again with popbox account passwd Work --incoming"
	if said(err) != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if _, err := s.Active(); !errors.Is(err, ErrKeyFile) {
		t.Errorf("Active without key file: %v", err)
	}

	// Setting the passwords again makes a new key; the account works again,
	// and the other one says its passwords no longer open.
	if err := s.SetPassword("Work", false, "again-in"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPassword("Work", true, "again-out"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Account("Work")
	if err != nil || got.Incoming.Password != "again-in" || got.Outgoing.Password != "again-out" {
		t.Errorf("after passwd: %q %q, %v", got.Incoming.Password, got.Outgoing.Password, err)
	}
	_, err = s.Account("My Home")
	if !errors.Is(err, ErrKeyFile) || !strings.Contains(said(err), `passwd 'My Home' --incoming`) {
		t.Errorf("stale secrets: %v", err)
	}
}

func TestDamagedKeyFile(t *testing.T) {
	path := testPath(t)
	s := openTest(t, path)
	addAccount(t, s, "Work")
	s.Close()
	if err := os.WriteFile(path+".key", []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, path)
	_, err := s.Account("Work")
	if !errors.Is(err, ErrKeyFile) || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("damaged key: %v", err)
	}
	if err := s.SetPassword("Work", false, "x"); !errors.Is(err, ErrKeyFile) {
		t.Errorf("SetPassword over a damaged key: %v, want ErrKeyFile", err)
	}
	if b, _ := os.ReadFile(path + ".key"); string(b) != "short" {
		t.Error("a damaged key file was overwritten")
	}
}

func TestSealedValuesBoundToAccountAndSide(t *testing.T) {
	s := newStore(t)
	w := addAccount(t, s, "Work")
	h := addAccount(t, s, "Home")
	// Put Work's incoming box in Home's place, and Home's outgoing box in
	// Home's incoming place.
	cases := []struct {
		name string
		from []byte
	}{
		{"other account", secretKey(w.ID, sideIncoming)},
		{"other side", secretKey(h.ID, sideOutgoing)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.db.Update(func(tx *bolt.Tx) error {
				b := tx.Bucket(bucketSecrets)
				return b.Put(secretKey(h.ID, sideIncoming), copyBytes(b.Get(c.from)))
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Account("Home"); !errors.Is(err, ErrKeyFile) {
				t.Errorf("swapped box opened: %v", err)
			}
		})
	}
}

func TestSealRoundTrip(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	for _, pw := range []string{"", "p", "パスワード", strings.Repeat("x", 1000)} {
		a, err := seal(key, "1", sideIncoming, pw)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := seal(key, "1", sideIncoming, pw)
		if bytes.Equal(a, b) {
			t.Error("two seals of the same password are equal (nonce reused)")
		}
		got, err := unseal(key, "1", sideIncoming, a)
		if err != nil || got != pw {
			t.Errorf("unseal = %q, %v; want %q", got, err, pw)
		}
		if _, err := unseal(key, "1", sideIncoming, a[:10]); err == nil {
			t.Error("a truncated box opened")
		}
	}
}
