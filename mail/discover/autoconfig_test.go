package discover

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"popbox/mail"
)

// lookupAutoconfig runs Lookup for taro@example.test with only an
// autoconfig server (the DNS knows nothing).
func lookupAutoconfig(t *testing.T, h http.Handler) (Result, error) {
	t.Helper()
	c, _ := startHTTPS(t, h)
	d := startDNS(t)
	return Lookup(context.Background(), "taro@example.test", Options{Resolver: resolverAt(d.addr), HTTPClient: c})
}

// TestAutoconfig: the autoconfig host's file gives both servers, the user
// names filled in from the placeholders, and says where it came from.
func TestAutoconfig(t *testing.T) {
	var query string
	h := serveFiles(config(
		srv("incomingServer", "imap", "imap.example.test", "993", "SSL", "%EMAILADDRESS%"),
		pop3("pop.%EMAILDOMAIN%", "995", "SSL", "%EMAILADDRESS%"),
		smtp("smtp.example.test", "587", "STARTTLS", "%EMAILLOCALPART%"),
	), "")
	res, err := lookupAutoconfig(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host == "autoconfig.example.test" {
			query = r.URL.RawQuery
		}
		h.ServeHTTP(w, r)
	}))
	if err != nil {
		t.Fatal(err)
	}
	b := res.Best
	want := Proposal{
		Source: SourceAutoconfig, Detail: "https://autoconfig.example.test/mail/config-v1.1.xml",
		Provider:    "Example Corp Mail",
		Incoming:    mail.Server{Host: "pop.example.test", Port: 995, Security: mail.SecuritySSL, User: "taro@example.test"},
		Outgoing:    mail.Server{Host: "smtp.example.test", Port: 587, Security: mail.SecurityStartTLS, User: "taro"},
		UserIsEmail: true,
	}
	if b.Source != want.Source || b.Detail != want.Detail || b.Provider != want.Provider || b.Incoming != want.Incoming ||
		b.Outgoing != want.Outgoing || !b.UserIsEmail || b.SignIn != "" {
		t.Errorf("got  %+v\nwant %+v", b, want)
	}
	if query != "emailaddress=taro%40example.test" {
		t.Errorf("the autoconfig host was asked with query %q", query)
	}
	if len(res.All) != 1 || len(res.Conflicts) != 0 {
		t.Errorf("all %v, conflicts %v", res.All, res.Conflicts)
	}
}

// TestAutoconfigWellKnown: without a file at the autoconfig host, the
// domain's well-known path is read; with both, the autoconfig host wins.
func TestAutoconfigWellKnown(t *testing.T) {
	file := func(host string) string { return config(pop3(host, "995", "SSL", "%EMAILADDRESS%")) }
	res, err := lookupAutoconfig(t, serveFiles("", file("pop.wellknown.test")))
	if err != nil || res.Best.Incoming.Host != "pop.wellknown.test" ||
		res.Best.Detail != "https://example.test/.well-known/autoconfig/mail/config-v1.1.xml" {
		t.Fatalf("well-known only: %v %+v", err, res.Best)
	}
	if res.Best.Outgoing != (mail.Server{}) {
		t.Errorf("a file without an outgoing server proposed %+v", res.Best.Outgoing)
	}
	res, err = lookupAutoconfig(t, serveFiles(file("pop.first.test"), file("pop.second.test")))
	if err != nil || res.Best.Incoming.Host != "pop.first.test" {
		t.Fatalf("both: %v %+v", err, res.Best)
	}
}

// TestAutoconfigHostile: a file that is too large, malformed, not a
// clientConfig, or offers only servers without TLS, with a port that
// contradicts its security, or no POP3 at all, proposes nothing and says
// why; a usable server after a refused one is taken.
func TestAutoconfigHostile(t *testing.T) {
	huge := config(pop3("pop.example.test", "995", "SSL", "%EMAILADDRESS%")) + strings.Repeat("<!-- padding -->", 70<<10/16)
	tests := []struct {
		name string
		h    http.Handler
		kind error
	}{
		{"huge with a length", serveFiles(huge, ""), ErrTooLarge},
		{"huge streamed", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for range 100 {
				_, _ = w.Write([]byte(strings.Repeat("<a>", 1024)))
				w.(http.Flusher).Flush()
			}
		}), ErrTooLarge},
		{"malformed", serveFiles(`<clientConfig><emailProvider><incomingServer type="pop3">`, ""), ErrMalformed},
		{"an HTML page", serveFiles("<html><body>Welcome</body></html>", ""), ErrMalformed},
		{"entities", serveFiles(`<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>`+
			`<clientConfig><emailProvider><displayName>&b;</displayName></emailProvider></clientConfig>`, ""), ErrMalformed},
		{"no provider", serveFiles(`<clientConfig version="1.1"></clientConfig>`, ""), ErrMalformed},
		{"plain only", serveFiles(config(pop3("pop.example.test", "110", "plain", "%EMAILADDRESS%")), ""), ErrPlainText},
		{"no socketType", serveFiles(config(pop3("pop.example.test", "110", "", "%EMAILADDRESS%")), ""), ErrPlainText},
		{"SSL on 110", serveFiles(config(pop3("pop.example.test", "110", "SSL", "%EMAILADDRESS%")), ""), ErrPortSecurity},
		{"STARTTLS on 995", serveFiles(config(pop3("pop.example.test", "995", "STARTTLS", "%EMAILADDRESS%")), ""), ErrPortSecurity},
		{"a bad host", serveFiles(config(pop3("pop example.test", "995", "SSL", "%EMAILADDRESS%")), ""), ErrBadServer},
		{"a bad port", serveFiles(config(pop3("pop.example.test", "99999", "SSL", "%EMAILADDRESS%")), ""), ErrBadServer},
		{"IMAP only", serveFiles(config(srv("incomingServer", "imap", "imap.example.test", "993", "SSL", "%EMAILADDRESS%")), ""), ErrNoPOP3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := lookupAutoconfig(t, tt.h)
			if !errors.Is(err, ErrNotFound) || res.Found() {
				t.Fatalf("got %v, %+v", err, res.Best)
			}
			if !hasRefusal(res, SourceAutoconfig, tt.kind) {
				t.Errorf("no refusal for %v: %+v", tt.kind, res.Refused)
			}
		})
	}

	t.Run("plain first, then SSL", func(t *testing.T) {
		res, err := lookupAutoconfig(t, serveFiles(config(
			pop3("pop.example.test", "110", "plain", "%EMAILADDRESS%"),
			pop3("pop.example.test", "995", "SSL", "%EMAILADDRESS%"),
			smtp("smtp.example.test", "25", "plain", "%EMAILADDRESS%"),
			smtp("smtp.example.test", "465", "SSL", "%EMAILADDRESS%"),
		), ""))
		if err != nil {
			t.Fatal(err)
		}
		if in, out := res.Best.Incoming, res.Best.Outgoing; in.Port != 995 || in.Security != mail.SecuritySSL ||
			out.Port != 465 || out.Security != mail.SecuritySSL {
			t.Errorf("incoming %+v outgoing %+v", in, out)
		}
		if !hasRefusal(res, SourceAutoconfig, ErrPlainText) {
			t.Errorf("the plain servers were not listed as refused: %+v", res.Refused)
		}
	})

	t.Run("outgoing refused", func(t *testing.T) {
		res, err := lookupAutoconfig(t, serveFiles(config(
			pop3("pop.example.test", "995", "SSL", "%EMAILADDRESS%"),
			smtp("smtp.example.test", "465", "STARTTLS", "%EMAILADDRESS%"),
		), ""))
		if err != nil || res.Best.Outgoing != (mail.Server{}) || !hasRefusal(res, SourceAutoconfig, ErrPortSecurity) {
			t.Fatalf("%v %+v %+v", err, res.Best, res.Refused)
		}
	})

	t.Run("hostile text", func(t *testing.T) {
		res, err := lookupAutoconfig(t, serveFiles(`<clientConfig><emailProvider><displayName>Evil`+
			"\u009b2J\u202e"+strings.Repeat("x", 200)+`</displayName>`+
			pop3("pop.example.test", "995", "SSL", "%EMAILPASSWORD%")+`</emailProvider></clientConfig>`, ""))
		if err != nil {
			t.Fatal(err)
		}
		if p := res.Best.Provider; strings.ContainsAny(p, "\u009b\u202e") || len([]rune(p)) > 70 {
			t.Errorf("provider %q", p)
		}
		if res.Best.Incoming.User != "" || res.Best.UserIsEmail {
			t.Errorf("an unknown placeholder became the user %q", res.Best.Incoming.User)
		}
	})
}

// TestAutoconfigHTTPSOnly: a redirect to plain HTTP is not followed, and
// a certificate the client does not trust gives nothing.
func TestAutoconfigHTTPSOnly(t *testing.T) {
	res, err := lookupAutoconfig(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://example.test/config.xml", http.StatusFound)
	}))
	if !errors.Is(err, ErrNotFound) || !hasRefusal(res, SourceAutoconfig, ErrNoFile) {
		t.Fatalf("redirect to http: %v %+v", err, res.Refused)
	}

	trusting, served := startHTTPS(t, serveFiles(config(pop3("pop.example.test", "995", "SSL", "%EMAILADDRESS%")), ""))
	// The same server, by a client with the system's roots only.
	untrusting := &http.Client{Transport: &http.Transport{DialContext: trusting.Transport.(*http.Transport).DialContext}}
	d := startDNS(t)
	res, err = Lookup(context.Background(), "taro@example.test", Options{Resolver: resolverAt(d.addr), HTTPClient: untrusting})
	if !errors.Is(err, ErrNotFound) || !hasRefusal(res, SourceAutoconfig, ErrNoFile) {
		t.Fatalf("untrusted certificate: %v %+v", err, res.Refused)
	}
	if served.Load() != 0 {
		t.Errorf("%d requests reached the handler over an untrusted connection", served.Load())
	}
}

// TestAutoconfigMicrosoft: a file pointing at Microsoft 365's servers
// gets its sign-in.
func TestAutoconfigMicrosoft(t *testing.T) {
	res, err := lookupAutoconfig(t, serveFiles(config(
		pop3("outlook.office365.com", "995", "SSL", "%EMAILADDRESS%"),
		smtp("smtp.office365.com", "587", "STARTTLS", "%EMAILADDRESS%"),
	), ""))
	if err != nil || res.Best.SignIn != "microsoft" || !res.Best.SignInFirst || res.Best.Provider != "Example Corp Mail" {
		t.Fatalf("%v %+v", err, res.Best)
	}
}
