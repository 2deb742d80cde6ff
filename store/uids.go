package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"popbox/mail"
)

// uidRecord is the value in uids: what popbox knows of one server UID.
// Since schema 3 it is uidRecordSize bytes (see encode); schemas 1 and 2
// wrote JSON (jsonUIDRecord), which only the upgrade and repair read.
type uidRecord struct {
	FirstSeen time.Time
	MsgID     uint64 // the global message ID the UID led to
	State     mail.UIDState
}

// uidRecordSize is the length of a binary UID record: the 8-byte message
// ID, the 8-byte first-seen time in Unix nanoseconds (0 for none) and the
// state byte.
const uidRecordSize = 17

// encode is the binary form of r.
func (r uidRecord) encode() []byte {
	b := make([]byte, uidRecordSize)
	binary.BigEndian.PutUint64(b[0:8], r.MsgID)
	if !r.FirstSeen.IsZero() {
		binary.BigEndian.PutUint64(b[8:16], uint64(r.FirstSeen.UnixNano()))
	}
	b[16] = byte(r.State)
	return b
}

// decodeUID reads a binary UID record.
func decodeUID(uid, v []byte) (uidRecord, error) {
	if len(v) != uidRecordSize || v[16] > byte(mail.UIDDeletedLocally) {
		return uidRecord{}, fmt.Errorf("decode uid %s: %w: %d bytes", uid, errCorrupt, len(v))
	}
	r := uidRecord{MsgID: binary.BigEndian.Uint64(v[0:8]), State: mail.UIDState(v[16])}
	if ns := int64(binary.BigEndian.Uint64(v[8:16])); ns != 0 {
		r.FirstSeen = time.Unix(0, ns)
	}
	return r, nil
}

// jsonUIDRecord is a UID record as schemas 1 and 2 wrote it.
type jsonUIDRecord struct {
	FirstSeen time.Time     `json:"first_seen"`
	MsgID     string        `json:"msg_id"`
	State     mail.UIDState `json:"state"`
}

// decodeUIDAny reads a UID record of any schema: the binary form, or the
// JSON of schemas 1 and 2 (which starts with '{' and is never
// uidRecordSize bytes long).
func decodeUIDAny(uid, v []byte) (uidRecord, error) {
	if len(v) == uidRecordSize {
		return decodeUID(uid, v)
	}
	var j jsonUIDRecord
	if err := json.Unmarshal(v, &j); err != nil {
		return uidRecord{}, fmt.Errorf("decode uid %s: %w: %v", uid, errCorrupt, err)
	}
	id, err := strconv.ParseUint(j.MsgID, 10, 64)
	if err != nil || j.State < mail.UIDStored || j.State > mail.UIDDeletedLocally {
		return uidRecord{}, fmt.Errorf("decode uid %s: %w: message ID %q, state %d", uid, errCorrupt, j.MsgID, j.State)
	}
	return uidRecord{FirstSeen: j.FirstSeen, MsgID: id, State: j.State}, nil
}

// public is r as package mail sees it.
func (r uidRecord) public(uid string) mail.UIDRecord {
	return mail.UIDRecord{UID: uid, FirstSeen: r.FirstSeen, MsgID: strconv.FormatUint(r.MsgID, 10), State: r.State}
}

// keyTombstones in an account's bucket counts its tombstones, so that
// Tombstones need not walk them.
var keyTombstones = []byte("tombstone_count")

func (a acct) tombstones() int {
	v := a.root.Get(keyTombstones)
	if len(v) != 8 {
		return 0
	}
	return int(binary.BigEndian.Uint64(v))
}

// addTombstone marks uid deleted locally, counted once however often it
// is called.
func (a acct) addTombstone(uid []byte) error {
	if a.tombs.Get(uid) != nil {
		return nil
	}
	if err := a.tombs.Put(uid, []byte{}); err != nil {
		return err
	}
	return a.root.Put(keyTombstones, u64(uint64(a.tombstones()+1)))
}

// dropTombstone removes the tombstone of uid, if there is one.
func (a acct) dropTombstone(uid []byte) error {
	if a.tombs.Get(uid) == nil {
		return nil
	}
	if err := a.tombs.Delete(uid); err != nil {
		return err
	}
	return a.root.Put(keyTombstones, u64(uint64(max(a.tombstones()-1, 0))))
}

// LookupUIDs finds the records of uids in one read transaction and calls fn
// for each, in the order of uids, with whether it has one. It is part of
// mail.Cache. The UIDs are looked up in sorted order with one cursor, so
// the pages read are those of the UIDs asked about, each once, in file
// order; what the lookup mapped of the file is dropped again afterwards
// (see mapped.go).
func (s *Store) LookupUIDs(accountID string, uids []string, fn func(i int, rec mail.UIDRecord, ok bool)) error {
	type found struct {
		rec     uidRecord
		ok      bool
		pending bool // its message waits for delivery
	}
	res := make([]found, len(uids))
	order := make([]int, len(uids))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int {
		if uids[i] < uids[j] {
			return -1
		} else if uids[i] > uids[j] {
			return 1
		}
		return 0
	})
	err := s.view(func(tx *bolt.Tx) error {
		defer s.dropMapped(tx)
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		c := a.uids.Cursor()
		pend := a.pendingBucket()
		var k, v []byte
		for n, i := range order {
			want := []byte(uids[i])
			// The cursor steps forward while the next key is near, and
			// seeks from the root otherwise; a UID asked about twice is
			// found again by the seek.
			if n == 0 || k == nil || bytes.Compare(k, want) > 0 {
				k, v = c.Seek(want)
			} else {
				for steps := 0; k != nil && bytes.Compare(k, want) < 0; steps++ {
					if steps == 8 {
						k, v = c.Seek(want)
						break
					}
					k, v = c.Next()
				}
			}
			if k == nil || !bytes.Equal(k, want) {
				continue
			}
			r, err := decodeUID(k, v)
			if err != nil {
				return err
			}
			res[i] = found{r, true, pend != nil && pend.Get(u64(r.MsgID)) != nil}
		}
		return nil
	})
	if err != nil {
		return wrap("look up uid records", err)
	}
	for i, f := range res {
		rec := f.rec.public(uids[i])
		rec.PendingDelivery = f.pending
		fn(i, rec, f.ok)
	}
	return nil
}

// Tombstones counts the account's tombstones: UIDs deleted locally whose
// server copy is still to be deleted (under the mirror policy). It is part
// of mail.Cache. The count is kept with the account, so this costs the
// same for any number of them.
func (s *Store) Tombstones(accountID string) (int, error) {
	var n int
	err := s.view(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		n = a.tombstones()
		return nil
	})
	if err != nil {
		return 0, wrap("count tombstones", err)
	}
	return n, nil
}

// UIDRecords returns every UID record of the account, keyed by UID. It
// reads them all; the fetch engine uses LookupUIDs instead.
func (s *Store) UIDRecords(accountID string) (map[string]mail.UIDRecord, error) {
	var out map[string]mail.UIDRecord
	err := s.view(func(tx *bolt.Tx) error {
		defer s.dropMapped(tx)
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		out = make(map[string]mail.UIDRecord, a.count())
		return a.uids.ForEach(func(k, v []byte) error {
			r, err := decodeUID(k, v)
			if err != nil {
				return err
			}
			uid := string(k)
			out[uid] = r.public(uid)
			return nil
		})
	})
	if err != nil {
		return nil, wrap("read uid records", err)
	}
	return out, nil
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
			if err := a.dropTombstone([]byte(uid)); err != nil {
				return fmt.Errorf("forget uid %s: %w", uid, err)
			}
		}
		return nil
	})
}
