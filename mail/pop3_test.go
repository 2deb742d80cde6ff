package mail

// Tests of pop3.go. The TestGoPOP3Gap* tests pin each measured gap of
// github.com/knadh/go-pop3 v1.0.0: they show the library itself going wrong
// against a fake server, then popbox's path getting the same thing right.
// They import go-pop3 for that reason only; production code reaches it
// through pop3.go alone.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	crand "crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	pop3 "github.com/knadh/go-pop3"

	"popbox/mail/mailtest"
)

// testAccount is an account for a server at addr.
func testAccount(t testing.TB, addr string, sec Security) Account {
	t.Helper()
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(p)
	return Account{
		ID: "acct-1", Name: "Test", Email: "alice@example.test",
		Incoming:  Server{Host: host, Port: port, Security: sec, User: "alice", Password: "secret"},
		Retention: Retention{Kind: RetainKeep},
	}
}

// dialTest opens a session to addr as popbox does, logged in unless the
// user is empty.
func dialTest(t testing.TB, addr string, sec Security, conf *tls.Config, idle time.Duration, user, pass string) (*session, error) {
	t.Helper()
	acct := testAccount(t, addr, sec)
	s, err := dialPOP3(context.Background(), acct.Incoming, acct.CAFile, conf, idle)
	if err != nil {
		return nil, err
	}
	t.Cleanup(s.close)
	if user == "" {
		return s, nil
	}
	return s, s.login(user, pass)
}

// libDial dials addr with go-pop3 as a plain client (no deadlines).
func libDial(t testing.TB, addr string) (*pop3.Conn, error) {
	t.Helper()
	host, p, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(p)
	return pop3.New(pop3.Opt{Host: host, Port: port}).NewConn()
}

// listing reads UIDL and LIST and joins them by message number, as the
// fetch engine's plan does, for tests that want the whole listing: messages
// without a UID (no UIDL, or left out of it) have an empty UID.
func listing(s *session) (msgs []ServerMsg, hasUIDL bool, warns []Warning, err error) {
	uids := map[int]ServerMsg{}
	hasUIDL, warns, err = s.uidl(func(num int, uid string, odd bool) error {
		uids[num] = ServerMsg{Num: num, UID: uid, OddUID: odd}
		return nil
	})
	if err != nil {
		return nil, false, warns, err
	}
	w, err := s.listAll(func(num int, size int64) error {
		m := uids[num]
		m.Num, m.Size = num, max(size, 0)
		msgs = append(msgs, m)
		delete(uids, num)
		return nil
	})
	warns = append(warns, w...)
	if err != nil {
		return nil, false, warns, err
	}
	for _, m := range uids { // named by UIDL only: size unknown
		msgs = append(msgs, m)
	}
	slices.SortFunc(msgs, byNum)
	noUID := 0
	for _, m := range msgs {
		if m.UID == "" && hasUIDL {
			noUID++
		}
	}
	if noUID > 0 {
		warns = append(warns, Warning{Kind: WarnNoUID, Host: s.host, N: noUID})
	}
	return msgs, hasUIDL, warns, nil
}

// retrAll retrieves every listed message with popbox's session.
func retrAll(t testing.TB, s *session) [][]byte {
	t.Helper()
	msgs, _, warns, err := listing(s)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if len(warns) > 0 {
		t.Errorf("list warnings: %q", warns)
	}
	var out [][]byte
	err = s.retrieve(serverMsgs(msgs), DefaultMaxMessageSize, func(m ServerMsg, raw []byte, err error) error {
		if err != nil {
			return err
		}
		out = append(out, raw)
		return nil
	}, nil)
	if err != nil {
		t.Fatalf("retrieve: %v", err)
	}
	return out
}

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

// ---------------------------------------------------------------------------
// go-pop3 gaps: the library wrong, popbox right

func TestGoPOP3GapDotStuffing(t *testing.T) {
	raw := crlf("Subject: dots\n\nbefore\n.x\n.\n..\n. dot space\nafter\n")
	addr := mailtest.NewPOP3("USER", "UIDL").Add("u1", string(raw)).Start(t)

	lib, err := libDial(t, addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.Auth("alice", "secret"); err != nil {
		t.Fatal(err)
	}
	got, err := lib.RetrRaw(1)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got.Bytes(), raw) || !bytes.Contains(got.Bytes(), []byte("\r\n..x\r\n..\r\n...\r\n")) {
		t.Errorf("go-pop3 was expected to keep the stuffed dots; got %q", got.Bytes())
	}
	lib.Quit()

	s, err := dialTest(t, addr, SecurityNone, nil, 5*time.Second, "alice", "secret")
	if err != nil {
		t.Fatal(err)
	}
	if out := retrAll(t, s); len(out) != 1 || !bytes.Equal(out[0], raw) {
		t.Errorf("popbox got %q, want %q", out, raw)
	}
}

func TestGoPOP3GapLongLines(t *testing.T) {
	// go-pop3's bufio.Reader holds 4,096 bytes: a line with its CRLF longer
	// than that is cut.
	for _, n := range []int{4000, 4094, 4095, 4097, 5000, 70000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			raw := crlf("Subject: long\n\nshort\n" + strings.Repeat("a", n) + "\nend\n")
			addr := mailtest.NewPOP3("UIDL").Add("u1", string(raw)).Start(t)

			lib, err := libDial(t, addr)
			if err != nil {
				t.Fatal(err)
			}
			if err := lib.Auth("alice", "secret"); err != nil {
				t.Fatal(err)
			}
			got, err := lib.RetrRaw(1)
			if err != nil {
				t.Fatal(err)
			}
			if split := !bytes.Equal(got.Bytes(), raw); split != (n+2 > 4096) {
				t.Errorf("go-pop3 on a %d-byte line: changed=%v, expected a change only over 4,096 bytes with CRLF", n, split)
			}
			lib.Quit()

			s, err := dialTest(t, addr, SecurityNone, nil, 5*time.Second, "alice", "secret")
			if err != nil {
				t.Fatal(err)
			}
			if out := retrAll(t, s); len(out) != 1 || !bytes.Equal(out[0], raw) {
				t.Errorf("popbox changed a %d-byte line", n)
			}
		})
	}
}

// TestGoPOP3GapContentAnswersCommands: a 4,097-byte line ending in "." makes
// go-pop3 end the message early, and the rest of it, forged to look like a
// RETR answer, is returned without error as the next message.
func TestGoPOP3GapContentAnswersCommands(t *testing.T) {
	first := crlf("Subject: forge\n\nbefore\n" + strings.Repeat("y", 4096) + ".\n+OK 99 octets\nSubject: forged by the message body\n\nforged text\n")
	second := crlf("Subject: the real second message\n\nreal\n")
	addr := mailtest.NewPOP3("UIDL").Add("u1", string(first)).Add("u2", string(second)).Start(t)

	lib, err := libDial(t, addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.Auth("alice", "secret"); err != nil {
		t.Fatal(err)
	}
	b1, err1 := lib.RetrRaw(1)
	b2, err2 := lib.RetrRaw(2)
	if err1 != nil || err2 != nil {
		t.Fatalf("go-pop3 was expected to fail silently; errors %v, %v", err1, err2)
	}
	if bytes.Equal(b1.Bytes(), first) || !bytes.Contains(b2.Bytes(), []byte("forged by the message body")) {
		t.Errorf("go-pop3 was expected to return the forged text as message 2; got %q", b2.Bytes())
	}
	lib.Quit()

	s, err := dialTest(t, addr, SecurityNone, nil, 5*time.Second, "alice", "secret")
	if err != nil {
		t.Fatal(err)
	}
	out := retrAll(t, s)
	if len(out) != 2 || !bytes.Equal(out[0], first) || !bytes.Equal(out[1], second) {
		t.Errorf("popbox got %d messages, want both exact", len(out))
	}
}

// TestGoPOP3GapNoDeadlines: go-pop3 blocks for ever on a silent greeting,
// TLS handshake or RETR; popbox ends each with ErrTimeout.
func TestGoPOP3GapNoDeadlines(t *testing.T) {
	const idle = 300 * time.Millisecond
	silent := func(release chan struct{}) func(net.Conn) {
		return func(c net.Conn) { <-release }
	}
	stallRETR := mailtest.NewPOP3("UIDL").Add("u1", "Subject: x\r\n\r\nbody\r\n")
	stallRETR.Retr = func(c net.Conn, n int, m *mailtest.POP3Msg) bool {
		io.WriteString(c, "+OK 2000 octets\r\nSubject: partial\r\n\r\nfirst body line\r\n")
		io.Copy(io.Discard, c) // says nothing more until the client hangs up
		return true
	}
	stallAddr := stallRETR.Start(t)

	cases := []struct {
		name   string
		lib    func(addr string) error
		ours   func(addr string) error
		silent bool
	}{
		{
			name:   "greeting never sent",
			silent: true,
			lib:    func(addr string) error { _, err := libDial(t, addr); return err },
			ours: func(addr string) error {
				_, err := dialTest(t, addr, SecurityNone, nil, idle, "", "")
				return err
			},
		},
		{
			name:   "TLS handshake never answered",
			silent: true,
			lib: func(addr string) error {
				host, p, _ := net.SplitHostPort(addr)
				port, _ := strconv.Atoi(p)
				_, err := pop3.New(pop3.Opt{Host: host, Port: port, TLSEnabled: true, DialTimeout: idle}).NewConn()
				return err
			},
			ours: func(addr string) error {
				_, err := dialTest(t, addr, SecuritySSL, &tls.Config{}, idle, "", "")
				return err
			},
		},
		{
			name: "RETR stalls mid-message",
			lib: func(addr string) error {
				c, err := libDial(t, addr)
				if err != nil {
					return err
				}
				if err := c.Auth("alice", "secret"); err != nil {
					return err
				}
				_, err = c.RetrRaw(1)
				return err
			},
			ours: func(addr string) error {
				s, err := dialTest(t, addr, SecurityNone, nil, idle, "alice", "secret")
				if err != nil {
					return err
				}
				return s.retrieve(serverMsgs{{Num: 1, UID: "u1", Size: 2000}}, DefaultMaxMessageSize, func(ServerMsg, []byte, error) error { return nil }, nil)
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			libAddr, ourAddr := stallAddr, stallAddr
			release := make(chan struct{})
			if tc.silent {
				libAddr = mailtest.Fake(t, silent(release))
				ourAddr = mailtest.Fake(t, func(c net.Conn) { io.Copy(io.Discard, c) })
			}
			done := make(chan error, 1)
			go func() { done <- tc.lib(libAddr) }()
			select {
			case err := <-done:
				t.Fatalf("go-pop3 was expected to block; it returned %v", err)
			case <-time.After(4 * idle):
			}
			close(release)

			start := time.Now()
			err := tc.ours(ourAddr)
			if !errors.Is(err, ErrTimeout) {
				t.Errorf("popbox: err = %v, want ErrTimeout", err)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("popbox took %v to give up", d)
			}
		})
	}
}

// TestGoPOP3GapPanics runs each panicking go-pop3 call in a child process
// (a panic cannot be shown without recover otherwise) and checks popbox's
// answer to the same server.
func TestGoPOP3GapPanics(t *testing.T) {
	cases := []struct {
		name, verb, reply string
	}{
		{"STAT +OK", "STAT", "+OK\r\n"},
		{"STAT +OK 3", "STAT", "+OK 3\r\n"},
		{"LIST one field", "LIST", "+OK\r\n1\r\n.\r\n"},
		{"UIDL one field", "UIDL", "+OK\r\n1\r\n.\r\n"},
	}
	if name := os.Getenv("POPBOX_GOPOP3_PANIC"); name != "" {
		for _, tc := range cases {
			if tc.name != name {
				continue
			}
			f := mailtest.NewPOP3("UIDL")
			f.Replies = map[string]string{tc.verb: tc.reply}
			c, err := libDial(t, f.Start(t))
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Auth("alice", "secret"); err != nil {
				t.Fatal(err)
			}
			switch tc.verb {
			case "STAT":
				c.Stat()
			case "LIST":
				c.List(0)
			case "UIDL":
				c.Uidl(0)
			}
			fmt.Println("no panic")
		}
		return
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestGoPOP3GapPanics$", "-test.count=1")
			cmd.Env = append(os.Environ(), "POPBOX_GOPOP3_PANIC="+tc.name)
			out, err := cmd.CombinedOutput()
			if err == nil || !bytes.Contains(out, []byte("panic: runtime error: index out of range")) {
				t.Errorf("go-pop3 was expected to panic; exit %v, output:\n%s", err, out)
			}

			f := mailtest.NewPOP3("UIDL").Add("u1", "Subject: a\r\n\r\nx\r\n").Add("u2", "Subject: b\r\n\r\ny\r\n")
			f.Replies = map[string]string{tc.verb: tc.reply}
			s, err := dialTest(t, f.Start(t), SecurityNone, nil, 5*time.Second, "alice", "secret")
			if err != nil {
				t.Fatal(err)
			}
			switch tc.verb {
			case "STAT":
				if _, _, err := s.stat(); !errors.Is(err, ErrProtocol) {
					t.Errorf("stat: err = %v, want ErrProtocol", err)
				}
			default:
				msgs, _, warns, err := listing(s)
				if err != nil {
					t.Fatalf("list: %v", err)
				}
				if len(warns) == 0 || !strings.Contains(warns[0].String(), `"1"`) {
					t.Errorf("warnings = %q, want one about the line \"1\"", warns)
				}
				// Messages UIDL does not name are still fetched (by content),
				// and said so: never skipped in silence.
				wantWarns := 1
				if tc.verb == "UIDL" {
					wantWarns = 2
					if len(warns) != 2 || !strings.Contains(warns[1].String(), "left 2 of the messages it lists out of UIDL") {
						t.Errorf("warnings = %q, want one about the 2 messages left out of UIDL", warns)
					}
				}
				if len(warns) != wantWarns || len(msgs) != 2 {
					t.Errorf("warnings = %q, messages %+v", warns, msgs)
				}
				// The odd line leaves out one message (or its size), nothing more.
				for _, m := range msgs {
					if m.Num == 1 && tc.verb == "LIST" && m.Size != 0 {
						t.Errorf("message 1 has size %d from a line without one", m.Size)
					}
				}
			}
		})
	}
}

func TestGoPOP3GapEmptyPassReply(t *testing.T) {
	f := mailtest.NewPOP3("USER")
	f.Replies = map[string]string{"PASS": "\r\n"}
	addr := f.Start(t)

	lib, err := libDial(t, addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.Auth("alice", "wrong"); err != nil {
		t.Errorf("go-pop3 was expected to take an empty answer to PASS as success; got %v", err)
	}
	lib.Quit()

	_, err = dialTest(t, addr, SecurityNone, nil, 5*time.Second, "alice", "wrong")
	if !errors.Is(err, ErrProtocol) {
		t.Errorf("popbox: err = %v, want ErrProtocol", err)
	}
}

func TestGoPOP3GapCRLFInArguments(t *testing.T) {
	f := mailtest.NewPOP3("USER", "UIDL").Add("u1", "Subject: keep me\r\n\r\nx\r\n")
	addr := f.Start(t)

	lib, err := libDial(t, addr)
	if err != nil {
		t.Fatal(err)
	}
	lib.User("alice\r\nDELE 1")
	lib.Quit()
	if cmds := f.Commands(); !containsString(cmds, "DELE 1") {
		t.Errorf("go-pop3 was expected to send DELE 1 as its own command; the server got %q", cmds)
	}

	f2 := mailtest.NewPOP3("USER", "UIDL").Add("u1", "Subject: keep me\r\n\r\nx\r\n")
	addr2 := f2.Start(t)
	for _, bad := range []struct{ user, pass string }{
		{"alice\r\nDELE 1", "secret"}, {"alice", "secret\r\nDELE 1"}, {"alice\x00", "secret"}, {"alice", "sec\nret"},
	} {
		_, err := dialTest(t, addr2, SecurityNone, nil, 5*time.Second, bad.user, bad.pass)
		if err == nil || !strings.Contains(err.Error(), "line break or NUL") {
			t.Errorf("login(%q, %q): err = %v, want a refusal", bad.user, bad.pass, err)
		}
	}
	for _, c := range f2.Commands() {
		if strings.HasPrefix(c, "USER") || strings.HasPrefix(c, "PASS") || strings.HasPrefix(c, "DELE") {
			t.Errorf("popbox sent %q", c)
		}
	}
	if err := checkArg("x", "ok value"); err != nil {
		t.Error(err)
	}
}

// TestGoPOP3GapTLSRoots: go-pop3's TLS trusts the system roots only, so a
// server with a private CA cannot be used; popbox takes the account's CA file.
func TestGoPOP3GapTLSRoots(t *testing.T) {
	f := mailtest.NewPOP3("USER", "UIDL").Add("u1", "Subject: tls\r\n\r\nx\r\n")
	addr, _, caFile := mailtest.FakeTLS(t, f.Serve)
	host, p, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(p)
	_, err := pop3.New(pop3.Opt{Host: host, Port: port, TLSEnabled: true}).NewConn()
	var ua x509.UnknownAuthorityError
	if !errors.As(err, &ua) {
		t.Errorf("go-pop3: err = %v, want an unknown-authority error", err)
	}

	acct := testAccount(t, addr, SecuritySSL)
	acct.CAFile = caFile
	conf, err := TLSConfig(acct)
	if err != nil {
		t.Fatal(err)
	}
	s, err := dialTest(t, addr, SecuritySSL, conf, 5*time.Second, "alice", "secret")
	if err != nil {
		t.Fatal(err)
	}
	if out := retrAll(t, s); len(out) != 1 {
		t.Errorf("got %d messages over TLS", len(out))
	}
}

// TestGoPOP3GapLongReplyLine: go-pop3 reads a reply line of over 4,096
// bytes as its first 4,096 and leaves the rest to answer the next command.
// popbox hands go-pop3 no such line: its own reader reads it (and refuses a
// greeting that long, since go-pop3 opens its connection only by reading
// the greeting itself).
func TestGoPOP3GapLongReplyLine(t *testing.T) {
	long := "+OK " + strings.Repeat("x", 5000) + "\r\n"
	f := mailtest.NewPOP3("USER", "UIDL")
	f.Replies = map[string]string{"PASS": long}
	addr := f.Start(t)

	lib, err := libDial(t, addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.User("alice"); err != nil {
		t.Fatal(err)
	}
	if err := lib.Pass("secret"); err != nil {
		t.Fatalf("go-pop3 was expected to take the first 4,096 bytes for the answer to PASS; got %v", err)
	}
	if err := lib.Noop(); err == nil || !strings.Contains(err.Error(), "xxxx") {
		t.Errorf("go-pop3 was expected to read the rest of the PASS line as the answer to NOOP; got %v", err)
	}
	lib.Quit()

	s, err := dialTest(t, addr, SecurityNone, nil, 5*time.Second, "alice", "secret")
	if err != nil {
		t.Fatalf("popbox: %v", err)
	}
	if n, _, err := s.stat(); err != nil || n != 0 {
		t.Errorf("popbox after the long line: STAT %d, %v; the stream is out of step", n, err)
	}
	if err := s.quit(); err != nil {
		t.Errorf("QUIT: %v", err)
	}

	g := mailtest.NewPOP3("USER", "UIDL")
	g.Greeting = long
	addr = g.Start(t)
	if lib, err = libDial(t, addr); err != nil {
		t.Fatalf("go-pop3 was expected to take the first 4,096 bytes of the greeting; got %v", err)
	}
	if err := lib.User("alice"); err == nil || !strings.Contains(err.Error(), "xxxx") {
		t.Errorf("go-pop3 was expected to read the rest of the greeting as the answer to USER; got %v", err)
	}
	if _, err := dialTest(t, addr, SecurityNone, nil, 5*time.Second, "", ""); !errors.Is(err, ErrProtocol) {
		t.Errorf("popbox on a 5,000-byte greeting: err = %v, want ErrProtocol", err)
	}
}

// TestGoPOP3GapErrReply: go-pop3 turns "-ERR" without text into a sentence
// of its own, as if the server had said it, and returns every -ERR as a
// bare error string, the kind a broken connection gives too. popbox reads
// the line: no reason given, and the response code kept.
func TestGoPOP3GapErrReply(t *testing.T) {
	f := mailtest.NewPOP3("USER")
	f.Replies = map[string]string{"PASS": "-ERR\r\n"}
	addr := f.Start(t)
	lib, err := libDial(t, addr)
	if err != nil {
		t.Fatal(err)
	}
	lib.User("alice")
	if err := lib.Pass("secret"); err == nil || err.Error() != "unknown error (no info specified in response)" {
		t.Errorf("go-pop3 was expected to invent a reason; got %v", err)
	}
	lib.Quit()

	_, err = dialTest(t, addr, SecurityNone, nil, 5*time.Second, "alice", "secret")
	var ae *AuthError
	if !errors.As(err, &ae) || ae.Reply != "" || !strings.Contains(err.Error(), "no reason given") {
		t.Errorf("popbox: err = %v, want an AuthError with no reason", err)
	}
}

// TestGoPOP3GapPanicsOneMessage: "LIST n" and "UIDL n" answered with one
// field make go-pop3's List(n) and Uidl(n) panic, as their multi-line forms
// do (TestGoPOP3GapPanics). popbox sends them with go-pop3's Cmd, or in a
// window, and reads the answer itself.
func TestGoPOP3GapPanicsOneMessage(t *testing.T) {
	verbs := []string{"LIST", "UIDL"}
	if verb := os.Getenv("POPBOX_GOPOP3_PANIC_ONE"); verb != "" {
		f := mailtest.NewPOP3("UIDL")
		f.Replies = map[string]string{verb: "+OK 1\r\n"}
		c, err := libDial(t, f.Start(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Auth("alice", "secret"); err != nil {
			t.Fatal(err)
		}
		if verb == "LIST" {
			c.List(1)
		} else {
			c.Uidl(1)
		}
		fmt.Println("no panic")
		return
	}
	for _, verb := range verbs {
		t.Run(verb, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestGoPOP3GapPanicsOneMessage$", "-test.count=1")
			cmd.Env = append(os.Environ(), "POPBOX_GOPOP3_PANIC_ONE="+verb)
			out, err := cmd.CombinedOutput()
			if err == nil || !bytes.Contains(out, []byte("panic: runtime error: index out of range")) {
				t.Errorf("go-pop3 was expected to panic; exit %v, output:\n%s", err, out)
			}

			f := mailtest.NewPOP3("UIDL", "PIPELINING").Add("u1", "Subject: a\r\n\r\nx\r\n")
			f.Replies = map[string]string{verb: "+OK 1\r\n"}
			s, err := dialTest(t, f.Start(t), SecurityNone, nil, 5*time.Second, "alice", "secret")
			if err != nil {
				t.Fatal(err)
			}
			if verb == "LIST" {
				var size int64
				if err := s.listEach(1, func(int) int { return 1 }, func(_ int, sz int64) { size = sz }); err != nil || size != -1 {
					t.Errorf("LIST 1: size %d, %v; want -1 (unknown)", size, err)
				}
				return
			}
			ok, text, err := s.cmd("UIDL", "1")
			if _, _, listed := splitListLine(text); err != nil || !ok || listed {
				t.Errorf("UIDL 1: %v %q %v; want +OK with no UID to read", ok, text, err)
			}
		})
	}
}

// TestGoPOP3GapNoPipelining: go-pop3's Dele sends each DELE after the
// answer to the one before; popbox's window sends them ahead when the
// server offers PIPELINING, so go-pop3's Dele is not used.
func TestGoPOP3GapNoPipelining(t *testing.T) {
	fake := func() *mailtest.POP3 {
		f := mailtest.NewPOP3("USER", "UIDL", "PIPELINING")
		for i := 0; i < 5; i++ {
			f.Add(fmt.Sprintf("u%d", i), "Subject: x\r\n\r\nx\r\n")
		}
		return f
	}
	f := fake()
	lib, err := libDial(t, f.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.Auth("alice", "secret"); err != nil {
		t.Fatal(err)
	}
	if err := lib.Dele(1, 2, 3, 4, 5); err != nil {
		t.Fatal(err)
	}
	lib.Quit()
	if f.Pipelined() {
		t.Errorf("go-pop3 was expected to send one DELE at a time")
	}

	g := fake()
	s, err := dialTest(t, g.Start(t), SecurityNone, nil, 5*time.Second, "alice", "secret")
	if err != nil {
		t.Fatal(err)
	}
	if acc, _, err := s.dele([]int{1, 2, 3, 4, 5}); err != nil || len(acc) != 5 {
		t.Fatalf("dele: %v, %v", acc, err)
	}
	if !g.Pipelined() {
		t.Errorf("popbox sent one DELE at a time to a server with PIPELINING")
	}
}

// TestGoPOP3Shares: go-pop3 reads the single-line replies through the
// session's connection and popbox's reader the multi-line ones, on one
// stream: each reads exactly its own reply, over plain TCP and after STLS.
func TestGoPOP3Shares(t *testing.T) {
	conf := fakeServerTLS(t)
	f := mailtest.NewPOP3("USER", "STLS", "UIDL", "PIPELINING").Add("u1", "Subject: a\r\n\r\nx\r\n").Add("u2", "Subject: b\r\n\r\ny\r\n")
	f.TLSConfig = conf.server
	s, err := dialTest(t, f.Start(t), SecurityStartTLS, conf.client, 5*time.Second, "alice", "secret")
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 3; round++ {
		if n, size, err := s.stat(); err != nil || n != 2 || size == 0 {
			t.Fatalf("round %d: STAT %d %d %v", round, n, size, err)
		}
		if !bytes.HasPrefix(s.lc.line, []byte("+OK 2 ")) {
			t.Fatalf("round %d: STAT's answer did not go to go-pop3 (it read %q)", round, s.lc.line)
		}
		if s.r.Buffered() != 0 {
			t.Fatalf("round %d: %d bytes left in popbox's reader after STAT", round, s.r.Buffered())
		}
		if out := retrAll(t, s); len(out) != 2 {
			t.Fatalf("round %d: %d messages", round, len(out))
		}
		ok, text, err := s.cmd("UIDL", "2")
		if err != nil || !ok || string(text) != "2 u2" {
			t.Fatalf("round %d: UIDL 2: %v %q %v", round, ok, text, err)
		}
	}
	if err := s.quit(); err != nil {
		t.Fatal(err)
	}
}

// TestLoginOddPassword: go-pop3 formats commands with fmt; a password with
// per cent signs and spaces still goes as it is.
func TestLoginOddPassword(t *testing.T) {
	const pass = "p%s%d 100% %v"
	f := mailtest.NewPOP3("USER")
	f.Users["alice"] = pass
	if _, err := dialTest(t, f.Start(t), SecurityNone, nil, 5*time.Second, "alice", pass); err != nil {
		t.Errorf("login: %v", err)
	}
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------------------
// The multi-line reader

// TestReadBody feeds dot-stuffed bodies through readBody with small buffers
// and reads of every size, so that "\n." and ".\r\n" fall across every
// boundary.
func TestReadBody(t *testing.T) {
	cases := []struct {
		name string
		wire string // after the +OK line
		want string
		err  error
	}{
		{name: "empty", wire: ".\r\n", want: ""},
		{name: "one line", wire: "a\r\n.\r\n", want: "a\r\n"},
		{name: "stuffed dots", wire: "..\r\n...\r\n..x\r\n.y\r\n.\r\n", want: ".\r\n..\r\n.x\r\ny\r\n"},
		{name: "dot inside a line", wire: "a.b\r\n a .\r\n.\r\n", want: "a.b\r\n a .\r\n"},
		// A bare LF does not end a line (RFC 1939 lines end in CRLF): a dot
		// after it is content, and "\n.\n" does not end the reply, so a
		// sender cannot end a message early and forge the next one.
		{name: "bare LF is not a line end", wire: "a\n..b\n.\r\n.\r\n", want: "a\n..b\n.\r\n"},
		{name: "forged end after bare LF", wire: "hi\n.\n+OK forged\r\nx\r\n.\r\n", want: "hi\n.\n+OK forged\r\nx\r\n"},
		{name: "bare CR before the dot", wire: "a\r.\r\n.\r\n", want: "a\r.\r\n"},
		{name: "terminator split CR LF", wire: "a\r\n\r\n.\r\n", want: "a\r\n\r\n"},
		{name: "dot LF after CRLF is stuffed content", wire: "a\r\n.\n.\r\n.\r\n", want: "a\r\n\n.\r\n"},
		{name: "CR inside a line", wire: "a\rb\r\n.\rx\r\n.\r\n", want: "a\rb\r\n\rx\r\n"},
		{name: "8-bit bytes", wire: "\x80\xff\xfe\r\n日本\r\n.\r\n", want: "\x80\xff\xfe\r\n日本\r\n"},
		{name: "cut off", wire: "a\r\nb", err: io.ErrUnexpectedEOF},
		{name: "cut off after the dot", wire: "a\r\n.", err: io.ErrUnexpectedEOF},
		{name: "cut off at once", wire: "", err: io.ErrUnexpectedEOF},
	}
	readers := map[string]func(io.Reader) io.Reader{
		"whole":    func(r io.Reader) io.Reader { return r },
		"one byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
	}
	for _, tc := range cases {
		for rn, wrap := range readers {
			for _, size := range []int{16, 17, 19, 4096} {
				t.Run(fmt.Sprintf("%s/%s/%d", tc.name, rn, size), func(t *testing.T) {
					s := bodySession(wrap(strings.NewReader(tc.wire+"NEXT\r\n")), size)
					got, err := s.readBody("RETR", nil, 1<<20, nil)
					if tc.err != nil {
						if !errors.Is(err, tc.err) {
							t.Fatalf("err = %v, want %v", err, tc.err)
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					if string(got) != tc.want {
						t.Errorf("got %q, want %q", got, tc.want)
					}
					if next, err := s.readLine("NEXT"); err != nil || string(next) != "NEXT" {
						t.Errorf("after the body: %q, %v; the stream is out of step", next, err)
					}
				})
			}
		}
	}
}

// TestReadBodyRandom round-trips random messages made of the lines that
// matter (dots, long lines, bare CR, 8-bit) through stuff and readBody.
func TestReadBodyRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{".", "..", ".x", "x.", "", "\r", "\n", ".\n", "\n.\n", " ", "a", "\xff", "+OK 3 octets", strings.Repeat("z", 300)}
	for i := 0; i < 300; i++ {
		var b bytes.Buffer
		for n := rng.IntN(20); n > 0; n-- {
			for k := rng.IntN(4); k >= 0; k-- {
				b.WriteString(pieces[rng.IntN(len(pieces))])
			}
			b.WriteString("\r\n")
		}
		raw := b.Bytes()
		size := 16 + rng.IntN(64)
		s := bodySession(iotest.HalfReader(bytes.NewReader(append(mailtest.Stuff(raw), "NEXT\r\n"...))), size)
		got, err := s.readBody("RETR", nil, 1<<20, nil)
		if err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("message %d (buffer %d): got %q, %v; want %q", i, size, got, err, raw)
		}
		if next, _ := s.readLine("NEXT"); string(next) != "NEXT" {
			t.Fatalf("message %d: out of step: %q", i, next)
		}
	}
}

// TestReadBodyLFOnly: a server whose greeting ends in a bare LF ends every
// line so; only then does LF "." LF end a reply.
func TestReadBodyLFOnly(t *testing.T) {
	for _, size := range []int{16, 17, 4096} {
		s := bodySession(iotest.OneByteReader(strings.NewReader("a\n..b\n.x\n.\nNEXT\n")), size)
		s.lfOnly = true
		got, err := s.readBody("RETR", nil, 1<<20, nil)
		if err != nil || string(got) != "a\n.b\nx\n" {
			t.Errorf("buffer %d: got %q, %v", size, got, err)
		}
		if next, _ := s.readLine("NEXT"); string(next) != "NEXT" {
			t.Errorf("buffer %d: out of step: %q", size, next)
		}
	}
}

// TestReadBodyLimit: a reply that runs past its limit is cut off there: the
// rest is not read (it may never end), and errTooLarge says the session is
// out of step.
func TestReadBodyLimit(t *testing.T) {
	var ticked int
	endless := io.MultiReader(strings.NewReader(strings.Repeat("0123456789\r\n", 100)), neverEnding('x'))
	s := bodySession(endless, 64)
	done := make(chan struct{})
	var got []byte
	var err error
	go func() {
		got, err = s.readBody("RETR", nil, 500, func(n int) { ticked += n })
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("readBody kept reading an endless reply")
	}
	if !errors.Is(err, errTooLarge) || len(got) != 0 {
		t.Fatalf("got %d bytes, %v; want errTooLarge", len(got), err)
	}
	if ticked < 500 || ticked > 500+64 {
		t.Errorf("read %d bytes of a reply limited to 500", ticked)
	}
}

// neverEnding is an endless stream of one byte.
type neverEnding byte

func (b neverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

// bodySession is a session reading from r only.
func bodySession(r io.Reader, size int) *session {
	return &session{ctx: context.Background(), addr: "test", r: bufio.NewReaderSize(r, size), tcp: &deadlineConn{idle: time.Second}}
}

func TestReplyParsing(t *testing.T) {
	s := bodySession(strings.NewReader(""), 16)
	for _, tc := range []struct {
		line string
		ok   bool
		text string
		bad  bool
	}{
		{line: "+OK", ok: true},
		{line: "+OK 2 320", ok: true, text: "2 320"},
		{line: "-ERR", ok: false},
		{line: "-ERR [IN-USE] locked", ok: false, text: "[IN-USE] locked"},
		{line: "", bad: true},
		{line: "+OKAY", bad: true},
		{line: "OK", bad: true},
		{line: "+ok", bad: true},
		{line: "* OK IMAP", bad: true},
	} {
		ok, text, err := s.parseStatus("X", []byte(tc.line))
		if tc.bad {
			if !errors.Is(err, ErrProtocol) {
				t.Errorf("%q: err = %v, want ErrProtocol", tc.line, err)
			}
			continue
		}
		if err != nil || ok != tc.ok || string(text) != tc.text {
			t.Errorf("%q: %v %q %v", tc.line, ok, text, err)
		}
	}
	if c := responseCode([]byte("[sys/temp] try later")); c != "SYS/TEMP" {
		t.Errorf("responseCode = %q", c)
	}
}

// ---------------------------------------------------------------------------
// Connect, TLS, STLS, login, errors

func TestSTLSAgainstFake(t *testing.T) {
	conf := fakeServerTLS(t)
	f := mailtest.NewPOP3("USER", "STLS", "UIDL").Add("u1", "Subject: stls\r\n\r\nx\r\n")
	f.TLSConfig = conf.server
	addr := f.Start(t)
	s, err := dialTest(t, addr, SecurityStartTLS, conf.client, 5*time.Second, "alice", "secret")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.conn.(*tls.Conn); !ok {
		t.Fatal("the session is not on TLS after STLS")
	}
	if out := retrAll(t, s); len(out) != 1 {
		t.Errorf("got %d messages", len(out))
	}
	cmds := f.Commands()
	if len(cmds) < 3 || cmds[0] != "CAPA" || cmds[1] != "STLS" || cmds[2] != "CAPA" {
		t.Errorf("commands = %q, want CAPA, STLS, CAPA (asked again over TLS) first", cmds)
	}
}

// fakeTLSConf is a server configuration for STLS on a fake server and the
// client configuration trusting it. mailtest keeps its server key to itself
// (FakeTLS does implicit TLS only), so the certificate is made here.
type fakeTLSConf struct{ server, client *tls.Config }

func fakeServerTLS(t *testing.T) fakeTLSConf {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), crand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(crand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return fakeTLSConf{
		server: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		client: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"},
	}
}

func TestSTLSRequired(t *testing.T) {
	t.Run("not in CAPA", func(t *testing.T) {
		f := mailtest.NewPOP3("USER", "UIDL")
		_, err := dialTest(t, f.Start(t), SecurityStartTLS, &tls.Config{}, 5*time.Second, "alice", "secret")
		if !errors.Is(err, ErrNoSTARTTLS) {
			t.Errorf("err = %v, want ErrNoSTARTTLS", err)
		}
		for _, c := range f.Commands() {
			if strings.HasPrefix(c, "USER") || strings.HasPrefix(c, "PASS") {
				t.Errorf("the credentials went out in clear text: %q", c)
			}
		}
	})
	t.Run("no CAPA, STLS refused", func(t *testing.T) {
		f := mailtest.NewPOP3() // CAPA -ERR
		f.Caps = nil
		_, err := dialTest(t, f.Start(t), SecurityStartTLS, &tls.Config{}, 5*time.Second, "alice", "secret")
		if !errors.Is(err, ErrNoSTARTTLS) {
			t.Errorf("err = %v, want ErrNoSTARTTLS", err)
		}
	})
	t.Run("plain text injected after STLS", func(t *testing.T) {
		f := mailtest.NewPOP3("STLS")
		f.Replies = map[string]string{"STLS": "+OK begin TLS\r\n+OK injected\r\n"}
		_, err := dialTest(t, f.Start(t), SecurityStartTLS, &tls.Config{}, 5*time.Second, "alice", "secret")
		if !errors.Is(err, ErrProtocol) {
			t.Errorf("err = %v, want ErrProtocol", err)
		}
	})
}

func TestSASLPlainFallback(t *testing.T) {
	f := mailtest.NewPOP3("SASL PLAIN", "UIDL").Add("u1", "Subject: sasl\r\n\r\nx\r\n")
	f.Replies = map[string]string{"USER": "-ERR [AUTH] USER not allowed, use AUTH\r\n"}
	addr := f.Start(t)
	s, err := dialTest(t, addr, SecurityNone, nil, 5*time.Second, "alice", "secret")
	if err != nil {
		t.Fatal(err)
	}
	if out := retrAll(t, s); len(out) != 1 {
		t.Errorf("got %d messages after AUTH PLAIN", len(out))
	}
	_, err = dialTest(t, addr, SecurityNone, nil, 5*time.Second, "alice", "wrong")
	var ae *AuthError
	if !errors.As(err, &ae) || !errors.Is(err, ErrAuth) || ae.User != "alice" {
		t.Errorf("wrong password: err = %v, want an AuthError for alice", err)
	}
	// A password long enough to push AUTH PLAIN over 255 octets goes after
	// an empty challenge (RFC 5034 section 4).
	long := strings.Repeat("p", 300)
	f.Set(func(f *mailtest.POP3) { f.Users["alice"] = long })
	if _, err := dialTest(t, addr, SecurityNone, nil, 5*time.Second, "alice", long); err != nil {
		t.Errorf("long password: %v", err)
	}
}

func TestLoginErrors(t *testing.T) {
	for _, tc := range []struct {
		reply string
		want  error
	}{
		{"-ERR [AUTH] Authentication failed.\r\n", ErrAuth},
		{"-ERR invalid password\r\n", ErrAuth},
		{"-ERR\r\n", ErrAuth},
		{"-ERR [IN-USE] Mailbox locked by another session\r\n", ErrMailbox},
		{"-ERR [SYS/TEMP] try again later\r\n", ErrMailbox},
		{"-ERR unable to lock maildrop\r\n", ErrMailbox},
		{"-ERR [LOGIN-DELAY] wait 15 minutes\r\n", ErrLoginDelay},
		{"garbage\r\n", ErrProtocol},
	} {
		f := mailtest.NewPOP3("USER")
		f.Replies = map[string]string{"PASS": tc.reply}
		_, err := dialTest(t, f.Start(t), SecurityNone, nil, 5*time.Second, "alice", "secret")
		if !errors.Is(err, tc.want) {
			t.Errorf("PASS %q: err = %v, want %v", tc.reply, err, tc.want)
		}
		if tc.want != ErrAuth && errors.Is(err, ErrAuth) {
			t.Errorf("PASS %q: also ErrAuth", tc.reply)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("the password is in the error: %v", err)
		}
	}
}

func TestConnectErrors(t *testing.T) {
	const idle = 2 * time.Second
	plainFake := mailtest.NewPOP3("USER").Start(t)
	tlsFake, pool, _ := mailtest.FakeTLS(t, mailtest.NewPOP3("USER").Serve)
	alert := mailtest.Fake(t, func(c net.Conn) {
		c.Write([]byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46}) // a TLS alert record
	})
	garbage := mailtest.Fake(t, func(c net.Conn) { io.WriteString(c, "220 smtp.example.com ESMTP\r\n"); io.Copy(io.Discard, c) })
	errGreeting := mailtest.Fake(t, func(c net.Conn) { io.WriteString(c, "-ERR too many connections\r\n") })

	for _, tc := range []struct {
		name string
		addr string
		sec  Security
		conf *tls.Config
		want error
	}{
		{"refused port", fmt.Sprintf("127.0.0.1:%d", mailtest.ClosedPort(t)), SecurityNone, nil, ErrUnreachable},
		{"unknown host", "no-such-host.invalid:110", SecurityNone, nil, ErrUnreachable},
		{"TLS to a plain port", plainFake, SecuritySSL, &tls.Config{ServerName: "localhost"}, ErrTLSMismatch},
		{"plain to a port answering with a TLS alert", alert, SecurityNone, nil, ErrTLSMismatch},
		{"untrusted certificate", tlsFake, SecuritySSL, &tls.Config{RootCAs: x509.NewCertPool(), ServerName: "localhost"}, ErrCertificate},
		{"certificate for another host", tlsFake, SecuritySSL, &tls.Config{RootCAs: pool, ServerName: "pop.example.com"}, ErrCertificate},
		{"not POP3", garbage, SecurityNone, nil, ErrProtocol},
		{"-ERR greeting", errGreeting, SecurityNone, nil, ErrUnreachable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host, p, _ := net.SplitHostPort(tc.addr)
			port, _ := strconv.Atoi(p)
			srv := Server{Host: host, Port: port, Security: tc.sec, User: "alice"}
			_, err := dialPOP3(context.Background(), srv, "", tc.conf, idle)
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("trusted certificate", func(t *testing.T) {
		_, err := dialTest(t, tlsFake, SecuritySSL, &tls.Config{RootCAs: pool}, idle, "alice", "secret")
		if err != nil {
			t.Errorf("err = %v", err)
		}
	})
}

func TestCancelClosesConnection(t *testing.T) {
	addr := mailtest.Fake(t, func(c net.Conn) { io.Copy(io.Discard, c) }) // never greets
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	acct := testAccount(t, addr, SecurityNone)
	_, err := dialPOP3(ctx, acct.Incoming, "", nil, time.Minute)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cancel took %v", d)
	}
}

func TestCAPAHints(t *testing.T) {
	f := mailtest.NewPOP3("USER", "UIDL", "LOGIN-DELAY 900 USER", "EXPIRE 30 USER", "PIPELINING")
	addr := f.Start(t)
	s, err := dialTest(t, addr, SecurityNone, nil, 5*time.Second, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if !s.caps.pipelining || !s.caps.uidl || !s.caps.user || s.caps.loginDelay != 900*time.Second || s.caps.expireDays != 30 {
		t.Errorf("caps = %+v", s.caps)
	}
	// Per-user values are asked again after login (RFC 2449 section 6).
	f.Set(func(f *mailtest.POP3) { f.Caps = []string{"USER", "LOGIN-DELAY 60", "EXPIRE NEVER"} })
	if err := s.login("alice", "secret"); err != nil {
		t.Fatal(err)
	}
	h := s.caps.hints(ServerHints{ExpireWarned: true})
	if h.LoginDelay != time.Minute || h.ExpireDays != -1 || !h.ExpireWarned {
		t.Errorf("hints after login = %+v", h)
	}
	for _, tc := range []struct {
		caps []string
		days int
	}{
		{nil, -1}, {[]string{"EXPIRE 0"}, 0}, {[]string{"EXPIRE never"}, -1}, {[]string{"EXPIRE x"}, -1}, {[]string{"EXPIRE 5"}, 5},
	} {
		f := mailtest.NewPOP3(tc.caps...)
		f.Caps = tc.caps
		s, err := dialTest(t, f.Start(t), SecurityNone, nil, 5*time.Second, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if s.caps.expireDays != tc.days {
			t.Errorf("CAPA %q: expireDays = %d, want %d", tc.caps, s.caps.expireDays, tc.days)
		}
	}
}

func TestPipelining(t *testing.T) {
	for _, pipelining := range []bool{true, false} {
		t.Run(fmt.Sprintf("PIPELINING=%v", pipelining), func(t *testing.T) {
			caps := []string{"USER", "UIDL"}
			if pipelining {
				caps = append(caps, "PIPELINING")
			}
			f := mailtest.NewPOP3(caps...)
			f.WaitAhead = true
			var want [][]byte
			for i := 0; i < 200; i++ {
				raw := fmt.Sprintf("Subject: %d\r\n\r\n.%s\r\n", i, strings.Repeat("x", i*37))
				f.Add(fmt.Sprintf("u%d", i), raw)
				want = append(want, []byte(raw))
			}
			s, err := dialTest(t, f.Start(t), SecurityNone, nil, 5*time.Second, "alice", "secret")
			if err != nil {
				t.Fatal(err)
			}
			got := retrAll(t, s)
			if len(got) != len(want) {
				t.Fatalf("got %d messages, want %d", len(got), len(want))
			}
			for i := range want {
				if !bytes.Equal(got[i], want[i]) {
					t.Fatalf("message %d differs", i)
				}
			}
			pipelined := f.Pipelined()
			if pipelined != pipelining {
				t.Errorf("commands sent ahead: %v, want %v", pipelined, pipelining)
			}
		})
	}
}

func TestCheckPOP3(t *testing.T) {
	f := mailtest.NewPOP3("USER", "UIDL", "LOGIN-DELAY 300", "EXPIRE 0").Add("u1", "Subject: a\r\n\r\nx\r\n")
	addr := f.Start(t)
	acct := testAccount(t, addr, SecurityNone)
	before := time.Now()
	h, err := CheckPOP3(context.Background(), acct, nil)
	if err != nil {
		t.Fatal(err)
	}
	if h.LoginDelay != 5*time.Minute || h.ExpireDays != 0 || h.LastLogin.Before(before) {
		t.Errorf("hints = %+v", h)
	}
	if cmds := f.Commands(); cmds[len(cmds)-1] != "QUIT" || !containsString(cmds, "STAT") {
		t.Errorf("commands = %q, want a STAT and a QUIT", cmds)
	}

	acct.Incoming.Password = "wrong"
	if _, err := CheckPOP3(context.Background(), acct, nil); !errors.Is(err, ErrAuth) {
		t.Errorf("wrong password: err = %v, want ErrAuth", err)
	}
	acct.Incoming.Password = ""
	acct.Incoming.PasswordCmd = "echo secret"
	if _, err := CheckPOP3(context.Background(), acct, nil); err != nil {
		t.Errorf("password command: %v", err)
	}
}

// ---------------------------------------------------------------------------
// TLSConfig

func TestTLSConfig(t *testing.T) {
	f := mailtest.NewPOP3("USER", "UIDL")
	addr, _, caFile := mailtest.FakeTLS(t, f.Serve)
	acct := testAccount(t, addr, SecuritySSL)
	t.Setenv("SSL_CERT_FILE", "")

	t.Run("system roots only: refused", func(t *testing.T) {
		conf, err := TLSConfig(acct)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dialTest(t, addr, SecuritySSL, conf, 5*time.Second, "", ""); !errors.Is(err, ErrCertificate) {
			t.Errorf("err = %v, want ErrCertificate", err)
		}
	})
	t.Run("account CA file", func(t *testing.T) {
		a := acct
		a.CAFile = caFile
		conf, err := TLSConfig(a)
		if err != nil {
			t.Fatal(err)
		}
		if conf.ServerName != "127.0.0.1" || conf.MinVersion < tls.VersionTLS12 {
			t.Errorf("conf: ServerName %q, MinVersion %x", conf.ServerName, conf.MinVersion)
		}
		if _, err := dialTest(t, addr, SecuritySSL, conf, 5*time.Second, "alice", "secret"); err != nil {
			t.Error(err)
		}
	})
	t.Run("SSL_CERT_FILE", func(t *testing.T) {
		t.Setenv("SSL_CERT_FILE", caFile)
		conf, err := TLSConfig(acct)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dialTest(t, addr, SecuritySSL, conf, 5*time.Second, "alice", "secret"); err != nil {
			t.Error(err)
		}
	})
	t.Run("bad files", func(t *testing.T) {
		a := acct
		a.CAFile = "/nonexistent/ca.pem"
		if _, err := TLSConfig(a); err == nil {
			t.Error("a missing CA file was accepted")
		}
		empty := t.TempDir() + "/empty.pem"
		os.WriteFile(empty, []byte("not a certificate\n"), 0o600)
		a.CAFile = empty
		if _, err := TLSConfig(a); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
			t.Errorf("a CA file without certificates: err = %v", err)
		}
		t.Setenv("SSL_CERT_FILE", empty)
		if _, err := TLSConfig(acct); err == nil || !strings.Contains(err.Error(), "SSL_CERT_FILE") {
			t.Errorf("an SSL_CERT_FILE without certificates: err = %v", err)
		}
	})
}

// TestSystemCertPoolHonoursSSLCertFile checks, in a fresh process (the
// system pool is loaded once per process), that Go's own system pool reads
// SSL_CERT_FILE on this platform, which TLSConfig's doc comment relies on.
func TestSystemCertPoolHonoursSSLCertFile(t *testing.T) {
	if addr := os.Getenv("POPBOX_SYSTEM_POOL_ADDR"); addr != "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			t.Fatal(err)
		}
		c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "localhost"})
		if err != nil {
			t.Fatalf("the system pool does not trust the SSL_CERT_FILE CA: %v", err)
		}
		c.Close()
		return
	}
	if _, err := os.Stat("/etc/ssl/certs"); err != nil {
		t.Skip("not a Linux-like system")
	}
	addr, _, caFile := mailtest.FakeTLS(t, func(c net.Conn) { io.WriteString(c, "+OK\r\n") })
	cmd := exec.Command(os.Args[0], "-test.run=^TestSystemCertPoolHonoursSSLCertFile$", "-test.count=1")
	cmd.Env = append(os.Environ(), "POPBOX_SYSTEM_POOL_ADDR="+addr, "SSL_CERT_FILE="+caFile)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("child: %v\n%s", err, out)
	}
}
