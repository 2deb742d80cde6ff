package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"popbox/mail"
)

// Commit stores a batch of retrieved messages in one transaction, each with
// its raw bytes, summary, index entry and UID record. A message whose digest
// matches one already stored for the account only gets a UID record
// pointing at that message; Commit returns how many such duplicates there
// were. The match is looked up by date and digest (see digestKey), so the
// summary must be the one made from the raw bytes, as the fetch engine
// makes it. A UID that already has a record is an error. On any error
// nothing of the batch is stored. It is part of mail.Cache.
//
// The raw bytes are compressed before the transaction, on a few
// goroutines (compress.go): bbolt lets one writer in at a time, and
// compressing is most of the work of a commit. Those of a message over
// largeRaw are written first, in chunks of their own transactions (see
// chunks.go), so that bbolt never copies a whole large message at once; it
// still becomes visible only with the batch's transaction. What the
// commit mapped of the file is dropped afterwards (mapped.go).
func (s *Store) Commit(accountID string, batch []mail.NewMessage) (duplicates int, err error) {
	return s.commit(accountID, batch, nil)
}

// commit is Commit; seen, when not nil, gives each message's seen flag
// (an import from a Maildir keeps it).
func (s *Store) commit(accountID string, batch []mail.NewMessage, seen []bool) (duplicates int, err error) {
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
	// A message over largeRaw that has no chunks is a duplicate or a
	// refused UID (see writeChunks): its bytes are not stored. Prepare may
	// have compressed the others already.
	packed := compressAll(len(batch), func(i int) []byte { return batch[i].Raw },
		func(i int) bool { return len(batch[i].Raw) <= largeRaw && batch[i].Packed == nil })
	for i := range batch {
		if packed[i] == nil && batch[i].Packed != nil && len(batch[i].Raw) <= largeRaw {
			packed[i] = batch[i].Packed
		}
	}
	now := time.Now()
	defer s.release()
	err = s.update(func(tx *bolt.Tx) error {
		duplicates = 0
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		ids := tx.Bucket(bucketIDs)
		fillForAppends(ids, a)
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
			dup, err := addDuplicate(tx, a, digestKey(m.Summary, digest[:]), m.UID, firstSeen)
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
			rec := msgRecord{UID: m.UID, Summary: m.Summary, Received: now, Digest: digest[:], Layout: layoutZstd}
			rec.Seen = seen != nil && seen[i]
			if isBig {
				rec.Layout, rec.Chunks = layoutZstdChunks, big.n
			} else {
				if packed[i] == nil {
					return fmt.Errorf("uid %s: %d bytes and no chunks written for them", m.UID, len(m.Raw))
				}
				if gid, err = nextCounter(tx, keyNextMessage); err != nil {
					return err
				}
			}
			k := msgKey(m.Summary.Date, gid)
			// packed[i] goes to bbolt as is: it copies it into the file's
			// pages at commit.
			if err := putMessage(ids, a, k, rec, packed[i]); err != nil {
				return fmt.Errorf("store uid %s: %w", m.UID, err)
			}
			if err := a.uids.Put(uid, uidRecord{FirstSeen: firstSeen, MsgID: gid, State: mail.UIDStored}.encode()); err != nil {
				return fmt.Errorf("store uid %s: %w", m.UID, err)
			}
			if m.PendingDelivery {
				if err := markPending(a, gid, firstSeen, m.UID); err != nil {
					return fmt.Errorf("mark uid %s for delivery: %w", m.UID, err)
				}
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

// Prepare compresses the raw bytes of a batch's messages (those up to
// largeRaw; larger ones are compressed chunk by chunk in Commit) into their
// Packed field, on a few goroutines, so that the fetch engine can do it
// while the batch before commits. It is part of mail.Cache.
func (s *Store) Prepare(batch []mail.NewMessage) {
	packed := compressAll(len(batch), func(i int) []byte { return batch[i].Raw },
		func(i int) bool { return len(batch[i].Raw) <= largeRaw && batch[i].Packed == nil })
	for i, p := range packed {
		if p != nil {
			batch[i].Packed = p
		}
	}
}

// testHookChunksWritten, when set, runs in Commit after the chunks of its
// large messages are written and before the batch's transaction: a test
// stops (or kills) the process there.
var testHookChunksWritten func()

// fillForAppends sets how full bbolt packs the pages it splits, for the
// buckets a commit writes. The raw bytes and the ids entries are keyed by
// the global message ID, which only grows, so new ones always land at the
// end: split pages may be full. Dates and server UIDs mostly grow too, but
// not always, so those pages keep a little room.
func fillForAppends(ids *bolt.Bucket, a acct) {
	ids.FillPercent, a.raw.FillPercent = 1, 1
	a.msgs.FillPercent, a.index.FillPercent, a.uids.FillPercent = 0.9, 0.9, 0.9
}

// putMessage writes everything of one stored message but its UID records
// and the account's count: the record under msg key k, the compressed raw
// bytes under the message ID, the index entry, the digest entry and the
// global ID entry. Commit, Salvage and the upgrade all store messages
// through it, so a salvaged or upgraded message is laid out exactly as a
// fetched one. packed (the raw bytes as one zstd frame, for layoutZstd)
// must stay valid until the transaction commits. A record of
// layoutZstdChunks has its bytes in chunks written before; packed is then
// not used.
func putMessage(ids *bolt.Bucket, a acct, k []byte, rec msgRecord, packed []byte) error {
	if err := putJSON(a.msgs, k, rec); err != nil {
		return err
	}
	switch rec.Layout {
	case layoutZstd:
		if err := a.raw.Put(k[8:16], packed); err != nil {
			return err
		}
	case layoutZstdChunks:
	default:
		return fmt.Errorf("message %d: layout %q is not written any more", binary.BigEndian.Uint64(k[8:16]), rec.Layout)
	}
	if err := a.index.Put(k, indexText(rec.Summary)); err != nil {
		return err
	}
	if err := a.digest.Put(digestKey(rec.Summary, rec.Digest), k[8:16]); err != nil {
		return err
	}
	return ids.Put(k[8:16], append(copyBytes(a.key), k...))
}

// digestKey is the key of a message in the digests bucket: the date of
// its Summary (as in its msg key; 0 when the message has no date of its
// own), then the SHA-256 of its bytes. A key of the digest alone would
// put each new message at a random place in the bucket, and a batch of 500
// would make bbolt rewrite hundreds of its pages, more the larger the
// mailbox (0.27 pages a message at 10,000 messages, 0.84 at 100,000);
// with the date first, new mail lands at the end like the msg keys.
// The same bytes always have the same key: the summary is made from them,
// and a message whose Date header is missing or unreadable (DateMissing,
// dated by the fetch) is keyed by date 0, that is by its digest alone.
func digestKey(sum mail.Summary, digest []byte) []byte {
	k := make([]byte, 8, 8+len(digest))
	if !sum.DateMissing {
		binary.BigEndian.PutUint64(k, dateNanos(sum.Date))
	}
	return append(k, digest...)
}

// addDuplicate records uid as another UID of the stored message with this
// digest key, if there is one.
func addDuplicate(tx *bolt.Tx, a acct, dkey []byte, uid string, firstSeen time.Time) (bool, error) {
	gidKey := a.digest.Get(dkey)
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
	gid := binary.BigEndian.Uint64(k[8:16])
	if err := a.uids.Put([]byte(uid), uidRecord{FirstSeen: firstSeen, MsgID: gid, State: mail.UIDStored}.encode()); err != nil {
		return false, fmt.Errorf("store duplicate uid %s: %w", uid, err)
	}
	return true, nil
}
