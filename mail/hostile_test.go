package mail

// Tests of what a hostile or broken server can do to a fetch: forge the end
// of a message, send a reply that cannot be the message asked for, stream
// without end, announce absurd sizes, give UIDs that are not UIDs or none,
// refuse DELE or QUIT, and put escape sequences in what it says. Each ends
// in a clear warning or error with nothing lost, forged or blocked.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"popbox/mail/mailtest"
)

// rawByUID is what the cache holds under a UID, nil when nothing.
func (c *memCache) rawByUID(accountID, uid string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	a := c.account(accountID)
	rec, ok := a.uids[uid]
	if !ok {
		return nil
	}
	return a.msgs[rec.MsgID].raw
}

// hostileCaps is a server's CAPA, with or without PIPELINING.
func hostileCaps(pipelining bool) []string {
	if pipelining {
		return []string{"USER", "UIDL", "PIPELINING"}
	}
	return []string{"USER", "UIDL"}
}

// TestSyncForgedEndOfMessage: a server that passes a body's bare LFs
// through, as RFC 1939 allows (a bare LF ends no line, so nothing after it
// is dot-stuffed), and a sender who writes "\n.\n+OK ..." into the body to
// end the message early and forge the next one. Every message must arrive
// whole under its own UID, and no forged one anywhere.
func TestSyncForgedEndOfMessage(t *testing.T) {
	for _, pipelining := range []bool{true, false} {
		t.Run(fmt.Sprintf("pipelining=%v", pipelining), func(t *testing.T) {
			f := mailtest.NewPOP3(hostileCaps(pipelining)...)
			want := map[string][]byte{}
			for i := 1; i <= 4; i++ {
				raw := crlf(string(msg(fmt.Sprintf("message %d", i), "hello\n")))
				if i == 2 {
					raw = append(crlf(string(msg("invoice", "see below\n"))),
						"hello\n.\n+OK 120 octets\r\nFrom: boss@example.test\r\nSubject: forged\r\n\r\nwire the money\r\n"...)
				}
				uid := fmt.Sprintf("u%d", i)
				f.Add(uid, string(raw))
				want[uid] = raw
			}
			cache := newMemCache()
			acct := testAccount(t, f.Start(t), SecurityNone)
			acct.Retention = Retention{Kind: RetainDelete}
			res := mustSync(t, acct, cache, SyncOptions{})
			if res.New != 4 || res.Failed != 0 || res.Deleted != 4 {
				t.Errorf("result %+v, want 4 new and deleted", res)
			}
			for uid, raw := range want {
				if got := cache.rawByUID(acct.ID, uid); !bytes.Equal(got, raw) {
					t.Errorf("%s holds %q, want %q", uid, got, raw)
				}
			}
			if cache.count(acct.ID) != 4 {
				t.Errorf("the cache holds %d messages, want 4", cache.count(acct.ID))
			}
		})
	}
}

// TestSyncUnfaithfulReply: a broken server that does not dot-stuff at all,
// so a body line "." ends the reply early and the rest reads as the next
// reply. The cut-short reply is far from its LIST size: it is not stored,
// the session ends without QUIT (so nothing it marked is deleted), and a
// fresh session fetches the rest. Nothing forged is stored, nothing is lost.
func TestSyncUnfaithfulReply(t *testing.T) {
	for _, pipelining := range []bool{true, false} {
		t.Run(fmt.Sprintf("pipelining=%v", pipelining), func(t *testing.T) {
			f := mailtest.NewPOP3(hostileCaps(pipelining)...)
			var bad []byte
			for i := 1; i <= 4; i++ {
				raw := crlf(string(msg(fmt.Sprintf("message %d", i), "hello\n")))
				m := mailtest.POP3Msg{UID: fmt.Sprintf("u%d", i), Raw: raw}
				if i == 2 {
					bad = append(crlf(string(msg("invoice", "see below\n"))),
						"\r\n.\r\n+OK\r\nFrom: boss@example.test\r\nSubject: forged\r\n\r\nwire the money\r\n"...)
					bad = append(bad, bytes.Repeat([]byte("padding line of the real message\r\n"), 10000)...)
					m.Raw = bad
					m.Wire = append(bytes.Clone(bad), ".\r\n"...) // not dot-stuffed
				}
				f.AddMsg(m)
			}
			cache := newMemCache()
			acct := testAccount(t, f.Start(t), SecurityNone)
			acct.Retention = Retention{Kind: RetainDelete}
			res := mustSync(t, acct, cache, SyncOptions{})
			if res.New != 3 || res.Failed != 1 {
				t.Errorf("result %+v, want 3 new and 1 failed", res)
			}
			for _, raw := range cache.raws(acct.ID) {
				if bytes.Contains(raw, []byte("forged")) {
					t.Errorf("a forged message was stored: %q", raw)
				}
			}
			if got := cache.rawByUID(acct.ID, "u2"); got != nil {
				t.Errorf("u2 holds %d bytes of an unfaithful reply", len(got))
			}
			for _, uid := range []string{"u1", "u3", "u4"} {
				if got := cache.rawByUID(acct.ID, uid); !bytes.HasPrefix(got, []byte("From: Sender")) || bytes.Contains(got, []byte("invoice")) {
					t.Errorf("%s holds %q", uid, got)
				}
			}
			if f.Count() != 1 {
				t.Errorf("the server holds %d messages, want only u2", f.Count())
			}
			if !hasWarning(res, "u2", "stays on the server") {
				t.Errorf("warnings %q say nothing of u2 staying on the server", res.Warnings)
			}
			// The next fetch leaves u2 where it is again, and fails no other.
			res = mustSync(t, acct, cache, SyncOptions{})
			if res.New != 0 || res.Failed != 1 || f.Count() != 1 {
				t.Errorf("second fetch: %+v, server holds %d", res, f.Count())
			}
		})
	}
}

func hasWarning(res SyncResult, parts ...string) bool {
	for _, w := range warningTexts(res.Warnings) {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(w, p)
		}
		if all {
			return true
		}
	}
	return false
}

// TestSyncEndlessReply: a message announced small and streamed without end,
// one announced at 2 GiB, and an account limit. The stream is cut off near
// its bound (memory and time stay small), the server keeps the message, and
// the others are fetched.
func TestSyncEndlessReply(t *testing.T) {
	endless := func(c net.Conn, n int, m *mailtest.POP3Msg) bool {
		if m.UID != "endless" {
			return false
		}
		io.WriteString(c, "+OK\r\n")
		line := []byte(strings.Repeat("x", 1000) + "\r\n")
		for {
			if _, err := c.Write(line); err != nil {
				return true
			}
		}
	}
	cases := []struct {
		name     string
		listSize string
		limit    int64
		warn     string
		retr     bool // whether the message is asked for at all
	}{
		{name: "announced small", listSize: "2000", warn: "stopped reading", retr: true},
		{name: "announced 2 GiB", listSize: "2147483648", warn: "larger than the account's limit", retr: false},
		{name: "announced near 2^63", listSize: "9223372036854775807", warn: "larger than the account's limit", retr: false},
		{name: "size unknown, account limit", listSize: "unknown", limit: 1 << 20, warn: "larger than the account's limit of 1 MiB", retr: true},
		{name: "announced over the account limit", listSize: "3000000", limit: 2 << 20, warn: "larger than the account's limit of 2 MiB", retr: false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := mailtest.NewPOP3(hostileCaps(true)...)
			f.Add("u1", string(crlf(string(msg("first", "hello\n")))))
			f.AddMsg(mailtest.POP3Msg{UID: "endless", Raw: []byte("x"), ListSize: tc.listSize})
			f.Add("u3", string(crlf(string(msg("third", "hello\n")))))
			f.Retr = endless
			cache := newMemCache()
			acct := testAccount(t, f.Start(t), SecurityNone)
			acct.Retention = Retention{Kind: RetainDelete}
			acct.MaxMessageSize = tc.limit
			start := time.Now()
			res := mustSync(t, acct, cache, SyncOptions{IdleTimeout: 5 * time.Second})
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v", d)
			}
			if res.New != 2 || cache.rawByUID(acct.ID, "u1") == nil || cache.rawByUID(acct.ID, "u3") == nil {
				t.Errorf("result %+v: u1 and u3 must be stored", res)
			}
			if cache.rawByUID(acct.ID, "endless") != nil || f.Count() != 1 {
				t.Errorf("the endless message was stored, or the server holds %d", f.Count())
			}
			if !hasWarning(res, "endless", tc.warn, "stays on the server") {
				t.Errorf("warnings %q, want one about endless saying %q", res.Warnings, tc.warn)
			}
			asked := false
			for _, c := range f.Commands() {
				asked = asked || c == "RETR 2"
			}
			if asked != tc.retr {
				t.Errorf("RETR 2 sent: %v, want %v", asked, tc.retr)
			}
			for _, w := range warningTexts(res.Warnings) {
				if strings.Contains(w, "-9") {
					t.Errorf("a size overflowed: %q", w)
				}
			}
		})
	}
}

// TestSyncOddListing: LIST and STAT answers with negative, huge, non-numeric
// or decorated sizes; UIDL lines without a UID. Nothing panics, every
// listed message is fetched (or left with a warning), nothing twice.
func TestSyncOddListing(t *testing.T) {
	f := mailtest.NewPOP3(hostileCaps(true)...)
	sizes := []string{"-5", "abc", "99999999999999999999", "18446744073709551615", "", "120 extra words"}
	for i, size := range sizes {
		f.AddMsg(mailtest.POP3Msg{UID: fmt.Sprintf("u%d", i), Raw: crlf(string(msg(fmt.Sprintf("m%d", i), "x\n"))), ListSize: size})
	}
	// A size a few bytes under 2^63 made the buffer size overflow and panic.
	f.AddMsg(mailtest.POP3Msg{UID: "huge", Raw: crlf(string(msg("huge", "x\n"))), ListSize: "9223372036854775600"})
	f.Replies = map[string]string{"STAT": "+OK -1 -9223372036854775808\r\n"}
	cache := newMemCache()
	acct := testAccount(t, f.Start(t), SecurityNone)
	res := mustSync(t, acct, cache, SyncOptions{})
	if res.New != len(sizes) || !hasWarning(res, "huge", "stays on the server") {
		t.Errorf("result %+v, want all %d messages but huge", res, len(sizes))
	}
	if res := mustSync(t, acct, cache, SyncOptions{}); res.New != 0 || res.Skipped != len(sizes) {
		t.Errorf("second fetch %+v", res)
	}
	if _, err := CheckPOP3(context.Background(), acct, nil); !errors.Is(err, ErrProtocol) {
		t.Errorf("STAT with negative numbers: err = %v, want ErrProtocol", err)
	}
}

// TestSyncNoUIDLInterrupted: a server without UIDL, retention delete, and a
// session that stores mail but does not delete it (DELE refused, the
// connection reset before QUIT). The next fetches go on: nothing is stored
// twice and the server copies are deleted once it lets them be.
func TestSyncNoUIDLInterrupted(t *testing.T) {
	for _, how := range []string{"DELE refused", "reset before QUIT", "QUIT refused"} {
		t.Run(how, func(t *testing.T) {
			f := mailtest.NewPOP3("USER")
			f.NoUIDL = true
			for i := 0; i < 3; i++ {
				f.Add("", string(crlf(string(msg(fmt.Sprintf("m%d", i), "x\n")))))
			}
			f.Add("", string(crlf(string(msg("m0", "x\n"))))) // the same bytes twice
			switch how {
			case "DELE refused":
				f.Replies = map[string]string{"DELE": "-ERR not now\r\n"}
			case "reset before QUIT":
				f.Replies = map[string]string{"QUIT": ""}
			case "QUIT refused":
				f.Replies = map[string]string{"QUIT": "-ERR could not delete\r\n"}
			}
			cache := newMemCache()
			acct := testAccount(t, f.Start(t), SecurityNone)
			acct.Retention = Retention{Kind: RetainDelete}
			opts := SyncOptions{IdleTimeout: 500 * time.Millisecond}
			res, err := Sync(context.Background(), acct, cache, opts, nil)
			if how == "DELE refused" && err != nil {
				t.Fatalf("first fetch: %v", err)
			}
			if cache.count(acct.ID) != 3 || res.New != 3 {
				t.Errorf("first fetch stored %d (%+v), want 3", cache.count(acct.ID), res)
			}
			for i := 0; i < 2; i++ {
				res, err = Sync(context.Background(), acct, cache, opts, nil)
				if how == "DELE refused" && err != nil {
					t.Fatalf("fetch %d: %v (%+v)", i+2, err, res)
				}
				if err != nil && strings.Contains(err.Error(), "already stored") {
					t.Fatalf("fetch %d: %v", i+2, err)
				}
				if res.New != 0 || cache.count(acct.ID) != 3 {
					t.Errorf("fetch %d: %+v, cache %d", i+2, res, cache.count(acct.ID))
				}
			}
			f.Set(func(f *mailtest.POP3) { f.Replies = nil })
			res = mustSync(t, acct, cache, opts)
			if res.New != 0 || res.Deleted != 4 || f.Count() != 0 || cache.count(acct.ID) != 3 {
				t.Errorf("once the server deletes: %+v, server holds %d, cache %d", res, f.Count(), cache.count(acct.ID))
			}
		})
	}
}

// TestSyncQuitRefused: -ERR to QUIT is its own error, not "mailbox in use".
func TestSyncQuitRefused(t *testing.T) {
	f := mailtest.NewPOP3(hostileCaps(true)...)
	f.Add("u1", string(crlf(string(msg("one", "x\n")))))
	f.Replies = map[string]string{"QUIT": "-ERR some deleted messages not removed\r\n"}
	cache := newMemCache()
	acct := testAccount(t, f.Start(t), SecurityNone)
	acct.Retention = Retention{Kind: RetainDelete}
	_, err := Sync(context.Background(), acct, cache, SyncOptions{}, nil)
	if !errors.Is(err, ErrQuitRefused) || errors.Is(err, ErrMailbox) {
		t.Errorf("err = %v, want ErrQuitRefused", err)
	}
	if cache.count(acct.ID) != 1 {
		t.Errorf("the message was not kept")
	}
}

// TestSyncHugeUID: a UID of 40 KiB (and one with escape sequences) is not a
// POP3 UID; the message is still fetched, known by a digest of the UID, only
// once, and nothing quotes the whole UID.
func TestSyncHugeUID(t *testing.T) {
	huge := strings.Repeat("A", 40<<10)
	f := mailtest.NewPOP3(hostileCaps(true)...)
	f.Add("u1", string(crlf(string(msg("one", "x\n")))))
	f.Add(huge, string(crlf(string(msg("two", "x\n")))))
	f.Add("esc\x1b[2J\x1b]0;owned\x07", string(crlf(string(msg("three", "x\n")))))
	f.Add("u4", string(crlf(string(msg("four", "x\n")))))
	cache := newMemCache()
	acct := testAccount(t, f.Start(t), SecurityNone)
	res := mustSync(t, acct, cache, SyncOptions{})
	if res.New != 4 {
		t.Errorf("result %+v, want 4 new", res)
	}
	key, odd := serverUID(huge)
	if !odd || len(key) > 80 || cache.rawByUID(acct.ID, key) == nil {
		t.Errorf("the huge UID is not stored under a short key (%d bytes, %.80q)", len(key), key)
	}
	for _, w := range warningTexts(res.Warnings) {
		if len(w) > 400 {
			t.Errorf("a warning of %d bytes: %.100q...", len(w), w)
		}
	}
	if !hasWarning(res, "message 2", "uid-sha256:") || !hasWarning(res, "message 3", "uid-sha256:") {
		t.Errorf("warnings %q", res.Warnings)
	}
	if res := mustSync(t, acct, cache, SyncOptions{}); res.New != 0 || res.Skipped != 4 || len(res.Warnings) != 0 {
		t.Errorf("second fetch %+v", res)
	}
}

// TestSyncMissingFromUIDL: a message LIST gives and UIDL leaves out is
// fetched, known by its content, said so every time, stored once.
func TestSyncMissingFromUIDL(t *testing.T) {
	for _, ret := range []Retention{{Kind: RetainKeep}, {Kind: RetainDelete}} {
		t.Run(ret.String(), func(t *testing.T) {
			f := mailtest.NewPOP3(hostileCaps(true)...)
			f.Add("u1", string(crlf(string(msg("one", "x\n")))))
			f.Add("", string(crlf(string(msg("two", "x\n")))))
			f.Add("u3", string(crlf(string(msg("three", "x\n")))))
			cache := newMemCache()
			acct := testAccount(t, f.Start(t), SecurityNone)
			acct.Retention = ret
			res := mustSync(t, acct, cache, SyncOptions{})
			if res.New != 3 || !hasWarning(res, "left 1 of the messages it lists out of UIDL") {
				t.Errorf("first fetch %+v", res)
			}
			res = mustSync(t, acct, cache, SyncOptions{})
			if res.New != 0 || cache.count(acct.ID) != 3 {
				t.Errorf("second fetch %+v, cache %d", res, cache.count(acct.ID))
			}
			if ret.Kind == RetainKeep && !hasWarning(res, "out of UIDL") {
				t.Errorf("second fetch said nothing of the message without a UID: %q", res.Warnings)
			}
			if ret.Kind == RetainDelete && f.Count() != 0 {
				t.Errorf("the server holds %d", f.Count())
			}
		})
	}
}

// TestServerTextSanitised: what a server says reaches errors and warnings
// without control characters (no escape sequence reaches a terminal), and
// cut short.
func TestServerTextSanitised(t *testing.T) {
	const evil = "\x1b]0;owned\x07\x1b[2J\x1b[31mred\u202eevil\x9b1m" + "\r\nX"
	f := mailtest.NewPOP3(hostileCaps(true)...)
	f.Add("u1", string(crlf(string(msg("one", "x\n")))))
	f.Add("u2", string(crlf(string(msg("two", "x\n")))))
	f.Retr = func(c net.Conn, n int, m *mailtest.POP3Msg) bool {
		if n != 1 {
			return false
		}
		io.WriteString(c, "-ERR "+strings.ReplaceAll(evil, "\r\n", "")+strings.Repeat("!", 5000)+"\r\n")
		return true
	}
	f.Replies = map[string]string{"DELE": "-ERR " + strings.ReplaceAll(evil, "\r\n", "") + "\r\n"}
	cache := newMemCache()
	acct := testAccount(t, f.Start(t), SecurityNone)
	acct.Retention = Retention{Kind: RetainDelete}
	res := mustSync(t, acct, cache, SyncOptions{})
	if len(res.Warnings) < 2 {
		t.Fatalf("warnings %q", res.Warnings)
	}
	for _, w := range warningTexts(res.Warnings) {
		checkTerminalSafe(t, w)
	}

	bad := "-ERR " + strings.ReplaceAll(evil, "\r\n", "") + "\r\n"
	for _, tc := range []struct{ verb, reply string }{
		{"STAT", bad},
		{"LIST", bad},
		{"QUIT", bad},
		{"UIDL", "\x1b[2J" + strings.Repeat("Z", 3000) + "\r\n"},
	} {
		g := mailtest.NewPOP3(hostileCaps(false)...)
		g.Add("u1", string(crlf(string(msg("one", "x\n")))))
		g.Add("", string(crlf(string(msg("two, left out of UIDL: a LIST of all", "x\n")))))
		g.Replies = map[string]string{tc.verb: tc.reply}
		_, err := Sync(context.Background(), testAccount(t, g.Start(t), SecurityNone), newMemCache(), SyncOptions{}, nil)
		if err == nil {
			t.Fatalf("no error from a server answering %s with %q", tc.verb, tc.reply)
		}
		checkTerminalSafe(t, err.Error())
	}
	for _, where := range []string{"greeting", "PASS"} {
		g := mailtest.NewPOP3(hostileCaps(true)...)
		if where == "greeting" {
			g.Greeting = bad
		} else {
			g.Replies = map[string]string{"PASS": bad}
		}
		_, err := Sync(context.Background(), testAccount(t, g.Start(t), SecurityNone), newMemCache(), SyncOptions{}, nil)
		if err == nil {
			t.Fatalf("%s: no error", where)
		}
		checkTerminalSafe(t, err.Error())
	}
}

// checkTerminalSafe fails on anything a terminal would act on, and on text
// too long to be a sentence.
func checkTerminalSafe(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("not UTF-8: %q", s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || isHiddenFormat(r) {
			t.Errorf("control character %U in %q", r, s)
			return
		}
	}
	if len(s) > 600 {
		t.Errorf("%d bytes: %.120q...", len(s), s)
	}
}

// TestLFOnlyServer: a server whose own lines end in a bare LF (its greeting
// shows it) is read with LF line ends; one that uses CRLF is held to CRLF.
func TestLFOnlyServer(t *testing.T) {
	for _, tc := range []struct {
		greeting string
		lfOnly   bool
	}{{"+OK ready\r\n", false}, {"+OK ready\n", true}} {
		addr := mailtest.Fake(t, func(c net.Conn) {
			io.WriteString(c, tc.greeting)
			io.WriteString(c, "-ERR no CAPA\r\n") // the answer to CAPA
			io.Copy(io.Discard, c)
		})
		s, err := dialTest(t, addr, SecurityNone, nil, time.Second, "", "")
		if err != nil {
			t.Fatalf("greeting %q: %v", tc.greeting, err)
		}
		if s.lfOnly != tc.lfOnly {
			t.Errorf("greeting %q: lfOnly = %v", tc.greeting, s.lfOnly)
		}
	}
}
