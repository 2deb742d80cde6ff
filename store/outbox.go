package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The outbox. An account that sends keeps, in its bucket, two nested
// buckets (made by the first AddOutgoing):
//
//	outbox       8-byte outbox ID -> JSON of Outgoing
//	outbox_raw   8-byte outbox ID -> the exact bytes to send
//
//	outbox_form  8-byte outbox ID -> the form a screen wrote it in (drafts.go)
//
// A draft's outbox_raw is its form, not a message: it is never sent as it
// is (drafts.go). A message moves queued -> sending -> sent, or to failed when the server
// refused it or could not be reached before DATA. "sending" is written,
// with the Message-ID, before the SMTP DATA command, and "sent" after the
// server accepted the message. A message still "sending" when no send of
// this process holds it (the process was killed between DATA and the local
// write, or the connection ended before the server's answer) may have been
// delivered: SettleOutbox makes it "unknown", and only a forced retry
// sends it again, so popbox never sends one message twice on its own and
// never drops one.
var (
	bucketOutbox     = []byte("outbox")
	bucketOutboxRaw  = []byte("outbox_raw")
	bucketOutboxForm = []byte("outbox_form")
)

// OutState is where an outgoing message stands.
type OutState string

// The outbox states.
const (
	OutDraft   OutState = "draft"
	OutQueued  OutState = "queued"
	OutSending OutState = "sending"
	OutSent    OutState = "sent"
	OutFailed  OutState = "failed"
	// OutUnknown: the message went out but the server's answer did not
	// come back (or popbox was stopped before writing it down); it may
	// have been delivered. The user checks, then retries with force.
	OutUnknown OutState = "unknown"
)

// ErrNoOutgoing: the outbox has no message with that ID.
var ErrNoOutgoing = errors.New("no such outgoing message")

// ErrOutState: the message is not in a state it can be sent from (sent
// already, being sent, or unknown without force).
var ErrOutState = errors.New("outgoing message cannot be sent in its state")

// Outgoing is one message in the outbox, without its bytes.
type Outgoing struct {
	ID        string    `json:"id"`
	AccountID string    `json:"account_id"`
	MessageID string    `json:"message_id"`
	From      string    `json:"from"`
	To        []string  `json:"to"` // every SMTP recipient: To, Cc and Bcc
	Subject   string    `json:"subject"`
	State     OutState  `json:"state"`
	Reason    string    `json:"reason,omitempty"` // why it failed or is unknown
	Attempts  int       `json:"attempts"`
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
	SentAt    time.Time `json:"sent_at,omitzero"`
	Size      int       `json:"size"`
	// Refused: the server refused the message or a recipient; it is sent
	// again only when the user asks, not at the next fetch (Pending).
	Refused bool `json:"refused,omitempty"`
}

func outKey(id string) ([]byte, error) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || n == 0 {
		return nil, fmt.Errorf("outbox %q: %w", id, ErrNoOutgoing)
	}
	return u64(n), nil
}

// AddOutgoing puts a message into the account's outbox in state o.State
// (queued when empty) and returns it with its ID and times.
func (s *Store) AddOutgoing(accountID string, o Outgoing, raw []byte) (Outgoing, error) {
	if o.State == "" {
		o.State = OutQueued
	}
	o.ID = ""
	return s.putOutgoing(accountID, o, raw, nil)
}

// outboxBuckets are the account's outbox buckets (root is the account's
// bucket), made when missing: records, bytes, forms.
func outboxBuckets(root *bolt.Bucket) (b, rb, fb *bolt.Bucket, err error) {
	if b, err = root.CreateBucketIfNotExists(bucketOutbox); err != nil {
		return
	}
	if rb, err = root.CreateBucketIfNotExists(bucketOutboxRaw); err != nil {
		return
	}
	fb, err = root.CreateBucketIfNotExists(bucketOutboxForm)
	return
}

// held reports whether a send of this process holds message id.
func (s *Store) held(accountID, id string) bool {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	return s.sendingNow[accountID+"/"+id]
}

// changeOutgoing reads message id, lets fn change it and writes it back.
func (s *Store) changeOutgoing(accountID, id string, fn func(*Outgoing) error) (Outgoing, error) {
	var o Outgoing
	k, err := outKey(id)
	if err != nil {
		return o, err
	}
	err = s.update(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		b := a.root.Bucket(bucketOutbox)
		if b == nil || b.Get(k) == nil {
			return fmt.Errorf("outbox %s: %w", id, ErrNoOutgoing)
		}
		if err := json.Unmarshal(b.Get(k), &o); err != nil {
			return fmt.Errorf("outbox %s: %w", id, err)
		}
		if err := fn(&o); err != nil {
			return err
		}
		o.Updated = time.Now().UTC()
		v, err := json.Marshal(o)
		if err != nil {
			return err
		}
		return b.Put(k, v)
	})
	return o, err
}

// BeginSending marks message id "sending" and holds it for this process
// until EndSending: call it before the SMTP DATA command. A message may
// start from queued or failed; from unknown only with force (it may
// have been delivered already). A message sent already, or being sent, is
// ErrOutState.
func (s *Store) BeginSending(accountID, id string, force bool) (Outgoing, error) {
	slot := accountID + "/" + id
	s.outMu.Lock()
	if s.sendingNow[slot] {
		s.outMu.Unlock()
		return Outgoing{}, fmt.Errorf("outbox %s: %w: being sent", id, ErrOutState)
	}
	if s.sendingNow == nil {
		s.sendingNow = map[string]bool{}
	}
	s.sendingNow[slot] = true
	s.outMu.Unlock()
	o, err := s.changeOutgoing(accountID, id, func(o *Outgoing) error {
		switch o.State {
		case OutQueued, OutFailed:
		case OutUnknown:
			if !force {
				return fmt.Errorf("outbox %s: %w: %s", id, ErrOutState, o.State)
			}
		default:
			return fmt.Errorf("outbox %s: %w: %s", id, ErrOutState, o.State)
		}
		o.State, o.Reason, o.Refused = OutSending, "", false
		o.Attempts++
		return nil
	})
	if err != nil {
		s.releaseSend(slot)
	}
	return o, err
}

func (s *Store) releaseSend(slot string) {
	s.outMu.Lock()
	delete(s.sendingNow, slot)
	s.outMu.Unlock()
}

// EndSending records how the send that BeginSending started ended: OutSent
// when the server accepted the message, OutFailed when it was not sent,
// OutUnknown when it may have been; reason says why for the last two, and
// refused that the server refused it (see Outgoing.Refused).
func (s *Store) EndSending(accountID, id string, state OutState, reason string, refused bool) (Outgoing, error) {
	defer s.releaseSend(accountID + "/" + id)
	return s.changeOutgoing(accountID, id, func(o *Outgoing) error {
		o.State, o.Reason, o.Refused = state, reason, refused
		if state == OutSent {
			o.SentAt = time.Now().UTC()
		}
		return nil
	})
}

// SettleOutbox turns every message of the account left "sending" by a
// send that is not running any more (a killed popbox) into "unknown", and
// returns those.
func (s *Store) SettleOutbox(accountID string) ([]Outgoing, error) {
	var settled []Outgoing
	err := s.update(func(tx *bolt.Tx) error {
		settled = settled[:0]
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		b := a.root.Bucket(bucketOutbox)
		if b == nil {
			return nil
		}
		type change struct {
			k []byte
			o Outgoing
		}
		var changes []change
		err = b.ForEach(func(k, v []byte) error {
			var o Outgoing
			if err := json.Unmarshal(v, &o); err != nil || o.State != OutSending {
				return nil
			}
			if s.held(accountID, o.ID) {
				return nil
			}
			o.State = OutUnknown
			o.Reason = "popbox stopped after handing the message to the server and before it noted the answer"
			o.Updated = time.Now().UTC()
			changes = append(changes, change{copyBytes(k), o})
			return nil
		})
		if err != nil {
			return err
		}
		for _, c := range changes {
			v, err := json.Marshal(c.o)
			if err != nil {
				return err
			}
			if err := b.Put(c.k, v); err != nil {
				return err
			}
			settled = append(settled, c.o)
		}
		return nil
	})
	return settled, err
}

// OutgoingMessage returns message id of the account's outbox and its bytes.
func (s *Store) OutgoingMessage(accountID, id string) (Outgoing, []byte, error) {
	var (
		o   Outgoing
		raw []byte
	)
	k, err := outKey(id)
	if err != nil {
		return o, nil, err
	}
	err = s.view(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		b, rb := a.root.Bucket(bucketOutbox), a.root.Bucket(bucketOutboxRaw)
		if b == nil || rb == nil || b.Get(k) == nil {
			return fmt.Errorf("outbox %s: %w", id, ErrNoOutgoing)
		}
		if err := json.Unmarshal(b.Get(k), &o); err != nil {
			return fmt.Errorf("outbox %s: %w", id, err)
		}
		raw = copyBytes(rb.Get(k))
		return nil
	})
	return o, raw, err
}

// outgoing lists the account's outbox messages that keep returns true for,
// oldest first.
func (s *Store) outgoing(accountID string, keep func(Outgoing) bool) ([]Outgoing, error) {
	out := []Outgoing{}
	err := s.view(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		b := a.root.Bucket(bucketOutbox)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var o Outgoing
			if err := json.Unmarshal(v, &o); err != nil {
				return fmt.Errorf("outbox %d: %w", binary.BigEndian.Uint64(k), err)
			}
			if keep(o) {
				out = append(out, o)
			}
			return nil
		})
	})
	return out, err
}

// Outbox lists the account's messages not sent yet: draft, queued,
// sending, failed and unknown, oldest first.
func (s *Store) Outbox(accountID string) ([]Outgoing, error) {
	return s.outgoing(accountID, func(o Outgoing) bool { return o.State != OutSent })
}

// Sent lists the account's sent messages, newest first.
func (s *Store) Sent(accountID string) ([]Outgoing, error) {
	out, err := s.outgoing(accountID, func(o Outgoing) bool { return o.State == OutSent })
	sort.SliceStable(out, func(i, j int) bool { return out[i].SentAt.After(out[j].SentAt) })
	return out, err
}

// MarkFailed records that message id could not be sent before anything of
// it reached the server (no connection, login refused, a recipient
// refused): it was certainly not delivered, so a plain retry may send it.
func (s *Store) MarkFailed(accountID, id, reason string, refused bool) (Outgoing, error) {
	return s.changeOutgoing(accountID, id, func(o *Outgoing) error {
		switch o.State {
		case OutQueued, OutFailed:
			o.State, o.Reason, o.Refused = OutFailed, reason, refused
			o.Attempts++
			return nil
		}
		return fmt.Errorf("outbox %s: %w: %s", id, ErrOutState, o.State)
	})
}

// copyOutbox carries an account's outbox over in a repair: every message
// whose record and bytes both read, with its ID, so that nothing written
// is lost (a message left "sending" stays so, and the next run settles it
// to "unknown"). The IDs go on from the highest one copied.
func (c *salvage) copyOutbox(key []byte) error {
	type entry struct{ k, v, raw []byte }
	recs := map[string][]byte{}
	raws := map[string][]byte{}
	collect := func(bucket []byte, into map[string][]byte) error {
		return c.src.walk([][]byte{bucketAcct, key, bucket}, nil, func(*bolt.Tx) func(k, v []byte) bool {
			return func(k, v []byte) bool {
				if len(k) == 8 && v != nil {
					into[string(k)] = copyBytes(v)
				}
				return false
			}
		}, nil)
	}
	if err := collect(bucketOutbox, recs); err != nil {
		return err
	}
	if len(recs) == 0 {
		return nil
	}
	if err := collect(bucketOutboxRaw, raws); err != nil {
		return err
	}
	forms := map[string][]byte{}
	if err := collect(bucketOutboxForm, forms); err != nil {
		return err
	}
	var entries []entry
	var top uint64
	for k, v := range recs {
		raw, ok := raws[k]
		var o Outgoing
		if !ok || json.Unmarshal(v, &o) != nil {
			c.rep.Lost++
			continue
		}
		entries = append(entries, entry{[]byte(k), v, raw})
		top = max(top, binary.BigEndian.Uint64([]byte(k)))
	}
	if len(entries) == 0 {
		return nil
	}
	return c.dst.Update(func(tx *bolt.Tx) error {
		a, err := openAcctKey(tx, key, accountIDOf(key))
		if err != nil {
			return err
		}
		b, rb, fb, err := outboxBuckets(a.root)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if f, ok := forms[string(e.k)]; ok {
				if err := fb.Put(e.k, f); err != nil {
					return fmt.Errorf("copy outgoing message: %w", err)
				}
			}
			if err := rb.Put(e.k, e.raw); err != nil {
				return fmt.Errorf("copy outgoing message: %w", err)
			}
			if err := b.Put(e.k, e.v); err != nil {
				return fmt.Errorf("copy outgoing message: %w", err)
			}
		}
		return b.SetSequence(max(b.Sequence(), top))
	})
}
