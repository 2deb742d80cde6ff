package tui

// The wizard's sign-in with OAuth2: the "Sign-in" choice (a password, or
// Microsoft, Google or another OAuth2 server), the client ID and a custom
// server's endpoints, and the sign-in itself, run from the form: the device
// flow shows its address and code under the field while it waits, the
// browser flow opens the browser and shows the address. The access token
// it gets serves the review's login test; its refresh token is sealed with
// the account when it is saved.

import (
	"context"
	"net/url"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"golang.org/x/oauth2"

	"popbox/mail"
	"popbox/mail/oauth"
	"popbox/store/signin"
)

// The values of the "Sign-in" choice besides the providers' names.
const (
	authPassword = ""        // a password (the default)
	authCommand  = "command" // a token command, set with the CLI; kept as it is
)

// authChoices are the sign-in choices in the order space cycles them; an
// account whose token comes from a command (set with the CLI) has that
// choice too.
func (m wizardModel) authChoices() []string {
	out := []string{authPassword, oauth.Microsoft.String(), oauth.Google.String(), oauth.Custom.String()}
	if m.existing != nil && m.existing.Incoming.Auth == mail.AuthOAuth2 && strings.TrimSpace(m.existing.Incoming.TokenCmd) != "" {
		out = append(out, authCommand)
	}
	return out
}

// oauthOn reports whether the account signs in through a provider.
func (m wizardModel) oauthOn() bool { return m.auth != authPassword && m.auth != authCommand }

// cycleAuth moves the sign-in choice by dir.
func (m wizardModel) cycleAuth(dir int) wizardModel {
	cs := m.authChoices()
	i := 0
	for j, c := range cs {
		if c == m.auth {
			i = j
		}
	}
	m.auth = cs[(i+dir+len(cs))%len(cs)]
	return m
}

// authShows reports whether f is shown for the sign-in chosen: the
// password fields for a password, the client ID and the sign-in for a
// provider, the client secret for Google, the endpoints for a custom one.
func (m wizardModel) authShows(f wizardField) bool {
	switch f {
	case wfPassword, wfSMTPPassword:
		return m.auth == authPassword
	case wfClientID, wfSignIn:
		return m.oauthOn()
	case wfClientSecret:
		return m.auth == oauth.Google.String()
	case wfOAuthDevice, wfOAuthAuth, wfOAuthToken, wfOAuthScopes:
		return m.auth == oauth.Custom.String()
	}
	return true
}

// autoAuth picks the sign-in a provider needs (Microsoft refuses
// passwords), unless the user chose one.
func (m wizardModel) autoAuth(p mail.Preset, known bool) wizardModel {
	if m.edited[wfAuth] {
		return m
	}
	m.auth = authPassword
	if known && p.SignInFirst {
		m.auth = p.SignIn
	}
	return m
}

// prefillSignIn loads an edited account's sign-in.
func (m wizardModel) prefillSignIn(a mail.Account) wizardModel {
	in := a.Incoming
	switch {
	case in.Auth != mail.AuthOAuth2:
		m.auth = authPassword
	case strings.TrimSpace(in.TokenCmd) != "" || a.OAuth.Provider == "":
		m.auth = authCommand
	default:
		m.auth = a.OAuth.Provider
		m.setVal(wfClientID, a.OAuth.ClientID)
		m.setVal(wfClientSecret, a.OAuth.ClientSecret)
		m.setVal(wfOAuthDevice, a.OAuth.DeviceURL)
		m.setVal(wfOAuthAuth, a.OAuth.AuthURL)
		m.setVal(wfOAuthToken, a.OAuth.TokenURL)
		m.setVal(wfOAuthScopes, a.OAuth.Scopes)
	}
	return m
}

// applyAuth sets the incoming side's login and the sign-in profile of a
// from the form.
func (m wizardModel) applyAuth(a *mail.Account) {
	switch m.auth {
	case authPassword:
		a.Incoming.Auth, a.Incoming.TokenCmd, a.OAuth = mail.AuthPassword, "", mail.OAuthProfile{}
		return
	case authCommand:
		if m.existing != nil {
			a.Incoming.Auth, a.Incoming.TokenCmd, a.OAuth = m.existing.Incoming.Auth, m.existing.Incoming.TokenCmd, m.existing.OAuth
		}
		a.Incoming.Password, a.Incoming.PasswordCmd = "", ""
		return
	}
	a.Incoming.Auth, a.Incoming.TokenCmd = mail.AuthOAuth2, ""
	a.Incoming.Password, a.Incoming.PasswordCmd = "", ""
	o := mail.OAuthProfile{
		Provider: m.auth,
		ClientID: strings.TrimSpace(m.val(wfClientID)),
		Scopes:   strings.Join(strings.Fields(m.val(wfOAuthScopes)), " "),
	}
	switch m.auth {
	case oauth.Microsoft.String():
		o.Scopes = ""
		if m.existing != nil && m.existing.OAuth.Provider == m.auth {
			o.Tenant, o.Scopes = m.existing.OAuth.Tenant, m.existing.OAuth.Scopes
		}
	case oauth.Google.String():
		o.Scopes = ""
		o.ClientSecret = strings.TrimSpace(m.val(wfClientSecret))
	case oauth.Custom.String():
		o.DeviceURL = strings.TrimSpace(m.val(wfOAuthDevice))
		o.AuthURL = strings.TrimSpace(m.val(wfOAuthAuth))
		o.TokenURL = strings.TrimSpace(m.val(wfOAuthToken))
	}
	a.OAuth = o
}

// applyOutgoingAuth gives an outgoing server of its own the incoming
// side's kind of login: one sign-in asks for both sides' scopes.
func (m wizardModel) applyOutgoingAuth(out *mail.Server) {
	switch {
	case m.auth == authPassword:
		out.Auth, out.TokenCmd = mail.AuthPassword, ""
	case m.auth == authCommand && m.existing != nil:
		out.Auth, out.TokenCmd = m.existing.Incoming.Auth, m.existing.Incoming.TokenCmd
		out.Password, out.PasswordCmd = "", ""
	default:
		out.Auth, out.TokenCmd = mail.AuthOAuth2, ""
		out.Password, out.PasswordCmd = "", ""
	}
}

// signInProfile is the profile the sign-in uses now, or oauth.ErrNoClientID.
func (m wizardModel) signInProfile() (oauth.Profile, error) {
	return signin.Profile(m.account(), "", m.d.env)
}

// profileKey names what a sign-in is valid for: the provider, the client
// and the endpoints. A sign-in made for another key no longer counts.
func (m wizardModel) profileKey() string { return m.keyOf(m.account().OAuth) }

// keyOf is profileKey for the profile o.
func (m wizardModel) keyOf(o mail.OAuthProfile) string {
	return strings.Join([]string{o.Provider, oauth.ClientID("", o.ClientID, m.d.env), o.ClientSecret, o.Tenant, o.DeviceURL, o.AuthURL, o.TokenURL, o.Scopes}, "\x00")
}

// storedKey is profileKey for the edited account as it was saved, or ""
// when it has no sign-in of its own.
func (m wizardModel) storedKey() string {
	if m.existing == nil || !signin.SignedIn(*m.existing) {
		return ""
	}
	return m.keyOf(m.existing.OAuth)
}

// signInState is where the sign-in of the form stands.
type signInState int

const (
	signInIdle     signInState = iota
	signInStarting             // asking the provider for a code
	signInDevice               // showing the code, polling
	signInBrowser              // the browser is open, waiting for its redirect
	signInDone
	signInFailed
)

// signInRun is the sign-in of the form.
type signInRun struct {
	state  signInState
	seq    int
	cancel context.CancelFunc
	prompt oauth.DevicePrompt // signInDevice
	url    string             // signInBrowser: the address opened
	err    error              // signInFailed
	tok    *signin.Token      // signInDone
	key    string             // profileKey it was made for
}

// signInTimeout bounds a sign-in: a device code lives 15 minutes.
const signInTimeout = 15 * time.Minute

// signInPromptMsg: the provider gave a device code; wait polls for the token.
type signInPromptMsg struct {
	seq    int
	prompt oauth.DevicePrompt
	wait   tea.Cmd
}

// signInURLMsg: the browser was sent to url; wait waits for its redirect.
type signInURLMsg struct {
	seq  int
	url  string
	wait tea.Cmd
}

// signInDoneMsg ends a sign-in.
type signInDoneMsg struct {
	seq int
	p   oauth.Profile
	tok *oauth2.Token
	err error
}

// signingIn reports whether a sign-in is running.
func (m wizardModel) signingIn() bool {
	switch m.sign.state {
	case signInStarting, signInDevice, signInBrowser:
		return true
	}
	return false
}

// signedIn reports whether the form's sign-in is done for the profile of
// the form as it is now.
func (m wizardModel) signedIn() bool {
	return m.oauthOn() && m.sign.state == signInDone && m.sign.key == m.profileKey()
}

// keepsStoredSignIn reports whether an edited account's sealed sign-in
// still serves: same provider, client and endpoints, and no new sign-in.
func (m wizardModel) keepsStoredSignIn() bool {
	if !m.oauthOn() || m.signedIn() {
		return false
	}
	stored := m.storedKey()
	return stored != "" && stored == m.profileKey()
}

// signedInToken is the token of the form's sign-in, nil when there is none.
func (m wizardModel) signedInToken() *signin.Token {
	if !m.signedIn() {
		return nil
	}
	return m.sign.tok
}

// stopSignIn ends a running sign-in (the user left it or the wizard).
func (m wizardModel) stopSignIn() wizardModel {
	if m.sign.cancel != nil {
		m.sign.cancel()
	}
	if m.signingIn() {
		m.sign = signInRun{seq: m.sign.seq + 1}
	}
	return m
}

// startSignIn starts the device flow (browser false, when the profile has
// one) or the browser flow.
func (m wizardModel) startSignIn(browser bool) (wizardModel, tea.Cmd) {
	m = m.stopSignIn()
	seq := m.sign.seq + 1
	p, err := m.signInProfile()
	if err != nil {
		m.sign = signInRun{state: signInFailed, seq: seq, err: err}
		return m, nil
	}
	device := !browser && p.HasDevice()
	if !device && p.AuthURL == "" {
		err := errNoBrowserFlow
		if !browser {
			err = oauth.ErrNoDeviceFlow
		}
		m.sign = signInRun{state: signInFailed, seq: seq, err: err}
		return m, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), signInTimeout)
	m.sign = signInRun{state: signInStarting, seq: seq, cancel: cancel, key: m.profileKey()}
	if device {
		return m, tea.Batch(m.spin.Tick, deviceSignIn(ctx, seq, p))
	}
	m.sign.state = signInBrowser
	return m, tea.Batch(m.spin.Tick, browserSignIn(ctx, seq, p, m.d.launcher()))
}

// deviceSignIn asks for a device code; its message carries the command
// that polls for the token.
func deviceSignIn(ctx context.Context, seq int, p oauth.Profile) tea.Cmd {
	return func() tea.Msg {
		f, err := p.StartDevice(ctx)
		if err != nil {
			return signInDoneMsg{seq: seq, p: p, err: err}
		}
		wait := func() tea.Msg {
			tok, err := f.Wait(ctx, nil)
			return signInDoneMsg{seq: seq, p: p, tok: tok, err: err}
		}
		return signInPromptMsg{seq: seq, prompt: f.Prompt(), wait: wait}
	}
}

// browserSignIn runs the browser flow; its first message gives the
// address (opened with open) and carries the command that waits for the end.
func browserSignIn(ctx context.Context, seq int, p oauth.Profile, open func(string) error) tea.Cmd {
	return func() tea.Msg {
		urls := make(chan string, 1)
		done := make(chan signInDoneMsg, 1)
		go func() {
			tok, err := p.SignInBrowser(ctx, func(u string) error {
				urls <- u
				_ = open(u) // the address is on the screen either way
				return nil
			})
			done <- signInDoneMsg{seq: seq, p: p, tok: tok, err: err}
		}()
		select {
		case u := <-urls:
			return signInURLMsg{seq: seq, url: u, wait: func() tea.Msg { return <-done }}
		case r := <-done:
			return r
		}
	}
}

// signInUpdate handles the sign-in's messages.
func (m wizardModel) signInUpdate(msg tea.Msg) (wizardModel, tea.Cmd) {
	switch msg := msg.(type) {
	case signInPromptMsg:
		if msg.seq != m.sign.seq || !m.signingIn() {
			return m, nil
		}
		m.sign.state, m.sign.prompt = signInDevice, msg.prompt
		return m, msg.wait
	case signInURLMsg:
		if msg.seq != m.sign.seq || !m.signingIn() {
			return m, nil
		}
		m.sign.state, m.sign.url = signInBrowser, msg.url
		return m, msg.wait
	case signInDoneMsg:
		if msg.seq != m.sign.seq || !m.signingIn() {
			return m, nil
		}
		if m.sign.cancel != nil {
			m.sign.cancel()
		}
		key := m.sign.key
		if msg.err != nil {
			m.sign = signInRun{state: signInFailed, seq: msg.seq, err: msg.err}
			return m, nil
		}
		ts, err := signin.New(msg.p, msg.tok, nil)
		if err != nil {
			m.sign = signInRun{state: signInFailed, seq: msg.seq, err: err}
			return m, nil
		}
		m.sign = signInRun{state: signInDone, seq: msg.seq, tok: ts, key: key}
		m.dirty = true
		return m, nil
	}
	return m, nil
}

// signInProblems are the sign-in's problems: no client ID, a custom
// server's endpoints missing or not web addresses, and no sign-in yet.
func (m wizardModel) signInProblems() mail.FieldErrors {
	if !m.oauthOn() {
		return nil
	}
	var out mail.FieldErrors
	add := func(f wizardField, code string) {
		out = append(out, mail.FieldError{Field: f.name(), Code: code})
	}
	if oauth.ClientID("", strings.TrimSpace(m.val(wfClientID)), m.d.env) == "" {
		add(wfClientID, "oauth-client-id")
	}
	if m.auth == oauth.Custom.String() {
		for _, f := range []wizardField{wfOAuthDevice, wfOAuthAuth, wfOAuthToken} {
			if v := strings.TrimSpace(m.val(f)); v != "" && !webAddress(v) {
				add(f, "oauth-url-bad")
			}
		}
		if strings.TrimSpace(m.val(wfOAuthToken)) == "" {
			add(wfOAuthToken, "oauth-url-required")
		}
		if strings.TrimSpace(m.val(wfOAuthDevice)) == "" && strings.TrimSpace(m.val(wfOAuthAuth)) == "" {
			add(wfOAuthDevice, "oauth-flow-required")
		}
	}
	if !m.signedIn() && !m.keepsStoredSignIn() && !m.signingIn() {
		add(wfSignIn, "oauth-signin")
	}
	return out
}

// webAddress reports whether v is an absolute http or https address.
func webAddress(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// signInProblemText is the sentence for a problem of signInProblems.
func (m wizardModel) signInProblemText(fe mail.FieldError) string {
	return m.d.lang.tr("wizard." + fe.Code)
}

// signInKeys enables the sign-in field's keys: enter signs in (with a code
// when the server has the device flow), s signs in again once signed in,
// b signs in in the browser when the server has that too.
func (m wizardModel) signInKeys(k *wizardKeys) {
	p, err := m.signInProfile()
	if m.signedIn() || m.keepsStoredSignIn() {
		k.SignInAgain.SetEnabled(true)
	} else {
		k.SignIn.SetEnabled(true)
	}
	if err == nil && p.HasDevice() && p.AuthURL != "" {
		k.SignInBrowser.SetEnabled(true)
	}
}
