package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"popbox/mail"
	"popbox/mail/mailtest"
	"popbox/mail/oauth"
	"popbox/store/signin"
	"popbox/tui/i18n"
)

// oauthSetup starts the mock authorization server and a Dovecot whose
// oauth2 passdb asks the mock's introspection endpoint (mode post) about
// each token, with submission for the SMTP check.
func oauthSetup(t *testing.T) (*mailtest.OAuth, *mailtest.Server, *cli) {
	t.Helper()
	oa := mailtest.NewOAuth(t)
	srv := mailtest.Start(t, mailtest.Options{Submission: true,
		OAuth2: &mailtest.OAuth2Passdb{IntrospectionURL: oa.URL + "/introspect"}})
	return oa, srv, newCLI(t, srv)
}

// customAdd is account add for a custom-profile account pointing at the
// mock, signing in with the device flow.
func customAdd(oa *mailtest.OAuth, srv *mailtest.Server, name string, extra ...string) []string {
	return append([]string{"account", "add", "--name", name, "--email", "alice@example.test",
		"--host", srv.Host, "--port", strconv.Itoa(srv.POPSPort), "--security", "ssl", "--user", "alice",
		"--retention", "keep", "--smtp-host", srv.Host, "--smtp-port", strconv.Itoa(srv.SubmissionPort), "--smtp-security", "starttls",
		"--auth", "oauth2", "--oauth-provider", "custom", "--oauth-client-id", "popbox-test",
		"--oauth-device-url", oa.DeviceURL, "--oauth-auth-url", oa.AuthURL, "--oauth-token-url", oa.TokenURL,
		"--oauth-scopes", "pop smtp offline_access"}, extra...)
}

// runDevice runs popbox, approves at the mock the user code that popbox
// printed on stderr, and returns stdout, stderr and the exit status.
func runDevice(t *testing.T, c *cli, oa *mailtest.OAuth, args ...string) (string, string, int) {
	t.Helper()
	cmd := c.cmd("", args...)
	var out, errb syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	approved := ""
	deadline := time.After(60 * time.Second)
	for {
		select {
		case err := <-done:
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if approved == "" && code == 0 {
				t.Fatalf("popbox %v ended without a sign-in", args)
			}
			return out.String(), errb.String(), code
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("popbox %v: no end after 60 s; stderr:\n%s", args, errb.String())
		case <-time.After(50 * time.Millisecond):
		}
		if approved != "" {
			continue
		}
		if uc := oa.LastUserCode(); uc != "" && strings.Contains(errb.String(), "enter the code "+uc) {
			if !strings.Contains(errb.String(), "open "+oa.URL) {
				t.Errorf("stderr does not show the verification URL:\n%s", errb.String())
			}
			if !oa.Approve(uc) {
				t.Fatalf("the mock did not know the user code %q", uc)
			}
			approved = uc
		}
	}
}

// syncBuffer is a bytes.Buffer safe to read while a process writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestOAuthDeviceFetchRotateRevokeLogin: a custom-profile account pointing
// at the mock is added with the device flow (the login test uses the
// access token against Dovecot's oauth2 passdb); fetch and check (POP3 and
// submission) work; with rotation on, each fetch's new refresh token is
// sealed and used by the next; a revoked sign-in gives the sign-in-again
// sentence, exit 1 and loses no mail; account login fixes it.
func TestOAuthDeviceFetchRotateRevokeLogin(t *testing.T) {
	oa, srv, c := oauthSetup(t)
	srv.Deliver(t, "alice", []byte("From: a@example.test\r\nSubject: first\r\n\r\none\r\n"))

	out, errs, code := runDevice(t, c, oa, customAdd(oa, srv, "ms")...)
	if code != 0 || !strings.Contains(out, "Added account ms") {
		t.Fatalf("account add: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	if oa.Count("device_code") == 0 {
		t.Errorf("the mock's device grant was never asked")
	}

	var accts []map[string]any
	js := c.ok("", "accounts", "--json")
	if err := json.Unmarshal([]byte(js), &accts); err != nil || len(accts) != 1 {
		t.Fatalf("accounts --json: %v\n%s", err, js)
	}
	if accts[0]["auth"] != "oauth2" {
		t.Errorf("auth = %v, want oauth2\n%s", accts[0]["auth"], js)
	}
	if strings.Contains(js, "_token\"") || strings.Contains(js, "refresh") {
		t.Errorf("accounts --json shows a token:\n%s", js)
	}
	for _, at := range oa.AccessTokens("alice") {
		if strings.Contains(js, at) {
			t.Errorf("accounts --json holds an access token:\n%s", js)
		}
	}
	if raw, err := os.ReadFile(c.db); err == nil {
		for _, at := range oa.AccessTokens("alice") {
			if bytes.Contains(raw, []byte(at)) {
				t.Errorf("the database holds an access token in clear")
			}
		}
	}

	if out := c.ok("", "fetch", "--account", "ms"); !strings.Contains(out, "1 new") {
		t.Fatalf("fetch: %s", out)
	}
	if out := c.ok("", "check", "ms"); !strings.Contains(out, "incoming") || strings.Contains(out, "FAILED") {
		t.Fatalf("check: %s", out)
	}

	// Rotation: the old refresh token is refused once a new one is issued,
	// so the second fetch works only if the first sealed the new one.
	oa.SetRotation(true)
	refreshes := oa.Count("refresh_token")
	srv.Deliver(t, "alice", []byte("From: a@example.test\r\nSubject: second\r\n\r\ntwo\r\n"))
	if out := c.ok("", "fetch", "--account", "ms"); !strings.Contains(out, "1 new") {
		t.Fatalf("fetch after rotation on: %s", out)
	}
	if out := c.ok("", "fetch", "--account", "ms"); !strings.Contains(out, "0 new") {
		t.Fatalf("fetch with the rotated refresh token: %s", out)
	}
	if n := oa.Count("refresh_token"); n < refreshes+2 {
		t.Errorf("refreshes: %d, want at least %d", n, refreshes+2)
	}

	// Revoked: one sentence, exit 1, the mail stays on the server.
	oa.RevokeUser("alice")
	srv.Deliver(t, "alice", []byte("From: a@example.test\r\nSubject: third\r\n\r\nthree\r\n"))
	out, errs, code = c.run("", "fetch", "--account", "ms")
	want := "popbox: The sign-in of ms is no longer valid (revoked, expired or consent withdrawn); no mail was lost. Sign in again with: popbox account login ms.\n"
	if code != 1 || errs != want || out != "" {
		t.Fatalf("fetch after revocation: exit %d\nstdout: %q\nstderr: %q\nwant:   %q", code, out, errs, want)
	}
	if n := srv.Count(t, "alice"); n != 3 {
		t.Fatalf("%d messages on the server after the refused fetch, want 3", n)
	}
	if _, errs, code := c.run("", "check", "ms"); code != 1 || !strings.Contains(errs, "popbox account login ms") {
		t.Fatalf("check after revocation: exit %d: %s", code, errs)
	}

	out, errs, code = runDevice(t, c, oa, "account", "login", "ms")
	if code != 0 || !strings.Contains(out, "Signed in ms.") {
		t.Fatalf("account login: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	if out := c.ok("", "fetch", "--account", "ms"); !strings.Contains(out, "1 new") {
		t.Fatalf("fetch after account login: %s", out)
	}
	if l := c.list("ms"); len(l) != 3 {
		t.Fatalf("%d messages cached, want 3", len(l))
	}
}

// TestOAuthTokenCmd: --token-cmd gives the access token with no sign-in;
// accounts --json shows auth oauth2 and the command, never a token.
func TestOAuthTokenCmd(t *testing.T) {
	oa, srv, c := oauthSetup(t)
	srv.Deliver(t, "alice", []byte("From: a@example.test\r\nSubject: helper\r\n\r\nhi\r\n"))
	tok := oa.IssueToken("alice")
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(tok.Access+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.ok("", "account", "add", "--name", "helper", "--email", "alice@example.test",
		"--host", srv.Host, "--port", strconv.Itoa(srv.POPSPort), "--security", "ssl", "--user", "alice",
		"--retention", "keep", "--auth", "oauth2", "--token-cmd", "cat "+file)
	if out := c.ok("", "fetch", "--account", "helper"); !strings.Contains(out, "1 new") {
		t.Fatalf("fetch: %s", out)
	}
	js := c.ok("", "accounts", "--json")
	var accts []struct {
		Auth     string `json:"auth"`
		Incoming struct {
			TokenCmd string `json:"token_cmd"`
		} `json:"incoming"`
	}
	if err := json.Unmarshal([]byte(js), &accts); err != nil || len(accts) != 1 {
		t.Fatalf("accounts --json: %v\n%s", err, js)
	}
	if accts[0].Auth != "oauth2" || accts[0].Incoming.TokenCmd != "cat "+file || strings.Contains(js, tok.Access) {
		t.Fatalf("accounts --json: %s", js)
	}
	if oa.Count("refresh_token") != 0 || oa.Count("device_code") != 0 {
		t.Errorf("a token command account asked the authorization server")
	}
}

// TestOAuthNoClientID: without a client ID anywhere, account add says how
// to set one, asks nobody and saves nothing; POPBOX_OAUTH_CLIENT_ID is
// enough.
func TestOAuthNoClientID(t *testing.T) {
	oa, srv, c := oauthSetup(t)
	args := customAdd(oa, srv, "ms")
	for i, a := range args {
		if a == "--oauth-client-id" {
			args = append(args[:i:i], args[i+2:]...)
			break
		}
	}
	out, errs, code := c.run("", args...)
	if code != 1 || !strings.Contains(errs, "--oauth-client-id") || !strings.Contains(errs, "POPBOX_OAUTH_CLIENT_ID") ||
		!strings.Contains(errs, "Signing in with OAuth2") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("no client ID: exit %d\nstdout: %s\nstderr: %q", code, out, errs)
	}
	if oa.Count("device_code") != 0 || oa.LastUserCode() != "" {
		t.Errorf("the authorization server was asked without a client ID")
	}
	if out := c.ok("", "accounts", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("an account was saved: %s", out)
	}
	c.env = append(c.env, "POPBOX_OAUTH_CLIENT_ID=popbox-test")
	if out, errs, code := runDevice(t, c, oa, args...); code != 0 {
		t.Fatalf("with POPBOX_OAUTH_CLIENT_ID: exit %d\n%s\n%s", code, out, errs)
	}
	if js := c.ok("", "accounts", "--json"); !strings.Contains(js, `"client_id": "popbox-test"`) {
		t.Errorf("the client ID is not kept with the account:\n%s", js)
	}
}

// TestOAuthUsage: bad combinations of the OAuth2 flags are bad usage.
func TestOAuthUsage(t *testing.T) {
	c := newCLI(t, nil)
	base := []string{"account", "add", "--name", "x", "--email", "a@example.test", "--host", "pop.example.test",
		"--port", "995", "--user", "a", "--no-check"}
	for _, extra := range [][]string{
		{"--auth", "oauth2"},
		{"--auth", "oauth2", "--oauth-provider", "yahoo"},
		{"--auth", "oauth2", "--oauth-provider", "custom", "--oauth-client-id", "x"},
		{"--auth", "oauth2", "--oauth-provider", "microsoft", "--password-cmd", "echo x"},
		{"--auth", "kerberos", "--password-cmd", "echo x"},
		{"--oauth-provider", "microsoft", "--password-cmd", "echo x"},
	} {
		if _, errs, code := c.run("", append(base, extra...)...); code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", extra, code, errs)
		}
	}
	if _, errs, code := c.run("", "account", "login", "nobody"); code != 1 {
		t.Errorf("account login of no account: exit %d: %s", code, errs)
	}
}

// TestOAuthBrowserLogin: account login --browser runs the loopback flow
// with PKCE; the "browser" is an xdg-open on PATH whose address the test
// follows, with the mock's redirect, as a browser would.
func TestOAuthBrowserLogin(t *testing.T) {
	oa, srv, c := oauthSetup(t)
	bin := fakeBrowser(t)
	for i, v := range c.env {
		if strings.HasPrefix(v, "PATH=") {
			c.env[i] = "PATH=" + bin + ":" + strings.TrimPrefix(v, "PATH=")
		}
	}
	srv.Deliver(t, "alice", []byte("From: a@example.test\r\nSubject: browser\r\n\r\nhi\r\n"))
	_, errs, code := c.run("", customAdd(oa, srv, "g", "--browser")...)
	if code != 0 || !strings.Contains(errs, oa.AuthURL+"?") {
		t.Fatalf("account add --browser: exit %d: %s", code, errs)
	}
	if oa.Count("authorization_code") != 1 || oa.Count("device_code") != 0 {
		t.Errorf("code grants %d, device grants %d", oa.Count("authorization_code"), oa.Count("device_code"))
	}
	oa.RevokeUser("alice")
	if _, errs, code := c.run("", "fetch", "--account", "g"); code != 1 || !strings.Contains(errs, "popbox account login g") {
		t.Fatalf("fetch after revocation: exit %d: %s", code, errs)
	}
	if out := c.ok("", "account", "login", "g", "--browser"); !strings.Contains(out, "Signed in g.") {
		t.Fatalf("account login --browser: %s", out)
	}
	if out := c.ok("", "fetch", "--account", "g"); !strings.Contains(out, "1 new") {
		t.Fatalf("fetch after account login --browser: %s", out)
	}
}

// TestOAuthRefusedRetry: an access token the server refuses (revoked
// while it still looked current) is replaced once through the refresh
// token and the login is tried again, in fetch's and check's retryRefused.
func TestOAuthRefusedRetry(t *testing.T) {
	oa, srv, _ := oauthSetup(t)
	srv.Deliver(t, "alice", []byte("From: a@example.test\r\nSubject: retry\r\n\r\nhi\r\n"))
	tok := oa.IssueToken("alice")
	oa.RevokeAccess(tok.Access)
	a := mail.Account{Name: "r", Email: "alice@example.test", Retention: mail.Retention{Kind: mail.RetainKeep},
		Incoming: mail.Server{Host: srv.Host, Port: srv.POPSPort, Security: mail.SecuritySSL, User: "alice", Auth: mail.AuthOAuth2},
		OAuth:    mail.OAuthProfile{Provider: "custom", ClientID: "popbox-test", TokenURL: oa.TokenURL, DeviceURL: oa.DeviceURL}}
	e := env{getenv: func(string) string { return "" }, lang: i18n.EN}
	p, err := signin.Profile(a, "", e.getenv)
	if err != nil {
		t.Fatal(err)
	}
	var sealed []string
	ts, err := signin.New(p, &oauth2.Token{AccessToken: tok.Access, RefreshToken: tok.Refresh, Expiry: tok.Expiry},
		func(rt string) error { sealed = append(sealed, rt); return nil })
	if err != nil {
		t.Fatal(err)
	}
	signin.SetToken(&a, ts)
	tlsConf, err := mail.TLSConfig(mail.Account{CAFile: srv.CAFile})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tries := 0
	_, err = retryRefused(ctx, ts, a, func() (mail.ServerHints, error) { tries++; return mail.CheckPOP3(ctx, a, tlsConf) })
	if err != nil || tries != 2 || oa.Count("refresh_token") != 1 {
		t.Fatalf("retryRefused: %v after %d tries, %d refreshes", err, tries, oa.Count("refresh_token"))
	}

	// Rotation during the retry: the new refresh token goes to seal.
	oa.SetRotation(true)
	ts2, _ := signin.New(p, &oauth2.Token{AccessToken: "stale", RefreshToken: tok.Refresh, Expiry: time.Now().Add(time.Hour)},
		func(rt string) error { sealed = append(sealed, rt); return nil })
	signin.SetToken(&a, ts2)
	if _, err := retryRefused(ctx, ts2, a, func() (mail.ServerHints, error) { return mail.CheckPOP3(ctx, a, tlsConf) }); err != nil {
		t.Fatalf("retry with rotation: %v", err)
	}
	if len(sealed) != 1 || sealed[0] == tok.Refresh {
		t.Fatalf("sealed %q, want one new refresh token", sealed)
	}

	// A refused refresh is the sign-in-again sentence.
	oa.RevokeUser("alice")
	ts3, _ := signin.New(p, &oauth2.Token{AccessToken: "stale", RefreshToken: sealed[0], Expiry: time.Now().Add(time.Hour)}, nil)
	signin.SetToken(&a, ts3)
	_, err = retryRefused(ctx, ts3, a, func() (mail.ServerHints, error) { return mail.CheckPOP3(ctx, a, tlsConf) })
	var ae accountError
	if !errors.As(err, &ae) || !errors.Is(err, oauth.ErrSignInAgain) || !strings.Contains(err.Error(), "popbox account login r") {
		t.Fatalf("after revocation: %v", err)
	}
}

// TestOAuthOutgoingLogin: an outgoing server of its own whose user differs
// (bob sends, alice reads) signs in on its own with account login
// --outgoing; until then the check's outgoing side fails with alice's
// token, after it both sides pass and fetch still reads alice's mail. An
// account with "same credentials" has no outgoing sign-in of its own.
func TestOAuthOutgoingLogin(t *testing.T) {
	oa := mailtest.NewOAuth(t)
	srv := mailtest.Start(t, mailtest.Options{Submission: true, Users: map[string]string{"alice": "secret", "bob": "secret"},
		OAuth2: &mailtest.OAuth2Passdb{IntrospectionURL: oa.URL + "/introspect"}})
	c := newCLI(t, srv)
	srv.Deliver(t, "alice", []byte("From: a@example.test\r\nSubject: for alice\r\n\r\nhi\r\n"))
	out, errs, code := runDevice(t, c, oa, customAdd(oa, srv, "two", "--smtp-user", "bob")...)
	if code != 0 {
		t.Fatalf("account add: exit %d\n%s\n%s", code, out, errs)
	}
	out, _, code = c.run("", "check", "two")
	if code != 1 || !strings.Contains(out, "incoming") || !strings.Contains(out, "outgoing") || !strings.Contains(out, "FAILED") {
		t.Fatalf("check with alice's token for bob: exit %d\n%s", code, out)
	}

	oa.SetUser("bob")
	out, errs, code = runDevice(t, c, oa, "account", "login", "two", "--outgoing")
	if code != 0 || !strings.Contains(out, "Signed in the outgoing server of two.") {
		t.Fatalf("account login --outgoing: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	if out := c.ok("", "check", "two"); strings.Contains(out, "FAILED") || !strings.Contains(out, "logged in as bob") {
		t.Fatalf("check after the outgoing sign-in: %s", out)
	}
	if out := c.ok("", "fetch", "--account", "two"); !strings.Contains(out, "1 new") {
		t.Fatalf("fetch: %s", out)
	}

	oa.SetUser("alice")
	var same []string // customAdd without an outgoing server of its own
	args := customAdd(oa, srv, "same")
	for i := 0; i < len(args); i++ {
		if strings.HasPrefix(args[i], "--smtp-") {
			i++
			continue
		}
		same = append(same, args[i])
	}
	if _, errs, code := runDevice(t, c, oa, same...); code != 0 {
		t.Fatalf("account add same: %s", errs)
	}
	_, errs, code = c.run("", "account", "login", "same", "--outgoing")
	if code != 1 || !strings.Contains(errs, "uses the incoming server's sign-in") {
		t.Fatalf("login --outgoing with same credentials: exit %d: %s", code, errs)
	}
}
