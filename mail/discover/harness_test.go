package discover

// The tests' outside world, all on 127.0.0.1: a DNS server (miekg/dns,
// UDP and TCP on one port) serving a zone given as record strings, a DNS
// server that never answers, and HTTPS servers for autoconfig files whose
// certificate is for example.test and autoconfig.example.test, reached
// through a client that sends those two names to the test server and
// refuses every other address.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// dnsServer answers from a zone and counts the questions it was asked.
type dnsServer struct {
	addr    string
	records []dns.RR
	asked   atomic.Int64
}

// startDNS serves the records (zone-file lines such as
// "example.test. 300 IN MX 10 mx.zoho.eu.") on 127.0.0.1, UDP and TCP on
// the same port; every other question gets NXDOMAIN.
func startDNS(t *testing.T, lines ...string) *dnsServer {
	t.Helper()
	s := &dnsServer{}
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			t.Fatalf("record %q: %v", l, err)
		}
		s.records = append(s.records, rr)
	}
	pc, l := listenBoth(t)
	s.addr = pc.LocalAddr().String()
	h := dns.HandlerFunc(s.serve)
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: h}, {Listener: l, Handler: h}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		<-started
		t.Cleanup(func() { _ = srv.Shutdown() })
	}
	return s
}

func (s *dnsServer) serve(w dns.ResponseWriter, q *dns.Msg) {
	s.asked.Add(1)
	m := new(dns.Msg)
	m.SetReply(q)
	m.Authoritative = true
	for _, qq := range q.Question {
		for _, rr := range s.records {
			h := rr.Header()
			if strings.EqualFold(h.Name, qq.Name) && h.Rrtype == qq.Qtype {
				m.Answer = append(m.Answer, rr)
			}
		}
	}
	if len(m.Answer) == 0 {
		m.Rcode = dns.RcodeNameError
	}
	_ = w.WriteMsg(m)
}

// listenBoth listens on one free port of 127.0.0.1 for UDP and TCP.
func listenBoth(t *testing.T) (net.PacketConn, net.Listener) {
	t.Helper()
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		l, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, l
		}
		pc.Close()
	}
	t.Fatal("no port free for both UDP and TCP")
	return nil, nil
}

// silentDNS takes questions over UDP and TCP on 127.0.0.1 and never
// answers, as a dead or filtered name server does.
func silentDNS(t *testing.T) string {
	t.Helper()
	pc, l := listenBoth(t)
	go func() {
		buf := make([]byte, 4096)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	var mu sync.Mutex
	var held []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		pc.Close()
		l.Close()
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	})
	return pc.LocalAddr().String()
}

// resolverAt is a Go resolver that asks only the server at addr.
func resolverAt(addr string) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
}

// testNames are the names the test certificate is for; the client sends
// connections to them on port 443 to the test server.
var testNames = []string{"example.test", "autoconfig.example.test"}

// errNoNetwork is what the test clients say of any other address.
var errNoNetwork = errors.New("test: no network beyond the test servers")

// startHTTPS serves h over TLS with a certificate for testNames and
// returns a client that trusts it and reaches it by those names, and the
// number of requests served.
func startHTTPS(t *testing.T, h http.Handler) (*http.Client, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h.ServeHTTP(w, r)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{testCert(t)}}
	// The untrusting client's handshakes fail on purpose: not worth a log.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := srv.Client()
	tr := c.Transport.(*http.Transport).Clone()
	tr.DialContext = dialOnly(srv.Listener.Addr().String())
	c.Transport = tr
	return c, &n
}

// dialOnly dials target for testNames on port 443 and refuses the rest.
func dialOnly(target string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		for _, n := range testNames {
			if addr == n+":443" {
				var d net.Dialer
				return d.DialContext(ctx, network, target)
			}
		}
		return nil, errNoNetwork
	}
}

// offline is a client that reaches nothing: for the tests of the DNS
// sources, whose autoconfig look-ups must not leave the machine.
func offline() *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) {
		return nil, errNoNetwork
	}}}
}

// testCert is a self-signed certificate for testNames; httptest's
// client trusts the server's first certificate.
func testCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: testNames[0]},
		DNSNames:              testNames,
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// serveFiles answers the two autoconfig paths with the bodies given ("" is
// 404) and everything else with 404.
func serveFiles(atHost, wellKnown string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := ""
		switch {
		case r.Host == "autoconfig.example.test" && r.URL.Path == "/mail/config-v1.1.xml":
			body = atHost
		case r.Host == "example.test" && r.URL.Path == "/.well-known/autoconfig/mail/config-v1.1.xml":
			body = wellKnown
		}
		if body == "" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write([]byte(body))
	})
}

// config is a clientConfig with the servers given (incomingServer and
// outgoingServer elements).
func config(servers ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.test">
    <domain>example.test</domain>
    <displayName>Example Corp Mail</displayName>
    ` + strings.Join(servers, "\n    ") + `
  </emailProvider>
</clientConfig>
`
}

// srv is an incomingServer or outgoingServer element.
func srv(kind, typ, host, port, socket, user string) string {
	return `<` + kind + ` type="` + typ + `"><hostname>` + host + `</hostname><port>` + port +
		`</port><socketType>` + socket + `</socketType><username>` + user +
		`</username><authentication>password-cleartext</authentication></` + kind + `>`
}

func pop3(host, port, socket, user string) string {
	return srv("incomingServer", "pop3", host, port, socket, user)
}

func smtp(host, port, socket, user string) string {
	return srv("outgoingServer", "smtp", host, port, socket, user)
}

// hasRefusal reports whether res refused something of src for kind.
func hasRefusal(res Result, src Source, kind error) bool {
	for _, r := range res.Refused {
		if r.Source == src && errors.Is(r.Err, kind) {
			return true
		}
	}
	return false
}
