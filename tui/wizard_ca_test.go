package tui

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"popbox/mail"
)

// writeTestCA writes a self-signed CA certificate (PEM) into dir and
// returns its path.
func writeTestCA(t *testing.T, dir string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "popbox test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// caSteps fill a valid Gmail account and go to the CA file field (the
// reply settings follow it).
var caSteps = append(append([]string{}, gmailSteps...), "tab", "tab", "tab", "tab", "tab")

// driveAll is drive, with every command run and its messages fed back
// (the CA file's check is a command).
func driveAll(m wizardModel, steps ...string) wizardModel {
	for _, k := range keyMsgs(steps...) {
		var cmd tea.Cmd
		m, cmd = m.update(k)
		m = feed(m, cmd)
	}
	return m
}

// TestWizardCAFileField: the last field of the form is an optional CA
// file; a file of PEM certificates is saved as the account's CAFile (its
// full path) and shown on the review; a path that is not one is refused
// beside the field once left, and blocks the review.
func TestWizardCAFileField(t *testing.T) {
	dir := t.TempDir()
	ca := writeTestCA(t, dir)
	notPEM := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	unreadable := filepath.Join(dir, "secret.pem")
	if err := os.WriteFile(unreadable, []byte("x"), 0o000); err != nil {
		t.Fatal(err)
	}

	t.Run("empty is no CA file", func(t *testing.T) {
		m := driveAll(newTestWizard(nil, fakeChecker{}, langEN), caSteps...)
		wantInView(t, m, "› CA file (optional)")
		wantInView(t, m, "private CA")
		m = driveAll(m, "ctrl+s")
		if m.step != wizardStepReview {
			t.Fatalf("an empty CA file blocked the review")
		}
		if a := m.account(); a.CAFile != "" {
			t.Errorf("CAFile %q, want none", a.CAFile)
		}
		if strings.Contains(plainView(m), "CA file") {
			t.Errorf("the review shows an empty CA file:\n%s", plainView(m))
		}
	})
	t.Run("a PEM file", func(t *testing.T) {
		st := &fakeWizardStore{}
		m := driveAll(newTestWizard(st, fakeChecker{}, langEN), append(caSteps, "="+ca, "ctrl+s")...)
		if m.step != wizardStepReview {
			t.Fatalf("a good CA file blocked the review:\n%s", plainView(m))
		}
		wantInView(t, m, "CA file (optional) "+ca)
		m = driveAll(m, "enter")
		if len(st.added) != 1 || st.added[0].CAFile != ca {
			t.Fatalf("saved %+v, want CAFile %s", st.added, ca)
		}
	})
	t.Run("~/ is the home folder, saved as a full path", func(t *testing.T) {
		t.Setenv("HOME", dir)
		m := driveAll(newTestWizard(nil, fakeChecker{}, langEN), append(caSteps, "=~/ca.pem", "ctrl+s")...)
		if m.step != wizardStepReview || m.account().CAFile != ca {
			t.Fatalf("step %v CAFile %q, want the review and %s", m.step, m.account().CAFile, ca)
		}
	})
	bad := []struct {
		name, path string
		want       map[lang]string
	}{
		{"missing", filepath.Join(dir, "nope.pem"), map[lang]string{langEN: "There is no file", langJA: "ファイルがありません"}},
		{"a folder", dir, map[lang]string{langEN: "is a folder", langJA: "フォルダです"}},
		{"not PEM", notPEM, map[lang]string{langEN: "holds no certificate", langJA: "証明書が含まれていません"}},
		{"unreadable", unreadable, map[lang]string{langEN: "cannot be read", langJA: "読み込めません"}},
	}
	for _, tc := range bad {
		for _, l := range []lang{langEN, langJA} {
			t.Run(tc.name+"/"+langName(l), func(t *testing.T) {
				if tc.name == "unreadable" && os.Geteuid() == 0 {
					t.Skip("root reads any file")
				}
				m := driveAll(newTestWizard(nil, fakeChecker{}, l), append(caSteps, "="+tc.path)...)
				if strings.Contains(plainView(m), tc.want[l]) {
					t.Errorf("the problem shows while typing:\n%s", plainView(m))
				}
				m = driveAll(m, "ctrl+s")
				if m.step != wizardStepForm {
					t.Fatalf("%s went to the review", tc.path)
				}
				if m.focus.name() != mail.FieldCAFile {
					t.Errorf("focus on %s, want the CA file", m.focus.name())
				}
				// Wrapped Japanese breaks anywhere: compare without spaces.
				if v := strings.Join(strings.Fields(plainView(m)), ""); !strings.Contains(v, strings.ReplaceAll(tc.want[l], " ", "")) {
					t.Errorf("view lacks %q:\n%s", tc.want[l], plainView(m))
				}
			})
		}
	}
}

// TestWizardCAFileEdit: editing, the stored CA file fills the field and is
// kept as it is (not checked again); another one typed is checked.
func TestWizardCAFileEdit(t *testing.T) {
	existing := mail.Account{ID: "7", Name: "Work", Email: "taro@example.org",
		Incoming: mail.Server{Host: "pop.example.org", Port: 995, Security: mail.SecuritySSL, User: "taro", Password: "pw"},
		SMTPSame: true, Retention: mail.Retention{Kind: mail.RetainKeep}, CAFile: "/etc/popbox/ca.pem"}
	st := &fakeWizardStore{accounts: []mail.Account{existing}}
	m := newWizard(wizardTestDeps(langEN, fakeChecker{}), st, readWizardData(st), &existing).setSize(120, 40)
	wantInView(t, m, "CA file (optional) /etc/popbox/ca.pem")
	m = driveAll(m, "ctrl+s")
	if m.step != wizardStepReview || m.account().CAFile != "/etc/popbox/ca.pem" {
		t.Fatalf("step %v CAFile %q", m.step, m.account().CAFile)
	}
	wantInView(t, m, "CA file (optional) /etc/popbox/ca.pem")

	ca := writeTestCA(t, t.TempDir())
	m = newWizard(wizardTestDeps(langEN, fakeChecker{}), st, readWizardData(st), &existing).setSize(120, 40)
	m = driveAll(m, "shift+tab")
	for range 20 {
		if m.focus.name() == mail.FieldCAFile {
			break
		}
		m = driveAll(m, "down")
	}
	m = driveAll(m, "ctrl+u", "=/nowhere/ca.pem", "ctrl+s")
	if m.step != wizardStepForm {
		t.Fatal("a missing CA file typed in the edit went to the review")
	}
	m = driveAll(m, "ctrl+u", "="+ca, "ctrl+s", "enter")
	if len(st.updated) != 1 || st.updated[0].CAFile != ca {
		t.Fatalf("updated %+v, want CAFile %s", st.updated, ca)
	}
}

// TestWizardCertificateAdvice: an untrusted certificate in the connection
// test says how to go on: the CA file field, reached with shift+tab.
func TestWizardCertificateAdvice(t *testing.T) {
	untrusted := fmt.Errorf("dial: %w", &mail.CertError{Host: "pop.gmail.com", Reason: mail.CertUntrusted, Err: mail.ErrCertificate})
	for _, tc := range []struct {
		l    lang
		want []string
	}{
		{langEN, []string{"The certificate of pop.gmail.com is not trusted", "shift+tab", "“CA file”"}},
		{langJA, []string{"pop.gmail.com の証明書", "shift+tab", "「CAファイル」"}},
	} {
		m := newTestWizard(nil, nil, tc.l)
		m, _ = drive(m, gmailSteps...)
		got := m.checkText(wizardSidePOP3, untrusted)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", langName(tc.l), got, w)
			}
		}
		if label := m.label(fieldCA(t)); !strings.Contains(label, strings.Trim(tc.want[2], "“”「」")) {
			t.Errorf("%s: the advice names %s, the field is %q", langName(tc.l), tc.want[2], label)
		}
	}
}

// fieldCA is the wizard's CA file field.
func fieldCA(t *testing.T) wizardField {
	t.Helper()
	for f := wizardField(0); f < wfCount; f++ {
		if f.name() == mail.FieldCAFile {
			return f
		}
	}
	t.Fatal("the wizard has no CA file field")
	return 0
}

// TestWizardCAFileGolden: the CA file field refusing a file that is not
// there, and the review of an edited account with a CA file whose server
// certificate is not trusted (the advice names the field), at every size.
func TestWizardCAFileGolden(t *testing.T) {
	existing := mail.Account{ID: "7", Name: "Work", Email: "taro@example.org",
		Incoming: mail.Server{Host: "pop.example.org", Port: 995, Security: mail.SecuritySSL, User: "taro", Password: "pw"},
		SMTPSame: true, Retention: mail.Retention{Kind: mail.RetainKeep}, CAFile: "/etc/popbox/ca.pem"}
	untrusted := fakeChecker{pop: fmt.Errorf("dial: %w", &mail.CertError{Host: "pop.example.org", Reason: mail.CertUntrusted, Err: mail.ErrCertificate})}
	cases := []struct {
		name     string
		c        checker
		existing *mail.Account
		steps    []string
	}{
		{"cafile-error", nil, nil, append(append([]string{}, caSteps...), "=/nonexistent/ca.pem", "ctrl+s", "wait:✗")},
		{"cafile-review", untrusted, &existing, []string{"ctrl+s", "wait:✗", "wait:✓"}},
	}
	for _, tc := range cases {
		for _, l := range []lang{langEN, langJA} {
			for _, sz := range goldenSizes {
				name := fmt.Sprintf("%s-%dx%d-%s", tc.name, sz[0], sz[1], langName(l))
				t.Run(name, func(t *testing.T) {
					goldenProfile(t, false)
					st := &fakeWizardStore{}
					if tc.existing != nil {
						st.accounts = []mail.Account{*tc.existing}
					}
					root := newWizardTestRoot(newWizard(wizardTestDeps(l, tc.c), st, readWizardData(st), tc.existing))
					final := playProgram(t, root, sz[0], sz[1], tc.steps...).(wizardTestRoot)
					view := final.View()
					checkFits(t, final.w, sz[0], sz[1]-1)
					checkScreen(t, view, sz[0], sz[1])
					requireGolden(t, "wizard/"+name, view)
				})
			}
		}
	}
}
