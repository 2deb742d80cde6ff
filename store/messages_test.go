package store

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"popbox/mail"
)

// newMsg is a retrieved message whose raw bytes are made from uid and subject.
func newMsg(uid string, date time.Time, subject string) mail.NewMessage {
	raw := []byte("From: Taro <taro@example.com>\r\nSubject: " + subject + "\r\nX-UID: " + uid + "\r\n\r\nbody\r\n")
	return mail.NewMessage{
		UID: uid,
		Raw: raw,
		Summary: mail.Summary{
			From:    mail.Address{Name: "Taro Yamada", Address: "taro@example.com"},
			Subject: subject,
			Date:    date,
			Size:    int64(len(raw)),
		},
		Digest:    sha256.Sum256(raw),
		FirstSeen: time.Unix(1_700_000_000, 0).UTC(),
	}
}

// withRaw gives m other raw bytes (and the matching digest).
func withRaw(m mail.NewMessage, raw string) mail.NewMessage {
	m.Raw = []byte(raw)
	m.Digest = sha256.Sum256(m.Raw)
	return m
}

func commit(t testing.TB, s *Store, accountID string, batch ...mail.NewMessage) int {
	t.Helper()
	dups, err := s.Commit(accountID, batch)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return dups
}

func uidOf(t *testing.T, s *Store, accountID, uid string) mail.UIDRecord {
	t.Helper()
	recs, err := s.UIDRecords(accountID)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := recs[uid]
	if !ok {
		t.Fatalf("no UID record for %s", uid)
	}
	return r
}

func tombstones(t *testing.T, s *Store, accountID string) []string {
	t.Helper()
	var out []string
	err := s.db.View(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		return a.tombs.ForEach(func(k, _ []byte) error {
			out = append(out, string(k))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCommitStoresEverything(t *testing.T) {
	s := newStore(t)
	a := addAccount(t, s, "Work")
	m := newMsg("uid-1", time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC), "Quarterly report")
	m.Raw = []byte("Subject: x\r\n\r\n..dot stays undone\r\n\x00\xff\r\n")
	m.Digest = sha256.Sum256(m.Raw)
	before := time.Now()
	if dups := commit(t, s, a.ID, m); dups != 0 {
		t.Errorf("duplicates = %d, want 0", dups)
	}
	page, err := s.Page(a.ID, 0, 10)
	if err != nil || len(page) != 1 {
		t.Fatalf("Page = %v, %v", page, err)
	}
	got := page[0]
	if got.AccountID != a.ID || got.UID != "uid-1" || got.Summary.Subject != "Quarterly report" || got.Seen {
		t.Errorf("message %+v", got)
	}
	if got.Received.Before(before.Add(-time.Second)) || got.Received.After(time.Now().Add(time.Second)) {
		t.Errorf("Received %v is not the commit time", got.Received)
	}
	one, err := s.Message(got.ID)
	if err != nil || one.UID != "uid-1" || !one.Summary.Date.Equal(m.Summary.Date) {
		t.Errorf("Message(%s) = %+v, %v", got.ID, one, err)
	}
	raw, err := s.Raw(got.ID)
	if err != nil || !bytes.Equal(raw, m.Raw) {
		t.Errorf("Raw = %q, %v; want %q", raw, err, m.Raw)
	}
	r := uidOf(t, s, a.ID, "uid-1")
	if r.MsgID != got.ID || r.State != mail.UIDStored || !r.FirstSeen.Equal(m.FirstSeen) {
		t.Errorf("UID record %+v", r)
	}
}

func TestCommitAtomic(t *testing.T) {
	date := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		prior []mail.NewMessage
		batch []mail.NewMessage
	}{
		{"same UID twice in the batch", nil, []mail.NewMessage{
			newMsg("a", date, "one"), newMsg("b", date, "two"), withRaw(newMsg("a", date, "three"), "other bytes"),
		}},
		{"UID already stored", []mail.NewMessage{newMsg("a", date, "one")}, []mail.NewMessage{
			newMsg("b", date, "two"), withRaw(newMsg("a", date, "again"), "other bytes"),
		}},
		{"empty UID", nil, []mail.NewMessage{newMsg("a", date, "one"), newMsg("", date, "two")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t)
			acc := addAccount(t, s, "Work")
			if len(c.prior) > 0 {
				commit(t, s, acc.ID, c.prior...)
			}
			recsBefore, _ := s.UIDRecords(acc.ID)
			if _, err := s.Commit(acc.ID, c.batch); err == nil {
				t.Fatal("Commit accepted a bad batch")
			}
			if n, _ := s.Count(acc.ID); n != len(c.prior) {
				t.Errorf("Count = %d, want %d", n, len(c.prior))
			}
			recs, _ := s.UIDRecords(acc.ID)
			if len(recs) != len(recsBefore) {
				t.Errorf("UID records %v, want %v", recs, recsBefore)
			}
			if got, _, _ := s.Search(acc.ID, "two", 0, 10); len(got) != 0 {
				t.Errorf("index kept a message of the failed batch: %+v", got)
			}
			// The message counter rolled back with the rest.
			commit(t, s, acc.ID, withRaw(newMsg("fresh", date, "fresh"), "fresh bytes"))
			if r := uidOf(t, s, acc.ID, "fresh"); r.MsgID != strconv.Itoa(len(c.prior)+1) {
				t.Errorf("next message ID %s, want %d", r.MsgID, len(c.prior)+1)
			}
		})
	}
}

func TestCommitClosedOrUnknown(t *testing.T) {
	path := testPath(t)
	s, err := Open(path, testOptions(path))
	if err != nil {
		t.Fatal(err)
	}
	a := addAccount(t, s, "Work")
	if _, err := s.Commit("99", []mail.NewMessage{newMsg("x", time.Now(), "x")}); !errors.Is(err, ErrNoAccount) {
		t.Errorf("unknown account: %v, want ErrNoAccount", err)
	}
	s.Close()
	if _, err := s.Commit(a.ID, []mail.NewMessage{newMsg("x", time.Now(), "x")}); err == nil {
		t.Error("Commit on a closed store succeeded")
	}
	s = openTest(t, path)
	if n, _ := s.Count(a.ID); n != 0 {
		t.Errorf("Count = %d after failed commits", n)
	}
}

func TestCommitDuplicatesByDigest(t *testing.T) {
	s := newStore(t)
	a := addAccount(t, s, "Work")
	other := addAccount(t, s, "Home")
	date := time.Date(2024, 2, 2, 0, 0, 0, 0, time.UTC)
	first := withRaw(newMsg("u1", date, "Same"), "same bytes")
	commit(t, s, a.ID, first)
	orig := uidOf(t, s, a.ID, "u1").MsgID

	// The same bytes under a new UID, plus one new message, plus a
	// duplicate inside the batch itself.
	dups := commit(t, s, a.ID,
		withRaw(newMsg("u2", date, "Same"), "same bytes"),
		withRaw(newMsg("u3", date, "New"), "new bytes"),
		withRaw(newMsg("u4", date, "New"), "new bytes"),
	)
	if dups != 2 {
		t.Errorf("duplicates = %d, want 2", dups)
	}
	if n, _ := s.Count(a.ID); n != 2 {
		t.Errorf("Count = %d, want 2", n)
	}
	if r := uidOf(t, s, a.ID, "u2"); r.MsgID != orig || r.State != mail.UIDStored {
		t.Errorf("u2 record %+v, want pointing at %s", r, orig)
	}
	if uidOf(t, s, a.ID, "u4").MsgID != uidOf(t, s, a.ID, "u3").MsgID {
		t.Error("u4 does not point at u3's message")
	}
	// Digests are per account.
	if dups := commit(t, s, other.ID, withRaw(newMsg("u1", date, "Same"), "same bytes")); dups != 0 {
		t.Errorf("another account's message counted as a duplicate")
	}

	// Deleting the message tombstones every UID that led to it.
	if err := s.DeleteMessage(orig); err != nil {
		t.Fatal(err)
	}
	for _, uid := range []string{"u1", "u2"} {
		if r := uidOf(t, s, a.ID, uid); r.State != mail.UIDDeletedLocally {
			t.Errorf("%s state %v, want deleted-locally", uid, r.State)
		}
	}
	if got := tombstones(t, s, a.ID); !slices.Equal(got, []string{"u1", "u2"}) {
		t.Errorf("tombstones %v", got)
	}
	// Gone from the store, so the same bytes under yet another UID are new.
	if dups := commit(t, s, a.ID, withRaw(newMsg("u5", date, "Same"), "same bytes")); dups != 0 {
		t.Errorf("a deleted message still counts as a duplicate")
	}
}

func TestDeleteMessage(t *testing.T) {
	s := newStore(t)
	a := addAccount(t, s, "Work")
	date := time.Date(2024, 3, 3, 0, 0, 0, 0, time.UTC)
	commit(t, s, a.ID, newMsg("keep", date, "keep me"), newMsg("drop", date.Add(time.Hour), "drop me"))
	id := uidOf(t, s, a.ID, "drop").MsgID

	if err := s.DeleteMessage(id); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Count(a.ID); n != 1 {
		t.Errorf("Count = %d, want 1", n)
	}
	if _, err := s.Message(id); !errors.Is(err, ErrNoMessage) {
		t.Errorf("Message after delete: %v, want ErrNoMessage", err)
	}
	if _, err := s.Raw(id); !errors.Is(err, ErrNoMessage) {
		t.Errorf("Raw after delete: %v, want ErrNoMessage", err)
	}
	if got, total, _ := s.Search(a.ID, "drop", 0, 10); total != 0 || len(got) != 0 {
		t.Errorf("Search still finds the deleted message")
	}
	if page, _ := s.Page(a.ID, 0, 10); len(page) != 1 || page[0].UID != "keep" {
		t.Errorf("Page after delete: %+v", page)
	}
	r := uidOf(t, s, a.ID, "drop")
	if r.State != mail.UIDDeletedLocally || r.MsgID != id {
		t.Errorf("record %+v", r)
	}
	if got := tombstones(t, s, a.ID); !slices.Equal(got, []string{"drop"}) {
		t.Errorf("tombstones %v", got)
	}
	if err := s.DeleteMessage(id); !errors.Is(err, ErrNoMessage) {
		t.Errorf("second delete: %v, want ErrNoMessage", err)
	}
	for _, bad := range []string{"", "0", "x", "-1", "999"} {
		if _, err := s.Message(bad); !errors.Is(err, ErrNoMessage) {
			t.Errorf("Message(%q): %v, want ErrNoMessage", bad, err)
		}
	}
	// The UID is still known, so a fetch will not bring it back.
	if _, err := s.Commit(a.ID, []mail.NewMessage{newMsg("drop", date, "again")}); err == nil {
		t.Error("a deleted UID was stored again")
	}
}

func TestForgetUIDs(t *testing.T) {
	s := newStore(t)
	a := addAccount(t, s, "Work")
	date := time.Date(2024, 4, 4, 0, 0, 0, 0, time.UTC)
	commit(t, s, a.ID, newMsg("a", date, "a"), newMsg("b", date, "b"), newMsg("c", date, "c"))
	if err := s.DeleteMessage(uidOf(t, s, a.ID, "a").MsgID); err != nil {
		t.Fatal(err)
	}
	if err := s.ForgetUIDs(a.ID, []string{"a", "b", "never-seen"}); err != nil {
		t.Fatal(err)
	}
	recs, _ := s.UIDRecords(a.ID)
	if _, ok := recs["c"]; len(recs) != 1 || !ok {
		t.Errorf("records left %v, want only c", recs)
	}
	if got := tombstones(t, s, a.ID); len(got) != 0 {
		t.Errorf("tombstones left %v", got)
	}
	// b's message stays stored ("delete on receipt" keeps the local copy).
	if n, _ := s.Count(a.ID); n != 2 {
		t.Errorf("Count = %d, want 2", n)
	}
	// Deleting b now makes no new record: the server copy is already gone.
	var bID string
	page, _ := s.Page(a.ID, 0, 10)
	for _, m := range page {
		if m.UID == "b" {
			bID = m.ID
		}
	}
	if err := s.DeleteMessage(bID); err != nil {
		t.Fatal(err)
	}
	if recs, _ := s.UIDRecords(a.ID); len(recs) != 1 {
		t.Errorf("records %v, want only c", recs)
	}
}

func TestMarkSeen(t *testing.T) {
	s := newStore(t)
	a := addAccount(t, s, "Work")
	commit(t, s, a.ID, newMsg("a", time.Now(), "a"))
	id := uidOf(t, s, a.ID, "a").MsgID
	for _, seen := range []bool{true, true, false} {
		if err := s.MarkSeen(id, seen); err != nil {
			t.Fatal(err)
		}
		m, _ := s.Message(id)
		if m.Seen != seen {
			t.Errorf("Seen = %v, want %v", m.Seen, seen)
		}
	}
	if err := s.MarkSeen("42", true); !errors.Is(err, ErrNoMessage) {
		t.Errorf("MarkSeen of unknown: %v", err)
	}
}

// orderedFixture commits n messages with shuffled, partly equal dates and
// returns their UIDs newest first as Page must give them.
func orderedFixture(t *testing.T, s *Store, accountID string, n int) []string {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	type entry struct {
		uid  string
		date time.Time
		seq  int
	}
	var all []entry
	var batch []mail.NewMessage
	for i := range n {
		var date time.Time
		switch i % 7 {
		case 0:
			date = time.Time{} // missing: sorts oldest
		case 1:
			date = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) // many ties
		default:
			date = time.Date(2020+rng.IntN(5), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), rng.IntN(24), 0, 0, 0, time.UTC)
		}
		uid := fmt.Sprintf("uid-%03d", i)
		all = append(all, entry{uid, date, i})
		batch = append(batch, newMsg(uid, date, "subject "+uid))
		if len(batch) == 4 || i == n-1 {
			commit(t, s, accountID, batch...)
			batch = nil
		}
	}
	slices.SortFunc(all, func(a, b entry) int {
		if c := b.date.Compare(a.date); c != 0 {
			return c
		}
		return b.seq - a.seq
	})
	uids := make([]string, len(all))
	for i, e := range all {
		uids[i] = e.uid
	}
	return uids
}

func TestPageOrderAndOffsets(t *testing.T) {
	s := newStore(t)
	a := addAccount(t, s, "Work")
	const n = 29
	want := orderedFixture(t, s, a.ID, n)
	if c, _ := s.Count(a.ID); c != n {
		t.Fatalf("Count = %d, want %d", c, n)
	}
	for offset := 0; offset <= n+1; offset++ {
		for _, limit := range []int{-1, 0, 1, 3, 10, n, n + 5, math.MaxInt} {
			page, err := s.Page(a.ID, offset, limit)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range page {
				got = append(got, m.UID)
			}
			lo, hi := min(offset, n), min(offset+min(limit, n), n)
			hi = max(hi, lo)
			if !slices.Equal(got, want[lo:hi]) && !(len(got) == 0 && lo == hi) {
				t.Errorf("Page(%d, %d) = %v, want %v", offset, limit, got, want[lo:hi])
			}
		}
	}
	if _, err := s.Page("77", 0, 10); !errors.Is(err, ErrNoAccount) {
		t.Errorf("Page of unknown account: %v", err)
	}
}

func TestDateClamp(t *testing.T) {
	cases := []struct {
		name string
		date time.Time
		want uint64
	}{
		{"zero", time.Time{}, 0},
		{"before 1970", time.Date(1901, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		{"epoch", time.Unix(0, 0), 0},
		{"normal", time.Unix(1_700_000_000, 5), 1_700_000_000_000_000_005},
		{"far future", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), 1<<63 - 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := dateNanos(c.date); got != c.want {
				t.Errorf("dateNanos = %d, want %d", got, c.want)
			}
		})
	}
}

func TestSearch(t *testing.T) {
	s := newStore(t)
	a := addAccount(t, s, "Work")
	other := addAccount(t, s, "Home")
	base := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	mk := func(uid, name, addr, subject string, day int) mail.NewMessage {
		m := withRaw(newMsg(uid, base.AddDate(0, 0, day), subject), uid)
		m.Summary.From = mail.Address{Name: name, Address: addr}
		return m
	}
	commit(t, s, a.ID,
		mk("1", "Hanako Sato", "hanako@Example.COM", "Lunch on Friday", 1),
		mk("2", "Billing", "billing@shop.example", "Your INVOICE #42", 2),
		mk("3", "山田太郎", "taro@example.jp", "会議の議事録", 3),
		mk("4", "Hanako Sato", "hanako@example.com", "Re: lunch", 4),
		mk("5", "", "noreply@example.org", "Invoice reminder", 5),
	)
	commit(t, s, other.ID, mk("9", "Hanako Sato", "hanako@example.com", "lunch elsewhere", 9))

	cases := []struct {
		query         string
		offset, limit int
		want          []string
		total         int
	}{
		{"lunch", 0, 10, []string{"4", "1"}, 2},
		{"LUNCH", 0, 10, []string{"4", "1"}, 2},
		{"invoice", 0, 10, []string{"5", "2"}, 2},
		{"invoice", 1, 10, []string{"2"}, 2},
		{"invoice", 0, 1, []string{"5"}, 2},
		{"example.com", 0, 10, []string{"4", "1"}, 2},
		{"hanako sato", 0, 10, []string{"4", "1"}, 2},
		{"山田", 0, 10, []string{"3"}, 1},
		{"議事録", 0, 10, []string{"3"}, 1},
		{"noreply", 0, 10, []string{"5"}, 1},
		{"nothing like this", 0, 10, nil, 0},
		{"body", 0, 10, nil, 0}, // bodies are not searched
		{"", 0, 2, []string{"5", "4"}, 5},
		{"invoice", 0, math.MaxInt, []string{"5", "2"}, 2},
		{"invoice", 5, 10, nil, 2},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			msgs, total, err := s.Search(a.ID, c.query, c.offset, c.limit)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range msgs {
				got = append(got, m.UID)
			}
			if !slices.Equal(got, c.want) || total != c.total {
				t.Errorf("Search(%q, %d, %d) = %v (%d), want %v (%d)", c.query, c.offset, c.limit, got, total, c.want, c.total)
			}
		})
	}
}

func TestRemoveAccountDropsMessages(t *testing.T) {
	s := newStore(t)
	a := addAccount(t, s, "Work")
	b := addAccount(t, s, "Home")
	commit(t, s, a.ID, newMsg("x", time.Now(), "x"))
	commit(t, s, b.ID, newMsg("y", time.Now(), "y"))
	xID := uidOf(t, s, a.ID, "x").MsgID
	yID := uidOf(t, s, b.ID, "y").MsgID
	if err := s.RemoveAccount("Work"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Message(xID); !errors.Is(err, ErrNoMessage) {
		t.Errorf("message of removed account: %v", err)
	}
	if _, err := s.Count(a.ID); !errors.Is(err, ErrNoAccount) {
		t.Errorf("Count of removed account: %v", err)
	}
	if _, err := s.UIDRecords(a.ID); !errors.Is(err, ErrNoAccount) {
		t.Errorf("UIDRecords of removed account: %v", err)
	}
	if m, err := s.Message(yID); err != nil || m.AccountID != b.ID {
		t.Errorf("other account's message: %+v, %v", m, err)
	}
	var ids int
	s.db.View(func(tx *bolt.Tx) error {
		ids = tx.Bucket(bucketIDs).Stats().KeyN
		return nil
	})
	if ids != 1 {
		t.Errorf("ids bucket holds %d entries, want 1", ids)
	}
}

// TestLargeRawNotCopied commits a 50 MiB message and checks that Commit
// does not copy it: the chunks are compressed one after the other with one
// encoder into one buffer (chunkEncoder), so Commit allocates a few MiB
// whatever the message's size. It allocated 55 to 82 MiB when each chunk
// took a new buffer and, after the collection between chunks emptied the
// pool, a new encoder.
func TestLargeRawNotCopied(t *testing.T) {
	if testing.Short() {
		t.Skip("50 MiB message")
	}
	s := newStore(t)
	a := addAccount(t, s, "Work")
	m := newMsg("big", time.Now(), "big")
	m.Raw = bytes.Repeat([]byte("0123456789abcdef\r\n"), 50<<20/18)
	m.Digest = sha256.Sum256(m.Raw)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	commit(t, s, a.ID, m)
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(len(m.Raw))/4 {
		t.Errorf("Commit of %d bytes allocated %d bytes", len(m.Raw), alloc)
	}
	raw, err := s.Raw(uidOf(t, s, a.ID, "big").MsgID)
	if err != nil || !bytes.Equal(raw, m.Raw) {
		t.Fatalf("Raw of the big message differs (%d bytes, %v)", len(raw), err)
	}
}

// TestPrepareThenCommit: a batch compressed by Prepare is stored as one
// Commit alone would store it, byte for byte, and Commit does not compress
// it again.
func TestPrepareThenCommit(t *testing.T) {
	s := newStore(t)
	a := addAccount(t, s, "Work")
	batch := []mail.NewMessage{
		newMsg("p-1", time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC), "one"),
		withRaw(newMsg("p-2", time.Date(2024, 5, 2, 9, 0, 0, 0, time.UTC), "two"), strings.Repeat("Subject: two\r\n\r\nline\r\n", 200)),
	}
	s.Prepare(batch)
	for i, m := range batch {
		if len(m.Packed) == 0 {
			t.Fatalf("message %d was not prepared", i)
		}
		if got, err := decompress(nil, m.Packed); err != nil || !bytes.Equal(got, m.Raw) {
			t.Fatalf("message %d prepared as something else: %v", i, err)
		}
	}
	if dups := commit(t, s, a.ID, batch...); dups != 0 {
		t.Fatalf("duplicates = %d", dups)
	}
	page, err := s.Page(a.ID, 0, 10)
	if err != nil || len(page) != 2 {
		t.Fatalf("Page = %v, %v", page, err)
	}
	for _, m := range page {
		raw, err := s.Raw(m.ID)
		want := batch[0].Raw
		if m.UID == "p-2" {
			want = batch[1].Raw
		}
		if err != nil || !bytes.Equal(raw, want) {
			t.Errorf("Raw(%s) = %d bytes, %v", m.ID, len(raw), err)
		}
	}
}
