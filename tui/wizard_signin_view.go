package tui

import (
	"context"
	"errors"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"popbox/mail"
	"popbox/mail/oauth"
)

// errNoBrowserFlow: b was pressed for a server with no authorization URL.
var errNoBrowserFlow = errors.New("no browser sign-in")

// authLabel names a sign-in choice in the user's language.
func (m wizardModel) authLabel(c string) string {
	if c == authPassword {
		return m.d.lang.tr("wizard.auth.password")
	}
	return m.d.lang.tr("wizard.auth." + c)
}

// authValue is the sign-in choice's radios.
func (m wizardModel) authValue() string {
	var opts []string
	for _, c := range m.authChoices() {
		opts = append(opts, m.radio(m.auth == c, m.authLabel(c)))
	}
	return strings.Join(opts, "  ")
}

// signInValue is the sign-in field's state.
func (m wizardModel) signInValue() string {
	s := m.d.styles
	l := m.d.lang
	switch {
	case m.sign.state == signInStarting && m.signingIn():
		return m.spin.View() + s.text.Render(l.tr("wizard.signin.starting"))
	case m.sign.state == signInDevice:
		return m.spin.View() + s.text.Render(l.tr("wizard.signin.waiting"))
	case m.sign.state == signInBrowser:
		return m.spin.View() + s.text.Render(l.tr("wizard.signin.browser"))
	case m.signedIn():
		return s.ok.Render("✓ " + l.tr("wizard.signin.done"))
	case m.keepsStoredSignIn():
		return s.ok.Render("✓ " + l.tr("wizard.signin.stored"))
	case m.sign.state == signInFailed:
		return s.err.Render("✗ " + l.tr("wizard.signin.failed"))
	}
	return s.faint.Render(l.tr("wizard.signin.none"))
}

// signInLines are the lines under the sign-in field, shown focused or
// not: the device code and its address, the browser's address, or why
// the sign-in failed. addr is an address to show whole, cut only at the
// edge of the column, after the text.
func (m wizardModel) signInLines() (text []string, addr string, strong bool) {
	l := m.d.lang
	switch {
	case m.sign.state == signInDevice:
		p := m.sign.prompt
		out := []string{l.tr("wizard.signin.code", p.URL, p.Code)}
		if p.CompleteURL != "" {
			out = append(out, l.tr("wizard.signin.complete", p.CompleteURL))
		}
		if !p.Expiry.IsZero() {
			out = append(out, l.tr("wizard.signin.expires", p.Expiry.In(m.d.now().Location()).Format("15:04")))
		}
		return append(out, l.tr("wizard.signin.stop")), "", true
	case m.sign.state == signInBrowser && m.sign.url != "":
		return []string{l.tr("wizard.signin.url"), l.tr("wizard.signin.stop")}, clean(m.sign.url), true
	case m.sign.state == signInFailed:
		return []string{m.signInErrText(m.sign.err)}, "", false
	}
	return nil, "", false
}

// cutEvery cuts s into pieces of w cells (an address has no wide
// characters, but ansi counts cells either way).
func cutEvery(s string, w int) []string {
	var out []string
	for s != "" && w > 0 {
		piece := ansi.Truncate(s, w, "")
		if piece == "" {
			break
		}
		out = append(out, piece)
		s = s[len(piece):]
	}
	return out
}

// signInErrText says why a sign-in failed and what to do.
func (m wizardModel) signInErrText(err error) string {
	l := m.d.lang
	switch {
	case errors.Is(err, oauth.ErrNoClientID):
		return l.tr("wizard.oauth-client-id")
	case errors.Is(err, oauth.ErrAccessDenied):
		return l.tr("wizard.signin.denied")
	case errors.Is(err, oauth.ErrCodeExpired):
		return l.tr("wizard.signin.expired")
	case errors.Is(err, oauth.ErrNoDeviceFlow):
		return l.tr("wizard.signin.no-device")
	case errors.Is(err, errNoBrowserFlow):
		return l.tr("wizard.signin.no-browser")
	case errors.Is(err, context.DeadlineExceeded):
		return l.tr("wizard.signin.expired")
	}
	return l.tr("wizard.signin.error", mail.SafeLine(err.Error()))
}

// signInHints are the keys of the sign-in field, under it when focused.
func (m wizardModel) signInHints() []string {
	l := m.d.lang
	if m.signingIn() {
		return nil
	}
	p, err := m.signInProfile()
	if err != nil {
		return []string{l.tr("hint.signin")}
	}
	var out []string
	switch {
	case m.signedIn() || m.keepsStoredSignIn():
		out = append(out, l.tr("wizard.signin.again"))
	case p.HasDevice():
		out = append(out, l.tr("wizard.signin.keys-device"))
	default:
		out = append(out, l.tr("wizard.signin.keys-browser"))
	}
	if p.HasDevice() && p.AuthURL != "" {
		out = append(out, l.tr("wizard.signin.keys-b"))
	}
	return append(out, l.tr("hint.signin"))
}

// reviewSignIn is the review's line for the login: the provider and
// whether the sign-in is done, or the token command.
func (m wizardModel) reviewSignIn() string {
	l := m.d.lang
	switch {
	case m.auth == authCommand:
		return m.authLabel(authCommand)
	case m.signedIn():
		return l.tr("wizard.review.signed-in", m.authLabel(m.auth))
	case m.keepsStoredSignIn():
		return l.tr("wizard.review.signed-in-stored", m.authLabel(m.auth))
	}
	return l.tr("wizard.review.not-signed-in", m.authLabel(m.auth))
}
