package discover

import (
	"context"
	"net"
	"net/http"
	"strings"
	"time"
)

// EnvDNSServer names the environment variable of a DNS server (host:port)
// that EnvOptions asks instead of the system's.
//
// It is a test hook: popbox's tests point it at a DNS server they run on
// 127.0.0.1, so that a lookup (account add --discover, the wizard's) asks
// nothing of the real network. Every name is then resolved there, the
// autoconfig hosts' included.
const EnvDNSServer = "POPBOX_DNS_SERVER"

// EnvOptions are the Options a lookup of popbox uses: the system's
// resolver and HTTP client, unless getenv(EnvDNSServer) names a DNS
// server, which then answers every name.
func EnvOptions(getenv func(string) string) Options {
	server := strings.TrimSpace(getenv(EnvDNSServer))
	if server == "" {
		return Options{}
	}
	r := &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, server)
		},
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = (&net.Dialer{Resolver: r, Timeout: 5 * time.Second}).DialContext
	return Options{Resolver: r, HTTPClient: &http.Client{Transport: tr}}
}
