package store

// Export and import: the messages of an account in date order, and
// messages from a file stored under a key of their own.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"popbox/mail"
)

// ImportPrefix begins the key an imported message is stored under in
// place of a server UID: "import:" and the hex SHA-256 of its bytes, 71
// characters. It never collides with a server UID: RFC 1939 allows at
// most 70, and the fetch replaces a longer one by "uid-sha256:..." (and
// names a message without UIDL "sha256:..."). Since no server lists it,
// no retention policy ever plans a DELE for it.
const ImportPrefix = "import:"

// ImportUID is the key of imported bytes with this SHA-256.
func ImportUID(digest [32]byte) string {
	return ImportPrefix + hex.EncodeToString(digest[:])
}

// IsImportUID says whether uid is the key of an imported message.
func IsImportUID(uid string) bool {
	return len(uid) == len(ImportPrefix)+2*sha256.Size && strings.HasPrefix(uid, ImportPrefix)
}

// Import stores a batch of messages read from a file in one transaction,
// as Commit stores fetched ones. Each needs Raw, and Summary made from it
// as the fetch makes it (mail.Summarize); Import sets Digest and UID (see
// ImportUID). seen, when not nil, gives each message's seen flag.
//
// A message is not stored when it is already there: imported before (its
// key has a record: a second import of the same file, or one resumed
// after a kill), twice in the batch, or the same bytes fetched from a
// server (the digest Commit matches, which then also records the key).
// It returns how many were stored and how many were already there.
func (s *Store) Import(accountID string, batch []mail.NewMessage, seen []bool) (stored, already int, err error) {
	uids := make([]string, len(batch))
	for i := range batch {
		batch[i].Digest = sha256.Sum256(batch[i].Raw)
		batch[i].UID = ImportUID(batch[i].Digest)
		uids[i] = batch[i].UID
	}
	known := make([]bool, len(batch))
	if err := s.LookupUIDs(accountID, uids, func(i int, _ mail.UIDRecord, ok bool) { known[i] = ok }); err != nil {
		return 0, 0, err
	}
	var (
		rest     []mail.NewMessage
		restSeen []bool
		inBatch  = map[string]bool{}
	)
	for i := range batch {
		if known[i] || inBatch[uids[i]] {
			already++
			continue
		}
		inBatch[uids[i]] = true
		rest = append(rest, batch[i])
		restSeen = append(restSeen, seen != nil && seen[i])
	}
	dups, err := s.commit(accountID, rest, restSeen)
	if err != nil {
		return 0, 0, err
	}
	return len(rest) - dups, already + dups, nil
}

// Position is where Since stopped: pass it to the next call.
type Position []byte

// Since returns up to limit messages of the account dated (Summary.Date)
// at or after since, oldest first, starting after pos (nil: from the
// first), and the position after the last one returned. Fewer than limit
// means there are no more. Each call is one short read transaction, so an
// export of any size never holds the database.
func (s *Store) Since(accountID string, since time.Time, pos Position, limit int) ([]Message, Position, error) {
	var out []Message
	next := pos
	err := s.view(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		c := a.msgs.Cursor()
		var k, v []byte
		if pos == nil {
			k, v = c.Seek(msgKey(since, 0))
		} else {
			k, v = c.Seek(pos)
			if k != nil && bytes.Equal(k, pos) {
				k, v = c.Next()
			}
		}
		for ; k != nil && len(out) < limit; k, v = c.Next() {
			m, err := decodeMessage(accountIDOf(a.key), k, v)
			if err != nil {
				return err
			}
			out = append(out, m)
			next = copyBytes(k)
		}
		return nil
	})
	if err != nil {
		return nil, pos, wrap("read messages", err)
	}
	return out, next, nil
}

// CountSince counts the account's messages dated at or after since; with
// the zero time it is Count.
func (s *Store) CountSince(accountID string, since time.Time) (int, error) {
	if since.IsZero() {
		return s.Count(accountID)
	}
	n := 0
	err := s.view(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		c := a.msgs.Cursor()
		for k, _ := c.Seek(msgKey(since, 0)); k != nil; k, _ = c.Next() {
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count messages: %w", err)
	}
	return n, nil
}
