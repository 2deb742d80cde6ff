package main

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"popbox/mail"
	"popbox/store"
)

// accountError is a failure while talking to an account's servers; the
// sentence it becomes names the account and the fix.
type accountError struct {
	err  error
	acct mail.Account
}

func (e accountError) Error() string { return sentenceFor(e.err, e.acct) }
func (e accountError) Unwrap() error { return e.err }

// sentence turns any error into the one line the CLI prints: it ends with a
// full stop and starts with a capital.
func sentence(err error) string {
	s := strings.TrimSpace(err.Error())
	var de *store.DamagedError
	if errors.As(err, &de) {
		s = de.Error() // it says what to do; the inner context adds nothing
	}
	var fe mail.FieldErrors
	if errors.As(err, &fe) && len(fe.Errors()) > 0 {
		first := fe.Errors()[0]
		s = "--" + first.Field + ": " + first.Message
	}
	if s == "" {
		s = "unknown error"
	}
	s = mail.SafeLine(s)
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return capitalise(s)
}

// capitalise starts a sentence with a capital letter, unless its first word
// is a name (a file, a host, an address: anything but letters), which is
// printed as it was given.
func capitalise(s string) string {
	word, _, _ := strings.Cut(s, " ")
	for _, r := range word {
		if !unicode.IsLetter(r) {
			return s
		}
	}
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

// sentenceFor explains a POP3 failure of account a: what happened, then what
// to do.
func sentenceFor(err error, a mail.Account) string {
	in := a.Incoming
	host := in.Host
	switch {
	case errors.Is(err, mail.ErrAuth):
		hint := ""
		if _, ok := mail.PresetFor(a.Email); ok {
			hint = " (with 2-step verification, use an app password, and check that POP is enabled in the provider's settings)"
		}
		return fmt.Sprintf("%s refused the password for %s. Set it again with: popbox account passwd %s --incoming%s.", host, in.User, quoteName(a.Name), hint)
	case errors.Is(err, mail.ErrTLSMismatch):
		return fmt.Sprintf("%s:%d did not speak the expected protocol for security %s: the port and the SSL setting do not match. Use ssl on port 995 or starttls on port 110.", host, in.Port, in.Security)
	case errors.Is(err, mail.ErrCertificate):
		return certSentence(err, host, a.CAFile)
	case errors.Is(err, mail.ErrNoSTARTTLS):
		return fmt.Sprintf("%s:%d does not offer STARTTLS, so the password would go in clear text. Use ssl on port 995, or --security none only on a network you trust.", host, in.Port)
	case errors.Is(err, mail.ErrTimeout):
		return fmt.Sprintf("%s:%d stopped answering (timed out). Check the network and the port, then try again; nothing was lost.", host, in.Port)
	case errors.Is(err, mail.ErrUnreachable):
		return fmt.Sprintf("Cannot reach %s:%d (%v). Check the server name and port, and the network.", host, in.Port, rootCause(err))
	case errors.Is(err, mail.ErrNoUIDL):
		return fmt.Sprintf("%s does not support UIDL, so popbox cannot tell new mail from old; only retention delete works with it. Change the account's retention to delete.", host)
	case errors.Is(err, mail.ErrQuitRefused):
		return fmt.Sprintf("%s did not confirm the end of the session (%v), so the messages popbox asked it to delete may still be on the server. Nothing was lost; the next fetch deletes them again.", host, rootCause(err))
	case errors.Is(err, mail.ErrMailbox):
		return fmt.Sprintf("%s could not open the mailbox (%v): another client may be using it. Try again in a minute; if it persists, select a new mailbox or ask the administrator.", host, rootCause(err))
	case errors.Is(err, mail.ErrPasswordCmd):
		return fmt.Sprintf("The password command of %s failed (%v). Fix it, or set a password with popbox account passwd %s --incoming.", a.Name, rootCause(err), quoteName(a.Name))
	case errors.Is(err, mail.ErrLoginDelay):
		return sentence(err)
	case errors.Is(err, mail.ErrProtocol):
		return fmt.Sprintf("%s:%d answered something that is not POP3 (%v). Check the server name and port.", host, in.Port, rootCause(err))
	}
	return sentence(err)
}

// certSentence says why a certificate was refused and what helps: a CA
// file only helps a certificate signed by an unknown CA, and never one
// that has expired or is for another name.
func certSentence(err error, host, caFile string) string {
	var ce *mail.CertError
	if !errors.As(err, &ce) {
		return fmt.Sprintf("The certificate of %s is not trusted (%v). If the server uses a private CA, pass its file with --ca-file or SSL_CERT_FILE.", host, rootCause(err))
	}
	switch ce.Reason {
	case mail.CertWrongHost:
		return fmt.Sprintf("The certificate of %s is for %s, not for %s. Check the server name (it may have to be the name on the certificate); a CA file does not change this.", host, strings.Join(ce.Names, ", "), host)
	case mail.CertExpired:
		return fmt.Sprintf("The certificate of %s expired on %s. The server's administrator has to renew it; if that date has not come yet, set this computer's clock right.", host, ce.When.UTC().Format("2006-01-02"))
	case mail.CertNotYetValid:
		return fmt.Sprintf("The certificate of %s is not valid before %s. Check this computer's clock (it says %s), or ask the server's administrator.", host, ce.When.UTC().Format("2006-01-02"), time.Now().UTC().Format("2006-01-02"))
	case mail.CertUntrusted:
		if caFile != "" {
			return fmt.Sprintf("The certificate of %s is not signed by the CA in %s, nor by one this system trusts. Check that %s holds the CA that signed the server's certificate (and any intermediate one).", host, caFile, caFile)
		}
		return fmt.Sprintf("The certificate of %s is not signed by a CA this system trusts. If the server uses a private CA, pass its file with --ca-file or SSL_CERT_FILE.", host)
	}
	return fmt.Sprintf("The certificate of %s was refused (%s). Ask the server's administrator.", host, ce.Detail)
}

// sentenceForSMTP explains an outgoing-server failure.
func sentenceForSMTP(err error, a mail.Account) string {
	s := a.SMTP()
	side := "--outgoing"
	if a.SMTPSame {
		side = "--incoming (the outgoing server uses the same credentials)"
	}
	switch {
	case errors.Is(err, mail.ErrAuth):
		return fmt.Sprintf("%s refused the password for %s. Set it again with: popbox account passwd %s %s.", s.Host, s.User, quoteName(a.Name), side)
	case errors.Is(err, mail.ErrTLSMismatch):
		return fmt.Sprintf("%s:%d did not speak the expected protocol for security %s. Use ssl on port 465 or starttls on port 587.", s.Host, s.Port, s.Security)
	case errors.Is(err, mail.ErrCertificate):
		return certSentence(err, s.Host, a.CAFile)
	case errors.Is(err, mail.ErrNoSTARTTLS):
		return fmt.Sprintf("%s:%d does not offer STARTTLS. Use ssl on port 465.", s.Host, s.Port)
	case errors.Is(err, mail.ErrTimeout):
		return fmt.Sprintf("%s:%d stopped answering (timed out). Check the network and the port.", s.Host, s.Port)
	case errors.Is(err, mail.ErrUnreachable):
		return fmt.Sprintf("Cannot reach %s:%d (%v). Check the server name and port.", s.Host, s.Port, rootCause(err))
	}
	return sentence(err)
}

// rootCause is the innermost error's text, for the parenthesis of a sentence.
func rootCause(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return strings.TrimSuffix(err.Error(), ".")
		}
		err = next
	}
}

func quoteName(n string) string {
	if strings.ContainsAny(n, " \t'\"$`\\") {
		return "'" + strings.ReplaceAll(n, "'", `'\''`) + "'"
	}
	return n
}
