package signin

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"popbox/mail"
	"popbox/mail/mailtest"
	"popbox/mail/oauth"
	"popbox/store"
)

// signedIn is an account that signs in through the mock, as account add
// --auth oauth2 --oauth-provider custom stores it.
func signedIn(o *mailtest.OAuth) mail.Account {
	return mail.Account{
		Name: "Work", Email: "alice@example.org",
		Incoming: mail.Server{Host: "127.0.0.1", Port: 995, Security: mail.SecuritySSL, User: "alice", Auth: mail.AuthOAuth2},
		SMTPSame: true, Retention: mail.Retention{Kind: mail.RetainKeep}, Sharing: mail.SharingPrivate,
		OAuth: mail.OAuthProfile{Provider: "custom", ClientID: o.ClientID, DeviceURL: o.DeviceURL, AuthURL: o.AuthURL, TokenURL: o.TokenURL},
	}
}

// TestSetup: the token of a signed-in account starts from the refresh
// token sealed in the store, a rotated refresh token is sealed again at
// once, a revoked one is a kind (sign in again), and an account with no
// sealed token or no client ID says which.
func TestSetup(t *testing.T) {
	o := mailtest.NewOAuth(t)
	o.SetRotation(true)
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "popbox.db"), store.Options{PolicyFile: filepath.Join(dir, "none.json")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := st.AddAccount(signedIn(o))
	if err != nil {
		t.Fatal(err)
	}
	getenv := func(string) string { return "" }
	seal := func(out bool, rt string) error { return st.SetRefreshToken(a.ID, out, rt) }

	if _, _, err := Setup(a, st, getenv, seal); !errors.Is(err, mail.ErrNoToken) {
		t.Fatalf("no sealed token: %v, want mail.ErrNoToken", err)
	}
	first := o.IssueToken("alice")
	if err := st.SetRefreshToken(a.ID, false, first.Refresh); err != nil {
		t.Fatal(err)
	}
	b, ts, err := Setup(a, st, getenv, seal)
	if err != nil || ts == nil || b.Incoming.Token == nil {
		t.Fatalf("Setup = %v, %v", ts, err)
	}
	tok, err := b.Incoming.Token.AccessToken(context.Background())
	if user, ok := o.Active(tok); err != nil || !ok || user != "alice" {
		t.Fatalf("access token %q, %v; want an active one", tok, err)
	}
	sealed, err := st.RefreshToken(a.ID, false)
	if err != nil || sealed == first.Refresh || sealed != ts.RefreshToken() {
		t.Errorf("after rotation the store holds %q (%v); want the new refresh token %q", sealed, err, ts.RefreshToken())
	}

	// A server that refuses the token: one retry with a fresh one.
	calls := 0
	_, err = Retry(context.Background(), ts, func() (int, error) {
		calls++
		if calls == 1 {
			return 0, &mail.TokenError{Host: "h"}
		}
		return 1, nil
	})
	if err != nil || calls != 2 {
		t.Errorf("Retry: %v after %d calls, want success after 2", err, calls)
	}

	// Revoked: a new sign-in is the only way on.
	sealed, _ = st.RefreshToken(a.ID, false)
	o.Revoke(sealed)
	_, ts2, err := Setup(a, st, getenv, seal)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts2.AccessToken(context.Background()); !errors.Is(err, oauth.ErrSignInAgain) {
		t.Errorf("revoked: %v, want oauth.ErrSignInAgain", err)
	}

	c := a
	c.OAuth.ClientID = ""
	if _, _, err := Setup(c, st, getenv, seal); !errors.Is(err, oauth.ErrNoClientID) {
		t.Errorf("no client ID: %v, want oauth.ErrNoClientID", err)
	}
	if _, ts, err := Setup(mail.Account{Incoming: mail.Server{Host: "h"}}, st, getenv, seal); ts != nil || err != nil {
		t.Errorf("a password account: %v, %v; want it as it is", ts, err)
	}
}

// TestSetupOwnOutgoing: an outgoing server of its own that signed in on
// its own gets a token from its own refresh token (rotations sealed on the
// outgoing side); without one, or with "same credentials", the incoming
// side's token serves both.
func TestSetupOwnOutgoing(t *testing.T) {
	o := mailtest.NewOAuth(t)
	o.SetRotation(true)
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "popbox.db"), store.Options{PolicyFile: filepath.Join(dir, "none.json")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := signedIn(o)
	a.SMTPSame = false
	a.Outgoing = mail.Server{Host: "127.0.0.1", Port: 465, Security: mail.SecuritySSL, User: "bob", Auth: mail.AuthOAuth2}
	if a, err = st.AddAccount(a); err != nil {
		t.Fatal(err)
	}
	getenv := func(string) string { return "" }
	seal := func(out bool, rt string) error { return st.SetRefreshToken(a.ID, out, rt) }
	if err := st.SetRefreshToken(a.ID, false, o.IssueToken("alice").Refresh); err != nil {
		t.Fatal(err)
	}

	b, ts, err := Setup(a, st, getenv, seal)
	if err != nil || TokenOf(b.Outgoing) != ts {
		t.Fatalf("no outgoing sign-in: the outgoing token is %p, want the incoming %p (%v)", TokenOf(b.Outgoing), ts, err)
	}

	bob := o.IssueToken("bob")
	if err := st.SetRefreshToken(a.ID, true, bob.Refresh); err != nil {
		t.Fatal(err)
	}
	b, ts, err = Setup(a, st, getenv, seal)
	if err != nil {
		t.Fatal(err)
	}
	out := TokenOf(b.Outgoing)
	if out == nil || out == ts || TokenOf(b.Incoming) != ts {
		t.Fatalf("own outgoing sign-in: outgoing %p incoming %p", out, ts)
	}
	tok, err := out.AccessToken(context.Background())
	if user, ok := o.Active(tok); err != nil || !ok || user != "bob" {
		t.Fatalf("the outgoing token is %q (%v), user %q; want bob's", tok, err, user)
	}
	if sealed, _ := st.RefreshToken(a.ID, true); sealed == bob.Refresh || sealed != out.RefreshToken() {
		t.Errorf("the outgoing side's rotated refresh token was not sealed on its side")
	}
	if in, _ := st.RefreshToken(a.ID, false); in == out.RefreshToken() {
		t.Errorf("the outgoing rotation was sealed on the incoming side")
	}

	// Same credentials: the outgoing sign-in is not used.
	same := a
	same.SMTPSame = true
	b, ts, err = Setup(same, st, getenv, seal)
	if err != nil || TokenOf(b.SMTP()) != ts || OwnOutgoing(same) {
		t.Fatalf("same credentials: the outgoing token is not the incoming one (%v)", err)
	}
}
