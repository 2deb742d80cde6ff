package store

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"

	"popbox/mail"
)

// imported is a message as the import reads it: raw bytes and their summary.
func imported(raw string) mail.NewMessage {
	return mail.NewMessage{Raw: []byte(raw), Summary: mail.Summarize([]byte(raw), time.Unix(1_700_000_000, 0))}
}

func TestImport(t *testing.T) {
	s := newStore(t)
	a := addAccount(t, s, "Work")
	// Fetched mail: the same bytes imported are recognised by their digest.
	fetched := "Date: Tue, 5 Mar 2024 10:00:00 +0000\r\nSubject: fetched\r\n\r\nbody\r\n"
	fm := imported(fetched)
	fm.UID, fm.Digest = "server-1", sha256.Sum256(fm.Raw)
	commit(t, s, a.ID, fm)

	one := "Date: Wed, 6 Mar 2024 10:00:00 +0000\r\nSubject: one\r\n\r\nbody\r\n"
	two := "Subject: two, no date\r\n\r\nbody\r\n"
	batch := []mail.NewMessage{imported(one), imported(two), imported(one), imported(fetched)}
	stored, already, err := s.Import(a.ID, batch, []bool{true, false, false, false})
	if err != nil || stored != 2 || already != 2 {
		t.Fatalf("Import = %d stored, %d already, %v; want 2, 2", stored, already, err)
	}
	if n, _ := s.Count(a.ID); n != 3 {
		t.Fatalf("Count = %d, want 3", n)
	}
	sum := sha256.Sum256([]byte(one))
	rec := uidOf(t, s, a.ID, ImportUID(sum))
	m, err := s.Message(rec.MsgID)
	if err != nil || !m.Seen || m.Summary.Subject != "one" || m.UID != ImportUID(sum) {
		t.Fatalf("imported message %+v, %v", m, err)
	}
	if raw, err := s.Raw(rec.MsgID); err != nil || string(raw) != one {
		t.Fatalf("Raw = %q, %v", raw, err)
	}
	// Again: nothing new.
	stored, already, err = s.Import(a.ID, []mail.NewMessage{imported(one), imported(two), imported(fetched)}, nil)
	if err != nil || stored != 0 || already != 3 {
		t.Fatalf("second Import = %d stored, %d already, %v; want 0, 3", stored, already, err)
	}
	if n, _ := s.Count(a.ID); n != 3 {
		t.Fatalf("Count after the second import = %d, want 3", n)
	}

	// Deleted: no tombstone (no server copy to wait for); importing it
	// again brings it back.
	if err := s.DeleteMessage(rec.MsgID); err != nil {
		t.Fatal(err)
	}
	if got := tombstones(t, s, a.ID); len(got) != 0 {
		t.Fatalf("tombstones after deleting an imported message: %v", got)
	}
	if n, _ := s.Tombstones(a.ID); n != 0 {
		t.Fatalf("Tombstones = %d", n)
	}
	if stored, _, err := s.Import(a.ID, []mail.NewMessage{imported(one)}, nil); err != nil || stored != 1 {
		t.Fatalf("import after delete: %d, %v", stored, err)
	}
}

func TestImportUIDNeverAServerUID(t *testing.T) {
	uid := ImportUID(sha256.Sum256([]byte("x")))
	if len(uid) <= 70 || !IsImportUID(uid) {
		t.Fatalf("%q: %d characters; a server UID has at most 70", uid, len(uid))
	}
	for _, not := range []string{"import:x", "sha256:" + strings.Repeat("0", 64), "1"} {
		if IsImportUID(not) {
			t.Errorf("IsImportUID(%q)", not)
		}
	}
}

func TestSince(t *testing.T) {
	s := newStore(t)
	a := addAccount(t, s, "Work")
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var batch []mail.NewMessage
	for i := 0; i < 25; i++ {
		batch = append(batch, newMsg(fmt.Sprint("u", i), base.AddDate(0, 0, 24-i), fmt.Sprint("s", 24-i)))
	}
	commit(t, s, a.ID, batch...)
	var got []string
	var pos Position
	for {
		page, next, err := s.Since(a.ID, base.AddDate(0, 0, 10), pos, 4)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page {
			got = append(got, m.Summary.Subject)
		}
		if len(page) < 4 {
			break
		}
		pos = next
	}
	want := []string{}
	for i := 10; i < 25; i++ {
		want = append(want, fmt.Sprint("s", i))
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("Since: %v, want %v", got, want)
	}
	if n, err := s.CountSince(a.ID, base.AddDate(0, 0, 10)); err != nil || n != 15 {
		t.Fatalf("CountSince = %d, %v", n, err)
	}
	if n, _ := s.CountSince(a.ID, time.Time{}); n != 25 {
		t.Fatalf("CountSince(zero) = %d", n)
	}
	all, _, _ := s.Since(a.ID, time.Time{}, nil, 100)
	if len(all) != 25 || !bytes.Equal([]byte(all[0].Summary.Subject), []byte("s0")) {
		t.Fatalf("Since from the start: %d, first %q", len(all), all[0].Summary.Subject)
	}
}
