package oauth_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"popbox/mail/mailtest"
	"popbox/mail/oauth"
)

func mockProfile(o *mailtest.OAuth) oauth.Profile {
	return oauth.Profile{
		Provider:  oauth.Custom,
		ClientID:  o.ClientID,
		DeviceURL: o.DeviceURL,
		AuthURL:   o.AuthURL,
		TokenURL:  o.TokenURL,
		Scopes:    []string{"pop", "smtp"},
	}
}

func TestProfiles(t *testing.T) {
	ms := oauth.NewMicrosoft("", "id")
	if ms.Tenant != "common" || ms.DeviceURL != "https://login.microsoftonline.com/common/oauth2/v2.0/devicecode" ||
		ms.AuthURL != "https://login.microsoftonline.com/common/oauth2/v2.0/authorize" ||
		ms.TokenURL != "https://login.microsoftonline.com/common/oauth2/v2.0/token" {
		t.Errorf("microsoft common: %+v", ms)
	}
	if org := oauth.NewMicrosoft("organizations", "id"); !strings.Contains(org.TokenURL, "/organizations/") {
		t.Errorf("microsoft organizations: %s", org.TokenURL)
	}
	if got := strings.Join(ms.Scopes, " "); got != "https://outlook.office.com/POP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access" {
		t.Errorf("microsoft scopes: %s", got)
	}
	if !ms.HasDevice() {
		t.Error("microsoft has a device flow")
	}
	g := oauth.NewGoogle("id", "")
	if g.HasDevice() || strings.Join(g.Scopes, " ") != "https://mail.google.com/" {
		t.Errorf("google: %+v", g)
	}
	if _, err := g.StartDevice(context.Background()); !errors.Is(err, oauth.ErrNoDeviceFlow) {
		t.Errorf("google device flow: %v", err)
	}
	for _, name := range []string{"microsoft", "google", "custom"} {
		p, ok := oauth.ParseProvider(name)
		if !ok || p.String() != name {
			t.Errorf("ParseProvider(%q) = %v, %v", name, p, ok)
		}
	}

	env := func(v string) func(string) string {
		return func(k string) string {
			if k == oauth.EnvClientID {
				return v
			}
			return ""
		}
	}
	for _, c := range []struct{ name, flag, field, env, want string }{
		{"flag first", "f", "a", "e", "f"},
		{"then field", "", "a", "e", "a"},
		{"then environment", "", " ", "e", "e"},
		{"none", "", "", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := oauth.ClientID(c.flag, c.field, env(c.env)); got != c.want {
				t.Errorf("ClientID = %q, want %q", got, c.want)
			}
		})
	}

	t.Run("no client ID", func(t *testing.T) {
		p := oauth.NewMicrosoft("common", "")
		if _, err := p.StartDevice(context.Background()); !errors.Is(err, oauth.ErrNoClientID) {
			t.Errorf("StartDevice: %v", err)
		}
		if _, err := p.SignInBrowser(context.Background(), func(string) error { return nil }); !errors.Is(err, oauth.ErrNoClientID) {
			t.Errorf("SignInBrowser: %v", err)
		}
		if _, err := p.NewSource(nil, nil); !errors.Is(err, oauth.ErrNoClientID) {
			t.Errorf("NewSource: %v", err)
		}
	})
}

// startDevice starts a device sign-in against the mock and checks the
// prompt.
func startDevice(t *testing.T, o *mailtest.OAuth) *oauth.DeviceFlow {
	t.Helper()
	f, err := mockProfile(o).StartDevice(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pr := f.Prompt()
	if pr.Code == "" || pr.Code != o.LastUserCode() || !strings.HasPrefix(pr.URL, o.URL) || pr.Expiry.IsZero() {
		t.Fatalf("prompt %+v", pr)
	}
	return f
}

func TestDeviceApprove(t *testing.T) {
	t.Parallel()
	o := mailtest.NewOAuth(t)
	f := startDevice(t, o)
	var polls []oauth.DeviceProgress
	tok, err := f.Wait(context.Background(), func(p oauth.DeviceProgress) {
		polls = append(polls, p)
		if len(polls) == 1 {
			o.Approve(f.Prompt().Code)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if user, ok := o.Active(tok.AccessToken); !ok || user != "alice" || tok.RefreshToken == "" {
		t.Errorf("token %+v: active %v for %q", tok, ok, user)
	}
	if len(polls) != 2 || polls[1].Polls != 2 || polls[0].Interval != time.Second {
		t.Errorf("progress %+v, want two polls a second apart", polls)
	}
}

func TestDeviceRefused(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		script []string
		act    func(o *mailtest.OAuth, code string)
		want   error
	}{
		{"denied by the user", nil, func(o *mailtest.OAuth, code string) { o.Deny(code) }, oauth.ErrAccessDenied},
		{"access_denied answered", []string{"access_denied"}, nil, oauth.ErrAccessDenied},
		{"expired_token answered", []string{"authorization_pending", "expired_token"}, nil, oauth.ErrCodeExpired},
		{"code expired on the server", nil, func(o *mailtest.OAuth, code string) { o.ExpireDevice(code) }, oauth.ErrCodeExpired},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			o := mailtest.NewOAuth(t)
			o.ScriptDevice(c.script...)
			f := startDevice(t, o)
			if c.act != nil {
				c.act(o, f.Prompt().Code)
			}
			_, err := f.Wait(context.Background(), nil)
			if !errors.Is(err, c.want) {
				t.Fatalf("Wait: %v, want %v", err, c.want)
			}
		})
	}
}

func TestDeviceLifetimeEnds(t *testing.T) {
	t.Parallel()
	o := mailtest.NewOAuth(t)
	o.SetDeviceInterval(1, 2*time.Second)
	f := startDevice(t, o)
	start := time.Now()
	_, err := f.Wait(context.Background(), nil)
	if !errors.Is(err, oauth.ErrCodeExpired) {
		t.Fatalf("Wait: %v, want ErrCodeExpired", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("gave up after %v, the code lived 2 s", d)
	}
}

func TestDeviceSlowDown(t *testing.T) {
	t.Parallel()
	o := mailtest.NewOAuth(t)
	o.ScriptDevice("slow_down")
	f := startDevice(t, o)
	var polls []oauth.DeviceProgress
	start := time.Now()
	var seen []time.Duration
	tok, err := f.Wait(context.Background(), func(p oauth.DeviceProgress) {
		polls = append(polls, p)
		seen = append(seen, time.Since(start))
		o.Approve(f.Prompt().Code)
	})
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || len(polls) != 2 {
		t.Fatalf("token %+v after polls %+v", tok, polls)
	}
	if !polls[0].SlowDown || polls[0].Interval != 6*time.Second {
		t.Errorf("first poll %+v, want slow_down and a 6 s interval", polls[0])
	}
	if gap := seen[1] - seen[0]; gap < 6*time.Second {
		t.Errorf("polled again after %v, want at least 6 s", gap)
	}
}

func TestDeviceCancel(t *testing.T) {
	t.Parallel()
	o := mailtest.NewOAuth(t)
	f := startDevice(t, o)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := f.Wait(ctx, func(oauth.DeviceProgress) { cancel() })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait: %v, want context.Canceled", err)
	}
}

// noRedirect is a browser that stops at the mock's redirect, so the test
// can look at it.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func TestBrowserPKCE(t *testing.T) {
	o := mailtest.NewOAuth(t)
	o.SetUser("bob")
	var seen *url.URL
	tok, err := mockProfile(o).SignInBrowser(context.Background(), func(authURL string) error {
		u, err := url.Parse(authURL)
		if err != nil {
			return err
		}
		seen = u
		// The test is the browser: follow the redirect to the loopback.
		resp, err := http.Get(authURL)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("loopback answered %s", resp.Status)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	q := seen.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "" ||
		!strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:") {
		t.Errorf("auth URL %s", seen)
	}
	if user, ok := o.Active(tok.AccessToken); !ok || user != "bob" {
		t.Errorf("token for %q, active %v", user, ok)
	}
}

func TestBrowserWrongState(t *testing.T) {
	o := mailtest.NewOAuth(t)
	tok, err := mockProfile(o).SignInBrowser(context.Background(), func(authURL string) error {
		resp, err := noRedirect.Get(authURL)
		if err != nil {
			return err
		}
		resp.Body.Close()
		back, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			return err
		}
		forged := *back
		q := forged.Query()
		q.Set("state", "forged")
		q.Set("code", "attacker-code")
		forged.RawQuery = q.Encode()
		resp, err = http.Get(forged.String())
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("forged state answered %s, want 400", resp.Status)
		}
		// The real redirect still completes the sign-in.
		resp, err = http.Get(back.String())
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := o.Active(tok.AccessToken); !ok {
		t.Error("token not active")
	}
}

func TestBrowserDenied(t *testing.T) {
	o := mailtest.NewOAuth(t)
	o.SetBrowserDenied(true)
	_, err := mockProfile(o).SignInBrowser(context.Background(), func(authURL string) error {
		resp, err := http.Get(authURL)
		if err == nil {
			resp.Body.Close()
		}
		return err
	})
	if !errors.Is(err, oauth.ErrAccessDenied) {
		t.Fatalf("SignInBrowser: %v, want ErrAccessDenied", err)
	}
}

func TestBrowserCancel(t *testing.T) {
	o := mailtest.NewOAuth(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := mockProfile(o).SignInBrowser(ctx, func(string) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("SignInBrowser: %v, want the context's error", err)
	}
	if _, err := mockProfile(o).SignInBrowser(context.Background(), func(string) error { return errors.New("no display") }); err == nil {
		t.Error("an open error did not end the sign-in")
	}
}

// refreshOnly is a token as loaded from the store: the refresh token alone.
func refreshOnly(tok mailtest.OAuthToken) *oauth2.Token {
	return &oauth2.Token{RefreshToken: tok.Refresh}
}

func TestRefreshRotation(t *testing.T) {
	o := mailtest.NewOAuth(t)
	o.SetRotation(true)
	issued := o.IssueToken("alice")
	var mu sync.Mutex
	var sealed []string
	src, err := mockProfile(o).NewSource(refreshOnly(issued), func(rt string) error {
		mu.Lock()
		defer mu.Unlock()
		sealed = append(sealed, rt)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := src.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(sealed) != 1 || sealed[0] == issued.Refresh || sealed[0] != tok.RefreshToken || src.RefreshToken() != sealed[0] {
		t.Fatalf("rotation reported %q (old %q, token %q)", sealed, issued.Refresh, tok.RefreshToken)
	}
	if _, ok := o.Active(tok.AccessToken); !ok {
		t.Error("new access token not active")
	}

	// The old refresh token is refused from now on.
	old, err := mockProfile(o).NewSource(refreshOnly(issued), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Token(context.Background()); !errors.Is(err, oauth.ErrSignInAgain) {
		t.Errorf("old refresh token: %v, want ErrSignInAgain", err)
	}

	t.Run("a failed seal fails the token", func(t *testing.T) {
		src, err := mockProfile(o).NewSource(&oauth2.Token{RefreshToken: sealed[0]}, func(string) error { return errors.New("disk full") })
		if err != nil {
			t.Fatal(err)
		}
		if _, err := src.Token(context.Background()); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("Token: %v", err)
		}
	})
}

func TestRefreshRevoked(t *testing.T) {
	o := mailtest.NewOAuth(t)
	issued := o.IssueToken("alice")
	o.Revoke(issued.Refresh)
	src, err := mockProfile(o).NewSource(refreshOnly(issued), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Token(context.Background())
	if !errors.Is(err, oauth.ErrSignInAgain) {
		t.Fatalf("Token: %v, want ErrSignInAgain", err)
	}
	var pe *oauth.ProviderError
	if !errors.As(err, &pe) || pe.Code != "invalid_grant" {
		t.Errorf("error %#v, want invalid_grant", err)
	}

	t.Run("consent withdrawn", func(t *testing.T) {
		issued := o.IssueToken("carol")
		src, err := mockProfile(o).NewSource(&oauth2.Token{AccessToken: issued.Access, RefreshToken: issued.Refresh, Expiry: issued.Expiry}, nil)
		if err != nil {
			t.Fatal(err)
		}
		o.RevokeUser("carol")
		if _, err := src.Refused(context.Background(), issued.Access); !errors.Is(err, oauth.ErrSignInAgain) {
			t.Errorf("Refused: %v, want ErrSignInAgain", err)
		}
	})
	t.Run("no refresh token", func(t *testing.T) {
		src, err := mockProfile(o).NewSource(nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := src.Token(context.Background()); !errors.Is(err, oauth.ErrSignInAgain) {
			t.Errorf("Token: %v, want ErrSignInAgain", err)
		}
	})
}

func TestShortLivedToken(t *testing.T) {
	o := mailtest.NewOAuth(t)
	o.SetAccessLifetime(2 * time.Second)
	issued := o.IssueToken("alice")
	src, err := mockProfile(o).NewSource(refreshOnly(issued), nil)
	if err != nil {
		t.Fatal(err)
	}
	first, err := src.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for range 200 {
		tok, err := src.Token(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if tok.AccessToken != first.AccessToken {
			t.Fatal("a two-second token was replaced at once")
		}
	}
	if n := o.Count("refresh_token"); n != 1 {
		t.Errorf("%d refreshes for one short-lived token, want 1", n)
	}
	// After half its life it is refreshed, once.
	time.Sleep(1100 * time.Millisecond)
	for range 50 {
		if _, err := src.Token(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := o.Count("refresh_token"); n != 2 {
		t.Errorf("%d refreshes after half the life, want 2", n)
	}
}

func TestRefreshBeforeExpiry(t *testing.T) {
	o := mailtest.NewOAuth(t)
	issued := o.IssueToken("alice")
	// A stored access token 30 s from expiry, of unknown lifetime: refreshed
	// now, not when a server refuses it.
	src, err := mockProfile(o).NewSource(&oauth2.Token{AccessToken: issued.Access, RefreshToken: issued.Refresh,
		Expiry: time.Now().Add(30 * time.Second)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := src.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == issued.Access || o.Count("refresh_token") != 1 {
		t.Errorf("a stored token with 30 s left was used as is (%d refreshes)", o.Count("refresh_token"))
	}
	src, err = mockProfile(o).NewSource(&oauth2.Token{AccessToken: issued.Access, RefreshToken: issued.Refresh,
		Expiry: time.Now().Add(-time.Second)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, err = src.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == issued.Access {
		t.Error("an expired access token was handed out")
	}
}

func TestRefused(t *testing.T) {
	o := mailtest.NewOAuth(t)
	issued := o.IssueToken("alice")
	src, err := mockProfile(o).NewSource(&oauth2.Token{AccessToken: issued.Access, RefreshToken: issued.Refresh, Expiry: issued.Expiry}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tok, err := src.Token(ctx)
	if err != nil || tok.AccessToken != issued.Access || o.Count("refresh_token") != 0 {
		t.Fatalf("a fresh stored token: %v %v, %d refreshes", tok, err, o.Count("refresh_token"))
	}
	// The server refuses it (revoked access token): refreshed once.
	o.RevokeAccess(issued.Access)
	next, err := src.Refused(ctx, issued.Access)
	if err != nil {
		t.Fatal(err)
	}
	if next.AccessToken == issued.Access || o.Count("refresh_token") != 1 {
		t.Fatalf("Refused gave %q after %d refreshes", next.AccessToken, o.Count("refresh_token"))
	}
	// A second report of the old token (another connection) gets the
	// current one without a refresh.
	again, err := src.Refused(ctx, issued.Access)
	if err != nil || again.AccessToken != next.AccessToken || o.Count("refresh_token") != 1 {
		t.Fatalf("stale refusal: %v %v, %d refreshes", again, err, o.Count("refresh_token"))
	}
	// The fresh token refused too: no loop.
	if _, err := src.Refused(ctx, next.AccessToken); !errors.Is(err, oauth.ErrTokenRefused) {
		t.Fatalf("refused fresh token: %v, want ErrTokenRefused", err)
	}
	if n := o.Count("refresh_token"); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
}
