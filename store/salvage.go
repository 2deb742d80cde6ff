package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"popbox/mail"
)

// A damaged database is not repaired in place: Salvage reads it read-only
// and copies what can still be read into a new database, made by the same
// create as a fresh one. Each message is checked against its digest, so a
// copied message is byte for byte what the server sent, and its index,
// digest and ID entries are written anew by putMessage, so the copy is as
// consistent as one Commit built. UID records of lost messages are dropped:
// a message still on the server is then fetched again rather than hidden
// behind a record that points at nothing.

// SalvageReport says what Salvage copied and what it could not.
type SalvageReport struct {
	// Accounts is how many accounts were copied, with their settings and
	// sealed passwords.
	Accounts int
	// Messages is how many messages were copied.
	Messages int
	// Lost is how many messages the damaged file is known to have held but
	// that could not be read: exact, unless LostUnknown is set, when it is
	// the least that was lost.
	Lost int
	// UIDsDropped is how many server UID records were left out because the
	// message they led to was lost.
	UIDsDropped int
	// Damaged is whether any part of the file could not be read; false means
	// the copy is complete.
	Damaged bool
	// Truncated is whether the file is shorter than its own header says
	// (cut short by a full disk or an interrupted copy): what lay past its
	// end is lost.
	Truncated bool
	// LostUnknown is whether the damage also took what says how many
	// messages the file held (an account's count, the ids bucket, the
	// digests), so that more than Lost may be lost; MaxMessages bounds it.
	LostUnknown bool
	// MaxMessages, given with LostUnknown, is how many messages the file
	// can have held at most: the message IDs it had handed out (deleted
	// messages used IDs too). 0 when that counter could not be read either.
	MaxMessages int
}

// Salvage batches: a write transaction of the new file takes at most this
// many messages or raw bytes, so memory stays bounded whatever the size of
// the mailbox.
const (
	salvageBatch      = 500
	salvageBatchBytes = 32 << 20
)

// Bounds that make every walk of a damaged bucket end (see walk): how many
// damaged stretches are stepped over, and how many keys that are not after
// the last one read are passed over in a row before the cursor counts as
// going round in circles.
const (
	maxSkips = 10_000
	maxStale = 1 << 20
)

// salvageError is a refusal of Salvage as one sentence; it unwraps to the
// cause for errors.Is.
type salvageError struct {
	msg string
	err error
}

func (e *salvageError) Error() string { return e.msg }
func (e *salvageError) Unwrap() error { return e.err }

// Salvage copies everything that can still be read from the database at src
// into a new database at dst: accounts, sealed passwords, messages with
// their raw bytes, UID records and the ID counters, so IDs stay the same and
// are never handed out again. The key file that seals the passwords
// (opts.KeyFile, default src + ".key") is copied to dst + ".key";
// opts.Timeout is as for Open, opts.PolicyFile is not used.
//
// src is opened read-only and never changed. Salvage refuses when dst or
// dst + ".key" exists, and fails with ErrLocked (after opts.Timeout) when
// another popbox holds src. The new database is built beside dst and linked
// into place only when complete.
//
// A message is copied only when its record decodes and its raw bytes match
// the digest stored with it. UID records pointing at a message that was not
// copied are dropped (UIDsDropped), except those of messages deleted in
// popbox: their tombstones keep them from being fetched again.
func Salvage(src, dst string, opts Options) (rep SalvageReport, err error) {
	if src == "" || dst == "" {
		return rep, errors.New("repair: both the damaged and the new database need a path")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = time.Second
	}
	if opts.KeyFile == "" {
		opts.KeyFile = src + ".key"
	}
	dstKey := dst + ".key"
	for _, p := range []string{dst, dstKey} {
		if _, err := os.Lstat(p); err == nil {
			return rep, &salvageError{
				msg: fmt.Sprintf("%s already exists; repair writes only to a new file, so name another one or move that one away", p),
				err: os.ErrExist,
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return rep, fmt.Errorf("repair into %s: %w", dst, err)
		}
	}
	info, exists, err := checkSafePath(src, false)
	switch {
	case err != nil:
		return rep, err
	case !exists:
		return rep, &salvageError{msg: fmt.Sprintf("there is no database at %s to repair", src), err: os.ErrNotExist}
	case info.Size() == 0:
		return rep, &OpenError{Path: src, Err: ErrNotDatabase, Reason: "the file is empty"}
	}
	if _, _, err := checkSafePath(opts.KeyFile, true); err != nil {
		return rep, err
	}

	// bbolt maps the file, and more than the file when it is small: a page
	// number from a damaged page, or a file cut short, leads it to read
	// past the end, and that fault would kill the process. With this it is
	// a panic like bbolt's own checks, which the guards below recover.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	// The guards cover every read of src; this one only keeps a fault in
	// this code from ending the program without a word, since a repair is
	// run when things already went wrong.
	defer func() {
		if r := recover(); r != nil {
			rep, err = SalvageReport{}, fmt.Errorf("repair of %s stopped (%v); %s was not made", src, r, dst)
		}
	}()

	noHeader := &salvageError{
		msg: fmt.Sprintf("%s cannot be repaired: neither of its two header pages is intact, so nothing in it can be found (or it is not a popbox database at all)", src),
		err: ErrNotDatabase,
	}
	head, err := checkSignature(src)
	if errors.Is(err, ErrNotDatabase) {
		return rep, noHeader
	} else if err != nil {
		return rep, err
	}
	db, err := openBolt(src, boltOptions(opts.Timeout, true))
	var de *DamagedError
	switch {
	case errors.As(err, &de):
		return rep, &salvageError{msg: fmt.Sprintf("%s cannot be repaired: bbolt cannot even open it (%s)", src, de.Detail), err: ErrDamaged}
	case errors.Is(err, berrors.ErrTimeout):
		return rep, &OpenError{Path: src, Err: ErrLocked}
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
		return rep, noHeader
	case err != nil:
		return rep, fmt.Errorf("repair %s: %w", src, err)
	}
	defer db.Close()

	c := &salvage{src: &source{db: db}, copied: map[string]bool{}}
	c.rep.Truncated = head.short()
	if err := c.readMeta(src); err != nil {
		return rep, err
	}

	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return rep, fmt.Errorf("repair into %s: %w", dst, err)
	}
	if err := checkSafeFolder(dst, false); err != nil {
		return rep, err
	}
	// Built in a folder of its own beside dst, so that a failed repair
	// leaves nothing behind and dst appears only complete.
	work, err := os.MkdirTemp(dir, "."+filepath.Base(dst)+".repair-*")
	if err != nil {
		return rep, fmt.Errorf("repair into %s: %w", dst, err)
	}
	defer os.RemoveAll(work)
	tmp := filepath.Join(work, filepath.Base(dst))
	if err := create(tmp); err != nil {
		return rep, err
	}
	out, err := bolt.Open(tmp, 0o600, boltOptions(time.Second, false))
	if err != nil {
		return rep, fmt.Errorf("repair into %s: %w", dst, err)
	}
	closed := false
	defer func() {
		if !closed {
			_ = out.Close()
		}
	}()
	// Nothing is lost if the machine stops before the end (the file is not
	// at dst yet), so the batches skip their fsync and one Sync at the end
	// makes the whole file durable.
	out.NoSync = true
	c.dst = out
	err = c.run()
	if err == nil {
		err = out.Sync()
	}
	closed = true
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return SalvageReport{}, fmt.Errorf("repair into %s: %w", dst, err)
	}
	c.rep.Damaged = c.src.damaged || c.corrupt || c.rep.Lost > 0 || c.rep.UIDsDropped > 0 || c.rep.Truncated || c.rep.LostUnknown
	if c.rep.Accounts == 0 && c.rep.Damaged {
		why := ""
		if c.rep.Truncated {
			why = " (" + head.shortDetail() + ")"
		}
		return SalvageReport{}, &salvageError{
			msg: fmt.Sprintf("no account can be read from %s%s, so there is nothing to copy; %s was not made", src, why, dst),
			err: ErrDamaged,
		}
	}

	// The key goes first: a database linked without it would hold
	// passwords nothing can open.
	keyCopied, err := copyKeyFile(opts.KeyFile, dstKey)
	if err != nil {
		return SalvageReport{}, err
	}
	if err := linkInPlace(tmp, dst); err != nil {
		if keyCopied {
			os.Remove(dstKey)
		}
		return SalvageReport{}, err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return c.rep, nil
}

// copyKeyFile copies the key that seals passwords, when there is one, to a
// new 0600 file.
func copyKeyFile(from, to string) (bool, error) {
	key, err := readKeyFile(from)
	var oe *OpenError
	if errors.As(err, &oe) {
		return false, err
	}
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read the key file %s: %w", from, err)
	}
	f, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return false, fmt.Errorf("create key file %s: %w", to, err)
	}
	_, err = f.Write(key)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(to)
		return false, fmt.Errorf("write key file %s: %w", to, err)
	}
	return true, nil
}

// linkInPlace puts the finished database at dst without ever replacing a
// file that appeared there meanwhile.
func linkInPlace(tmp, dst string) error {
	err := os.Link(tmp, dst)
	if err == nil {
		return nil
	}
	if errors.Is(err, os.ErrExist) {
		return &salvageError{msg: fmt.Sprintf("%s appeared while the repair ran; it was left alone and nothing was written", dst), err: os.ErrExist}
	}
	// A file system without hard links.
	if _, serr := os.Lstat(dst); !errors.Is(serr, os.ErrNotExist) {
		return fmt.Errorf("repair into %s: %w", dst, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("repair into %s: %w", dst, err)
	}
	return nil
}

// shellQuote quotes a path for the command line DamagedError suggests.
func shellQuote(s string) string {
	plain := s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./+,:@%=", r))
	}) < 0
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

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
			case schema != 0 && schema < currentSchema():
				// The copy is laid out for this schema only: a new
				// migration must teach Salvage the older layout too.
				refuse = fmt.Errorf("%s has schema %d and this popbox repairs schema %d only", path, schema, currentSchema())
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
// byte for byte, and makes its (empty) message buckets.
func (c *salvage) copyAccounts() error {
	var found []keyValue
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
			found = append(found, keyValue{copyBytes(k), copyBytes(v)})
			return false
		}
	}, nil)
	if err != nil || len(found) == 0 {
		return err
	}
	err = c.dst.Update(func(tx *bolt.Tx) error {
		for _, a := range found {
			if err := tx.Bucket(bucketAccounts).Put(a.k, a.v); err != nil {
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
		for _, side := range []string{sideIncoming, sideOutgoing} {
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
	id       string
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
		copiedMsgs   = map[string]bool{}      // global IDs copied
		uidTo        = map[string]uidTarget{} // every UID of a copied message
	)
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		var written []salvagedMsg
		err := c.dst.Update(func(tx *bolt.Tx) error {
			a, err := openAcctKey(tx, key, accountID)
			if err != nil {
				return err
			}
			ids := tx.Bucket(bucketIDs)
			ids.FillPercent = 0.9
			a.msgs.FillPercent, a.raw.FillPercent, a.index.FillPercent = 0.9, 0.9, 0.9
			written = written[:0]
			n := a.count()
			for _, m := range pending {
				if ids.Get(m.key[8:16]) != nil {
					// The same ID in two accounts: only damage does that,
					// and the first one copied keeps it.
					c.corrupt = true
					continue
				}
				if err := putMessage(ids, a, m.key, m.rec, m.raw); err != nil {
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
			id := strconv.FormatUint(binary.BigEndian.Uint64(m.key[8:16]), 10)
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
		return func(k, v []byte) bool {
			m, ok := c.readMessage(raw, k, v)
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

	return c.copyUIDs(key, copiedMsgs, uidTo)
}

// countDigests counts the entries of an account's digests bucket, one per
// stored message; read is whether the walk met no damage.
func (c *salvage) countDigests(path [][]byte) (n int, read bool) {
	faults := c.src.faults
	_ = c.src.walk(path, nil, func(*bolt.Tx) func(k, v []byte) bool {
		return func(k, v []byte) bool {
			if len(k) == sha256.Size && len(v) == 8 {
				n++
			}
			return false
		}
	}, nil)
	return n, c.src.faults == faults
}

// readMessage checks one message of the damaged file and copies it out: the
// record must decode, its key must be the one Commit would have made for
// it, and its raw bytes must be readable and match its digest.
func (c *salvage) readMessage(raw *bolt.Bucket, k, v []byte) (salvagedMsg, bool) {
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
	if raw == nil {
		c.corrupt = true
		return salvagedMsg{}, false
	}
	body, ok := c.src.get(raw, k)
	if !ok {
		return salvagedMsg{}, false
	}
	if sum := sha256.Sum256(body); body == nil || !bytes.Equal(sum[:], rec.Digest) {
		c.corrupt = true
		return salvagedMsg{}, false
	}
	return salvagedMsg{key: copyBytes(k), rec: rec, raw: copyBytes(body)}, true
}

// copyUIDs copies the UID records of one account that still mean something:
// a tombstone (the message was deleted in popbox; the record keeps it from
// being fetched again), or a record of a copied message. A record of a lost
// message is dropped, so the next fetch retrieves the message if the server
// still has it. A record that does not decode but whose UID belongs to a
// copied message is rebuilt from that message.
func (c *salvage) copyUIDs(key []byte, copiedMsgs map[string]bool, uidTo map[string]uidTarget) error {
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
				if err := putJSON(a.uids, []byte(u.uid), u.rec); err != nil {
					return fmt.Errorf("copy uid %s: %w", u.uid, err)
				}
				if u.rec.State == mail.UIDDeletedLocally {
					if err := a.tombs.Put([]byte(u.uid), []byte{}); err != nil {
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
			var r uidRecord
			if v == nil || json.Unmarshal(v, &r) != nil {
				c.corrupt = true
				t, ok := uidTo[uid]
				if !ok {
					c.rep.UIDsDropped++
					return false
				}
				r = uidRecord{FirstSeen: t.received, MsgID: t.id, State: mail.UIDStored}
			}
			if n, err := strconv.ParseUint(r.MsgID, 10, 64); err == nil {
				c.noteMessage(n)
			}
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
