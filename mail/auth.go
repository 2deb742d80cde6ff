package mail

// How popbox logs in with OAuth2 (RFC 7628): the account's kind of login,
// where the access token comes from, and the two SASL mechanisms that carry
// it, XOAUTH2 (Google's and Microsoft's) and OAUTHBEARER (RFC 7628). The
// POP3 exchange is in pop3_oauth.go, the SMTP one in smtp.go.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
)

// AuthKind is how popbox proves who it is to a server.
type AuthKind int

const (
	// AuthPassword is a password (USER/PASS, SASL PLAIN or LOGIN).
	AuthPassword AuthKind = iota
	// AuthOAuth2 is an OAuth2 access token (SASL OAUTHBEARER or XOAUTH2).
	AuthOAuth2
)

// String is the CLI's and the JSON's word: password or oauth2.
func (k AuthKind) String() string {
	switch k {
	case AuthPassword:
		return "password"
	case AuthOAuth2:
		return "oauth2"
	}
	return fmt.Sprintf("AuthKind(%d)", int(k))
}

// ParseAuthKind reads password or oauth2 (any case).
func ParseAuthKind(s string) (AuthKind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "password", "":
		return AuthPassword, nil
	case "oauth2":
		return AuthOAuth2, nil
	}
	return AuthPassword, fmt.Errorf("auth %q is not one of password, oauth2", s)
}

// MarshalText writes String.
func (k AuthKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads what MarshalText wrote.
func (k *AuthKind) UnmarshalText(b []byte) error {
	v, err := ParseAuthKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// OAuthProfile is where an AuthOAuth2 account signs in, kept with the
// account: the provider's name (microsoft, google or custom), Microsoft's
// tenant, the user's own client ID, a custom provider's endpoints and the
// scopes (space-separated; empty: the provider's own). It never holds a
// token: the refresh token is sealed by the store, the access token lives
// in memory only. Every field is a string, so Account stays comparable.
type OAuthProfile struct {
	Provider string `json:"provider,omitempty"`
	Tenant   string `json:"tenant,omitempty"`
	ClientID string `json:"client_id,omitempty"`
	// ClientSecret is only for Google's "desktop app" clients, whose
	// secret Google says is not treated as secret; empty for public clients.
	ClientSecret string `json:"client_secret,omitempty"`
	DeviceURL    string `json:"device_url,omitempty"`
	AuthURL      string `json:"auth_url,omitempty"`
	TokenURL     string `json:"token_url,omitempty"`
	Scopes       string `json:"scopes,omitempty"`
}

// The SASL mechanisms that carry an OAuth2 access token.
const (
	MechXOAUTH2     = "XOAUTH2"
	MechOAUTHBEARER = sasl.OAuthBearer
)

// TokenError is an access token the server refused: expired, revoked or
// never valid. It unwraps to ErrTokenRefused, so that the caller can get a
// fresh token once and try again. Status is the "status" of the server's
// error challenge (RFC 7628 section 3.2.2), when it sent one.
type TokenError struct {
	Host   string
	User   string
	Mech   string // XOAUTH2 or OAUTHBEARER
	Status string
	Reply  string // the server's words after -ERR or the SMTP code
}

// Error reads "pop.example.com refused the access token for ann (XOAUTH2, status 401): Authentication failed."
func (e *TokenError) Error() string {
	reply := e.Reply
	if reply == "" {
		reply = "no reason given"
	}
	status := ""
	if e.Status != "" {
		status = ", status " + e.Status
	}
	return fmt.Sprintf("%s refused the access token for %s (%s%s): %s", e.Host, e.User, e.Mech, status, reply)
}

// Unwrap makes errors.Is(err, ErrTokenRefused) true.
func (e *TokenError) Unwrap() error { return ErrTokenRefused }

// TokenSource gives a current access token, refreshing it when needed.
// Server keeps one in an interface so that Server and Account stay
// comparable with ==: implement it with a pointer type.
type TokenSource interface {
	AccessToken(ctx context.Context) (string, error)
}

// ResolveToken returns the access token for an AuthOAuth2 server: from
// Token when it is set (the sign-in flows plug in there), else the first
// line of TokenCmd's output (run with sh -c, like PasswordCmd). Without
// either it returns ErrNoToken.
func (s Server) ResolveToken(ctx context.Context) (string, error) {
	var tok string
	switch {
	case s.Token != nil:
		t, err := s.Token.AccessToken(ctx)
		if err != nil {
			return "", err
		}
		tok = t
	case strings.TrimSpace(s.TokenCmd) != "":
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "sh", "-c", s.TokenCmd).Output()
		if err != nil {
			return "", fmt.Errorf("%w: %q: %v", ErrTokenCmd, s.TokenCmd, err)
		}
		line, _, _ := strings.Cut(string(out), "\n")
		tok = strings.TrimSpace(line)
		if tok == "" {
			return "", fmt.Errorf("%w: %q printed nothing", ErrTokenCmd, s.TokenCmd)
		}
	default:
		return "", fmt.Errorf("%s: %w", s.Host, ErrNoToken)
	}
	// A bearer token is printable ASCII (RFC 6750 section 2.1); the SASL
	// messages separate their fields with %x01.
	if strings.ContainsFunc(tok, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
		return "", fmt.Errorf("%w: the access token contains spaces or control characters", ErrTokenCmd)
	}
	return tok, nil
}

// resolveSecret is what the server's login needs: the access token for
// AuthOAuth2, else the password.
func (s Server) resolveSecret(ctx context.Context) (string, error) {
	if s.Auth == AuthOAuth2 {
		return s.ResolveToken(ctx)
	}
	return s.ResolvePassword(ctx)
}

// chooseOAuthMech picks the mechanism: forced when the account names one,
// else OAUTHBEARER when the server offers it (the standard one), else
// XOAUTH2. known is false when the server did not list its mechanisms (a
// POP3 server without CAPA): XOAUTH2 is tried then, the one most servers
// that take tokens speak.
func chooseOAuthMech(forced string, known bool, offers func(string) bool) (string, error) {
	switch f := strings.ToUpper(strings.TrimSpace(forced)); f {
	case MechXOAUTH2, MechOAUTHBEARER:
		return f, nil
	case "":
	default:
		return "", fmt.Errorf("SASL mechanism %q is not one of XOAUTH2, OAUTHBEARER", forced)
	}
	switch {
	case offers(MechOAUTHBEARER):
		return MechOAUTHBEARER, nil
	case offers(MechXOAUTH2) || !known:
		return MechXOAUTH2, nil
	}
	return "", ErrNoOAuthMech
}

// oauthClient is a SASL client for XOAUTH2 or OAUTHBEARER. After a
// refused token the server sends an error challenge (a JSON object);
// Next keeps its status and answers as the mechanism requires, so that
// the server ends the exchange with its failure reply.
type oauthClient struct {
	mech, user, token, host string
	port                    int
	// lineLimit, when not 0, is the longest AUTH command line: with a
	// longer initial response Start sends none and the first (empty)
	// challenge gets it (RFC 4954 section 4).
	lineLimit int
	deferred  []byte // the initial response waiting for that challenge
	failed    bool   // an error challenge came
	status    string // its "status"
}

func newOAuthClient(mech, user, token, host string, port int) *oauthClient {
	return &oauthClient{mech: mech, user: user, token: token, host: host, port: port}
}

// Start returns the initial response: for XOAUTH2
// "user=" user ^A "auth=Bearer " token ^A ^A; for OAUTHBEARER the GS2
// header with the user as authzid, host, port and auth (RFC 7628 3.1).
func (c *oauthClient) Start() (string, []byte, error) {
	ir := c.initial()
	if c.lineLimit > 0 && len("AUTH ")+len(c.mech)+1+base64.StdEncoding.EncodedLen(len(ir)) > c.lineLimit {
		c.deferred = ir
		return c.mech, nil, nil
	}
	return c.mech, ir, nil
}

func (c *oauthClient) initial() []byte {
	if c.mech == MechXOAUTH2 {
		return []byte("user=" + c.user + "\x01auth=Bearer " + c.token + "\x01\x01")
	}
	_, ir, _ := sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{
		Username: c.user, Token: c.token, Host: c.host, Port: c.port,
	}).Start()
	return ir
}

// Next gives a deferred initial response to the first challenge, and
// answers the error challenge: OAUTHBEARER with a single %x01 (RFC
// 7628 section 3.2.3), XOAUTH2 with an empty response (as Google and
// Microsoft document it). A second challenge is a protocol error. The
// result is never nil, for go-smtp ends the exchange on a nil response.
func (c *oauthClient) Next(challenge []byte) ([]byte, error) {
	if ir := c.deferred; ir != nil {
		c.deferred = nil
		return ir, nil
	}
	if c.failed {
		return nil, sasl.ErrUnexpectedServerChallenge
	}
	c.failed = true
	var e struct {
		Status string `json:"status"`
	}
	if json.Unmarshal(challenge, &e) == nil {
		c.status = e.Status
	}
	if c.mech == MechOAUTHBEARER {
		return []byte{0x01}, nil
	}
	return []byte{}, nil
}
