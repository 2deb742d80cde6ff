package store

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"popbox/mail"
)

func schemaIn(t testing.TB, path string) uint64 {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v uint64
	db.View(func(tx *bolt.Tx) error {
		v = schemaOf(tx)
		return nil
	})
	return v
}

func TestMigrationsOrdered(t *testing.T) {
	for i, m := range migrations {
		if m.version != uint64(i+1) {
			t.Errorf("migration %d has version %d", i, m.version)
		}
		if m.name == "" || m.apply == nil {
			t.Errorf("migration %d is incomplete", m.version)
		}
	}
}

// TestMigrationV1 runs the creation step on an empty bbolt file.
func TestMigrationV1(t *testing.T) {
	path := testPath(t)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error { return migrate(tx, migrations[:1]) }); err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketMeta, bucketAccounts, bucketSecrets, bucketIDs, bucketAcct} {
			if tx.Bucket(b) == nil {
				t.Errorf("bucket %s missing", b)
			}
		}
		meta := tx.Bucket(bucketMeta)
		if string(meta.Get(keyMagic)) != "popbox" {
			t.Errorf("magic %q", meta.Get(keyMagic))
		}
		if v := schemaOf(tx); v != 1 {
			t.Errorf("schema %d, want 1", v)
		}
		if meta.Get(keyActive) != nil {
			t.Error("an active account in a new database")
		}
		return nil
	})
	// Running it again changes nothing.
	if err := db.Update(func(tx *bolt.Tx) error { return migrate(tx, migrations[:1]) }); err != nil {
		t.Fatal(err)
	}
}

// withMigration appends a step for the length of a test.
func withMigration(t *testing.T, m migration) {
	t.Helper()
	saved := migrations
	migrations = append(migrations[:len(saved):len(saved)], m)
	t.Cleanup(func() { migrations = saved })
}

func TestOpenMigratesOlderSchema(t *testing.T) {
	path := testPath(t)
	s, err := Open(path, testOptions(path))
	if err != nil {
		t.Fatal(err)
	}
	a := addAccount(t, s, "Work")
	commit(t, s, a.ID, newMsg("u1", time.Now(), "kept"))
	s.Close()

	next := currentSchema() + 1
	ran := 0
	withMigration(t, migration{version: next, name: "test step", apply: func(tx *bolt.Tx) error {
		ran++
		_, err := tx.CreateBucket([]byte("test-step"))
		return err
	}})

	s = openTest(t, path)
	if ran != 1 {
		t.Errorf("migration ran %d times", ran)
	}
	s.Close()
	if v := schemaIn(t, path); v != next {
		t.Errorf("schema %d after migration, want %d", v, next)
	}
	s = openTest(t, path)
	if ran != 1 {
		t.Errorf("migration ran again on a migrated database")
	}
	if n, _ := s.Count(a.ID); n != 1 {
		t.Errorf("messages lost in migration: %d", n)
	}
}

func TestFailedMigrationLeavesOldSchema(t *testing.T) {
	path := testPath(t)
	s, err := Open(path, testOptions(path))
	if err != nil {
		t.Fatal(err)
	}
	addAccount(t, s, "Work")
	s.Close()
	old := currentSchema()

	withMigration(t, migration{version: old + 1, name: "broken step", apply: func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucket([]byte("half-done")); err != nil {
			return err
		}
		return errors.New("disk says no")
	}})
	if _, err := Open(path, testOptions(path)); err == nil {
		t.Fatal("Open succeeded though the migration failed")
	}
	if v := schemaIn(t, path); v != old {
		t.Errorf("schema %d after a failed migration, want %d", v, old)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("half-done")) != nil {
			t.Error("a failed migration left its work behind")
		}
		return nil
	})
	db.Close()
}

// v1Database makes a database as popbox wrote it at schema 1: the bucket
// tree of migration 1 and an account whose message buckets (made by
// AddAccount then) have no chunks bucket, with one message in it.
func v1Database(t *testing.T, path string) (accountID string, raw []byte) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	raw = []byte("Subject: from the first release\r\n\r\nhello\r\n")
	err = db.Update(func(tx *bolt.Tx) error {
		if err := migrate(tx, migrations[:1]); err != nil {
			return err
		}
		k := u64(1)
		if err := putAccount(tx, k, mail.Account{ID: "1", Name: "Old", Email: "old@example.com",
			Incoming:  mail.Server{Host: "pop.example.com", Port: 995, Security: mail.SecuritySSL, User: "old"},
			SMTPSame:  true,
			Retention: mail.Retention{Kind: mail.RetainKeep}}); err != nil {
			return err
		}
		meta := tx.Bucket(bucketMeta)
		for _, kv := range []struct{ k, v []byte }{{keyNextAccount, u64(1)}, {keyActive, []byte("1")}, {keyNextMessage, u64(1)}} {
			if err := meta.Put(kv.k, kv.v); err != nil {
				return err
			}
		}
		root, err := tx.Bucket(bucketAcct).CreateBucket(k)
		if err != nil {
			return err
		}
		for _, name := range [][]byte{bucketMsgs, bucketRaw, bucketIndex, bucketUIDs, bucketTombstones, bucketDigests} {
			if _, err := root.CreateBucket(name); err != nil {
				return err
			}
		}
		a := acct{key: k, root: root, msgs: root.Bucket(bucketMsgs), raw: root.Bucket(bucketRaw), index: root.Bucket(bucketIndex),
			uids: root.Bucket(bucketUIDs), tombs: root.Bucket(bucketTombstones), digest: root.Bucket(bucketDigests)}
		sum := sha256.Sum256(raw)
		date := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
		mk := msgKey(date, 1)
		rec := msgRecord{UID: "u1", Summary: mail.Summary{Subject: "from the first release", Date: date}, Received: time.Now(), Digest: sum[:]}
		if err := putV2Message(tx.Bucket(bucketIDs), a, mk, rec, raw); err != nil {
			return err
		}
		if err := putV2UID(a, "u1", uidRecord{FirstSeen: time.Now(), MsgID: 1, State: mail.UIDStored}); err != nil {
			return err
		}
		return a.setCount(1)
	})
	if err != nil {
		t.Fatal(err)
	}
	return "1", raw
}

// TestMigrationV2: the step to schema 2 gives a schema 1 database the
// pending bucket and a chunks bucket in every account.
func TestMigrationV2(t *testing.T) {
	path := testPath(t)
	id, _ := v1Database(t, path)
	if v := schemaIn(t, path); v != 1 {
		t.Fatalf("fixture has schema %d", v)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error { return migrate(tx, migrations[:2]) }); err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *bolt.Tx) error {
		if v := schemaOf(tx); v != 2 {
			t.Errorf("schema %d after the step, want 2", v)
		}
		if tx.Bucket(bucketPending) == nil {
			t.Error("no pending bucket")
		}
		if _, err := openAcct(tx, id); err != nil {
			t.Errorf("account buckets: %v", err)
		}
		return nil
	})
}

// TestOpenSchema1: Open brings a schema 1 database through step 2 and the
// upgrade to the current schema; its message reads as before and a large
// message can be stored in it.
func TestOpenSchema1(t *testing.T) {
	path := testPath(t)
	id, raw := v1Database(t, path)
	s := openTest(t, path)
	if v := schemaOf1(t, s); v != currentSchema() {
		t.Errorf("schema %d after Open, want %d", v, currentSchema())
	}
	s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketPending) == nil {
			t.Error("no pending bucket")
		}
		if _, err := openAcct(tx, id); err != nil {
			t.Errorf("account buckets: %v", err)
		}
		return nil
	})
	if got, err := s.Raw("1"); err != nil || !bytes.Equal(got, raw) {
		t.Errorf("Raw of the old message = %q, %v", got, err)
	}
	big := bigMsg("big", largeRaw+1, 4)
	commit(t, s, id, big)
	if got, err := s.Raw(uidOf(t, s, id, "big").MsgID); err != nil || !bytes.Equal(got, big.Raw) {
		t.Errorf("Raw of a large message after the migration: %d bytes, %v", len(got), err)
	}
}

func schemaOf1(t *testing.T, s *Store) (v uint64) {
	t.Helper()
	s.db.View(func(tx *bolt.Tx) error {
		v = schemaOf(tx)
		return nil
	})
	return v
}
