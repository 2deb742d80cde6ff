package mail

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"
)

// TLSConfig is the TLS client configuration for the account's incoming
// server: certificates are verified against the system roots, the PEM
// bundle named by SSL_CERT_FILE and the account's CA file, for the
// incoming host name. To talk to another host (the SMTP server), clone the
// result and set ServerName.
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
