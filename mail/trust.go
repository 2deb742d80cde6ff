package mail

// Trust on first use, as mpop's tls_fingerprint and mutt's certificate
// prompt do it: a server whose certificate does not verify (self-signed,
// a private CA, another name, expired) can still be trusted, for one
// connection (Server.AcceptCert) or for good (Server.TrustedCert), by the
// SHA-256 fingerprint of its certificate at its host and port.
//
// Every TLS connection popbox makes to a mail server is verified here (see
// trust.config): first as Go verifies it, against the roots of TLSConfig
// for the server's name; a certificate that passes is accepted and no pin
// is asked or kept, since big providers rotate theirs. One that fails is
// accepted only when its fingerprint is the one accepted for this
// connection or pinned for this host:port; a pin for another host:port
// does not apply; a pin that differs gives a PinMismatchError, and no pin
// a CertError.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Fingerprint is the SHA-256 of a certificate's DER bytes.
type Fingerprint [sha256.Size]byte

// CertFingerprint is the fingerprint of a certificate in DER form.
func CertFingerprint(der []byte) Fingerprint { return sha256.Sum256(der) }

// IsZero reports whether f is unset.
func (f Fingerprint) IsZero() bool { return f == Fingerprint{} }

// String writes f as upper-case hex pairs joined by colons, as browsers
// and openssl x509 -fingerprint -sha256 show it.
func (f Fingerprint) String() string {
	const digits = "0123456789ABCDEF"
	b := make([]byte, 0, 3*len(f)-1)
	for i, c := range f {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, digits[c>>4], digits[c&15])
	}
	return string(b)
}

// ErrBadFingerprint: a fingerprint that is not 32 bytes of hex.
var ErrBadFingerprint = errors.New("not a SHA-256 fingerprint")

// ParseFingerprint reads a SHA-256 fingerprint as people copy it: 64 hex
// digits, plain or in colon-separated pairs, in any case, with or without
// a "sha256:" prefix (or openssl's "sha256 Fingerprint=").
func ParseFingerprint(s string) (Fingerprint, error) {
	var f Fingerprint
	v := strings.ToLower(strings.TrimSpace(s))
	for _, p := range []string{"sha256 fingerprint=", "sha256:", "sha-256:"} {
		if strings.HasPrefix(v, p) {
			v = strings.TrimSpace(v[len(p):])
			break
		}
	}
	if strings.Contains(v, ":") {
		pairs := strings.Split(v, ":")
		if len(pairs) != len(f) {
			return f, fmt.Errorf("%q: %w", SafeLine(s), ErrBadFingerprint)
		}
		for _, p := range pairs {
			if len(p) != 2 {
				return f, fmt.Errorf("%q: %w", SafeLine(s), ErrBadFingerprint)
			}
		}
		v = strings.Join(pairs, "")
	}
	if len(v) != 2*len(f) {
		return f, fmt.Errorf("%q: %w", SafeLine(s), ErrBadFingerprint)
	}
	if _, err := hex.Decode(f[:], []byte(v)); err != nil {
		return Fingerprint{}, fmt.Errorf("%q: %w", SafeLine(s), ErrBadFingerprint)
	}
	return f, nil
}

// CertInfo is what a person needs to decide whether to trust a
// certificate; the names are made safe to print.
type CertInfo struct {
	Subject     string
	Issuer      string
	NotBefore   time.Time
	NotAfter    time.Time
	Fingerprint Fingerprint
}

// DescribeCert is the CertInfo of c.
func DescribeCert(c *x509.Certificate) CertInfo {
	return CertInfo{
		Subject:     quoteCut(SafeLine(c.Subject.String())),
		Issuer:      quoteCut(SafeLine(c.Issuer.String())),
		NotBefore:   c.NotBefore,
		NotAfter:    c.NotAfter,
		Fingerprint: CertFingerprint(c.Raw),
	}
}

// selfSigned reports whether c names itself as its issuer and its own key
// verifies its signature (whatever its CA flags say).
func selfSigned(c *x509.Certificate) bool {
	return c != nil && bytes.Equal(c.RawIssuer, c.RawSubject) &&
		c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// pinAddress is host:port as a pin names it: the host in lower case,
// without brackets or a final dot.
func pinAddress(host string, port int) string {
	h := strings.ToLower(strings.TrimSpace(host))
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	return joinHostPort(strings.TrimSuffix(h, "."), port)
}

// PinFor is the value of TrustedCert (or AcceptCert) that trusts the
// certificate with fingerprint f at s's host and port:
// "host:port AB:CD:...".
func (s Server) PinFor(f Fingerprint) string {
	return pinAddress(s.Host, s.Port) + " " + f.String()
}

// ParsePin reads a TrustedCert or AcceptCert value: the address it is for
// and the fingerprint. ok is false for "" and for anything malformed.
func ParsePin(v string) (addr string, f Fingerprint, ok bool) {
	addr, fp, found := strings.Cut(strings.TrimSpace(v), " ")
	if !found || addr == "" {
		return "", Fingerprint{}, false
	}
	f, err := ParseFingerprint(fp)
	if err != nil {
		return "", Fingerprint{}, false
	}
	return addr, f, true
}

// Pinned is the fingerprint TrustedCert pins for s's current host and
// port; ok is false when there is none, or the pin is for another
// address (the host or port was changed since).
func (s Server) Pinned() (f Fingerprint, ok bool) { return s.pinFrom(s.TrustedCert) }

// acceptedOnce is AcceptCert's fingerprint for s's host and port.
func (s Server) acceptedOnce() (f Fingerprint, ok bool) { return s.pinFrom(s.AcceptCert) }

func (s Server) pinFrom(v string) (Fingerprint, bool) {
	addr, f, ok := ParsePin(v)
	if !ok || addr != pinAddress(s.Host, s.Port) {
		return Fingerprint{}, false
	}
	return f, true
}

// Address is the server's host:port, as a pin names it.
func (e *CertError) Address() string { return pinAddress(e.Host, e.Port) }

// Pin is the value of Server.TrustedCert (trust for good) or
// Server.AcceptCert (for the next connection only) that accepts the
// certificate e is about, at e's host and port.
func (e *CertError) Pin() string {
	return e.Address() + " " + e.Fingerprint.String()
}

// SetTrustedCert pins a certificate on one side of a (outgoing: the SMTP
// server): pin is a CertError's Pin or a Server's PinFor. The outgoing
// pin is kept in Outgoing even with SMTPSame, where SMTP reads it. ""
// removes the pin.
func (a *Account) SetTrustedCert(outgoing bool, pin string) {
	if outgoing {
		a.Outgoing.TrustedCert = pin
	} else {
		a.Incoming.TrustedCert = pin
	}
}

// AcceptCertOnce is SetTrustedCert for the connections made with this
// value of a only ("accept once"); the store never writes it.
func (a *Account) AcceptCertOnce(outgoing bool, pin string) {
	if outgoing {
		a.Outgoing.AcceptCert = pin
	} else {
		a.Incoming.AcceptCert = pin
	}
}

// PinMismatchError: the server's certificate does not verify and is not
// the one pinned for its host:port. It may have been renewed, or someone
// is in the middle; nothing was sent but the TLS handshake. Cert is the
// certificate the server presents now (errors.As finds it too); it wraps
// ErrCertificate.
type PinMismatchError struct {
	// Pinned is the fingerprint trusted before.
	Pinned Fingerprint
	// Cert is the new certificate and why it does not verify.
	Cert *CertError
}

// Error names both fingerprints.
func (e *PinMismatchError) Error() string {
	return fmt.Sprintf("the certificate of %s is not the one trusted (SHA-256 %s); it is now %s",
		e.Cert.Address(), e.Pinned, e.Cert.Fingerprint)
}

// Unwrap gives the CertError of the new certificate, which wraps
// ErrCertificate.
func (e *PinMismatchError) Unwrap() error { return e.Cert }

// trust decides about one server's certificate.
type trust struct {
	host   string // as the account names it, for errors and pins
	port   int
	caFile string
	pinned Fingerprint // TrustedCert for this host:port
	once   Fingerprint // AcceptCert for this host:port
	// probe, when set, records the certificate and accepts any: for
	// ProbeCertificate, which sends nothing but the handshake.
	probe *certProbe
}

// certProbe is what a probe's handshake saw.
type certProbe struct {
	seen bool
	info CertInfo
	err  *CertError // nil when the certificate verifies
}

func trustFor(srv Server, caFile string) trust {
	t := trust{host: srv.Host, port: srv.Port, caFile: caFile}
	t.pinned, _ = srv.Pinned()
	t.once, _ = srv.acceptedOnce()
	return t
}

// config is base for a connection to this server: the same roots, name
// and versions, with the verification above in place of Go's. A base that
// skips verification itself is left alone, but for a probe.
func (t trust) config(base *tls.Config) *tls.Config {
	c := base.Clone()
	if c.InsecureSkipVerify && t.probe == nil {
		return c
	}
	roots, name, now, next := c.RootCAs, c.ServerName, c.Time, c.VerifyConnection
	if now == nil {
		now = time.Now
	}
	c.InsecureSkipVerify = true
	c.VerifyConnection = func(cs tls.ConnectionState) error {
		if err := t.verify(cs.PeerCertificates, roots, name, now()); err != nil {
			return err
		}
		if next != nil {
			return next(cs)
		}
		return nil
	}
	return c
}

// verify checks the chain as crypto/tls would, then the pins.
func (t trust) verify(certs []*x509.Certificate, roots *x509.CertPool, name string, now time.Time) error {
	if len(certs) == 0 {
		return &CertError{Host: t.host, Port: t.port, Reason: CertInvalid, CAFile: t.caFile,
			Detail: "the server sent no certificate", Err: errors.New("no certificate")}
	}
	leaf := certs[0]
	opts := x509.VerifyOptions{Roots: roots, DNSName: name, CurrentTime: now, Intermediates: x509.NewCertPool()}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	_, verr := leaf.Verify(opts)
	if t.probe != nil {
		t.probe.seen, t.probe.info = true, DescribeCert(leaf)
	}
	if verr == nil {
		return nil
	}
	full := &tls.CertificateVerificationError{UnverifiedCertificates: certs, Err: verr}
	ce := newCertError(t.host, t.port, t.caFile, leaf, full)
	if ce == nil {
		ce = &CertError{Host: t.host, Port: t.port, Reason: CertInvalid, CAFile: t.caFile, CertInfo: DescribeCert(leaf),
			Detail: quoteCut(SafeLine(verr.Error())), Err: full}
	}
	switch {
	case t.probe != nil:
		t.probe.err = ce
		return nil
	case !t.once.IsZero() && t.once == ce.Fingerprint, !t.pinned.IsZero() && t.pinned == ce.Fingerprint:
		return nil
	case !t.pinned.IsZero():
		return &PinMismatchError{Pinned: t.pinned, Cert: ce}
	}
	return ce
}

// ErrNoTLS: the server is reached without TLS (security none), so it has
// no certificate to look at or trust.
var ErrNoTLS = errors.New("no TLS on this connection")

// ProbeCertificate connects to srv with its security, as far as the TLS
// handshake (after STLS or STARTTLS for SecurityStartTLS), and returns the
// server's certificate with the CertError that says why it does not
// verify, or nil when it verifies normally (against tlsConf's roots, nil
// for TLSConfig's defaults). It sends no user name, password or token,
// and looks at no pin: `popbox account trust` uses it to see the
// certificate before pinning it. outgoing picks SMTP over POP3. caFile is
// only named in the CertError.
func ProbeCertificate(ctx context.Context, srv Server, outgoing bool, caFile string, tlsConf *tls.Config) (CertInfo, *CertError, error) {
	if srv.Security == SecurityNone {
		return CertInfo{}, nil, fmt.Errorf("%s: %w", srv.Address(), ErrNoTLS)
	}
	if tlsConf == nil {
		tlsConf = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	t := trust{host: srv.Host, port: srv.Port, caFile: caFile, probe: &certProbe{}}
	var err error
	if outgoing {
		srv.User = "" // no AUTH: the check ends after EHLO
		err = checkSMTP(ctx, srv, "", tlsConf, t)
	} else {
		var s *session
		s, err = dial(ctx, srv, t, tlsConf, defaultIdleTimeout)
		if err == nil {
			s.quit()
		}
	}
	if !t.probe.seen {
		if err == nil {
			err = fmt.Errorf("%s: no certificate seen: %w", srv.Address(), ErrProtocol)
		}
		return CertInfo{}, nil, err
	}
	// What came after the handshake (a refused EHLO, a closed
	// connection) does not change the certificate.
	return t.probe.info, t.probe.err, nil
}
