package mail

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// TLSConfig is the TLS client configuration for the account's incoming
// server: certificates are verified against the system roots, the PEM
// bundle named by SSL_CERT_FILE and the account's CA file, for the
// incoming host name. To talk to another host (the SMTP server), clone the
// result and set ServerName. The pins of Server.TrustedCert and
// AcceptCert are applied where each connection is made, for its server.
//
// Go's x509.SystemCertPool already reads SSL_CERT_FILE on Linux, but only
// once per process and not at all on macOS or Windows; the file is read here
// as well so that the variable means the same everywhere.
func TLSConfig(acct Account) (*tls.Config, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		if err := appendPEMFile(pool, f); err != nil {
			return nil, fmt.Errorf("SSL_CERT_FILE: %w", err)
		}
	}
	if acct.CAFile != "" {
		if err := appendPEMFile(pool, acct.CAFile); err != nil {
			return nil, fmt.Errorf("CA file of account %s: %w", acct.Name, err)
		}
	}
	return &tls.Config{
		RootCAs:    pool,
		ServerName: strings.TrimSuffix(strings.TrimPrefix(acct.Incoming.Host, "["), "]"),
		MinVersion: tls.VersionTLS12,
	}, nil
}

// appendPEMFile adds every certificate of a PEM file to pool; a file without
// one is an error, since it would silently trust nothing.
func appendPEMFile(pool *x509.CertPool, name string) error {
	b, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	if !pool.AppendCertsFromPEM(b) {
		return fmt.Errorf("%s holds no PEM certificate", name)
	}
	return nil
}

// CertReason is why a server's certificate was not trusted.
type CertReason int

// The reasons a certificate is refused, as Go's verifier reports them (it
// checks the dates first, then the signer, then the host name).
const (
	CertUntrusted   CertReason = iota // not signed by a CA popbox trusts
	CertWrongHost                     // trusted, but for other names
	CertExpired                       // past its end date
	CertNotYetValid                   // before its start date
	CertInvalid                       // any other refusal (usage, constraints)
	CertSelfSigned                    // signed by itself, not by a CA popbox trusts
)

// CertError is a server certificate popbox refused, with what a person
// needs to act on it: why, and the certificate itself (CertInfo: its
// subject, issuer, dates and SHA-256 fingerprint) for deciding whether to
// trust it anyway (see Server.TrustedCert). It wraps ErrCertificate.
type CertError struct {
	// Host and Port are the server's as the account names them; Pin
	// joins them with the fingerprint.
	Host   string
	Port   int
	Reason CertReason
	// CertInfo describes the server's certificate; zero when the
	// handshake did not get that far.
	CertInfo
	// Names are the names the certificate is for (CertWrongHost), made
	// safe to print.
	Names []string
	// When is the end date (CertExpired) or the start date (CertNotYetValid).
	When time.Time
	// CAFile is the account's CA file, "" when none was given.
	CAFile string
	// Detail is the verifier's own words, made safe to print.
	Detail string
	// Err is the verifier's error.
	Err error
}

// Error says what was wrong with the certificate.
func (e *CertError) Error() string {
	switch e.Reason {
	case CertWrongHost:
		return fmt.Sprintf("the certificate of %s is for %s, not for %s", e.Host, strings.Join(e.Names, ", "), e.Host)
	case CertExpired:
		return fmt.Sprintf("the certificate of %s expired on %s", e.Host, e.When.UTC().Format("2006-01-02"))
	case CertNotYetValid:
		return fmt.Sprintf("the certificate of %s is not valid before %s", e.Host, e.When.UTC().Format("2006-01-02"))
	case CertSelfSigned:
		return fmt.Sprintf("the certificate of %s is self-signed (SHA-256 %s)", e.Host, e.Fingerprint)
	case CertUntrusted:
		if e.CAFile != "" {
			return fmt.Sprintf("the certificate of %s is not signed by a CA in %s or the system's list", e.Host, e.CAFile)
		}
		return fmt.Sprintf("the certificate of %s is not signed by a CA popbox trusts", e.Host)
	}
	return fmt.Sprintf("the certificate of %s was refused: %s", e.Host, e.Detail)
}

// Unwrap makes errors.Is(err, ErrCertificate) true, and keeps the
// verifier's error for errors.As.
func (e *CertError) Unwrap() []error { return []error{ErrCertificate, e.Err} }

// certError reads a TLS handshake error as the certificate problem it
// is: a PinMismatchError or a CertError (as the verifier of trust.go
// returns them, or made here from Go's own verifier's error), or nil when
// it is not about the certificate.
func certError(host string, port int, caFile string, err error) error {
	var (
		pm *PinMismatchError
		ce *CertError
	)
	if errors.As(err, &pm) {
		return pm
	}
	if errors.As(err, &ce) {
		return ce
	}
	var leaf *x509.Certificate
	var verr *tls.CertificateVerificationError
	if errors.As(err, &verr) && len(verr.UnverifiedCertificates) > 0 {
		leaf = verr.UnverifiedCertificates[0]
	}
	if ce := newCertError(host, port, caFile, leaf, err); ce != nil {
		return ce
	}
	return nil
}

// newCertError says why the verifier refused leaf (which may be nil),
// or returns nil when err is not about the certificate.
func newCertError(host string, port int, caFile string, leaf *x509.Certificate, err error) *CertError {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verr     *tls.CertificateVerificationError
	)
	e := &CertError{Host: host, Port: port, CAFile: caFile, Detail: quoteCut(SafeLine(err.Error())), Err: err}
	if leaf != nil {
		e.CertInfo = DescribeCert(leaf)
	}
	switch {
	case errors.As(err, &invalid):
		switch invalid.Reason {
		case x509.Expired:
			e.Reason = CertExpired
			if c := invalid.Cert; c != nil {
				e.When = c.NotAfter
				if time.Now().Before(c.NotBefore) {
					e.Reason, e.When = CertNotYetValid, c.NotBefore
				}
			}
		default:
			e.Reason = CertInvalid
		}
	case errors.As(err, &hostname):
		e.Reason = CertWrongHost
		c := hostname.Certificate
		if c == nil {
			c = &x509.Certificate{}
		}
		for _, n := range c.DNSNames {
			e.Names = append(e.Names, quoteCut(SafeLine(n)))
		}
		for _, ip := range c.IPAddresses {
			e.Names = append(e.Names, ip.String())
		}
		if len(e.Names) == 0 {
			e.Names = []string{quoteCut(SafeLine(c.Subject.CommonName))}
		}
		if len(e.Names) > 5 {
			e.Names = append(e.Names[:5], "...")
		}
	case errors.As(err, &unknown):
		e.Reason = CertUntrusted
		// The leaf's own signature decides: a private root sent along
		// with the chain makes the leaf no less CA-signed.
		c := leaf
		if c == nil {
			c = unknown.Cert
		}
		if selfSigned(c) {
			e.Reason = CertSelfSigned
		}
	case errors.As(err, &verr):
		e.Reason = CertInvalid
	default:
		return nil
	}
	return e
}
