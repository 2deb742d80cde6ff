package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"runtime"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"popbox/mail"
)

// The copying side of Salvage: one run reads the damaged file through a
// source and writes what it can check into the new database.

// oldestSalvaged is the oldest schema Salvage reads. The copy is laid out
// for the current schema; schema 1 lacks only the chunks and pending
// buckets of 2, so a copy from it simply finds no chunked message, and
// schemas 1 and 2 differ from 3 in the layout of raw bytes (which each
// record names) and in the JSON UID records (which decodeUIDAny reads). A
// new schema must teach Salvage the older layout too, or raise this.
const oldestSalvaged = 1

// salvage is one run of Salvage: what was read, what was copied.
type salvage struct {
	src *source
	dst *bolt.DB
	rep SalvageReport
	// corrupt: a record was readable but not what popbox writes.
	corrupt bool

	accounts [][]byte        // the 8-byte keys of the accounts copied, in order
	copied   map[string]bool // the same, as account IDs
	// known holds, by account ID, the msg keys the ids bucket lists: the
	// hints of the walk over the account's messages, and a count of them.
	known map[string][][]byte

	// From meta when readable, raised to every ID seen.
	active                   string
	nextAccount, nextMessage uint64
	// counterRead: next_message was read from meta, so nextMessage bounds
	// the messages the file can have held.
	counterRead bool
	// accountsRead and idsRead: the walks over the accounts and ids
	// buckets met no damage, so every account, and every message, is known.
	accountsRead, idsRead bool
}

// readMeta refuses a file that is not a popbox database or is one of another
// schema, and keeps the counters and the active account. A damaged meta
// bucket is no reason to refuse: the counters are then rebuilt from the IDs
// seen.
func (c *salvage) readMeta(path string) error {
	var refuse error
	_ = c.src.view(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil || string(meta.Get(keyMagic)) != string(magicValue) {
			refuse = &OpenError{Path: path, Err: ErrNotDatabase, Reason: "a bbolt file without the popbox marker"}
			return nil
		}
		if v := meta.Get(keySchema); len(v) == 8 {
			switch schema := binary.BigEndian.Uint64(v); {
			case schema > currentSchema():
				refuse = &OpenError{Path: path, Err: ErrNewerSchema, Schema: schema}
				return nil
			case schema != 0 && schema < oldestSalvaged:
				refuse = fmt.Errorf("%s has schema %d and this popbox repairs schema %d to %d only", path, schema, oldestSalvaged, currentSchema())
				return nil
			}
		}
		c.active = string(meta.Get(keyActive))
		if v := meta.Get(keyNextAccount); len(v) == 8 {
			c.nextAccount = binary.BigEndian.Uint64(v)
		}
		if v := meta.Get(keyNextMessage); len(v) == 8 {
			c.nextMessage = binary.BigEndian.Uint64(v)
			c.counterRead = true
		}
		return nil
	})
	return refuse
}

// run copies everything, top-level buckets first.
func (c *salvage) run() error {
	if err := c.copyAccounts(); err != nil {
		return err
	}
	if err := c.copySecrets(); err != nil {
		return err
	}
	c.readIDs()
	for _, k := range c.accounts {
		if err := c.copyAccount(k); err != nil {
			return err
		}
	}
	c.countOrphans()
	// Accounts that could not be read leave their messages uncounted,
	// unless the ids bucket, which lists every message, was read whole.
	if !c.accountsRead && !c.idsRead {
		c.rep.LostUnknown = true
	}
	if c.rep.LostUnknown && c.counterRead {
		c.rep.MaxMessages = int(c.nextMessage)
	}
	return c.writeMeta()
}

// noteAccount and noteMessage keep the counters at least as high as every
// ID seen, so that none is handed out again even when meta is lost.
func (c *salvage) noteAccount(id uint64) { c.nextAccount = max(c.nextAccount, id) }
func (c *salvage) noteMessage(id uint64) { c.nextMessage = max(c.nextMessage, id) }

type keyValue struct{ k, v []byte }

// copyAccounts copies each account record that decodes and matches its key,
// and makes its (empty) message buckets. The record is copied as it was but
// for the picture of the mailbox the last fetch left (hints.Mailbox): the
// copy may lack UID records of messages that could not be read, and the
// next fetch must list the mailbox to fetch them again.
func (c *salvage) copyAccounts() error {
	type account struct {
		k []byte
		a mail.Account
	}
	var found []account
	faults := c.src.faults
	defer func() { c.accountsRead = c.src.faults == faults }()
	err := c.src.walk([][]byte{bucketAccounts}, nil, func(*bolt.Tx) func(k, v []byte) bool {
		return func(k, v []byte) bool {
			if len(k) != 8 || v == nil {
				c.corrupt = true
				return false
			}
			c.noteAccount(binary.BigEndian.Uint64(k))
			a, err := decodeAccount(v)
			if err != nil || a.ID != accountIDOf(k) || a.ID == "0" {
				c.corrupt = true
				return false
			}
			a.Hints.Mailbox = nil
			found = append(found, account{copyBytes(k), a})
			return false
		}
	}, nil)
	if err != nil || len(found) == 0 {
		return err
	}
	err = c.dst.Update(func(tx *bolt.Tx) error {
		for _, a := range found {
			if err := putAccount(tx, a.k, a.a); err != nil {
				return fmt.Errorf("copy account %s: %w", accountIDOf(a.k), err)
			}
			if err := createAccountBuckets(tx, a.k); err != nil {
				return fmt.Errorf("copy account %s: %w", accountIDOf(a.k), err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, a := range found {
		c.accounts = append(c.accounts, a.k)
		c.copied[accountIDOf(a.k)] = true
	}
	c.rep.Accounts = len(found)
	return nil
}

// copySecrets copies the sealed passwords of the copied accounts as they
// are: the account IDs stay the same, and "ID/side" is the additional data
// they were sealed with. The keys are known, so each is read on its own and
// a damaged page costs only the passwords on it.
func (c *salvage) copySecrets() error {
	var found []keyValue
	for _, k := range c.accounts {
		for _, side := range secretSides {
			sk := secretKey(accountIDOf(k), side)
			if v := c.src.getAt([][]byte{bucketSecrets}, sk); v != nil {
				found = append(found, keyValue{sk, v})
			}
		}
	}
	if len(found) == 0 {
		return nil
	}
	return c.dst.Update(func(tx *bolt.Tx) error {
		for _, s := range found {
			if err := tx.Bucket(bucketSecrets).Put(s.k, s.v); err != nil {
				return fmt.Errorf("copy password %s: %w", s.k, err)
			}
		}
		return nil
	})
}

// readIDs walks the global ids bucket for the msg key of every message, by
// account. Its keys are small consecutive numbers, which skipPast steps
// over damage in well, and its pages are few: it is the map the walks over
// the (larger, date-ordered) msgs buckets resume by.
func (c *salvage) readIDs() {
	c.known = map[string][][]byte{}
	faults := c.src.faults
	defer func() { c.idsRead = c.src.faults == faults }()
	_ = c.src.walk([][]byte{bucketIDs}, nil, func(*bolt.Tx) func(k, v []byte) bool {
		return func(k, v []byte) bool {
			if len(k) != 8 || len(v) != 24 || !bytes.Equal(k, v[16:24]) {
				return false
			}
			c.noteMessage(binary.BigEndian.Uint64(k))
			c.noteAccount(binary.BigEndian.Uint64(v[:8]))
			id := accountIDOf(v[:8])
			c.known[id] = append(c.known[id], copyBytes(v[8:24]))
			return false
		}
	}, nil)
	for _, keys := range c.known {
		slices.SortFunc(keys, bytes.Compare)
	}
}

// salvagedMsg is a message read from the damaged file, copied out of it.
type salvagedMsg struct {
	key []byte // msg key: date, global ID
	rec msgRecord
	raw []byte
}

// uidTarget is the copied message a UID led to.
type uidTarget struct {
	id       uint64
	received time.Time
}

// copyAccount copies the messages of one account, then the UID records
// that still point at something.
func (c *salvage) copyAccount(key []byte) error {
	accountID := accountIDOf(key)
	root := [][]byte{bucketAcct, key}
	path := func(name []byte) [][]byte { return append(append([][]byte{}, root...), name) }

	srcCount := -1
	if v := c.src.getAt(root, keyCount); len(v) == 8 {
		srcCount = int(binary.BigEndian.Uint64(v))
	}

	var (
		pending      []salvagedMsg
		pendingBytes int
		failed       int
		copiedMsgs   = map[uint64]bool{}      // global IDs copied
		uidTo        = map[string]uidTarget{} // every UID of a copied message
	)
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		// The chunks of a large message go first, each in a transaction
		// of its own, as Commit writes them; the record that makes them
		// the message's comes with the batch. The others are compressed
		// together before the batch's transaction, as Commit does.
		for i := range pending {
			m := &pending[i]
			m.rec.Layout, m.rec.Chunks = layoutZstd, 0
			if len(m.raw) > largeRaw {
				n, err := copyChunks(c.dst, key, m.key[8:16], m.raw)
				if err != nil {
					return fmt.Errorf("copy message %d: %w", binary.BigEndian.Uint64(m.key[8:16]), err)
				}
				m.rec.Layout, m.rec.Chunks = layoutZstdChunks, n
			}
		}
		packed := compressAll(len(pending), func(i int) []byte { return pending[i].raw },
			func(i int) bool { return pending[i].rec.Layout == layoutZstd })
		var written []salvagedMsg
		err := c.dst.Update(func(tx *bolt.Tx) error {
			a, err := openAcctKey(tx, key, accountID)
			if err != nil {
				return err
			}
			ids := tx.Bucket(bucketIDs)
			fillForAppends(ids, a)
			written = written[:0]
			n := a.count()
			for i, m := range pending {
				if ids.Get(m.key[8:16]) != nil {
					// The same ID in two accounts: only damage does that,
					// and the first one copied keeps it.
					c.corrupt = true
					if err := removeChunks(a.chunks, m.key[8:16]); err != nil {
						return err
					}
					continue
				}
				if err := putMessage(ids, a, m.key, m.rec, packed[i]); err != nil {
					return fmt.Errorf("copy message %d: %w", binary.BigEndian.Uint64(m.key[8:16]), err)
				}
				written = append(written, m)
				n++
			}
			return a.setCount(n)
		})
		if err != nil {
			return err
		}
		failed += len(pending) - len(written)
		for _, m := range written {
			id := binary.BigEndian.Uint64(m.key[8:16])
			copiedMsgs[id] = true
			for _, uid := range append([]string{m.rec.UID}, m.rec.Also...) {
				uidTo[uid] = uidTarget{id: id, received: m.rec.Received}
			}
		}
		c.rep.Messages += len(written)
		clear(pending)
		pending, pendingBytes = pending[:0], 0
		return nil
	}
	err := c.src.walk(path(bucketMsgs), c.known[accountID], func(tx *bolt.Tx) func(k, v []byte) bool {
		raw := c.src.bucket(tx, path(bucketRaw))
		chunks := c.src.bucket(tx, path(bucketChunks)) // nil in schema 1
		return func(k, v []byte) bool {
			m, ok := c.readMessage(raw, chunks, k, v)
			if !ok {
				failed++
				return false
			}
			pending = append(pending, m)
			pendingBytes += len(m.raw)
			return len(pending) >= salvageBatch || pendingBytes >= salvageBatchBytes
		}
	}, flush)
	if err == nil {
		err = flush()
	}
	if err != nil {
		return err
	}
	// The messages there were: the count, or the ids bucket's list or the
	// digests (one per message) when longer; the count may be unreadable.
	// When none of the three was read whole, the damage may have hidden
	// messages from all of them.
	digests, digestsRead := c.countDigests(path(bucketDigests))
	existed := max(srcCount, len(c.known[accountID]), digests)
	c.rep.Lost += max(failed, existed-len(copiedMsgs))
	if srcCount < 0 && !c.idsRead && !digestsRead {
		c.rep.LostUnknown = true
	}
	delete(c.known, accountID)

	if err := c.copyUIDs(key, copiedMsgs, uidTo); err != nil {
		return err
	}
	if err := c.copyDeliveryMarks(key, copiedMsgs); err != nil {
		return err
	}
	return c.copyOutbox(key)
}

// countDigests counts the entries of an account's digests bucket, one per
// stored message; read is whether the walk met no damage.
func (c *salvage) countDigests(path [][]byte) (n int, read bool) {
	faults := c.src.faults
	_ = c.src.walk(path, nil, func(*bolt.Tx) func(k, v []byte) bool {
		return func(k, v []byte) bool {
			if (len(k) == sha256.Size || len(k) == 8+sha256.Size) && len(v) == 8 {
				n++
			}
			return false
		}
	}, nil)
	return n, c.src.faults == faults
}

// readMessage checks one message of the damaged file and copies it out: the
// record must decode, its key must be the one Commit would have made for
// it, and its raw bytes (in raw, or put together from its chunks) must be
// readable and match its digest.
func (c *salvage) readMessage(raw, chunks *bolt.Bucket, k, v []byte) (salvagedMsg, bool) {
	if len(k) != 16 || v == nil {
		c.corrupt = true
		return salvagedMsg{}, false
	}
	gid := binary.BigEndian.Uint64(k[8:16])
	c.noteMessage(gid)
	rec, err := decodeRecord(v)
	if err != nil || gid == 0 || len(rec.Digest) != sha256.Size ||
		binary.BigEndian.Uint64(k[:8]) != dateNanos(rec.Summary.Date) {
		c.corrupt = true
		return salvagedMsg{}, false
	}
	var body []byte
	switch rec.Layout {
	case layoutPlain, layoutZstd:
		if raw == nil {
			c.corrupt = true
			return salvagedMsg{}, false
		}
		rk := k // schemas 1 and 2 keep plain bytes under the msg key
		if rec.Layout == layoutZstd {
			rk = k[8:16]
		}
		v, ok := c.src.get(raw, rk)
		if !ok {
			return salvagedMsg{}, false
		}
		if rec.Layout == layoutPlain {
			body = copyBytes(v)
		} else if v != nil {
			var err error
			if body, err = decompress(nil, v); err != nil {
				c.corrupt = true
				return salvagedMsg{}, false
			}
		}
	case layoutChunks, layoutZstdChunks:
		if chunks == nil || rec.Chunks <= 0 {
			c.corrupt = true
			return salvagedMsg{}, false
		}
		var ok bool
		if body, ok = c.src.chunks(chunks, k[8:16], rec.Chunks, rec.Layout == layoutZstdChunks); !ok {
			return salvagedMsg{}, false
		}
	default:
		c.corrupt = true
		return salvagedMsg{}, false
	}
	if sum := sha256.Sum256(body); body == nil || !bytes.Equal(sum[:], rec.Digest) {
		c.corrupt = true
		return salvagedMsg{}, false
	}
	return salvagedMsg{key: copyBytes(k), rec: rec, raw: body}, true
}

// copyChunks writes raw into the account's chunk buckets for message gid
// in the new database, a compressed chunk a transaction, and says how
// many it wrote.
func copyChunks(db *bolt.DB, acctKey, gid, raw []byte) (int, error) {
	n := 0
	enc := newChunkEncoder()
	defer enc.close()
	for off := 0; off < len(raw); off += rawChunk {
		part := enc.compress(raw[off:min(off+rawChunk, len(raw))])
		err := db.Update(func(tx *bolt.Tx) error {
			root := tx.Bucket(bucketAcct).Bucket(acctKey)
			if root == nil {
				return fmt.Errorf("account %s: no buckets", accountIDOf(acctKey))
			}
			return putChunk(root.Bucket(bucketChunks), gid, n, part)
		})
		if err != nil {
			return n, err
		}
		n++
		runtime.GC() // as in writeRawChunks
	}
	return n, nil
}

// copyUIDs copies the UID records of one account that still mean something:
// a tombstone (the message was deleted in popbox; the record keeps it from
// being fetched again), or a record of a copied message. A record of a lost
// message is dropped, so the next fetch retrieves the message if the server
// still has it. A record that does not decode but whose UID belongs to a
// copied message is rebuilt from that message.
func (c *salvage) copyUIDs(key []byte, copiedMsgs map[uint64]bool, uidTo map[string]uidTarget) error {
	root := [][]byte{bucketAcct, key}
	// The records worth keeping have known keys: the UIDs of the copied
	// messages and those of the tombstones.
	var hints [][]byte
	for uid := range uidTo {
		hints = append(hints, []byte(uid))
	}
	_ = c.src.walk(append(root, bucketTombstones), nil, func(*bolt.Tx) func(k, v []byte) bool {
		return func(k, _ []byte) bool {
			hints = append(hints, copyBytes(k))
			return false
		}
	}, nil)
	slices.SortFunc(hints, bytes.Compare)

	type uidEntry struct {
		uid string
		rec uidRecord
	}
	var pending []uidEntry
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		err := c.dst.Update(func(tx *bolt.Tx) error {
			a, err := openAcctKey(tx, key, accountIDOf(key))
			if err != nil {
				return err
			}
			for _, u := range pending {
				if err := a.uids.Put([]byte(u.uid), u.rec.encode()); err != nil {
					return fmt.Errorf("copy uid %s: %w", u.uid, err)
				}
				if u.rec.State == mail.UIDDeletedLocally {
					if err := a.addTombstone([]byte(u.uid)); err != nil {
						return fmt.Errorf("copy uid %s: %w", u.uid, err)
					}
				}
			}
			return nil
		})
		pending = pending[:0]
		return err
	}
	err := c.src.walk(append(root, bucketUIDs), hints, func(*bolt.Tx) func(k, v []byte) bool {
		return func(k, v []byte) bool {
			uid := string(k)
			r, err := decodeUIDAny(k, v)
			if v == nil || err != nil {
				c.corrupt = true
				t, ok := uidTo[uid]
				if !ok {
					c.rep.UIDsDropped++
					return false
				}
				r = uidRecord{FirstSeen: t.received, MsgID: t.id, State: mail.UIDStored}
			}
			c.noteMessage(r.MsgID)
			switch t, ok := uidTo[uid]; {
			case r.State == mail.UIDDeletedLocally, copiedMsgs[r.MsgID]:
			case ok:
				// The UID is one of a copied message's but the record
				// points elsewhere: it follows the message.
				r.MsgID = t.id
			default:
				c.rep.UIDsDropped++
				return false
			}
			pending = append(pending, uidEntry{uid: uid, rec: r})
			return len(pending) >= salvageBatch
		}
	}, flush)
	if err == nil {
		err = flush()
	}
	return err
}

// countOrphans counts as lost the messages of accounts whose record could
// not be read (the ids bucket still lists them): without the account they
// can be neither shown nor fetched for.
func (c *salvage) countOrphans() {
	for _, keys := range c.known {
		c.corrupt = true
		c.rep.Lost += len(keys)
	}
}

// writeMeta writes the counters and the active account: the one of the
// damaged file when it was copied, else the first account copied.
func (c *salvage) writeMeta() error {
	active := ""
	if c.copied[c.active] {
		active = c.active
	} else if len(c.accounts) > 0 {
		active = accountIDOf(c.accounts[0])
	}
	return c.dst.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if err := meta.Put(keyNextAccount, u64(c.nextAccount)); err != nil {
			return fmt.Errorf("copy counters: %w", err)
		}
		if err := meta.Put(keyNextMessage, u64(c.nextMessage)); err != nil {
			return fmt.Errorf("copy counters: %w", err)
		}
		if active == "" {
			return nil
		}
		if err := meta.Put(keyActive, []byte(active)); err != nil {
			return fmt.Errorf("copy active account: %w", err)
		}
		return nil
	})
}
