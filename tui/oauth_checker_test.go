package tui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"popbox/mail"
	"popbox/mail/mailtest"
	"popbox/mail/oauth"
	"popbox/store"
	"popbox/tui/i18n"
)

// TestCheckerOAuth2: the login checks of the wizard and the dialogs log in
// to POP3 and SMTP (submission) with the access token from the refresh
// token sealed in the store, both sides at once with a server that rotates
// refresh tokens; a revoked sign-in is oauth.ErrSignInAgain, worded for
// the wizard's test as the fetch's banner is.
func TestCheckerOAuth2(t *testing.T) {
	oa := mailtest.NewOAuth(t)
	srv := mailtest.Start(t, mailtest.Options{Submission: true, OAuth2: &mailtest.OAuth2Passdb{IntrospectionURL: oa.URL + "/introspect"}})
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "popbox.db"), store.Options{PolicyFile: filepath.Join(dir, "no-policy.json")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := st.AddAccount(mail.Account{Name: "o", Email: "alice@example.test", CAFile: srv.CAFile,
		Retention: mail.Retention{Kind: mail.RetainKeep},
		Incoming:  mail.Server{Host: srv.Host, Port: srv.POPSPort, Security: mail.SecuritySSL, User: "alice", Auth: mail.AuthOAuth2},
		Outgoing:  mail.Server{Host: srv.Host, Port: srv.SubmissionPort, Security: mail.SecurityStartTLS, User: "alice", Auth: mail.AuthOAuth2},
		OAuth:     mail.OAuthProfile{Provider: "custom", ClientID: "popbox-test", TokenURL: oa.TokenURL, DeviceURL: oa.DeviceURL}})
	if err != nil {
		t.Fatal(err)
	}
	oa.SetRotation(true)
	if err := st.SetRefreshToken(a.ID, false, oa.IssueToken("alice").Refresh); err != nil {
		t.Fatal(err)
	}
	c := newNetChecker(st, func(string) string { return "" })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	errs := make(chan error, 2)
	go func() { errs <- c.CheckPOP3(ctx, a) }()
	go func() { errs <- c.CheckSMTP(ctx, a) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("check with a sealed refresh token: %v", err)
		}
	}
	if n := oa.Count("refresh_token"); n != 2 {
		t.Errorf("%d refreshes, want one per side", n)
	}

	// The same account as the wizard has it, without an ID (not saved):
	// no token, as before.
	b := a
	b.ID = ""
	if err := c.CheckPOP3(ctx, b); !errors.Is(err, mail.ErrNoToken) {
		t.Errorf("unsaved account: %v, want ErrNoToken", err)
	}

	oa.RevokeUser("alice")
	for _, check := range []func(context.Context, mail.Account) error{c.CheckPOP3, c.CheckSMTP} {
		err := check(ctx, a)
		if !errors.Is(err, oauth.ErrSignInAgain) {
			t.Fatalf("revoked: %v, want ErrSignInAgain", err)
		}
		s := i18n.EN.Error(err, i18n.Scene{Front: i18n.Screen, Task: i18n.TaskTest, Account: a})
		if !strings.Contains(s, "or in a terminal: popbox account login o") {
			t.Errorf("revoked, the test's sentence: %q", s)
		}
	}
}
