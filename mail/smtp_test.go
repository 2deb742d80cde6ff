package mail

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"popbox/mail/mailtest"
)

// sentinels are the error kinds CheckSMTP reports; exactly one must match.
var sentinels = []error{ErrUnreachable, ErrTimeout, ErrTLSMismatch, ErrCertificate, ErrNoSTARTTLS, ErrAuth, ErrProtocol}

func wantKind(t *testing.T, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("CheckSMTP: %v, want success", err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("CheckSMTP: %v, want %v", err, want)
	}
	for _, s := range sentinels {
		if s != want && errors.Is(err, s) {
			t.Errorf("CheckSMTP: %v is both %v and %v", err, want, s)
		}
	}
}

func TestCheckSMTPDovecot(t *testing.T) {
	t.Parallel()
	s := mailtest.Start(t, mailtest.Options{Submission: true})
	trusted := &tls.Config{RootCAs: s.CAPool}
	untrusted := &tls.Config{RootCAs: x509.NewCertPool()}

	tests := []struct {
		name     string
		host     string
		port     int
		security Security
		password string
		tlsConf  *tls.Config
		want     error
	}{
		{"starttls", "127.0.0.1", s.SubmissionPort, SecurityStartTLS, "secret", trusted, nil},
		{"ssl", "127.0.0.1", s.SubmissionsPort, SecuritySSL, "secret", trusted, nil},
		{"ssl by host name", "localhost", s.SubmissionsPort, SecuritySSL, "secret", trusted, nil},
		{"none", "127.0.0.1", s.SubmissionPort, SecurityNone, "secret", nil, nil},
		{"starttls wrong password", "127.0.0.1", s.SubmissionPort, SecurityStartTLS, "wrong", trusted, ErrAuth},
		{"ssl wrong password", "127.0.0.1", s.SubmissionsPort, SecuritySSL, "wrong", trusted, ErrAuth},
		{"plain to the ssl port", "127.0.0.1", s.SubmissionsPort, SecurityNone, "secret", nil, ErrTLSMismatch},
		{"starttls to the ssl port", "127.0.0.1", s.SubmissionsPort, SecurityStartTLS, "secret", trusted, ErrTLSMismatch},
		{"ssl to the starttls port", "127.0.0.1", s.SubmissionPort, SecuritySSL, "secret", trusted, ErrTLSMismatch},
		{"ssl untrusted CA", "127.0.0.1", s.SubmissionsPort, SecuritySSL, "secret", untrusted, ErrCertificate},
		{"starttls untrusted CA", "127.0.0.1", s.SubmissionPort, SecurityStartTLS, "secret", untrusted, ErrCertificate},
		{"ssl system roots", "127.0.0.1", s.SubmissionsPort, SecuritySSL, "secret", nil, ErrCertificate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			srv := Server{Host: tt.host, Port: tt.port, Security: tt.security, User: "alice"}
			start := time.Now()
			err := CheckSMTP(ctx, srv, tt.password, tt.tlsConf)
			t.Logf("%v after %v", err, time.Since(start).Round(time.Millisecond))
			wantKind(t, err, tt.want)
		})
	}
}

// TestCheckSMTPLoginOnly runs the LOGIN fallback against a Dovecot that
// offers only AUTH LOGIN.
func TestCheckSMTPLoginOnly(t *testing.T) {
	t.Parallel()
	s := mailtest.Start(t, mailtest.Options{Submission: true, ExtraConf: "auth_mechanisms = login"})
	srv := Server{Host: "127.0.0.1", Port: s.SubmissionsPort, Security: SecuritySSL, User: "alice"}
	conf := &tls.Config{RootCAs: s.CAPool}
	c, err := smtp.DialTLS(srv.Address(), conf)
	if err != nil {
		t.Fatal(err)
	}
	if c.SupportsAuth(sasl.Plain) || !c.SupportsAuth(sasl.Login) {
		_, mechs := c.Extension("AUTH")
		t.Fatalf("Dovecot offers AUTH %s, want LOGIN only", mechs)
	}
	c.Close()
	wantKind(t, CheckSMTP(context.Background(), srv, "secret", conf), nil)
	wantKind(t, CheckSMTP(context.Background(), srv, "wrong", conf), ErrAuth)
}

func TestCheckSMTPUnreachable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	err = CheckSMTP(context.Background(), Server{Host: "127.0.0.1", Port: port, Security: SecuritySSL, User: "alice"}, "pw", nil)
	wantKind(t, err, ErrUnreachable)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("CheckSMTP: %v, want the cause (connection refused) kept", err)
	}
}

func TestCheckSMTPSilentServer(t *testing.T) {
	t.Parallel()
	silent := func(c net.Conn) { io.Copy(io.Discard, c) }
	addr := mailtest.Fake(t, silent)
	tlsAddr, pool, _ := mailtest.FakeTLS(t, silent)
	for _, tt := range []struct {
		name     string
		addr     string
		security Security
	}{
		{"ssl", addr, SecuritySSL},
		{"starttls", addr, SecurityStartTLS},
		{"none", addr, SecurityNone},
		{"ssl after the handshake", tlsAddr, SecuritySSL},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			const timeout = 2 * time.Second
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			host, p, _ := net.SplitHostPort(tt.addr)
			port, _ := strconv.Atoi(p)
			start := time.Now()
			err := CheckSMTP(ctx, Server{Host: host, Port: port, Security: tt.security, User: "alice"}, "pw", &tls.Config{RootCAs: pool})
			elapsed := time.Since(start)
			wantKind(t, err, ErrTimeout)
			if elapsed > timeout+time.Second {
				t.Errorf("CheckSMTP returned after %v, deadline was %v", elapsed, timeout)
			}
		})
	}
}

func TestCheckSMTPCancel(t *testing.T) {
	t.Parallel()
	addr := mailtest.Fake(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	host, p, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(p)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	err := CheckSMTP(ctx, Server{Host: host, Port: port, Security: SecurityNone, User: "alice"}, "pw", nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("CheckSMTP: %v, want context.Canceled", err)
	}
	if errors.Is(err, ErrTimeout) {
		t.Errorf("a cancelled check is not a timeout: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("CheckSMTP returned %v after the cancel", d)
	}
}

// fakeSMTP is a scripted SMTP server: ehlo is the EHLO reply's extension
// lines; AUTH LOGIN with alice/secret and AUTH PLAIN succeed.
func fakeSMTP(t *testing.T, ehlo ...string) Server {
	t.Helper()
	addr := mailtest.Fake(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		say := func(s string) { io.WriteString(c, s+"\r\n") }
		read := func() string {
			l, err := r.ReadString('\n')
			if err != nil {
				return ""
			}
			return strings.TrimRight(l, "\r\n")
		}
		say("220 fake ESMTP")
		for {
			line := read()
			verb, _, _ := strings.Cut(strings.ToUpper(line), " ")
			switch verb {
			case "":
				return
			case "EHLO":
				say("250-fake")
				for i, e := range ehlo {
					if i == len(ehlo)-1 {
						say("250 " + e)
					} else {
						say("250-" + e)
					}
				}
				if len(ehlo) == 0 {
					say("250 8BITMIME")
				}
			case "AUTH":
				if strings.HasPrefix(strings.ToUpper(line), "AUTH LOGIN") {
					say("334 VXNlcm5hbWU6")
					u := read()
					say("334 UGFzc3dvcmQ6")
					p := read()
					if u == "YWxpY2U=" && p == "c2VjcmV0" { // alice, secret
						say("235 2.7.0 Authentication successful")
					} else {
						say("535 5.7.8 Authentication credentials invalid")
					}
				} else {
					say("235 2.7.0 Authentication successful")
				}
			case "STARTTLS":
				say("454 4.7.0 TLS not available")
			case "QUIT":
				say("221 2.0.0 Bye")
				return
			default:
				say("502 5.5.2 Error: command not recognized")
			}
		}
	})
	host, p, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(p)
	return Server{Host: host, Port: port, Security: SecurityNone, User: "alice"}
}

func TestCheckSMTPScripted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		ehlo     []string
		security Security
		password string
		want     error
	}{
		{"starttls not offered", []string{"AUTH PLAIN LOGIN"}, SecurityStartTLS, "secret", ErrNoSTARTTLS},
		{"starttls offered but failing", []string{"STARTTLS", "AUTH PLAIN"}, SecurityStartTLS, "secret", ErrNoSTARTTLS},
		{"login fallback", []string{"AUTH LOGIN"}, SecurityNone, "secret", nil},
		{"login fallback wrong password", []string{"AUTH LOGIN"}, SecurityNone, "wrong", ErrAuth},
		{"no auth", nil, SecurityNone, "secret", ErrProtocol},
		{"auth only after starttls", []string{"STARTTLS"}, SecurityNone, "secret", ErrTLSMismatch},
		{"unknown mechanisms", []string{"AUTH CRAM-MD5 XOAUTH2"}, SecurityNone, "secret", ErrProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fakeSMTP(t, tt.ehlo...)
			srv.Security = tt.security
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := CheckSMTP(ctx, srv, tt.password, nil)
			t.Logf("%v", err)
			wantKind(t, err, tt.want)
		})
	}
}

// TestCheckSMTPClassify pins the mapping of causes no live test produces.
func TestCheckSMTPClassify(t *testing.T) {
	k := &smtpCheck{addr: "smtp.example.com:587", srv: Server{Security: SecurityStartTLS}}
	tests := []struct {
		name string
		step string
		err  error
		want error
	}{
		{"dns", stepConnect, &net.DNSError{Err: "no such host", Name: "smtp.example.com", IsNotFound: true}, ErrUnreachable},
		{"dial timeout", stepConnect, &net.OpError{Op: "dial", Err: &timeoutErr{}}, ErrUnreachable},
		{"host unreachable", stepConnect, &net.OpError{Op: "dial", Err: syscall.EHOSTUNREACH}, ErrUnreachable},
		{"read timeout", stepGreeting, &net.OpError{Op: "read", Err: &timeoutErr{}}, ErrTimeout},
		{"hostname", stepHandshake, x509.HostnameError{Host: "smtp.example.com", Certificate: &x509.Certificate{}}, ErrCertificate},
		{"expired", stepHandshake, &tls.CertificateVerificationError{Err: x509.CertificateInvalidError{Reason: x509.Expired}}, ErrCertificate},
		{"not tls", stepHandshake, tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, ErrTLSMismatch},
		{"alert", stepHandshake, tls.AlertError(40), ErrTLSMismatch},
		{"eof in handshake", stepHandshake, io.EOF, ErrTLSMismatch},
		{"eof after greeting", stepGreeting, io.EOF, ErrProtocol},
		{"535", stepAuth, &smtp.SMTPError{Code: 535, Message: "5.7.8 Authentication credentials invalid"}, ErrAuth},
		{"534 gmail", stepAuth, &smtp.SMTPError{Code: 534, Message: "5.7.9 Please log in with your web browser"}, ErrAuth},
		{"530 starttls first", stepAuth, &smtp.SMTPError{Code: 530, Message: "5.7.0 Must issue a STARTTLS command first"}, ErrTLSMismatch},
		{"421", stepGreeting, &smtp.SMTPError{Code: 421, Message: "4.3.2 Service not available"}, ErrProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := k.fail(context.Background(), tt.step, tt.err)
			wantKind(t, got, tt.want)
			if !errors.Is(got, tt.err) {
				t.Errorf("the cause %v is not kept in %v", tt.err, got)
			}
		})
	}
}

type timeoutErr struct{}

func (*timeoutErr) Error() string   { return "i/o timeout" }
func (*timeoutErr) Timeout() bool   { return true }
func (*timeoutErr) Temporary() bool { return true }
