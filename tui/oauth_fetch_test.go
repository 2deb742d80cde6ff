package tui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"popbox/mail"
	"popbox/mail/mailtest"
	"popbox/store"
)

// The fake store has no sealed refresh tokens: its accounts sign in with
// passwords.
func (s *memStore) RefreshToken(string, bool) (string, error)  { return "", store.ErrNoToken }
func (s *memStore) SetRefreshToken(string, bool, string) error { return nil }

// oauthApp is a root model on a real store holding one account that signs
// in with OAuth2 (custom profile at the mock authorization server) to a
// Dovecot whose oauth2 passdb asks the mock about each token; its refresh
// token is sealed in the store. The servers rotate refresh tokens.
func oauthApp(t *testing.T) (appModel, *store.Store, mail.Account, *mailtest.OAuth, *mailtest.Server) {
	t.Helper()
	oa := mailtest.NewOAuth(t)
	srv := mailtest.Start(t, mailtest.Options{OAuth2: &mailtest.OAuth2Passdb{IntrospectionURL: oa.URL + "/introspect"}})
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "popbox.db"), store.Options{PolicyFile: filepath.Join(dir, "no-policy.json")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a, err := st.AddAccount(mail.Account{Name: "o 365", Email: "alice@example.test", CAFile: srv.CAFile, SMTPSame: true,
		Retention: mail.Retention{Kind: mail.RetainKeep},
		Incoming:  mail.Server{Host: srv.Host, Port: srv.POPSPort, Security: mail.SecuritySSL, User: "alice", Auth: mail.AuthOAuth2},
		OAuth:     mail.OAuthProfile{Provider: "custom", ClientID: "popbox-test", TokenURL: oa.TokenURL, DeviceURL: oa.DeviceURL}})
	if err != nil {
		t.Fatal(err)
	}
	oa.SetRotation(true)
	if err := st.SetRefreshToken(a.ID, false, oa.IssueToken("alice").Refresh); err != nil {
		t.Fatal(err)
	}
	m := newApp(testDeps(langEN), st, appConfig{version: "test", saveDir: t.TempDir(), getenv: func(string) string { return "" }})
	m.after = noTimer
	m, _ = m.update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m = settle(t, m, m.Init())
	if !m.hasActive || m.active.ID != a.ID {
		t.Fatalf("active %q, want the OAuth2 account", m.active.ID)
	}
	return m, st, a, oa, srv
}

// fetchAll presses f and runs the loop until the fetch is over.
func fetchAll(t *testing.T, l *loop) {
	t.Helper()
	req := l.m.fetchReq
	l.key("f")
	if l.m.fetchReq != req+1 {
		t.Fatal("f did not start a fetch")
	}
	deadline := time.Now().Add(60 * time.Second)
	for l.m.fetching {
		if time.Now().After(deadline) {
			t.Fatal("the fetch did not end in 60 s")
		}
		l.idle()
	}
}

func deliver(t *testing.T, srv *mailtest.Server, subject string) {
	t.Helper()
	srv.Deliver(t, "alice", []byte("From: a@example.test\r\nSubject: "+subject+"\r\n\r\nhi\r\n"))
}

func storedCount(t *testing.T, st *store.Store, id string) int {
	t.Helper()
	n, err := st.Count(id)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAppFetchOAuth2: f fetches an account that signs in with OAuth2, with
// an access token from the refresh token sealed in the store; a rotated
// refresh token is sealed at once; an access token the server refuses is
// refreshed and the fetch tried once more.
func TestAppFetchOAuth2(t *testing.T) {
	m, st, a, oa, srv := oauthApp(t)
	old, err := st.RefreshToken(a.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	deliver(t, srv, "first")
	l := newLoop(t, m)
	fetchAll(t, l)
	if l.m.banner != "" || storedCount(t, st, a.ID) != 1 {
		t.Fatalf("first fetch: banner %q, %d messages stored, want none and 1", l.m.banner, storedCount(t, st, a.ID))
	}
	if out := l.m.fetched[a.ID].outcome; !strings.Contains(out, "1 new") {
		t.Errorf("outcome %q, want 1 new", out)
	}
	rt, err := st.RefreshToken(a.ID, false)
	if err != nil || rt == old || rt == "" {
		t.Fatalf("sealed refresh token after a rotation: %q, %v (old %q)", rt, err, old)
	}
	if !strings.Contains(screenText(l.m), "first") {
		t.Errorf("the list lacks the fetched message:\n%s", screenText(l.m))
	}

	// The access token is revoked while it still looks current: the
	// server refuses it, the source refreshes once, the fetch runs again.
	deliver(t, srv, "second")
	refreshes := oa.Count("refresh_token")
	tries := 0
	l.m.syncFn = func(ctx context.Context, acct mail.Account, cache mail.Cache, opts mail.SyncOptions, report func(mail.Progress)) (mail.SyncResult, error) {
		tries++
		if tries == 1 {
			// The source's current access token, revoked behind its back.
			tok, err := acct.Incoming.Token.AccessToken(ctx)
			if err != nil {
				return mail.SyncResult{}, err
			}
			oa.RevokeAccess(tok)
		}
		return mail.Sync(ctx, acct, cache, opts, report)
	}
	fetchAll(t, l)
	if l.m.banner != "" || tries != 2 || storedCount(t, st, a.ID) != 2 {
		t.Fatalf("refused token: banner %q, %d tries, %d stored; want no banner, 2 tries, 2 stored", l.m.banner, tries, storedCount(t, st, a.ID))
	}
	if n := oa.Count("refresh_token"); n <= refreshes {
		t.Errorf("refreshes %d then %d: the refused token was not replaced", refreshes, n)
	}
	if rt2, _ := st.RefreshToken(a.ID, false); rt2 == rt {
		t.Errorf("the refresh token rotated during the retry was not sealed")
	}
}

// TestAppFetchOAuth2Revoked: when the sign-in is revoked the fetch ends
// with the banner that says to sign in again in a terminal; no mail is
// lost, and once signed in again the next fetch brings it.
func TestAppFetchOAuth2Revoked(t *testing.T) {
	m, st, a, oa, srv := oauthApp(t)
	deliver(t, srv, "kept")
	oa.RevokeUser("alice")
	l := newLoop(t, m)
	fetchAll(t, l)
	want := "The sign-in of o 365 is no longer valid (revoked, expired or consent withdrawn); no mail was lost. Sign in again: on the accounts screen (A) press e, then s on Sign in; or in a terminal: popbox account login 'o 365'"
	if l.m.banner != want || !l.m.bannerErr {
		t.Fatalf("banner %q (error %v), want %q", l.m.banner, l.m.bannerErr, want)
	}
	// The banner's lines each start with its mark; the command may wrap.
	var text []string
	for _, ln := range strings.Split(screenText(l.m), "\n") {
		text = append(text, strings.TrimPrefix(strings.TrimSpace(ln), "! "))
	}
	if !strings.Contains(strings.Join(strings.Fields(strings.Join(text, " ")), " "), "popbox account login 'o 365'") {
		t.Errorf("the screen lacks the command:\n%s", screenText(l.m))
	}
	if n := storedCount(t, st, a.ID); n != 0 {
		t.Fatalf("%d messages stored after a refused sign-in", n)
	}

	// What account login does: a new refresh token, sealed.
	if err := st.SetRefreshToken(a.ID, false, oa.IssueToken("alice").Refresh); err != nil {
		t.Fatal(err)
	}
	fetchAll(t, l)
	if l.m.banner != "" || storedCount(t, st, a.ID) != 1 {
		t.Fatalf("after signing in again: banner %q, %d stored, want none and 1", l.m.banner, storedCount(t, st, a.ID))
	}
}
