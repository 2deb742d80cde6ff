package store

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// migration brings a database from version-1 to version. Version 1 is the
// creation of the bucket tree. A migration runs inside the transaction that
// also records its version, so a failed step leaves the file as it was.
type migration struct {
	version uint64
	name    string
	apply   func(tx *bolt.Tx) error
}

// migrations is every schema step done in a transaction, in order. Append
// to it; never change or reorder a released step. Each has a test in
// migrate_test.go.
var migrations = []migration{
	{version: 1, name: "create the bucket tree", apply: createV1},
	{version: 2, name: "chunks for large messages", apply: addChunks},
}

// upgradeSchema is the step that is not in migrations: schema 3
// (compressed raw bytes under the message ID, binary UID records) changes
// every message, which no one transaction could hold for a large mailbox,
// so the upgrade rebuilds the file instead (upgrade.go). A later step done
// in a transaction goes into migrations with version 4 on.
const upgradeSchema = 3

// currentSchema is the version this popbox writes.
func currentSchema() uint64 {
	return max(migrations[len(migrations)-1].version, upgradeSchema)
}

// initSchema lays out a new, empty database: the steps before the
// upgrade, then schema 3 straight away (it differs from 2 only in how
// messages and UID records are written, and there are none yet), then
// any later step.
func initSchema(tx *bolt.Tx) error {
	if err := migrate(tx, stepsBefore(upgradeSchema)); err != nil {
		return err
	}
	if err := tx.Bucket(bucketMeta).Put(keySchema, u64(upgradeSchema)); err != nil {
		return fmt.Errorf("migration %d: %w", upgradeSchema, err)
	}
	return migrate(tx, migrations)
}

// stepsBefore is the steps of migrations older than version.
func stepsBefore(version uint64) []migration {
	var out []migration
	for _, m := range migrations {
		if m.version < version {
			out = append(out, m)
		}
	}
	return out
}

// schemaOf reads the version recorded in meta; 0 for a database not yet created.
func schemaOf(tx *bolt.Tx) uint64 {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0
	}
	v := meta.Get(keySchema)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// migrate applies, in order, every step of list newer than the database.
func migrate(tx *bolt.Tx, list []migration) error {
	from := schemaOf(tx)
	for _, m := range list {
		if m.version <= from {
			continue
		}
		if err := m.apply(tx); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return fmt.Errorf("migration %d (%s): no meta bucket", m.version, m.name)
		}
		if err := meta.Put(keySchema, u64(m.version)); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}

// createV1 makes the top-level buckets and the marker.
func createV1(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketMeta, bucketAccounts, bucketSecrets, bucketIDs, bucketAcct} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("bucket %s: %w", name, err)
		}
	}
	meta := tx.Bucket(bucketMeta)
	for _, kv := range []struct{ k, v []byte }{
		{keyMagic, magicValue},
		{keyNextAccount, u64(0)},
		{keyNextMessage, u64(0)},
	} {
		if err := meta.Put(kv.k, kv.v); err != nil {
			return fmt.Errorf("meta %s: %w", kv.k, err)
		}
	}
	return nil
}

// addChunks makes the pending bucket and, in every account, the chunks
// bucket, for messages over largeRaw (chunks.go). Messages already stored
// keep their one-value layout.
func addChunks(tx *bolt.Tx) error {
	if _, err := tx.CreateBucketIfNotExists(bucketPending); err != nil {
		return fmt.Errorf("bucket %s: %w", bucketPending, err)
	}
	acct := tx.Bucket(bucketAcct)
	if acct == nil {
		return fmt.Errorf("no bucket %s", bucketAcct)
	}
	var keys [][]byte
	if err := acct.ForEachBucket(func(k []byte) error {
		keys = append(keys, copyBytes(k))
		return nil
	}); err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := acct.Bucket(k).CreateBucketIfNotExists(bucketChunks); err != nil {
			return fmt.Errorf("account %s: bucket %s: %w", accountIDOf(k), bucketChunks, err)
		}
	}
	return nil
}
