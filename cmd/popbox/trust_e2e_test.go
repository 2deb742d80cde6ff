package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"popbox/mail"
	"popbox/mail/mailtest"
)

// TestWizardTrustAlways: a private Dovecot with a self-signed certificate
// (POP3S and submission) is set up from the wizard alone: the review shows
// each certificate with its SHA-256 and "a" pins it, side by side; the
// saved account fetches from the screen and the command line. After the
// server's certificate is swapped the screen's fetch refuses it, naming
// both fingerprints, and nothing is lost.
func TestWizardTrustAlways(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Submission: true, Cert: mailtest.CertOptions{SelfSigned: true}})
	srv.Deliver(t, "alice", []byte("From: Bob <bob@example.test>\r\nSubject: behind a private certificate\r\n\r\nhello\r\n"))
	fp := mail.Fingerprint(srv.CertSHA256()).String()
	c := newCLI(t, nil) // the system's CAs only: nothing vouches for the certificate
	tm := startTerm(t, c, 110, 44, []string{"LANG=en_US.UTF-8"})
	typeWizard(tm, srv, "secret")
	s := tm.waitFor(30*time.Second, "Certificate of the incoming server", "SHA-256: "+fp, "a trusts it always")
	if !strings.Contains(s, "self-signed") {
		t.Fatalf("the review does not say why the certificate failed:\n%s", s)
	}
	tm.keys("a")
	tm.waitFor(30*time.Second, "Incoming (POP3): logged in to "+srv.Host+".", "Certificate of the outgoing server")
	tm.keys("a")
	tm.waitFor(30*time.Second, "Incoming (POP3): logged in to "+srv.Host+".", "Outgoing (SMTP): logged in to "+srv.Host+".")
	tm.keys("Enter")
	tm.waitGone(10*time.Second, "Connection test")
	tm.keys("f")
	tm.waitFor(30*time.Second, "behind a private certificate")
	tm.keys("q")
	tm.waitFor(10*time.Second, "[popbox exited 0]")

	type pin struct {
		Address string `json:"address"`
		SHA256  string `json:"sha256"`
	}
	var accts []struct {
		Incoming struct {
			TrustedCert pin `json:"trusted_cert"`
		} `json:"incoming"`
		Outgoing struct {
			TrustedCert pin `json:"trusted_cert"`
		} `json:"outgoing"`
	}
	js := c.ok("", "accounts", "--json")
	if err := json.Unmarshal([]byte(js), &accts); err != nil || len(accts) != 1 {
		t.Fatalf("accounts --json: %v\n%s", err, js)
	}
	if accts[0].Incoming.TrustedCert.SHA256 != fp || accts[0].Outgoing.TrustedCert.SHA256 != fp {
		t.Fatalf("pins: %+v, want both ending in %s", accts[0], fp)
	}
	if out := c.ok("", "check", "Work"); strings.Contains(out, "FAILED") {
		t.Fatalf("check with the pins: %s", out)
	}

	// A swapped certificate is refused, both fingerprints named.
	srv.SwapCert(t, mailtest.CertOptions{SelfSigned: true})
	srv.Deliver(t, "alice", []byte("From: Bob <bob@example.test>\r\nSubject: after the swap\r\n\r\nhello\r\n"))
	fp2 := mail.Fingerprint(srv.CertSHA256()).String()
	tm = startTerm(t, c, 110, 44, []string{"LANG=en_US.UTF-8"})
	tm.waitFor(10*time.Second, "behind a private certificate")
	tm.keys("f")
	s = tm.waitFor(30*time.Second, "is not the one you trusted")
	flat := strings.Join(strings.Fields(strings.ReplaceAll(s, "! ", "")), "")
	if !strings.Contains(flat, strings.ReplaceAll(fp, " ", "")) || !strings.Contains(flat, fp2) {
		t.Fatalf("the banner does not name the old and the new fingerprint:\n%s", s)
	}
	if strings.Contains(s, "after the swap") {
		t.Fatal("fetched through a changed certificate")
	}
	if n := srv.Count(t, "alice"); n != 2 {
		t.Fatalf("%d messages on the server, want 2", n)
	}
	tm.keys("q")
	tm.waitFor(10*time.Second, "[popbox exited 0]")
}
