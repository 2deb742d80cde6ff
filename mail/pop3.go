package mail

// This is the one file that imports github.com/knadh/go-pop3 (v1.0.0), the
// design's POP3 client. It works on the session's real connection (lineConn:
// the TCP or TLS connection this file dialled, read one reply line at a time
// through popbox's reader) for what it gets right; popbox's own code does
// the rest. Each fault below is pinned by a TestGoPOP3Gap* test in
// pop3_test.go, which shows go-pop3 going wrong and popbox's path right.
//
// What go-pop3 does:
//   - it opens the session: NewConn reads and checks the greeting;
//   - it sends each command that goes alone and reads its one reply line:
//     USER, PASS and QUIT with User, Pass and Quit; STAT, STLS, "UIDL n",
//     AUTH and the first line of CAPA, UIDL and LIST with Cmd; the further
//     lines of an AUTH exchange with Send and ReadOne;
//   - its verdict on that line is taken when it is +OK, with its text.
//
// What popbox's own code does, and why:
//   - dialling, TLS, STLS and deadlines: go-pop3 sets no read or write
//     deadline (a silent greeting, TLS handshake or RETR blocks for ever),
//     its TLS trusts only the system roots (no CA file), it has no STLS, and
//     a TLS port spoken to in plain text is better caught by its first byte;
//   - arguments are checked before go-pop3 sends them: it sends CR and LF
//     inside an argument ("USER a\r\nDELE 1" is two commands);
//   - every reply line that is not "+OK" is read by parseStatus: go-pop3
//     takes an empty line for +OK (an empty answer to PASS logs in), returns
//     a -ERR as a bare error string, as it returns a broken connection, and
//     puts "-ERR" alone in words of its own ("unknown error ..."); it also
//     refuses "+OK" and a tab, which popbox accepts;
//   - a reply line over 4,096 bytes is read by popbox's reader: go-pop3 reads
//     lines with bufio.Reader.ReadLine and ignores isPrefix, so the rest of a
//     long line answers the next command. lineConn never hands it such a
//     line; a greeting that long ends the session (ErrProtocol), since
//     go-pop3 opens its connection only by reading the greeting itself;
//   - STAT, "LIST n" and "UIDL n" answers are parsed here: go-pop3's Stat,
//     List and Uidl panic on an answer with a field missing ("+OK", "+OK 3",
//     "1"), in the single-line and the multi-line forms;
//   - the bodies of multi-line replies (RETR, CAPA, UIDL, LIST) are read by
//     readBody and eachLine: go-pop3 does not undo dot-stuffing, and with
//     ReadLine a 4,097-byte line ending in "." ends a message early and the
//     rest of it, forged or not, answers the next command;
//   - RETR, DELE and "LIST n" go through a window (pop3_window.go), pipelined
//     when the server offers PIPELINING: go-pop3 has no CAPA and no
//     pipelining (its Send flushes each command and its Dele waits for each
//     answer). CAPA and SASL PLAIN, which it lacks, are popbox's too, and
//     so are XOAUTH2 and OAUTHBEARER (pop3_oauth.go, through the same
//     Cmd, Send and ReadOne calls).
//
// NOOP, RSET and TOP are not used by popbox.

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

// errLongLine is what go-pop3 reads when the next reply line would not fit
// its buffer: the line is left for popbox's reader.
var errLongLine = errors.New("reply line longer than go-pop3 reads")

// errSecondLine is what go-pop3 reads if it asks for more than the one
// reply line of a command.
var errSecondLine = errors.New("go-pop3 asked for a second reply line")

// lineConn is the session's connection as go-pop3 sees it. Writes go to
// the connection commands travel over (TCP with its deadlines, or TLS over
// it after STLS). Reads are served from the session's own reader, which
// reads that same connection: one whole reply line per command, and never
// more. go-pop3 reads through a bufio.Reader of its own; handed exactly one
// line, that reader never holds a byte beyond the line go-pop3 asked for,
// so the two readers share one stream and nothing is lost between them. A
// line that would not fit go-pop3's buffer (4,096 bytes; its ReadLine would
// cut it, ignoring isPrefix) is not handed over: Read fails with
// errLongLine, and popbox's reader reads the line instead (see libRead).
type lineConn struct {
	s *session
	// What the go-pop3 call under way did, for libRead.
	line []byte // the line handed over, its line end included
	crlf bool   // the line (handed over or long) ended in CRLF
	long bool   // a line too long for go-pop3 waits in s.r
	err  error  // a read or write on the connection failed
}

// reset readies the connection for the next go-pop3 call.
func (c *lineConn) reset() { *c = lineConn{s: c.s} }

// Read hands go-pop3 the next reply line whole, or nothing.
func (c *lineConn) Read(b []byte) (int, error) {
	switch {
	case len(b) == 0:
		return 0, nil
	case c.line != nil:
		return 0, errSecondLine
	}
	r := c.s.r
	seen := 0
	for {
		buf, _ := r.Peek(r.Buffered())
		if i := bytes.IndexByte(buf[seen:], '\n'); i >= 0 {
			end := seen + i + 1
			if end > len(b) {
				c.long = true
				return 0, errLongLine
			}
			n := copy(b, buf[:end])
			r.Discard(n)
			c.line = b[:n]
			c.crlf = n >= 2 && b[n-2] == '\r'
			return n, nil
		}
		if seen = len(buf); seen >= len(b) {
			c.long = true
			return 0, errLongLine
		}
		if _, err := r.Peek(seen + 1); err != nil {
			c.err = err
			return 0, err
		}
	}
}

func (c *lineConn) Write(b []byte) (int, error) {
	n, err := c.s.conn.Write(b)
	if err != nil {
		c.err = err
	}
	return n, err
}

// Close closes the session's connection (go-pop3's Quit does, after +OK).
func (c *lineConn) Close() error {
	c.s.close()
	return nil
}

func (c *lineConn) LocalAddr() net.Addr                { return c.s.conn.LocalAddr() }
func (c *lineConn) RemoteAddr() net.Addr               { return c.s.conn.RemoteAddr() }
func (c *lineConn) SetDeadline(t time.Time) error      { return c.s.conn.SetDeadline(t) }
func (c *lineConn) SetReadDeadline(t time.Time) error  { return c.s.conn.SetReadDeadline(t) }
func (c *lineConn) SetWriteDeadline(t time.Time) error { return c.s.conn.SetWriteDeadline(t) }

// libDialer hands go-pop3 the session's connection, already dialled.
type libDialer struct{ c *lineConn }

func (d libDialer) Dial(network, addr string) (net.Conn, error) { return d.c, nil }

// session is one POP3 connection.
type session struct {
	ctx  context.Context
	addr string // host:port, for messages
	host string
	// caFile is the account's CA file, named when a certificate is refused.
	caFile string
	trust  trust         // decides about the server's certificate
	tcp    *deadlineConn // the TCP connection with its deadlines
	conn   net.Conn      // what commands travel over: tcp, or TLS over it
	r      *bufio.Reader // popbox's reader of conn
	lib    *pop3.Conn    // go-pop3 over lc
	lc     *lineConn
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
	return dial(ctx, srv, trustFor(srv, caFile), tlsConf, idle)
}

// dial is dialPOP3 with the certificate decided by t.
func dial(ctx context.Context, srv Server, t trust, tlsConf *tls.Config, idle time.Duration) (*session, error) {
	if idle <= 0 {
		idle = defaultIdleTimeout
	}
	s := &session{ctx: ctx, addr: srv.Address(), host: srv.Host, caFile: t.caFile, trust: t}
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
	if err := s.greeting(sec != SecuritySSL); err != nil {
		return err
	}
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

// greeting has go-pop3 open its connection, which reads and checks the
// server's first line, and checks that line too.
func (s *session) greeting(plain bool) error {
	if plain {
		p, err := s.r.Peek(1)
		if err != nil {
			if isTimeout(err) && s.ctx.Err() == nil {
				return fmt.Errorf("%s sent no greeting within %v (if the port expects SSL/TLS from the first byte, as 995 does, choose security ssl): %w",
					s.addr, s.tcp.idle, ErrTimeout)
			}
			return s.netErr("greeting", err)
		}
		// A POP3 greeting starts with + or -; 0x15 and 0x16 start a TLS
		// alert or handshake record: a TLS port spoken to in plain text.
		if p[0] == 0x15 || p[0] == 0x16 {
			return fmt.Errorf("%s answered with TLS; the port expects SSL/TLS from the first byte, so choose security ssl: %w", s.addr, ErrTLSMismatch)
		}
	}
	s.lc = &lineConn{s: s}
	line, libText, libErr, err := s.libRead("greeting", func() ([]byte, error) {
		lib, err := pop3.New(pop3.Opt{Host: s.host, Dialer: libDialer{s.lc}}).NewConn()
		s.lib = lib
		return nil, err
	})
	if err != nil {
		return err
	}
	// A server that ends its own lines with a bare LF ends its replies with
	// LF "." LF too; every other server is held to CRLF (see readBody).
	s.lfOnly = !s.lc.crlf
	ok, text, err := s.verdict("greeting", line, libText, libErr)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s refused the connection: -ERR %s: %w", s.addr, serverText(text), ErrUnreachable)
	}
	if s.lib == nil {
		// go-pop3 has no connection but from a greeting it read itself.
		return fmt.Errorf("%s sent a greeting go-pop3 cannot read (over 4,096 bytes, or +OK without a space after it): %s: %w", s.addr, quoteShort(line), ErrProtocol)
	}
	return nil
}

// handshake runs TLS over the TCP connection (implicit TLS, or after STLS).
func (s *session) handshake(conf *tls.Config) error {
	c := conf.Clone()
	if c.ServerName == "" {
		c.ServerName = strings.TrimSuffix(strings.TrimPrefix(s.host, "["), "]")
	}
	tc := tls.Client(s.tcp, s.trust.config(c))
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
	if ce := certError(s.host, s.trust.port, s.caFile, err); ce != nil {
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

// checkCommand refuses a command line POP3 cannot carry: an argument with
// CR, LF or NUL (go-pop3 would send it as it is), or a line over 255 bytes.
func checkCommand(verb string, args ...string) error {
	n := len(verb)
	for _, a := range args {
		if err := checkArg(strings.ToLower(verb)+" argument", a); err != nil {
			return err
		}
		n += 1 + len(a)
	}
	if n > maxCommandLine {
		return fmt.Errorf("%s command longer than POP3 allows (%d bytes)", verb, n)
	}
	return nil
}

// cmd sends a command with go-pop3 and reads its status line: ok is +OK,
// text the rest of the line (valid until the next read). For a multi-line
// reply, what follows the status line is popbox's to read.
func (s *session) cmd(verb string, args ...string) (ok bool, text []byte, err error) {
	if err := checkCommand(verb, args...); err != nil {
		return false, nil, err
	}
	libArgs := make([]any, len(args))
	for i, a := range args {
		libArgs[i] = a
	}
	return s.libStatus(verb, func() ([]byte, error) {
		return bufBytes(s.lib.Cmd(verb, false, libArgs...))
	})
}

func bufBytes(b *bytes.Buffer, err error) ([]byte, error) {
	if b == nil {
		return nil, err
	}
	return b.Bytes(), err
}

// libStatus runs call, a go-pop3 call that sends one command and reads its
// status line, and says what the line was (see verdict).
func (s *session) libStatus(verb string, call func() ([]byte, error)) (ok bool, text []byte, err error) {
	line, libText, libErr, err := s.libRead(verb, call)
	if err != nil {
		return false, nil, err
	}
	return s.verdict(verb, line, libText, libErr)
}

// libRead runs call, a go-pop3 call that writes a command (or a line of an
// AUTH exchange) and reads one reply line, and returns that line without
// its line end, with what go-pop3 made of it: libText is what its parser
// returned, libErr its error. A line too long for go-pop3 is read by
// popbox's reader instead (libErr is errLongLine then). err is a failed
// read or write: go-pop3 returns those as it returns a -ERR, so the
// connection says which it was.
func (s *session) libRead(verb string, call func() ([]byte, error)) (line, libText []byte, libErr, err error) {
	s.lc.reset()
	libText, libErr = call()
	c := s.lc
	switch {
	case c.err != nil:
		return nil, nil, libErr, s.netErr(verb, c.err)
	case c.long:
		line, c.crlf, err = s.readLineEnd(verb)
		return line, nil, errLongLine, err
	case c.line == nil:
		return nil, nil, libErr, fmt.Errorf("%s: go-pop3 read no reply (%v): %w", verb, libErr, ErrProtocol)
	}
	line = bytes.TrimSuffix(bytes.TrimSuffix(c.line, []byte("\n")), []byte("\r"))
	return line, libText, libErr, nil
}

// verdict says what a reply line go-pop3 read was. go-pop3's own answer is
// taken when it is +OK on a line that is not empty: its parser gets that
// right, text and all. Every other line is read here by parseStatus: go-pop3
// takes an empty line for +OK (RFC 1939 allows no such reply), returns a
// -ERR as a bare error string (no response code to read, and "-ERR" alone
// becomes a sentence of its own), and refuses "+OK" followed by a tab.
func (s *session) verdict(verb string, line, libText []byte, libErr error) (ok bool, text []byte, err error) {
	if libErr == nil && len(line) > 0 {
		return true, bytes.TrimLeft(libText, " \t"), nil
	}
	return s.parseStatus(verb, line)
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
	if err := checkCommand("USER", user); err != nil {
		return err
	}
	ok, text, err := s.libStatus("USER", func() ([]byte, error) { return nil, s.lib.User(user) })
	if err != nil {
		return err
	}
	if !ok {
		if !s.caps.hasSASL(sasl.Plain) {
			return s.loginErr(user, text)
		}
		err = s.authPlain(user, pass)
	} else {
		if err := checkCommand("PASS", pass); err != nil {
			return err
		}
		ok, text, err = s.libStatus("PASS", func() ([]byte, error) { return nil, s.lib.Pass(pass) })
		if err == nil && !ok {
			err = s.loginErr(user, text)
		}
	}
	if err != nil {
		return err
	}
	return s.loggedIn()
}

// loggedIn asks CAPA again when per-user capabilities may have changed:
// RFC 2449 section 6.0, LOGIN-DELAY and EXPIRE marked USER may differ once
// the user is known.
func (s *session) loggedIn() error {
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
	args := []string{mech}
	if len("AUTH ")+len(mech)+1+len(pending) <= maxCommandLine {
		args = append(args, pending)
		pending = ""
	}
	if err := checkCommand("AUTH", args...); err != nil {
		return err
	}
	call := func() ([]byte, error) {
		if len(args) == 2 {
			return bufBytes(s.lib.Cmd("AUTH", false, args[0], args[1]))
		}
		return bufBytes(s.lib.Cmd("AUTH", false, args[0]))
	}
	for round := 0; round < 8; round++ {
		line, libText, libErr, err := s.libRead("AUTH", call)
		if err != nil {
			return err
		}
		// go-pop3 takes a continuation ("+ " and a challenge, RFC 5034)
		// for an unknown reply; it is read here.
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
					if _, _, err := s.libStatus("AUTH", s.libLine("*")); err != nil {
						return err
					}
					return fmt.Errorf("AUTH PLAIN with %s: %w", s.addr, derr)
				}
				resp = base64.StdEncoding.EncodeToString(r)
			}
			call = s.libLine(resp)
			continue
		}
		ok, text, err := s.verdict("AUTH", line, libText, libErr)
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

// libLine is a go-pop3 call that sends line (a line of an AUTH exchange,
// base64 or "*") and reads the reply line.
func (s *session) libLine(line string) func() ([]byte, error) {
	return func() ([]byte, error) {
		if err := s.lib.Send(line); err != nil {
			return nil, err
		}
		return s.lib.ReadOne()
	}
}

// stat asks STAT and checks that the answer is "+OK count size". go-pop3
// sends it and reads the line; its Stat is not used, for it panics on a
// short answer ("+OK", "+OK 3").
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
	ok, text, err := s.libStatus("QUIT", func() ([]byte, error) { return nil, s.lib.Quit() })
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

// CheckPOP3 connects to the account's incoming server, reads CAPA, logs in
// (with the password, or the access token for AuthOAuth2),
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
	pass, err := acct.Incoming.resolveSecret(ctx)
	if err != nil {
		return acct.Hints, err
	}
	s, err := dialPOP3(ctx, acct.Incoming, acct.CAFile, tlsConf, defaultIdleTimeout)
	if err != nil {
		return acct.Hints, err
	}
	defer s.close()
	if err := s.authenticate(acct.Incoming, pass); err != nil {
		return acct.Hints, err
	}
	h := s.caps.hints(acct.Hints)
	h.LastLogin = time.Now()
	if _, _, err := s.stat(); err != nil {
		return h, err
	}
	return h, s.quit()
}
