package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"popbox/mail"
	"popbox/mail/oauth"
	"popbox/store"
	"popbox/store/signin"
	"popbox/tui/i18n"
)

// openStore opens the database, creating it when there is none: for
// account add and the TUI only. While Open upgrades it to a new format,
// which takes a while for a large mailbox, a line on a terminal's stderr
// says how far it is, and is cleared when done.
func openStore(db string, e env) (*store.Store, error) {
	return openWith(db, e, store.Options{})
}

// errNoData: the database at the default path does not exist yet. A
// command that only reads finds nothing there (no account, no message) and
// makes nothing.
var errNoData = errors.New("no database yet")

// openExisting opens the database for a command that does not create
// one: a database named with --db or POPBOX_DB that does not exist is an
// error naming the path (a mistyped path makes no file and no folder), and
// a missing one at the default path is errNoData, which the command takes
// as empty (see noData).
func openExisting(db string, e env) (*store.Store, error) {
	st, err := openWith(db, e, store.Options{NoCreate: true})
	if errors.Is(err, store.ErrNoDatabase) && db == "" && e.getenv("POPBOX_DB") == "" {
		return nil, errNoData
	}
	return st, err
}

// noData is err, or instead the error a command gives on an empty
// database when err is errNoData.
func noData(err, instead error) error {
	if errors.Is(err, errNoData) {
		return instead
	}
	return err
}

func openWith(db string, e env, opts store.Options) (*store.Store, error) {
	return openWithWait(db, e, opts, lockWait(e, e.wait), false)
}

// accountJSON is the stable shape of `accounts --json`: never a password.
type accountJSON struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Email     string     `json:"email"`
	Active    bool       `json:"active"`
	Incoming  serverJSON `json:"incoming"`
	SMTPSame  bool       `json:"smtp_same"`
	Outgoing  serverJSON `json:"outgoing"`
	Retention string     `json:"retention"`
	Sharing   string     `json:"sharing"`
	// Auth is password or oauth2; OAuth is where an oauth2 account signs
	// in. No token ever appears here.
	Auth   string             `json:"auth"`
	OAuth  *mail.OAuthProfile `json:"oauth,omitempty"`
	CAFile string             `json:"ca_file,omitempty"`
	// MaxMessageSize is the largest message fetched, in bytes.
	MaxMessageSize int64 `json:"max_message_size"`
	// FetchEvery is "off" or the screen's interval ("10m"); OnNew the
	// new-mail command; Bell the terminal bell for new mail.
	FetchEvery string `json:"fetch_every"`
	OnNew      string `json:"on_new,omitempty"`
	Bell       bool   `json:"bell"`
	// Deliver is where fetched messages are delivered (maildir:DIR or
	// mda:COMMAND), absent when nowhere.
	Deliver string `json:"deliver,omitempty"`
	// Aliases are the account's other addresses; ReplyISO2022JP answers
	// ISO-2022-JP mail in ISO-2022-JP.
	Aliases        []string `json:"aliases"`
	ReplyISO2022JP bool     `json:"reply_iso_2022_jp"`
}

type serverJSON struct {
	Host        string `json:"host"`
	Port        int    `json:"port"`
	Security    string `json:"security"`
	User        string `json:"user"`
	PasswordCmd string `json:"password_cmd,omitempty"`
	TokenCmd    string `json:"token_cmd,omitempty"`
	// TrustedCert is the pinned certificate (popbox account trust).
	TrustedCert *pinJSON `json:"trusted_cert,omitempty"`
}

func toServerJSON(s mail.Server) serverJSON {
	return serverJSON{Host: s.Host, Port: s.Port, Security: s.Security.String(), User: s.User, PasswordCmd: s.PasswordCmd, TokenCmd: s.TokenCmd,
		TrustedCert: toPinJSON(s.TrustedCert)}
}

func cmdAccounts(db string, args []string, e env) error {
	fs := newFlags("accounts", "accounts [--json]", e)
	asJSON := fs.Bool("json", false, "print a JSON array")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fs.bad("cli.use.noArgs", "accounts", pos[0])
	}
	var accts []mail.Account
	var active string
	st, err := openExisting(db, e)
	var oe *store.OpenError
	switch {
	case errors.Is(err, errNoData):
	case errors.Is(err, store.ErrNoDatabase) && errors.As(err, &oe):
		// A database that is not there has no accounts: the list is empty,
		// as scripts expect of a new one, but a mistyped path is said.
		fmt.Fprintf(e.stderr, "popbox: %s %s\n", e.lang.Tr("cli.warning"), e.lang.Tr("cli.noDatabaseYet", oe.Path))
	case err != nil:
		return err
	default:
		defer st.Close()
		if accts, err = st.Accounts(); err != nil {
			return err
		}
		if active, err = st.ActiveID(); err != nil {
			return err
		}
	}
	if *asJSON {
		out := make([]accountJSON, 0, len(accts))
		for _, a := range accts {
			var op *mail.OAuthProfile
			if a.OAuth != (mail.OAuthProfile{}) {
				o := a.OAuth
				o.ClientSecret = ""
				op = &o
			}
			out = append(out, accountJSON{
				Auth: a.Incoming.Auth.String(), OAuth: op,
				ID: a.ID, Name: a.Name, Email: a.Email, Active: a.ID == active,
				Incoming: toServerJSON(a.Incoming), SMTPSame: a.SMTPSame, Outgoing: toServerJSON(a.SMTP()),
				Retention: a.Retention.String(), Sharing: a.Sharing.String(), CAFile: a.CAFile,
				MaxMessageSize: a.MessageSizeLimit(),
				FetchEvery:     a.FetchEvery.String(), OnNew: a.OnNew, Bell: a.Bell, Deliver: a.Deliver,
				Aliases: append([]string{}, a.AliasList()...), ReplyISO2022JP: a.ReplyJIS,
			})
		}
		return writeJSON(e.stdout, out)
	}
	if len(accts) == 0 {
		fmt.Fprintln(e.stdout, "No accounts yet. Run popbox to set one up, or popbox account add --help.")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, a := range accts {
		mark := " "
		if a.ID == active {
			mark = "*"
		}
		fmt.Fprintf(tw, "%s %s\t%s\t%s:%d %s\t%s\n", mark, a.Name, a.Email, a.Incoming.Host, a.Incoming.Port, a.Incoming.Security, a.Retention)
	}
	return tw.Flush()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// readSecretLines reads up to n lines of stdin (the passwords of
// --password-stdin), without their line ends.
func readSecretLines(e env, n int) ([]string, error) {
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(make([]byte, 4096), 64*1024)
	var out []string
	for len(out) < n && sc.Scan() {
		out = append(out, strings.TrimSuffix(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		return nil, errors.New(e.lang.Tr("cli.readPassword", err))
	}
	return out, nil
}

func cmdAccountAdd(db string, args []string, e env) error {
	fs := newFlags("account add", "account add --name N --email E (--host H --port P --security S | --discover) --user U (--password-stdin | --password-cmd CMD) --retention R [flags]", e)
	name := fs.String("name", "", "display `NAME` of the account (unique)")
	email := fs.String("email", "", "email `ADDRESS`")
	host := fs.String("host", "", "incoming (POP3) server `HOST`")
	port := fs.String("port", "", "incoming `PORT` (995 with ssl, 110 with starttls/none)")
	security := fs.String("security", "", "`SECURITY`: ssl, starttls or none")
	user := fs.String("user", "", "`USER` name on the incoming server")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (a second line, if any, is the outgoing password)")
	pwCmd := fs.String("password-cmd", "", "`COMMAND` that prints the password (run at each login)")
	retention := fs.String("retention", "keep", "`RETENTION`: keep, delete, days:N or mirror")
	smtpSame := fs.Bool("smtp-same", false, "use the same credentials for the outgoing server (the default when no --smtp-host)")
	smtpHost := fs.String("smtp-host", "", "outgoing (SMTP) server `HOST`")
	smtpPort := fs.String("smtp-port", "", "outgoing `PORT` (465 with ssl, 587 with starttls)")
	smtpSec := fs.String("smtp-security", "", "`SECURITY` of the outgoing server: ssl, starttls or none")
	smtpUser := fs.String("smtp-user", "", "`USER` name on the outgoing server (default: the incoming one)")
	smtpPwCmd := fs.String("smtp-password-cmd", "", "`COMMAND` that prints the outgoing password")
	sharing := fs.String("sharing", "private", "`SHARING`: private or public (an admin policy may force it)")
	caFile := fs.String("ca-file", "", "`FILE` of extra CA certificates (PEM) to trust for this account")
	maxSize := fs.String("max-size", "", "largest message to fetch, a `SIZE` as in 512M (default 256M); larger ones stay on the server")
	noCheck := fs.Bool("no-check", false, "save without logging in to the server first")
	deliver := fs.String("deliver", "", deliverFlagHelp)
	trust := trustFlag(fs)
	ef := addEveryFlags(fs)
	of := addOAuthFlags(fs)
	df := addDiscoverFlag(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fs.bad("cli.use.flagsOnly", pos[0])
	}
	trustFP, err := parseTrust(fs, *trust)
	if err != nil {
		return err
	}
	auth, err := of.check(fs, *pwStdin || *pwCmd != "")
	if err != nil {
		return err
	}
	if *pwStdin && *pwCmd != "" {
		return fs.bad("cli.use.either", "--password-stdin", "--password-cmd")
	}
	if auth == mail.AuthPassword && !*pwStdin && *pwCmd == "" {
		return fs.bad("cli.use.needsPassword")
	}
	if *smtpSame && *smtpHost != "" {
		return fs.bad("cli.use.either", "--smtp-same", "--smtp-host")
	}
	*caFile = e.abs(*caFile)
	if err := checkCAFile(*caFile, e); err != nil {
		return err
	}
	disc, err := df.fill(fs, auth, e)
	if err != nil {
		return err
	}

	a := mail.Account{Name: strings.TrimSpace(*name), Email: strings.TrimSpace(*email), CAFile: *caFile}
	a.Incoming = mail.Server{Host: *host, User: *user, PasswordCmd: *pwCmd}
	of.apply(&a)
	var fe mail.FieldErrors
	if *port == "" {
		fe = append(fe, mail.FieldError{Field: mail.FieldPort, Code: mail.CodeRequired, Message: "Give the incoming port with --port (995 with ssl, 110 without)."})
	} else if p, perr := mail.ParsePort(mail.FieldPort, *port); perr != nil {
		return fs.badValue(*perr, *port, a)
	} else {
		a.Incoming.Port = p
	}
	if *security == "" {
		a.Incoming.Security = mail.SecurityForPort(a.Incoming.Port, false, mail.SecuritySSL)
	} else if s, serr := mail.ParseSecurity(*security); serr != nil {
		return fs.bad("cli.use.security", "--security", *security)
	} else {
		a.Incoming.Security = s
	}
	r, rerr := mail.ParseRetention(*retention)
	if rerr != nil || r.Kind == mail.RetainDays && (r.Days < 1 || r.Days > mail.MaxRetentionDays) {
		// days:0 is as bad a value as days:x: bad usage, exit 2.
		return fs.bad("cli.use.retention", *retention, mail.MaxRetentionDays)
	}
	a.Retention = r
	sh, sherr := mail.ParseSharing(*sharing)
	if sherr != nil {
		return fs.bad("cli.use.sharing", *sharing)
	}
	a.Sharing = sh
	if *maxSize != "" {
		n, err := mail.ParseSize(*maxSize)
		if err != nil {
			return fs.bad("cli.use.maxSize", *maxSize)
		}
		a.MaxMessageSize = n
	}
	if a.Deliver, err = parseDeliverFlag(fs, *deliver, a); err != nil {
		return err
	}

	if err := ef.apply(fs, &a); err != nil {
		return err
	}

	a.SMTPSame = *smtpHost == ""
	if !a.SMTPSame {
		a.Outgoing = mail.Server{Host: *smtpHost, User: *smtpUser, PasswordCmd: *smtpPwCmd,
			Auth: a.Incoming.Auth, TokenCmd: a.Incoming.TokenCmd}
		if a.Outgoing.User == "" {
			a.Outgoing.User = mail.WithoutRecentPrefix(a.Incoming.User)
		}
		sec := mail.SecuritySSL
		if *smtpSec != "" {
			s, serr := mail.ParseSecurity(*smtpSec)
			if serr != nil {
				return fs.bad("cli.use.security", "--smtp-security", *smtpSec)
			}
			sec = s
		}
		if *smtpPort == "" {
			a.Outgoing.Port = mail.DefaultPort(sec, true)
		} else if p, perr := mail.ParsePort(mail.FieldSMTPPort, *smtpPort); perr != nil {
			return fs.badValue(*perr, *smtpPort, a)
		} else {
			a.Outgoing.Port = p
		}
		if *smtpSec == "" {
			sec = mail.SecurityForPort(a.Outgoing.Port, true, sec)
		}
		a.Outgoing.Security = sec
	}
	disc.outgoing(&a)

	if *pwStdin {
		lines, err := readSecretLines(e, 2)
		if err != nil {
			return err
		}
		if len(lines) == 0 || lines[0] == "" {
			return errors.New(e.lang.Tr("cli.noPasswordStdin"))
		}
		a.Incoming.Password = lines[0]
		if !a.SMTPSame && a.Outgoing.PasswordCmd == "" {
			a.Outgoing.Password = lines[0]
			if len(lines) > 1 && lines[1] != "" {
				a.Outgoing.Password = lines[1]
			}
		}
	} else if !a.SMTPSame && a.Outgoing.PasswordCmd == "" {
		a.Outgoing.PasswordCmd = *pwCmd
	}
	// A client ID is needed before anything is asked of anyone.
	var prof oauth.Profile
	if signin.SignedIn(a) {
		if prof, err = signin.Profile(a, "", e.getenv); err != nil {
			return err
		}
		// Kept with the account, so that a fetch from cron needs no flag.
		a.OAuth.ClientID = prof.ClientID
	}

	// The database is made only when the account is about to be saved: a
	// refused login test or a wrong setting leaves no file behind.
	st, err := openWith(db, e, store.Options{NoCreate: true})
	if errors.Is(err, store.ErrNoDatabase) {
		st, err = nil, nil
	}
	if err != nil {
		return err
	}
	var taken []string
	if st != nil {
		defer st.Close()
		existing, err := st.Accounts()
		if err != nil {
			return err
		}
		for _, x := range existing {
			taken = append(taken, x.Name)
		}
	}
	fe = append(fe, a.Validate(taken)...)
	for _, w := range fe.Warnings() {
		fmt.Fprintf(e.stderr, "popbox: %s --%s: %s\n", e.lang.Tr("cli.warning"), w.Field, e.lang.Field(w, a, i18n.CLI))
	}
	if errs := fe.Errors(); len(errs) > 0 {
		for _, fe := range errs[1:] {
			fmt.Fprintf(e.stderr, "popbox: --%s: %s\n", fe.Field, e.lang.Field(fe, a, i18n.CLI))
		}
		// The sentence names the values given, so it needs the account.
		return accountError{err: errs[:1], acct: a}
	}
	var ts *signin.Token
	if signin.SignedIn(a) {
		// Sign in now; the refresh token is sealed once the account is saved.
		tok, err := signIn(prof, of.flow(), e)
		if err != nil {
			return err
		}
		if ts, err = signin.New(prof, tok, nil); err != nil {
			return err
		}
		signin.SetToken(&a, ts)
	}
	afterTrust, err := trustOnAdd(&a, trustFP, !*noCheck, e)
	if err != nil {
		return err
	}
	if !*noCheck {
		if err := checkIncoming(a, e); err != nil {
			return accountError{err: err, acct: a, adding: true}
		}
	}
	if st == nil {
		if st, err = openStore(db, e); err != nil {
			return err
		}
		defer st.Close()
	}
	saved, err := st.AddAccount(a)
	if err != nil {
		return err
	}
	if ts != nil {
		if err := st.SetRefreshToken(saved.ID, false, ts.RefreshToken()); err != nil {
			_ = st.RemoveAccount(saved.ID)
			return err
		}
	}
	if given(fs, "sharing") && saved.Sharing != a.Sharing {
		// The administrator's policy decided: say so, the user asked otherwise.
		fmt.Fprintf(e.stderr, "popbox: %s --sharing %s: %s\n", e.lang.Tr("cli.warning"), a.Sharing,
			e.lang.Tr("cli.sharingForced", saved.Sharing, saved.Name))
	}
	active, _ := st.ActiveID()
	note := ""
	if saved.ID == active {
		note = " (active)"
	}
	fmt.Fprintf(e.stdout, "Added account %s%s.\n", saved.Name, note)
	if afterTrust != nil {
		afterTrust()
	}
	return nil
}

// checkIncoming logs in to the POP3 server of a, with a spinner-free line on
// a terminal (the check takes a second or two).
func checkIncoming(a mail.Account, e env) error {
	tlsConf, err := mail.TLSConfig(a)
	if err != nil {
		return err
	}
	if e.stderrTTY {
		fmt.Fprintf(e.stderr, "Logging in to %s ...\r", a.Incoming.Address())
		defer fmt.Fprint(e.stderr, "\x1b[2K\r")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	_, err = mail.CheckPOP3(ctx, a, tlsConf)
	return err
}

// parseOneName parses flags of a command that takes one account name.
func parseOneName(fs *flags, args []string) (string, error) {
	pos, err := parse(fs, args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 {
		return "", fs.bad("cli.use.oneName", fs.Name())
	}
	return pos[0], nil
}

func cmdAccountUse(db string, args []string, e env) error {
	fs := newFlags("account use", "account use NAME", e)
	name, err := parseOneName(fs, args)
	if err != nil {
		return err
	}
	st, err := openExisting(db, e)
	if err != nil {
		return noData(err, &store.NotFoundError{Kind: store.ErrNoAccount, Name: name})
	}
	defer st.Close()
	if err := st.Use(name); err != nil {
		return err
	}
	a, err := st.Account(name)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s is now the active account.\n", a.Name)
	return nil
}

func cmdAccountPasswd(db string, args []string, e env) error {
	fs := newFlags("account passwd", "account passwd NAME --incoming|--outgoing [--password-stdin]", e)
	incoming := fs.Bool("incoming", false, "change the incoming (POP3) password")
	outgoing := fs.Bool("outgoing", false, "change the outgoing (SMTP) password")
	pwStdin := fs.Bool("password-stdin", false, "read the new password from standard input")
	name, err := parseOneName(fs, args)
	if err != nil {
		return err
	}
	if *incoming == *outgoing {
		return fs.bad("cli.use.passwdSide")
	}
	var pw string
	if *pwStdin || !e.stdinTTY {
		lines, err := readSecretLines(e, 1)
		if err != nil {
			return err
		}
		if len(lines) > 0 {
			pw = lines[0]
		}
	} else {
		pw, err = promptPassword(e, "New password: ")
		if err != nil {
			return err
		}
	}
	if pw == "" {
		return errors.New(e.lang.Tr("cli.passwordEmptyStdin"))
	}
	st, err := openExisting(db, e)
	if err != nil {
		return noData(err, &store.NotFoundError{Kind: store.ErrNoAccount, Name: name})
	}
	defer st.Close()
	if err := st.SetPassword(name, *outgoing, pw); err != nil {
		return err
	}
	side := "incoming"
	if *outgoing {
		side = "outgoing"
	}
	fmt.Fprintf(e.stdout, "Changed the %s password of %s.\n", side, name)
	return nil
}

func cmdAccountRemove(db string, args []string, e env) error {
	fs := newFlags("account remove", "account remove NAME", e)
	name, err := parseOneName(fs, args)
	if err != nil {
		return err
	}
	st, err := openExisting(db, e)
	if err != nil {
		return noData(err, &store.NotFoundError{Kind: store.ErrNoAccount, Name: name})
	}
	defer st.Close()
	a, err := st.Account(name)
	if err != nil {
		return err
	}
	if err := st.RemoveAccount(a.ID); err != nil {
		return err
	}
	msg := fmt.Sprintf("Removed account %s and its cached mail (the server copy is untouched).", a.Name)
	if next, err := st.Active(); err == nil {
		msg += fmt.Sprintf(" %s is the active account.", next.Name)
	}
	fmt.Fprintln(e.stdout, msg)
	return nil
}
