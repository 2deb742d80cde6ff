package mailtest

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Deliver puts one message (exact bytes, LF or CRLF line ends) into user's
// maildir, in new/. Its file name sorts after every earlier delivery, so
// Dovecot gives it a higher UID. It is safe to call while Dovecot runs: the
// file is written to tmp/ and renamed into new/.
func (s *Server) Deliver(t testing.TB, user string, raw []byte) {
	t.Helper()
	s.deliver(t, user, raw, "new", "")
}

// File puts one message into user's maildir for a benchmark: into cur/,
// as a message Dovecot has already seen, under a plain name (a number of
// 16 digits, in delivery order, as the team's dovecot.sh names a corpus).
// Dovecot's own name form, which Deliver uses, costs it about 30 us per
// file in every session (1 s at 30,000 files, against 33 ms for plain
// names); do not mix File and Deliver in one mailbox.
func (s *Server) File(t testing.TB, user string, raw []byte) {
	t.Helper()
	s.deliver(t, user, raw, "cur", ":2,")
}

func (s *Server) deliver(t testing.TB, user string, raw []byte, dir, info string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[user]; !ok {
		t.Fatalf("mailtest: Deliver: no user %q (users are fixed by Options.Users)", user)
	}
	// Dovecot's own name form, <secs>.M<usecs>P<pid>..., whose numbers it
	// compares when it assigns UIDs to new files. Holding s.mu until the
	// rename keeps concurrent deliveries in order.
	n := s.seq
	s.seq++
	name := fmt.Sprintf("%d.M%06dP%dQ%d.mailtest", s.startSec+n/1_000_000, n%1_000_000, os.Getpid(), n)
	if dir == "cur" {
		name = fmt.Sprintf("%016d", n)
	}
	md := s.maildir(user)
	tmp := filepath.Join(md, "tmp", name)
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		t.Fatalf("mailtest: Deliver: %v", err)
	}
	if s.ids.root {
		if err := os.Chown(tmp, s.ids.mailUID, s.ids.mailGID); err != nil {
			t.Fatalf("mailtest: Deliver: %v", err)
		}
	}
	if err := os.Rename(tmp, filepath.Join(md, dir, name+info)); err != nil {
		t.Fatalf("mailtest: Deliver: %v", err)
	}
}

// Mailbox returns the messages now in user's maildir (new/ and cur/), in UID
// order, as a POP3 client receives them after undoing dot-stuffing: every
// line ending in CRLF and a final CRLF added when missing.
func (s *Server) Mailbox(t testing.TB, user string) [][]byte {
	t.Helper()
	s.mu.Lock()
	_, ok := s.users[user]
	s.mu.Unlock()
	if !ok {
		t.Fatalf("mailtest: Mailbox: no user %q", user)
	}
	type file struct {
		path string
		key  nameKey
	}
	var files []file
	md := s.maildir(user)
	for _, sub := range []string{"new", "cur"} {
		entries, err := os.ReadDir(filepath.Join(md, sub))
		if err != nil {
			t.Fatalf("mailtest: Mailbox: %v", err)
		}
		for _, e := range entries {
			if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			files = append(files, file{filepath.Join(md, sub, e.Name()), parseName(e.Name())})
		}
	}
	slices.SortFunc(files, func(a, b file) int { return a.key.compare(b.key) })
	out := make([][]byte, 0, len(files))
	for _, f := range files {
		raw, err := os.ReadFile(f.path)
		if os.IsNotExist(err) {
			// Moved from new/ to cur/ by Dovecot since ReadDir.
			base := filepath.Base(f.path)
			matches, _ := filepath.Glob(filepath.Join(md, "cur", globEscape(strings.SplitN(base, ":", 2)[0])+"*"))
			if len(matches) == 1 {
				raw, err = os.ReadFile(matches[0])
			}
		}
		if err != nil {
			t.Fatalf("mailtest: Mailbox: %v", err)
		}
		out = append(out, toCRLF(raw))
	}
	return out
}

// Count is len(Mailbox(t, user)).
func (s *Server) Count(t testing.TB, user string) int {
	t.Helper()
	return len(s.Mailbox(t, user))
}

// nameKey orders maildir file names as Dovecot does when it assigns UIDs:
// by the seconds, then the microseconds (".M") in the name, then the name.
type nameKey struct {
	sec, usec int64
	base      string
}

func parseName(name string) nameKey {
	base, _, _ := strings.Cut(name, ":")
	k := nameKey{sec: -1, usec: -1, base: base}
	secs, rest, _ := strings.Cut(base, ".")
	if v, err := strconv.ParseInt(secs, 10, 64); err == nil {
		k.sec = v
	}
	if strings.HasPrefix(rest, "M") {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if v, err := strconv.ParseInt(rest[1:i], 10, 64); err == nil {
			k.usec = v
		}
	}
	return k
}

func (k nameKey) compare(o nameKey) int {
	if c := cmp.Compare(k.sec, o.sec); c != 0 {
		return c
	}
	if c := cmp.Compare(k.usec, o.usec); c != 0 {
		return c
	}
	return strings.Compare(k.base, o.base)
}

func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)
	return r.Replace(s)
}

// toCRLF turns every bare LF into CRLF and ends the message with CRLF, as
// Dovecot's POP3 server sends it.
func toCRLF(raw []byte) []byte {
	out := make([]byte, 0, len(raw)+len(raw)/32+2)
	for i, c := range raw {
		if c == '\n' && (i == 0 || raw[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	if !bytes.HasSuffix(out, []byte("\r\n")) {
		out = append(out, '\r', '\n')
	}
	return out
}

// Warm logs in as user with password and asks STAT, as dovecot.sh's
// warm-up does, so that Dovecot indexes a large maildir (100,000 files take
// it a minute) before anything is timed: a client that gives up while
// Dovecot scans leaves it to scan again next time.
func (s *Server) Warm(t testing.TB, user, password string) {
	t.Helper()
	// Dovecot does not trust a scan of a folder changed less than a second
	// or two before it: it scans again in the next session, which at a
	// hundred thousand files costs that session a minute. So the folders
	// are left to settle, and the scan is made twice.
	time.Sleep(2 * time.Second)
	s.warm(t, user, password)
	s.warm(t, user, password)
}

func (s *Server) warm(t testing.TB, user, password string) {
	t.Helper()
	c, err := net.Dial("tcp", net.JoinHostPort(s.Host, strconv.Itoa(s.POPPort)))
	if err != nil {
		t.Fatalf("mailtest: Warm: %v", err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Minute))
	r := bufio.NewReader(c)
	for _, cmd := range []string{"", "USER " + user, "PASS " + password, "STAT", "QUIT"} {
		if cmd != "" {
			if _, err := c.Write([]byte(cmd + "\r\n")); err != nil {
				t.Fatalf("mailtest: Warm: %v", err)
			}
		}
		line, err := r.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "+OK") {
			t.Fatalf("mailtest: Warm: %q answered %q, %v", cmd, line, err)
		}
	}
}
