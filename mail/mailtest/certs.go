package mailtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// testPKI is a throw-away certificate authority and one server certificate
// it signed, valid for localhost, 127.0.0.1 and ::1.
type testPKI struct {
	caPEM   []byte // CA certificate
	certPEM []byte // server certificate
	keyPEM  []byte // server key, PKCS #8
	pool    *x509.CertPool
	cert    tls.Certificate
	sha256  [32]byte // of the server certificate's DER
}

// CertOptions change the server certificate of FakeTLSWith and of a
// Dovecot (Options.Cert, Server.SwapCert), to test how a client takes one
// it should not trust.
type CertOptions struct {
	// Names, when set, are the DNS names the certificate is for, instead of
	// localhost, 127.0.0.1 and ::1 (and then no IP address).
	Names []string
	// Expired makes the certificate end a day before now.
	Expired bool
	// SelfSigned makes the certificate sign itself; no CA is made, and
	// the "CA" file and pool hold the certificate itself.
	SelfSigned bool
}

// newPKI generates an ECDSA P-256 CA and a server certificate signed by it.
func newPKI() (*testPKI, error) { return newPKIWith(CertOptions{}) }

func newPKIWith(opts CertOptions) (*testPKI, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("ca key: %w", err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "popbox mailtest CA", Organization: []string{"popbox tests"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("ca certificate: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("ca certificate: %w", err)
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("server key: %w", err)
	}
	names, ips := []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	if len(opts.Names) > 0 {
		names, ips = opts.Names, nil
	}
	notBefore, notAfter := now.Add(-time.Hour), now.Add(365*24*time.Hour)
	if opts.Expired {
		notBefore, notAfter = now.Add(-30*24*time.Hour), now.Add(-24*time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: names[0]},
		DNSNames:              names,
		IPAddresses:           ips,
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if opts.SelfSigned {
		caCert, caKey, caDER = tmpl, key, nil
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("server certificate: %w", err)
	}
	if opts.SelfSigned {
		caDER = der
		if caCert, err = x509.ParseCertificate(der); err != nil {
			return nil, fmt.Errorf("server certificate: %w", err)
		}
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("server key: %w", err)
	}

	p := &testPKI{
		caPEM:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		pool:    x509.NewCertPool(),
	}
	p.pool.AddCert(caCert)
	p.cert, err = tls.X509KeyPair(p.certPEM, p.keyPEM)
	if err != nil {
		return nil, fmt.Errorf("server key pair: %w", err)
	}
	p.sha256 = sha256.Sum256(der)
	return p, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return n.Add(n, big.NewInt(1))
}

// writeCerts writes the CA, the server certificate and its key.
func (s *Server) writeCerts() error {
	s.mu.Lock()
	p := s.pki
	s.mu.Unlock()
	files := []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{"ca.crt", p.caPEM, 0o644},
		{"server.crt", p.certPEM, 0o644},
		{"server.key", p.keyPEM, 0o600},
	}
	for _, f := range files {
		// Written beside and renamed, so that a reload never reads half a file.
		name := filepath.Join(s.Dir, "tls", f.name)
		if err := os.WriteFile(name+".new", f.data, f.mode); err != nil {
			return err
		}
		if err := os.Rename(name+".new", name); err != nil {
			return err
		}
	}
	return nil
}

// CertSHA256 is the SHA-256 of the DER of the certificate the server
// presents (on every port), as a client computes its fingerprint.
func (s *Server) CertSHA256() [32]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pki.sha256
}

// SwapCert gives the running server a new certificate (and a new CA in
// CAFile and CAPool, or none when self-signed) and reloads Dovecot; it
// returns once a new connection gets the new certificate. Connections
// already open keep the old one. CAPool changes: do not read it while
// SwapCert runs.
func (s *Server) SwapCert(t testing.TB, opts CertOptions) {
	t.Helper()
	p, err := newPKIWith(opts)
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	s.mu.Lock()
	s.pki, s.CAPool = p, p.pool
	s.mu.Unlock()
	if err := s.writeCerts(); err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	// SIGHUP makes Dovecot's master read its configuration again, the
	// certificate files included, and start new login processes with it.
	if err := syscall.Kill(s.cmd.Process.Pid, syscall.SIGHUP); err != nil {
		t.Fatalf("mailtest: reload dovecot: %v", err)
	}
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.POPSPort))
	deadline := time.Now().Add(startTimeout)
	for {
		if got, err := presented(addr); err == nil && got == p.sha256 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailtest: dovecot still presents the old certificate on %s %s after a reload\n%s", addr, startTimeout, s.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// presented is the SHA-256 of the certificate addr presents over implicit TLS.
func presented(addr string) ([32]byte, error) {
	d := tls.Dialer{NetDialer: &net.Dialer{Timeout: time.Second}, Config: &tls.Config{InsecureSkipVerify: true}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return [32]byte{}, err
	}
	defer c.Close()
	certs := c.(*tls.Conn).ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return [32]byte{}, fmt.Errorf("%s sent no certificate", addr)
	}
	return sha256.Sum256(certs[0].Raw), nil
}
