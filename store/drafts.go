package store

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Drafts. A message written on the screen is kept from the moment its
// editor closes: as a draft (state OutDraft), whose outbox_raw is the form
// the screen wrote it in, not a message, so nothing ever sends it as it
// is; then, queued to be sent, with the exact bytes in outbox_raw and the
// form in outbox_form, so that a message that failed can be written again.
// The store does not read forms.

// editable reports whether a message in state st may be written again:
// anything but one being sent or sent already.
func editable(st OutState) bool {
	return st != OutSending && st != OutSent
}

// putOutgoing writes message o (ID set, or "" for a new one) of the
// account with raw in outbox_raw and form in outbox_form (form nil: none).
// An existing message must be editable and not held by a send of this
// process.
func (s *Store) putOutgoing(accountID string, o Outgoing, raw, form []byte) (Outgoing, error) {
	if o.ID != "" && s.held(accountID, o.ID) {
		return o, fmt.Errorf("outbox %s: %w: being sent", o.ID, ErrOutState)
	}
	now := time.Now().UTC()
	err := s.update(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		b, rb, fb, err := outboxBuckets(a.root)
		if err != nil {
			return err
		}
		var k []byte
		if o.ID == "" {
			n, err := b.NextSequence()
			if err != nil {
				return err
			}
			k = u64(n)
			o.ID, o.Created = strconv.FormatUint(n, 10), now
		} else {
			if k, err = outKey(o.ID); err != nil {
				return err
			}
			v := b.Get(k)
			if v == nil {
				return fmt.Errorf("outbox %s: %w", o.ID, ErrNoOutgoing)
			}
			var old Outgoing
			if err := json.Unmarshal(v, &old); err != nil {
				return fmt.Errorf("outbox %s: %w", o.ID, err)
			}
			if !editable(old.State) {
				return fmt.Errorf("outbox %s: %w: %s", o.ID, ErrOutState, old.State)
			}
			o.Created, o.Attempts = old.Created, old.Attempts
		}
		o.AccountID, o.Updated, o.Size = accountID, now, len(raw)
		o.Reason, o.Refused, o.SentAt = "", false, time.Time{}
		v, err := json.Marshal(o)
		if err != nil {
			return err
		}
		if err := rb.Put(k, raw); err != nil {
			return fmt.Errorf("write outgoing message: %w", err)
		}
		if form == nil {
			if err := fb.Delete(k); err != nil {
				return err
			}
		} else if err := fb.Put(k, form); err != nil {
			return fmt.Errorf("write outgoing message: %w", err)
		}
		return b.Put(k, v)
	})
	return o, err
}

// SaveDraft keeps form as a draft of the account: a new one when o.ID is
// "", else in place of message o.ID (a draft, or a message not sent yet,
// which becomes a draft again). o carries what the lists show (To,
// Subject, MessageID); form must not be empty.
func (s *Store) SaveDraft(accountID string, o Outgoing, form []byte) (Outgoing, error) {
	if len(form) == 0 {
		return o, fmt.Errorf("save draft: empty form")
	}
	o.State = OutDraft
	return s.putOutgoing(accountID, o, form, nil)
}

// QueueOutgoing puts raw, the message written in form, into the outbox,
// queued to be sent: a new message when o.ID is "", else in place of
// draft (or unsent message) o.ID. form may be nil.
func (s *Store) QueueOutgoing(accountID string, o Outgoing, raw, form []byte) (Outgoing, error) {
	if len(raw) == 0 {
		return o, fmt.Errorf("queue message: no bytes")
	}
	o.State = OutQueued
	return s.putOutgoing(accountID, o, raw, form)
}

// OutgoingForm returns the form message id was written in: a draft's, or
// the one kept with a queued message; nil when it has none (sent from the
// command line).
func (s *Store) OutgoingForm(accountID, id string) (Outgoing, []byte, error) {
	o, raw, err := s.OutgoingMessage(accountID, id)
	if err != nil || o.State == OutDraft {
		return o, raw, err
	}
	k, _ := outKey(id)
	var form []byte
	err = s.view(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		if fb := a.root.Bucket(bucketOutboxForm); fb != nil {
			form = copyBytes(fb.Get(k))
		}
		return nil
	})
	return o, form, err
}

// DeleteOutgoing removes message id from the account's outbox (a draft
// thrown away, a failed message given up, a sent one forgotten); one being
// sent is ErrOutState.
func (s *Store) DeleteOutgoing(accountID, id string) error {
	k, err := outKey(id)
	if err != nil {
		return err
	}
	if s.held(accountID, id) {
		return fmt.Errorf("outbox %s: %w: being sent", id, ErrOutState)
	}
	return s.update(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		b := a.root.Bucket(bucketOutbox)
		if b == nil || b.Get(k) == nil {
			return fmt.Errorf("outbox %s: %w", id, ErrNoOutgoing)
		}
		for _, name := range [][]byte{bucketOutboxRaw, bucketOutboxForm} {
			if bb := a.root.Bucket(name); bb != nil {
				if err := bb.Delete(k); err != nil {
					return err
				}
			}
		}
		return b.Delete(k)
	})
}

// Drafts lists the account's drafts, newest first.
func (s *Store) Drafts(accountID string) ([]Outgoing, error) {
	out, err := s.outgoing(accountID, func(o Outgoing) bool { return o.State == OutDraft })
	sort.SliceStable(out, func(i, j int) bool { return out[i].Updated.After(out[j].Updated) })
	return out, err
}
