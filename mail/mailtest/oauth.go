package mailtest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// OAuth is a mock OAuth 2.0 authorization server on 127.0.0.1 for tests. It
// implements:
//
//   - the device authorization endpoint (RFC 8628 section 3.1) and the
//     device_code grant at the token endpoint, answering
//     authorization_pending until the test calls Approve or Deny, or answers
//     scripted with ScriptDevice (slow_down, expired_token, ...);
//   - the authorization endpoint for the code flow, PKCE S256 only (RFC
//     7636): a GET answers with a redirect to the loopback redirect_uri
//     carrying code and state, so a test acts as the browser with http.Get;
//   - the token endpoint's authorization_code grant (checking
//     code_verifier and redirect_uri) and refresh_token grant, with optional
//     rotation (SetRotation: a new refresh token each time, the old one then
//     answers invalid_grant);
//   - revocation (RFC 7009 at RevokeURL, and the Revoke/RevokeAccess hooks);
//   - token introspection for Dovecot's oauth2 passdb (IntrospectURL, in
//     the modes get, post and auth) and a Google-style tokeninfo
//     (TokenInfoURL).
//
// Access tokens live AccessLifetime (an hour unless SetAccessLifetime says
// seconds). Clients are public: client_id in the form, no secret checked.
// Errors are RFC 6749 section 5.2 JSON with status 400. The server is closed
// in t.Cleanup.
type OAuth struct {
	URL           string // base, http://127.0.0.1:PORT
	DeviceURL     string // device authorization endpoint
	AuthURL       string // authorization endpoint (code flow)
	TokenURL      string // token endpoint
	RevokeURL     string // RFC 7009 revocation endpoint (POST token=)
	IntrospectURL string // RFC 7662-style introspection; GET URL+token, POST token=, or Authorization: Bearer
	TokenInfoURL  string // GET URL+token: 200 with the token's fields, 401 when not active
	ClientID      string // the only client_id accepted: "popbox-test"

	srv *httptest.Server

	mu             sync.Mutex
	user           string
	accessLife     time.Duration
	interval       int
	deviceLife     time.Duration
	rotate         bool
	denyBrowser    bool
	devices        map[string]*oauthDevice // by device_code
	codes          map[string]*oauthCode   // by authorization code
	refresh        map[string]*oauthGrant  // by refresh token
	access         map[string]*oauthAccess // by access token
	counts         map[string]int          // by grant type, and "introspect"
	deviceScript   []string
	lastDeviceCode string
}

type oauthDevice struct {
	userCode string
	user     string
	state    string // pending, approved, denied, done
	expires  time.Time
	scope    string
}

type oauthCode struct {
	user, clientID, redirect, challenge, scope string
	used                                       bool
}

type oauthGrant struct {
	user, scope string
	revoked     bool
}

type oauthAccess struct {
	user, scope string
	expires     time.Time
	revoked     bool
	refresh     string // the refresh token of the grant it came from
}

// OAuthToken is what the mock issued, for tests that need a token without
// running a flow (IssueToken) or want to look at what a flow got.
type OAuthToken struct {
	Access  string
	Refresh string
	Expiry  time.Time
}

// NewOAuth starts a mock authorization server on 127.0.0.1 with one user,
// alice, access tokens of an hour, device polling every second and no
// refresh token rotation.
func NewOAuth(t testing.TB) *OAuth {
	t.Helper()
	o := &OAuth{
		ClientID:   "popbox-test",
		user:       "alice",
		accessLife: time.Hour,
		interval:   1,
		deviceLife: 10 * time.Minute,
		devices:    map[string]*oauthDevice{},
		codes:      map[string]*oauthCode{},
		refresh:    map[string]*oauthGrant{},
		access:     map[string]*oauthAccess{},
		counts:     map[string]int{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/devicecode", o.serveDevice)
	mux.HandleFunc("/authorize", o.serveAuthorize)
	mux.HandleFunc("/token", o.serveToken)
	mux.HandleFunc("/revoke", o.serveRevoke)
	mux.HandleFunc("/introspect", o.serveIntrospect)
	mux.HandleFunc("/tokeninfo", o.serveTokenInfo)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mock oauth: listen: %v", err)
	}
	o.srv = &httptest.Server{Listener: l, Config: &http.Server{Handler: mux}}
	o.srv.Start()
	t.Cleanup(o.srv.Close)
	o.URL = o.srv.URL
	o.DeviceURL = o.URL + "/devicecode"
	o.AuthURL = o.URL + "/authorize"
	o.TokenURL = o.URL + "/token"
	o.RevokeURL = o.URL + "/revoke"
	o.IntrospectURL = o.URL + "/introspect?token="
	o.TokenInfoURL = o.URL + "/tokeninfo?access_token="
	return o
}

// SetUser sets the user that the next sign-ins (browser, device approval)
// are for.
func (o *OAuth) SetUser(user string) { o.mu.Lock(); o.user = user; o.mu.Unlock() }

// SetAccessLifetime sets the lifetime of access tokens issued from now on,
// in whole seconds (at least one).
func (o *OAuth) SetAccessLifetime(d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.accessLife = max(d.Round(time.Second), time.Second)
}

// SetRotation makes every refresh issue a new refresh token and refuse the
// old one from then on.
func (o *OAuth) SetRotation(on bool) { o.mu.Lock(); o.rotate = on; o.mu.Unlock() }

// SetDeviceInterval sets the polling interval (seconds) and the lifetime of
// device codes issued from now on.
func (o *OAuth) SetDeviceInterval(seconds int, life time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.interval, o.deviceLife = seconds, life
}

// ScriptDevice queues answers for the next device_code polls, in order,
// before the device's own state answers: "authorization_pending",
// "slow_down", "expired_token", "access_denied".
func (o *OAuth) ScriptDevice(errs ...string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.deviceScript = append(o.deviceScript, errs...)
}

// SetBrowserDenied makes the authorization endpoint redirect with
// error=access_denied, as when the user refuses consent.
func (o *OAuth) SetBrowserDenied(on bool) { o.mu.Lock(); o.denyBrowser = on; o.mu.Unlock() }

// Approve approves the device sign-in with this user code for the current
// user. It reports whether the code was known and pending.
func (o *OAuth) Approve(userCode string) bool { return o.decide(userCode, "approved") }

// Deny refuses the device sign-in with this user code.
func (o *OAuth) Deny(userCode string) bool { return o.decide(userCode, "denied") }

// ExpireDevice makes the device code with this user code expire now.
func (o *OAuth) ExpireDevice(userCode string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, d := range o.devices {
		if d.userCode == userCode {
			d.expires = time.Now().Add(-time.Second)
			return true
		}
	}
	return false
}

func (o *OAuth) decide(userCode, state string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, d := range o.devices {
		if d.userCode == userCode && d.state == "pending" {
			d.state, d.user = state, o.user
			return true
		}
	}
	return false
}

// Revoke revokes a refresh token and every access token issued from it.
func (o *OAuth) Revoke(refresh string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if g := o.refresh[refresh]; g != nil {
		g.revoked = true
	}
	for _, a := range o.access {
		if a.refresh == refresh {
			a.revoked = true
		}
	}
}

// RevokeAccess revokes one access token; its refresh token still works.
func (o *OAuth) RevokeAccess(access string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if a := o.access[access]; a != nil {
		a.revoked = true
	}
}

// RevokeUser revokes every token of the user, as when consent is withdrawn.
func (o *OAuth) RevokeUser(user string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, g := range o.refresh {
		if g.user == user {
			g.revoked = true
		}
	}
	for _, a := range o.access {
		if a.user == user {
			a.revoked = true
		}
	}
}

// IssueToken issues an access and a refresh token for user without a flow,
// for tests of the SASL mechanisms against Dovecot.
func (o *OAuth) IssueToken(user string) OAuthToken {
	o.mu.Lock()
	defer o.mu.Unlock()
	rt := randomToken("rt")
	o.refresh[rt] = &oauthGrant{user: user}
	at, exp := o.issueAccessLocked(user, "", rt)
	return OAuthToken{Access: at, Refresh: rt, Expiry: exp}
}

// Active reports whether the access token is known, unrevoked and unexpired,
// and for which user.
func (o *OAuth) Active(access string) (user string, ok bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.activeLocked(access)
}

// AccessTokens returns the access tokens issued for user, in no order,
// revoked and expired ones included.
func (o *OAuth) AccessTokens(user string) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for tok, a := range o.access {
		if a.user == user {
			out = append(out, tok)
		}
	}
	return out
}

// Count returns how many requests of a kind the mock answered: a grant type
// ("refresh_token", "authorization_code", "device_code"), "introspect" or
// "tokeninfo".
func (o *OAuth) Count(kind string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.counts[kind]
}

// LastUserCode returns the user code of the latest device authorization.
func (o *OAuth) LastUserCode() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if d := o.devices[o.lastDeviceCode]; d != nil {
		return d.userCode
	}
	return ""
}

// DovecotConf returns the dovecot-oauth2.conf.ext lines pointing Dovecot
// 2.3's oauth2 passdb at this mock, in introspection mode "get", "post" or
// "auth".
func (o *OAuth) DovecotConf(mode string) string {
	u := o.IntrospectURL
	if mode != "get" {
		u = o.URL + "/introspect"
	}
	return fmt.Sprintf("introspection_mode = %s\nintrospection_url = %s\nforce_introspection = yes\n"+
		"username_attribute = username\nactive_attribute = active\nactive_value = true\n", mode, u)
}

func (o *OAuth) issueAccessLocked(user, scope, refresh string) (string, time.Time) {
	at := randomToken("at")
	exp := time.Now().Add(o.accessLife)
	o.access[at] = &oauthAccess{user: user, scope: scope, expires: exp, refresh: refresh}
	return at, exp
}

func (o *OAuth) activeLocked(access string) (string, bool) {
	a := o.access[access]
	if a == nil || a.revoked || time.Now().After(a.expires) {
		return "", false
	}
	return a.user, true
}

func (o *OAuth) serveDevice(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	if r.PostFormValue("client_id") != o.ClientID {
		oauthError(w, "invalid_client", "unknown client_id")
		return
	}
	o.mu.Lock()
	dc := randomToken("dc")
	uc := strings.ToUpper(randomToken("")[:8])
	d := &oauthDevice{userCode: uc, state: "pending", expires: time.Now().Add(o.deviceLife), scope: r.PostFormValue("scope")}
	o.devices[dc] = d
	o.lastDeviceCode = dc
	interval, life := o.interval, o.deviceLife
	o.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"device_code":      dc,
		"user_code":        uc,
		"verification_uri": o.URL + "/device",
		"interval":         interval,
		"expires_in":       int(life.Seconds()),
	})
}

func (o *OAuth) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || redirect.Scheme != "http" || (redirect.Hostname() != "127.0.0.1" && redirect.Hostname() != "localhost") {
		http.Error(w, "redirect_uri must be a loopback http URL", http.StatusBadRequest)
		return
	}
	if q.Get("client_id") != o.ClientID {
		http.Error(w, "unknown client_id", http.StatusBadRequest)
		return
	}
	back := redirect.Query()
	back.Set("state", q.Get("state"))
	o.mu.Lock()
	switch {
	case o.denyBrowser:
		back.Set("error", "access_denied")
	case q.Get("response_type") != "code":
		back.Set("error", "unsupported_response_type")
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		back.Set("error", "invalid_request")
		back.Set("error_description", "PKCE S256 required")
	default:
		code := randomToken("ac")
		o.codes[code] = &oauthCode{user: o.user, clientID: q.Get("client_id"), redirect: q.Get("redirect_uri"),
			challenge: q.Get("code_challenge"), scope: q.Get("scope")}
		back.Set("code", code)
	}
	o.mu.Unlock()
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func (o *OAuth) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, "invalid_request", err.Error())
		return
	}
	f := r.PostForm
	clientID := f.Get("client_id")
	if id, _, ok := r.BasicAuth(); ok {
		clientID = id
	}
	if clientID != o.ClientID {
		oauthError(w, "invalid_client", "unknown client_id")
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	grant := f.Get("grant_type")
	switch grant {
	case "urn:ietf:params:oauth:grant-type:device_code":
		o.counts["device_code"]++
		o.deviceTokenLocked(w, f.Get("device_code"))
	case "authorization_code":
		o.counts[grant]++
		c := o.codes[f.Get("code")]
		switch {
		case c == nil || c.used:
			oauthError(w, "invalid_grant", "unknown or used code")
		case c.redirect != f.Get("redirect_uri"):
			oauthError(w, "invalid_grant", "redirect_uri differs")
		case s256(f.Get("code_verifier")) != c.challenge:
			oauthError(w, "invalid_grant", "code_verifier does not match")
		default:
			c.used = true
			o.grantLocked(w, c.user, c.scope, "")
		}
	case "refresh_token":
		o.counts[grant]++
		rt := f.Get("refresh_token")
		g := o.refresh[rt]
		if g == nil || g.revoked {
			oauthError(w, "invalid_grant", "refresh token revoked or unknown")
			return
		}
		if o.rotate {
			g.revoked = true
			o.grantLocked(w, g.user, g.scope, "")
			return
		}
		o.grantLocked(w, g.user, g.scope, rt)
	default:
		oauthError(w, "unsupported_grant_type", grant)
	}
}

func (o *OAuth) deviceTokenLocked(w http.ResponseWriter, dc string) {
	d := o.devices[dc]
	if d == nil {
		oauthError(w, "invalid_grant", "unknown device_code")
		return
	}
	if len(o.deviceScript) > 0 {
		e := o.deviceScript[0]
		o.deviceScript = o.deviceScript[1:]
		oauthError(w, e, "scripted")
		return
	}
	switch {
	case time.Now().After(d.expires):
		oauthError(w, "expired_token", "device code expired")
	case d.state == "pending":
		oauthError(w, "authorization_pending", "")
	case d.state == "denied":
		oauthError(w, "access_denied", "")
	case d.state == "done":
		oauthError(w, "invalid_grant", "device code used")
	default:
		d.state = "done"
		o.grantLocked(w, d.user, d.scope, "")
	}
}

// grantLocked answers with a new access token and either keepRefresh or a
// new refresh token.
func (o *OAuth) grantLocked(w http.ResponseWriter, user, scope, keepRefresh string) {
	rt := keepRefresh
	if rt == "" {
		rt = randomToken("rt")
		o.refresh[rt] = &oauthGrant{user: user, scope: scope}
	}
	at, _ := o.issueAccessLocked(user, scope, rt)
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token":  at,
		"token_type":    "Bearer",
		"expires_in":    int(o.accessLife.Seconds()),
		"refresh_token": rt,
		"scope":         scope,
	})
}

func (o *OAuth) serveRevoke(w http.ResponseWriter, r *http.Request) {
	tok := r.PostFormValue("token")
	o.mu.Lock()
	_, isRefresh := o.refresh[tok]
	o.mu.Unlock()
	if isRefresh {
		o.Revoke(tok)
	} else {
		o.RevokeAccess(tok)
	}
	// RFC 7009 section 2.2: 200 whether or not the token was known.
	w.WriteHeader(http.StatusOK)
}

// serveIntrospect answers Dovecot's oauth2 passdb in each
// introspection_mode: get (token appended to introspection_url), post
// (form token=) and auth (Authorization: Bearer).
func (o *OAuth) serveIntrospect(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	if r.Method == http.MethodPost {
		tok = r.PostFormValue("token")
	}
	if h := r.Header.Get("Authorization"); tok == "" && strings.HasPrefix(h, "Bearer ") {
		tok = strings.TrimPrefix(h, "Bearer ")
	}
	o.mu.Lock()
	o.counts["introspect"]++
	body := o.describeLocked(tok)
	o.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
}

func (o *OAuth) serveTokenInfo(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("access_token")
	o.mu.Lock()
	o.counts["tokeninfo"]++
	body := o.describeLocked(tok)
	o.mu.Unlock()
	if body["active"] != true {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_token"})
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// describeLocked is the RFC 7662 section 2.2 answer for a token.
func (o *OAuth) describeLocked(tok string) map[string]any {
	user, ok := o.activeLocked(tok)
	if !ok {
		return map[string]any{"active": false}
	}
	a := o.access[tok]
	return map[string]any{
		"active":    true,
		"username":  user,
		"email":     user,
		"sub":       user,
		"client_id": o.ClientID,
		"scope":     a.scope,
		"exp":       a.expires.Unix(),
	}
}

func oauthError(w http.ResponseWriter, code, desc string) {
	body := map[string]any{"error": code}
	if desc != "" {
		body["error_description"] = desc
	}
	writeJSON(w, http.StatusBadRequest, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func randomToken(prefix string) string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}
