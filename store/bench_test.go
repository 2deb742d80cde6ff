package store

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"popbox/mail"
)

// fixtureSize is the account size the list and search must stay fast at:
// 100,000 messages, or $POPBOX_BENCH_LIST_SIZE (300000 for the figures of
// a large mailbox).
var fixtureSize = func() int {
	if n, err := strconv.Atoi(os.Getenv("POPBOX_BENCH_LIST_SIZE")); err == nil && n >= 1000 {
		return n
	}
	return 100_000
}()

var fixture struct {
	once    sync.Once
	dir     string
	path    string
	account string
	err     error
}

// bigFixture builds, once per test binary run, a closed database holding one
// account with fixtureSize messages, committed in batches of 1000.
func bigFixture(b *testing.B) (path, accountID string) {
	b.Helper()
	fixture.once.Do(func() {
		start := time.Now()
		fixture.dir, fixture.err = os.MkdirTemp("", "popbox-bench-")
		if fixture.err != nil {
			return
		}
		fixture.path = filepath.Join(fixture.dir, "popbox.db")
		fixture.account, fixture.err = buildFixture(fixture.path)
		b.Logf("fixture: %d messages in %v", fixtureSize, time.Since(start).Round(time.Millisecond))
	})
	if fixture.err != nil {
		b.Fatal(fixture.err)
	}
	return fixture.path, fixture.account
}

func cleanupFixtures() {
	if fixture.dir != "" {
		os.RemoveAll(fixture.dir)
	}
}

var (
	benchNames    = []string{"Hanako Sato", "Taro Yamada", "Billing", "GitHub", "山田花子", "Newsletter", "Kenji Ito", "Support"}
	benchSubjects = []string{"Quarterly report", "Invoice", "Re: lunch on Friday", "[popbox] build failed", "会議の議事録", "Your order has shipped", "Weekly digest", "Password reset"}
)

func buildFixture(path string) (string, error) {
	s, err := Open(path, testOptions(path))
	if err != nil {
		return "", err
	}
	defer s.Close()
	a, err := s.AddAccount(testAccount("Bench"))
	if err != nil {
		return "", err
	}
	rng := rand.New(rand.NewPCG(7, 7))
	base := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	batch := make([]mail.NewMessage, 0, 1000)
	for i := range fixtureSize {
		name := benchNames[rng.IntN(len(benchNames))]
		subject := fmt.Sprintf("%s %d", benchSubjects[rng.IntN(len(benchSubjects))], i)
		if i%100 == 0 {
			subject += " needle"
		}
		raw := []byte(fmt.Sprintf("From: %s <user%d@example.com>\r\nSubject: %s\r\n\r\nbody %d\r\n", name, i%500, subject, i))
		batch = append(batch, mail.NewMessage{
			UID: fmt.Sprintf("UID%08d", i),
			Raw: raw,
			Summary: mail.Summary{
				From:    mail.Address{Name: name, Address: fmt.Sprintf("user%d@example.com", i%500)},
				Subject: subject,
				Date:    base.Add(time.Duration(rng.Int64N(int64(10 * 365 * 24 * time.Hour)))),
				Size:    int64(len(raw)),
				Preview: "A short preview of the body of the message, as the list shows it.",
			},
			Digest:    sha256.Sum256(raw),
			FirstSeen: time.Now(),
		})
		if len(batch) == cap(batch) {
			if _, err := s.Commit(a.ID, batch); err != nil {
				return "", err
			}
			batch = batch[:0]
		}
	}
	return a.ID, nil
}

func openFixture(b *testing.B) (*Store, string) {
	path, id := bigFixture(b)
	s, err := Open(path, testOptions(path))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s, id
}

func BenchmarkPage(b *testing.B) {
	s, id := openFixture(b)
	for _, c := range []struct {
		name   string
		offset int
	}{
		{"newest", 0},
		{"middle", fixtureSize / 2},
		{"oldest", fixtureSize - 50},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				page, err := s.Page(id, c.offset, 50)
				if err != nil || len(page) != 50 {
					b.Fatalf("Page: %d, %v", len(page), err)
				}
			}
		})
	}
}

func BenchmarkSearch(b *testing.B) {
	s, id := openFixture(b)
	for _, c := range []struct {
		name, query string
		min         int
	}{
		{"1pct", "needle", fixtureSize / 100},
		{"12pct-sender", "hanako sato", fixtureSize / 10},
		{"none", "no such text", 0},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				msgs, total, err := s.Search(id, c.query, 0, 50)
				if err != nil || total < c.min {
					b.Fatalf("Search: %d, %v", total, err)
				}
				_ = msgs
			}
		})
	}
}

func BenchmarkCount(b *testing.B) {
	s, id := openFixture(b)
	for b.Loop() {
		if n, err := s.Count(id); err != nil || n != fixtureSize {
			b.Fatalf("Count = %d, %v", n, err)
		}
	}
}

func BenchmarkUIDRecords(b *testing.B) {
	s, id := openFixture(b)
	for b.Loop() {
		recs, err := s.UIDRecords(id)
		if err != nil || len(recs) != fixtureSize {
			b.Fatalf("UIDRecords: %d, %v", len(recs), err)
		}
	}
}

// BenchmarkLookupUIDs looks up every UID of the fixture, 5000 a call as
// the fetch engine does (the second fetch of a mailbox with nothing new).
func BenchmarkLookupUIDs(b *testing.B) {
	s, id := openFixture(b)
	uids := make([]string, fixtureSize)
	for i := range uids {
		uids[i] = fmt.Sprintf("UID%08d", i)
	}
	for b.Loop() {
		found := 0
		for off := 0; off < len(uids); off += 5000 {
			err := s.LookupUIDs(id, uids[off:min(off+5000, len(uids))], func(_ int, _ mail.UIDRecord, ok bool) {
				if ok {
					found++
				}
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		if found != fixtureSize {
			b.Fatalf("found %d of %d", found, fixtureSize)
		}
	}
}

// BenchmarkOpen opens a large database (the free list is read from disk).
func BenchmarkOpen(b *testing.B) {
	path, _ := bigFixture(b)
	for b.Loop() {
		s, err := Open(path, testOptions(path))
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// BenchmarkCommit stores batches of 200 messages of 8 KiB, each batch one
// transaction with its fsync.
func BenchmarkCommit(b *testing.B) {
	s := newStore(b)
	a := addAccount(b, s, "Bench")
	body := make([]byte, 8<<10)
	for i := range body {
		body[i] = "abcdefghijklmnopqrstuvwxyz\r\n"[i%28]
	}
	b.SetBytes(200 * int64(len(body)))
	n := 0
	for b.Loop() {
		b.StopTimer()
		batch := make([]mail.NewMessage, 200)
		for i := range batch {
			raw := append(fmt.Appendf(nil, "Message-ID: <%d@bench>\r\n", n), body...)
			batch[i] = mail.NewMessage{
				UID:       fmt.Sprintf("UID%09d", n),
				Raw:       raw,
				Summary:   mail.Summary{Subject: fmt.Sprintf("message %d", n), Date: time.Unix(int64(1_600_000_000+n), 0), Size: int64(len(raw))},
				Digest:    sha256.Sum256(raw),
				FirstSeen: time.Now(),
			}
			n++
		}
		b.StartTimer()
		if _, err := s.Commit(a.ID, batch); err != nil {
			b.Fatal(err)
		}
	}
}
