package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"testing"
	"time"

	"popbox/mail/mailtest"
)

// A token longer than the 255 octets of a POP3 command line, as real
// access tokens are (Microsoft's run to 2 KB and more).
var (
	goodToken    = "ya29." + strings.Repeat("a1B2c3", 300)
	revokedToken = "ya29.revoked-" + strings.Repeat("z", 200)
)

// dovecotStatus is the "status" of Dovecot 2.3's error challenge.
var dovecotStatus = map[string]string{MechXOAUTH2: "401", MechOAUTHBEARER: "invalid_token"}

// oauthDovecot starts a Dovecot whose oauth2 passdb asks an Introspector
// that knows goodToken for alice.
func oauthDovecot(t *testing.T, submission bool) (*mailtest.Server, *mailtest.Introspector) {
	t.Helper()
	in := mailtest.Introspect(t, map[string]string{goodToken: "alice"})
	srv := mailtest.Start(t, mailtest.Options{Submission: submission, OAuth2: &mailtest.OAuth2Passdb{IntrospectionURL: in.URL}})
	return srv, in
}

func oauthAccount(srv *mailtest.Server, token, mech string, sec Security) Account {
	a := dovecotAccount(srv, "alice", "", sec)
	a.Incoming.Auth = AuthOAuth2
	a.Incoming.SASL = mech
	a.Incoming.Token = staticToken(token)
	return a
}

// staticToken is a TokenSource that always gives the same token.
type staticToken string

func (s staticToken) AccessToken(context.Context) (string, error) { return string(s), nil }

// TestOAuthDovecotPOP3 logs in to a real Dovecot with each mechanism, over
// POP3S and STLS, and fetches; a revoked token is a TokenError and loses
// nothing; with no mechanism forced, OAUTHBEARER (offered) is chosen.
func TestOAuthDovecotPOP3(t *testing.T) {
	srv, in := oauthDovecot(t, false)
	srv.Deliver(t, "alice", msg("oauth one", "1\n"))
	srv.Deliver(t, "alice", msg("oauth two", "2\n"))
	ctx := context.Background()

	for _, mech := range []string{MechXOAUTH2, MechOAUTHBEARER, ""} {
		for _, sec := range []Security{SecuritySSL, SecurityStartTLS} {
			t.Run(mech+"/"+sec.String(), func(t *testing.T) {
				acct := oauthAccount(srv, goodToken, mech, sec)
				if _, err := CheckPOP3(ctx, acct, nil); err != nil {
					t.Fatalf("CheckPOP3: %v", err)
				}
				cache := newMemCache()
				res, err := Sync(ctx, acct, cache, SyncOptions{IgnoreLoginDelay: true}, nil)
				if err != nil || res.New != 2 || cache.count(acct.ID) != 2 {
					t.Fatalf("Sync: %+v, %v", res, err)
				}
			})
		}
	}
	if len(in.Asked()) == 0 {
		t.Errorf("Dovecot never asked the introspection endpoint")
	}

	for _, mech := range []string{MechXOAUTH2, MechOAUTHBEARER} {
		t.Run("revoked/"+mech, func(t *testing.T) {
			acct := oauthAccount(srv, revokedToken, mech, SecuritySSL)
			acct.Retention = Retention{Kind: RetainDelete}
			cache := newMemCache()
			_, err := Sync(ctx, acct, cache, SyncOptions{IgnoreLoginDelay: true}, nil)
			var te *TokenError
			if !errors.Is(err, ErrTokenRefused) || !errors.As(err, &te) || te.Mech != mech || te.User != "alice" {
				t.Fatalf("Sync: %v, want a TokenError of %s", err, mech)
			}
			if errors.Is(err, ErrAuth) {
				t.Errorf("%v is ErrAuth too", err)
			}
			// Dovecot 2.3 sends the error challenge before its -ERR.
			if te.Status != dovecotStatus[te.Mech] {
				t.Errorf("status %q, want %q from the error challenge", te.Status, dovecotStatus[te.Mech])
			}
			if n := srv.Count(t, "alice"); n != 2 {
				t.Errorf("%d messages left on the server, want 2", n)
			}
			// The session still works: the same connection's next login
			// is not disturbed (the caller refreshes and tries again).
			acct.Incoming.Token = staticToken(goodToken)
			acct.Retention = Retention{Kind: RetainKeep}
			if _, err := CheckPOP3(ctx, acct, nil); err != nil {
				t.Fatalf("CheckPOP3 with a fresh token: %v", err)
			}
		})
	}

	t.Run("token command", func(t *testing.T) {
		acct := oauthAccount(srv, "", MechXOAUTH2, SecuritySSL)
		acct.Incoming.Token = nil
		acct.Incoming.TokenCmd = "printf '%s\\n' " + goodToken
		if _, err := CheckPOP3(ctx, acct, nil); err != nil {
			t.Fatalf("CheckPOP3: %v", err)
		}
		acct.Incoming.TokenCmd = "exit 3"
		if _, err := CheckPOP3(ctx, acct, nil); !errors.Is(err, ErrTokenCmd) {
			t.Fatalf("CheckPOP3 with a failing token command: %v", err)
		}
		acct.Incoming.TokenCmd = ""
		if _, err := CheckPOP3(ctx, acct, nil); !errors.Is(err, ErrNoToken) {
			t.Fatalf("CheckPOP3 with no token source: %v", err)
		}
	})

	t.Run("password still works", func(t *testing.T) {
		if _, err := CheckPOP3(ctx, dovecotAccount(srv, "alice", "secret", SecuritySSL), nil); err != nil {
			t.Fatalf("CheckPOP3: %v", err)
		}
	})
}

// TestOAuthDovecotNoMechanism: a server that offers neither mechanism is
// refused before any token is sent.
func TestOAuthDovecotNoMechanism(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	acct := oauthAccount(srv, goodToken, "", SecuritySSL)
	if _, err := CheckPOP3(context.Background(), acct, nil); !errors.Is(err, ErrNoOAuthMech) {
		t.Fatalf("CheckPOP3: %v, want ErrNoOAuthMech", err)
	}
}

// TestOAuthDovecotSMTP logs in to Dovecot's submission service with each
// mechanism; a revoked token is a TokenError.
func TestOAuthDovecotSMTP(t *testing.T) {
	srv, _ := oauthDovecot(t, true)
	conf := &tls.Config{RootCAs: srv.CAPool}
	for _, mech := range []string{MechXOAUTH2, MechOAUTHBEARER, ""} {
		for _, tt := range []struct {
			name  string
			port  int
			sec   Security
			token string
			want  error
		}{
			{"starttls", srv.SubmissionPort, SecurityStartTLS, goodToken, nil},
			{"ssl", srv.SubmissionsPort, SecuritySSL, goodToken, nil},
			{"revoked", srv.SubmissionsPort, SecuritySSL, revokedToken, ErrTokenRefused},
		} {
			t.Run(mech+"/"+tt.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				s := Server{Host: srv.Host, Port: tt.port, Security: tt.sec, User: "alice",
					Auth: AuthOAuth2, SASL: mech, Token: staticToken(tt.token)}
				err := CheckSMTP(ctx, s, "", conf)
				if tt.want == nil {
					if err != nil {
						t.Fatalf("CheckSMTP: %v", err)
					}
					return
				}
				var te *TokenError
				if !errors.Is(err, tt.want) || !errors.As(err, &te) || errors.Is(err, ErrAuth) {
					t.Fatalf("CheckSMTP: %v, want a TokenError", err)
				}
				// Dovecot 2.3 sends the error challenge before its -ERR.
				if te.Status != dovecotStatus[te.Mech] {
					t.Errorf("status %q, want %q from the error challenge", te.Status, dovecotStatus[te.Mech])
				}
			})
		}
	}
}
