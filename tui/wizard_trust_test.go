package tui

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"popbox/mail"
	"popbox/mail/mailtest"
)

// trustWizardSteps fill an account for srv (POP3S, same credentials, the
// derived outgoing server unused) up to the review.
func trustWizardSteps(srv *mailtest.Server) []string {
	return []string{"=Office", "tab", "=alice@example.test", "tab", "=" + srv.Host, "tab",
		"ctrl+u", "=" + strconv.Itoa(srv.POPSPort), "tab", "tab", "ctrl+u", "=alice", "tab", "tab", "=secret", "ctrl+s"}
}

// smtpPasses is a checker that logs in to POP3 for real and passes SMTP,
// so the review's fate is the incoming certificate's.
type smtpPasses struct{ netChecker }

func (smtpPasses) CheckSMTP(context.Context, mail.Account) error { return nil }

// TestWizardTrustSelfSigned: a private Dovecot with a self-signed
// certificate is set up from the wizard alone: the review shows the
// certificate (subject, issuer, validity, SHA-256) under the failed test
// and offers reject, once and always; "once" passes the test and saves no
// pin, "always" passes and saves the pin for host:port; x puts the offer
// away.
func TestWizardTrustSelfSigned(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Cert: mailtest.CertOptions{SelfSigned: true}})
	fp := mail.Fingerprint(srv.CertSHA256()).String()
	for _, tc := range []struct {
		key     string
		pinned  bool
		rejects bool
	}{{"a", true, false}, {"o", false, false}, {"x", false, true}} {
		t.Run(tc.key, func(t *testing.T) {
			st := &fakeWizardStore{}
			c := newNetChecker(nil, func(string) string { return "" })
			m := newTestWizard(st, smtpPasses{c}, langEN)
			m, cmd := drive(m, trustWizardSteps(srv)...)
			if m.step != wizardStepReview {
				t.Fatalf("no review:\n%s", plainView(m))
			}
			m = feed(m, cmd)
			if m.pop.state != wizardCheckFailed {
				t.Fatalf("the self-signed certificate passed: %v", m.pop.state)
			}
			for _, want := range []string{"Certificate of the incoming server " + srv.Host + ":" + strconv.Itoa(srv.POPSPort),
				"SHA-256: " + fp, "subject:", "issuer:", "valid:", "a trusts it always", "self-signed"} {
				wantInView(t, m, want)
			}
			if !m.bindings().TrustAlways.Enabled() || !m.bindings().TrustOnce.Enabled() {
				t.Fatal("the trust keys are off")
			}
			m, cmd = drive(m, tc.key)
			if tc.rejects {
				if cmd != nil || m.bindings().TrustAlways.Enabled() || strings.Contains(plainView(m), "a trusts it always") {
					t.Fatalf("x left the offer:\n%s", plainView(m))
				}
				wantInView(t, m, "was not trusted")
				return
			}
			m = feed(m, cmd)
			if m.pop.state != wizardCheckOK || m.smtp.state != wizardCheckOK {
				t.Fatalf("after %q: pop %v (%v)", tc.key, m.pop.state, m.pop.err)
			}
			m, cmd = drive(m, "enter")
			var saved wizardSavedMsg
			for _, msg := range runCmd(cmd) {
				if s, ok := msg.(wizardSavedMsg); ok {
					saved = s
				}
			}
			a := saved.acct
			if a.ID == "" {
				t.Fatalf("not saved:\n%s", plainView(m))
			}
			got, ok := a.Incoming.Pinned()
			if ok != tc.pinned || (ok && got.String() != fp) || a.Incoming.AcceptCert != "" {
				t.Fatalf("saved pin %q (%v), accept-once %q; want pinned %v to %s", a.Incoming.TrustedCert, ok, a.Incoming.AcceptCert, tc.pinned, fp)
			}
		})
	}
}
