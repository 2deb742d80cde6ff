package mailtest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// OAuth2Passdb has Dovecot take OAuth2 access tokens (SASL XOAUTH2 and
// OAUTHBEARER) through its oauth2 passdb, which asks IntrospectionURL
// about each token (RFC 7662 introspection, POST token=...). The answer
// must be a JSON object with "active": true and "username" equal to the
// user logging in. Passwords keep working through the passwd-file.
type OAuth2Passdb struct {
	IntrospectionURL string
}

// oauth2ConfName is the passdb's args file in the run dir.
const oauth2ConfName = "dovecot-oauth2.conf.ext"

// writeOAuth2Conf writes the oauth2 passdb's settings (Dovecot 2.3:
// https://doc.dovecot.org/2.3/configuration_manual/authentication/oauth2/).
func (s *Server) writeOAuth2Conf() error {
	o := s.opts.OAuth2
	if o == nil {
		return nil
	}
	if strings.ContainsAny(o.IntrospectionURL, "\r\n") {
		return fmt.Errorf("introspection URL %q has a line break", o.IntrospectionURL)
	}
	conf := strings.Join([]string{
		"introspection_mode = post",
		"introspection_url = " + o.IntrospectionURL,
		"username_attribute = username",
		"active_attribute = active",
		"active_value = true",
		"force_introspection = yes",
		"timeout_msecs = 5000",
		"",
	}, "\n")
	return os.WriteFile(filepath.Join(s.Dir, oauth2ConfName), []byte(conf), 0o644)
}

// oauth2Config is the part of dovecot.conf for OAuth2, "" without it.
func (s *Server) oauth2Config() string {
	if s.opts.OAuth2 == nil {
		return ""
	}
	return fmt.Sprintf(`auth_mechanisms = plain login xoauth2 oauthbearer
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = %s
}
`, filepath.Join(s.Dir, oauth2ConfName))
}

// Introspector is a minimal OAuth2 token introspection endpoint (RFC 7662)
// on 127.0.0.1 for Dovecot's oauth2 passdb: a token it knows is active
// for its user, any other is not. Tokens can be added and revoked while
// it runs. It stops in t.Cleanup.
type Introspector struct {
	URL string // the introspection endpoint, for OAuth2Passdb

	mu     sync.Mutex
	tokens map[string]string // token -> user
	asked  []string          // tokens asked about, in order
	srv    *http.Server
}

// Introspect starts an Introspector that knows tokens (token -> user).
func Introspect(t testing.TB, tokens map[string]string) *Introspector {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: introspection listener: %v", err)
	}
	in := &Introspector{URL: "http://" + l.Addr().String() + "/introspect", tokens: map[string]string{}}
	for tok, u := range tokens {
		in.tokens[tok] = u
	}
	in.srv = &http.Server{Handler: http.HandlerFunc(in.serve), ReadHeaderTimeout: 5 * time.Second}
	go in.srv.Serve(l)
	t.Cleanup(func() { in.srv.Close() })
	return in
}

// Grant makes token valid for user.
func (in *Introspector) Grant(token, user string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.tokens[token] = user
}

// Revoke makes token invalid, as an expired or revoked one.
func (in *Introspector) Revoke(token string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	delete(in.tokens, token)
}

// Asked returns the tokens Dovecot asked about so far.
func (in *Introspector) Asked() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]string(nil), in.asked...)
}

func (in *Introspector) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	tok := r.PostForm.Get("token")
	in.mu.Lock()
	in.asked = append(in.asked, tok)
	user, ok := in.tokens[tok]
	in.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		json.NewEncoder(w).Encode(map[string]any{"active": false})
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"active": true, "username": user, "scope": "pop3 smtp"})
}
