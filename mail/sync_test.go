package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"popbox/mail/mailtest"
)

// ---------------------------------------------------------------------------
// Helpers

// dovecotAccount is an account for user on a mailtest Dovecot, trusting its
// CA through the account's CA file.
func dovecotAccount(srv *mailtest.Server, user, pass string, sec Security) Account {
	port := srv.POPPort
	if sec == SecuritySSL {
		port = srv.POPSPort
	}
	return Account{
		ID: "acct-" + user, Name: user, Email: user + "@example.test",
		Incoming:  Server{Host: srv.Host, Port: port, Security: sec, User: user, Password: pass},
		Retention: Retention{Kind: RetainKeep},
		CAFile:    srv.CAFile,
	}
}

func msg(subject, body string) []byte {
	return []byte("From: Sender <sender@example.test>\nTo: alice@example.test\nSubject: " + subject +
		"\nDate: Mon, 08 Jan 2024 09:00:00 +0000\nMessage-ID: <" + strings.ReplaceAll(subject, " ", "-") + "@popbox.test>\n\n" + body)
}

// edgeMessages are the messages that broke other clients: lines that are
// or begin with dots, long lines, 8-bit bytes, no final line end.
func edgeMessages() [][]byte {
	var all8 []byte
	for c := 0x80; c <= 0xFF; c++ {
		all8 = append(all8, byte(c))
	}
	var long70k strings.Builder
	for long70k.Len() < 70000 {
		long70k.WriteString("0123456789")
	}
	return [][]byte{
		msg("plain", "hello\nsecond line\n"),
		msg("dots", "before\n.\n..\n.x\n. dot space\n...\nafter\n"),
		msg("line 5000", "short\n"+strings.Repeat("a", 5000)+"\nend\n"),
		msg("line 70000", "short\n"+long70k.String()[:70000]+"\nend\n"),
		msg("line 4097 dot", "before\n"+strings.Repeat("y", 4096)+".\n+OK 99 octets\nSubject: forged\n\nforged text\n"),
		append(msg("8bit", "日本語のメール本文です。\ncaf\xe9\n"), append(all8, "\nend\n"...)...),
		msg("no final newline", "last line without newline"),
		[]byte(strings.ReplaceAll(string(msg("crlf already", "a\n.b\nc\n")), "\n", "\r\n")),
		msg("empty body", ""),
	}
}

// bigMessage is a message of about n bytes with a base64 attachment.
func bigMessage(n int) []byte {
	var b bytes.Buffer
	b.Write(msg("big", ""))
	b.WriteString("--b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n")
	line := "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\n"
	for b.Len() < n-100 {
		b.WriteString(line)
	}
	b.WriteString("--b--\n")
	return b.Bytes()
}

// sameMessages compares what the cache holds with what the server holds.
func sameMessages(t *testing.T, got, want [][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("the cache holds %d messages, the server %d", len(got), len(want))
	}
	for i := range want {
		if bytes.Equal(got[i], want[i]) {
			continue
		}
		at := 0
		for at < len(got[i]) && at < len(want[i]) && got[i][at] == want[i][at] {
			at++
		}
		t.Errorf("message %d (%d bytes, want %d) differs from byte %d: got %q, want %q", i+1, len(got[i]), len(want[i]), at,
			snippet(got[i], at), snippet(want[i], at))
	}
}

func snippet(b []byte, at int) string {
	end := min(at+40, len(b))
	return string(b[at:end])
}

func mustSync(t *testing.T, acct Account, cache Cache, opts SyncOptions) SyncResult {
	t.Helper()
	res, err := Sync(context.Background(), acct, cache, opts, nil)
	if err != nil {
		t.Fatalf("Sync: %v (result %+v)", err, res)
	}
	return res
}

// ---------------------------------------------------------------------------
// Against a real Dovecot

func TestSyncDovecotByteExact(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	for _, m := range edgeMessages() {
		srv.Deliver(t, "alice", m)
	}
	srv.Deliver(t, "alice", bigMessage(20<<20))
	want := srv.Mailbox(t, "alice")

	for _, sec := range []Security{SecuritySSL, SecurityStartTLS, SecurityNone} {
		t.Run(sec.String(), func(t *testing.T) {
			cache := newMemCache()
			acct := dovecotAccount(srv, "alice", "secret", sec)
			var last Progress
			res, err := Sync(context.Background(), acct, cache, SyncOptions{}, func(p Progress) { last = p })
			if err != nil {
				t.Fatal(err)
			}
			if res.New != len(want) || res.Failed != 0 || res.Deleted != 0 || len(res.Warnings) != 0 {
				t.Errorf("result %+v", res)
			}
			sameMessages(t, cache.raws(acct.ID), want)
			if last.Phase != PhaseDone || last.Messages != len(want) || last.Committed != len(want) || last.Bytes < 20<<20 {
				t.Errorf("last progress %+v", last)
			}

			if dry := mustSync(t, acct, cache, SyncOptions{DryRun: true}); len(dry.PlannedFetch) != 0 || len(dry.PlannedDelete) != 0 {
				t.Errorf("a dry run after the fetch plans %+v", dry)
			}
			again := mustSync(t, acct, cache, SyncOptions{})
			if again.New != 0 || again.Skipped != len(want) || again.Failed != 0 || again.Sessions != 1 {
				t.Errorf("second Sync: %+v", again)
			}
			if srv.Count(t, "alice") != len(want) {
				t.Errorf("keep deleted mail from the server")
			}
		})
	}
}

func TestSyncDovecotRetention(t *testing.T) {
	users := map[string]string{"keep": "pw1", "delete": "pw2", "days": "pw3", "mirror": "pw4", "switch": "pw5"}
	srv := mailtest.Start(t, mailtest.Options{Users: users})
	seq := 0
	deliver := func(user string, n int) {
		for i := 0; i < n; i++ {
			seq++
			srv.Deliver(t, user, msg(fmt.Sprintf("%s %d", user, seq), "body\n.dot\n"))
		}
	}
	t0 := time.Date(2025, 1, 10, 8, 0, 0, 0, time.UTC)
	at := func(d time.Duration) SyncOptions {
		return SyncOptions{Now: func() time.Time { return t0.Add(d) }}
	}
	day := 24 * time.Hour

	t.Run("keep", func(t *testing.T) {
		cache, acct := newMemCache(), dovecotAccount(srv, "keep", "pw1", SecuritySSL)
		deliver("keep", 3)
		res := mustSync(t, acct, cache, SyncOptions{})
		if res.New != 3 || res.Deleted != 0 || srv.Count(t, "keep") != 3 {
			t.Errorf("%+v, server holds %d", res, srv.Count(t, "keep"))
		}
	})

	t.Run("delete", func(t *testing.T) {
		cache, acct := newMemCache(), dovecotAccount(srv, "delete", "pw2", SecuritySSL)
		acct.Retention = Retention{Kind: RetainDelete}
		deliver("delete", 3)
		want := srv.Mailbox(t, "delete")
		if dry := mustSync(t, acct, cache, SyncOptions{DryRun: true}); len(dry.PlannedFetch) != 3 || len(dry.PlannedDelete) != 3 {
			t.Errorf("the dry run plans %+v", dry)
		}
		res := mustSync(t, acct, cache, SyncOptions{})
		if res.New != 3 || res.Deleted != 3 || srv.Count(t, "delete") != 0 {
			t.Errorf("%+v, server holds %d", res, srv.Count(t, "delete"))
		}
		sameMessages(t, cache.raws(acct.ID), want)
		deliver("delete", 1)
		res = mustSync(t, acct, cache, SyncOptions{})
		if res.New != 1 || res.Deleted != 1 || srv.Count(t, "delete") != 0 || cache.count(acct.ID) != 4 {
			t.Errorf("second round: %+v", res)
		}
	})

	t.Run("days", func(t *testing.T) {
		cache, acct := newMemCache(), dovecotAccount(srv, "days", "pw3", SecuritySSL)
		acct.Retention = Retention{Kind: RetainDays, Days: 7}
		deliver("days", 2)
		if res := mustSync(t, acct, cache, at(0)); res.New != 2 || res.Deleted != 0 {
			t.Errorf("day 0: %+v", res)
		}
		deliver("days", 1)
		if res := mustSync(t, acct, cache, at(3*day)); res.New != 1 || res.Deleted != 0 {
			t.Errorf("day 3: %+v", res)
		}
		if res := mustSync(t, acct, cache, at(7*day-time.Minute)); res.Deleted != 0 {
			t.Errorf("just before day 7: %+v", res)
		}
		if res := mustSync(t, acct, cache, at(7*day)); res.Deleted != 2 || srv.Count(t, "days") != 1 {
			t.Errorf("day 7: %+v, server holds %d", res, srv.Count(t, "days"))
		}
		if res := mustSync(t, acct, cache, at(10*day)); res.Deleted != 1 || res.New != 0 || srv.Count(t, "days") != 0 {
			t.Errorf("day 10: %+v", res)
		}
		if cache.count(acct.ID) != 3 {
			t.Errorf("the cache lost messages: %d", cache.count(acct.ID))
		}
	})

	t.Run("mirror", func(t *testing.T) {
		cache, acct := newMemCache(), dovecotAccount(srv, "mirror", "pw4", SecuritySSL)
		acct.Retention = Retention{Kind: RetainMirror}
		deliver("mirror", 3)
		dry := mustSync(t, acct, cache, SyncOptions{DryRun: true})
		res := mustSync(t, acct, cache, SyncOptions{})
		if res.New != 3 || res.Deleted != 0 || len(dry.PlannedFetch) != 3 {
			t.Fatalf("%+v (dry run %+v)", res, dry)
		}
		gone := dry.PlannedFetch[1]
		cache.deleteLocally(acct.ID, gone)
		if dry := mustSync(t, acct, cache, SyncOptions{DryRun: true}); !slices.Equal(dry.PlannedDelete, []string{gone}) {
			t.Errorf("after a local delete the dry run plans %+v", dry)
		}
		res = mustSync(t, acct, cache, SyncOptions{})
		if res.Deleted != 1 || res.New != 0 || srv.Count(t, "mirror") != 2 {
			t.Errorf("after a local delete: %+v, server holds %d", res, srv.Count(t, "mirror"))
		}
		recs, _ := cache.UIDRecords(acct.ID)
		if _, ok := recs[gone]; ok || len(recs) != 2 || len(cache.forgets) != 1 {
			t.Errorf("records after the server delete: %v (forgets %v)", recs, cache.forgets)
		}
		if res := mustSync(t, acct, cache, SyncOptions{}); res.New != 0 || res.Deleted != 0 {
			t.Errorf("third Sync: %+v", res)
		}
	})

	t.Run("keep then delete", func(t *testing.T) {
		cache, acct := newMemCache(), dovecotAccount(srv, "switch", "pw5", SecurityStartTLS)
		deliver("switch", 2)
		mustSync(t, acct, cache, SyncOptions{})
		acct.Retention = Retention{Kind: RetainDelete}
		res := mustSync(t, acct, cache, SyncOptions{})
		if res.Deleted != 2 || res.New != 0 || srv.Count(t, "switch") != 0 {
			t.Errorf("%+v", res)
		}
		recs, _ := cache.UIDRecords(acct.ID)
		if len(recs) != 2 || cache.count(acct.ID) != 2 {
			t.Errorf("records of messages still stored must stay: %v", recs)
		}
	})
}

func TestSyncDovecotWrongPassword(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	srv.Deliver(t, "alice", msg("x", "y\n"))
	cache := newMemCache()
	acct := dovecotAccount(srv, "alice", "wrong", SecuritySSL)
	res, err := Sync(context.Background(), acct, cache, SyncOptions{}, nil)
	var ae *AuthError
	if !errors.Is(err, ErrAuth) || !errors.As(err, &ae) || ae.User != "alice" || ae.Host != srv.Host {
		t.Fatalf("err = %v, want an AuthError for alice at %s", err, srv.Host)
	}
	if res.New != 0 || cache.count(acct.ID) != 0 {
		t.Errorf("%+v", res)
	}
	if _, err := CheckPOP3(context.Background(), acct, nil); !errors.Is(err, ErrAuth) {
		t.Errorf("CheckPOP3: %v", err)
	}
	srv.SetPassword(t, "alice", "wrong")
	if _, err := CheckPOP3(context.Background(), acct, nil); err != nil {
		t.Errorf("CheckPOP3 after the password change: %v", err)
	}
}

func TestSyncDovecotTwoAccounts(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Users: map[string]string{"ann": "a-pw", "bob": "b-pw"}})
	srv.Deliver(t, "ann", msg("for ann", "1\n"))
	srv.Deliver(t, "ann", msg("for ann too", "2\n"))
	srv.Deliver(t, "bob", msg("for bob", "3\n"))
	// The same bytes in both mailboxes: each account stores its own copy.
	srv.Deliver(t, "bob", msg("for ann", "1\n"))
	cache := newMemCache()
	ann := dovecotAccount(srv, "ann", "a-pw", SecuritySSL)
	bob := dovecotAccount(srv, "bob", "b-pw", SecurityStartTLS)
	if res := mustSync(t, ann, cache, SyncOptions{}); res.New != 2 {
		t.Errorf("ann: %+v", res)
	}
	if res := mustSync(t, bob, cache, SyncOptions{}); res.New != 2 || res.Duplicates != 0 {
		t.Errorf("bob: %+v", res)
	}
	sameMessages(t, cache.raws(ann.ID), srv.Mailbox(t, "ann"))
	sameMessages(t, cache.raws(bob.ID), srv.Mailbox(t, "bob"))
}

// TestSyncDovecotCancel cancels a fetch with retention delete after some
// progress: what was committed stays and is exact, nothing is deleted from
// the server, and the next fetch brings the rest, nothing twice.
func TestSyncDovecotCancel(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	const n = 300
	for i := 0; i < n; i++ {
		srv.Deliver(t, "alice", msg(fmt.Sprintf("cancel %d", i), strings.Repeat("line of text\n", 50)))
	}
	want := srv.Mailbox(t, "alice")
	cache := newMemCache()
	acct := dovecotAccount(srv, "alice", "secret", SecuritySSL)
	acct.Retention = Retention{Kind: RetainDelete}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	retrieved := 0
	res, err := Sync(ctx, acct, cache, SyncOptions{BatchMessages: 20}, func(p Progress) {
		if p.Phase == PhaseRetrieve {
			if retrieved++; retrieved == 100 {
				cancel()
			}
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	stored := cache.count(acct.ID)
	if stored == 0 || stored >= n || res.New != stored || res.Deleted != 0 {
		t.Errorf("after cancel: %d stored, result %+v", stored, res)
	}
	if srv.Count(t, "alice") != n {
		t.Errorf("the server holds %d messages after a cancelled fetch, want all %d", srv.Count(t, "alice"), n)
	}
	sameMessages(t, cache.raws(acct.ID), want[:stored])

	res = mustSync(t, acct, cache, SyncOptions{})
	if res.New != n-stored || res.Deleted != n || srv.Count(t, "alice") != 0 {
		t.Errorf("the fetch after: %+v", res)
	}
	sameMessages(t, cache.raws(acct.ID), want)
}

func TestSyncDovecotPipelining(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	for i := 0; i < 400; i++ {
		srv.Deliver(t, "alice", msg(fmt.Sprintf("pipelined %d", i), strings.Repeat(fmt.Sprintf(".%d\n", i), i%50)))
	}
	acct := dovecotAccount(srv, "alice", "secret", SecurityNone)
	s, err := dialPOP3(context.Background(), acct.Incoming, acct.CAFile, nil, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if !s.caps.pipelining {
		t.Fatalf("Dovecot does not advertise PIPELINING: %+v", s.caps)
	}
	cache := newMemCache()
	res := mustSync(t, acct, cache, SyncOptions{})
	if res.New != 400 {
		t.Errorf("%+v", res)
	}
	sameMessages(t, cache.raws(acct.ID), srv.Mailbox(t, "alice"))
}

// ---------------------------------------------------------------------------
// Against fake servers

func TestSyncWithoutPipelining(t *testing.T) {
	f := mailtest.NewPOP3("USER", "UIDL") // no PIPELINING
	var want [][]byte
	for i := 0; i < 50; i++ {
		raw := crlf(string(msg(fmt.Sprintf("one by one %d", i), ".\n..\nx\n")))
		f.Add(fmt.Sprintf("u%02d", i), string(raw))
		want = append(want, raw)
	}
	cache := newMemCache()
	acct := testAccount(t, f.Start(t), SecurityNone)
	if res := mustSync(t, acct, cache, SyncOptions{}); res.New != 50 {
		t.Errorf("%+v", res)
	}
	sameMessages(t, cache.raws(acct.ID), want)
	if f.Pipelined() {
		t.Error("commands were sent ahead to a server without PIPELINING")
	}
}

// TestSyncHostile: a server that stops answering, at the greeting or in the
// middle of a message, or hangs up in the middle of one, ends the fetch
// with a clear error within the deadline; the complete messages before it
// are committed and nothing is deleted.
func TestSyncHostile(t *testing.T) {
	const idle = 400 * time.Millisecond
	cases := []struct {
		name    string
		greet   bool
		hook    func(c net.Conn, n int, m *mailtest.POP3Msg) bool
		want    error
		stored  int
		maxTime time.Duration
	}{
		{name: "greeting never sent", want: ErrTimeout, maxTime: 5 * idle},
		{name: "stall mid-RETR", greet: true, want: ErrTimeout, stored: 2, maxTime: 5 * idle,
			hook: func(c net.Conn, n int, m *mailtest.POP3Msg) bool {
				if n != 3 {
					return false
				}
				io.WriteString(c, "+OK 5000 octets\r\n"+string(m.Raw[:20]))
				io.Copy(io.Discard, c)
				return true
			}},
		{name: "drop mid-RETR", greet: true, want: io.ErrUnexpectedEOF, stored: 2, maxTime: 5 * idle,
			hook: func(c net.Conn, n int, m *mailtest.POP3Msg) bool {
				if n != 3 {
					return false
				}
				io.WriteString(c, "+OK 5000 octets\r\n"+string(m.Raw[:20]))
				c.Close()
				return true
			}},
		{name: "trickle mid-RETR", greet: true, want: ErrTimeout, stored: 2, maxTime: 40 * time.Second,
			hook: func(c net.Conn, n int, m *mailtest.POP3Msg) bool {
				if n != 3 {
					return false
				}
				io.WriteString(c, "+OK 10 octets\r\n")
				// A byte just inside every idle deadline: only the overall
				// bound scaled by size stops it.
				for i := 0; i < 1000; i++ {
					if _, err := c.Write([]byte("x")); err != nil {
						return true
					}
					time.Sleep(idle / 2)
				}
				return true
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := mailtest.NewPOP3("USER", "UIDL", "PIPELINING")
			for i := 0; i < 5; i++ {
				f.Add(fmt.Sprintf("u%d", i), string(crlf(string(msg(fmt.Sprintf("m%d", i), strings.Repeat("text\n", 200))))))
			}
			f.Retr = tc.hook
			addr := f.Start(t)
			if !tc.greet {
				addr = mailtest.Fake(t, func(c net.Conn) { io.Copy(io.Discard, c) })
			}
			cache := newMemCache()
			acct := testAccount(t, addr, SecurityNone)
			acct.Retention = Retention{Kind: RetainDelete}
			start := time.Now()
			res, err := Sync(context.Background(), acct, cache, SyncOptions{IdleTimeout: idle, BatchMessages: 1000}, nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if d := time.Since(start); d > tc.maxTime {
				t.Errorf("took %v", d)
			}
			if cache.count(acct.ID) != tc.stored || res.New != tc.stored {
				t.Errorf("stored %d (result %+v), want the %d complete messages", cache.count(acct.ID), res, tc.stored)
			}
			if f.Count() != 5 || res.Deleted != 0 {
				t.Errorf("the server holds %d of 5 after a broken session", f.Count())
			}
			for _, c := range f.Commands() {
				if strings.HasPrefix(c, "DELE") || c == "QUIT" {
					t.Errorf("sent %q in a broken session", c)
				}
			}
			if tc.greet {
				// The next fetch, from a server that behaves, brings the rest.
				f.Set(func(f *mailtest.POP3) { f.Retr = nil })
				res := mustSync(t, acct, cache, SyncOptions{})
				if res.New != 5-tc.stored || res.Deleted != 5 || f.Count() != 0 {
					t.Errorf("next fetch: %+v", res)
				}
			}
		})
	}
}

// TestSyncBounds checks the overall bound and size limits of one message,
// sizes near the top of int64 included.
func TestSyncBounds(t *testing.T) {
	if d := retrBound(10, 30*time.Second); d > 3*time.Minute {
		t.Errorf("a 10-byte message may take %v", d)
	}
	if d := retrBound(50<<20, 30*time.Second); d < 30*time.Minute {
		t.Errorf("a 50 MiB message may take only %v", d)
	}
	if d := retrBound(math.MaxInt64, 30*time.Second); d <= 0 || d > 25*time.Hour {
		t.Errorf("the largest size may take %v", d)
	}
	const limit = DefaultMaxMessageSize
	if b := replyBound(50<<20, limit); b < 100<<20 || prealloc(50<<20, b) < 50<<20 {
		t.Errorf("a 50 MiB message: bound %d, buffer %d", b, prealloc(50<<20, b))
	}
	if b := replyBound(0, limit); b != limit || prealloc(0, b) > 64<<10 {
		t.Errorf("unknown size: bound %d, buffer %d", b, prealloc(0, b))
	}
	for _, size := range []int64{math.MaxInt64, math.MaxInt64 / 2, 1 << 62} {
		if b := replyBound(size, limit); b != limit || prealloc(size, b) > limit {
			t.Errorf("size %d: bound %d, buffer %d", size, b, prealloc(size, b))
		}
	}
	if !tooShort(1<<20, 100) || tooShort(1<<20, 900<<10) || tooShort(0, 0) || tooShort(10, 0) {
		t.Error("tooShort")
	}
}

func TestSyncRetrErrorSkipsOne(t *testing.T) {
	f := mailtest.NewPOP3("USER", "UIDL", "PIPELINING")
	for i := 0; i < 4; i++ {
		f.Add(fmt.Sprintf("u%d", i), fmt.Sprintf("Subject: %d\r\n\r\nbody\r\n", i))
	}
	f.Retr = func(c net.Conn, n int, m *mailtest.POP3Msg) bool {
		if n == 2 {
			io.WriteString(c, "-ERR message vanished\r\n")
			return true
		}
		return false
	}
	cache := newMemCache()
	acct := testAccount(t, f.Start(t), SecurityNone)
	acct.Retention = Retention{Kind: RetainDelete}
	res := mustSync(t, acct, cache, SyncOptions{})
	if res.New != 3 || res.Failed != 1 || res.Deleted != 3 || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0].String(), "u1") {
		t.Errorf("%+v", res)
	}
	if f.Count() != 1 {
		t.Errorf("the server holds %d, want the one not retrieved", f.Count())
	}
}

func TestSyncCommitFailureDeletesNothing(t *testing.T) {
	f := mailtest.NewPOP3("USER", "UIDL", "PIPELINING")
	for i := 0; i < 6; i++ {
		f.Add(fmt.Sprintf("u%d", i), fmt.Sprintf("Subject: %d\r\n\r\nbody\r\n", i))
	}
	cache := newMemCache()
	calls := 0
	cache.failCommit = func([]NewMessage) error {
		if calls++; calls == 2 {
			return errors.New("disk full")
		}
		return nil
	}
	acct := testAccount(t, f.Start(t), SecurityNone)
	acct.Retention = Retention{Kind: RetainDelete}
	res, err := Sync(context.Background(), acct, cache, SyncOptions{BatchMessages: 2}, nil)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v", err)
	}
	if res.New != 2 || res.Deleted != 0 || f.Count() != 6 {
		t.Errorf("%+v; server holds %d", res, f.Count())
	}
}

func TestSyncBatches(t *testing.T) {
	f := mailtest.NewPOP3("USER", "UIDL", "PIPELINING")
	for i := 0; i < 10; i++ {
		f.Add(fmt.Sprintf("u%d", i), fmt.Sprintf("Subject: %d\r\n\r\n%s\r\n", i, strings.Repeat("b", 1000)))
	}
	cache := newMemCache()
	var sizes []int
	cache.onCommit = func(b []NewMessage) { sizes = append(sizes, len(b)) }
	acct := testAccount(t, f.Start(t), SecurityNone)
	mustSync(t, acct, cache, SyncOptions{BatchMessages: 3})
	if !slices.Equal(sizes, []int{3, 3, 3, 1}) {
		t.Errorf("batches by count: %v", sizes)
	}
	sizes = nil
	f2 := mailtest.NewPOP3("USER", "UIDL").Add("a", strings.Repeat("x", 3000)+"\r\n").Add("b", "y\r\n").Add("c", strings.Repeat("z", 3000)+"\r\n")
	mustSync(t, testAccount(t, f2.Start(t), SecurityNone), cache, SyncOptions{BatchBytes: 2000, BatchMessages: 100})
	if !slices.Equal(sizes, []int{1, 2}) {
		t.Errorf("batches by bytes: %v", sizes)
	}
	// Each message carries its summary, digest and first-seen time.
	cache.mu.Lock()
	for _, m := range cache.accounts["acct-1"].msgs {
		if m.summary.Size == 0 {
			t.Errorf("message %s has no summary", m.uid)
		}
	}
	cache.mu.Unlock()
}

// TestSyncServerMigration: the same bytes come back under a new UID; the
// cache recognises them by digest and nothing is stored twice.
func TestSyncServerMigration(t *testing.T) {
	raw := "Subject: moved\r\n\r\nsame bytes\r\n"
	f := mailtest.NewPOP3("USER", "UIDL").Add("old-1", raw).Add("old-2", "Subject: other\r\n\r\nx\r\n")
	cache := newMemCache()
	acct := testAccount(t, f.Start(t), SecurityNone)
	if res := mustSync(t, acct, cache, SyncOptions{}); res.New != 2 {
		t.Fatalf("%+v", res)
	}
	f.SetUID(0, "new-1")
	res := mustSync(t, acct, cache, SyncOptions{})
	if res.New != 0 || res.Duplicates != 1 || cache.count(acct.ID) != 2 {
		t.Errorf("%+v, %d stored", res, cache.count(acct.ID))
	}
	recs, _ := cache.UIDRecords(acct.ID)
	if recs["new-1"].MsgID == "" || recs["new-1"].MsgID != recs["old-1"].MsgID {
		t.Errorf("new-1 does not point at the stored message: %+v", recs)
	}
	if res := mustSync(t, acct, cache, SyncOptions{}); res.New+res.Duplicates != 0 {
		t.Errorf("third Sync: %+v", res)
	}
}

func TestSyncNoUIDL(t *testing.T) {
	f := mailtest.NewPOP3("USER")
	f.NoUIDL = true
	f.Add("", "Subject: a\r\n\r\nx\r\n").Add("", "Subject: b\r\n\r\ny\r\n")
	addr := f.Start(t)
	cache := newMemCache()
	acct := testAccount(t, addr, SecurityNone)
	for _, r := range []Retention{{Kind: RetainKeep}, {Kind: RetainMirror}, {Kind: RetainDays, Days: 3}} {
		acct.Retention = r
		_, err := Sync(context.Background(), acct, cache, SyncOptions{}, nil)
		if !errors.Is(err, ErrNoUIDL) || !strings.Contains(err.Error(), "retention delete") {
			t.Errorf("%s: err = %v, want ErrNoUIDL with advice", r, err)
		}
	}
	if cache.count(acct.ID) != 0 || containsString(f.Commands(), "RETR 1") {
		t.Fatal("something was fetched without UIDL and with a policy that cannot work")
	}
	acct.Retention = Retention{Kind: RetainDelete}
	if dry := mustSync(t, acct, cache, SyncOptions{DryRun: true}); !slices.Equal(dry.PlannedFetch, []string{"#1", "#2"}) {
		t.Errorf("the dry run plans %+v", dry)
	}
	res := mustSync(t, acct, cache, SyncOptions{})
	if res.New != 2 || res.Deleted != 2 || f.Count() != 0 {
		t.Errorf("%+v", res)
	}
	recs, _ := cache.UIDRecords(acct.ID)
	for uid := range recs {
		if !strings.HasPrefix(uid, "sha256:") {
			t.Errorf("record %q", uid)
		}
	}
}

func TestSyncDryRun(t *testing.T) {
	f := mailtest.NewPOP3("USER", "UIDL", "PIPELINING")
	for i := 0; i < 5; i++ {
		f.Add(fmt.Sprintf("u%d", i), fmt.Sprintf("Subject: %d\r\n\r\nx\r\n", i))
	}
	addr := f.Start(t)
	cache := newMemCache()
	acct := testAccount(t, addr, SecurityNone)
	mustSync(t, acct, cache, SyncOptions{}) // u0..u4 stored under keep
	f.Add("u5", "Subject: 5\r\n\r\nx\r\n").Add("u6", "Subject: 6\r\n\r\nx\r\n")
	acct.Retention = Retention{Kind: RetainDelete}
	commits, _ := cache.commits, 0
	_, savesBefore := cache.savedHints(acct.ID)
	before := len(f.Commands())

	res := mustSync(t, acct, cache, SyncOptions{DryRun: true})
	if !slices.Equal(res.PlannedFetch, []string{"u5", "u6"}) || len(res.PlannedDelete) != 7 || res.New != 0 || res.Deleted != 0 || res.Skipped != 5 {
		t.Errorf("%+v", res)
	}
	for _, c := range f.Commands()[before:] {
		if strings.HasPrefix(c, "RETR") || strings.HasPrefix(c, "DELE") {
			t.Errorf("a dry run sent %q", c)
		}
	}
	_, saves := cache.savedHints(acct.ID)
	if cache.commits != commits || saves != savesBefore || f.Count() != 7 {
		t.Errorf("a dry run changed something: commits %d->%d, hints saved %d->%d", commits, cache.commits, savesBefore, saves)
	}
}

func TestSyncLoginDelay(t *testing.T) {
	f := mailtest.NewPOP3("USER", "UIDL", "LOGIN-DELAY 600").Add("u1", "Subject: a\r\n\r\nx\r\n")
	addr := f.Start(t)
	cache := newMemCache()
	acct := testAccount(t, addr, SecurityNone)
	now := time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }

	res := mustSync(t, acct, cache, SyncOptions{Now: clock})
	if res.Hints.LoginDelay != 10*time.Minute || !res.Hints.LastLogin.Equal(now) {
		t.Errorf("hints %+v", res.Hints)
	}
	saved, _ := cache.savedHints(acct.ID)
	if saved != res.Hints {
		t.Errorf("saved hints %+v, result %+v", saved, res.Hints)
	}
	acct.Hints = saved
	now = now.Add(5 * time.Minute)
	sessions, _ := f.Sessions()
	_, err := Sync(context.Background(), acct, cache, SyncOptions{Now: clock}, nil)
	if !errors.Is(err, ErrLoginDelay) || !strings.Contains(err.Error(), "10:10:00") && !strings.Contains(err.Error(), "in 5m0s") {
		t.Errorf("err = %v, want ErrLoginDelay saying when", err)
	}
	if n, _ := f.Sessions(); n != sessions {
		t.Error("Sync connected although the login delay had not passed")
	}
	if _, err := Sync(context.Background(), acct, cache, SyncOptions{Now: clock, IgnoreLoginDelay: true}, nil); err != nil {
		t.Errorf("IgnoreLoginDelay: %v", err)
	}
	now = now.Add(10 * time.Minute)
	acct.Hints, _ = cache.savedHints(acct.ID)
	if _, err := Sync(context.Background(), acct, cache, SyncOptions{Now: clock}, nil); err != nil {
		t.Errorf("after the delay: %v", err)
	}
}

func TestSyncExpireWarning(t *testing.T) {
	for _, tc := range []struct {
		expire string
		policy Retention
		warn   bool
	}{
		{"EXPIRE 5", Retention{Kind: RetainKeep}, true},
		{"EXPIRE 5", Retention{Kind: RetainMirror}, true},
		{"EXPIRE 5", Retention{Kind: RetainDays, Days: 10}, true},
		{"EXPIRE 5", Retention{Kind: RetainDays, Days: 5}, false},
		{"EXPIRE 5", Retention{Kind: RetainDelete}, false},
		{"EXPIRE 0", Retention{Kind: RetainKeep}, true},
		{"EXPIRE 0", Retention{Kind: RetainDelete}, false},
		{"EXPIRE NEVER", Retention{Kind: RetainKeep}, false},
		{"TOP", Retention{Kind: RetainKeep}, false},
	} {
		t.Run(tc.expire+"/"+tc.policy.String(), func(t *testing.T) {
			f := mailtest.NewPOP3("USER", "UIDL", tc.expire)
			cache := newMemCache()
			acct := testAccount(t, f.Start(t), SecurityNone)
			acct.Retention = tc.policy
			res := mustSync(t, acct, cache, SyncOptions{})
			warned := len(res.Warnings) == 1 && strings.Contains(res.Warnings[0].String(), "deletes mail on its own")
			if warned != tc.warn || res.Hints.ExpireWarned != tc.warn {
				t.Fatalf("warnings %q, hints %+v", res.Warnings, res.Hints)
			}
			acct.Hints, _ = cache.savedHints(acct.ID)
			if res := mustSync(t, acct, cache, SyncOptions{}); len(res.Warnings) != 0 {
				t.Errorf("warned twice: %q", res.Warnings)
			}
		})
	}
}

// TestSyncSessions: a server that hands out mail a portion per session (as
// Gmail does) is asked again until a session brings nothing new.
func TestSyncSessions(t *testing.T) {
	newServer := func() *mailtest.POP3 {
		f := mailtest.NewPOP3("USER", "UIDL", "PIPELINING")
		f.PerSession = 120
		for i := 0; i < 300; i++ {
			f.Add(fmt.Sprintf("g%02d", i), fmt.Sprintf("Subject: %d\r\n\r\nx\r\n", i))
		}
		return f
	}
	f := newServer()
	cache := newMemCache()
	acct := testAccount(t, f.Start(t), SecurityNone)
	var sessions []int
	res, err := Sync(context.Background(), acct, cache, SyncOptions{}, func(p Progress) {
		if p.Phase == PhaseConnect {
			sessions = append(sessions, p.Session)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	// 120 + 120 + 60: a listing under 100 is the whole rest.
	if res.New != 300 || res.Sessions != 3 || !slices.Equal(sessions, []int{1, 2, 3}) || cache.count(acct.ID) != 300 {
		t.Errorf("%+v, sessions %v", res, sessions)
	}

	f2 := newServer()
	cache2 := newMemCache()
	res = mustSync(t, testAccount(t, f2.Start(t), SecurityNone), cache2, SyncOptions{MaxSessions: 2})
	if res.New != 240 || res.Sessions != 2 {
		t.Errorf("MaxSessions 2: %+v", res)
	}

	// A server with LOGIN-DELAY is not asked again.
	f4 := newServer()
	f4.Caps = append(f4.Caps, "LOGIN-DELAY 60")
	res = mustSync(t, testAccount(t, f4.Start(t), SecurityNone), newMemCache(), SyncOptions{})
	if res.New != 120 || res.Sessions != 1 || len(res.Warnings) != 1 {
		t.Errorf("LOGIN-DELAY: %+v", res)
	}

	// A mailbox that lists known mail is not asked twice.
	f3 := mailtest.NewPOP3("USER", "UIDL").Add("a", "Subject: a\r\n\r\nx\r\n")
	acct3 := testAccount(t, f3.Start(t), SecurityNone)
	cache3 := newMemCache()
	mustSync(t, acct3, cache3, SyncOptions{})
	f3.Add("b", "Subject: b\r\n\r\ny\r\n")
	if res := mustSync(t, acct3, cache3, SyncOptions{}); res.Sessions != 1 || res.New != 1 || res.Skipped != 1 {
		t.Errorf("known mail listed: %+v", res)
	}
}

func TestSyncProgress(t *testing.T) {
	f := mailtest.NewPOP3("USER", "UIDL", "PIPELINING")
	for i := 0; i < 7; i++ {
		f.Add(fmt.Sprintf("u%d", i), fmt.Sprintf("Subject: %d\r\n\r\n%s\r\n", i, strings.Repeat("p", 100)))
	}
	f.Add("big", "Subject: big\r\n\r\n"+strings.Repeat(strings.Repeat("q", 998)+"\r\n", 3000))
	cache := newMemCache()
	acct := testAccount(t, f.Start(t), SecurityNone)
	acct.Retention = Retention{Kind: RetainDelete}
	var mu sync.Mutex
	var got []Progress
	_, err := Sync(context.Background(), acct, cache, SyncOptions{}, func(p Progress) {
		mu.Lock()
		got = append(got, p)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	var phases []Phase
	for i, p := range got {
		if len(phases) == 0 || phases[len(phases)-1] != p.Phase {
			phases = append(phases, p.Phase)
		}
		if i > 0 && (p.Messages < got[i-1].Messages || p.Bytes < got[i-1].Bytes || p.Committed < got[i-1].Committed) {
			t.Errorf("progress went back: %+v after %+v", p, got[i-1])
		}
	}
	want := []Phase{PhaseConnect, PhaseLogin, PhasePlan, PhaseRetrieve, PhaseDelete, PhaseDone}
	if !slices.Equal(phases, want) {
		t.Errorf("phases %v, want %v", phases, want)
	}
	last := got[len(got)-1]
	if last.Messages != 8 || last.MessagesTotal != 8 || last.Committed != 8 || last.Bytes < last.BytesTotal || last.Session != 1 {
		t.Errorf("last %+v", last)
	}
	// The 3 MB message reports within itself, every MiB.
	if len(got) < 8+2+5 {
		t.Errorf("only %d reports", len(got))
	}
	for _, p := range []Phase{PhaseConnect, PhaseLogin, PhasePlan, PhaseRetrieve, PhaseDelete, PhaseDone, Phase(9)} {
		if p.String() == "" {
			t.Errorf("phase %d has no name", p)
		}
	}
	if PhaseRetrieve.String() != "retrieving" || PhaseLogin.String() != "logging in" {
		t.Error("phase names")
	}
}

func TestSyncDeleteRefusedByServer(t *testing.T) {
	f := mailtest.NewPOP3("USER", "UIDL", "PIPELINING").Add("a", "Subject: a\r\n\r\nx\r\n").Add("b", "Subject: b\r\n\r\ny\r\n")
	cache := newMemCache()
	acct := testAccount(t, f.Start(t), SecurityNone)
	mustSync(t, acct, cache, SyncOptions{})
	f.Set(func(f *mailtest.POP3) { f.Replies = map[string]string{"DELE": "-ERR [SYS/TEMP] cannot delete now\r\n"} })
	acct.Retention = Retention{Kind: RetainDelete}
	res := mustSync(t, acct, cache, SyncOptions{})
	if res.Deleted != 0 || len(res.Warnings) != 2 || f.Count() != 2 {
		t.Errorf("%+v", res)
	}
}

// TestSyncCancelBeforeQuit cancels when the deletions begin: no QUIT goes
// out, so the server deletes nothing, and what was committed stays.
func TestSyncCancelBeforeQuit(t *testing.T) {
	f := mailtest.NewPOP3("USER", "UIDL", "PIPELINING")
	for i := 0; i < 5; i++ {
		f.Add(fmt.Sprintf("u%d", i), fmt.Sprintf("Subject: %d\r\n\r\nx\r\n", i))
	}
	cache := newMemCache()
	acct := testAccount(t, f.Start(t), SecurityNone)
	acct.Retention = Retention{Kind: RetainDelete}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := Sync(ctx, acct, cache, SyncOptions{}, func(p Progress) {
		if p.Phase == PhaseDelete {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if _, quits := f.Sessions(); quits != 0 {
		t.Error("QUIT was sent after a cancel")
	}
	if res.New != 5 || res.Deleted != 0 || cache.count(acct.ID) != 5 || f.Count() != 5 {
		t.Errorf("%+v; server holds %d", res, f.Count())
	}
}

// warningTexts is the warnings in English, for tests that look for words.
func warningTexts(ws []Warning) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.String()
	}
	return out
}
