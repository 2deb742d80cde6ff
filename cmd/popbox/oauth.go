package main

// OAuth2 on the command line: the sign-in of account add --auth oauth2 and
// account login (device flow or browser flow, package mail/oauth), and the
// token source of fetch and check, which starts from the refresh token the
// store keeps sealed and seals a rotated one at once.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/oauth2"

	"popbox/mail"
	"popbox/mail/oauth"
	"popbox/store"
	"popbox/store/signin"
	"popbox/tui/i18n"
)

// signIn runs a sign-in: the device flow when mode is "device", or when
// mode is "" and the provider has one; else the browser flow. What the
// user has to do goes to stderr.
func signIn(p oauth.Profile, mode string, e env) (*oauth2.Token, error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	device := mode == "device" || mode == "" && p.HasDevice()
	var (
		tok *oauth2.Token
		err error
	)
	if device {
		tok, err = signInDevice(ctx, p, e)
	} else {
		tok, err = p.SignInBrowser(ctx, func(u string) error { return openBrowser(u, e) })
	}
	if err != nil {
		return nil, signInError(err, e)
	}
	return tok, nil
}

func signInDevice(ctx context.Context, p oauth.Profile, e env) (*oauth2.Token, error) {
	f, err := p.StartDevice(ctx)
	if err != nil {
		return nil, err
	}
	pr := f.Prompt()
	fmt.Fprintln(e.stderr, e.lang.Tr("cli.oauthDevice", pr.URL, pr.Code))
	if !e.stderrTTY {
		return f.Wait(ctx, nil)
	}
	// A spinner line while the user signs in elsewhere.
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		frames := `|/-\`
		t := time.NewTicker(150 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			fmt.Fprintf(e.stderr, "\x1b[2K\r%c %s ...", frames[i%len(frames)], e.lang.Tr("cli.oauthWaiting"))
			select {
			case <-done:
				fmt.Fprint(e.stderr, "\x1b[2K\r")
				return
			case <-t.C:
			}
		}
	}()
	tok, err := f.Wait(ctx, nil)
	close(done)
	wg.Wait()
	return tok, err
}

// openBrowser prints the address and opens it with xdg-open or open when
// there is one.
func openBrowser(u string, e env) error {
	fmt.Fprintln(e.stderr, e.lang.Tr("cli.oauthBrowser", u))
	for _, name := range []string{"xdg-open", "open"} {
		path, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		cmd := exec.Command(path, u)
		if cmd.Start() == nil {
			go func() { _ = cmd.Wait() }()
		}
		break
	}
	return nil
}

// signInError is a failed sign-in: the kinds the catalog says (no client
// ID, refused, run out of time) as they are, a provider without a device
// flow as bad usage, anything else framed as a failed sign-in.
func signInError(err error, e env) error {
	switch {
	case errors.Is(err, oauth.ErrNoClientID), errors.Is(err, oauth.ErrAccessDenied),
		errors.Is(err, oauth.ErrCodeExpired), errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, oauth.ErrNoDeviceFlow):
		return usageError{msg: e.lang.Tr("cli.oauthNoDevice")}
	}
	return errors.New(e.lang.Tr("cli.oauthFailed", mail.SafeLine(err.Error())))
}

// withToken gives a signed-in account its token on both sides, from the
// refresh token sealed in st (signin.Setup); seal keeps a rotated one.
// Accounts that do not sign in through a provider come back as they are,
// with a nil token.
func withToken(a mail.Account, st *store.Store, seal func(outgoing bool, refresh string) error, e env) (mail.Account, *signin.Token, error) {
	b, ts, err := signin.Setup(a, st, e.getenv, seal)
	if err != nil {
		return a, nil, accountError{err: err, acct: a}
	}
	return b, ts, nil
}

// retryRefused runs try, and once more after a refused access token when
// the source gives a fresh one (signin.Retry). A sign-in that is no longer
// valid comes back with the account, for its sentence.
func retryRefused[T any](ctx context.Context, ts *signin.Token, a mail.Account, try func() (T, error)) (T, error) {
	res, err := signin.Retry(ctx, ts, try)
	if errors.Is(err, oauth.ErrSignInAgain) {
		err = accountError{err: err, acct: a}
	}
	return res, err
}

// oauthFlags are account add's flags for OAuth2.
type oauthFlags struct {
	auth, provider, clientID, secret, tenant *string
	deviceURL, authURL, tokenURL, scopes     *string
	tokenCmd                                 *string
	device, browser                          *bool
}

func addOAuthFlags(fs *flags) *oauthFlags {
	return &oauthFlags{
		auth:      fs.String("auth", "password", "`AUTH`: password, or oauth2 (sign in with --oauth-provider, or --token-cmd)"),
		provider:  fs.String("oauth-provider", "", "with --auth oauth2: `PROVIDER` microsoft, google or custom; signs in at once"),
		clientID:  fs.String("oauth-client-id", "", "the client `ID` of your own registered app (default $"+oauth.EnvClientID+")"),
		secret:    fs.String("oauth-client-secret", "", "Google desktop-app clients only: the client `SECRET` Google gives with the ID (not treated as secret)"),
		tenant:    fs.String("oauth-tenant", "", "Microsoft's `TENANT`: common (the default), organizations, consumers, or a tenant ID or domain"),
		deviceURL: fs.String("oauth-device-url", "", "custom provider: the device authorization endpoint `URL`"),
		authURL:   fs.String("oauth-auth-url", "", "custom provider: the authorization endpoint `URL` (browser sign-in)"),
		tokenURL:  fs.String("oauth-token-url", "", "custom provider: the token endpoint `URL`"),
		scopes:    fs.String("oauth-scopes", "", "space-separated `SCOPES` to ask for (default: the provider's POP and SMTP scopes)"),
		tokenCmd:  fs.String("token-cmd", "", "with --auth oauth2: `COMMAND` that prints an access token (run at each login; no sign-in)"),
		device:    fs.Bool("device", false, "sign in with a code on another device (the default when the provider has it)"),
		browser:   fs.Bool("browser", false, "sign in in a browser on this computer"),
	}
}

// check checks the flags' combination and returns the kind of login.
func (o *oauthFlags) check(fs *flags, password bool) (mail.AuthKind, error) {
	auth, err := mail.ParseAuthKind(*o.auth)
	if err != nil {
		return auth, fs.bad("cli.use.auth", *o.auth)
	}
	if auth == mail.AuthPassword {
		for _, f := range []string{"oauth-provider", "oauth-client-id", "oauth-client-secret", "oauth-tenant", "oauth-device-url", "oauth-auth-url", "oauth-token-url", "oauth-scopes", "token-cmd", "device", "browser"} {
			if given(fs, f) {
				return auth, fs.bad("cli.use.oauthFlagsAlone", "--"+f)
			}
		}
		return auth, nil
	}
	if password {
		return auth, fs.bad("cli.use.oauthNoPass")
	}
	if *o.device && *o.browser {
		return auth, fs.bad("cli.use.either", "--device", "--browser")
	}
	if strings.TrimSpace(*o.tokenCmd) != "" {
		if *o.provider != "" {
			return auth, fs.bad("cli.use.either", "--token-cmd", "--oauth-provider")
		}
		return auth, nil
	}
	if *o.provider == "" {
		return auth, fs.bad("cli.use.oauthNeeds")
	}
	p, ok := oauth.ParseProvider(*o.provider)
	if !ok {
		return auth, fs.bad("cli.use.provider", *o.provider)
	}
	if p == oauth.Custom && (*o.tokenURL == "" || *o.deviceURL == "" && *o.authURL == "") {
		return auth, fs.bad("cli.use.customURLs")
	}
	return auth, nil
}

// apply sets the account's login from the flags (after check).
func (o *oauthFlags) apply(a *mail.Account) {
	if auth, _ := mail.ParseAuthKind(*o.auth); auth != mail.AuthOAuth2 {
		return
	}
	a.Incoming.Auth = mail.AuthOAuth2
	a.Incoming.TokenCmd = strings.TrimSpace(*o.tokenCmd)
	if a.Incoming.TokenCmd != "" {
		return
	}
	p, _ := oauth.ParseProvider(*o.provider)
	a.OAuth = mail.OAuthProfile{
		Provider: p.String(),
		ClientID: strings.TrimSpace(*o.clientID),
		// Google's token endpoint wants the desktop app's secret too.
		ClientSecret: strings.TrimSpace(*o.secret),
		Scopes:       strings.Join(strings.Fields(*o.scopes), " "),
	}
	switch p {
	case oauth.Microsoft:
		a.OAuth.Tenant = strings.TrimSpace(*o.tenant)
	case oauth.Custom:
		a.OAuth.DeviceURL, a.OAuth.AuthURL, a.OAuth.TokenURL = strings.TrimSpace(*o.deviceURL), strings.TrimSpace(*o.authURL), strings.TrimSpace(*o.tokenURL)
	}
}

// flow is "device", "browser" or "" (the provider's default).
func (o *oauthFlags) flow() string { return flowOf(*o.device, *o.browser) }

func flowOf(device, browser bool) string {
	switch {
	case device:
		return "device"
	case browser:
		return "browser"
	}
	return ""
}

// cmdAccountLogin signs a signed-in account in again and seals the new
// refresh token in place of the old one. The database is not held while
// the user signs in.
func cmdAccountLogin(db string, args []string, e env) error {
	fs := newFlags("account login", "account login NAME [--device|--browser] [--oauth-client-id ID] [--outgoing]", e)
	device := fs.Bool("device", false, "sign in with a code on another device (the default when the provider has it)")
	browser := fs.Bool("browser", false, "sign in in a browser on this computer")
	clientID := fs.String("oauth-client-id", "", "the client `ID` of your own registered app, kept with the account (default: the account's, then $"+oauth.EnvClientID+")")
	outgoing := fs.Bool("outgoing", false, "sign in the outgoing server on its own (an outgoing server of its own whose user differs); by default one sign-in serves both")
	name, err := parseOneName(fs, args)
	if err != nil {
		return err
	}
	if *device && *browser {
		return fs.bad("cli.use.either", "--device", "--browser")
	}
	st, a, err := openAccount(db, name, e)
	if err != nil {
		return err
	}
	st.Close()
	if !signin.SignedIn(a) {
		return errors.New(e.lang.Tr("cli.notOAuth", mail.SafeLine(a.Name)))
	}
	if *outgoing && !signin.OwnOutgoing(a) {
		return errors.New(e.lang.Tr("cli.loginOutgoingSame", mail.SafeLine(a.Name), i18n.Shell(a.Name)))
	}
	p, err := signin.Profile(a, *clientID, e.getenv)
	if err != nil {
		return err
	}
	tok, err := signIn(p, flowOf(*device, *browser), e)
	if err != nil {
		return err
	}
	if st, err = openExisting(db, e); err != nil {
		return err
	}
	defer st.Close()
	if p.ClientID != a.OAuth.ClientID {
		a.OAuth.ClientID = p.ClientID
		if err := st.UpdateAccount(a); err != nil {
			return err
		}
	}
	if err := st.SetRefreshToken(a.ID, *outgoing, tok.RefreshToken); err != nil {
		return err
	}
	if *outgoing {
		fmt.Fprintln(e.stdout, e.lang.Tr("cli.signedInOutgoing", mail.SafeLine(a.Name)))
		return nil
	}
	fmt.Fprintln(e.stdout, e.lang.Tr("cli.signedIn", mail.SafeLine(a.Name)))
	return nil
}
