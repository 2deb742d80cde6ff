package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// The upgrade to schema 3 rebuilds the file, as repair does: every message
// changes (its raw bytes are compressed and move from the msg key to the
// message ID, see compress.go) and every UID record too (binary instead of
// JSON), more than one transaction can hold for a large mailbox. It runs
// in Open, with the old file open and locked throughout:
//
//  1. A file left by an upgrade that was killed is removed, and a new one
//     made beside the database (upgradePath), never seen by anyone else.
//  2. Meta, accounts and sealed passwords are copied as they are (the key
//     file does not change, and a sealed password is bound only to its
//     account ID and side), then every message in the order of its ID (so
//     the new raw bucket is written from front to back), in batches, each
//     checked against its SHA-256 before it is written, then the UID
//     records and tombstones. Chunks a crash left unfinished (pending) are
//     not copied.
//  3. The new file is synced and renamed over the old path. Its bbolt
//     handle, open since step 1, holds the lock of the new file, and it
//     becomes the Store's: no other popbox can open the database between
//     the rename and the end of the old file's lock.
//
// A kill at any point before the rename leaves the old file as it was; the
// next Open removes the half-made one and starts again. A kill after it
// leaves the new, complete file. A message whose bytes do not match their
// SHA-256, or a record that does not decode, stops the upgrade with a
// DamagedError: repair reads schema 2 and writes schema 3.

// Upgrade batches: at most this many messages or raw bytes are held at
// once, read in one transaction of the old file and written in one of the
// new (variables so that a test can make the batches small).
var (
	upgradeBatch      = 500
	upgradeBatchBytes = 8 << 20
	upgradeUIDBatch   = 10_000
)

// upgradePath is the file the upgrade builds beside the database at path.
func upgradePath(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".upgrade")
}

// testHookUpgrade, when set, is called at each stage of the upgrade:
// "messages" after each batch of messages, "uids" after the UID records of
// each account, "synced" before the rename, "renamed" after it. A test
// kills the process there.
var testHookUpgrade func(stage string)

func upgradeHook(stage string) {
	if testHookUpgrade != nil {
		testHookUpgrade(stage)
	}
}

// upgrade rebuilds the schema 2 database old, open for writing at path,
// into a schema 3 file that takes its place, and returns that file's bbolt
// handle; old is closed once the new file is in place. On an error old is
// left open and as it was, and nothing of the new file remains.
func upgrade(old *bolt.DB, path string, opts Options) (*bolt.DB, error) {
	tmp := upgradePath(path)
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("remove the file of an unfinished upgrade %s: %w", tmp, err)
	}
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", tmp, err)
	}
	f.Close()
	o := boltOptions(opts.Timeout, false)
	nu, err := bolt.Open(tmp, 0o600, o)
	if err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("create %s: %w", tmp, err)
	}
	done := false
	defer func() {
		if !done {
			_ = nu.Close()
			os.Remove(tmp)
		}
	}()
	// Nothing is at stake until the rename: the batches skip their fsync
	// and one Sync at the end makes the whole file durable.
	nu.NoSync = true
	u := &upgrader{old: old, nu: nu, path: path, progress: opts.Progress}
	if err := u.run(); err != nil {
		return nil, err
	}
	if err := nu.Sync(); err != nil {
		return nil, fmt.Errorf("write %s: %w", tmp, err)
	}
	nu.NoSync = false
	upgradeHook("synced")
	if err := os.Rename(tmp, path); err != nil {
		return nil, fmt.Errorf("put the upgraded database in place of %s: %w", path, err)
	}
	done = true
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	upgradeHook("renamed")
	_ = old.Close()
	return nu, nil
}

// upgrader is one run of upgrade.
type upgrader struct {
	old, nu  *bolt.DB
	path     string
	progress func(done, total int)

	accounts    [][]byte       // 8-byte keys of the accounts
	counts      map[string]int // messages of each account, from its count
	total, done int
}

func (u *upgrader) damaged(id uint64, detail string) error {
	e := &DamagedError{Path: u.path, Detail: "the upgrade to a new format stopped: " + detail}
	if id != 0 {
		e.MessageID = strconv.FormatUint(id, 10)
	}
	return e
}

func (u *upgrader) report() {
	if u.progress != nil {
		u.progress(u.done, u.total)
	}
}

// view reads the old file; what the read mapped is dropped again after.
func (u *upgrader) view(fn func(tx *bolt.Tx) error) error {
	return u.old.View(func(tx *bolt.Tx) error {
		defer dropMapped(u.old)
		return fn(tx)
	})
}

// update writes the new file and drops what that mapped.
func (u *upgrader) update(fn func(tx *bolt.Tx) error) error {
	if err := u.nu.Update(fn); err != nil {
		return err
	}
	return u.nu.View(func(*bolt.Tx) error {
		dropMapped(u.nu)
		return nil
	})
}

func (u *upgrader) run() error {
	if err := u.copyTop(); err != nil {
		return err
	}
	u.report()
	if err := u.copyMessages(); err != nil {
		return err
	}
	for _, k := range u.accounts {
		if err := u.copyUIDs(k); err != nil {
			return err
		}
		upgradeHook("uids")
	}
	return nil
}

// copyTop copies meta (but the schema), the accounts and the sealed
// passwords, and makes each account's buckets.
func (u *upgrader) copyTop() error {
	var meta, accounts, secrets []keyValue
	u.counts = map[string]int{}
	err := u.view(func(tx *bolt.Tx) error {
		for _, b := range []struct {
			name []byte
			to   *[]keyValue
		}{{bucketMeta, &meta}, {bucketAccounts, &accounts}, {bucketSecrets, &secrets}} {
			bk := tx.Bucket(b.name)
			if bk == nil {
				return fmt.Errorf("no bucket %s", b.name)
			}
			if err := bk.ForEach(func(k, v []byte) error {
				if v != nil {
					*b.to = append(*b.to, keyValue{copyBytes(k), copyBytes(v)})
				}
				return nil
			}); err != nil {
				return err
			}
		}
		for _, a := range accounts {
			root := tx.Bucket(bucketAcct).Bucket(a.k)
			if root == nil {
				return u.damaged(0, "account "+accountIDOf(a.k)+" has no messages bucket")
			}
			n := 0
			if v := root.Get(keyCount); len(v) == 8 {
				n = int(binary.BigEndian.Uint64(v))
			}
			u.counts[accountIDOf(a.k)] = n
			u.total += n
		}
		return nil
	})
	if err != nil {
		return err
	}
	return u.update(func(tx *bolt.Tx) error {
		if err := initSchema(tx); err != nil {
			return err
		}
		for _, kv := range meta {
			if bytes.Equal(kv.k, keySchema) || bytes.Equal(kv.k, keyMagic) {
				continue
			}
			if err := tx.Bucket(bucketMeta).Put(kv.k, kv.v); err != nil {
				return err
			}
		}
		for _, kv := range secrets {
			if err := tx.Bucket(bucketSecrets).Put(kv.k, kv.v); err != nil {
				return err
			}
		}
		for _, kv := range accounts {
			if err := tx.Bucket(bucketAccounts).Put(kv.k, kv.v); err != nil {
				return err
			}
			if err := createAccountBuckets(tx, kv.k); err != nil {
				return err
			}
			u.accounts = append(u.accounts, kv.k)
		}
		return nil
	})
}

// upgradeMsg is a message read from the old file, checked.
type upgradeMsg struct {
	acct []byte // 8-byte account key
	key  []byte // msg key
	rec  msgRecord
	raw  []byte
}

// copyMessages copies every message, in the order of the ids bucket.
func (u *upgrader) copyMessages() error {
	var after []byte // the last message ID read
	copied := map[string]int{}
	for {
		var batch []upgradeMsg
		size := 0
		err := u.view(func(tx *bolt.Tx) error {
			c := tx.Bucket(bucketIDs).Cursor()
			k, v := c.First()
			if after != nil {
				if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			for ; k != nil; k, v = c.Next() {
				m, err := u.readMessage(tx, k, v)
				if err != nil {
					return err
				}
				batch = append(batch, m)
				after = copyBytes(k)
				if size += len(m.raw); len(batch) >= upgradeBatch || size >= upgradeBatchBytes {
					break
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			break
		}
		if err := u.writeMessages(batch); err != nil {
			return err
		}
		for _, m := range batch {
			copied[accountIDOf(m.acct)]++
		}
		u.done += len(batch)
		u.report()
		upgradeHook("messages")
	}
	for id, n := range u.counts {
		if copied[id] != n {
			return u.damaged(0, fmt.Sprintf("account %s counts %d messages, but %d were found", id, n, copied[id]))
		}
	}
	return nil
}

// readMessage reads the message of one ids entry and checks it.
func (u *upgrader) readMessage(tx *bolt.Tx, k, v []byte) (upgradeMsg, error) {
	if len(k) != 8 || len(v) != 24 || !bytes.Equal(k, v[16:24]) {
		return upgradeMsg{}, u.damaged(0, fmt.Sprintf("the entry %x of the message list does not decode", k))
	}
	gid := binary.BigEndian.Uint64(k)
	root := tx.Bucket(bucketAcct).Bucket(v[:8])
	if root == nil {
		return upgradeMsg{}, u.damaged(gid, "its account is missing")
	}
	msgs, raw, chunks := root.Bucket(bucketMsgs), root.Bucket(bucketRaw), root.Bucket(bucketChunks)
	if msgs == nil || raw == nil {
		return upgradeMsg{}, u.damaged(gid, "the buckets of its account are missing")
	}
	mk := v[8:24]
	rv := msgs.Get(mk)
	if rv == nil {
		return upgradeMsg{}, u.damaged(gid, "its record is missing")
	}
	rec, err := decodeRecord(rv)
	if err != nil || len(rec.Digest) != sha256.Size {
		return upgradeMsg{}, u.damaged(gid, "its record does not decode")
	}
	var body []byte
	switch rec.Layout {
	case layoutPlain:
		b := raw.Get(mk)
		if b == nil {
			return upgradeMsg{}, u.damaged(gid, "its bytes are missing")
		}
		body = copyBytes(b)
	case layoutChunks:
		if chunks == nil {
			return upgradeMsg{}, u.damaged(gid, "its chunks are missing")
		}
		parts, missing := readChunks(chunks, k, rec.Chunks)
		if parts == nil {
			return upgradeMsg{}, u.damaged(gid, fmt.Sprintf("part %d of its %d is missing", missing+1, rec.Chunks))
		}
		for _, p := range parts {
			body = append(body, p...)
		}
	default:
		return upgradeMsg{}, u.damaged(gid, fmt.Sprintf("its record names an unknown layout %q", rec.Layout))
	}
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], rec.Digest) {
		return upgradeMsg{}, u.damaged(gid, "its bytes do not match the SHA-256 stored with them")
	}
	return upgradeMsg{acct: copyBytes(v[:8]), key: copyBytes(mk), rec: rec, raw: body}, nil
}

// writeMessages writes a batch into the new file: the chunks of large
// messages first, a transaction each, then the rest in one transaction.
func (u *upgrader) writeMessages(batch []upgradeMsg) error {
	for i := range batch {
		m := &batch[i]
		m.rec.Layout, m.rec.Chunks = layoutZstd, 0
		if len(m.raw) > largeRaw {
			n, err := copyChunks(u.nu, m.acct, m.key[8:16], m.raw)
			if err != nil {
				return fmt.Errorf("write message %d: %w", binary.BigEndian.Uint64(m.key[8:16]), err)
			}
			m.rec.Layout, m.rec.Chunks = layoutZstdChunks, n
		}
	}
	packed := compressAll(len(batch), func(i int) []byte { return batch[i].raw },
		func(i int) bool { return batch[i].rec.Layout == layoutZstd })
	return u.update(func(tx *bolt.Tx) error {
		ids := tx.Bucket(bucketIDs)
		for i, m := range batch {
			a, err := openAcctKey(tx, m.acct, accountIDOf(m.acct))
			if err != nil {
				return err
			}
			fillForAppends(ids, a)
			if err := putMessage(ids, a, m.key, m.rec, packed[i]); err != nil {
				return fmt.Errorf("write message %d: %w", binary.BigEndian.Uint64(m.key[8:16]), err)
			}
			if err := a.setCount(a.count() + 1); err != nil {
				return err
			}
		}
		return nil
	})
}

// copyUIDs copies the UID records and tombstones of one account, the
// records turned from JSON into their binary form.
func (u *upgrader) copyUIDs(key []byte) error {
	for _, b := range [][]byte{bucketUIDs, bucketTombstones} {
		var after []byte
		for {
			var batch []keyValue
			err := u.view(func(tx *bolt.Tx) error {
				root := tx.Bucket(bucketAcct).Bucket(key)
				if root == nil || root.Bucket(b) == nil {
					return u.damaged(0, fmt.Sprintf("account %s has no bucket %s", accountIDOf(key), b))
				}
				c := root.Bucket(b).Cursor()
				k, v := c.First()
				if after != nil {
					if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
						k, v = c.Next()
					}
				}
				for ; k != nil && len(batch) < upgradeUIDBatch; k, v = c.Next() {
					if bytes.Equal(b, bucketUIDs) {
						r, err := decodeUIDAny(k, v)
						if err != nil {
							return u.damaged(0, fmt.Sprintf("the record of UID %q of account %s does not decode", k, accountIDOf(key)))
						}
						v = r.encode()
					}
					batch = append(batch, keyValue{copyBytes(k), copyBytes(v)})
					after = copyBytes(k)
				}
				return nil
			})
			if err != nil {
				return err
			}
			if len(batch) == 0 {
				break
			}
			err = u.update(func(tx *bolt.Tx) error {
				a, err := openAcctKey(tx, key, accountIDOf(key))
				if err != nil {
					return err
				}
				for _, kv := range batch {
					if bytes.Equal(b, bucketUIDs) {
						err = a.uids.Put(kv.k, kv.v)
					} else {
						err = a.addTombstone(kv.k)
					}
					if err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}
