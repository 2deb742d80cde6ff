package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"popbox/mail/mailtest"
)

// typeOAuthWizard types into the wizard of a fresh popbox an account that
// signs in through the mock authorization server (the custom profile:
// device endpoint when device is set, authorize endpoint when browser is),
// incoming on POP3S and outgoing by hand on the implicit-TLS submission
// port, and stops on the sign-in field.
func typeOAuthWizard(tm *tmuxTerm, oa *mailtest.OAuth, srv *mailtest.Server, device, browser bool) {
	typeIncoming(tm, srv)
	// The sign-in: password, Microsoft, Google, other OAuth2.
	tm.keys("Space", "Space", "Space")
	tm.waitFor(5*time.Second, "● Other OAuth2", "Token URL")
	tm.keys("Tab")
	tm.typeText(oa.ClientID)
	tm.keys("Tab")
	if device {
		tm.typeText(oa.DeviceURL)
	}
	tm.keys("Tab")
	if browser {
		tm.typeText(oa.AuthURL)
	}
	tm.keys("Tab")
	tm.typeText(oa.TokenURL)
	tm.keys("Tab")
	tm.typeText("pop smtp offline_access")
	tm.keys("Tab")
	tm.waitFor(5*time.Second, "› Sign in", "Not signed in")
}

// typeOutgoing turns "same credentials" off and types the submission
// server; the outgoing side signs in with the incoming side's sign-in.
func typeOutgoing(tm *tmuxTerm, srv *mailtest.Server) {
	tm.keys("Tab")
	tm.keys("Space")
	tm.waitFor(5*time.Second, "[ ] Use same credentials")
	tm.keys("Tab")
	tm.keys("C-u")
	tm.typeText(srv.Host)
	tm.keys("Tab")
	tm.keys("BSpace", "BSpace", "BSpace", "BSpace", "BSpace")
	tm.typeText(strconv.Itoa(srv.SubmissionsPort))
	tm.keys("Tab")
	tm.keys("Tab") // SSL
	tm.keys("C-u")
	tm.typeText("alice")
	s := tm.screen()
	if strings.Contains(s, "Outgoing password") {
		tm.t.Fatalf("an outgoing password field shows for an OAuth2 account:\n%s", s)
	}
	tm.keys("C-s")
}

// approveShown waits for the device code on the screen and approves it
// at the mock, as the user would on their phone.
func approveShown(t *testing.T, tm *tmuxTerm, oa *mailtest.OAuth) {
	t.Helper()
	s := tm.waitFor(20*time.Second, "enter the code")
	code := oa.LastUserCode()
	if code == "" || !strings.Contains(s, code) || !strings.Contains(s, oa.URL+"/device") {
		t.Fatalf("the form does not show the address and the code %q:\n%s", code, s)
	}
	if !oa.Approve(code) {
		t.Fatalf("the mock does not know the code %q", code)
	}
}

// TestOAuthWizardEndToEnd: a Microsoft-like account (the custom profile:
// device flow at the mock, Dovecot's oauth2 passdb asking the mock about
// each token) set up from the wizard alone: the device code shows in the
// form, the review's login test uses the token on both sides, the saved
// account fetches from the screen and from the command line, and after the
// sign-in is revoked the edit form signs in again.
func TestOAuthWizardEndToEnd(t *testing.T) {
	oa, srv, c := oauthSetup(t)
	srv.Deliver(t, "alice", []byte("From: Bob <bob@example.test>\r\nSubject: signed in at last\r\n\r\nhello\r\n"))
	tm := startTerm(t, c, 110, 44, []string{"LANG=en_US.UTF-8"})
	typeOAuthWizard(tm, oa, srv, true, false)
	tm.keys("Enter")
	approveShown(t, tm, oa)
	tm.waitFor(30*time.Second, "✓ Signed in")
	typeOutgoing(tm, srv)
	s := tm.waitFor(30*time.Second, "Incoming (POP3): logged in to "+srv.Host+".", "Outgoing (SMTP): logged in to "+srv.Host+".")
	if !strings.Contains(s, "Other OAuth2, signed in") {
		t.Fatalf("the review does not say how the account signs in:\n%s", s)
	}
	tm.keys("Enter") // add the account
	tm.waitGone(10*time.Second, "Connection test")
	tm.keys("f")
	tm.waitFor(30*time.Second, "signed in at last")
	tm.keys("q")
	tm.waitFor(10*time.Second, "[popbox exited 0]")

	// The command line uses the sign-in the wizard sealed.
	var accts []map[string]any
	js := c.ok("", "accounts", "--json")
	if err := json.Unmarshal([]byte(js), &accts); err != nil || len(accts) != 1 || accts[0]["auth"] != "oauth2" {
		t.Fatalf("accounts --json: %v\n%s", err, js)
	}
	for _, at := range oa.AccessTokens("alice") {
		if strings.Contains(js, at) {
			t.Fatalf("accounts --json shows an access token:\n%s", js)
		}
	}
	srv.Deliver(t, "alice", []byte("From: Bob <bob@example.test>\r\nSubject: second\r\n\r\ntwo\r\n"))
	if out := c.ok("", "check", "Work"); strings.Contains(out, "FAILED") {
		t.Fatalf("check: %s", out)
	}

	// Revoked: the screen's fetch says to sign in again and loses nothing.
	oa.RevokeUser("alice")
	tm = startTerm(t, c, 110, 44, []string{"LANG=en_US.UTF-8"})
	tm.waitFor(10*time.Second, "signed in at last")
	tm.keys("f")
	tm.waitFor(30*time.Second, "is no longer valid", "then s on Sign in")
	if n := srv.Count(t, "alice"); n != 2 {
		t.Fatalf("%d messages on the server after the refused fetch, want 2", n)
	}
	// The edit form signs in again: A, e, down to Sign in, s.
	tm.keys("A")
	tm.waitFor(10*time.Second, "Work")
	tm.keys("e")
	tm.waitFor(10*time.Second, "Edit the account")
	for range 12 {
		tm.keys("Tab")
	}
	tm.waitFor(5*time.Second, "› Sign in", "✓ Signed in (saved)")
	tm.keys("s")
	approveShown(t, tm, oa)
	tm.waitFor(30*time.Second, "✓ Signed in")
	tm.keys("C-s")
	tm.waitFor(30*time.Second, "Incoming (POP3): logged in to "+srv.Host+".", "Outgoing (SMTP): logged in to "+srv.Host+".")
	tm.keys("Enter")
	tm.waitGone(10*time.Second, "Connection test")
	tm.keys("q") // the accounts screen, back to the list
	tm.waitFor(10*time.Second, "signed in at last")
	tm.keys("f")
	tm.waitFor(30*time.Second, "second")
	tm.keys("q")
	tm.waitFor(10*time.Second, "[popbox exited 0]")
	if out := c.ok("", "fetch", "--account", "Work"); !strings.Contains(out, "0 new") {
		t.Fatalf("fetch after the screen's sign-in: %s", out)
	}
}

// TestOAuthWizardBrowser: a Google-like account (the custom profile with
// only an authorize endpoint: the browser flow with PKCE on a loopback
// redirect; the "browser" is an xdg-open on PATH that follows the mock's
// redirect) set up from the wizard and fetched; revoked, signed in again
// from the edit form in the browser, and fetched again.
func TestOAuthWizardBrowser(t *testing.T) {
	oa, srv, c := oauthSetup(t)
	srv.Deliver(t, "alice", []byte("From: Bob <bob@example.test>\r\nSubject: by the browser\r\n\r\nhello\r\n"))
	bin := fakeBrowser(t)
	tm := startTerm(t, c, 110, 44, []string{"LANG=en_US.UTF-8", "PATH=" + bin + ":" + pathOf(c)})
	typeOAuthWizard(tm, oa, srv, false, true)
	s := tm.screen()
	if !strings.Contains(s, "enter: sign in in a browser") {
		t.Fatalf("the sign-in field does not offer the browser:\n%s", s)
	}
	tm.keys("Enter")
	tm.waitFor(30*time.Second, "✓ Signed in")
	if oa.Count("authorization_code") == 0 {
		t.Error("the mock's authorization code grant was never used")
	}
	typeOutgoing(tm, srv)
	tm.waitFor(30*time.Second, "Incoming (POP3): logged in to "+srv.Host+".", "Outgoing (SMTP): logged in to "+srv.Host+".")
	tm.keys("Enter")
	tm.waitGone(10*time.Second, "Connection test")
	tm.keys("f")
	tm.waitFor(30*time.Second, "by the browser")
	tm.keys("q")
	tm.waitFor(10*time.Second, "[popbox exited 0]")

	// Revoked, then signed in again from the edit form, in the browser.
	oa.RevokeUser("alice")
	srv.Deliver(t, "alice", []byte("From: Bob <bob@example.test>\r\nSubject: after signing in again\r\n\r\nhello\r\n"))
	tm = startTerm(t, c, 110, 44, []string{"LANG=en_US.UTF-8", "PATH=" + bin + ":" + pathOf(c)})
	tm.waitFor(10*time.Second, "by the browser")
	tm.keys("f")
	tm.waitFor(30*time.Second, "is no longer valid")
	codes := oa.Count("authorization_code")
	tm.keys("A")
	tm.waitFor(10*time.Second, "Work")
	tm.keys("e")
	tm.waitFor(10*time.Second, "Edit the account")
	for range 12 {
		tm.keys("Tab")
	}
	tm.waitFor(5*time.Second, "› Sign in", "✓ Signed in (saved)")
	tm.keys("s")
	tm.waitUntil(30*time.Second, "a new sign-in", func(s string) bool {
		return strings.Contains(s, "✓ Signed in") && !strings.Contains(s, "Signed in (saved)")
	})
	if oa.Count("authorization_code") != codes+1 {
		t.Fatalf("the browser sign-in was not used again: %d code grants, want %d", oa.Count("authorization_code"), codes+1)
	}
	tm.keys("C-s")
	tm.waitFor(30*time.Second, "Incoming (POP3): logged in to "+srv.Host+".", "Outgoing (SMTP): logged in to "+srv.Host+".")
	tm.keys("Enter")
	tm.waitGone(10*time.Second, "Connection test")
	tm.keys("q")
	tm.waitFor(10*time.Second, "by the browser")
	tm.keys("f")
	tm.waitFor(30*time.Second, "after signing in again")
	tm.keys("q")
	tm.waitFor(10*time.Second, "[popbox exited 0]")
}

// fakeBrowser makes a folder with an xdg-open that hands the address it is
// given to the test, which follows it (and the mock's redirect to popbox's
// loopback address) as a browser would; the folder goes first on PATH.
func fakeBrowser(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	urls := filepath.Join(bin, "urls")
	script := "#!/bin/sh\nprintf '%s\\n' \"$1\" >>" + shellQuote(urls) + "\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	t.Cleanup(func() { close(stop); <-done })
	go func() {
		defer close(done)
		seen := 0
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			b, _ := os.ReadFile(urls)
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			for ; len(b) > 0 && seen < len(lines); seen++ {
				if resp, err := http.Get(lines[seen]); err == nil {
					resp.Body.Close()
				}
			}
		}
	}()
	return bin
}

// pathOf is the PATH the popbox of c runs with.
func pathOf(c *cli) string {
	for _, v := range c.env {
		if p, ok := strings.CutPrefix(v, "PATH="); ok {
			return p
		}
	}
	return os.Getenv("PATH")
}
