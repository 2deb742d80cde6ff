package mail

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestAuthKindJSON: a password server keeps its old JSON (no "auth"), an
// OAuth2 one says "oauth2", and Token never reaches the JSON.
func TestAuthKindJSON(t *testing.T) {
	b, err := json.Marshal(Server{Host: "pop.example.com", User: "ann"})
	if err != nil || strings.Contains(string(b), `"auth"`) {
		t.Fatalf("password server: %s, %v", b, err)
	}
	s := Server{Host: "pop.example.com", User: "ann", Auth: AuthOAuth2, TokenCmd: "oama access ann", Token: staticToken("secret-token")}
	b, err = json.Marshal(s)
	if err != nil || !strings.Contains(string(b), `"auth":"oauth2"`) || strings.Contains(string(b), "secret-token") {
		t.Fatalf("oauth2 server: %s, %v", b, err)
	}
	var back Server
	if err := json.Unmarshal(b, &back); err != nil || back.Auth != AuthOAuth2 || back.TokenCmd != s.TokenCmd {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	if _, err := ParseAuthKind("kerberos"); err == nil {
		t.Errorf("ParseAuthKind accepted kerberos")
	}
}

type failingToken struct{}

func (*failingToken) AccessToken(context.Context) (string, error) {
	return "", errors.New("refresh failed")
}

func TestResolveToken(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		srv  Server
		want string
		err  error
	}{
		{"source first", Server{Token: staticToken("from-source"), TokenCmd: "echo from-cmd"}, "from-source", nil},
		{"command", Server{TokenCmd: "printf 'tok123\\nignored\\n'"}, "tok123", nil},
		{"command fails", Server{TokenCmd: "exit 1"}, "", ErrTokenCmd},
		{"command prints nothing", Server{TokenCmd: "true"}, "", ErrTokenCmd},
		{"space inside", Server{TokenCmd: "echo 'a b'"}, "", ErrTokenCmd},
		{"none", Server{Host: "pop.example.com"}, "", ErrNoToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.srv.ResolveToken(ctx)
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Errorf("= %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
		})
	}
	if _, err := (Server{Token: &failingToken{}}).ResolveToken(ctx); err == nil {
		t.Errorf("a failing token source gave no error")
	}
}

// TestOAuthClient: the initial responses of both mechanisms, the deferred
// form for a long AUTH line, and the answers to an error challenge.
func TestOAuthClient(t *testing.T) {
	c := newOAuthClient(MechXOAUTH2, "ann", "tok", "smtp.example.com", 587)
	mech, ir, _ := c.Start()
	if mech != MechXOAUTH2 || string(ir) != "user=ann\x01auth=Bearer tok\x01\x01" {
		t.Errorf("XOAUTH2 start: %s %q", mech, ir)
	}
	if r, err := c.Next([]byte(`{"status":"401"}`)); err != nil || r == nil || len(r) != 0 || c.status != "401" {
		t.Errorf("XOAUTH2 error challenge: %q, %v, status %q", r, err, c.status)
	}
	if _, err := c.Next(nil); err == nil {
		t.Errorf("a second challenge was answered")
	}
	c = newOAuthClient(MechOAUTHBEARER, "ann", "tok", "smtp.example.com", 587)
	_, ir, _ = c.Start()
	if string(ir) != "n,a=ann,\x01host=smtp.example.com\x01port=587\x01auth=Bearer tok\x01\x01" {
		t.Errorf("OAUTHBEARER start: %q", ir)
	}
	if r, _ := c.Next([]byte(`{"status":"invalid_token"}`)); string(r) != "\x01" || c.status != "invalid_token" {
		t.Errorf("OAUTHBEARER error challenge: %q, status %q", r, c.status)
	}
	c = newOAuthClient(MechXOAUTH2, "ann", strings.Repeat("t", 600), "", 0)
	c.lineLimit = 510
	if _, ir, _ := c.Start(); ir != nil {
		t.Errorf("a long initial response went on the AUTH line")
	}
	if r, _ := c.Next([]byte{}); !strings.HasPrefix(string(r), "user=ann\x01") || c.failed {
		t.Errorf("deferred initial response: %q, failed %v", r, c.failed)
	}
}
