package mail

// Tests of trust.go: fingerprints and pins, and trust on first use against
// a real Dovecot (POP3S, STLS and its submission service) with a
// self-signed certificate, one for another name, an expired one and one
// swapped between two fetches.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"popbox/mail/mailtest"
)

func TestParseFingerprint(t *testing.T) {
	var want Fingerprint
	for i := range want {
		want[i] = byte(i*7 + 1)
	}
	colon := want.String()
	plain := strings.ReplaceAll(colon, ":", "")
	if len(colon) != 95 || colon != strings.ToUpper(colon) || !strings.HasPrefix(colon, "01:08:0F:") {
		t.Fatalf("String() = %q", colon)
	}
	for _, in := range []string{colon, strings.ToLower(colon), plain, strings.ToLower(plain),
		"sha256:" + plain, "SHA256:" + colon, " sha256:" + strings.ToLower(colon) + "\n",
		"sha256 Fingerprint=" + colon, "SHA-256:" + plain} {
		got, err := ParseFingerprint(in)
		if err != nil || got != want {
			t.Errorf("ParseFingerprint(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "sha256:", plain[:62], plain + "00", colon[:94], "0" + colon[1:] + ":",
		strings.Replace(plain, "0", "g", 1), strings.Replace(colon, ":", "", 1), strings.Replace(colon, ":", "::", 1),
		"md5:" + plain, "1" + colon[1:3] + colon[4:] + "0"} {
		if _, err := ParseFingerprint(in); !errors.Is(err, ErrBadFingerprint) {
			t.Errorf("ParseFingerprint(%q): err = %v, want ErrBadFingerprint", in, err)
		}
	}
}

func TestPins(t *testing.T) {
	f := CertFingerprint([]byte("a certificate"))
	g := CertFingerprint([]byte("another"))
	srv := Server{Host: "Mail.Office.LAN", Port: 995}
	srv.TrustedCert = srv.PinFor(f)
	if srv.TrustedCert != "mail.office.lan:995 "+f.String() {
		t.Errorf("PinFor = %q", srv.TrustedCert)
	}
	if got, ok := srv.Pinned(); !ok || got != f {
		t.Errorf("Pinned = %v, %v", got, ok)
	}
	for name, other := range map[string]Server{
		"same host, written otherwise": {Host: "mail.office.lan.", Port: 995},
	} {
		other.TrustedCert = srv.TrustedCert
		if _, ok := other.Pinned(); !ok {
			t.Errorf("%s: the pin does not apply", name)
		}
	}
	for name, other := range map[string]Server{
		"another port": {Host: "mail.office.lan", Port: 110},
		"another host": {Host: "mail2.office.lan", Port: 995},
		"malformed":    {Host: "mail.office.lan", Port: 995},
	} {
		other.TrustedCert = srv.TrustedCert
		if name == "malformed" {
			other.TrustedCert = "mail.office.lan:995 xyz"
		}
		if _, ok := other.Pinned(); ok {
			t.Errorf("%s: the pin applies", name)
		}
	}
	v6 := Server{Host: "::1", Port: 995}
	if p := v6.PinFor(g); p != "[::1]:995 "+g.String() {
		t.Errorf("IPv6 pin = %q", p)
	}
	if addr, got, ok := ParsePin(v6.PinFor(g)); !ok || addr != "[::1]:995" || got != g {
		t.Errorf("ParsePin = %q %v %v", addr, got, ok)
	}
	// The outgoing side derived from the incoming one has its own pin.
	a := Account{Email: "ann@office.lan", SMTPSame: true, Incoming: srv, Outgoing: Server{TrustedCert: "mail.office.lan:465 " + g.String()}}
	if got, ok := a.SMTP().Pinned(); !ok || got != g {
		t.Errorf("derived outgoing server: Pinned = %v, %v (%+v)", got, ok, a.SMTP())
	}
	a.SetTrustedCert(false, "")
	a.AcceptCertOnce(true, "mail.office.lan:465 "+f.String())
	if _, ok := a.SMTP().Pinned(); !ok || a.Incoming.TrustedCert != "" {
		t.Errorf("SetTrustedCert(false, \"\") removed the wrong pin: %+v", a)
	}
	if got, ok := a.SMTP().acceptedOnce(); !ok || got != f {
		t.Errorf("AcceptCertOnce on the derived outgoing server: %v, %v", got, ok)
	}
	a.SetTrustedCert(true, "mail.office.lan:465 "+g.String())
	// Accounts stay comparable with ==.
	if b := a; b != a {
		t.Error("an account is not equal to its copy")
	}
}

// untrusting is a TLS configuration that trusts no CA at all.
func untrusting() *tls.Config {
	return &tls.Config{RootCAs: x509.NewCertPool(), MinVersion: tls.VersionTLS12}
}

// certErr returns err's CertError, failing the test when there is none or
// when it is a PinMismatchError.
func certErr(t *testing.T, err error) *CertError {
	t.Helper()
	var ce *CertError
	var pm *PinMismatchError
	if !errors.As(err, &ce) || !errors.Is(err, ErrCertificate) || errors.As(err, &pm) {
		t.Fatalf("err = %v, want a CertError", err)
	}
	return ce
}

// TestTrustDovecotSelfSigned: a self-signed certificate is refused with
// what a person needs to decide, then accepted once, or pinned; a pin for
// another host:port does not apply; the pin is checked on POP3S and STLS.
func TestTrustDovecotSelfSigned(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t, mailtest.Options{Cert: mailtest.CertOptions{SelfSigned: true}})
	srv.Deliver(t, "alice", msg("pinned", "hello\n"))
	fp := Fingerprint(srv.CertSHA256())
	ctx := context.Background()
	for _, sec := range []Security{SecuritySSL, SecurityStartTLS} {
		t.Run(sec.String(), func(t *testing.T) {
			acct := dovecotAccount(srv, "alice", "secret", sec)
			acct.CAFile = ""
			_, err := CheckPOP3(ctx, acct, untrusting())
			ce := certErr(t, err)
			if ce.Reason != CertSelfSigned || ce.Fingerprint != fp || ce.Host != srv.Host || ce.Port != acct.Incoming.Port {
				t.Errorf("CertError %+v, want self-signed %s at %s", ce, fp, acct.Incoming.Address())
			}
			if ce.Subject != "CN=localhost" || ce.Issuer != ce.Subject || !ce.NotBefore.Before(time.Now()) || !ce.NotAfter.After(time.Now()) {
				t.Errorf("certificate described as %+v", ce.CertInfo)
			}
			if !strings.Contains(err.Error(), "self-signed") || !strings.Contains(err.Error(), fp.String()) {
				t.Errorf("Error() = %q", err)
			}
			if ce.Pin() != acct.Incoming.PinFor(fp) {
				t.Errorf("Pin() = %q, want %q", ce.Pin(), acct.Incoming.PinFor(fp))
			}

			once := acct
			once.Incoming.AcceptCert = ce.Pin()
			if _, err := CheckPOP3(ctx, once, untrusting()); err != nil {
				t.Errorf("accepted once: %v", err)
			}
			if _, err := CheckPOP3(ctx, acct, untrusting()); err == nil {
				t.Error("accepted once, then accepted without being asked again")
			}

			pinned := acct
			pinned.Incoming.TrustedCert = ce.Pin()
			cache := newMemCache()
			res, err := Sync(ctx, pinned, cache, SyncOptions{}, nil)
			if err != nil || res.New != 1 {
				t.Fatalf("Sync with the pin: %+v, %v", res, err)
			}

			// The same pin at another port, or another name for the
			// same machine, does not apply.
			moved := pinned
			moved.Incoming.Port = srv.POPPort + srv.POPSPort - pinned.Incoming.Port
			moved.Incoming.Security = SecuritySSL + SecurityStartTLS - sec
			ce2 := certErr(t, checkErr(CheckPOP3(ctx, moved, untrusting())))
			if ce2.Port != moved.Incoming.Port || ce2.Fingerprint != fp {
				t.Errorf("another port: %+v", ce2)
			}
			renamed := pinned
			renamed.Incoming.Host = "localhost"
			certErr(t, checkErr(CheckPOP3(ctx, renamed, untrusting())))
		})
	}

	t.Run("probe", func(t *testing.T) {
		acct := dovecotAccount(srv, "alice", "secret", SecurityStartTLS)
		info, ce, err := ProbeCertificate(ctx, acct.Incoming, false, "", untrusting())
		if err != nil || ce == nil || ce.Reason != CertSelfSigned || info.Fingerprint != fp || ce.Fingerprint != fp {
			t.Errorf("ProbeCertificate = %+v, %+v, %v", info, ce, err)
		}
		// With the certificate as CA file it verifies normally.
		info, ce, err = ProbeCertificate(ctx, acct.Incoming, false, "", &tls.Config{RootCAs: srv.CAPool})
		if err != nil || ce != nil || info.Fingerprint != fp {
			t.Errorf("ProbeCertificate trusting it = %+v, %+v, %v", info, ce, err)
		}
		none := acct.Incoming
		none.Security, none.Port = SecurityNone, srv.POPPort
		if _, _, err := ProbeCertificate(ctx, none, false, "", nil); !errors.Is(err, ErrNoTLS) {
			t.Errorf("probe without TLS: %v", err)
		}
	})
}

func checkErr(_ ServerHints, err error) error { return err }

// TestTrustDovecotRefusals: a certificate for another name and an
// expired one carry their reason and fingerprint, and a pin accepts them;
// one that verifies normally needs no pin and ignores a wrong one.
func TestTrustDovecotRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		opts   mailtest.CertOptions
		reason CertReason
	}{
		{"wrong name", mailtest.CertOptions{Names: []string{"mail.other.test"}}, CertWrongHost},
		{"expired", mailtest.CertOptions{Expired: true}, CertExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := mailtest.Start(t, mailtest.Options{Cert: tc.opts})
			fp := Fingerprint(srv.CertSHA256())
			for _, sec := range []Security{SecuritySSL, SecurityStartTLS} {
				acct := dovecotAccount(srv, "alice", "secret", sec) // with the CA that signed it
				_, err := CheckPOP3(ctx, acct, nil)
				ce := certErr(t, err)
				if ce.Reason != tc.reason || ce.Fingerprint != fp || ce.Issuer != "CN=popbox mailtest CA,O=popbox tests" {
					t.Errorf("%s: %+v", sec, ce)
				}
				if tc.reason == CertWrongHost && (len(ce.Names) != 1 || ce.Names[0] != "mail.other.test") {
					t.Errorf("%s: names %q", sec, ce.Names)
				}
				acct.Incoming.TrustedCert = ce.Pin()
				if _, err := CheckPOP3(ctx, acct, nil); err != nil {
					t.Errorf("%s pinned: %v", sec, err)
				}
			}
		})
	}
	t.Run("verifies normally", func(t *testing.T) {
		t.Parallel()
		srv := mailtest.Start(t, mailtest.Options{})
		for _, sec := range []Security{SecuritySSL, SecurityStartTLS} {
			acct := dovecotAccount(srv, "alice", "secret", sec)
			// A pin that is not this certificate's: a certificate that
			// verifies is accepted whatever is pinned (providers rotate).
			acct.Incoming.TrustedCert = acct.Incoming.PinFor(CertFingerprint([]byte("old")))
			if _, err := CheckPOP3(ctx, acct, nil); err != nil {
				t.Errorf("%s: %v", sec, err)
			}
			conf, err := TLSConfig(acct)
			if err != nil {
				t.Fatal(err)
			}
			if info, ce, err := ProbeCertificate(ctx, acct.Incoming, false, acct.CAFile, conf); err != nil || ce != nil || info.Fingerprint != Fingerprint(srv.CertSHA256()) {
				t.Errorf("%s: ProbeCertificate = %+v, %v, %v", sec, info, ce, err)
			}
		}
	})
}

// TestTrustDovecotSwapped: the pinned certificate is replaced between two
// fetches; the second is refused with both fingerprints before the
// password is sent, and nothing is lost: the messages stay on the server
// and in the cache, and the next fetch with the new pin gets what came.
func TestTrustDovecotSwapped(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t, mailtest.Options{Cert: mailtest.CertOptions{SelfSigned: true}})
	srv.Deliver(t, "alice", msg("first", "one\n"))
	ctx := context.Background()
	acct := dovecotAccount(srv, "alice", "secret", SecuritySSL)
	acct.CAFile = ""
	acct.Retention = Retention{Kind: RetainDelete}
	old := Fingerprint(srv.CertSHA256())
	acct.Incoming.TrustedCert = acct.Incoming.PinFor(old)
	cache := newMemCache()
	if res, err := Sync(ctx, acct, cache, SyncOptions{}, nil); err != nil || res.New != 1 || res.Deleted != 1 {
		t.Fatalf("first fetch: %+v, %v", res, err)
	}

	srv.SwapCert(t, mailtest.CertOptions{SelfSigned: true})
	srv.Deliver(t, "alice", msg("second", "two\n"))
	fresh := Fingerprint(srv.CertSHA256())
	for _, sec := range []Security{SecuritySSL, SecurityStartTLS} {
		a := dovecotAccount(srv, "alice", "secret", sec)
		a.CAFile, a.ID, a.Retention = "", acct.ID, acct.Retention
		a.Incoming.TrustedCert = a.Incoming.PinFor(old)
		res, err := Sync(ctx, a, cache, SyncOptions{}, nil)
		var pm *PinMismatchError
		if !errors.As(err, &pm) || !errors.Is(err, ErrCertificate) || pm.Pinned != old || pm.Cert.Fingerprint != fresh {
			t.Fatalf("%s: Sync after the swap: %v, want a PinMismatchError %s -> %s", sec, err, old, fresh)
		}
		if msg := err.Error(); !strings.Contains(msg, old.String()) || !strings.Contains(msg, fresh.String()) {
			t.Errorf("%s: the error does not show both fingerprints: %q", sec, msg)
		}
		var ce *CertError
		if !errors.As(err, &ce) || ce.Reason != CertSelfSigned || ce.Fingerprint != fresh {
			t.Errorf("%s: the new certificate: %+v", sec, ce)
		}
		if res.New != 0 || res.Deleted != 0 {
			t.Errorf("%s: %+v", sec, res)
		}
	}
	if n := srv.Count(t, "alice"); n != 1 {
		t.Errorf("%d messages on the server after the refused fetches, want 1", n)
	}
	if n := len(cache.raws(acct.ID)); n != 1 {
		t.Errorf("%d messages in the cache, want 1", n)
	}
	// Accepting the new one once wins over the old pin, for that fetch.
	once := acct
	once.Incoming.AcceptCert = once.Incoming.PinFor(fresh)
	if res, err := Sync(ctx, once, cache, SyncOptions{DryRun: true}, nil); err != nil || len(res.PlannedFetch) != 1 {
		t.Errorf("accepted once: %+v, %v", res, err)
	}
	acct.Incoming.TrustedCert = acct.Incoming.PinFor(fresh)
	if res, err := Sync(ctx, acct, cache, SyncOptions{}, nil); err != nil || res.New != 1 {
		t.Errorf("with the new pin: %+v, %v", res, err)
	}
}

// TestTrustSMTPDovecot: the outgoing check refuses the self-signed
// certificate of Dovecot's submission service on both ports, with its
// fingerprint, takes the outgoing side's pin and refuses a stale one.
func TestTrustSMTPDovecot(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t, mailtest.Options{Submission: true, Cert: mailtest.CertOptions{SelfSigned: true}})
	fp := Fingerprint(srv.CertSHA256())
	ctx := context.Background()
	for _, tc := range []struct {
		port int
		sec  Security
	}{{srv.SubmissionsPort, SecuritySSL}, {srv.SubmissionPort, SecurityStartTLS}} {
		out := Server{Host: srv.Host, Port: tc.port, Security: tc.sec, User: "alice"}
		err := CheckSMTP(ctx, out, "secret", untrusting())
		wantKind(t, err, ErrCertificate)
		ce := certErr(t, err)
		if ce.Reason != CertSelfSigned || ce.Fingerprint != fp || ce.Port != tc.port {
			t.Errorf("%s: %+v", tc.sec, ce)
		}
		info, pce, err := ProbeCertificate(ctx, out, true, "", untrusting())
		if err != nil || pce == nil || info.Fingerprint != fp {
			t.Errorf("%s: ProbeCertificate = %+v, %+v, %v", tc.sec, info, pce, err)
		}

		out.TrustedCert = ce.Pin()
		if err := CheckSMTP(ctx, out, "secret", untrusting()); err != nil {
			t.Errorf("%s pinned: %v", tc.sec, err)
		}
		if err := CheckSMTP(ctx, out, "wrong", untrusting()); !errors.Is(err, ErrAuth) {
			t.Errorf("%s pinned, wrong password: %v", tc.sec, err)
		}
		out.TrustedCert = out.PinFor(CertFingerprint([]byte("old")))
		err = CheckSMTP(ctx, out, "secret", untrusting())
		var pm *PinMismatchError
		if !errors.As(err, &pm) || pm.Cert.Fingerprint != fp {
			t.Errorf("%s stale pin: %v", tc.sec, err)
		}
		wantKind(t, err, ErrCertificate)
		out.TrustedCert, out.AcceptCert = "", out.PinFor(fp)
		if err := CheckSMTP(ctx, out, "secret", untrusting()); err != nil {
			t.Errorf("%s accepted once: %v", tc.sec, err)
		}
	}
}
