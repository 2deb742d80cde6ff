// Package signin is the access token of an account that signs in with
// OAuth2 through a provider, for both front ends: a token source started
// from the refresh token the store keeps sealed, whose rotated refresh
// tokens are sealed again at once, and the one retry after a server
// refused an access token. It returns kinds (mail.ErrNoToken,
// oauth.ErrNoClientID, oauth.ErrSignInAgain), never sentences: each front
// end words them.
package signin

import (
	"context"
	"errors"
	"strings"
	"sync"

	"golang.org/x/oauth2"

	"popbox/mail"
	"popbox/mail/oauth"
	"popbox/store"
)

// SignedIn says whether a signs in through a provider (and so has a
// sealed refresh token), rather than with a password or a token command.
func SignedIn(a mail.Account) bool {
	return a.Incoming.Auth == mail.AuthOAuth2 && a.OAuth.Provider != "" && strings.TrimSpace(a.Incoming.TokenCmd) == ""
}

// Profile is the sign-in profile of a: its provider, tenant and URLs, the
// client ID from flagClientID, the account or POPBOX_OAUTH_CLIENT_ID (read
// with getenv), and the account's scopes (the provider's own when it has
// none). With no client ID anywhere it fails with oauth.ErrNoClientID.
func Profile(a mail.Account, flagClientID string, getenv func(string) string) (oauth.Profile, error) {
	o := a.OAuth
	id := oauth.ClientID(flagClientID, o.ClientID, getenv)
	if id == "" {
		return oauth.Profile{}, oauth.ErrNoClientID
	}
	prov, _ := oauth.ParseProvider(o.Provider)
	var p oauth.Profile
	switch prov {
	case oauth.Microsoft:
		p = oauth.NewMicrosoft(o.Tenant, id)
	case oauth.Google:
		p = oauth.NewGoogle(id, o.ClientSecret)
	default:
		p = oauth.Profile{Provider: oauth.Custom, ClientID: id, DeviceURL: o.DeviceURL, AuthURL: o.AuthURL, TokenURL: o.TokenURL}
	}
	if sc := strings.Fields(o.Scopes); len(sc) > 0 {
		p.Scopes = sc
	}
	return p, nil
}

// Token is the access token of a signed-in account: an oauth.Source
// started from the sealed refresh token, whose rotated refresh tokens its
// seal function keeps. It is a mail.TokenSource, safe for concurrent use.
type Token struct {
	src  *oauth.Source
	mu   sync.Mutex
	last string // the access token handed out last
}

// New makes the token source of a signed-in account from tok (which may
// hold only a refresh token); seal, when not nil, keeps a rotated refresh
// token before the new access token is used.
func New(p oauth.Profile, tok *oauth2.Token, seal func(refresh string) error) (*Token, error) {
	src, err := p.NewSource(tok, seal)
	if err != nil {
		return nil, err
	}
	return &Token{src: src}, nil
}

// AccessToken gives a current access token (mail.TokenSource).
func (t *Token) AccessToken(ctx context.Context) (string, error) {
	tok, err := t.src.Token(ctx)
	if err != nil {
		return "", err
	}
	t.mu.Lock()
	t.last = tok.AccessToken
	t.mu.Unlock()
	return tok.AccessToken, nil
}

// Refused tells the source that the server refused the last access token:
// the next AccessToken is a fresh one. It fails with oauth.ErrSignInAgain
// when the refresh is refused, oauth.ErrTokenRefused when a fresh token
// was refused already.
func (t *Token) Refused(ctx context.Context) error {
	t.mu.Lock()
	last := t.last
	t.mu.Unlock()
	_, err := t.src.Refused(ctx, last)
	return err
}

// RefreshToken is the current refresh token (the newest one, when the
// server rotated it), for sealing after a sign-in.
func (t *Token) RefreshToken() string { return t.src.RefreshToken() }

// Tokens is what Setup needs of the store (*store.Store has it).
type Tokens interface {
	RefreshToken(nameOrID string, outgoing bool) (string, error)
}

var _ Tokens = (*store.Store)(nil)

// Setup gives a signed-in account a Token on both sides, from the refresh
// tokens sealed in st; seal keeps a rotated one of a side (outgoing true
// for the outgoing side). An outgoing server of its own that signed in on
// its own (account login --outgoing) gets a Token from its own refresh
// token; else the incoming side's serves both. The Token returned is the
// incoming side's (TokenOf gives a server's). Accounts that do not sign in
// through a provider come back as they are, with a nil Token. An account
// with no sealed refresh token is mail.ErrNoToken; one with no client ID,
// oauth.ErrNoClientID.
func Setup(a mail.Account, st Tokens, getenv func(string) string, seal func(outgoing bool, refresh string) error) (mail.Account, *Token, error) {
	if !SignedIn(a) {
		return a, nil, nil
	}
	rt, err := st.RefreshToken(a.ID, false)
	if errors.Is(err, store.ErrNoToken) {
		return a, nil, mail.ErrNoToken
	}
	if err != nil {
		return a, nil, err
	}
	p, err := Profile(a, "", getenv)
	if err != nil {
		return a, nil, err
	}
	ts, err := New(p, &oauth2.Token{RefreshToken: rt}, sealer(seal, false))
	if err != nil {
		return a, nil, err
	}
	SetToken(&a, ts)
	if OwnOutgoing(a) {
		ort, err := st.RefreshToken(a.ID, true)
		switch {
		case err == nil:
			ots, err := New(p, &oauth2.Token{RefreshToken: ort}, sealer(seal, true))
			if err != nil {
				return a, nil, err
			}
			a.Outgoing.Token = ots
		case !errors.Is(err, store.ErrNoToken):
			return a, nil, err
		}
	}
	return a, ts, nil
}

// sealer is seal for one side, nil when seal is.
func sealer(seal func(bool, string) error, outgoing bool) func(string) error {
	if seal == nil {
		return nil
	}
	return func(rt string) error { return seal(outgoing, rt) }
}

// OwnOutgoing says whether a's outgoing server may sign in on its own: a
// server of its own (not "same credentials") that logs in with OAuth2.
func OwnOutgoing(a mail.Account) bool {
	return SignedIn(a) && !a.SMTPSame && a.Outgoing.Auth == mail.AuthOAuth2
}

// TokenOf is the Token that gives s its access token, nil when s has none
// of this package's (a password, a token command).
func TokenOf(s mail.Server) *Token {
	ts, _ := s.Token.(*Token)
	return ts
}

// SetToken plugs ts into both sides of a.
func SetToken(a *mail.Account, ts mail.TokenSource) {
	a.Incoming.Token = ts
	if !a.SMTPSame && a.Outgoing.Auth == mail.AuthOAuth2 {
		a.Outgoing.Token = ts
	}
}

// Retry runs try, and once more after a refused access token
// (mail.ErrTokenRefused) when ts gives a fresh one. A refresh that only a
// new sign-in can fix is its error (oauth.ErrSignInAgain); when the fresh
// token was refused already, try's error stands. A nil ts runs try once.
func Retry[T any](ctx context.Context, ts *Token, try func() (T, error)) (T, error) {
	res, err := try()
	if ts == nil || !errors.Is(err, mail.ErrTokenRefused) {
		return res, err
	}
	if rerr := ts.Refused(ctx); rerr != nil {
		if errors.Is(rerr, oauth.ErrTokenRefused) {
			return res, err
		}
		return res, rerr
	}
	return try()
}
