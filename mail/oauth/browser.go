package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"golang.org/x/oauth2"
)

// SignInBrowser runs the authorization code flow with PKCE (S256) on a
// loopback redirect:
//
//  1. listen on 127.0.0.1 on a random port (RFC 8252 section 7.3: the
//     provider accepts any port on a loopback redirect);
//  2. call open with the authorization URL; open starts a browser
//     (xdg-open, open) or prints the URL, and returns an error only when
//     the sign-in should not go on;
//  3. wait for the redirect. One whose state is not this sign-in's gets
//     400 and is otherwise ignored, so a stray or forged request cannot end
//     or hijack the sign-in; error=access_denied ends it with
//     ErrAccessDenied;
//  4. exchange the code, sending the PKCE verifier.
//
// It ends with ctx.Err() when ctx ends first.
func (p Profile) SignInBrowser(ctx context.Context, open func(authURL string) error) (*oauth2.Token, error) {
	if p.AuthURL == "" {
		return nil, errors.New("profile has no authorization URL")
	}
	if _, err := p.config(""); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("loopback redirect: %w", err)
	}
	redirect := fmt.Sprintf("http://127.0.0.1:%d/", l.Addr().(*net.TCPAddr).Port)
	conf, _ := p.config(redirect)
	state := randomState()
	verifier := oauth2.GenerateVerifier()

	type result struct {
		code string
		err  error
	}
	done := make(chan result, 1)
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			if q.Get("state") != state {
				http.Error(w, ErrStateMismatch.Error(), http.StatusBadRequest)
				return
			}
			var res result
			switch e := q.Get("error"); {
			case e == "access_denied":
				res.err = &ProviderError{Code: e, Description: q.Get("error_description"), Kind: ErrAccessDenied}
			case e != "":
				res.err = &ProviderError{Code: e, Description: q.Get("error_description")}
			case q.Get("code") == "":
				http.Error(w, "no code", http.StatusBadRequest)
				return
			default:
				res.code = q.Get("code")
			}
			select {
			case done <- res:
				fmt.Fprintln(w, "popbox: you can close this page.")
			default:
				http.Error(w, "sign-in already finished", http.StatusGone)
			}
		}),
	}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()

	authURL := conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))
	if err := open(authURL); err != nil {
		return nil, fmt.Errorf("open browser: %w", err)
	}
	var res result
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case res = <-done:
	}
	if res.err != nil {
		return nil, fmt.Errorf("browser sign-in: %w", res.err)
	}
	tok, err := conf.Exchange(p.withClient(ctx), res.code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("code exchange: %w", providerError(err, map[string]error{"access_denied": ErrAccessDenied}))
	}
	return tok, nil
}

func randomState() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
