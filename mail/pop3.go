package mail

// This is the one file that imports github.com/knadh/go-pop3. Measured
// against Dovecot and fake servers, v1.0.0 gets these things wrong, and each
// is fixed here and pinned by a test in pop3_test.go:
//
//   - it does not undo dot-stuffing (RFC 1939 section 3): ".x" sent as "..x"
//     comes back as "..x";
//   - it reads lines with bufio.Reader.ReadLine and ignores isPrefix, so a
//     line over 4,096 bytes gets a CRLF inserted, and a 4,097-byte line
//     ending in "." ends the message early; the rest is then read as the
//     answer to the next command, so message content can answer commands;
//   - it sets no read or write deadline: a silent greeting, TLS handshake or
//     RETR blocks for ever;
//   - it panics on a STAT answer "+OK" or "+OK 3" and on a LIST or UIDL
//     line with one field, and takes an empty answer to PASS as success;
//   - it sends CR and LF inside arguments ("USER a\r\nDELE 1" is two commands);
//   - its TLS trusts only the system roots (no CA file) and it has no CAPA,
//     STLS, SASL or pipelining.
//
// What it does correctly is kept: go-pop3 opens the session over a
// connection this file dials (TLS, STLS and deadlines done here), checks the
// greeting, and writes every single command (Conn.Send). Every reply is read
// by this file's own reader, which go-pop3 never sees: the connection handed
// to it replays the greeting and then refuses to read. Pipelined RETR and
// DELE batches are written here too, in one write per window.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-sasl"
	pop3 "github.com/knadh/go-pop3"
)

const (
	// defaultIdleTimeout bounds every read and write that makes no progress.
	defaultIdleTimeout = 30 * time.Second
	// readBufferSize is the reader's buffer: a reply line (not a message
	// line) longer than this is a protocol error.
	readBufferSize = 256 << 10
	// pipelineWindow and pipelineBytes bound the commands in flight (see
	// window): commands are tiny, so the socket buffers can never fill up
	// in both directions; the byte bound (of announced RETR replies) keeps
	// a broken-off session from having asked for far more than it reads.
	pipelineWindow = 128
	pipelineBytes  = 16 << 20
	// minTransferRate (bytes per second) scales the overall bound of one
	// message (see retrBound): a server trickling a byte before each idle
	// deadline still ends in a timeout.
	minTransferRate = 4 << 10
	// maxListing bounds a CAPA, UIDL or LIST answer (UIDL of 100,000
	// messages is about 2.5 MB).
	maxListing = 64 << 20
	// maxCommandLine is RFC 2449's limit on a command line, CRLF excluded.
	maxCommandLine = 253
)

// AuthError is a login the server refused (its answer to USER, PASS or AUTH).
// It wraps ErrAuth; Host and User let the UI say whose password to change.
type AuthError struct {
	Host  string
	User  string
	Reply string // the server's words after -ERR, possibly empty
}

// Error reads "pop.example.com refused the login for ann: [AUTH] Authentication failed."
func (e *AuthError) Error() string {
	reply := e.Reply
	if reply == "" {
		reply = "no reason given"
	}
	return fmt.Sprintf("%s refused the login for %s: %s", e.Host, e.User, reply)
}

// Unwrap makes errors.Is(err, ErrAuth) true.
func (e *AuthError) Unwrap() error { return ErrAuth }

// deadlineConn sets a fresh deadline before every Read and Write, so that no
// single call can block longer than idle; bound (Unix nanoseconds, 0 for
// none) caps the deadline further for a whole operation.
type deadlineConn struct {
	net.Conn
	idle  time.Duration
	bound atomic.Int64
}

func (c *deadlineConn) deadline() time.Time {
	d := time.Now().Add(c.idle)
	if b := c.bound.Load(); b != 0 && b < d.UnixNano() {
		return time.Unix(0, b)
	}
	return d
}

// setBound limits every read and write to d from now; 0 lifts the limit.
func (c *deadlineConn) setBound(d time.Duration) {
	if d <= 0 {
		c.bound.Store(0)
		return
	}
	c.bound.Store(time.Now().Add(d).UnixNano())
}

func (c *deadlineConn) Read(b []byte) (int, error) {
	if err := c.Conn.SetReadDeadline(c.deadline()); err != nil {
		return 0, err
	}
	return c.Conn.Read(b)
}

func (c *deadlineConn) Write(b []byte) (int, error) {
	if err := c.Conn.SetWriteDeadline(c.deadline()); err != nil {
		return 0, err
	}
	return c.Conn.Write(b)
}

// errLibRead is what go-pop3 gets if it ever tries to read a reply itself.
var errLibRead = errors.New("go-pop3 must not read replies; popbox's reader does")

// libConn is the connection go-pop3 is given: it replays the greeting this
// file has already read and checked, then refuses every read, so no reply
// byte can end up in go-pop3's buffer. Writes go to the session's current
// connection (plain, or TLS after STLS).
type libConn struct {
	net.Conn
	s        *session
	greeting *bytes.Reader
}

func (c *libConn) Read(b []byte) (int, error) {
	if c.greeting.Len() > 0 {
		return c.greeting.Read(b)
	}
	return 0, errLibRead
}

func (c *libConn) Write(b []byte) (int, error) { return c.s.conn.Write(b) }

// libDialer hands go-pop3 its one connection.
type libDialer struct{ c net.Conn }

func (d libDialer) Dial(network, addr string) (net.Conn, error) { return d.c, nil }

// session is one POP3 connection.
type session struct {
	ctx  context.Context
	addr string // host:port, for messages
	host string
	// caFile is the account's CA file, named when a certificate is refused.
	caFile string
	tcp    *deadlineConn // the TCP connection with its deadlines
	conn   net.Conn      // what commands travel over: tcp, or TLS over it
	r      *bufio.Reader
	lib    *pop3.Conn
	caps   capabilities
	// lfOnly: the server ends its own lines with a bare LF (its greeting
	// did), so LF "." LF ends its replies; see readBody.
	lfOnly bool
	stop   func() bool // undoes the close-on-cancel hook
}

// dialPOP3 connects to srv with its security, reads the greeting, does
// STLS when asked to, and reads CAPA. The context closes the connection
// when it is cancelled, whatever the session is doing then.
func dialPOP3(ctx context.Context, srv Server, caFile string, tlsConf *tls.Config, idle time.Duration) (*session, error) {
	if idle <= 0 {
		idle = defaultIdleTimeout
	}
	s := &session{ctx: ctx, addr: srv.Address(), host: srv.Host, caFile: caFile}
	if srv.Security != SecuritySSL && srv.Security != SecurityStartTLS && srv.Security != SecurityNone {
		return nil, fmt.Errorf("security %v is not one of ssl, starttls, none", srv.Security)
	}
	if srv.Security != SecurityNone && tlsConf == nil {
		return nil, errors.New("no TLS configuration")
	}
	d := net.Dialer{Timeout: idle}
	raw, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("connect to %s: %w", s.addr, ctx.Err())
		}
		// A refused port, an unknown name and a host that never answers
		// the SYN all mean the same to the user: check host and port.
		return nil, fmt.Errorf("connect to %s: %w: %w", s.addr, ErrUnreachable, err)
	}
	s.tcp = &deadlineConn{Conn: raw, idle: idle}
	s.conn = s.tcp
	s.stop = context.AfterFunc(ctx, func() { raw.Close() })
	// The whole opening is bounded too, so that a server sending a byte
	// now and then cannot keep it going for ever.
	s.tcp.setBound(4 * idle)
	if err := s.open(srv.Security, tlsConf); err != nil {
		s.close()
		return nil, err
	}
	s.tcp.setBound(0)
	return s, nil
}

func (s *session) open(sec Security, tlsConf *tls.Config) error {
	if sec == SecuritySSL {
		if err := s.handshake(tlsConf); err != nil {
			return err
		}
	}
	s.r = bufio.NewReaderSize(s.conn, readBufferSize)
	greeting, err := s.greeting(sec != SecuritySSL)
	if err != nil {
		return err
	}
	lc := &libConn{Conn: s.tcp, s: s, greeting: bytes.NewReader(greeting)}
	lib, err := pop3.New(pop3.Opt{Host: s.host, Dialer: libDialer{lc}}).NewConn()
	if err != nil {
		return fmt.Errorf("greeting from %s: %w: %s", s.addr, ErrProtocol, serverText([]byte(err.Error())))
	}
	s.lib = lib
	if err := s.capa(); err != nil {
		return err
	}
	if sec == SecurityStartTLS {
		if err := s.starttls(tlsConf); err != nil {
			return err
		}
		// RFC 2595 section 4: what the server said before TLS is forgotten
		// and asked again over the protected connection.
		return s.capa()
	}
	return nil
}

// greeting reads and checks the server's first line and returns it, with
// CRLF, for go-pop3 to read again.
func (s *session) greeting(plain bool) ([]byte, error) {
	if plain {
		p, err := s.r.Peek(1)
		if err != nil {
			if isTimeout(err) && s.ctx.Err() == nil {
				return nil, fmt.Errorf("%s sent no greeting within %v (if the port expects SSL/TLS from the first byte, as 995 does, choose security ssl): %w",
					s.addr, s.tcp.idle, ErrTimeout)
			}
			return nil, s.netErr("greeting", err)
		}
		// A POP3 greeting starts with + or -; 0x15 and 0x16 start a TLS
		// alert or handshake record: a TLS port spoken to in plain text.
		if p[0] == 0x15 || p[0] == 0x16 {
			return nil, fmt.Errorf("%s answered with TLS; the port expects SSL/TLS from the first byte, so choose security ssl: %w", s.addr, ErrTLSMismatch)
		}
	}
	line, crlf, err := s.readLineEnd("greeting")
	if err != nil {
		return nil, err
	}
	// A server that ends its own lines with a bare LF ends its replies with
	// LF "." LF too; every other server is held to CRLF (see readBody).
	s.lfOnly = !crlf
	ok, text, err := s.parseStatus("greeting", line)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%s refused the connection: -ERR %s: %w", s.addr, serverText(text), ErrUnreachable)
	}
	// go-pop3 reads the greeting with a 4 KiB line reader; a short one is
	// all it needs to check.
	if len(line) > 512 {
		line = line[:512]
	}
	return append(append([]byte(nil), line...), '\r', '\n'), nil
}

// handshake runs TLS over the TCP connection (implicit TLS, or after STLS).
func (s *session) handshake(conf *tls.Config) error {
	c := conf.Clone()
	if c.ServerName == "" {
		c.ServerName = strings.TrimSuffix(strings.TrimPrefix(s.host, "["), "]")
	}
	tc := tls.Client(s.tcp, c)
	if err := tc.HandshakeContext(s.ctx); err != nil {
		return s.tlsErr(err)
	}
	s.conn = tc
	return nil
}

func (s *session) tlsErr(err error) error {
	var rh tls.RecordHeaderError
	switch {
	case s.ctx.Err() != nil:
		return fmt.Errorf("TLS handshake with %s: %w", s.addr, s.ctx.Err())
	case errors.As(err, &rh):
		return fmt.Errorf("TLS handshake with %s: the server does not speak TLS on this port (it began with %q); choose security starttls or none, or the SSL port: %w",
			s.addr, rh.RecordHeader[:], ErrTLSMismatch)
	}
	if ce := certError(s.host, s.caFile, err); ce != nil {
		return fmt.Errorf("TLS handshake with %s: %w", s.addr, ce)
	}
	return s.netErr("TLS handshake", err)
}

// starttls upgrades the plain connection with STLS (RFC 2595).
func (s *session) starttls(conf *tls.Config) error {
	if s.caps.known && !s.caps.stls {
		return fmt.Errorf("%s does not list STLS in CAPA, and popbox will not send the password unencrypted: %w", s.addr, ErrNoSTARTTLS)
	}
	ok, text, err := s.cmd("STLS")
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s refused STLS (-ERR %s): %w", s.addr, serverText(text), ErrNoSTARTTLS)
	}
	// Anything already buffered was sent in plain text before the
	// handshake and could have been injected by a man in the middle
	// (CVE-2011-0411); it must not be read as a reply over TLS.
	if s.r.Buffered() > 0 {
		return fmt.Errorf("%s sent data after its STLS answer: %w", s.addr, ErrProtocol)
	}
	if err := s.handshake(conf); err != nil {
		return err
	}
	s.r.Reset(s.conn)
	return nil
}

// checkArg refuses what would let an argument smuggle a second command or
// cut one short: CR, LF and NUL.
func checkArg(what, v string) error {
	if strings.ContainsAny(v, "\r\n\x00") {
		return fmt.Errorf("the %s contains a line break or NUL character, which POP3 cannot carry; enter it again", what)
	}
	return nil
}

// send writes one command through go-pop3 (which adds CRLF and flushes).
func (s *session) send(verb string, args ...string) error {
	line := verb
	for _, a := range args {
		if err := checkArg(strings.ToLower(verb)+" argument", a); err != nil {
			return err
		}
		line += " " + a
	}
	if len(line) > maxCommandLine {
		return fmt.Errorf("%s command longer than POP3 allows (%d bytes)", verb, len(line))
	}
	if err := s.lib.Send(line); err != nil {
		return s.netErr(verb, err)
	}
	return nil
}

// cmd sends a command and reads its status line: ok is +OK, text the rest
// of the line (valid until the next read).
func (s *session) cmd(verb string, args ...string) (ok bool, text []byte, err error) {
	if err := s.send(verb, args...); err != nil {
		return false, nil, err
	}
	return s.status(verb)
}

// loginErr classifies a refused USER, PASS or AUTH by its response code
// (RFC 2449, RFC 3206), or, without one, by the usual wording of a locked
// mailbox.
func (s *session) loginErr(user string, text []byte) error {
	reply := serverText(text)
	switch code := responseCode(text); {
	case code == "IN-USE" || strings.HasPrefix(code, "SYS/"):
		return fmt.Errorf("%s could not open the mailbox of %s (%s): %w", s.host, user, reply, ErrMailbox)
	case code == "LOGIN-DELAY":
		return fmt.Errorf("%s refused the login of %s as too soon after the last one (%s): %w", s.host, user, reply, ErrLoginDelay)
	case code == "":
		low := strings.ToLower(reply)
		if strings.Contains(low, "lock") || strings.Contains(low, "in use") || strings.Contains(low, "busy") {
			return fmt.Errorf("%s could not open the mailbox of %s (%s): %w", s.host, user, reply, ErrMailbox)
		}
	}
	return &AuthError{Host: s.host, User: user, Reply: reply}
}

// login authenticates with USER and PASS (RFC 1939), or with SASL PLAIN
// (RFC 5034) when the server refuses USER and CAPA offers PLAIN. Per-user
// capabilities are asked again afterwards.
func (s *session) login(user, pass string) error {
	if err := checkArg("user name", user); err != nil {
		return err
	}
	if err := checkArg("password", pass); err != nil {
		return err
	}
	ok, text, err := s.cmd("USER", user)
	if err != nil {
		return err
	}
	if !ok {
		if !s.caps.hasSASL(sasl.Plain) {
			return s.loginErr(user, text)
		}
		err = s.authPlain(user, pass)
	} else {
		ok, text, err = s.cmd("PASS", pass)
		if err == nil && !ok {
			err = s.loginErr(user, text)
		}
	}
	if err != nil {
		return err
	}
	// RFC 2449 section 6.0: LOGIN-DELAY and EXPIRE marked USER may differ
	// once the user is known.
	if s.caps.loginDelayPerUser || s.caps.expirePerUser {
		return s.capa()
	}
	return nil
}

// authPlain runs AUTH PLAIN, with the initial response on the command line
// unless that would make it too long (RFC 5034 section 4).
func (s *session) authPlain(user, pass string) error {
	c := sasl.NewPlainClient("", user, pass)
	mech, ir, err := c.Start()
	if err != nil {
		return err
	}
	pending := base64.StdEncoding.EncodeToString(ir)
	if len("AUTH ")+len(mech)+1+len(pending) <= maxCommandLine {
		err = s.send("AUTH", mech, pending)
		pending = ""
	} else {
		err = s.send("AUTH", mech)
	}
	if err != nil {
		return err
	}
	for round := 0; round < 8; round++ {
		line, err := s.readLine("AUTH")
		if err != nil {
			return err
		}
		if len(line) > 0 && line[0] == '+' && (len(line) == 1 || line[1] == ' ') {
			resp := pending
			pending = ""
			if resp == "" {
				chal, derr := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(line[1:])))
				var r []byte
				if derr == nil {
					r, derr = c.Next(chal)
				}
				if derr != nil {
					// RFC 5034: "*" cancels the exchange.
					if err := s.lib.Send("*"); err != nil {
						return s.netErr("AUTH", err)
					}
					if _, _, err := s.status("AUTH"); err != nil {
						return err
					}
					return fmt.Errorf("AUTH PLAIN with %s: %w", s.addr, derr)
				}
				resp = base64.StdEncoding.EncodeToString(r)
			}
			if err := s.lib.Send(resp); err != nil {
				return s.netErr("AUTH", err)
			}
			continue
		}
		ok, text, err := s.parseStatus("AUTH", line)
		if err != nil {
			return err
		}
		if !ok {
			return s.loginErr(user, text)
		}
		return nil
	}
	return fmt.Errorf("AUTH PLAIN with %s: too many challenges: %w", s.addr, ErrProtocol)
}

// stat asks STAT and checks that the answer is "+OK count size" (a short
// answer makes go-pop3 panic).
func (s *session) stat() (count int, size int64, err error) {
	ok, text, err := s.cmd("STAT")
	if err != nil {
		return 0, 0, err
	}
	if !ok {
		return 0, 0, fmt.Errorf("%s could not open the mailbox (STAT: -ERR %s): %w", s.host, serverText(text), ErrMailbox)
	}
	f := bytes.Fields(text)
	if len(f) >= 2 {
		count, err1 := strconv.Atoi(string(f[0]))
		size, err2 := strconv.ParseInt(string(f[1]), 10, 64)
		if err1 == nil && err2 == nil && count >= 0 && size >= 0 {
			return count, size, nil
		}
	}
	return 0, 0, fmt.Errorf("STAT: %s answered %s instead of a count and a size: %w", s.addr, quoteShort(text), ErrProtocol)
}

// quit ends the session with QUIT; only a +OK means the server applied the
// deletions (RFC 1939 section 6, the UPDATE state).
func (s *session) quit() error {
	ok, text, err := s.cmd("QUIT")
	s.close()
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("QUIT: %s answered -ERR %s; the messages marked for deletion may still be on the server: %w", s.host, serverText(text), ErrQuitRefused)
	}
	return nil
}

// close drops the connection without QUIT: nothing marked is deleted.
func (s *session) close() {
	if s.stop != nil {
		s.stop()
	}
	if s.tcp != nil {
		s.tcp.Close()
	}
}

// CheckPOP3 connects to the account's incoming server, reads CAPA, logs in,
// opens the mailbox (STAT) and says QUIT: the connection test of `popbox
// check`, `account add` and the wizard. tlsConf may be nil for
// TLSConfig(acct). The hints returned carry the server's LOGIN-DELAY and
// EXPIRE and LastLogin set to now.
func CheckPOP3(ctx context.Context, acct Account, tlsConf *tls.Config) (ServerHints, error) {
	var err error
	if tlsConf == nil && acct.Incoming.Security != SecurityNone {
		if tlsConf, err = TLSConfig(acct); err != nil {
			return acct.Hints, err
		}
	}
	pass, err := acct.Incoming.ResolvePassword(ctx)
	if err != nil {
		return acct.Hints, err
	}
	s, err := dialPOP3(ctx, acct.Incoming, acct.CAFile, tlsConf, defaultIdleTimeout)
	if err != nil {
		return acct.Hints, err
	}
	defer s.close()
	if err := s.login(acct.Incoming.User, pass); err != nil {
		return acct.Hints, err
	}
	h := s.caps.hints(acct.Hints)
	h.LastLogin = time.Now()
	if _, _, err := s.stat(); err != nil {
		return h, err
	}
	return h, s.quit()
}
