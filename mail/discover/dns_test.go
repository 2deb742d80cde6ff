package discover

import (
	"context"
	"errors"
	"testing"

	"popbox/mail"
)

// lookupDNS runs Lookup for taro@example.test against a DNS server with
// the records given and no autoconfig server.
func lookupDNS(t *testing.T, records ...string) (Result, error) {
	t.Helper()
	d := startDNS(t, records...)
	return Lookup(context.Background(), "taro@example.test", Options{Resolver: resolverAt(d.addr), HTTPClient: offline()})
}

// TestSRV: the SRV records give both sides; the lowest priority wins
// across the services, then implicit TLS, then the heaviest weight.
func TestSRV(t *testing.T) {
	tests := []struct {
		name    string
		records []string
		in, out mail.Server
	}{
		{"pop3s and submissions", []string{
			"_pop3s._tcp.example.test. 300 IN SRV 0 1 995 mail.example.test.",
			"_submissions._tcp.example.test. 300 IN SRV 0 1 465 mail.example.test.",
		}, mail.Server{Host: "mail.example.test", Port: 995, Security: mail.SecuritySSL},
			mail.Server{Host: "mail.example.test", Port: 465, Security: mail.SecuritySSL}},
		{"priority, then weight", []string{
			"_pop3s._tcp.example.test. 300 IN SRV 10 100 995 a.example.test.",
			"_pop3s._tcp.example.test. 300 IN SRV 0 1 995 b.example.test.",
			"_pop3s._tcp.example.test. 300 IN SRV 0 10 995 c.example.test.",
			"_submission._tcp.example.test. 300 IN SRV 5 0 587 s.example.test.",
		}, mail.Server{Host: "c.example.test", Port: 995, Security: mail.SecuritySSL},
			mail.Server{Host: "s.example.test", Port: 587, Security: mail.SecurityStartTLS}},
		{"the domain prefers STARTTLS", []string{
			"_pop3s._tcp.example.test. 300 IN SRV 20 1 995 tls.example.test.",
			"_pop3._tcp.example.test. 300 IN SRV 10 1 110 stls.example.test.",
		}, mail.Server{Host: "stls.example.test", Port: 110, Security: mail.SecurityStartTLS}, mail.Server{}},
		{"a tie goes to implicit TLS", []string{
			"_pop3._tcp.example.test. 300 IN SRV 10 50 110 stls.example.test.",
			"_pop3s._tcp.example.test. 300 IN SRV 10 1 995 tls.example.test.",
			"_submission._tcp.example.test. 300 IN SRV 0 50 587 stls.example.test.",
			"_submissions._tcp.example.test. 300 IN SRV 0 1 465 tls.example.test.",
		}, mail.Server{Host: "tls.example.test", Port: 995, Security: mail.SecuritySSL},
			mail.Server{Host: "tls.example.test", Port: 465, Security: mail.SecuritySSL}},
		{"pop3s not offered, pop3 is", []string{
			"_pop3s._tcp.example.test. 300 IN SRV 0 0 0 .",
			"_pop3._tcp.example.test. 300 IN SRV 10 1 110 mail.example.test.",
		}, mail.Server{Host: "mail.example.test", Port: 110, Security: mail.SecurityStartTLS}, mail.Server{}},
		{"a port that contradicts the service is skipped", []string{
			"_pop3s._tcp.example.test. 300 IN SRV 0 100 110 wrong.example.test.",
			"_pop3s._tcp.example.test. 300 IN SRV 0 1 995 right.example.test.",
			"_submissions._tcp.example.test. 300 IN SRV 0 1 587 wrong.example.test.",
		}, mail.Server{Host: "right.example.test", Port: 995, Security: mail.SecuritySSL}, mail.Server{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := lookupDNS(t, tt.records...)
			if err != nil {
				t.Fatalf("%v %+v", err, res.Refused)
			}
			b := res.Best
			if b.Source != SourceSRV || b.Incoming != tt.in || b.Outgoing != tt.out || b.Provider != "" {
				t.Errorf("got %+v\nwant incoming %+v outgoing %+v", b, tt.in, tt.out)
			}
		})
	}
}

// TestSRVRefused: a target of "." says the service is not offered; ports
// that contradict their service and submission without POP3 give nothing.
func TestSRVRefused(t *testing.T) {
	tests := []struct {
		name    string
		records []string
		kind    error
	}{
		{"not offered", []string{
			"_pop3s._tcp.example.test. 300 IN SRV 0 0 0 .",
			"_pop3._tcp.example.test. 300 IN SRV 0 0 0 .",
			"_submissions._tcp.example.test. 300 IN SRV 0 1 465 mail.example.test.",
		}, ErrNotOffered},
		{"SSL on 110", []string{"_pop3s._tcp.example.test. 300 IN SRV 0 1 110 mail.example.test."}, ErrPortSecurity},
		{"STARTTLS on 995", []string{"_pop3._tcp.example.test. 300 IN SRV 0 1 995 mail.example.test."}, ErrPortSecurity},
		{"submission only", []string{"_submission._tcp.example.test. 300 IN SRV 0 1 587 mail.example.test."}, ErrNoPOP3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := lookupDNS(t, tt.records...)
			if !errors.Is(err, ErrNotFound) || res.Found() {
				t.Fatalf("got %v %+v", err, res.Best)
			}
			if !hasRefusal(res, SourceSRV, tt.kind) {
				t.Errorf("no refusal for %v: %+v", tt.kind, res.Refused)
			}
		})
	}
}

// TestMX: MX records of Google, Microsoft 365 and Zoho Mail's data
// centres propose the service's servers for a company domain; lookalikes
// and Zoho centres whose organisation servers popbox does not know
// propose nothing.
func TestMX(t *testing.T) {
	tests := []struct {
		name, mx    string
		provider    string
		in, out     string
		inPort      int
		outPort     int
		outSec      mail.Security
		signIn      string
		signInFirst bool
	}{
		{"Google", "aspmx.l.google.com.", "Google Workspace", "pop.gmail.com", "smtp.gmail.com", 995, 465, mail.SecuritySSL, "google", false},
		{"Google's newer MX", "smtp.google.com.", "Google Workspace", "pop.gmail.com", "smtp.gmail.com", 995, 465, mail.SecuritySSL, "google", false},
		{"Google Mail", "alt1.aspmx.l.googlemail.com.", "Google Workspace", "pop.gmail.com", "smtp.gmail.com", 995, 465, mail.SecuritySSL, "google", false},
		{"Microsoft 365", "example-test.mail.protection.outlook.com.", "Microsoft 365", "outlook.office365.com", "smtp.office365.com", 995, 587, mail.SecurityStartTLS, "microsoft", true},
		{"Zoho US", "mx.zoho.com.", "Zoho Mail (organisation)", "poppro.zoho.com", "smtppro.zoho.com", 995, 465, mail.SecuritySSL, "", false},
		{"Zoho EU", "mx.zoho.eu.", "Zoho Mail EU (organisation)", "poppro.zoho.eu", "smtppro.zoho.eu", 995, 465, mail.SecuritySSL, "", false},
		{"Zoho EU backup", "mx3.zoho.eu.", "Zoho Mail EU (organisation)", "poppro.zoho.eu", "smtppro.zoho.eu", 995, 465, mail.SecuritySSL, "", false},
		{"Zoho India", "mx2.zoho.in.", "Zoho Mail India (organisation)", "poppro.zoho.in", "smtppro.zoho.in", 995, 465, mail.SecuritySSL, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := lookupDNS(t, "example.test. 300 IN MX 10 "+tt.mx)
			if err != nil {
				t.Fatalf("%v %+v", err, res.Refused)
			}
			b := res.Best
			if b.Source != SourceMX || b.Provider != tt.provider || b.Detail != tt.mx[:len(tt.mx)-1] {
				t.Errorf("source %v provider %q detail %q", b.Source, b.Provider, b.Detail)
			}
			wantIn := mail.Server{Host: tt.in, Port: tt.inPort, Security: mail.SecuritySSL, User: "taro@example.test"}
			wantOut := mail.Server{Host: tt.out, Port: tt.outPort, Security: tt.outSec, User: "taro@example.test"}
			if b.Incoming != wantIn || b.Outgoing != wantOut {
				t.Errorf("incoming %+v outgoing %+v", b.Incoming, b.Outgoing)
			}
			if b.SignIn != tt.signIn || b.SignInFirst != tt.signInFirst || !b.UserIsEmail || len(b.Hints) == 0 {
				t.Errorf("sign-in %q first %v user is email %v hints %v", b.SignIn, b.SignInFirst, b.UserIsEmail, b.Hints)
			}
		})
	}

	for _, tt := range []struct {
		name, mx string
		kind     error
	}{
		{"Zoho Japan", "mx.zoho.jp.", ErrUnknownServers},
		{"Zoho Canada", "mx2.zohocloud.ca.", ErrUnknownServers},
		{"a Zoho lookalike", "mx.zoho.com.ev.", nil},
		{"a Google lookalike", "aspmx.evil-google.com.", nil},
		{"Microsoft's name further in", "mail.protection.outlook.com.example.test.", nil},
		{"someone else", "mx.example.test.", nil},
		{"null MX", ".", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := lookupDNS(t, "example.test. 300 IN MX 10 "+tt.mx)
			if !errors.Is(err, ErrNotFound) || res.Found() {
				t.Fatalf("got %v %+v", err, res.Best)
			}
			if tt.kind != nil && !hasRefusal(res, SourceMX, tt.kind) {
				t.Errorf("no refusal for %v: %+v", tt.kind, res.Refused)
			}
		})
	}

	t.Run("the most preferred known host", func(t *testing.T) {
		res, err := lookupDNS(t,
			"example.test. 300 IN MX 5 filter.example.test.",
			"example.test. 300 IN MX 20 mx.zoho.eu.",
			"example.test. 300 IN MX 10 example-test.mail.protection.outlook.com.")
		if err != nil || res.Best.Provider != "Microsoft 365" {
			t.Fatalf("%v %+v", err, res.Best)
		}
	})
}
