package store

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// editMessage changes, with bbolt directly, the stored record or raw bytes
// of message id in the closed database at path.
func editMessage(t *testing.T, path, id string, edit func(a acct, k []byte) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		a, k, err := locate(tx, id)
		if err != nil {
			return err
		}
		return edit(a, k)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// editRecord decodes the record of a message, lets fix change it and
// stores it again.
func editRecord(fix func(r *msgRecord)) func(a acct, k []byte) error {
	return func(a acct, k []byte) error {
		r, err := decodeRecord(a.msgs.Get(k))
		if err != nil {
			return err
		}
		fix(&r)
		return putJSON(a.msgs, k, r)
	}
}

// TestRawDamageDetected: a message whose stored bytes no longer match the
// SHA-256 in its record (one bit flipped in either), or whose record or
// bytes are gone or unreadable, is never handed out as valid: Raw says
// which message is damaged and points at repair.
func TestRawDamageDetected(t *testing.T) {
	cases := []struct {
		name string
		edit func(a acct, k []byte) error
	}{
		{"bit flipped in the raw bytes", func(a acct, k []byte) error {
			v := copyBytes(a.raw.Get(k[8:16]))
			v[len(v)/2] ^= 0x04
			return a.raw.Put(k[8:16], v)
		}},
		{"compressed bytes cut short", func(a acct, k []byte) error {
			v := copyBytes(a.raw.Get(k[8:16]))
			return a.raw.Put(k[8:16], v[:len(v)/2])
		}},
		{"layout of an older schema", editRecord(func(r *msgRecord) { r.Layout = layoutPlain })},
		{"bit flipped in the digest", editRecord(func(r *msgRecord) { r.Digest[5] ^= 0x80 })},
		{"digest missing", editRecord(func(r *msgRecord) { r.Digest = nil })},
		{"digest cut short", editRecord(func(r *msgRecord) { r.Digest = r.Digest[:31] })},
		{"raw bytes missing", func(a acct, k []byte) error { return a.raw.Delete(k[8:16]) }},
		{"record undecodable", func(a acct, k []byte) error {
			v := copyBytes(a.msgs.Get(k))
			v[0] = '['
			return a.msgs.Put(k, v)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := testPath(t)
			s := openTest(t, path)
			a := addAccount(t, s, "Work")
			good := withRaw(newMsg("good", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), "fine"), "Subject: fine\r\n\r\nall well\r\n")
			bad := withRaw(newMsg("bad", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC), "hit"), "Subject: hit\r\n\r\nthe pay slip of March\r\n")
			commit(t, s, a.ID, good, bad)
			goodID, badID := uidOf(t, s, a.ID, "good").MsgID, uidOf(t, s, a.ID, "bad").MsgID
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			editMessage(t, path, badID, c.edit)

			s = openTest(t, path)
			raw, err := s.Raw(badID)
			if err == nil {
				t.Fatalf("Raw of a damaged message = %q, no error", raw)
			}
			if raw != nil {
				t.Errorf("Raw returned %d bytes with the error", len(raw))
			}
			if !errors.Is(err, ErrDamaged) {
				t.Errorf("err = %v, want ErrDamaged", err)
			}
			var de *DamagedError
			if !errors.As(err, &de) || de.MessageID != badID {
				t.Errorf("err = %#v, want a DamagedError for message %s", err, badID)
			}
			msg := said(err)
			for _, want := range []string{"message " + badID + " ", "is damaged", "popbox --db " + path + " repair"} {
				if !strings.Contains(msg, want) {
					t.Errorf("%q does not say %q", msg, want)
				}
			}
			// The other message is still read in full.
			if raw, err := s.Raw(goodID); err != nil || !bytes.Equal(raw, good.Raw) {
				t.Errorf("Raw of the undamaged message = %q, %v", raw, err)
			}
		})
	}
}

// TestDamagedMessageSentence pins the sentence of a damaged message.
func TestDamagedMessageSentence(t *testing.T) {
	err := &DamagedError{Path: "/home/taro/popbox.db", MessageID: "42", Detail: "its bytes do not match the SHA-256 stored with it"}
	want := "message 42 in the database /home/taro/popbox.db is damaged (its bytes do not match the SHA-256 stored with it); " +
		"popbox changed nothing in it. Run popbox --db /home/taro/popbox.db repair: it copies all that can still be read into a new file and says how to put that in place"
	if got := said(err); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
