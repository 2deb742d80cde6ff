package tui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/textinput"

	"popbox/mail"
	"popbox/store/signin"
)

// wizardField is one field of the setup form, in the order of the form.
type wizardField int

// The fields of the setup form, in the spec's order.
const (
	wfName wizardField = iota
	wfEmail
	wfHost
	wfPort
	wfSecurity
	wfUser
	wfAuth
	wfPassword
	wfClientID
	wfClientSecret
	wfOAuthDevice
	wfOAuthAuth
	wfOAuthToken
	wfOAuthScopes
	wfSignIn
	wfSMTPSame
	wfSMTPHost
	wfSMTPPort
	wfSMTPSecurity
	wfSMTPUser
	wfSMTPPassword
	wfRetention
	wfDays
	wfSharing
	wfFetchEvery
	wfCAFile
	wfAliases
	wfReplyJIS
	wfCount
)

// wizardKind is how a field is edited.
type wizardKind int

const (
	wkText   wizardKind = iota // free text
	wkPort                     // digits, or toggled between the two usual ports
	wkSecret                   // masked text
	wkNumber                   // digits
	wkChoice                   // one of a few values, cycled
	wkCheck                    // on or off
	wkAction                   // a step to take (the sign-in), with its state
)

// wizardFields gives each field its name (mail's FieldError.Field where
// there is one; also the stem of its "field." and "hint." catalog keys) and
// its kind.
var wizardFields = [wfCount]struct {
	name string
	kind wizardKind
}{
	wfName:         {mail.FieldName, wkText},
	wfEmail:        {mail.FieldEmail, wkText},
	wfHost:         {mail.FieldHost, wkText},
	wfPort:         {mail.FieldPort, wkPort},
	wfSecurity:     {mail.FieldSecurity, wkChoice},
	wfUser:         {mail.FieldUser, wkText},
	wfAuth:         {"auth", wkChoice},
	wfPassword:     {mail.FieldPassword, wkSecret},
	wfClientID:     {"oauth-client-id", wkText},
	wfClientSecret: {"oauth-client-secret", wkText},
	wfOAuthDevice:  {"oauth-device-url", wkText},
	wfOAuthAuth:    {"oauth-auth-url", wkText},
	wfOAuthToken:   {"oauth-token-url", wkText},
	wfOAuthScopes:  {"oauth-scopes", wkText},
	wfSignIn:       {"signin", wkAction},
	wfSMTPSame:     {"smtp-same", wkCheck},
	wfSMTPHost:     {mail.FieldSMTPHost, wkText},
	wfSMTPPort:     {mail.FieldSMTPPort, wkPort},
	wfSMTPSecurity: {mail.FieldSMTPSecurity, wkChoice},
	wfSMTPUser:     {mail.FieldSMTPUser, wkText},
	wfSMTPPassword: {mail.FieldSMTPPassword, wkSecret},
	wfRetention:    {mail.FieldRetention, wkChoice},
	wfDays:         {"days", wkNumber},
	wfSharing:      {mail.FieldSharing, wkChoice},
	wfFetchEvery:   {mail.FieldFetchEvery, wkChoice},
	wfCAFile:       {mail.FieldCAFile, wkText},
	wfAliases:      {mail.FieldAliases, wkText},
	wfReplyJIS:     {"reply-iso-2022-jp", wkChoice},
}

// name is the field's key: mail's FieldError.Field, and the stem of its
// catalog keys.
func (f wizardField) name() string { return wizardFields[f].name }

// kind is how the field is edited.
func (f wizardField) kind() wizardKind { return wizardFields[f].kind }

// isInput reports whether the field is a text input (and so has a cursor).
func (f wizardField) isInput() bool {
	switch f.kind() {
	case wkText, wkPort, wkSecret, wkNumber:
		return true
	}
	return false
}

// section is the step of the form the field belongs to (0-based); the
// review is the last step.
func (f wizardField) section() int {
	switch {
	case f <= wfEmail:
		return 0
	case f <= wfSignIn:
		return 1
	case f <= wfSMTPPassword:
		return 2
	}
	return 3
}

// wizardSections are the catalog keys of the step names; the last is the review.
var wizardSections = []string{
	"wizard.section.account", "wizard.section.incoming", "wizard.section.outgoing",
	"wizard.section.options", "wizard.section.review",
}

// prefill loads an existing account into the form. Every value counts as
// the user's own, so presets do not overwrite it.
func (m wizardModel) prefill(a mail.Account) wizardModel {
	m.existing = &a
	m.setVal(wfName, a.Name)
	m.setVal(wfEmail, a.Email)
	m.setVal(wfHost, a.Incoming.Host)
	m.setVal(wfPort, strconv.Itoa(a.Incoming.Port))
	m.security = a.Incoming.Security
	m.setVal(wfUser, a.Incoming.User)
	m = m.prefillSignIn(a)
	m.smtpSame = a.SMTPSame
	out := a.Outgoing
	if a.SMTPSame {
		out = a.SMTP()
	}
	m.setVal(wfSMTPHost, out.Host)
	m.setVal(wfSMTPPort, strconv.Itoa(out.Port))
	m.smtpSecurity = out.Security
	m.setVal(wfSMTPUser, out.User)
	m.retention = a.Retention.Kind
	if a.Retention.Kind == mail.RetainDays {
		m.setVal(wfDays, strconv.Itoa(a.Retention.Days))
	}
	m.sharing = a.Sharing
	m.every = a.FetchEvery
	m.setVal(wfCAFile, a.CAFile)
	m.setVal(wfAliases, a.Aliases)
	m.replyJIS = a.ReplyJIS
	for f := range m.edited {
		m.edited[f] = true
	}
	unchanged := m.d.lang.tr("wizard.unchanged")
	m.inputs[wfPassword].Placeholder = unchanged
	if !a.SMTPSame {
		m.inputs[wfSMTPPassword].Placeholder = unchanged
	}
	if mail.HasRecentPrefix(a.Incoming.User) {
		m.recentLock, m.beforeRecent = true, mail.RetainKeep
	}
	return m
}

// val is the text of an input field.
func (m wizardModel) val(f wizardField) string { return m.inputs[f].Value() }

// setVal replaces the text of an input field, the cursor at its end.
func (m *wizardModel) setVal(f wizardField, v string) {
	m.inputs[f].SetValue(v)
	m.inputs[f].CursorEnd()
}

// setAuto fills f with v unless the user has edited f.
func (m *wizardModel) setAuto(f wizardField, v string) {
	if !m.edited[f] && m.val(f) != v {
		m.setVal(f, v)
	}
}

// autofill fills what can be derived from the address, the incoming server
// and the user name: the provider's servers (mail.PresetFor, or the ones
// looked up for the address: wizard_discover.go), the user name, and the
// outgoing side (mail.OutgoingServerFor). Fields the user edited stay.
func (m wizardModel) autofill() wizardModel {
	email := strings.TrimSpace(m.val(wfEmail))
	inc := mail.Server{Port: mail.DefaultPort(mail.SecuritySSL, false), Security: mail.SecuritySSL}
	user := email
	if p, ok := mail.PresetFor(email); ok {
		inc = p.Incoming
		if !p.UserIsEmail {
			user = ""
		}
	} else if fi, fu, ok := m.foundIncoming(email); ok {
		inc, user = fi, fu
	}
	m.setAuto(wfHost, inc.Host)
	if !m.edited[wfPort] {
		m.setAuto(wfPort, strconv.Itoa(inc.Port))
		if !m.edited[wfSecurity] {
			m.security = inc.Security
		}
	}
	m.setAuto(wfUser, user)
	m = m.recentRule()
	preset, known := m.presetFor(email)
	m = m.autoAuth(preset, known)

	out := mail.OutgoingServerFor(email, mail.Server{Host: strings.TrimSpace(m.val(wfHost)), User: m.val(wfUser)})
	out = m.foundOutgoing(email, out)
	m.setAuto(wfSMTPHost, out.Host)
	if !m.edited[wfSMTPPort] {
		m.setAuto(wfSMTPPort, strconv.Itoa(out.Port))
		if !m.edited[wfSMTPSecurity] {
			m.smtpSecurity = out.Security
		}
	}
	m.setAuto(wfSMTPUser, out.User)
	return m
}

// recentRule applies Gmail's rule: a user name with recent: needs the mail
// kept on the server, so retention is set to keep and locked; removing the
// prefix gives back the earlier choice.
func (m wizardModel) recentRule() wizardModel {
	recent := mail.HasRecentPrefix(m.val(wfUser))
	switch {
	case recent && !m.recentLock:
		m.recentLock, m.beforeRecent, m.retention = true, m.retention, mail.RetainKeep
	case !recent && m.recentLock:
		m.recentLock, m.retention = false, m.beforeRecent
	}
	return m
}

// typedSecurity is the security the typed port of a port field implies
// (mail.SecurityForPort), or cur while the field holds no number.
func typedSecurity(port string, smtp bool, cur mail.Security) mail.Security {
	n, err := strconv.Atoi(strings.TrimSpace(port))
	if err != nil {
		return cur
	}
	return mail.SecurityForPort(n, smtp, cur)
}

// sharingForced returns the sharing the administrator's policy sets, if any.
func (m wizardModel) sharingForced() (mail.Sharing, bool) {
	return m.policy.Forced()
}

// visible lists the fields shown now, in order.
func (m wizardModel) visible() []wizardField {
	out := make([]wizardField, 0, wfCount)
	for f := wizardField(0); f < wfCount; f++ {
		switch {
		case f >= wfSMTPHost && f <= wfSMTPPassword && m.smtpSame:
			continue
		case f == wfDays && m.retention != mail.RetainDays:
			continue
		case !m.authShows(f):
			continue
		}
		out = append(out, f)
	}
	return out
}

// focusable lists the visible fields that take focus (a sharing setting
// forced by the administrator is only shown).
func (m wizardModel) focusable() []wizardField {
	var out []wizardField
	for _, f := range m.visible() {
		if f == wfSharing {
			if _, forced := m.sharingForced(); forced {
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

// focusOn moves the focus to f; the field left counts as touched.
func (m wizardModel) focusOn(f wizardField) wizardModel {
	if m.focus != f {
		m.touched[m.focus] = true
		m.reveal = false
	}
	for i := range m.inputs {
		if wizardField(i).isInput() {
			m.inputs[i].Blur()
		}
	}
	m.focus = f
	m.fresh = m.replaces(f)
	if f.isInput() {
		m.inputs[f].Focus()
		m.inputs[f].CursorEnd()
	}
	return m.applyReveal()
}

// replaces reports whether typing into f replaces its value instead of
// adding to it: a value popbox put there (a preset, one filled in from the
// address), and any port or day count, where a digit added to a whole
// number is never what was meant (110 typed over 995 is not 99511).
// Passwords are never filled in.
func (m wizardModel) replaces(f wizardField) bool {
	if !f.isInput() || f.kind() == wkSecret || m.val(f) == "" {
		return false
	}
	return !m.edited[f] || f.kind() == wkPort || f.kind() == wkNumber
}

// applyReveal sets how the password fields echo.
func (m wizardModel) applyReveal() wizardModel {
	for _, f := range []wizardField{wfPassword, wfSMTPPassword} {
		if m.reveal && m.focus == f {
			m.inputs[f].EchoMode = textinput.EchoNormal
		} else {
			m.inputs[f].EchoMode = textinput.EchoPassword
		}
	}
	return m
}

// account is the mail.Account the form describes, as it would be saved.
// Empty password fields of an edited account stay "" (the store keeps the
// stored password).
func (m wizardModel) account() mail.Account {
	var a mail.Account
	if m.existing != nil {
		a = *m.existing
	}
	a.Name = strings.TrimSpace(m.val(wfName))
	a.Email = strings.TrimSpace(m.val(wfEmail))
	port, _ := mail.ParsePort(mail.FieldPort, m.val(wfPort))
	a.Incoming.Host = strings.TrimSpace(m.val(wfHost))
	a.Incoming.Port = port
	a.Incoming.Security = m.security
	a.Incoming.User = strings.TrimSpace(m.val(wfUser))
	a.Incoming.Password = m.val(wfPassword)
	if a.Incoming.Password != "" {
		a.Incoming.PasswordCmd = ""
	}
	m.applyAuth(&a)
	a.SMTPSame = m.smtpSame
	switch {
	case m.smtpSame && (m.existing == nil || !m.existing.SMTPSame):
		a.Outgoing = mail.Server{}
	case m.smtpSame:
		// Edited account that already used the incoming credentials: keep
		// any outgoing server adjusted outside the wizard.
		a.Outgoing.Password = ""
	default:
		out := mail.Server{}
		if m.existing != nil && !m.existing.SMTPSame {
			out = m.existing.Outgoing
		}
		sport, _ := mail.ParsePort(mail.FieldSMTPPort, m.val(wfSMTPPort))
		out.Host = strings.TrimSpace(m.val(wfSMTPHost))
		out.Port = sport
		out.Security = m.smtpSecurity
		out.User = strings.TrimSpace(m.val(wfSMTPUser))
		out.Password = m.val(wfSMTPPassword)
		if out.Password != "" {
			out.PasswordCmd = ""
		}
		a.Outgoing = out
	}
	if !a.SMTPSame {
		m.applyOutgoingAuth(&a.Outgoing)
	}
	m.sameOutgoing(&a)
	a.Retention = mail.Retention{Kind: m.retention}
	if m.retention == mail.RetainDays {
		a.Retention.Days, _ = strconv.Atoi(strings.TrimSpace(m.val(wfDays)))
	}
	a.Sharing = m.sharing
	if s, forced := m.sharingForced(); forced {
		a.Sharing = s
	}
	a.CAFile = m.caFile()
	a.FetchEvery = m.every
	m.applyReply(&a)
	m.applyTrust(&a)
	return a
}

// testAccount is account with the stored passwords of an edited account
// filled in where the fields were left empty, for the connection test.
func (m wizardModel) testAccount() mail.Account {
	a := m.account()
	if ts := m.signedInToken(); ts != nil {
		signin.SetToken(&a, ts)
	}
	m.applyTrustOnce(&a)
	if m.existing != nil {
		if a.Incoming.Password == "" {
			a.Incoming.Password = m.existing.Incoming.Password
		}
		if !a.SMTPSame && !m.existing.SMTPSame && a.Outgoing.Password == "" {
			a.Outgoing.Password = m.existing.Outgoing.Password
		}
	}
	return a
}

// passwordKept reports a "required" problem of a password that an edited
// account keeps from the store.
func (m wizardModel) passwordKept(fe mail.FieldError) bool {
	if m.existing == nil || fe.Code != mail.CodeRequired || m.existing.Incoming.Auth != mail.AuthPassword {
		return false
	}
	switch fe.Field {
	case mail.FieldPassword:
		return true
	case mail.FieldSMTPPassword:
		return !m.existing.SMTPSame
	}
	return false
}

// problems is every error and warning of the form: Validate's, with typed
// port numbers checked by ParsePort.
func (m wizardModel) problems() mail.FieldErrors {
	return m.problemsOf(m.account())
}

// problemsOf is problems for a, the form's account.
func (m wizardModel) problemsOf(a mail.Account) mail.FieldErrors {
	portErr := map[string]*mail.FieldError{}
	for _, f := range []wizardField{wfPort, wfSMTPPort} {
		if f == wfSMTPPort && m.smtpSame {
			continue
		}
		if _, fe := mail.ParsePort(f.name(), m.val(f)); fe != nil {
			portErr[f.name()] = fe
		}
	}
	var out mail.FieldErrors
	for _, fe := range a.Validate(m.taken) {
		if pe, ok := portErr[fe.Field]; ok && fe.Code == mail.CodePortRange {
			if pe != nil {
				out = append(out, *pe)
				portErr[fe.Field] = nil
			}
			continue
		}
		if m.passwordKept(fe) {
			continue
		}
		out = append(out, fe)
	}
	for _, f := range []wizardField{wfPort, wfSMTPPort} {
		if pe := portErr[f.name()]; pe != nil {
			out = append(out, *pe)
		}
	}
	if fe, ok := m.caProblem(); ok {
		out = append(out, fe)
	}
	return append(out, m.signInProblems()...)
}

// fieldFor is the wizard field a problem belongs to.
func fieldFor(fe mail.FieldError) (wizardField, bool) {
	if fe.Field == mail.FieldRetention && fe.Code == mail.CodeDaysRange {
		return wfDays, true
	}
	for f := wizardField(0); f < wfCount; f++ {
		if f.name() == fe.Field {
			return f, true
		}
	}
	return 0, false
}

// problemFor returns the problem shown under f (errors before warnings).
func problemFor(probs mail.FieldErrors, f wizardField) (mail.FieldError, bool) {
	var warn *mail.FieldError
	for i, fe := range probs {
		if g, ok := fieldFor(fe); !ok || g != f {
			continue
		}
		if !fe.Warning {
			return fe, true
		}
		if warn == nil {
			warn = &probs[i]
		}
	}
	if warn != nil {
		return *warn, true
	}
	return mail.FieldError{}, false
}

// firstError is the first visible field with a blocking problem.
func (m wizardModel) firstError() (wizardField, bool) {
	errs := m.problems().Errors()
	for _, f := range m.visible() {
		if _, ok := problemFor(errs, f); ok {
			return f, true
		}
	}
	return 0, false
}

// shows reports whether f's problems are shown: once it was left, once
// saving was tried, and at once for the fields that are not typed.
func (m wizardModel) shows(f wizardField) bool {
	if m.touched[f] || m.showAll {
		return true
	}
	return m.focus == f && (f.kind() == wkChoice || f.kind() == wkCheck)
}
