package i18n

import (
	"errors"
	"strings"

	"popbox/mail"
)

// fieldError is the sentence for account settings that break a rule
// (mail.FieldErrors): the first blocking problem, named by its field (the
// CLI names the flag).
func (l Lang) fieldError(err error, sc Scene) string {
	var fe mail.FieldErrors
	if !errors.As(err, &fe) || len(fe.Errors()) == 0 {
		var one *mail.FieldError
		if !errors.As(err, &one) {
			return ""
		}
		fe = mail.FieldErrors{*one}
	}
	first := fe.Errors()[0]
	text := l.Field(first, sc.Account, sc.Front)
	if sc.Front == CLI {
		return "--" + first.Field + ": " + text
	}
	return text
}

// Field is the sentence for one problem of an account's settings, for the
// front end f: the entry for its code (and field), with a CLI variant
// where the CLI's words differ (flag values instead of screen labels).
func (l Lang) Field(fe mail.FieldError, a mail.Account, f Front) string {
	smtp := strings.HasPrefix(fe.Field, "smtp-")
	srv, example := a.Incoming, "pop.example.com"
	if smtp {
		srv, example = a.Outgoing, "smtp.example.com"
	}
	tlsPort, plainPort := mail.DefaultPort(mail.SecuritySSL, smtp), mail.DefaultPort(mail.SecurityStartTLS, smtp)
	k := "err." + fe.Code
	if fe.Code == mail.CodeRequired && Has(k+"."+fe.Field) {
		k += "." + fe.Field
	}
	if f == CLI && Has("cli."+k) {
		k = "cli." + k
	}
	switch fe.Code {
	case mail.CodeRequired, mail.CodePlainPassword, mail.CodeRecentKeep, mail.CodeBadChars, mail.CodeBadRetention, mail.CodeBadDeliver:
		return l.Tr(k)
	case mail.CodeBadEmail:
		return l.Tr(k, safe(a.Email))
	case mail.CodeHostScheme:
		return l.Tr(k, example)
	case mail.CodeHostInvalid:
		return l.Tr(k, safe(srv.Host), example)
	case mail.CodePortRange, mail.CodePortNumber:
		return l.Tr(k, tlsPort, plainPort)
	case mail.CodePlainOnTLS:
		return l.Tr(k, srv.Port)
	case mail.CodeTLSOnPlain:
		return l.Tr(k, srv.Port, tlsPort)
	case mail.CodeDaysRange:
		return l.Tr(k, mail.MaxRetentionDays)
	case mail.CodeSizeRange:
		return l.Tr(k, mail.FormatSize(mail.MinMessageSizeLimit), mail.FormatSize(mail.MaxMessageSizeLimit))
	case mail.CodeEveryRange:
		return l.Tr(k, mail.MinEvery.String(), mail.MaxEvery.String())
	case mail.CodeDuplicateName:
		return l.Tr(k, safe(a.Name))
	case mail.CodeBadAlias, mail.CodeOwnAlias:
		x, _ := a.BadAlias()
		return l.Tr(k, safe(x))
	}
	return safe(fe.Message)
}
