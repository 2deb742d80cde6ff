package tui

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"popbox/mail"
	"popbox/mail/mailtest"
	"popbox/store/signin"
)

// tokenChecker is a checker that records the access token each side
// would log in with.
type tokenChecker struct {
	mu   sync.Mutex
	toks []string
}

func (c *tokenChecker) check(ctx context.Context, srv mail.Server) error {
	tok, err := srv.ResolveToken(ctx)
	c.mu.Lock()
	c.toks = append(c.toks, tok)
	c.mu.Unlock()
	return err
}

func (c *tokenChecker) CheckPOP3(ctx context.Context, a mail.Account) error {
	return c.check(ctx, a.Incoming)
}

func (c *tokenChecker) CheckSMTP(ctx context.Context, a mail.Account) error {
	return c.check(ctx, a.SMTP())
}

// customSignInSteps fill an account at example.org that signs in through
// the mock authorization server o (the custom profile), up to the sign-in
// field; device or auth URL may be left out.
func customSignInSteps(o *mailtest.OAuth, device, browser bool) []string {
	steps := []string{"=Ann", "tab", "=ann@example.org", "tab", "=pop.example.org", "tab", "tab", "tab", "tab",
		"space", "space", "space", // password -> microsoft -> google -> custom
		"tab", "=" + o.ClientID, "tab"}
	if device {
		steps = append(steps, "="+o.DeviceURL)
	}
	steps = append(steps, "tab")
	if browser {
		steps = append(steps, "="+o.AuthURL)
	}
	return append(steps, "tab", "="+o.TokenURL, "tab", "=mail.read mail.send", "tab")
}

// runSignIn runs the sign-in command of the wizard and feeds its messages
// back until the prompt (or the browser's address) shows; then approve is
// called with the wizard, and the rest runs until the sign-in ends.
func runSignIn(t *testing.T, m wizardModel, cmd tea.Cmd, approve func(wizardModel)) wizardModel {
	t.Helper()
	var wait tea.Cmd
	for _, msg := range runCmd(cmd) {
		switch msg := msg.(type) {
		case signInPromptMsg:
			m, wait = m.update(msg)
		case signInURLMsg:
			m, wait = m.update(msg)
		case signInDoneMsg:
			m, _ = m.update(msg)
		}
	}
	if wait == nil {
		return m
	}
	approve(m)
	done := make(chan tea.Msg, 1)
	go func() { done <- wait() }()
	select {
	case msg := <-done:
		m, _ = m.update(msg)
	case <-time.After(30 * time.Second):
		t.Fatal("the sign-in did not end")
	}
	return m
}

// TestWizardSignInDevice: a custom OAuth2 server with a device endpoint:
// enter on the sign-in field shows the address and the code in the form;
// once approved the field says signed in, the review's login test uses the
// token, and saving seals the refresh token with the account (no password).
func TestWizardSignInDevice(t *testing.T) {
	o := mailtest.NewOAuth(t)
	st := &fakeWizardStore{}
	c := &tokenChecker{}
	m := newTestWizard(st, c, langEN)
	m, _ = drive(m, customSignInSteps(o, true, false)...)
	wantFocus(t, m, wfSignIn)
	if m.inputs[wfPassword].Focused() || containsField(m.visible(), wfPassword) {
		t.Fatal("the password field shows for an OAuth2 sign-in")
	}
	wantInView(t, m, "Not signed in")
	// Not signed in: the review is refused, the field says why.
	m2, _ := drive(m, "ctrl+s")
	if m2.step != wizardStepForm {
		t.Fatal("the review opened before the sign-in")
	}
	wantInView(t, m2, "Sign in before saving")

	m, cmd := drive(m, "enter")
	if !m.signingIn() {
		t.Fatalf("enter did not start the sign-in: state %v", m.sign.state)
	}
	var code string
	m = runSignIn(t, m, cmd, func(w wizardModel) {
		code = o.LastUserCode()
		wantInView(t, w, "open "+o.URL+"/device and enter the code "+code)
		wantInView(t, w, "esc stops waiting")
		if !o.Approve(code) {
			t.Fatalf("the mock knows no code %q", code)
		}
	})
	if !m.signedIn() {
		t.Fatalf("not signed in: state %v err %v", m.sign.state, m.sign.err)
	}
	wantInView(t, m, "✓ Signed in")

	m, cmd = drive(m, "ctrl+s")
	if m.step != wizardStepReview {
		t.Fatalf("no review: %s", plainView(m))
	}
	wantInView(t, m, "Other OAuth2, signed in")
	m = feed(m, cmd)
	if m.pop.state != wizardCheckOK || m.smtp.state != wizardCheckOK {
		t.Fatalf("login test: pop %v smtp %v", m.pop.err, m.smtp.err)
	}
	if len(c.toks) != 2 {
		t.Fatalf("tokens tested: %q", c.toks)
	}
	for _, tok := range c.toks {
		if user, ok := o.Active(tok); !ok || user != "alice" {
			t.Errorf("the login test used %q, not an access token of the sign-in", tok)
		}
	}

	m, cmd = drive(m, "enter")
	var saved wizardSavedMsg
	for _, msg := range runCmd(cmd) {
		if s, ok := msg.(wizardSavedMsg); ok {
			saved = s
		}
	}
	if saved.acct.ID == "" || saved.sealErr != nil {
		t.Fatalf("not saved: %+v", saved)
	}
	a := saved.acct
	if a.Incoming.Auth != mail.AuthOAuth2 || a.Incoming.Password != "" || a.OAuth.Provider != "custom" ||
		a.OAuth.DeviceURL != o.DeviceURL || a.OAuth.TokenURL != o.TokenURL || a.OAuth.ClientID != o.ClientID ||
		a.OAuth.Scopes != "mail.read mail.send" || !signin.SignedIn(a) {
		t.Fatalf("saved account: %+v", a)
	}
	if a.SMTP().Auth != mail.AuthOAuth2 {
		t.Errorf("the outgoing side logs in with %v", a.SMTP().Auth)
	}
	rt := st.tokens[a.ID]
	if rt == "" || rt != m.sign.tok.RefreshToken() {
		t.Fatalf("sealed refresh token %q, want the sign-in's", rt)
	}
}

// TestWizardSignInBrowser: a server with only an authorize endpoint signs
// in in the browser: the address is opened (here by a stand-in that
// follows the mock's redirect) and shown; a refused sign-in says so and
// enter tries again.
func TestWizardSignInBrowser(t *testing.T) {
	o := mailtest.NewOAuth(t)
	var opened []string
	d := wizardTestDeps(langEN, &tokenChecker{})
	d.opener = func(u string) error {
		opened = append(opened, u)
		go func() {
			resp, err := http.Get(u) // the mock redirects to the loopback address
			if err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	}
	st := &fakeWizardStore{}
	m := newWizard(d, st, readWizardData(st), nil).setSize(120, 40)
	m, _ = drive(m, customSignInSteps(o, false, true)...)
	wantFocus(t, m, wfSignIn)
	wantInView(t, m, "enter: sign in in a browser")

	o.SetBrowserDenied(true)
	m, cmd := drive(m, "enter")
	m = runSignIn(t, m, cmd, func(w wizardModel) {
		wantInView(t, w, "A browser was opened to sign in; if none came up, open this address:")
		if !strings.Contains(strings.ReplaceAll(plainView(w), "\n", ""), o.AuthURL+"?client_id=popbox-test") {
			t.Errorf("the address is not shown whole:\n%s", plainView(w))
		}
	})
	if m.sign.state != signInFailed {
		t.Fatalf("state %v, want failed", m.sign.state)
	}
	wantInView(t, m, "The sign-in was refused")

	o.SetBrowserDenied(false)
	m, cmd = drive(m, "enter")
	m = runSignIn(t, m, cmd, func(wizardModel) {})
	if !m.signedIn() {
		t.Fatalf("not signed in: %v", m.sign.err)
	}
	if len(opened) != 2 || !strings.HasPrefix(opened[1], o.AuthURL) {
		t.Fatalf("opened %q", opened)
	}
	// b on a server with no device endpoint is not offered; s signs in again.
	if m.bindings().SignInBrowser.Enabled() {
		t.Error("b offered without a device flow to choose instead")
	}
	if !m.bindings().SignInAgain.Enabled() {
		t.Error("s is not offered once signed in")
	}
}

// TestWizardSignInProviders: an Outlook.com address starts on "sign in
// with Microsoft" (passwords are refused), Gmail on a password with Google
// sign-in one space away (with its client secret field); a client ID from
// POPBOX_OAUTH_CLIENT_ID needs no field; changing the client after a
// sign-in asks for a new one; an edited account keeps its saved sign-in.
func TestWizardSignInProviders(t *testing.T) {
	m := newTestWizard(nil, nil, langEN)
	m, _ = drive(m, "=W", "tab", "=taro@outlook.com")
	if m.auth != "microsoft" || containsField(m.visible(), wfPassword) || !containsField(m.visible(), wfSignIn) {
		t.Fatalf("outlook.com: auth %q, fields %v", m.auth, m.visible())
	}
	wantInView(t, m, "Microsoft refuses passwords for POP")
	// No client ID anywhere: the field says how to get one.
	m, _ = drive(m, "tab", "tab", "tab", "tab", "tab", "tab")
	wantFocus(t, m, wfClientID)
	m, _ = drive(m, "tab")
	wantInView(t, m, "Enter the client ID of an app you registered")

	m = newTestWizard(nil, nil, langEN)
	m, _ = drive(m, "=W", "tab", "=taro@gmail.com")
	if m.auth != authPassword || !containsField(m.visible(), wfPassword) {
		t.Fatalf("gmail: auth %q", m.auth)
	}
	m, _ = drive(m, "tab", "tab", "tab", "tab", "tab", "space", "space")
	if m.auth != "google" || !containsField(m.visible(), wfClientSecret) || containsField(m.visible(), wfOAuthDevice) {
		t.Fatalf("gmail, two spaces: auth %q fields %v", m.auth, m.visible())
	}
	// The user's choice stays when the address changes.
	m, _ = drive(m, "shift+tab", "shift+tab", "shift+tab", "shift+tab", "shift+tab", "=x")
	if m.auth != "google" {
		t.Fatalf("the address changed the chosen sign-in to %q", m.auth)
	}

	// The client ID from the environment.
	d := wizardTestDeps(langEN, nil)
	d.getenv = func(k string) string {
		if k == "POPBOX_OAUTH_CLIENT_ID" {
			return "env-id"
		}
		return ""
	}
	m = newWizard(d, &fakeWizardStore{}, wizardData{}, nil).setSize(120, 40)
	m, _ = drive(m, "=W", "tab", "=taro@outlook.com", "tab", "tab", "tab", "tab", "tab", "tab")
	wantFocus(t, m, wfClientID)
	wantInView(t, m, "Empty: the ID in POPBOX_OAUTH_CLIENT_ID is used")
	for _, fe := range m.problems() {
		if fe.Field == wfClientID.name() {
			t.Errorf("client ID problem with the environment's: %+v", fe)
		}
	}
	m.sign = signInRun{state: signInDone, key: m.profileKey()}
	if !m.signedIn() {
		t.Fatal("setup: not signed in")
	}
	m, _ = drive(m, "=other-id")
	if m.signedIn() {
		t.Error("a sign-in made for another client ID still counts")
	}

	// An edited account that signed in keeps its sign-in until the client changes.
	existing := mail.Account{ID: "1", Name: "Work", Email: "taro@outlook.com",
		Incoming: mail.Server{Host: "outlook.office365.com", Port: 995, Security: mail.SecuritySSL, User: "taro@outlook.com", Auth: mail.AuthOAuth2},
		SMTPSame: true, OAuth: mail.OAuthProfile{Provider: "microsoft", ClientID: "cid"}}
	st := &fakeWizardStore{accounts: []mail.Account{existing}}
	m = newWizard(wizardTestDeps(langEN, nil), st, readWizardData(st), &existing).setSize(120, 40)
	if m.auth != "microsoft" || !m.keepsStoredSignIn() {
		t.Fatalf("edit: auth %q keeps %v", m.auth, m.keepsStoredSignIn())
	}
	if _, bad := m.firstError(); bad {
		t.Fatalf("edit: problems %+v", m.problems())
	}
	m.focus = wfClientID
	m = m.focusOn(wfClientID)
	m, _ = drive(m, "=2")
	if m.keepsStoredSignIn() {
		t.Error("a changed client ID keeps the saved sign-in")
	}
}

func containsField(fs []wizardField, f wizardField) bool {
	for _, g := range fs {
		if g == f {
			return true
		}
	}
	return false
}
