package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// DefaultSMTPTimeout bounds CheckSMTP when its context has no deadline.
const DefaultSMTPTimeout = 20 * time.Second

// smtpProbeAfter is how long a plain connection may stay silent before
// CheckSMTP asks, on a second connection, whether the port speaks TLS from
// the first byte (an SSL port answers a plain client with silence).
const smtpProbeAfter = 1500 * time.Millisecond

// CheckSMTP logs in to the outgoing server and logs out again: it connects
// (implicit TLS for SecuritySSL; for SecurityStartTLS it requires STARTTLS
// and refuses to go on when the server does not offer it; plain for
// SecurityNone), says EHLO, authenticates with AUTH PLAIN (LOGIN when the
// server does not offer PLAIN) unless srv.User is empty, then sends QUIT.
//
// tlsConf supplies the trusted roots (nil: the system roots); its ServerName
// is replaced by srv.Host. A certificate that does not verify is still
// accepted when srv.TrustedCert or srv.AcceptCert names it (trust.go).
// The whole check, every read and write included, ends at ctx's deadline,
// or after DefaultSMTPTimeout when ctx has none; cancelling ctx closes the
// connection.
//
// Errors wrap one of ErrUnreachable, ErrTimeout, ErrTLSMismatch,
// ErrCertificate, ErrNoSTARTTLS, ErrAuth or ErrProtocol (check with
// errors.Is), or ctx's error when ctx was cancelled.
//
// For an AuthOAuth2 server password is the access token; when it is empty
// CheckSMTP gets one with srv.ResolveToken. A refused token is a
// TokenError (ErrTokenRefused).
func CheckSMTP(ctx context.Context, srv Server, password string, tlsConf *tls.Config) error {
	return checkSMTP(ctx, srv, password, tlsConf, trustFor(srv, ""))
}

// checkSMTP is CheckSMTP with the certificate decided by t.
func checkSMTP(ctx context.Context, srv Server, password string, tlsConf *tls.Config, t trust) error {
	return newSMTPCheck(ctx, srv, password, tlsConf, t).run(ctx)
}

// newSMTPCheck prepares one session with the outgoing server: its
// deadline, TLS configuration and address.
func newSMTPCheck(ctx context.Context, srv Server, password string, tlsConf *tls.Config, t trust) *smtpCheck {
	deadline := time.Now().Add(DefaultSMTPTimeout)
	if d, ok := ctx.Deadline(); ok {
		deadline = d
	}
	conf := &tls.Config{}
	if tlsConf != nil {
		conf = tlsConf.Clone()
	}
	conf.ServerName = strings.TrimSuffix(strings.TrimPrefix(srv.Host, "["), "]")
	if conf.MinVersion == 0 {
		conf.MinVersion = tls.VersionTLS12
	}
	conf = t.config(conf)
	return &smtpCheck{srv: srv, addr: srv.Address(), password: password, conf: conf, deadline: deadline}
}

// smtpCheck is one run of CheckSMTP.
type smtpCheck struct {
	srv      Server
	addr     string
	password string
	conf     *tls.Config
	deadline time.Time

	// tlsPort is set when the probe found that the port speaks TLS while
	// this connection waits for a plain greeting.
	tlsPort atomic.Bool
}

// The steps of a check, named in errors.
const (
	stepConnect   = "connect"
	stepHandshake = "TLS handshake"
	stepGreeting  = "greeting"
	stepStartTLS  = "STARTTLS"
	stepAuth      = "AUTH"
)

func (k *smtpCheck) run(ctx context.Context) error {
	c, done, err := k.open(ctx)
	if err != nil {
		return err
	}
	defer done()
	// The login is what is checked. Some servers (Dovecot's submission
	// without a reachable relay) drop the session right after AUTH, so a
	// failed QUIT does not fail the check.
	c.Quit()
	return nil
}

// open connects, says EHLO (with STARTTLS for SecurityStartTLS) and logs
// in unless the server has no user: what CheckSMTP checks and SendSMTP
// sends over. done closes the connection and stops watching ctx.
func (k *smtpCheck) open(ctx context.Context) (c *smtp.Client, done func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, k.fail(ctx, stepConnect, err)
	}
	d := net.Dialer{Deadline: k.deadline}
	raw, err := d.DialContext(ctx, "tcp", k.addr)
	if err != nil {
		return nil, nil, k.fail(ctx, stepConnect, err)
	}
	conn := newSMTPConn(raw, k.deadline)
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	// client is c once made; the returns below set c and done to nil on
	// failure, so the cleanup works on its own copies.
	var client *smtp.Client
	closeAll := func() {
		stop()
		if client != nil {
			client.Close()
		}
		conn.Close()
	}
	defer func() {
		if err != nil {
			closeAll()
		}
	}()

	switch k.srv.Security {
	case SecuritySSL:
		tc := tls.Client(conn, k.conf)
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, nil, k.fail(ctx, stepHandshake, err)
		}
		c = smtp.NewClient(tc)
		client = c
		if err := c.Hello(smtpLocalName); err != nil {
			return nil, nil, k.fail(ctx, stepGreeting, err)
		}
	case SecurityStartTLS:
		stopProbe := k.probeTLS(ctx, conn, raw)
		c, err = smtp.NewClientStartTLS(conn, k.conf)
		client = c
		stopProbe()
		if err != nil {
			return nil, nil, k.fail(ctx, stepStartTLS, err)
		}
		// The handshake runs with the first command after STARTTLS: this
		// second EHLO, which also reads the extensions offered under TLS.
		if err := c.Hello(smtpLocalName); err != nil {
			step := stepHandshake
			if st, _ := c.TLSConnectionState(); st.HandshakeComplete {
				step = stepGreeting
			}
			return nil, nil, k.fail(ctx, step, err)
		}
	default:
		stopProbe := k.probeTLS(ctx, conn, raw)
		c = smtp.NewClient(conn)
		client = c
		err = c.Hello(smtpLocalName)
		stopProbe()
		if err != nil {
			return nil, nil, k.fail(ctx, stepGreeting, err)
		}
	}

	if k.srv.User != "" {
		if err := k.auth(ctx, c); err != nil {
			return nil, nil, err
		}
	}
	return c, closeAll, nil
}

// smtpLocalName is the name popbox gives in EHLO; a client has no better one.
const smtpLocalName = "localhost"

func (k *smtpCheck) auth(ctx context.Context, c *smtp.Client) error {
	if ok, _ := c.Extension("AUTH"); !ok {
		if ok, _ := c.Extension("STARTTLS"); ok && k.srv.Security == SecurityNone {
			return fmt.Errorf("smtp %s: %w: the server offers login only after STARTTLS; choose security starttls", k.addr, ErrTLSMismatch)
		}
		return fmt.Errorf("smtp %s: %w: the server offers no login (no AUTH in its EHLO reply)", k.addr, ErrProtocol)
	}
	if k.srv.Auth == AuthOAuth2 {
		return k.authOAuth(ctx, c)
	}
	var mech sasl.Client
	switch {
	case c.SupportsAuth(sasl.Plain):
		mech = sasl.NewPlainClient("", k.srv.User, k.password)
	case c.SupportsAuth(sasl.Login):
		mech = &loginClient{user: k.srv.User, password: k.password}
	default:
		_, mechs := c.Extension("AUTH")
		return fmt.Errorf("smtp %s: %w: the server offers AUTH %s; popbox speaks PLAIN and LOGIN", k.addr, ErrProtocol, mechs)
	}
	if err := c.Auth(mech); err != nil {
		return k.fail(ctx, stepAuth, err)
	}
	return nil
}

// authOAuth logs in with the access token over OAUTHBEARER or XOAUTH2
// (RFC 7628), the initial response on the AUTH line when it fits in 512
// octets, else after the server's first "334" (RFC 4954). After an error challenge the server's 535 becomes
// a TokenError.
func (k *smtpCheck) authOAuth(ctx context.Context, c *smtp.Client) error {
	token := k.password
	if token == "" {
		var err error
		if token, err = k.srv.ResolveToken(ctx); err != nil {
			return err
		}
	}
	_, offered := c.Extension("AUTH")
	mech, err := chooseOAuthMech(k.srv.SASL, true, c.SupportsAuth)
	if err != nil {
		return fmt.Errorf("smtp %s: the server offers AUTH %s: %w", k.addr, SafeLine(offered), err)
	}
	oc := newOAuthClient(mech, k.srv.User, token, k.srv.Host, k.srv.Port)
	// RFC 5321 section 4.5.3.1.4: a command line is at most 512 octets;
	// RFC 4954 allows more for AUTH, but Dovecot's submission answers
	// "500 Line too long" to a token on the line.
	oc.lineLimit = 510
	err = c.Auth(oc)
	if err == nil {
		return nil
	}
	var smtpErr *smtp.SMTPError
	if errors.As(err, &smtpErr) && (smtpErr.Code == 535 || smtpErr.Code == 534) && ctx.Err() == nil {
		return fmt.Errorf("smtp %s: %s: %w", k.addr, stepAuth, &TokenError{
			Host: k.srv.Host, User: k.srv.User, Mech: mech, Status: oc.status, Reply: serverText([]byte(smtpErr.Message))})
	}
	return k.fail(ctx, stepAuth, err)
}

// loginClient is SASL LOGIN as most servers expect it: no initial response,
// then the user name and the password, one per challenge, whatever the
// challenge says. go-sasl's LOGIN client sends the user name with AUTH and
// insists on the challenge "Password:", which not every server sends.
type loginClient struct {
	user, password string
	step           int
}

func (a *loginClient) Start() (string, []byte, error) { return sasl.Login, nil, nil }

func (a *loginClient) Next([]byte) ([]byte, error) {
	a.step++
	switch a.step {
	case 1:
		return []byte(a.user), nil
	case 2:
		return []byte(a.password), nil
	}
	return nil, sasl.ErrUnexpectedServerChallenge
}

// probeTLS watches a plain connection: when the server has sent nothing
// after smtpProbeAfter, it tries a TLS handshake on a second connection. If
// that succeeds, the port wants TLS from the first byte (a wrong security
// setting): it records so and closes raw, which ends the wait at once
// instead of at the deadline. The returned stop ends the probe.
func (k *smtpCheck) probeTLS(ctx context.Context, conn *smtpConn, raw net.Conn) (stop func()) {
	pctx, cancel := context.WithDeadline(ctx, k.deadline)
	done := make(chan struct{})
	go func() {
		defer close(done)
		wait := min(smtpProbeAfter, time.Until(k.deadline)/2)
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-conn.gotData:
			return
		case <-pctx.Done():
			return
		case <-t.C:
		}
		// Only whether TLS is spoken matters here; nothing is sent over
		// this connection, so the certificate is not checked.
		d := tls.Dialer{
			NetDialer: &net.Dialer{Deadline: k.deadline},
			Config:    &tls.Config{InsecureSkipVerify: true, ServerName: k.conf.ServerName},
		}
		pc, err := d.DialContext(pctx, "tcp", k.addr)
		if err != nil {
			return
		}
		pc.Close()
		select {
		case <-conn.gotData:
			// The plain greeting came after all.
		default:
			k.tlsPort.Store(true)
			raw.Close()
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// fail turns what went wrong in step into an error wrapping one of the
// sentinels of errors.go and the cause.
func (k *smtpCheck) fail(ctx context.Context, step string, err error) error {
	wrap := func(kind error, detail string) error {
		// err may quote the server; safeError makes that printable.
		if detail != "" {
			return fmt.Errorf("smtp %s: %s: %w: %s: %w", k.addr, step, kind, detail, safeError{err})
		}
		return fmt.Errorf("smtp %s: %s: %w: %w", k.addr, step, kind, safeError{err})
	}
	if k.tlsPort.Load() {
		return fmt.Errorf("smtp %s: %w: the port expects TLS from the first byte; choose security ssl", k.addr, ErrTLSMismatch)
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			return fmt.Errorf("smtp %s: %s: %w: %w", k.addr, step, ErrTimeout, ctxErr)
		}
		return fmt.Errorf("smtp %s: %s: %w", k.addr, step, ctxErr)
	}

	var smtpErr *smtp.SMTPError
	if errors.As(err, &smtpErr) {
		switch {
		case smtpErr.Code == 535 || smtpErr.Code == 534:
			// 535 5.7.8 bad credentials; 534 5.7.9 mechanism too weak, or
			// Gmail's "log in with your web browser" (an app password).
			return wrap(ErrAuth, "")
		case smtpErr.Code == 454 && step == stepStartTLS:
			// RFC 3207: "TLS not available due to temporary reason".
			return fmt.Errorf("smtp %s: %w: %w", k.addr, ErrNoSTARTTLS, err)
		case smtpErr.Code == 530 && strings.Contains(strings.ToUpper(smtpErr.Message), "STARTTLS"):
			return wrap(ErrTLSMismatch, "the server wants STARTTLS first; choose security starttls")
		default:
			return wrap(ErrProtocol, "")
		}
	}
	if ce := certError(k.srv.Host, k.srv.Port, "", err); ce != nil {
		return fmt.Errorf("smtp %s: %s: %w", k.addr, step, ce)
	}
	var recErr tls.RecordHeaderError
	if errors.As(err, &recErr) {
		return wrap(ErrTLSMismatch, "the server did not answer in TLS")
	}
	var alert tls.AlertError
	if errors.As(err, &alert) {
		return wrap(ErrTLSMismatch, "")
	}
	if smtpIsTimeout(err) {
		if step == stepConnect {
			return wrap(ErrUnreachable, "no answer before the deadline")
		}
		return wrap(ErrTimeout, "")
	}
	if step == stepConnect {
		return wrap(ErrUnreachable, "")
	}
	if k.srv.Security == SecurityStartTLS && step == stepStartTLS && !smtpIsConnError(err) &&
		strings.Contains(err.Error(), "STARTTLS") {
		// go-smtp's own error for a server without STARTTLS in its EHLO reply.
		return fmt.Errorf("smtp %s: %w", k.addr, ErrNoSTARTTLS)
	}
	if smtpIsConnError(err) {
		if step == stepHandshake {
			return wrap(ErrTLSMismatch, "the server closed the connection during the TLS handshake")
		}
		return wrap(ErrProtocol, "the server closed the connection")
	}
	return wrap(ErrProtocol, "")
}

func smtpIsTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// smtpIsConnError reports a connection that ended: closed by the server, reset,
// or closed here.
func smtpIsConnError(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, net.ErrClosed)
}

// smtpConn holds every read and write to one deadline: a library may
// set its own, longer or none (go-smtp sets five minutes per command, then
// clears it), and gets the earlier of the two. gotData is closed when the
// first bytes arrive.
type smtpConn struct {
	net.Conn
	limit   time.Time
	gotData chan struct{}
	once    sync.Once
}

func newSMTPConn(c net.Conn, limit time.Time) *smtpConn {
	c.SetDeadline(limit)
	return &smtpConn{Conn: c, limit: limit, gotData: make(chan struct{})}
}

func (c *smtpConn) clamp(t time.Time) time.Time {
	if t.IsZero() || t.After(c.limit) {
		return c.limit
	}
	return t
}

func (c *smtpConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.once.Do(func() { close(c.gotData) })
	}
	return n, err
}

func (c *smtpConn) SetDeadline(t time.Time) error { return c.Conn.SetDeadline(c.clamp(t)) }

func (c *smtpConn) SetReadDeadline(t time.Time) error {
	return c.Conn.SetReadDeadline(c.clamp(t))
}

func (c *smtpConn) SetWriteDeadline(t time.Time) error {
	return c.Conn.SetWriteDeadline(c.clamp(t))
}
