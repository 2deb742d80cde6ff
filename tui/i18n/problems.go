package i18n

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"popbox/mail"
	"popbox/store"
)

// Front is the front end that shows a sentence: its advice names a
// command (the CLI) or a key (the TUI).
type Front int

const (
	CLI Front = iota
	Screen
)

// Task is what the TUI was doing when the error came: the advice differs
// between a fetch (go to the accounts screen), the password dialog (type
// it again), the wizard's connection test (check the fields) and anything
// else (the error alone). On the CLI only TaskTest differs: account add's
// login test, before the account is saved, so the advice cannot be a
// command on that account.
type Task int

const (
	TaskFetch Task = iota
	TaskDialog
	TaskTest
	TaskOther
)

// Scene is where an error is shown and what it is about.
type Scene struct {
	Front Front
	Task  Task // for Screen; TaskTest for the CLI's account add
	// Account is the account the error concerns: its servers, user and
	// name fill the sentence. Zero when the error concerns none.
	Account mail.Account
	// Outgoing: the error came from the outgoing (SMTP) server.
	Outgoing bool
}

// Error turns err into one sentence for the user, in l: what happened,
// then what to do, with the advice of sc's front end. Text that comes from
// outside (a server's words, a path) is made safe for the terminal.
func (l Lang) Error(err error, sc Scene) string {
	return l.finish(l.Sentence(err, sc), sc.Front)
}

// Sentence is Error without the CLI's full stop.
func (l Lang) Sentence(err error, sc Scene) string {
	if err == nil {
		return ""
	}
	if sc.Front == CLI && sc.Task == TaskTest {
		return l.unsaved(err, l.sentence(err, sc))
	}
	return l.sentence(err, sc)
}

// unsaved is the sentence of a failed login test of account add: what
// happened, then that nothing was saved and how to try again.
func (l Lang) unsaved(err error, what string) string {
	what = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(what), "."), "。")
	if errors.Is(err, mail.ErrAuth) {
		return l.Tr("cli.nothingSavedAuth", what)
	}
	return l.Tr("cli.nothingSaved", what)
}

func (l Lang) sentence(err error, sc Scene) string {
	s, known := l.signInError(err, sc)
	if !known {
		s, known = l.deliveryError(err, sc)
	}
	if !known {
		s, known = l.storeError(err, sc)
	}
	if !known {
		s, known = l.mailError(err, sc)
	}
	if !known {
		s = l.fieldError(err, sc)
	}
	if s == "" {
		s = l.other(err, sc)
	}
	return s
}

// finish makes a CLI line a sentence: it ends with a full stop. Its
// capital comes from the catalog: an entry starts with a capital where its
// first word is the catalog's own, and a name (a host, a file, an account)
// is printed as it was given, never capitalised.
func (l Lang) finish(s string, f Front) string {
	s = strings.TrimSpace(s)
	if f != CLI || s == "" {
		return s
	}
	if l == JA {
		if !strings.HasSuffix(s, "。") && !strings.HasSuffix(s, ".") {
			s += "。"
		}
		return s
	}
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// other is an error of no known kind: its own text, as it is (it may start
// with a name), in a frame that says what failed on the screen.
func (l Lang) other(err error, sc Scene) string {
	text := mail.SafeLine(strings.TrimSpace(err.Error()))
	if text == "" {
		text = l.Tr("err.unknown")
	}
	if sc.Front == CLI {
		return text
	}
	switch sc.Task {
	case TaskFetch:
		return l.Tr("fetch.errFetch", text)
	case TaskDialog:
		return l.Tr("fetch.errCheck", text)
	case TaskTest:
		return l.Tr("wizard.test.other", text)
	}
	return text
}

// join puts what happened and what to do together.
func (l Lang) join(what, fix string) string {
	if fix == "" {
		return what
	}
	if l == JA {
		return strings.TrimSuffix(what, "。") + "。" + fix
	}
	return what + "; " + fix
}

// side is "incoming" or "outgoing" in l.
func (l Lang) side(s string) string {
	if strings.HasPrefix(s, "outgoing") {
		return l.Tr("side.outgoing")
	}
	return l.Tr("side.incoming")
}

// storeError is the sentence for an error of package store.
func (l Lang) storeError(err error, sc Scene) (string, bool) {
	cli := sc.Front == CLI
	var (
		nf  *store.NotFoundError
		de  *store.DamagedError
		ke  *store.KeyFileError
		oe  *store.OpenError
		pe  *store.PolicyError
		sce *store.SameCredentialsError
	)
	switch {
	case errors.As(err, &nf):
		switch {
		case nf.Kind == store.ErrNoMessage && cli:
			return l.Tr("cli.noMessage", safe(nf.ID)), true
		case nf.Kind == store.ErrNoMessage:
			return l.Tr("screen.noMessage", safe(nf.ID)), true
		case !cli:
			return l.Tr("fetch.errNoAccount"), true
		case nf.Name != "":
			return l.Tr("cli.noAccountNamed", safe(nf.Name)), true
		case nf.ID != "":
			return l.Tr("cli.noAccountID", safe(nf.ID)), true
		}
		return l.Tr("cli.noAccount"), true
	case errors.As(err, &de):
		what := l.Tr("store.theDatabase", safe(de.Path))
		if de.MessageID != "" {
			what = l.Tr("store.messageIn", safe(de.MessageID), safe(de.Path))
		}
		return l.Tr("store.damaged", what, safe(de.Detail), Shell(de.Path)), true
	case errors.As(err, &ke):
		var what string
		switch ke.Problem {
		case store.KeyMissing:
			what = l.Tr("key.missing", safe(ke.Path))
		case store.KeyUnreadable:
			what = l.Tr("key.unreadable", safe(ke.Path), safe(ke.Detail))
		case store.KeyDamaged:
			what = l.Tr("key.damaged", safe(ke.Path), safe(ke.Detail))
		default:
			what = l.Tr("key.mismatch", safe(ke.Path), l.side(ke.Side), safe(ke.Account))
		}
		if !cli {
			return l.join(what, l.Tr("screen.key.fix")), true
		}
		cmd := "popbox account passwd"
		if ke.Account != "" {
			cmd += " " + Shell(ke.Account) + " --" + ke.Side
		}
		return l.join(what, l.Tr("cli.key.fix", cmd)), true
	case errors.As(err, &sce):
		if !cli {
			return l.Tr("screen.sameCredentials", safe(sce.Account)), true
		}
		return l.Tr("cli.sameCredentials", safe(sce.Account), Shell(sce.Account)), true
	case errors.Is(err, store.ErrPasswordEmpty):
		return l.Tr("store.passwordEmpty"), true
	case errors.Is(err, store.ErrPasswordChars):
		return l.Tr("store.passwordChars"), true
	case errors.As(err, &pe):
		return l.Tr("store.policy", safe(pe.Path), safe(pe.Why)), true
	case errors.As(err, &oe):
		return l.openError(oe), true
	}
	return "", false
}

// openError is why the database or key file was refused.
func (l Lang) openError(e *store.OpenError) string {
	path := safe(e.Path)
	switch e.Err {
	case store.ErrLocked:
		return l.Tr("open.locked", path)
	case store.ErrNewerSchema:
		return l.Tr("open.newer", path, e.Schema)
	case store.ErrNoDatabase:
		return l.Tr("open.noDatabase", path)
	case store.ErrKeyFile:
		return l.Tr("open.keyFile", path, safe(e.Reason))
	case store.ErrUnsafe:
		what := l.Tr("open.theDatabase")
		if e.Key {
			what = l.Tr("open.theKeyFile")
		}
		u := e.Unsafe
		by := l.Tr("open.byGroup")
		if u.ByOthers {
			by = l.Tr("open.byOthers")
		}
		var reason, fix string
		switch u.Problem {
		case store.OwnedByOther:
			reason = l.Tr("open.ownedByOther", safe(u.Owner), safe(u.Me))
			fix = l.Tr("open.fixOwner", safe(u.Me), Shell(e.Path))
		case store.Writable:
			reason = l.Tr("open.writable", by, u.Mode)
			fix = l.Tr("open.fixWritable", Shell(e.Path))
		case store.FolderOwnedByOther:
			reason = l.Tr("open.folderOwned", safe(u.Folder), safe(u.Owner))
			fix = l.Tr("open.fixFolderOwned")
		default:
			reason = l.Tr("open.folderWritable", safe(u.Folder), by, u.Mode)
			fix = l.Tr("open.fixFolderWritable", Shell(u.Folder))
		}
		return l.Tr("open.unsafe", what, path, reason, fix)
	}
	return l.Tr("open.notDatabase", path, safe(e.Reason))
}

// safe makes text from outside one terminal-safe line.
func safe(s string) string { return mail.SafeLine(s) }

// mailError is the sentence for a failure talking to a server. It needs
// the account the error concerns; without one it is not known here.
func (l Lang) mailError(err error, sc Scene) (string, bool) {
	a := sc.Account
	if a.Incoming.Host == "" && !errors.Is(err, context.DeadlineExceeded) {
		return "", false
	}
	srv := a.Incoming
	if sc.Outgoing {
		srv = a.SMTP()
	}
	switch {
	case sc.Front == CLI && sc.Outgoing:
		return l.cliSMTP(err, a, srv)
	case sc.Front == CLI:
		return l.cliPOP3(err, a, srv, sc.Task == TaskTest)
	case sc.Task == TaskTest:
		return l.testProblem(err, a, srv, sc.Outgoing)
	}
	return l.screenProblem(err, a, srv, sc)
}

// hasAppPasswords says whether the account's provider wants an app
// password with 2-step verification.
func hasAppPasswords(host, email string) bool {
	if _, ok := mail.PresetFor(email); ok {
		return true
	}
	h := strings.ToLower(host + " " + mail.Domain(email))
	for _, p := range []string{"gmail", "google", "zoho", "outlook", "office365", "hotmail", "live.com", "yahoo"} {
		if strings.Contains(h, p) {
			return true
		}
	}
	return false
}

// AppPasswordHint is the hint for providers that want an app password,
// or "" for others.
func (l Lang) AppPasswordHint(host, email string) string {
	if hasAppPasswords(host, email) {
		return l.Tr("pw.appPassword")
	}
	return ""
}

// cliPOP3 is the CLI's sentence for a failure of the incoming server;
// adding: in account add's login test, where the account is not saved yet
// and commands on it do not work.
func (l Lang) cliPOP3(err error, a mail.Account, in mail.Server, adding bool) (string, bool) {
	host := safe(in.Host)
	switch {
	case errors.Is(err, mail.ErrAuth):
		hint := ""
		if hasAppPasswords(in.Host, a.Email) {
			hint = l.Tr("cli.appPasswordHint")
		}
		if adding {
			return l.Tr("cli.authAdding", host, safe(in.User), hint), true
		}
		return l.Tr("cli.auth", host, safe(in.User), Shell(a.Name), "--incoming", hint), true
	case errors.Is(err, mail.ErrTLSMismatch):
		return l.Tr("cli.tlsMismatch", host, in.Port, in.Security.String(), mail.DefaultPort(mail.SecuritySSL, false), mail.DefaultPort(mail.SecurityStartTLS, false)), true
	case errors.Is(err, mail.ErrCertificate):
		return l.certSentence(err, CLI, a, in, false, adding), true
	case errors.Is(err, mail.ErrNoSTARTTLS) && adding:
		return l.Tr("cli.noSTARTTLSAdding", host, in.Port), true
	case errors.Is(err, mail.ErrNoSTARTTLS):
		return l.Tr("cli.noSTARTTLS", host, in.Port), true
	case errors.Is(err, mail.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return l.Tr("cli.timeout", host, in.Port), true
	case errors.Is(err, mail.ErrUnreachable):
		return l.Tr("cli.unreachable", host, in.Port, safe(rootCause(err))), true
	case errors.Is(err, mail.ErrNoUIDL) && adding:
		return l.Tr("cli.noUIDLAdding", host), true
	case errors.Is(err, mail.ErrNoUIDL):
		return l.Tr("cli.noUIDL", host), true
	case errors.Is(err, mail.ErrQuitRefused):
		return l.Tr("cli.quitRefused", host, safe(rootCause(err))), true
	case errors.Is(err, mail.ErrMailbox):
		return l.Tr("cli.mailbox", host, safe(rootCause(err))), true
	case errors.Is(err, mail.ErrTokenRefused) && adding:
		return l.Tr("cli.tokenRefusedAdding", host, safe(in.User)), true
	case errors.Is(err, mail.ErrTokenRefused):
		return l.Tr("cli.tokenRefused", host, safe(in.User), Shell(a.Name)), true
	case errors.Is(err, mail.ErrTokenCmd):
		return l.Tr("cli.tokenCmd", safe(err.Error())), true
	case errors.Is(err, mail.ErrNoToken) && adding:
		return l.Tr("cli.noTokenAdding"), true
	case errors.Is(err, mail.ErrNoToken):
		return l.Tr("cli.noToken", safe(a.Name), Shell(a.Name)), true
	case errors.Is(err, mail.ErrNoOAuthMech):
		return l.Tr("cli.noOAuthMech", host), true
	case errors.Is(err, mail.ErrPasswordCmd) && adding:
		return l.Tr("cli.passwordCmdAdding", safe(err.Error())), true
	case errors.Is(err, mail.ErrPasswordCmd):
		return l.Tr("cli.passwordCmd", safe(a.Name), safe(err.Error()), Shell(a.Name)), true
	case errors.Is(err, mail.ErrLoginDelay):
		return l.loginDelay(err, CLI, a), true
	case errors.Is(err, mail.ErrProtocol):
		return l.Tr("cli.protocol", host, in.Port, safe(rootCause(err))), true
	}
	return "", false
}

func (l Lang) cliSMTP(err error, a mail.Account, s mail.Server) (string, bool) {
	host := safe(s.Host)
	switch {
	case errors.Is(err, mail.ErrAuth):
		side := "--outgoing"
		if a.SMTPSame {
			side = l.Tr("cli.sameSide")
		}
		return l.Tr("cli.auth", host, safe(s.User), Shell(a.Name), side, ""), true
	case errors.Is(err, mail.ErrTLSMismatch):
		return l.Tr("cli.tlsMismatch", host, s.Port, s.Security.String(), mail.DefaultPort(mail.SecuritySSL, true), mail.DefaultPort(mail.SecurityStartTLS, true)), true
	case errors.Is(err, mail.ErrCertificate):
		return l.certSentence(err, CLI, a, s, true, false), true
	case errors.Is(err, mail.ErrNoSTARTTLS):
		return l.Tr("cli.smtpNoSTARTTLS", host, s.Port), true
	case errors.Is(err, mail.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return l.Tr("cli.smtpTimeout", host, s.Port), true
	case errors.Is(err, mail.ErrUnreachable):
		return l.Tr("cli.smtpUnreachable", host, s.Port, safe(rootCause(err))), true
	case errors.Is(err, mail.ErrProtocol):
		return l.Tr("cli.smtpProtocol", host, s.Port, safe(rootCause(err))), true
	}
	return l.cliPOP3(err, a, s, false)
}

// screenProblem is a fetch's or the password dialog's sentence.
func (l Lang) screenProblem(err error, a mail.Account, srv mail.Server, sc Scene) (string, bool) {
	host, user, port := safe(srv.Host), safe(srv.User), srv.Port
	if user == "" {
		user = safe(a.Email)
	}
	switch {
	case errors.Is(err, mail.ErrAuth):
		var s string
		switch {
		case sc.Task == TaskDialog:
			s = l.Tr("fetch.errAuthDialog", host, user)
		case sc.Outgoing:
			s = l.Tr("fetch.errAuthOutgoing", host, user)
		default:
			s = l.Tr("fetch.errAuth", host, user)
		}
		if hint := l.AppPasswordHint(srv.Host, a.Email); hint != "" {
			s += " " + hint
		}
		return s, true
	case errors.Is(err, mail.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return l.Tr("fetch.errTimeout", host), true
	case errors.Is(err, mail.ErrUnreachable):
		return l.Tr("fetch.errUnreachable", host, port), true
	case errors.Is(err, mail.ErrTLSMismatch):
		return l.Tr("fetch.errTlsMismatch", port, host), true
	case errors.Is(err, mail.ErrCertificate):
		return l.certSentence(err, Screen, a, srv, sc.Outgoing, false), true
	case errors.Is(err, mail.ErrQuitRefused):
		return l.Tr("fetch.errQuitRefused", host), true
	case errors.Is(err, mail.ErrNoSTARTTLS):
		return l.Tr("fetch.errNoSTARTTLS", host, port), true
	case errors.Is(err, mail.ErrNoUIDL):
		return l.Tr("fetch.errNoUIDL", host), true
	case errors.Is(err, mail.ErrLoginDelay):
		return l.loginDelay(err, Screen, a), true
	case errors.Is(err, mail.ErrMailbox):
		return l.Tr("fetch.errMailbox", host), true
	case errors.Is(err, mail.ErrTokenRefused):
		return l.Tr("fetch.errTokenRefused", host, user), true
	case errors.Is(err, mail.ErrTokenCmd):
		return l.Tr("fetch.errTokenCmd", safe(a.Name), safe(err.Error())), true
	case errors.Is(err, mail.ErrNoToken):
		return l.Tr("fetch.errNoToken", safe(a.Name)), true
	case errors.Is(err, mail.ErrNoOAuthMech):
		return l.Tr("fetch.errNoOAuthMech", host), true
	case errors.Is(err, mail.ErrPasswordCmd):
		return l.Tr("fetch.errPasswordCmd", safe(a.Name), safe(err.Error())), true
	case errors.Is(err, mail.ErrProtocol):
		return l.Tr("fetch.errProtocol", host, port), true
	}
	return "", false
}

// testProblem is the wizard's connection test's sentence.
func (l Lang) testProblem(err error, a mail.Account, srv mail.Server, outgoing bool) (string, bool) {
	tlsPort, plainPort := mail.DefaultPort(mail.SecuritySSL, outgoing), mail.DefaultPort(mail.SecurityStartTLS, outgoing)
	host := safe(srv.Host)
	switch {
	case errors.Is(err, mail.ErrAuth):
		return l.Tr("wizard.test.auth", host), true
	case errors.Is(err, mail.ErrTLSMismatch):
		return l.Tr("wizard.test.tls-mismatch", tlsPort, plainPort), true
	case errors.Is(err, mail.ErrCertificate):
		if s, ok := l.pinMismatch(err, Screen, a, outgoing, false); ok {
			return s, true
		}
		var ce *mail.CertError
		if errors.As(err, &ce) && ce.Reason == mail.CertSelfSigned {
			return l.Tr("wizard.test.self-signed", host), true
		}
		if errors.As(err, &ce) && ce.Reason != mail.CertUntrusted && ce.Reason != mail.CertInvalid {
			return l.certProblem(err, Screen, srv.Host, a.CAFile), true
		}
		return l.Tr("wizard.test.certificate", host), true
	case errors.Is(err, mail.ErrNoSTARTTLS):
		return l.Tr("wizard.test.no-starttls", host, tlsPort), true
	case errors.Is(err, mail.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return l.Tr("wizard.test.timeout", host), true
	case errors.Is(err, mail.ErrUnreachable):
		return l.Tr("wizard.test.unreachable", safe(srv.Address())), true
	}
	return l.screenProblem(err, a, srv, Scene{Front: Screen, Task: TaskTest, Account: a, Outgoing: outgoing})
}

// certProblem says why a certificate was refused and what helps: a CA
// file helps only a certificate signed by an unknown CA, never one that
// has expired or is for another name.
func (l Lang) certProblem(err error, f Front, host, caFile string) string {
	p := "fetch."
	if f == CLI {
		p = "cli."
	}
	h := safe(host)
	var ce *mail.CertError
	if !errors.As(err, &ce) {
		if f == CLI {
			return l.Tr("cli.errCertificate", h, safe(rootCause(err)))
		}
		return l.Tr("fetch.errCertificate", h)
	}
	switch ce.Reason {
	case mail.CertWrongHost:
		return l.Tr(p+"errCertHost", h, safe(strings.Join(ce.Names, ", ")))
	case mail.CertExpired:
		return l.Tr(p+"errCertExpired", h, ce.When.UTC().Format("2006-01-02"))
	case mail.CertNotYetValid:
		if f == CLI {
			return l.Tr("cli.errCertNotYet", h, ce.When.UTC().Format("2006-01-02"), time.Now().UTC().Format("2006-01-02"))
		}
		return l.Tr("fetch.errCertNotYet", h, ce.When.UTC().Format("2006-01-02"))
	case mail.CertSelfSigned:
		return l.Tr(p+"errCertSelfSigned", h)
	case mail.CertUntrusted:
		if caFile != "" {
			return l.Tr(p+"errCertCAFile", h, safe(caFile))
		}
		if f == CLI {
			return l.Tr("cli.errCertUntrusted", h)
		}
	}
	if f == CLI {
		return l.Tr("cli.errCertRefused", h, safe(ce.Detail))
	}
	return l.Tr("fetch.errCertificate", h)
}

// loginDelay says that the server wants more time between logins.
func (l Lang) loginDelay(err error, f Front, a mail.Account) string {
	host := safe(a.Incoming.Host)
	var le *mail.LoginDelayError
	if errors.As(err, &le) {
		if f == CLI {
			return l.Tr("cli.loginDelayUntil", host, l.Duration(le.Delay), le.Last.Local().Format("15:04:05"), le.Next.Local().Format("15:04:05"))
		}
		return l.Tr("fetch.errLoginDelayFor", host, l.Duration(le.Delay))
	}
	if d := a.Hints.LoginDelay; d > 0 {
		if f == CLI {
			return l.Tr("cli.loginDelayFor", host, l.Duration(d))
		}
		return l.Tr("fetch.errLoginDelayFor", host, l.Duration(d))
	}
	if f == CLI {
		return l.Tr("cli.loginDelay", host)
	}
	return l.Tr("fetch.errLoginDelay", host)
}

// Duration is a short duration for a sentence: "5 min", "30 s".
func (l Lang) Duration(d time.Duration) string {
	if d >= time.Minute {
		return l.Tr("app.minutes", int((d+time.Minute-1)/time.Minute))
	}
	return l.Tr("app.seconds", int((d+time.Second-1)/time.Second))
}

// rootCause is the innermost error's text, for the parenthesis of a
// sentence. An error that wraps several (a kind and its cause, as in
// fmt.Errorf("%w: %w", kind, cause)) is followed into the last, its cause.
// A long text (a server's line) is cut.
func rootCause(err error) string {
	for {
		var next error
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			next = u.Unwrap()
		case interface{ Unwrap() []error }:
			if errs := u.Unwrap(); len(errs) > 0 {
				next = errs[len(errs)-1]
			}
		}
		if next == nil {
			return cut(strings.TrimSuffix(err.Error(), "."), maxCause)
		}
		err = next
	}
}

// maxCause is the most of a cause's text a sentence quotes, in bytes.
const maxCause = 200

// cut shortens s to at most n bytes, at a rune boundary, marking the cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
