package mailtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// introspect asks the mock about tok the way Dovecot's oauth2 passdb does in
// introspection_mode get, post or auth.
func introspect(t *testing.T, o *OAuth, mode, tok string) map[string]any {
	t.Helper()
	var req *http.Request
	var err error
	switch mode {
	case "get":
		req, err = http.NewRequest(http.MethodGet, o.IntrospectURL+url.QueryEscape(tok), nil)
	case "post":
		req, err = http.NewRequest(http.MethodPost, o.URL+"/introspect", strings.NewReader(url.Values{"token": {tok}}.Encode()))
		if req != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	case "auth":
		req, err = http.NewRequest(http.MethodGet, o.URL+"/introspect", nil)
		if req != nil {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("introspect %s: status %d", mode, resp.StatusCode)
	}
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return body
}

func TestOAuthIntrospection(t *testing.T) {
	o := NewOAuth(t)
	tok := o.IssueToken("alice")
	revoked := o.IssueToken("bob")
	o.RevokeAccess(revoked.Access)
	o.SetAccessLifetime(time.Second)
	short := o.IssueToken("carol")

	for _, mode := range []string{"get", "post", "auth"} {
		t.Run(mode, func(t *testing.T) {
			got := introspect(t, o, mode, tok.Access)
			if got["active"] != true || got["username"] != "alice" {
				t.Errorf("active token: %v", got)
			}
			if got := introspect(t, o, mode, revoked.Access); got["active"] != false {
				t.Errorf("revoked token: %v", got)
			}
			if got := introspect(t, o, mode, "nonsense"); got["active"] != false {
				t.Errorf("unknown token: %v", got)
			}
			if got := introspect(t, o, mode, tok.Refresh); got["active"] != false {
				t.Errorf("a refresh token is not an access token: %v", got)
			}
		})
	}

	t.Run("tokeninfo", func(t *testing.T) {
		resp, err := http.Get(o.TokenInfoURL + tok.Access)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("active token: status %d", resp.StatusCode)
		}
		resp, err = http.Get(o.TokenInfoURL + revoked.Access)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("revoked token: status %d", resp.StatusCode)
		}
	})

	t.Run("expiry", func(t *testing.T) {
		if _, ok := o.Active(short.Access); !ok {
			t.Fatal("fresh one-second token not active")
		}
		time.Sleep(time.Until(short.Expiry) + 50*time.Millisecond)
		if got := introspect(t, o, "post", short.Access); got["active"] != false {
			t.Errorf("expired token: %v", got)
		}
	})

	t.Run("revoke endpoint", func(t *testing.T) {
		resp, err := http.PostForm(o.RevokeURL, url.Values{"token": {tok.Refresh}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if _, ok := o.Active(tok.Access); ok {
			t.Error("revoking the refresh token left its access token active")
		}
	})

	if n := o.Count("introspect"); n < 12 {
		t.Errorf("introspect count %d, want at least 12", n)
	}
	if conf := o.DovecotConf("post"); !strings.Contains(conf, "introspection_mode = post") {
		t.Errorf("DovecotConf: %q", conf)
	}
}
