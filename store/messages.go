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
// account removed). The error returned is a *NotFoundError with the ID.
var ErrNoMessage = errors.New("no such message")

func noMessage(id string) error {
	return &NotFoundError{Kind: ErrNoMessage, ID: id}
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
	// Layout says how the raw bytes are stored, so a record always says
	// how to read them: layoutZstd is one zstd frame under the message ID
	// in raw, layoutZstdChunks is Chunks frames in chunk buckets (see
	// chunks.go). Schemas 1 and 2 wrote "" (absent: one plain value under
	// the msg key in raw) and layoutChunks (plain chunks); only the
	// upgrade and repair read those.
	Layout string `json:"layout,omitempty"`
	Chunks int    `json:"chunks,omitempty"`
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
		// The scan maps the whole index; it is dropped again once read.
		defer s.dropMapped(tx)
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
		var derr error
		out, derr = readRaw(a, k, r)
		var re *rawError
		if errors.As(derr, &re) {
			return s.damagedMessage(id, re.detail)
		}
		return derr
	})
	if err != nil {
		return nil, err
	}
	if sum := sha256.Sum256(out); !bytes.Equal(sum[:], digest) {
		return nil, s.damagedMessage(id, "its bytes do not match the SHA-256 stored with them")
	}
	return out, nil
}

// rawError is why the bytes of a message cannot be read: its detail goes
// into the DamagedError of that message.
type rawError struct{ detail string }

func (e *rawError) Error() string { return e.detail }

// readRaw reads the raw bytes of the message with msg key k and record r
// out of the database, decompressed into memory of their own. It does not
// check them against the digest.
func readRaw(a acct, k []byte, r msgRecord) ([]byte, error) {
	switch r.Layout {
	case layoutZstd:
		v := a.raw.Get(k[8:16])
		if v == nil {
			return nil, &rawError{"its bytes are missing"}
		}
		out, err := decompress(make([]byte, 0, sizeHint(r, largeRaw)), v)
		if err != nil {
			return nil, &rawError{"its compressed bytes do not decode"}
		}
		return out, nil
	case layoutZstdChunks:
		parts, missing := readChunks(a.chunks, k[8:16], r.Chunks)
		if parts == nil {
			return nil, &rawError{fmt.Sprintf("part %d of its %d is missing", missing+1, r.Chunks)}
		}
		out := make([]byte, 0, sizeHint(r, int64(r.Chunks)*rawChunk))
		for i, p := range parts {
			var err error
			if out, err = decompress(out, p); err != nil {
				return nil, &rawError{fmt.Sprintf("part %d of its %d does not decode", i+1, r.Chunks)}
			}
		}
		return out, nil
	case layoutPlain, layoutChunks:
		return nil, &rawError{fmt.Sprintf("its record names the layout %q of an older popbox in a database of schema %d", r.Layout, currentSchema())}
	}
	return nil, fmt.Errorf("message %d is stored in a way this popbox does not know (%q); use the popbox that stored it", binary.BigEndian.Uint64(k[8:16]), r.Layout)
}

// sizeHint is the size to reserve for the bytes of r: its Summary.Size
// when that is plausible, never more than bound.
func sizeHint(r msgRecord, bound int64) int64 {
	if r.Summary.Size > 0 && r.Summary.Size <= bound {
		return r.Summary.Size
	}
	return 0
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
		for _, del := range []struct {
			b *bolt.Bucket
			k []byte
		}{{a.msgs, k}, {a.index, k}, {a.raw, k[8:16]}} {
			if err := del.b.Delete(del.k); err != nil {
				return fmt.Errorf("delete message %s: %w", id, err)
			}
		}
		if err := removeChunks(a.chunks, k[8:16]); err != nil {
			return fmt.Errorf("delete message %s: %w", id, err)
		}
		// The digest entry goes too, so the same mail under a new UID is
		// stored again rather than pointed at a message that is gone.
		if len(r.Digest) == sha256.Size {
			dk := digestKey(r.Summary, r.Digest)
			if d := a.digest.Get(dk); d != nil && bytes.Equal(d, k[8:16]) {
				if err := a.digest.Delete(dk); err != nil {
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
			ur, err := decodeUID([]byte(uid), uv)
			if err != nil {
				return err
			}
			if ur.MsgID != binary.BigEndian.Uint64(k[8:16]) {
				continue
			}
			if IsImportUID(uid) {
				// An imported message came from no server: there is no
				// server copy for a tombstone to wait for (it would stay
				// for ever and keep every mirror fetch from its quick
				// check), so its key goes, and an import of the same
				// file brings the message back.
				if err := a.uids.Delete([]byte(uid)); err != nil {
					return fmt.Errorf("delete message %s: %w", id, err)
				}
				continue
			}
			ur.State = mail.UIDDeletedLocally
			if err := a.uids.Put([]byte(uid), ur.encode()); err != nil {
				return fmt.Errorf("tombstone uid %s: %w", uid, err)
			}
			if err := a.addTombstone([]byte(uid)); err != nil {
				return fmt.Errorf("tombstone uid %s: %w", uid, err)
			}
		}
		return a.setCount(a.count() - 1)
	})
}
