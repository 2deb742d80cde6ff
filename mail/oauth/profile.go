package oauth

import (
	"context"
	"net/http"
	"strings"

	"golang.org/x/oauth2"
)

// Provider says whose sign-in a Profile uses.
type Provider int

const (
	// Custom: endpoints given by URL (any other server, and the tests).
	Custom Provider = iota
	// Microsoft: Microsoft Entra ID (Microsoft 365 and Outlook.com).
	Microsoft
	// Google: Google accounts (Gmail, Google Workspace).
	Google
)

func (p Provider) String() string {
	switch p {
	case Microsoft:
		return "microsoft"
	case Google:
		return "google"
	}
	return "custom"
}

// ParseProvider reads the name String gives; ok is false for anything else.
func ParseProvider(s string) (p Provider, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "microsoft":
		return Microsoft, true
	case "google":
		return Google, true
	case "custom":
		return Custom, true
	}
	return Custom, false
}

// EnvClientID is the environment variable that supplies a client ID when
// neither the flag nor the account has one.
const EnvClientID = "POPBOX_OAUTH_CLIENT_ID"

// ClientID returns the first client ID that is set: the flag, the account's
// field, then the environment variable.
func ClientID(flag, field string, getenv func(string) string) string {
	for _, id := range []string{flag, field, getenv(EnvClientID)} {
		if id = strings.TrimSpace(id); id != "" {
			return id
		}
	}
	return ""
}

// Microsoft's scopes for POP and SMTP AUTH, asked for in one consent, and
// offline_access for a refresh token. From "Authenticate an IMAP, POP or
// SMTP connection using OAuth" (learn.microsoft.com, exchange client
// developer docs): the full scope with the Outlook resource URL is required.
var (
	MicrosoftScopes = []string{
		"https://outlook.office.com/POP.AccessAsUser.All",
		"https://outlook.office.com/SMTP.Send",
		"offline_access",
	}
	// GoogleScopes: IMAP, POP and SMTP all take the full mail scope.
	GoogleScopes = []string{"https://mail.google.com/"}
)

// Profile says where to sign in and as which client. The zero value is a
// custom profile with no endpoints.
type Profile struct {
	Provider Provider
	// Tenant is Microsoft's tenant: "common" (work, school and personal
	// accounts; the default), "organizations", "consumers", or a tenant ID
	// or domain.
	Tenant string
	// ClientID is the user's own registered application; required.
	ClientID string
	// ClientSecret is only for Google's "desktop app" clients, whose secret
	// Google says is not treated as secret; empty for public clients.
	ClientSecret string
	// DeviceURL, AuthURL and TokenURL are the endpoints. Microsoft and
	// Google fill them in; a custom profile gives them. An empty DeviceURL
	// means no device flow.
	DeviceURL, AuthURL, TokenURL string
	// Scopes asked for in one consent.
	Scopes []string
	// HTTP is the client for the authorization server; nil means one with
	// a 30 s timeout.
	HTTP *http.Client
}

// NewMicrosoft returns the Microsoft profile for tenant (empty: "common").
// Endpoints: https://login.microsoftonline.com/{tenant}/oauth2/v2.0/
// devicecode, authorize and token.
func NewMicrosoft(tenant, clientID string) Profile {
	if tenant = strings.TrimSpace(tenant); tenant == "" {
		tenant = "common"
	}
	base := "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/"
	return Profile{
		Provider:  Microsoft,
		Tenant:    tenant,
		ClientID:  clientID,
		DeviceURL: base + "devicecode",
		AuthURL:   base + "authorize",
		TokenURL:  base + "token",
		Scopes:    append([]string(nil), MicrosoftScopes...),
	}
}

// NewGoogle returns the Google profile: the loopback browser flow only,
// since Google's device flow does not allow the mail scope.
func NewGoogle(clientID, clientSecret string) Profile {
	return Profile{
		Provider:     Google,
		ClientID:     clientID,
		ClientSecret: clientSecret,
		AuthURL:      "https://accounts.google.com/o/oauth2/auth",
		TokenURL:     "https://oauth2.googleapis.com/token",
		Scopes:       append([]string(nil), GoogleScopes...),
	}
}

// HasDevice reports whether the profile offers the device flow.
func (p Profile) HasDevice() bool { return p.DeviceURL != "" && p.Provider != Google }

// config is the oauth2.Config for the profile, or ErrNoClientID.
func (p Profile) config(redirect string) (*oauth2.Config, error) {
	if strings.TrimSpace(p.ClientID) == "" {
		return nil, ErrNoClientID
	}
	return &oauth2.Config{
		ClientID:     p.ClientID,
		ClientSecret: p.ClientSecret,
		Endpoint: oauth2.Endpoint{
			DeviceAuthURL: p.DeviceURL,
			AuthURL:       p.AuthURL,
			TokenURL:      p.TokenURL,
			// Public clients send client_id in the form; auto-detection
			// would try Basic auth first and double every request.
			AuthStyle: oauth2.AuthStyleInParams,
		},
		RedirectURL: redirect,
		Scopes:      p.Scopes,
	}, nil
}

// withClient puts the profile's HTTP client into ctx for golang.org/x/oauth2.
func (p Profile) withClient(ctx context.Context) context.Context {
	c := p.HTTP
	if c == nil {
		c = defaultClient()
	}
	return context.WithValue(ctx, oauth2.HTTPClient, c)
}
