// Package oauth signs a user in with OAuth 2.0 for POP3 and SMTP (the SASL
// mechanisms XOAUTH2 and OAUTHBEARER live in package mail) and keeps the
// access token fresh. It knows no UI: the caller shows what DeviceFlow.Prompt
// returns, opens the browser through the func it passes, and turns the error
// kinds below into sentences.
//
// Three jobs, one file each:
//
//   - profile.go: where to sign in (Microsoft, Google, or endpoints given by
//     URL) and with which client ID, which is always the user's own;
//   - device.go: the device authorization grant (RFC 8628);
//   - browser.go: the authorization code flow with PKCE (RFC 7636) on a
//     127.0.0.1 loopback redirect (RFC 8252 section 7.3);
//   - source.go: the refresh token in use, the access token refreshed
//     before it expires and once more when a server refuses it.
//
// Every request goes through golang.org/x/oauth2 with an HTTP client that
// has a deadline.
package oauth

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"
)

// Error kinds, checked with errors.Is. They carry meaning, not advice: the
// message catalog turns them into sentences.
var (
	// ErrNoClientID: no client ID was given (flag, account field or
	// EnvClientID); popbox never borrows another application's.
	ErrNoClientID = errors.New("no OAuth client ID")
	// ErrNoDeviceFlow: the provider does not offer the device flow for mail
	// (Google refuses its mail scope there); use the browser flow.
	ErrNoDeviceFlow = errors.New("no device sign-in for this provider")
	// ErrAccessDenied: the user (or an administrator's policy) refused the
	// sign-in.
	ErrAccessDenied = errors.New("sign-in refused")
	// ErrCodeExpired: the device code expired before the user signed in.
	ErrCodeExpired = errors.New("sign-in code expired")
	// ErrStateMismatch: a redirect came back with a state this sign-in did
	// not send.
	ErrStateMismatch = errors.New("sign-in state does not match")
	// ErrSignInAgain: the refresh token was refused (revoked, expired,
	// consent withdrawn); only a new sign-in helps. No mail is lost.
	ErrSignInAgain = errors.New("sign-in no longer valid")
	// ErrTokenRefused: a server refused an access token that was fresh from
	// a refresh; refreshing again would loop.
	ErrTokenRefused = errors.New("server refused a fresh access token")
)

// ProviderError is an error the authorization server answered, with its
// RFC 6749 error code. It unwraps to the kind it means (ErrSignInAgain,
// ErrAccessDenied, ErrCodeExpired) when there is one.
type ProviderError struct {
	Code        string // RFC 6749 section 5.2 "error", e.g. invalid_grant
	Description string // the server's error_description, for logs only
	Kind        error  // one of the sentinels above, or nil
}

func (e *ProviderError) Error() string {
	s := "authorization server: " + e.Code
	if e.Kind != nil {
		s = e.Kind.Error() + " (" + e.Code + ")"
	}
	return s
}

// Unwrap returns the error kind.
func (e *ProviderError) Unwrap() error { return e.Kind }

// providerError turns an oauth2.RetrieveError into a ProviderError with
// the kind kinds gives for its code; any other error is returned as is.
func providerError(err error, kinds map[string]error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return err
	}
	code := re.ErrorCode
	if code == "" && re.Response != nil {
		code = fmt.Sprintf("http %d", re.Response.StatusCode)
	}
	return &ProviderError{Code: code, Description: re.ErrorDescription, Kind: kinds[re.ErrorCode]}
}

// httpTimeout bounds every request to an authorization server.
const httpTimeout = 30 * time.Second

func defaultClient() *http.Client { return &http.Client{Timeout: httpTimeout} }
