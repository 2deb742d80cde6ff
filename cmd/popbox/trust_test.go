package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"popbox/mail"
	"popbox/mail/mailtest"
)

// trustedJSON is the part of accounts --json these tests read.
type trustedJSON struct {
	Name     string `json:"name"`
	Incoming struct {
		TrustedCert *pinJSON `json:"trusted_cert"`
	} `json:"incoming"`
	Outgoing struct {
		TrustedCert *pinJSON `json:"trusted_cert"`
	} `json:"outgoing"`
}

func (c *cli) pins() []trustedJSON {
	c.t.Helper()
	out := c.ok("", "accounts", "--json")
	var got []trustedJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		c.t.Fatalf("accounts --json: %v\n%s", err, out)
	}
	return got
}

// wantAll fails unless s holds every one of want.
func wantAll(t *testing.T, what, s string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("%s does not say %q:\n%s", what, w, s)
		}
	}
}

// TestTrustSelfSignedCLI (issue 15, parts 5-6): a server with a
// self-signed certificate on POP3S and implicit-TLS submission. account add
// says what the certificate is and how to trust it; --trust pins it (the
// outgoing side too, same host and certificate); fetch and check work. The
// certificate is swapped: fetch and check refuse with both fingerprints,
// exit 1, losing nothing; account trust refuses the old fingerprint and
// pins the new one, side by side.
func TestTrustSelfSignedCLI(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Submission: true, Cert: mailtest.CertOptions{SelfSigned: true}})
	srv.Deliver(t, "alice", []byte("From: a@example.test\r\nSubject: one\r\n\r\nhi\r\n"))
	fp := mail.Fingerprint(srv.CertSHA256())
	c := newCLI(t, nil)
	add := []string{"account", "add", "--name", "box", "--email", "alice@example.test", "--host", srv.Host,
		"--port", strconv.Itoa(srv.POPSPort), "--security", "ssl", "--user", "alice", "--password-stdin",
		"--smtp-host", srv.Host, "--smtp-port", strconv.Itoa(srv.SubmissionsPort), "--smtp-security", "ssl"}

	_, errs, code := c.run("secret\n", add...)
	if code != 1 {
		t.Fatalf("account add, self-signed: exit %d\n%s", code, errs)
	}
	wantAll(t, "account add", errs, "self-signed", "--trust "+fp.String(), "Nothing was saved",
		"  subject:  CN=localhost", "  issuer:   CN=localhost", "  valid:    ", "  SHA-256:  "+fp.String())

	_, errs, code = c.run("secret\n", append(add, "--trust", "12:34")...)
	if code != 2 || !strings.Contains(errs, `"12:34" is not a SHA-256 fingerprint`) {
		t.Errorf("--trust 12:34: exit %d %q", code, errs)
	}
	other := mail.CertFingerprint([]byte("another certificate"))
	_, errs, code = c.run("secret\n", append(add, "--trust", other.String())...)
	if code != 1 {
		t.Fatalf("--trust with another fingerprint: exit %d\n%s", code, errs)
	}
	wantAll(t, "account add --trust OTHER", errs, fp.String(), other.String(), "Nothing was saved", "  subject:  CN=localhost")
	if p := c.pins(); len(p) != 0 {
		t.Fatalf("an account was saved after a refused --trust: %+v", p)
	}

	// Any spelling of the fingerprint does.
	plain := "sha256:" + strings.ToLower(strings.ReplaceAll(fp.String(), ":", ""))
	out := c.ok("secret\n", append(add, "--trust", plain)...)
	wantAll(t, "account add --trust", out, "Added account box",
		"The outgoing server "+srv.Host+":"+strconv.Itoa(srv.SubmissionsPort)+" presents the same certificate: it is pinned too.")
	p := c.pins()
	if len(p) != 1 || p[0].Incoming.TrustedCert == nil || p[0].Outgoing.TrustedCert == nil ||
		*p[0].Incoming.TrustedCert != (pinJSON{Address: srv.Host + ":" + strconv.Itoa(srv.POPSPort), SHA256: fp.String()}) ||
		*p[0].Outgoing.TrustedCert != (pinJSON{Address: srv.Host + ":" + strconv.Itoa(srv.SubmissionsPort), SHA256: fp.String()}) {
		t.Fatalf("accounts --json pins: %+v", p)
	}
	if out := c.ok("", "fetch"); !strings.Contains(out, "box: 1 new") {
		t.Fatalf("fetch with the pin: %q", out)
	}
	if out := c.ok("", "check"); strings.Count(out, ": ok, logged in as alice") != 2 {
		t.Fatalf("check with the pins: %q", out)
	}

	// The server's certificate is replaced.
	srv.SwapCert(t, mailtest.CertOptions{SelfSigned: true})
	fresh := mail.Fingerprint(srv.CertSHA256())
	srv.Deliver(t, "alice", []byte("From: a@example.test\r\nSubject: two\r\n\r\nhi\r\n"))
	out, errs, code = c.run("", "fetch")
	if code != 1 || out != "" {
		t.Fatalf("fetch after the swap: exit %d\n%s\n%s", code, out, errs)
	}
	wantAll(t, "fetch after the swap", errs, "is not the one you trusted", fp.String(), fresh.String(),
		"nothing was sent, fetched or deleted", "popbox account trust box "+fresh.String()+";", "  SHA-256:  "+fresh.String())
	if l := c.list("box"); len(l) != 1 {
		t.Errorf("%d messages cached after the refused fetch, want 1", len(l))
	}
	if n := srv.Count(t, "alice"); n != 2 {
		t.Errorf("%d messages on the server, want 2", n)
	}
	out, _, code = c.run("", "check")
	if code != 1 || strings.Count(out, "FAILED") != 2 || strings.Count(out, "    SHA-256:  "+fresh.String()) != 2 {
		t.Fatalf("check after the swap: exit %d\n%s", code, out)
	}
	wantAll(t, "check after the swap", out, "popbox account trust box "+fresh.String()+" --outgoing;")

	_, errs, code = c.run("", "account", "trust", "box", fp.String())
	if code != 1 {
		t.Fatalf("account trust OLD: exit %d\n%s", code, errs)
	}
	wantAll(t, "account trust OLD", errs, "has SHA-256 "+fresh.String()+", not the "+fp.String()+" given", "nothing was pinned")
	out = c.ok("", "account", "trust", "box", strings.ToLower(fresh.String()))
	wantAll(t, "account trust NEW", out, "Pinned the certificate of "+srv.Host+":"+strconv.Itoa(srv.POPSPort), fresh.String(), "incoming server of box",
		"  subject:  CN=localhost")
	if out := c.ok("", "fetch"); !strings.Contains(out, "box: 1 new") {
		t.Fatalf("fetch with the new pin: %q", out)
	}
	out, _, code = c.run("", "check")
	if code != 1 || strings.Count(out, "FAILED") != 1 || !strings.Contains(out, "outgoing "+srv.Host) {
		t.Fatalf("check with only the incoming pin renewed: exit %d\n%s", code, out)
	}
	c.ok("", "account", "trust", "box", fresh.String(), "--outgoing")
	c.ok("", "check")
	if p := c.pins(); p[0].Outgoing.TrustedCert == nil || p[0].Outgoing.TrustedCert.SHA256 != fresh.String() {
		t.Errorf("outgoing pin: %+v", p[0].Outgoing.TrustedCert)
	}
}

// TestTrustSTLSCLI: on STLS (110) and STARTTLS submission, fetch and check
// say what the self-signed certificate is and the command that trusts it,
// with --outgoing for the outgoing side; both commands work as said.
func TestTrustSTLSCLI(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Submission: true, Cert: mailtest.CertOptions{SelfSigned: true}})
	srv.Deliver(t, "alice", []byte("From: a@example.test\r\nSubject: one\r\n\r\nhi\r\n"))
	fp := mail.Fingerprint(srv.CertSHA256())
	c := newCLI(t, nil)
	c.ok("secret\n", "account", "add", "--name", "box", "--email", "alice@example.test", "--host", srv.Host,
		"--port", strconv.Itoa(srv.POPPort), "--security", "starttls", "--user", "alice", "--password-stdin",
		"--smtp-host", srv.Host, "--smtp-port", strconv.Itoa(srv.SubmissionPort), "--smtp-security", "starttls", "--no-check")
	_, errs, code := c.run("", "fetch")
	if code != 1 {
		t.Fatalf("fetch: exit %d\n%s", code, errs)
	}
	wantAll(t, "fetch", errs, "The certificate of "+srv.Host+" is self-signed", "trust it with: popbox account trust box "+fp.String()+".",
		"\n  SHA-256:  "+fp.String()+"\n")
	out, _, code := c.run("", "check")
	if code != 1 || strings.Count(out, "FAILED") != 2 {
		t.Fatalf("check: exit %d\n%s", code, out)
	}
	wantAll(t, "check", out, "popbox account trust box "+fp.String()+".", "popbox account trust box "+fp.String()+" --outgoing.",
		"    subject:  CN=localhost")
	for _, cmd := range [][]string{{"account", "trust", "box", fp.String()}, {"account", "trust", "box", fp.String(), "--outgoing"}} {
		c.ok("", cmd...)
	}
	if out := c.ok("", "fetch"); !strings.Contains(out, "box: 1 new") {
		t.Fatalf("fetch with the pin: %q", out)
	}
	c.ok("", "check")
}

// TestTrustRefusalsCLI: a certificate for another name and an expired
// one (signed by a CA the system trusts) are explained with their
// fingerprint and can be pinned; one that verifies needs no pin and
// account trust refuses to pin it; bad usage is said.
func TestTrustRefusalsCLI(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts mailtest.CertOptions
		why  string
	}{
		{"wrong name", mailtest.CertOptions{Names: []string{"mail.other.test"}}, "is for mail.other.test, not for 127.0.0.1"},
		{"expired", mailtest.CertOptions{Expired: true}, "expired on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.Start(t, mailtest.Options{Cert: tc.opts})
			fp := mail.Fingerprint(srv.CertSHA256())
			c := newCLI(t, srv) // SSL_CERT_FILE: the CA is trusted
			c.addFake(srv.Host+":"+strconv.Itoa(srv.POPSPort), "box", "ssl", "")
			out, _, code := c.run("", "check")
			if code != 1 || !strings.Contains(out, "incoming "+srv.Host) {
				t.Fatalf("check: exit %d\n%s", code, out)
			}
			wantAll(t, "check", out, tc.why, "popbox account trust box "+fp.String(), "    SHA-256:  "+fp.String(),
				"    issuer:   CN=popbox mailtest CA,O=popbox tests")
			c.ok("", "account", "trust", "box", fp.String())
			c.ok("", "fetch")
		})
	}

	srv := mailtest.Start(t, mailtest.Options{})
	fp := mail.Fingerprint(srv.CertSHA256())
	c := newCLI(t, srv)
	c.addAccount(srv, "box", "alice", "secret", "ssl", "keep")
	c.addFake(srv.Host+":"+strconv.Itoa(srv.POPPort), "plain", "none", "")
	_, errs, code := c.run("", "account", "trust", "box", fp.String())
	if code != 1 {
		t.Fatalf("account trust of a certificate that verifies: exit %d %q", code, errs)
	}
	wantAll(t, "account trust", errs, "verifies without a pin", "nothing was pinned", "  SHA-256:  "+fp.String())
	if p := c.pins(); p[0].Incoming.TrustedCert != nil {
		t.Errorf("pinned anyway: %+v", p[0].Incoming.TrustedCert)
	}
	// account add --trust on such a server warns and pins nothing.
	_, errs, code = c.run("secret\n", "account", "add", "--name", "box2", "--email", "alice@example.test", "--host", srv.Host,
		"--port", strconv.Itoa(srv.POPSPort), "--user", "alice", "--password-stdin", "--trust", fp.String())
	if code != 0 || !strings.Contains(errs, "--trust is not needed and nothing is pinned") {
		t.Errorf("account add --trust, verifying: exit %d %q", code, errs)
	}
	if p := c.pins(); len(p) != 3 || p[2].Incoming.TrustedCert != nil {
		t.Errorf("account add --trust pinned a certificate that verifies: %+v", p)
	}

	for _, bad := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"account", "trust", "box"}, 2, "account trust takes an account name and a fingerprint"},
		{[]string{"account", "trust", "box", "AB:CD"}, 2, `"AB:CD" is not a SHA-256 fingerprint`},
		{[]string{"account", "trust", "box", fp.String() + "00"}, 2, "is not a SHA-256 fingerprint"},
		{[]string{"account", "trust", "nobody", fp.String()}, 1, `No account named "nobody"`},
		{[]string{"account", "trust", "plain", fp.String()}, 1, "uses no encryption (security none)"},
	} {
		_, errs, code := c.run("", bad.args...)
		if code != bad.code || !strings.Contains(errs, bad.says) {
			t.Errorf("%v: exit %d %q, want %d and %q", bad.args, code, errs, bad.code, bad.says)
		}
	}
}
