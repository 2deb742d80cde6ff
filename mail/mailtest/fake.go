package mailtest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Fake starts a TCP listener on 127.0.0.1 whose every connection is handled
// by handle, each in its own goroutine. It is meant for servers that
// misbehave: silent, hostile or speaking the wrong protocol. The listener and
// every connection still open are closed in t.Cleanup, so a handler blocked
// on a read returns then. Fake returns the address, "127.0.0.1:port".
func Fake(t testing.TB, handle func(c net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: fake server: %v", err)
	}
	serveFake(t, l, handle, nil)
	return l.Addr().String()
}

// ClosedPort is a port of 127.0.0.1 nothing listens on (for now): a
// connection to it is refused, as to a server that is down.
func ClosedPort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: closed port: %v", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// FakeTLS is Fake with implicit TLS. The certificate comes from a freshly
// generated CA (like Start's) and is valid for localhost and 127.0.0.1. The
// TLS handshake is completed before handle is called (a client that fails it
// never reaches handle); to fake a server that is silent before the
// handshake, use Fake. FakeTLS returns the address, the CA as a pool and the
// path of the CA's PEM file.
func FakeTLS(t testing.TB, handle func(c net.Conn)) (addr string, ca *x509.CertPool, caFile string) {
	t.Helper()
	return FakeTLSWith(t, CertOptions{}, handle)
}

// FakeTLSWith is FakeTLS with a server certificate changed by opts (for
// another host, expired). A client that refuses the certificate never
// reaches handle.
func FakeTLSWith(t testing.TB, opts CertOptions, handle func(c net.Conn)) (addr string, ca *x509.CertPool, caFile string) {
	t.Helper()
	p, err := newPKIWith(opts)
	if err != nil {
		t.Fatalf("mailtest: fake TLS server: %v", err)
	}
	caFile = filepath.Join(t.TempDir(), "ca.crt")
	if err := os.WriteFile(caFile, p.caPEM, 0o644); err != nil {
		t.Fatalf("mailtest: fake TLS server: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: fake TLS server: %v", err)
	}
	conf := &tls.Config{Certificates: []tls.Certificate{p.cert}, MinVersion: tls.VersionTLS12}
	serveFake(t, l, handle, conf)
	return l.Addr().String(), p.pool, caFile
}

// serveFake accepts connections on l until cleanup and hands each one to
// handle, after a TLS handshake when conf is not nil.
func serveFake(t testing.TB, l net.Listener, handle func(c net.Conn), conf *tls.Config) {
	var (
		mu     sync.Mutex
		conns  = map[net.Conn]struct{}{}
		closed bool
		wg     sync.WaitGroup
	)
	track := func(c net.Conn) bool {
		mu.Lock()
		defer mu.Unlock()
		if closed {
			return false
		}
		conns[c] = struct{}{}
		return true
	}
	untrack := func(c net.Conn) {
		mu.Lock()
		delete(conns, c)
		mu.Unlock()
	}

	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			raw, err := l.Accept()
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return
				}
				time.Sleep(5 * time.Millisecond)
				continue
			}
			if !track(raw) {
				raw.Close()
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer untrack(raw)
				defer raw.Close()
				var c net.Conn = raw
				if conf != nil {
					tc := tls.Server(raw, conf)
					tc.SetDeadline(time.Now().Add(10 * time.Second))
					if err := tc.Handshake(); err != nil {
						return
					}
					tc.SetDeadline(time.Time{})
					c = tc
				}
				handle(c)
			}()
		}
	}()

	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		closed = true
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		// A handler blocked on something other than its connection would
		// hang the test; give the others a moment to return and move on.
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
		}
	})
}
