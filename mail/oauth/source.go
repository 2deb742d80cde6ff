package oauth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// refreshKinds maps the token endpoint's answers to a refresh that only a
// new sign-in can fix: invalid_grant (RFC 6749 section 5.2: revoked,
// expired), and Microsoft's interaction_required, consent_required and
// login_required.
var refreshKinds = map[string]error{
	"invalid_grant":        ErrSignInAgain,
	"interaction_required": ErrSignInAgain,
	"consent_required":     ErrSignInAgain,
	"login_required":       ErrSignInAgain,
}

// Early is how long before its expiry an access token is refreshed, at
// most: a token that lives less than twice Early is refreshed when half its
// life has passed, so a token that lives seconds is used, not refreshed in
// a loop.
const Early = time.Minute

// Source hands out access tokens for one account and side, refreshing them
// with the refresh token. It is safe for concurrent use; refreshes are
// serialized.
type Source struct {
	p        Profile
	conf     *oauth2.Config
	onRotate func(refresh string) error
	now      func() time.Time

	mu       sync.Mutex
	tok      *oauth2.Token
	obtained time.Time // when a refresh brought tok, for its lifetime; zero for a token given to NewSource
	retried  bool      // tok came from a refresh after a refusal
}

// NewSource returns a Source starting from tok, which may hold only a
// refresh token (as loaded from the store). onRotate, when not nil, gets
// the new refresh token whenever the server rotates it, before the new
// access token is handed out, so the caller can seal it at once; if it
// fails, Token fails with its error and the new token stays in memory.
func (p Profile) NewSource(tok *oauth2.Token, onRotate func(refresh string) error) (*Source, error) {
	conf, err := p.config("")
	if err != nil {
		return nil, err
	}
	if tok == nil {
		tok = &oauth2.Token{}
	}
	t := *tok
	return &Source{p: p, conf: conf, onRotate: onRotate, now: time.Now, tok: &t}, nil
}

// Token returns a usable access token, refreshing first when the current
// one is missing or near its expiry. A refused refresh is ErrSignInAgain.
func (s *Source) Token(ctx context.Context) (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.usable() {
		return s.copy(), nil
	}
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	return s.copy(), nil
}

// Refused tells the Source that a server refused the access token access
// (a failed XOAUTH2/OAUTHBEARER login) and returns another one. When access
// is no longer current it returns the current token; otherwise it refreshes
// once. When a token fresh from such a refresh is refused too, it returns
// ErrTokenRefused rather than refresh again: the account's user name or the
// server's policy is wrong, not the token.
func (s *Source) Refused(ctx context.Context, access string) (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if access != s.tok.AccessToken && s.usable() {
		return s.copy(), nil
	}
	if s.retried {
		return nil, ErrTokenRefused
	}
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	s.retried = true
	return s.copy(), nil
}

// RefreshToken returns the refresh token in use, for sealing.
func (s *Source) RefreshToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tok.RefreshToken
}

func (s *Source) usable() bool {
	if s.tok.AccessToken == "" {
		return false
	}
	if s.tok.Expiry.IsZero() {
		return true
	}
	// A token given to NewSource has an unknown lifetime: the full margin.
	// Shortening it is for tokens this Source fetched, whose life it knows.
	margin := Early
	if !s.obtained.IsZero() {
		margin = min(Early, s.tok.Expiry.Sub(s.obtained)/2)
	}
	return s.now().Add(margin).Before(s.tok.Expiry)
}

func (s *Source) copy() *oauth2.Token { t := *s.tok; return &t }

func (s *Source) refresh(ctx context.Context) error {
	old := s.tok.RefreshToken
	if old == "" {
		return fmt.Errorf("refresh: %w", ErrSignInAgain)
	}
	// The library's refresher keeps the old refresh token when the answer
	// has none, so a changed one means the server rotated it.
	tok, err := s.conf.TokenSource(s.p.withClient(ctx), &oauth2.Token{RefreshToken: old}).Token()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("refresh: %w", providerError(unwrapRetrieve(err), refreshKinds))
	}
	s.tok, s.obtained, s.retried = tok, s.now(), false
	if tok.RefreshToken != old && s.onRotate != nil {
		if err := s.onRotate(tok.RefreshToken); err != nil {
			return fmt.Errorf("save rotated refresh token: %w", err)
		}
	}
	return nil
}

// unwrapRetrieve finds the *oauth2.RetrieveError in err, if any.
func unwrapRetrieve(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return re
	}
	return err
}
