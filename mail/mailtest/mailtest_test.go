package mailtest

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// popConn is a minimal POP3 client for checking the harness.
type popConn struct {
	t testing.TB
	c net.Conn
	r *bufio.Reader
}

func dialPOP(t testing.TB, addr string, tlsConf *tls.Config) *popConn {
	t.Helper()
	var c net.Conn
	var err error
	if tlsConf != nil {
		c, err = tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, tlsConf)
	} else {
		c, err = net.DialTimeout("tcp", addr, 5*time.Second)
	}
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	p := &popConn{t: t, c: c, r: bufio.NewReader(c)}
	if line := p.line(); !strings.HasPrefix(line, "+OK") {
		t.Fatalf("greeting: %q", line)
	}
	return p
}

func (p *popConn) line() string {
	p.t.Helper()
	l, err := p.r.ReadString('\n')
	if err != nil {
		p.t.Fatalf("read: %v", err)
	}
	return strings.TrimRight(l, "\r\n")
}

// try sends one command and returns its status line.
func (p *popConn) try(cmd string) string {
	p.t.Helper()
	if _, err := fmt.Fprintf(p.c, "%s\r\n", cmd); err != nil {
		p.t.Fatalf("write %q: %v", cmd, err)
	}
	return p.line()
}

func (p *popConn) ok(cmd string) string {
	p.t.Helper()
	l := p.try(cmd)
	if !strings.HasPrefix(l, "+OK") {
		p.t.Fatalf("%s: %q", strings.Fields(cmd)[0], l)
	}
	return l
}

// multi reads a multi-line response body, dot-unstuffed, CRLF kept.
func (p *popConn) multi() []byte {
	p.t.Helper()
	var b bytes.Buffer
	for {
		l, err := p.r.ReadString('\n')
		if err != nil {
			p.t.Fatalf("read: %v", err)
		}
		if l == ".\r\n" {
			return b.Bytes()
		}
		b.WriteString(strings.TrimPrefix(l, "."))
	}
}

func (p *popConn) login(user, pass string) string {
	p.t.Helper()
	p.ok("USER " + user)
	return p.try("PASS " + pass)
}

// stat returns the message count of STAT.
func (p *popConn) stat() int {
	p.t.Helper()
	f := strings.Fields(p.ok("STAT"))
	n, err := strconv.Atoi(f[1])
	if err != nil {
		p.t.Fatalf("STAT: %v", err)
	}
	return n
}

func (p *popConn) uidl() []string {
	p.t.Helper()
	p.ok("UIDL")
	var uids []string
	for _, l := range strings.Split(strings.TrimSpace(string(p.multi())), "\r\n") {
		if f := strings.Fields(l); len(f) == 2 {
			uids = append(uids, f[1])
		}
	}
	return uids
}

var testMessages = [][]byte{
	[]byte("From: a@example.com\nSubject: one\n\nLF line ends.\n.leading dot\n..two dots\n"),
	[]byte("From: b@example.com\r\nSubject: two\r\n\r\nCRLF line ends.\r\n.\r\n"),
	[]byte("From: c@example.com\nSubject: three\n\nno final line end"),
}

func TestDovecot(t *testing.T) {
	t.Parallel()
	start := time.Now()
	s := Start(t, Options{Submission: true})
	t.Logf("Start took %v", time.Since(start))
	popAddr := net.JoinHostPort(s.Host, strconv.Itoa(s.POPPort))
	popsAddr := net.JoinHostPort(s.Host, strconv.Itoa(s.POPSPort))
	tlsConf := &tls.Config{RootCAs: s.CAPool, ServerName: "localhost"}

	caPEM, err := os.ReadFile(s.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	if pool := x509.NewCertPool(); !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("CAFile %s holds no certificate", s.CAFile)
	}

	t.Run("plain", func(t *testing.T) {
		p := dialPOP(t, popAddr, nil)
		p.ok("CAPA")
		capa := string(p.multi())
		for _, want := range []string{"STLS", "PIPELINING", "UIDL", "USER"} {
			if !strings.Contains(capa, want) {
				t.Errorf("CAPA lacks %s:\n%s", want, capa)
			}
		}
		if l := p.login("alice", "secret"); !strings.HasPrefix(l, "+OK") {
			t.Fatalf("PASS: %q", l)
		}
		if n := p.stat(); n != 0 {
			t.Errorf("STAT on an empty maildir: %d messages", n)
		}
		p.ok("QUIT")
	})

	t.Run("stls", func(t *testing.T) {
		p := dialPOP(t, popAddr, nil)
		p.ok("STLS")
		tc := tls.Client(p.c, tlsConf)
		if err := tc.Handshake(); err != nil {
			t.Fatalf("STLS handshake: %v", err)
		}
		p.c, p.r = tc, bufio.NewReader(tc)
		if l := p.login("alice", "secret"); !strings.HasPrefix(l, "+OK") {
			t.Fatalf("PASS: %q", l)
		}
		p.ok("QUIT")
	})

	t.Run("pop3s", func(t *testing.T) {
		p := dialPOP(t, popsAddr, &tls.Config{RootCAs: s.CAPool, ServerName: "127.0.0.1"})
		if l := p.login("alice", "secret"); !strings.HasPrefix(l, "+OK") {
			t.Fatalf("PASS: %q", l)
		}
		p.ok("QUIT")
	})

	t.Run("pop3s untrusted", func(t *testing.T) {
		_, err := tls.Dial("tcp", popsAddr, &tls.Config{ServerName: "localhost", RootCAs: x509.NewCertPool()})
		var unknown x509.UnknownAuthorityError
		if !errors.As(err, &unknown) {
			t.Errorf("dial with an empty pool: %v, want x509.UnknownAuthorityError", err)
		}
	})

	t.Run("deliver and retrieve", func(t *testing.T) {
		for _, m := range testMessages {
			s.Deliver(t, "alice", m)
		}
		if n := s.Count(t, "alice"); n != 3 {
			t.Fatalf("Count = %d, want 3", n)
		}
		p := dialPOP(t, popsAddr, tlsConf)
		p.login("alice", "secret")
		if n := p.stat(); n != 3 {
			t.Fatalf("STAT: %d messages, want 3", n)
		}
		uids := p.uidl()
		checkUIDOrder(t, uids, 3)
		box := s.Mailbox(t, "alice")
		for i := range box {
			p.ok(fmt.Sprintf("RETR %d", i+1))
			got := p.multi()
			if !bytes.Equal(got, box[i]) {
				t.Errorf("message %d: RETR gave\n%q\nMailbox says\n%q", i+1, got, box[i])
			}
		}
		p.ok("QUIT")

		// Deliveries while Dovecot already indexed the maildir get later UIDs.
		s.Deliver(t, "alice", []byte("Subject: four\n\nfour\n"))
		s.Deliver(t, "alice", []byte("Subject: five\n\nfive\n"))
		p = dialPOP(t, popAddr, nil)
		p.login("alice", "secret")
		uids2 := p.uidl()
		checkUIDOrder(t, uids2, 5)
		for i, u := range uids {
			if uids2[i] != u {
				t.Errorf("UIDL %d changed from %s to %s", i+1, u, uids2[i])
			}
		}
		box = s.Mailbox(t, "alice")
		p.ok("RETR 5")
		if got := p.multi(); !bytes.Equal(got, box[4]) {
			t.Errorf("RETR 5 = %q, Mailbox says %q", got, box[4])
		}
		// pop3_no_flag_updates: nothing deleted, nothing changed by RETR.
		p.ok("QUIT")
		if n := s.Count(t, "alice"); n != 5 {
			t.Errorf("Count after QUIT = %d, want 5", n)
		}
	})

	t.Run("submission", func(t *testing.T) {
		subAddr := net.JoinHostPort(s.Host, strconv.Itoa(s.SubmissionPort))
		subsAddr := net.JoinHostPort(s.Host, strconv.Itoa(s.SubmissionsPort))
		dial := []struct {
			name string
			dial func() (*smtp.Client, error)
		}{
			{"starttls", func() (*smtp.Client, error) { return smtp.DialStartTLS(subAddr, tlsConf) }},
			{"implicit tls", func() (*smtp.Client, error) { return smtp.DialTLS(subsAddr, tlsConf) }},
		}
		for _, d := range dial {
			t.Run(d.name, func(t *testing.T) {
				c, err := d.dial()
				if err != nil {
					t.Fatalf("dial: %v", err)
				}
				defer c.Close()
				if ok, _ := c.Extension("AUTH"); !ok {
					t.Fatalf("no AUTH offered")
				}
				err = c.Auth(sasl.NewPlainClient("", "alice", "wrong"))
				var se *smtp.SMTPError
				if !errors.As(err, &se) || se.Code != 535 {
					t.Fatalf("AUTH with a wrong password: %v, want 535", err)
				}
				if err := c.Auth(sasl.NewPlainClient("", "alice", "secret")); err != nil {
					t.Fatalf("AUTH: %v", err)
				}
				if err := c.Quit(); err != nil {
					t.Errorf("QUIT: %v", err)
				}
			})
		}

		t.Run("relay to sink", func(t *testing.T) {
			c, err := smtp.DialStartTLS(subAddr, tlsConf)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.Auth(sasl.NewPlainClient("", "alice", "secret")); err != nil {
				t.Fatalf("AUTH: %v", err)
			}
			msg := "From: alice@localhost\r\nTo: bob@example.com\r\nSubject: hi\r\n\r\nhello\r\n"
			if err := c.SendMail("alice@localhost", []string{"bob@example.com"}, strings.NewReader(msg)); err != nil {
				t.Fatalf("send: %v", err)
			}
			c.Quit()
			got := s.Sink()
			if len(got) != 1 || got[0].From != "alice@localhost" || len(got[0].To) != 1 ||
				got[0].To[0] != "bob@example.com" || !bytes.Contains(got[0].Data, []byte("hello\r\n")) {
				t.Errorf("sink got %+v", got)
			}
		})
	})

	// Last: it changes the password for the other subtests.
	t.Run("set password", func(t *testing.T) {
		p := dialPOP(t, popAddr, nil)
		if l := p.login("alice", "secret"); !strings.HasPrefix(l, "+OK") {
			t.Fatalf("PASS: %q", l)
		}
		p.ok("QUIT")
		// Same length as the old one: Dovecot must notice by mtime alone.
		s.SetPassword(t, "alice", "secreT")
		p = dialPOP(t, popAddr, nil)
		if l := p.login("alice", "secret"); !strings.HasPrefix(l, "-ERR") {
			t.Fatalf("old password after SetPassword: %q, want -ERR", l)
		}
		p = dialPOP(t, popAddr, nil)
		if l := p.login("alice", "secreT"); !strings.HasPrefix(l, "+OK") {
			t.Fatalf("new password: %q", l)
		}
		p.ok("QUIT")
		c, err := smtp.DialStartTLS(net.JoinHostPort(s.Host, strconv.Itoa(s.SubmissionPort)), tlsConf)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Auth(sasl.NewPlainClient("", "alice", "secret")); err == nil {
			t.Errorf("submission accepted the old password")
		}
	})
}

// checkUIDOrder checks n UIDs of the default format %08Xu%08Xv: UID (hex)
// then UIDVALIDITY, ascending UIDs 1..n in delivery order.
func checkUIDOrder(t *testing.T, uids []string, n int) {
	t.Helper()
	if len(uids) != n {
		t.Fatalf("UIDL: %d entries, want %d: %v", len(uids), n, uids)
	}
	for i, u := range uids {
		if len(u) != 16 {
			t.Fatalf("UIDL %q: want 16 hex digits", u)
		}
		uid, err := strconv.ParseUint(u[:8], 16, 32)
		if err != nil || uid != uint64(i+1) {
			t.Errorf("UIDL %d = %q: UID %d, want %d", i+1, u, uid, i+1)
		}
	}
}

func TestUsersAndUIDLFormat(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{
		Users:      map[string]string{"ann": "pw-ann", "bob": "pw-bob"},
		UIDLFormat: "%f",
	})
	if s.SubmissionPort != 0 || s.SubmissionsPort != 0 {
		t.Errorf("submission ports without Options.Submission: %d %d", s.SubmissionPort, s.SubmissionsPort)
	}
	for i := 0; i < 12; i++ {
		s.Deliver(t, "bob", []byte(fmt.Sprintf("Subject: %d\n\nbody %d\n", i, i)))
	}
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.POPPort))
	p := dialPOP(t, addr, nil)
	if l := p.login("ann", "pw-ann"); !strings.HasPrefix(l, "+OK") {
		t.Fatalf("ann: %q", l)
	}
	if n := p.stat(); n != 0 {
		t.Errorf("ann has %d messages, want 0", n)
	}
	p = dialPOP(t, addr, nil)
	if l := p.login("bob", "pw-ann"); !strings.HasPrefix(l, "-ERR") {
		t.Fatalf("bob with ann's password: %q", l)
	}
	p = dialPOP(t, addr, nil)
	p.login("bob", "pw-bob")
	uids := p.uidl()
	box := s.Mailbox(t, "bob")
	if len(uids) != 12 || len(box) != 12 {
		t.Fatalf("UIDL %d, Mailbox %d, want 12", len(uids), len(box))
	}
	for i := range uids {
		// %f is the maildir base name, so UIDs are the delivery names.
		if !strings.Contains(uids[i], ".mailtest") {
			t.Errorf("UIDL %d = %q, want the file name", i+1, uids[i])
		}
		if i > 0 && parseName(uids[i-1]).compare(parseName(uids[i])) >= 0 {
			t.Errorf("UIDL out of delivery order: %q before %q", uids[i-1], uids[i])
		}
		p.ok(fmt.Sprintf("RETR %d", i+1))
		want := fmt.Sprintf("Subject: %d\r\n\r\nbody %d\r\n", i, i)
		if got := string(p.multi()); got != want || string(box[i]) != want {
			t.Errorf("message %d: RETR %q, Mailbox %q, want %q", i+1, got, box[i], want)
		}
	}
	p.ok("QUIT")
}

func TestParallelStart(t *testing.T) {
	t.Parallel()
	const n = 6
	servers := make([]*Server, n)
	// The group returns once every parallel sub-test and its cleanup ran.
	t.Run("group", func(t *testing.T) {
		for i := range servers {
			t.Run(strconv.Itoa(i), func(t *testing.T) {
				t.Parallel()
				s := Start(t, Options{Submission: i%2 == 0})
				servers[i] = s
				p := dialPOP(t, net.JoinHostPort(s.Host, strconv.Itoa(s.POPPort)), nil)
				if l := p.login("alice", "secret"); !strings.HasPrefix(l, "+OK") {
					t.Fatalf("PASS: %q", l)
				}
				p.ok("QUIT")
			})
		}
	})
	seen := map[int]bool{}
	for _, s := range servers {
		if s == nil {
			continue
		}
		for _, port := range []int{s.POPPort, s.POPSPort, s.SubmissionPort, s.SubmissionsPort} {
			if port != 0 && seen[port] {
				t.Errorf("port %d handed out twice", port)
			}
			seen[port] = true
		}
		if _, err := os.Stat(s.Dir); !os.IsNotExist(err) {
			t.Errorf("run dir %s still there after cleanup: %v", s.Dir, err)
		}
	}
}

func TestStopIdempotent(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.POPPort))
	s.Stop()
	s.Stop()
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after Stop", addr)
	}
	if _, err := os.Stat(s.Dir); !os.IsNotExist(err) {
		t.Errorf("run dir %s still there after Stop: %v", s.Dir, err)
	}
}

func TestToCRLF(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "\r\n"},
		{"lf", "a\nb\n", "a\r\nb\r\n"},
		{"crlf", "a\r\nb\r\n", "a\r\nb\r\n"},
		{"mixed", "a\r\nb\nc", "a\r\nb\r\nc\r\n"},
		{"leading lf", "\nx\n", "\r\nx\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(toCRLF([]byte(tt.in))); got != tt.want {
				t.Errorf("toCRLF(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFake(t *testing.T) {
	t.Parallel()
	addr := Fake(t, func(c net.Conn) {
		io.WriteString(c, "+OK fake\r\n")
		io.Copy(io.Discard, c) // then silent until cleanup closes c
	})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || line != "+OK fake\r\n" {
		t.Fatalf("greeting %q, %v", line, err)
	}
	// The silent part: a read times out.
	c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read from a silent fake: %v, want a timeout", err)
	}
}

func TestFakeTLS(t *testing.T) {
	t.Parallel()
	addr, pool, caFile := FakeTLS(t, func(c net.Conn) {
		if _, ok := c.(*tls.Conn); !ok {
			t.Errorf("FakeTLS handler got %T, want *tls.Conn", c)
		}
		io.WriteString(c, "+OK tls fake\r\n")
	})
	if _, err := os.Stat(caFile); err != nil {
		t.Fatal(err)
	}
	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || line != "+OK tls fake\r\n" {
		t.Fatalf("greeting %q, %v", line, err)
	}
	if _, err := tls.Dial("tcp", addr, &tls.Config{ServerName: "localhost"}); err == nil {
		t.Errorf("FakeTLS trusted without its CA")
	}
}

// TestDovecotCertOptions: Dovecot serves the certificate CertOptions ask
// for, CAFile and CAPool trust it (a self-signed one is its own CA), and
// SwapCert replaces it on every port while the server runs.
func TestDovecotCertOptions(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Submission: true, Cert: CertOptions{SelfSigned: true}})
	addrs := []string{net.JoinHostPort(s.Host, strconv.Itoa(s.POPSPort)), net.JoinHostPort(s.Host, strconv.Itoa(s.SubmissionsPort))}
	leaf := func(addr string, conf *tls.Config) (*x509.Certificate, error) {
		c, err := tls.Dial("tcp", addr, conf)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		return c.ConnectionState().PeerCertificates[0], nil
	}
	first := s.CertSHA256()
	for _, addr := range addrs {
		c, err := leaf(addr, &tls.Config{RootCAs: s.CAPool, ServerName: "localhost"})
		if err != nil {
			t.Fatalf("%s with CAPool: %v", addr, err)
		}
		if c.Subject.String() != c.Issuer.String() || sha256.Sum256(c.Raw) != first {
			t.Errorf("%s: subject %s, issuer %s, not the certificate of CertSHA256", addr, c.Subject, c.Issuer)
		}
		if _, err := leaf(addr, &tls.Config{RootCAs: x509.NewCertPool(), ServerName: "localhost"}); err == nil {
			t.Errorf("%s: verified without its certificate", addr)
		}
	}
	caPEM, err := os.ReadFile(s.CAFile)
	if err != nil || !bytes.Equal(caPEM, s.pki.certPEM) {
		t.Errorf("CAFile of a self-signed server does not hold its certificate (%v)", err)
	}

	s.SwapCert(t, CertOptions{Names: []string{"mail.other.test"}, Expired: true})
	if s.CertSHA256() == first {
		t.Fatal("SwapCert kept the certificate")
	}
	for _, addr := range addrs {
		c, err := leaf(addr, &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Fatalf("%s after SwapCert: %v", addr, err)
		}
		if sha256.Sum256(c.Raw) != s.CertSHA256() || c.DNSNames[0] != "mail.other.test" || c.NotAfter.After(time.Now()) {
			t.Errorf("%s after SwapCert: %v %v", addr, c.DNSNames, c.NotAfter)
		}
		// The new CA signed it; only its dates are wrong.
		block, _ := pem.Decode(s.pki.caPEM)
		ca, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.CheckSignatureFrom(ca); err != nil {
			t.Errorf("%s: not signed by the CA of CAPool: %v", addr, err)
		}
	}
	if l := dialPOP(t, addrs[0], &tls.Config{InsecureSkipVerify: true}).login("alice", "secret"); !strings.HasPrefix(l, "+OK") {
		t.Errorf("login after SwapCert: %q", l)
	}
}
