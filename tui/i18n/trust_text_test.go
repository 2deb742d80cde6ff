package i18n

import (
	"strings"
	"testing"
	"time"

	"popbox/mail"
)

// sampleCertError is a refused certificate of sampleAccount's incoming
// server with what a person needs to decide.
func sampleCertError(r mail.CertReason) *mail.CertError {
	return &mail.CertError{Host: "pop.example.jp", Port: 995, Reason: r, Err: mail.ErrCertificate,
		CertInfo: mail.CertInfo{Subject: "CN=pop.example.jp", Issuer: "CN=pop.example.jp",
			NotBefore: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 2, 3, 4, 0, 0, time.UTC),
			Fingerprint: mail.CertFingerprint([]byte("new"))}}
}

// TestCertTrustSentences: a refused certificate's sentence says why and,
// on the CLI, the command that trusts it (with --outgoing for the
// outgoing side, --trust in account add); a pinned one that changed shows
// both fingerprints and how to trust the new one.
func TestCertTrustSentences(t *testing.T) {
	fresh := mail.CertFingerprint([]byte("new")).String()
	old := mail.CertFingerprint([]byte("old")).String()
	self := sampleCertError(mail.CertSelfSigned)
	mismatch := &mail.PinMismatchError{Pinned: mail.CertFingerprint([]byte("old")), Cert: self}
	tests := []struct {
		name string
		err  error
		sc   Scene
		want string
	}{
		{"self-signed", self, scenes["cli"],
			"The certificate of pop.example.jp is self-signed, so no CA vouches for it. If you know it is your server's own certificate (compare the fingerprint with the one its administrator gives you), trust it with: popbox account trust Box " + fresh + "."},
		{"self-signed outgoing", &mail.CertError{Host: "smtp.example.jp", Port: 465, Reason: mail.CertSelfSigned, CertInfo: self.CertInfo, Err: mail.ErrCertificate}, scenes["cli outgoing"],
			"The certificate of smtp.example.jp is self-signed, so no CA vouches for it. If you know it is your server's own certificate (compare the fingerprint with the one its administrator gives you), trust it with: popbox account trust Box " + fresh + " --outgoing."},
		{"wrong host", &mail.CertError{Host: "pop.example.jp", Port: 995, Reason: mail.CertWrongHost, Names: []string{"mx.example.jp"}, CertInfo: self.CertInfo, Err: mail.ErrCertificate}, scenes["cli"],
			"The certificate of pop.example.jp is for mx.example.jp, not for pop.example.jp. Check the server name (it may have to be the name on the certificate); a CA file does not change this. If you know it is your server's own certificate (compare the fingerprint with the one its administrator gives you), trust it with: popbox account trust Box " + fresh + "."},
		{"adding", self, scenes["cli add"],
			"The certificate of pop.example.jp is self-signed, so no CA vouches for it. If you know it is your server's own certificate (compare the fingerprint with the one its administrator gives you), run popbox account add again with --trust " + fresh + ". Nothing was saved; fix the setting, or add --no-check to save without the login test."},
		{"pin mismatch", mismatch, scenes["cli"],
			"The certificate of pop.example.jp:995 is not the one you trusted: SHA-256 " + old + " was pinned, the server now presents " + fresh +
				". popbox did not log in, so nothing was sent, fetched or deleted. If the server's administrator replaced the certificate (ask them for the new fingerprint), trust the new one with: popbox account trust Box " + fresh + "; if not, someone may be intercepting the connection."},
		{"pin mismatch on the screen", mismatch, scenes["fetch"],
			"The certificate of pop.example.jp:995 is not the one you trusted (SHA-256 " + old + " was pinned, it is now " + fresh + "); popbox did not log in and nothing was lost. If the server's administrator replaced it, trust the new one in a terminal with: popbox account trust Box " + fresh},
		{"self-signed in the wizard", self, scenes["test"], EN.Tr("wizard.test.self-signed", "pop.example.jp")},
		{"no fingerprint: no advice", &mail.CertError{Host: "pop.example.jp", Reason: mail.CertUntrusted, Err: mail.ErrCertificate}, scenes["cli"],
			"The certificate of pop.example.jp is not signed by a CA this system trusts. If the server uses a private CA, pass its file with --ca-file or SSL_CERT_FILE."},
	}
	for _, tc := range tests {
		if got := EN.Error(tc.err, tc.sc); got != tc.want {
			t.Errorf("%s:\ngot  %q\nwant %q", tc.name, got, tc.want)
		}
		ja := JA.Error(tc.err, tc.sc)
		if !hasJapanese(ja) || (strings.Contains(tc.want, fresh) && !strings.Contains(ja, fresh)) || (strings.Contains(tc.want, old) && !strings.Contains(ja, old)) {
			t.Errorf("%s: ja %q", tc.name, ja)
		}
	}
}

func TestCertDetails(t *testing.T) {
	self := sampleCertError(mail.CertSelfSigned)
	want := []string{
		"subject:  CN=pop.example.jp",
		"issuer:   CN=pop.example.jp",
		"valid:    2026-01-02 03:04 UTC to 2027-01-02 03:04 UTC",
		"SHA-256:  " + self.Fingerprint.String(),
	}
	mismatch := &mail.PinMismatchError{Pinned: mail.CertFingerprint([]byte("old")), Cert: self}
	for _, err := range []error{self, mismatch} {
		if got := EN.CertDetails(err); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("CertDetails(%T) = %q", err, got)
		}
		if got := JA.CertDetails(err); len(got) != 4 || !strings.HasPrefix(got[0], "サブジェクト: ") || !strings.Contains(got[3], self.Fingerprint.String()) {
			t.Errorf("ja: %q", got)
		}
	}
	if got := EN.CertDetails(mail.ErrCertificate); got != nil {
		t.Errorf("no certificate: %q", got)
	}
}
