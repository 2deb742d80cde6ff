package tui

// Trust on first use in the wizard's review: when a login test fails on a
// certificate that does not verify (self-signed, a private CA, a wrong
// name, expired) or no longer matches the one pinned, the review shows the
// certificate (subject, issuer, validity, SHA-256) under the test's
// sentence and offers to reject it, accept it once (for the test only) or
// accept it always (pinned to host:port with the account when it is
// saved). A certificate that verifies normally is never pinned: the offer
// only comes with a failed verification.

import (
	"errors"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"popbox/mail"
)

// wizardTrust is what the user decided about the certificates of the two
// sides, as pins (mail.CertError.Pin): accepted for the tests only, pinned
// with the account, or rejected (the offer is not shown again for it).
type wizardTrust struct {
	once, always, rejected [2]string
}

// sideIndex is 0 for the incoming side, 1 for the outgoing one.
func sideIndex(side wizardSide) int {
	if side == wizardSideSMTP {
		return 1
	}
	return 0
}

// certOffer is the certificate a failed test of side could be trusted
// for: the error's certificate when it is known and was not rejected.
func (m wizardModel) certOffer(side wizardSide) (*mail.CertError, bool) {
	c := m.pop
	if side == wizardSideSMTP {
		c = m.smtp
	}
	if c.state != wizardCheckFailed {
		return nil, false
	}
	var ce *mail.CertError
	if !errors.As(c.err, &ce) || ce.Fingerprint.IsZero() || m.trust.rejected[sideIndex(side)] == ce.Pin() {
		return nil, false
	}
	return ce, true
}

// offeredSide is the first side with a certificate to decide on.
func (m wizardModel) offeredSide() (wizardSide, *mail.CertError, bool) {
	for _, side := range []wizardSide{wizardSidePOP3, wizardSideSMTP} {
		if ce, ok := m.certOffer(side); ok {
			return side, ce, true
		}
	}
	return 0, nil, false
}

// trustKeys enables the keys of the offer on the review.
func (m wizardModel) trustKeys(k *wizardKeys) {
	if m.testing() {
		return
	}
	if _, _, ok := m.offeredSide(); ok {
		for _, b := range []*key.Binding{&k.TrustOnce, &k.TrustAlways, &k.TrustReject} {
			b.SetEnabled(true)
		}
	}
}

// decideTrust acts on the user's answer to the offer: a pin for the tests
// or for good (and the test again), or the offer put away.
func (m wizardModel) decideTrust(act wizardAction) (wizardModel, tea.Cmd) {
	side, ce, ok := m.offeredSide()
	if !ok {
		return m, nil
	}
	i := sideIndex(side)
	switch act {
	case wizardTrustReject:
		m.trust.rejected[i] = ce.Pin()
		m.status = m.d.lang.tr("wizard.trust.rejected", ce.Address())
		return m, nil
	case wizardTrustOnce:
		m.trust.once[i] = ce.Pin()
	case wizardTrustAlways:
		m.trust.always[i] = ce.Pin()
		m.dirty = true
	}
	return m.startTest()
}

// applyTrust pins the certificates accepted always to a.
func (m wizardModel) applyTrust(a *mail.Account) {
	for i, pin := range m.trust.always {
		if pin != "" {
			a.SetTrustedCert(i == 1, pin)
		}
	}
}

// applyTrustOnce lets the tests take the certificates accepted once.
func (m wizardModel) applyTrustOnce(a *mail.Account) {
	for i, pin := range m.trust.once {
		if pin != "" {
			a.AcceptCertOnce(i == 1, pin)
		}
	}
}

// trustLines are the review's lines about the certificate offered: what
// it is and what the keys do.
func (m wizardModel) trustLines() []string {
	side, ce, ok := m.offeredSide()
	if !ok || m.testing() {
		return nil
	}
	l := m.d.lang
	s := m.d.styles
	width := min(max(10, m.contentWidth()-6), wizardProse)
	var out []string
	title := l.tr("wizard.trust.title", ce.Address())
	if side == wizardSideSMTP {
		title = l.tr("wizard.trust.title-smtp", ce.Address())
	}
	out = append(out, "", "  "+s.title.Render(title))
	for _, ln := range l.i18n().CertLines(ce.CertInfo) {
		out = append(out, "    "+s.text.Render(clean(ln)))
	}
	var pm *mail.PinMismatchError
	ask := l.tr("wizard.trust.ask")
	if errors.As(m.checkErr(side), &pm) {
		ask = l.tr("wizard.trust.ask-changed")
	}
	for _, ln := range wrapLines(ask, width) {
		out = append(out, "    "+s.note.Render(ln))
	}
	return out
}

// checkErr is the error of side's last test.
func (m wizardModel) checkErr(side wizardSide) error {
	if side == wizardSideSMTP {
		return m.smtp.err
	}
	return m.pop.err
}

// reviewTrust is the review's line about certificates pinned in this
// wizard, "" when none was.
func (m wizardModel) reviewTrust() []string {
	var out []string
	for _, pin := range m.trust.always {
		if addr, f, ok := mail.ParsePin(pin); ok {
			out = append(out, m.d.lang.tr("wizard.trust.pinned", addr, f.String()))
		}
	}
	return out
}
