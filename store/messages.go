package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"popbox/mail"
)

var _ mail.Cache = (*Store)(nil)

// ErrNoMessage: no stored message has that ID (it was deleted, or its
// account removed). The error returned names the ID.
var ErrNoMessage = errors.New("no such message")

func noMessage(id string) error {
	return &notFound{kind: ErrNoMessage, msg: fmt.Sprintf("no message with ID %s; popbox list shows the IDs", id)}
}

// Message is one stored message as the list and reader see it.
type Message struct {
	// ID is the global decimal ID, unique across accounts and never
	// reused: what `popbox show ID` takes.
	ID        string
	AccountID string
	// UID is the server UID the message was first retrieved under.
	UID      string
	Summary  mail.Summary
	Seen     bool
	Received time.Time // when it was stored
}

// msgRecord is the value in msgs.
type msgRecord struct {
	UID string `json:"uid"`
	// Also lists the UIDs later found to carry the same bytes (see Commit).
	Also     []string     `json:"also,omitempty"`
	Summary  mail.Summary `json:"summary"`
	Seen     bool         `json:"seen"`
	Received time.Time    `json:"received"`
	Digest   []byte       `json:"digest"`
	// Layout says how the raw bytes are stored: "" is one plain value
	// under the msg key in raw; layoutChunks is Chunks values in chunk
	// buckets (see chunks.go). Another way (compressed, say) gets a name of
	// its own, so a record always says how to read its bytes.
	Layout string `json:"layout,omitempty"`
	Chunks int    `json:"chunks,omitempty"`
}

// uidRecord is the value in uids.
type uidRecord struct {
	FirstSeen time.Time     `json:"first_seen"`
	MsgID     string        `json:"msg_id"`
	State     mail.UIDState `json:"state"`
}

// msgKey orders messages by date, then by arrival.
func msgKey(date time.Time, gid uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k[:8], dateNanos(date))
	binary.BigEndian.PutUint64(k[8:], gid)
	return k
}

var maxNanoTime = time.Unix(0, math.MaxInt64)

// dateNanos clamps a date into what Unix nanoseconds can hold; a missing
// (zero) or pre-1970 date sorts oldest.
func dateNanos(t time.Time) uint64 {
	switch {
	case t.IsZero() || t.Before(time.Unix(0, 0)):
		return 0
	case t.After(maxNanoTime):
		return math.MaxInt64
	}
	return uint64(t.UnixNano())
}

// indexText is what Search looks in.
func indexText(s mail.Summary) []byte {
	return []byte(strings.ToLower(s.From.Name + " " + s.From.Address + " " + s.Subject))
}

// acct is the nested buckets of one account.
type acct struct {
	key                                                 []byte // 8-byte account ID
	root, msgs, raw, index, uids, tombs, digest, chunks *bolt.Bucket
}

func createAccountBuckets(tx *bolt.Tx, key []byte) error {
	root, err := tx.Bucket(bucketAcct).CreateBucketIfNotExists(key)
	if err != nil {
		return fmt.Errorf("create message buckets: %w", err)
	}
	for _, name := range [][]byte{bucketMsgs, bucketRaw, bucketIndex, bucketUIDs, bucketTombstones, bucketDigests, bucketChunks} {
		if _, err := root.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	if root.Get(keyCount) == nil {
		return root.Put(keyCount, u64(0))
	}
	return nil
}

// openAcct finds the buckets of an account by ID.
func openAcct(tx *bolt.Tx, accountID string) (acct, error) {
	k, ok := accountKey(accountID)
	if !ok {
		return acct{}, noAccountID(accountID)
	}
	return openAcctKey(tx, k, accountID)
}

func openAcctKey(tx *bolt.Tx, k []byte, accountID string) (acct, error) {
	root := tx.Bucket(bucketAcct).Bucket(k)
	if root == nil {
		return acct{}, noAccountID(accountID)
	}
	a := acct{
		key:    k,
		root:   root,
		msgs:   root.Bucket(bucketMsgs),
		raw:    root.Bucket(bucketRaw),
		index:  root.Bucket(bucketIndex),
		uids:   root.Bucket(bucketUIDs),
		tombs:  root.Bucket(bucketTombstones),
		digest: root.Bucket(bucketDigests),
		chunks: root.Bucket(bucketChunks),
	}
	if a.msgs == nil || a.raw == nil || a.index == nil || a.uids == nil || a.tombs == nil || a.digest == nil || a.chunks == nil {
		return acct{}, fmt.Errorf("account %s: message buckets missing", accountID)
	}
	return a, nil
}

func (a acct) count() int {
	v := a.root.Get(keyCount)
	if len(v) != 8 {
		return 0
	}
	return int(binary.BigEndian.Uint64(v))
}

func (a acct) setCount(n int) error {
	if n < 0 {
		n = 0
	}
	return a.root.Put(keyCount, u64(uint64(n)))
}

// locate finds a message by global ID: its account's buckets and msg key.
func locate(tx *bolt.Tx, id string) (acct, []byte, error) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || n == 0 {
		return acct{}, nil, noMessage(id)
	}
	v := tx.Bucket(bucketIDs).Get(u64(n))
	if len(v) != 24 {
		return acct{}, nil, noMessage(id)
	}
	a, err := openAcctKey(tx, v[:8], accountIDOf(v[:8]))
	if err != nil {
		return acct{}, nil, noMessage(id)
	}
	// v lives in the mmap only while tx does; the key is copied for Puts.
	return a, copyBytes(v[8:24]), nil
}

func decodeRecord(v []byte) (msgRecord, error) {
	var r msgRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return msgRecord{}, fmt.Errorf("decode message: %w: %v", errCorrupt, err)
	}
	return r, nil
}

func decodeMessage(accountID string, k, v []byte) (Message, error) {
	r, err := decodeRecord(v)
	if err != nil {
		return Message{}, err
	}
	return Message{
		ID:        strconv.FormatUint(binary.BigEndian.Uint64(k[8:16]), 10),
		AccountID: accountID,
		UID:       r.UID,
		Summary:   r.Summary,
		Seen:      r.Seen,
		Received:  r.Received,
	}, nil
}

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}

// Count returns how many messages the account holds, from a stored counter.
func (s *Store) Count(accountID string) (int, error) {
	var n int
	err := s.view(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		n = a.count()
		return nil
	})
	return n, err
}

// Page returns up to limit messages of the account, newest first by
// Summary.Date (later arrival first among equal dates), skipping offset. It
// walks keys from whichever end of the account is nearer and decodes only
// the messages it returns.
func (s *Store) Page(accountID string, offset, limit int) ([]Message, error) {
	if offset < 0 {
		offset = 0
	}
	var out []Message
	err := s.view(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		n := a.count()
		if limit <= 0 || offset >= n {
			return nil
		}
		end := n
		if limit < n-offset {
			end = offset + limit
		}
		out = make([]Message, 0, end-offset)
		c := a.msgs.Cursor()
		add := func(k, v []byte) error {
			m, err := decodeMessage(accountID, k, v)
			if err != nil {
				return err
			}
			out = append(out, m)
			return nil
		}
		if offset <= n-end {
			// Nearer the newest end: step back from the last key.
			k, v := c.Last()
			for i := 0; i < offset && k != nil; i++ {
				k, v = c.Prev()
			}
			for ; k != nil && len(out) < end-offset; k, v = c.Prev() {
				if err := add(k, v); err != nil {
					return err
				}
			}
			return nil
		}
		// Nearer the oldest end: step forward to the oldest wanted, collect
		// forward, then turn the page around.
		k, v := c.First()
		for i := 0; i < n-end && k != nil; i++ {
			k, v = c.Next()
		}
		for ; k != nil && len(out) < end-offset; k, v = c.Next() {
			if err := add(k, v); err != nil {
				return err
			}
		}
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
		return nil
	})
	if err != nil {
		return nil, wrap("read messages", err)
	}
	return out, nil
}

// Search finds the account's messages whose sender name, sender address or
// subject contains query, case-insensitively, newest first. It returns the
// page [offset, offset+limit) of the matches and how many there are in all.
// It scans the compact index bucket and decodes only the page.
func (s *Store) Search(accountID, query string, offset, limit int) (msgs []Message, total int, err error) {
	if query == "" {
		if total, err = s.Count(accountID); err != nil {
			return nil, 0, err
		}
		msgs, err = s.Page(accountID, offset, limit)
		return msgs, total, err
	}
	if offset < 0 {
		offset = 0
	}
	q := []byte(strings.ToLower(query))
	err = s.view(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		c := a.index.Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			if !bytes.Contains(v, q) {
				continue
			}
			if total >= offset && total-offset < limit {
				m, err := decodeMessage(accountID, k, a.msgs.Get(k))
				if err != nil {
					return err
				}
				msgs = append(msgs, m)
			}
			total++
		}
		return nil
	})
	if err != nil {
		return nil, 0, wrap("search messages", err)
	}
	return msgs, total, nil
}

// Message returns one message by its global ID.
func (s *Store) Message(id string) (Message, error) {
	var m Message
	err := s.view(func(tx *bolt.Tx) error {
		a, k, err := locate(tx, id)
		if err != nil {
			return err
		}
		v := a.msgs.Get(k)
		if v == nil {
			return noMessage(id)
		}
		m, err = decodeMessage(accountIDOf(a.key), k, v)
		return err
	})
	return m, err
}

// Raw returns the exact bytes of a message as the server sent them
// (dot-stuffing undone, CRLF kept), copied out of the database (and put
// together from their chunks for a large message). They are checked
// against the SHA-256 stored in the message's record: bytes that do not
// match, or a record that does not decode or holds no digest, give a
// DamagedError naming the message, never bytes that may be wrong.
func (s *Store) Raw(id string) ([]byte, error) {
	var (
		out    []byte
		digest []byte
	)
	err := s.view(func(tx *bolt.Tx) error {
		a, k, err := locate(tx, id)
		if err != nil {
			return err
		}
		v := a.msgs.Get(k)
		if v == nil {
			return noMessage(id)
		}
		r, err := decodeRecord(v)
		if err != nil {
			return s.damagedMessage(id, "its record does not decode")
		}
		if len(r.Digest) != sha256.Size {
			return s.damagedMessage(id, "its record holds no SHA-256 of its bytes")
		}
		digest = r.Digest
		switch r.Layout {
		case "":
			raw := a.raw.Get(k)
			if raw == nil {
				return s.damagedMessage(id, "its bytes are missing")
			}
			out = copyBytes(raw)
		case layoutChunks:
			parts, missing := readChunks(a.chunks, k[8:16], r.Chunks)
			if parts == nil {
				return s.damagedMessage(id, fmt.Sprintf("part %d of its %d is missing", missing+1, r.Chunks))
			}
			n := 0
			for _, p := range parts {
				n += len(p)
			}
			out = make([]byte, 0, n)
			for _, p := range parts {
				out = append(out, p...)
			}
		default:
			return fmt.Errorf("message %s is stored in a way this popbox does not know (%q); use the popbox that stored it", id, r.Layout)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if sum := sha256.Sum256(out); !bytes.Equal(sum[:], digest) {
		return nil, s.damagedMessage(id, "its bytes do not match the SHA-256 stored with them")
	}
	return out, nil
}

// damagedMessage is the DamagedError of one message.
func (s *Store) damagedMessage(id, detail string) error {
	return &DamagedError{Path: s.path, MessageID: id, Detail: detail}
}

// locateRecord finds message id and decodes its record.
func locateRecord(tx *bolt.Tx, id string) (acct, []byte, msgRecord, error) {
	a, k, err := locate(tx, id)
	if err != nil {
		return acct{}, nil, msgRecord{}, err
	}
	v := a.msgs.Get(k)
	if v == nil {
		return acct{}, nil, msgRecord{}, noMessage(id)
	}
	r, err := decodeRecord(v)
	return a, k, r, err
}

// MarkSeen sets or clears the seen flag of a message.
func (s *Store) MarkSeen(id string, seen bool) error {
	return s.update(func(tx *bolt.Tx) error {
		a, k, r, err := locateRecord(tx, id)
		if err != nil {
			return err
		}
		if r.Seen == seen {
			return nil
		}
		r.Seen = seen
		if err := putJSON(a.msgs, k, r); err != nil {
			return fmt.Errorf("mark message %s: %w", id, err)
		}
		return nil
	})
}

// DeleteMessage removes a message locally: summary, raw bytes (or their
// chunks), index and digest entries. Each UID record that led to it gets
// the state mail.UIDDeletedLocally and a tombstone, so the message is not
// fetched again and, under the mirror policy, the next fetch deletes the
// server copy.
func (s *Store) DeleteMessage(id string) error {
	return s.update(func(tx *bolt.Tx) error {
		a, k, r, err := locateRecord(tx, id)
		if err != nil {
			return err
		}
		for _, b := range []*bolt.Bucket{a.msgs, a.raw, a.index} {
			if err := b.Delete(k); err != nil {
				return fmt.Errorf("delete message %s: %w", id, err)
			}
		}
		if err := removeChunks(a.chunks, k[8:16]); err != nil {
			return fmt.Errorf("delete message %s: %w", id, err)
		}
		// The digest entry goes too, so the same mail under a new UID is
		// stored again rather than pointed at a message that is gone.
		if len(r.Digest) == sha256.Size {
			if d := a.digest.Get(r.Digest); d != nil && bytes.Equal(d, k[8:16]) {
				if err := a.digest.Delete(r.Digest); err != nil {
					return fmt.Errorf("delete message %s: %w", id, err)
				}
			}
		}
		if err := tx.Bucket(bucketIDs).Delete(k[8:16]); err != nil {
			return fmt.Errorf("delete message %s: %w", id, err)
		}
		for _, uid := range append([]string{r.UID}, r.Also...) {
			// A record ForgetUIDs dropped (the server copy is gone) stays gone.
			uv := a.uids.Get([]byte(uid))
			if uv == nil {
				continue
			}
			var ur uidRecord
			if err := json.Unmarshal(uv, &ur); err != nil {
				return fmt.Errorf("decode uid %s: %w: %v", uid, errCorrupt, err)
			}
			if ur.MsgID != id {
				continue
			}
			ur.State = mail.UIDDeletedLocally
			if err := putJSON(a.uids, []byte(uid), ur); err != nil {
				return fmt.Errorf("tombstone uid %s: %w", uid, err)
			}
			if err := a.tombs.Put([]byte(uid), []byte{}); err != nil {
				return fmt.Errorf("tombstone uid %s: %w", uid, err)
			}
		}
		return a.setCount(a.count() - 1)
	})
}

// LookupUIDs finds the records of uids in one read transaction and calls fn
// for each, in order, with whether it has one. It is part of mail.Cache.
func (s *Store) LookupUIDs(accountID string, uids []string, fn func(i int, rec mail.UIDRecord, ok bool)) error {
	type found struct {
		rec mail.UIDRecord
		ok  bool
	}
	res := make([]found, len(uids))
	err := s.view(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		for i, uid := range uids {
			v := a.uids.Get([]byte(uid))
			if v == nil {
				continue
			}
			var r uidRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode uid %s: %w: %v", uid, errCorrupt, err)
			}
			res[i] = found{mail.UIDRecord{UID: uid, FirstSeen: r.FirstSeen, MsgID: r.MsgID, State: r.State}, true}
		}
		return nil
	})
	if err != nil {
		return wrap("look up uid records", err)
	}
	for i, f := range res {
		fn(i, f.rec, f.ok)
	}
	return nil
}

// Tombstones counts the account's tombstones: UIDs deleted locally whose
// server copy is still to be deleted (under the mirror policy). It is part
// of mail.Cache.
func (s *Store) Tombstones(accountID string) (int, error) {
	var n int
	err := s.view(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		n = a.tombs.Stats().KeyN
		return nil
	})
	if err != nil {
		return 0, wrap("count tombstones", err)
	}
	return n, nil
}

// UIDRecords returns every UID record of the account, keyed by UID. It is
// part of mail.Cache.
func (s *Store) UIDRecords(accountID string) (map[string]mail.UIDRecord, error) {
	var out map[string]mail.UIDRecord
	err := s.view(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		out = make(map[string]mail.UIDRecord, a.count())
		return a.uids.ForEach(func(k, v []byte) error {
			var r uidRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode uid %s: %w: %v", k, errCorrupt, err)
			}
			uid := string(k)
			out[uid] = mail.UIDRecord{UID: uid, FirstSeen: r.FirstSeen, MsgID: r.MsgID, State: r.State}
			return nil
		})
	})
	if err != nil {
		return nil, wrap("read uid records", err)
	}
	return out, nil
}

// Commit stores a batch of retrieved messages in one transaction, each with
// its raw bytes, summary, index entry and UID record. A message whose digest
// matches one already stored for the account only gets a UID record
// pointing at that message; Commit returns how many such duplicates there
// were. A UID that already has a record is an error. On any error nothing of
// the batch is stored. It is part of mail.Cache.
//
// The raw bytes of a message over largeRaw are written first, in chunks of
// their own transactions (see chunks.go), so that bbolt never copies a
// whole large message at once; it still becomes visible only with the
// batch's transaction.
func (s *Store) Commit(accountID string, batch []mail.NewMessage) (duplicates int, err error) {
	if len(batch) == 0 {
		return 0, nil
	}
	chunked, err := s.writeChunks(accountID, batch)
	if err != nil {
		return 0, wrap(fmt.Sprintf("commit a batch of %d", len(batch)), err)
	}
	defer s.doneChunks(chunked)
	if len(chunked) > 0 && testHookChunksWritten != nil {
		testHookChunksWritten()
	}
	now := time.Now()
	err = s.update(func(tx *bolt.Tx) error {
		duplicates = 0
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		ids := tx.Bucket(bucketIDs)
		// New mail mostly lands at the end of these key ranges: fuller
		// pages on split waste less space.
		ids.FillPercent = 0.9
		a.msgs.FillPercent, a.raw.FillPercent, a.index.FillPercent = 0.9, 0.9, 0.9
		n := a.count()
		for i := range batch {
			m := &batch[i]
			if m.UID == "" {
				return fmt.Errorf("message %d of the batch has no UID", i+1)
			}
			uid := []byte(m.UID)
			if a.uids.Get(uid) != nil {
				return fmt.Errorf("uid %q is already stored for account %s", m.UID, accountID)
			}
			digest := digestOf(m)
			big, isBig := chunked[i]
			if isBig {
				// Registered until now in case of a crash; this
				// transaction makes the chunks the message's, or removes
				// them.
				if err := tx.Bucket(bucketPending).Delete(u64(big.gid)); err != nil {
					return fmt.Errorf("store uid %s: %w", m.UID, err)
				}
			}
			firstSeen := m.FirstSeen
			if firstSeen.IsZero() {
				firstSeen = now
			}
			dup, err := addDuplicate(tx, a, digest[:], m.UID, firstSeen)
			if err != nil {
				return err
			}
			if dup {
				if isBig {
					if err := removeChunks(a.chunks, u64(big.gid)); err != nil {
						return fmt.Errorf("store uid %s: %w", m.UID, err)
					}
				}
				duplicates++
				continue
			}

			gid := big.gid
			if !isBig {
				if gid, err = nextCounter(tx, keyNextMessage); err != nil {
					return err
				}
			}
			id := strconv.FormatUint(gid, 10)
			k := msgKey(m.Summary.Date, gid)
			rec := msgRecord{UID: m.UID, Summary: m.Summary, Received: now, Digest: digest[:]}
			if isBig {
				rec.Layout, rec.Chunks = layoutChunks, big.n
			}
			// m.Raw goes to bbolt as is: it copies it into the file's pages at
			// commit, and the batch outlives the transaction.
			if err := putMessage(ids, a, k, rec, m.Raw); err != nil {
				return fmt.Errorf("store uid %s: %w", m.UID, err)
			}
			if err := putJSON(a.uids, uid, uidRecord{FirstSeen: firstSeen, MsgID: id, State: mail.UIDStored}); err != nil {
				return fmt.Errorf("store uid %s: %w", m.UID, err)
			}
			n++
		}
		return a.setCount(n)
	})
	if err != nil {
		s.dropChunks(chunked)
		return 0, wrap(fmt.Sprintf("commit a batch of %d", len(batch)), err)
	}
	return duplicates, nil
}

// testHookChunksWritten, when set, runs in Commit after the chunks of its
// large messages are written and before the batch's transaction: a test
// stops (or kills) the process there.
var testHookChunksWritten func()

// putMessage writes everything of one stored message but its UID records
// and the account's count: the record under msg key k, the raw bytes, the
// index entry, the digest entry and the global ID entry. Commit and Salvage
// both store messages through it, so a salvaged message is laid out exactly
// as a fetched one. raw must stay valid until the transaction commits. A
// record of layoutChunks has its bytes in chunks written before; raw is
// then not used.
func putMessage(ids *bolt.Bucket, a acct, k []byte, rec msgRecord, raw []byte) error {
	if err := putJSON(a.msgs, k, rec); err != nil {
		return err
	}
	if rec.Layout == "" {
		if raw == nil {
			raw = []byte{}
		}
		if err := a.raw.Put(k, raw); err != nil {
			return err
		}
	}
	if err := a.index.Put(k, indexText(rec.Summary)); err != nil {
		return err
	}
	if err := a.digest.Put(copyBytes(rec.Digest), k[8:16]); err != nil {
		return err
	}
	return ids.Put(k[8:16], append(copyBytes(a.key), k...))
}

// addDuplicate records uid as another UID of the stored message with this
// digest, if there is one.
func addDuplicate(tx *bolt.Tx, a acct, digest []byte, uid string, firstSeen time.Time) (bool, error) {
	gidKey := a.digest.Get(digest)
	if gidKey == nil {
		return false, nil
	}
	loc := tx.Bucket(bucketIDs).Get(gidKey)
	if len(loc) != 24 || !bytes.Equal(loc[:8], a.key) {
		return false, nil
	}
	k := copyBytes(loc[8:24])
	v := a.msgs.Get(k)
	if v == nil {
		return false, nil
	}
	r, err := decodeRecord(v)
	if err != nil {
		return false, err
	}
	r.Also = append(r.Also, uid)
	if err := putJSON(a.msgs, k, r); err != nil {
		return false, fmt.Errorf("store duplicate uid %s: %w", uid, err)
	}
	id := strconv.FormatUint(binary.BigEndian.Uint64(k[8:16]), 10)
	if err := putJSON(a.uids, []byte(uid), uidRecord{FirstSeen: firstSeen, MsgID: id, State: mail.UIDStored}); err != nil {
		return false, fmt.Errorf("store duplicate uid %s: %w", uid, err)
	}
	return true, nil
}

// ForgetUIDs drops the records and tombstones of UIDs the server deleted at
// popbox's request in a session that ended with QUIT +OK. Stored messages
// stay. Unknown UIDs are ignored. It is part of mail.Cache.
func (s *Store) ForgetUIDs(accountID string, uids []string) error {
	if len(uids) == 0 {
		return nil
	}
	return s.update(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		for _, uid := range uids {
			if err := a.uids.Delete([]byte(uid)); err != nil {
				return fmt.Errorf("forget uid %s: %w", uid, err)
			}
			if err := a.tombs.Delete([]byte(uid)); err != nil {
				return fmt.Errorf("forget uid %s: %w", uid, err)
			}
		}
		return nil
	})
}
