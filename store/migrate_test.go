package store

import (
	"errors"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func schemaIn(t *testing.T, path string) uint64 {
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
