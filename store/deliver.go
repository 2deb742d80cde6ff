package store

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"popbox/mail"
)

// Delivery marks. An account that delivers to a Maildir or an MDA keeps,
// in its bucket, a nested bucket "deliver" (made by the first Commit that
// marks a message; older files simply have none):
//
//	deliver        8-byte global message ID -> 8-byte first-seen time
//	               (Unix ns) + the server UID: the message waits for
//	               delivery
//
// Commit writes the mark in the transaction that stores the message, and
// Delivered clears it once the delivery succeeded, so a kill at any point
// leaves a message either delivered and unmarked or still marked. While a
// message is marked, LookupUIDs reports its UIDs as PendingDelivery and
// the fetch does not delete their server copies. Keyed by message ID, the
// marks are walked in the order the messages arrived, and a UID found
// under another UID (a duplicate) shares its message's mark.
var bucketDeliver = []byte("deliver")

// markPending marks message gid, stored under uid, as waiting for delivery.
func markPending(a acct, gid uint64, firstSeen time.Time, uid string) error {
	b, err := a.root.CreateBucketIfNotExists(bucketDeliver)
	if err != nil {
		return err
	}
	v := make([]byte, 8, 8+len(uid))
	if !firstSeen.IsZero() {
		binary.BigEndian.PutUint64(v, uint64(firstSeen.UnixNano()))
	}
	return b.Put(u64(gid), append(v, uid...))
}

// pendingBucket is the account's marks, nil when it has none.
func (a acct) pendingBucket() *bolt.Bucket {
	b := a.root.Bucket(bucketDeliver)
	if b == nil {
		return nil
	}
	if k, _ := b.Cursor().First(); k == nil {
		return nil
	}
	return b
}

// Gone reports that the message asked for is no longer stored: delivery
// drops the mark of a message deleted in popbox before it was delivered.
func (e *NotFoundError) Gone() bool { return e.Kind == ErrNoMessage }

// PendingDeliveries lists up to n of the account's messages waiting for
// delivery, oldest first, after message ID after ("" from the first). It
// is part of mail.DeliveryQueue.
func (s *Store) PendingDeliveries(accountID, after string, n int) ([]mail.PendingDelivery, error) {
	var start uint64
	if after != "" {
		v, err := strconv.ParseUint(after, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("pending deliveries after %q: not a message ID", after)
		}
		start = v + 1
	}
	var out []mail.PendingDelivery
	err := s.view(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		b := a.pendingBucket()
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(u64(start)); k != nil && len(out) < n; k, v = c.Next() {
			if len(k) != 8 || len(v) < 8 {
				return fmt.Errorf("delivery mark %x: %w", k, errCorrupt)
			}
			p := mail.PendingDelivery{ID: strconv.FormatUint(binary.BigEndian.Uint64(k), 10), UID: string(v[8:])}
			if ns := int64(binary.BigEndian.Uint64(v[:8])); ns != 0 {
				p.FirstSeen = time.Unix(0, ns)
			}
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, wrap("read the messages waiting for delivery", err)
	}
	return out, nil
}

// Delivered clears the marks of delivered messages in one transaction.
// It is part of mail.DeliveryQueue.
func (s *Store) Delivered(accountID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	err := s.update(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		b := a.root.Bucket(bucketDeliver)
		if b == nil {
			return nil
		}
		for _, id := range ids {
			n, err := strconv.ParseUint(id, 10, 64)
			if err != nil {
				return fmt.Errorf("clear delivery mark of %q: not a message ID", id)
			}
			if err := b.Delete(u64(n)); err != nil {
				return fmt.Errorf("clear delivery mark of message %s: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return wrap("clear delivery marks", err)
	}
	return nil
}

// PendingDeliveryCount counts the account's messages waiting for delivery.
// It is part of mail.DeliveryQueue.
func (s *Store) PendingDeliveryCount(accountID string) (int, error) {
	var n int
	err := s.view(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		if b := a.pendingBucket(); b != nil {
			n = b.Stats().KeyN
		}
		return nil
	})
	if err != nil {
		return 0, wrap("count the messages waiting for delivery", err)
	}
	return n, nil
}

// DropPendingDeliveries clears every delivery mark of the account (its
// delivery was turned off): the messages stay stored, and their server
// copies follow the retention policy again. It returns how many there were.
func (s *Store) DropPendingDeliveries(accountID string) (int, error) {
	var n int
	err := s.update(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		b := a.root.Bucket(bucketDeliver)
		if b == nil {
			return nil
		}
		n = b.Stats().KeyN
		return a.root.DeleteBucket(bucketDeliver)
	})
	if err != nil {
		return 0, wrap("drop the delivery marks", err)
	}
	return n, nil
}

// copyDeliveryMarks copies, for popbox repair, the delivery marks of the
// account's messages that were copied (message IDs stay as they were), so
// that a repaired database still delivers what waited, and the server
// copies of those messages still wait for it.
func (c *salvage) copyDeliveryMarks(key []byte, copiedMsgs map[uint64]bool) error {
	type mark struct{ k, v []byte }
	var marks []mark
	err := c.src.walk([][]byte{bucketAcct, key, bucketDeliver}, nil, func(*bolt.Tx) func(k, v []byte) bool {
		return func(k, v []byte) bool {
			if len(k) == 8 && len(v) >= 8 && copiedMsgs[binary.BigEndian.Uint64(k)] {
				marks = append(marks, mark{copyBytes(k), copyBytes(v)})
			}
			return false
		}
	}, nil)
	if err != nil || len(marks) == 0 {
		return err
	}
	return c.dst.Update(func(tx *bolt.Tx) error {
		a, err := openAcctKey(tx, key, accountIDOf(key))
		if err != nil {
			return err
		}
		b, err := a.root.CreateBucketIfNotExists(bucketDeliver)
		if err != nil {
			return err
		}
		for _, m := range marks {
			if err := b.Put(m.k, m.v); err != nil {
				return fmt.Errorf("copy delivery mark: %w", err)
			}
		}
		return nil
	})
}
