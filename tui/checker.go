package tui

import (
	"context"
	"sync"

	"popbox/mail"
	"popbox/store/signin"
)

// tokenStore is what a login check needs of the store for an account that
// signs in with OAuth2: its sealed refresh token, and the sealing of a
// rotated one (*store.Store has both).
type tokenStore interface {
	RefreshToken(nameOrID string, outgoing bool) (string, error)
	SetRefreshToken(nameOrID string, outgoing bool, token string) error
}

// netChecker is the checker that really logs in: POP3 with the account's
// TLS settings (its CA file included), SMTP likewise for the outgoing side.
// An account that signs in with OAuth2 through a provider gets its access
// token from the refresh token sealed in st (store/signin), refreshed once
// more when the server refuses it; getenv gives POPBOX_OAUTH_CLIENT_ID.
type netChecker struct {
	st     tokenStore
	getenv func(string) string
	// mu serializes the first refresh of the two sides' sources, so that
	// the second starts from the refresh token the first sealed (a server
	// that rotates refresh tokens refuses the old one).
	mu *sync.Mutex
}

var _ checker = netChecker{}

// newNetChecker is the checker of Run.
func newNetChecker(st tokenStore, getenv func(string) string) netChecker {
	return netChecker{st: st, getenv: getenv, mu: &sync.Mutex{}}
}

// withToken gives a signed-in, saved account its token source, with a
// current access token already in it; others come back as they are.
func (c netChecker) withToken(ctx context.Context, acct mail.Account) (mail.Account, *signin.Token, error) {
	if ts, ok := acct.Incoming.Token.(*signin.Token); ok {
		// The wizard's own sign-in, not saved yet.
		return acct, ts, nil
	}
	if c.st == nil || acct.ID == "" || !signin.SignedIn(acct) {
		return acct, nil, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	id := acct.ID
	acct, ts, err := signin.Setup(acct, c.st, c.getenv, func(out bool, rt string) error { return c.st.SetRefreshToken(id, out, rt) })
	if err != nil {
		return acct, nil, err
	}
	if _, err := ts.AccessToken(ctx); err != nil {
		return acct, nil, err
	}
	return acct, ts, nil
}

// CheckPOP3 logs in to the incoming server and out again.
func (c netChecker) CheckPOP3(ctx context.Context, acct mail.Account) error {
	acct, ts, err := c.withToken(ctx, acct)
	if err != nil {
		return err
	}
	conf, err := mail.TLSConfig(acct)
	if err != nil {
		return err
	}
	_, err = signin.Retry(ctx, ts, func() (mail.ServerHints, error) { return mail.CheckPOP3(ctx, acct, conf) })
	return err
}

// CheckSMTP connects to the outgoing server as it is used (derived from the
// incoming side when the account shares its credentials) and authenticates.
func (c netChecker) CheckSMTP(ctx context.Context, acct mail.Account) error {
	srv := acct.SMTP()
	var ts *signin.Token
	if srv.Auth == mail.AuthOAuth2 {
		var err error
		if acct, _, err = c.withToken(ctx, acct); err != nil {
			return err
		}
		srv = acct.SMTP()
		// The outgoing side's own sign-in, when it has one.
		ts = signin.TokenOf(srv)
	}
	pw := ""
	if srv.Auth != mail.AuthOAuth2 {
		var err error
		if pw, err = srv.ResolvePassword(ctx); err != nil {
			return err
		}
	}
	conf, err := mail.TLSConfig(acct)
	if err != nil {
		return err
	}
	if conf != nil {
		conf = conf.Clone()
		conf.ServerName = srv.Host
	}
	_, err = signin.Retry(ctx, ts, func() (struct{}, error) { return struct{}{}, mail.CheckSMTP(ctx, srv, pw, conf) })
	return err
}
