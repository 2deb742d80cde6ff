package tui

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"popbox/mail"
	"popbox/store"
)

// fakeWizardStore is a wizardStore and wizardSource in memory that records
// what is saved.
type fakeWizardStore struct {
	mu        sync.Mutex
	accounts  []mail.Account
	policy    store.Policy
	policyErr error
	saveErr   error
	added     []mail.Account
	updated   []mail.Account
	tokens    map[string]string // sealed refresh tokens by account ID
}

func (s *fakeWizardStore) Accounts() ([]mail.Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]mail.Account(nil), s.accounts...), nil
}

func (s *fakeWizardStore) AddAccount(a mail.Account) (mail.Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.saveErr != nil {
		return mail.Account{}, s.saveErr
	}
	a.ID = strconv.Itoa(len(s.accounts) + 1)
	s.accounts = append(s.accounts, a)
	s.added = append(s.added, a)
	return a, nil
}

func (s *fakeWizardStore) UpdateAccount(a mail.Account) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.saveErr != nil {
		return s.saveErr
	}
	s.updated = append(s.updated, a)
	return nil
}

func (s *fakeWizardStore) SetRefreshToken(nameOrID string, outgoing bool, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokens == nil {
		s.tokens = map[string]string{}
	}
	s.tokens[nameOrID] = token
	return nil
}

func (s *fakeWizardStore) SharingPolicy() (store.Policy, error) {
	return s.policy, s.policyErr
}

// fakeChecker answers the connection test with fixed results.
type fakeChecker struct {
	pop, smtp error
}

func (c fakeChecker) CheckPOP3(ctx context.Context, a mail.Account) error { return c.pop }
func (c fakeChecker) CheckSMTP(ctx context.Context, a mail.Account) error { return c.smtp }

func wizardTestDeps(l lang, c checker) deps {
	return deps{
		lang:    l,
		styles:  newStyles(),
		now:     func() time.Time { return time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC) },
		checker: c,
		plain:   true,
	}
}

// runCmd runs cmd and every command of a batch, returning their messages.
func runCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runCmd(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// feed gives the messages of cmd back to the wizard (spinner ticks aside).
func feed(m wizardModel, cmd tea.Cmd) wizardModel {
	for _, msg := range runCmd(cmd) {
		if _, tick := msg.(spinner.TickMsg); tick {
			continue
		}
		m, _ = m.update(msg)
	}
	return m
}

// gmailSteps fill a valid Gmail account up to the password field.
var gmailSteps = []string{"=Work", "tab", "=taro@gmail.com", "tab", "tab", "tab", "tab", "tab", "tab", "=app-password"}

func newTestWizard(st *fakeWizardStore, c checker, l lang) wizardModel {
	if st == nil {
		st = &fakeWizardStore{}
	}
	return newWizard(wizardTestDeps(l, c), st, readWizardData(st), nil).setSize(120, 40)
}

func TestWizardIntent(t *testing.T) {
	form := newTestWizard(nil, fakeChecker{}, langEN)
	port, _ := drive(form, "tab", "tab", "tab")
	sec, _ := drive(port, "tab")
	pw, _ := drive(form, gmailSteps...)
	same, _ := drive(pw, "tab")
	ret, _ := drive(same, "tab")
	locked, _ := drive(form, "tab", "tab", "tab", "tab", "tab", "=recent:me@gmail.com", "tab", "tab", "tab", "tab")
	review, _ := drive(form, append(gmailSteps, "ctrl+s")...)
	reviewDone := review
	reviewDone.pop, reviewDone.smtp = wizardCheck{state: wizardCheckOK}, wizardCheck{state: wizardCheckOK}
	confirm, _ := drive(form, "=x", "esc")
	signIn, _ := drive(form, "=W", "tab", "=taro@outlook.com", "tab", "tab", "tab", "tab", "tab", "tab", "=client-id", "tab")
	signed := signIn
	signed.sign = signInRun{state: signInDone, key: signed.profileKey()}
	signing := signIn
	signing.sign = signInRun{state: signInDevice}
	cert := &mail.CertError{Host: "pop.gmail.com", Port: 995, Reason: mail.CertSelfSigned}
	cert.Fingerprint = mail.Fingerprint{1, 2, 3}
	reviewCert := reviewDone
	reviewCert.pop = wizardCheck{state: wizardCheckFailed, err: cert}
	saving := reviewDone
	saving.saving = true

	if locked.focus != wfRetention || !locked.recentLock {
		t.Fatalf("setup: locked focus %v lock %v", locked.focus, locked.recentLock)
	}
	states := map[string]wizardModel{
		"text": form, "port": port, "choice": sec, "secret": pw, "check": same, "retention": ret,
		"locked": locked, "review-running": review, "review": reviewDone, "confirm": confirm, "saving": saving,
		"signin": signIn, "signed": signed, "signing": signing, "review-cert": reviewCert,
	}
	if signIn.focus != wfSignIn || signIn.auth != "microsoft" {
		t.Fatalf("setup: sign-in focus %v auth %q", signIn.focus, signIn.auth)
	}
	tests := []struct {
		state, key string
		want       wizardAction
	}{
		{"text", "tab", wizardNext},
		{"text", "enter", wizardNext},
		{"text", "shift+tab", wizardPrev},
		{"text", "up", wizardUp},
		{"text", "down", wizardDown},
		{"text", "ctrl+s", wizardReview},
		{"text", "esc", wizardCancel},
		{"text", "space", wizardNone},
		{"text", "left", wizardNone},
		{"text", "right", wizardNone},
		{"text", "ctrl+r", wizardNone},
		{"text", "t", wizardNone},
		{"text", "y", wizardNone},
		{"text", "n", wizardNone},
		{"port", "space", wizardChange},
		{"port", "right", wizardChange},
		{"port", "left", wizardChangeBack},
		{"port", "9", wizardNone},
		{"choice", "space", wizardChange},
		{"choice", "left", wizardChangeBack},
		{"check", "space", wizardChange},
		{"check", "enter", wizardNext},
		{"retention", "right", wizardChange},
		{"locked", "space", wizardNone},
		{"locked", "tab", wizardNext},
		{"secret", "ctrl+r", wizardReveal},
		{"secret", "space", wizardNone},
		{"review", "enter", wizardSave},
		{"review", "t", wizardRetest},
		{"review", "shift+tab", wizardPrev},
		{"review", "esc", wizardCancel},
		{"review", "tab", wizardNone},
		{"review", "ctrl+s", wizardNone},
		{"review-running", "t", wizardNone},
		{"review-running", "enter", wizardSave},
		{"confirm", "y", wizardYes},
		{"confirm", "Y", wizardYes},
		{"confirm", "n", wizardNo},
		{"confirm", "N", wizardNo},
		{"confirm", "esc", wizardNo},
		{"confirm", "enter", wizardNone},
		{"saving", "enter", wizardNone},
		{"saving", "esc", wizardNone},
		{"signin", "enter", wizardSignInAct},
		{"signin", "b", wizardSignInBrowserAct},
		{"signin", "s", wizardNone},
		{"signin", "tab", wizardNext},
		{"signin", "esc", wizardCancel},
		{"signed", "enter", wizardNext},
		{"signed", "s", wizardSignInAgainAct},
		{"signed", "b", wizardSignInBrowserAct},
		{"signing", "esc", wizardStopSignInAct},
		{"signing", "b", wizardNone},
		{"signing", "enter", wizardNext},
		{"signing", "space", wizardNone},
		{"review-cert", "a", wizardTrustAlways},
		{"review-cert", "o", wizardTrustOnce},
		{"review-cert", "x", wizardTrustReject},
		{"review-cert", "enter", wizardSave},
		{"review", "a", wizardNone},
		{"review", "o", wizardNone},
		{"review-running", "x", wizardNone},
	}
	covered := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.state+"/"+tc.key, func(t *testing.T) {
			m := states[tc.state]
			k := keyMsg(tc.key)
			if got := wizardIntent(m.bindings(), k); got != tc.want {
				t.Errorf("intent = %v, want %v", got, tc.want)
			}
			covered[k.String()] = true
		})
	}
	all := defaultWizardKeys(langEN)
	for _, b := range all.all() {
		for _, k := range b.Keys() {
			if !covered[k] {
				t.Errorf("binding key %q (%s) has no intent case", k, b.Help().Desc)
			}
		}
	}
}

func TestWizardUpdate(t *testing.T) {
	okChecker := fakeChecker{}
	tests := []struct {
		name  string
		st    *fakeWizardStore
		c     checker
		steps []string
		check func(t *testing.T, m wizardModel, cmd tea.Cmd, st *fakeWizardStore)
	}{
		{name: "typing goes into the focused field", steps: []string{"=Work"},
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				wantVal(t, m, wfName, "Work")
				wantFocus(t, m, wfName)
				if !m.typing() || !m.dirty {
					t.Errorf("typing %v dirty %v, want both", m.typing(), m.dirty)
				}
			}},
		{name: "tab moves on", steps: []string{"tab"},
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				wantFocus(t, m, wfEmail)
				if !m.touched[wfName] {
					t.Error("the field left is not touched")
				}
			}},
		{name: "enter moves on", steps: []string{"enter"},
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) { wantFocus(t, m, wfEmail) }},
		{name: "down and up move between fields", steps: []string{"down", "down", "up"},
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) { wantFocus(t, m, wfEmail) }},
		{name: "shift+tab goes back", steps: []string{"tab", "tab", "shift+tab"},
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) { wantFocus(t, m, wfEmail) }},
		{name: "shift+tab on the first field stays", steps: []string{"shift+tab"},
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) { wantFocus(t, m, wfName) }},
		{name: "down on the last field does not leave the form", steps: append(append([]string{}, gmailSteps...), "tab", "tab", "tab", "down", "down", "down", "down", "down"),
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				wantFocus(t, m, wfReplyJIS) // the last field since the reply settings
				if m.step != wizardStepForm {
					t.Error("down went to the review")
				}
			}},
		{name: "port toggles between 995 and 110 and SSL follows", steps: []string{"tab", "tab", "tab", "space"},
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				wantVal(t, m, wfPort, "110")
				wantSecurity(t, m.security, mail.SecurityStartTLS)
				m, _ = drive(m, "right")
				wantVal(t, m, wfPort, "995")
				wantSecurity(t, m.security, mail.SecuritySSL)
				m, _ = drive(m, "left")
				wantVal(t, m, wfPort, "110")
			}},
		{name: "port takes typed digits only", steps: []string{"tab", "tab", "tab", "ctrl+u", "=1a1b0"},
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				wantVal(t, m, wfPort, "110")
				wantSecurity(t, m.security, mail.SecurityStartTLS)
				m, _ = drive(m, "ctrl+u", "=995")
				wantSecurity(t, m.security, mail.SecuritySSL)
				m, _ = drive(m, "ctrl+u", "=2110")
				wantSecurity(t, m.security, mail.SecuritySSL)
			}},
		{name: "an empty port is an error once left", steps: []string{"tab", "tab", "tab", "ctrl+u", "tab"},
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				wantShown(t, m, wfPort, mail.CodePortNumber)
			}},
		{name: "SSL cycles ssl, starttls, none", steps: []string{"tab", "tab", "tab", "tab", "space"},
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				wantSecurity(t, m.security, mail.SecurityStartTLS)
				m, _ = drive(m, "space")
				wantSecurity(t, m.security, mail.SecurityNone)
				m, _ = drive(m, "space")
				wantSecurity(t, m.security, mail.SecuritySSL)
				m, _ = drive(m, "left")
				wantSecurity(t, m.security, mail.SecurityNone)
			}},
		{name: "None on 110 warns at once", steps: []string{"tab", "tab", "tab", "space", "tab", "space"},
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				wantSecurity(t, m.security, mail.SecurityNone)
				wantShown(t, m, wfSecurity, mail.CodePlainPassword)
				wantInView(t, m, "! Without SSL or STARTTLS")
			}},
		{name: "same credentials off shows the outgoing fields", steps: []string{"tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "space", "tab"},
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				if m.smtpSame {
					t.Fatal("still same credentials")
				}
				wantFocus(t, m, wfSMTPHost)
				wantInView(t, m, "Outgoing port")
			}},
		{name: "outgoing port toggles 465 and 587", steps: []string{"tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "space", "tab", "tab", "space"},
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				wantVal(t, m, wfSMTPPort, "587")
				wantSecurity(t, m.smtpSecurity, mail.SecurityStartTLS)
				m, _ = drive(m, "space")
				wantVal(t, m, wfSMTPPort, "465")
				wantSecurity(t, m.smtpSecurity, mail.SecuritySSL)
			}},
		{name: "retention picker cycles the four choices", steps: append(append([]string{}, gmailSteps...), "tab", "tab"),
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				wantFocus(t, m, wfRetention)
				for _, want := range []mail.RetentionKind{mail.RetainDelete, mail.RetainDays, mail.RetainMirror, mail.RetainKeep} {
					m, _ = drive(m, "space")
					if m.retention != want {
						t.Fatalf("retention = %v, want %v", m.retention, want)
					}
				}
				m, _ = drive(m, "left")
				if m.retention != mail.RetainMirror {
					t.Errorf("left gave %v, want mirror", m.retention)
				}
			}},
		{name: "after N days opens the number field at 30", steps: append(append([]string{}, gmailSteps...), "tab", "tab", "space", "space", "tab"),
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				wantFocus(t, m, wfDays)
				wantVal(t, m, wfDays, "30")
				if a := m.account(); a.Retention != (mail.Retention{Kind: mail.RetainDays, Days: 30}) {
					t.Errorf("retention %v, want days:30", a.Retention)
				}
			}},
		{name: "days take digits and the range shows when left", steps: append(append([]string{}, gmailSteps...), "tab", "tab", "space", "space", "tab", "ctrl+u", "=x0"),
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				wantVal(t, m, wfDays, "0")
				wantHidden(t, m, wfDays)
				m, _ = drive(m, "tab")
				wantShown(t, m, wfDays, mail.CodeDaysRange)
				wantInView(t, m, "from 1 to 3650")
			}},
		{name: "sharing is a picker under user choice", steps: append(append([]string{}, gmailSteps...), "tab", "tab", "tab", "space"),
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				wantFocus(t, m, wfSharing)
				if m.account().Sharing != mail.SharingPublic {
					t.Error("sharing not public")
				}
			}},
		{name: "sharing set by the administrator is read-only", st: &fakeWizardStore{policy: store.PolicyPublic},
			steps: append(append([]string{}, gmailSteps...), "tab", "tab", "tab", "tab", "tab", "tab", "tab"), // past fetching, the CA file and the reply settings too
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				if m.step != wizardStepReview {
					t.Fatalf("tab past retention: step %v focus %v, want the review", m.step, m.focus)
				}
				if m.account().Sharing != mail.SharingPublic {
					t.Error("sharing not forced public")
				}
				wantInView(t, m, "Public (set by your administrator)")
			}},
		{name: "errors wait until the field is left", steps: []string{"tab", "=taro"},
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				wantHidden(t, m, wfEmail)
				m, _ = drive(m, "tab")
				wantShown(t, m, wfEmail, mail.CodeBadEmail)
				wantInView(t, m, `"taro" is not an email address`)
				m, _ = drive(m, "shift+tab", "=@example.com")
				if _, ok := problemFor(m.problems(), wfEmail); ok {
					t.Error("error still there after fixing the address")
				}
			}},
		{name: "Gmail preset fills servers, user name and hints", steps: []string{"tab", "=taro@gmail.com"},
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				wantVal(t, m, wfHost, "pop.gmail.com")
				wantVal(t, m, wfPort, "995")
				wantSecurity(t, m.security, mail.SecuritySSL)
				wantVal(t, m, wfUser, "taro@gmail.com")
				wantVal(t, m, wfSMTPHost, "smtp.gmail.com")
				wantVal(t, m, wfSMTPPort, "465")
				wantVal(t, m, wfSMTPUser, "taro@gmail.com")
				wantInView(t, m, "Gmail: servers filled in")
				wantInView(t, m, "Enable POP access")
				wantInView(t, m, "app password")
				if got := m.account().SMTP().Host; got != "smtp.gmail.com" {
					t.Errorf("SMTP host %q", got)
				}
			}},
		{name: "a server the user typed is not overwritten", steps: []string{"tab", "tab", "=mail.example.org", "shift+tab", "=taro@gmail.com"},
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				wantVal(t, m, wfHost, "mail.example.org")
				wantVal(t, m, wfUser, "taro@gmail.com")
			}},
		{name: "a user name the user typed is not overwritten", steps: []string{"tab", "tab", "tab", "tab", "tab", "=someone", "shift+tab", "shift+tab", "shift+tab", "shift+tab", "=taro@gmail.com"},
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				wantFocus(t, m, wfEmail)
				wantVal(t, m, wfUser, "someone")
				wantVal(t, m, wfHost, "pop.gmail.com")
			}},
		{name: "an unknown domain fills the user name; the outgoing server follows the incoming", steps: []string{"tab", "=taro@example.org", "tab", "=pop.example.org"},
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				wantVal(t, m, wfUser, "taro@example.org")
				wantVal(t, m, wfSMTPHost, "smtp.example.org")
				wantInView(t, m, "ask your administrator if unsure")
			}},
		{name: "Gmail recent: sets keep and locks retention", steps: append(append([]string{}, gmailSteps...), "tab", "tab", "space", "shift+tab", "shift+tab", "shift+tab", "shift+tab", "ctrl+u", "=recent:taro@gmail.com"),
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				wantFocus(t, m, wfUser)
				if m.retention != mail.RetainKeep || !m.recentLock {
					t.Fatalf("retention %v lock %v, want keep and locked", m.retention, m.recentLock)
				}
				wantVal(t, m, wfSMTPUser, "taro@gmail.com")
				if got := m.account().SMTP().User; got != "taro@gmail.com" {
					t.Errorf("SMTP user %q", got)
				}
				wantInView(t, m, "starts with recent:")
				wantInView(t, m, "Keep on server (locked)")
				m, _ = drive(m, "tab", "tab", "tab", "tab", "space")
				if m.retention != mail.RetainKeep {
					t.Errorf("locked retention changed to %v", m.retention)
				}
				m, _ = drive(m, "shift+tab", "shift+tab", "shift+tab", "shift+tab", "ctrl+u", "=taro@gmail.com")
				if m.retention != mail.RetainDelete || m.recentLock {
					t.Errorf("without recent: retention %v lock %v, want delete unlocked", m.retention, m.recentLock)
				}
			}},
		{name: "esc with nothing typed leaves at once", steps: []string{"tab", "esc"},
			check: func(t *testing.T, m wizardModel, cmd tea.Cmd, _ *fakeWizardStore) {
				wantMsg[wizardCancelledMsg](t, cmd)
			}},
		{name: "esc after typing asks first", steps: []string{"=W", "esc"},
			check: func(t *testing.T, m wizardModel, cmd tea.Cmd, _ *fakeWizardStore) {
				if m.confirm != wizardConfirmDiscard || cmd != nil {
					t.Fatalf("confirm %v cmd %v", m.confirm, cmd != nil)
				}
				wantInView(t, m, "Discard this account? y/n")
				if !m.typing() {
					t.Error("a y/n question must keep the keys")
				}
				m, cmd = drive(m, "n")
				if m.confirm != wizardConfirmNone || cmd != nil {
					t.Fatal("n did not close the question")
				}
				wantVal(t, m, wfName, "W")
				m, cmd = drive(m, "esc", "y")
				wantMsg[wizardCancelledMsg](t, cmd)
			}},
		{name: "review with errors focuses the first one and shows them all", steps: []string{"tab", "=taro@gmail.com", "ctrl+s"},
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				if m.step != wizardStepForm {
					t.Fatal("went to the review with errors")
				}
				wantFocus(t, m, wfName)
				wantShown(t, m, wfName, mail.CodeRequired)
				wantShown(t, m, wfPassword, mail.CodeRequired)
				wantInView(t, m, "Fix the marked fields first.")
				wantInView(t, m, "Enter a display name")
			}},
		{name: "enter on the last field goes to the review and tests", c: okChecker, steps: append(append([]string{}, gmailSteps...), "tab", "tab", "tab", "tab", "tab", "tab", "tab", "enter"),
			check: func(t *testing.T, m wizardModel, cmd tea.Cmd, _ *fakeWizardStore) {
				if m.step != wizardStepReview || !m.testing() || m.typing() {
					t.Fatalf("step %v testing %v typing %v", m.step, m.testing(), m.typing())
				}
				var results int
				for _, msg := range runCmd(cmd) {
					if r, ok := msg.(wizardCheckMsg); ok {
						results++
						if r.seq != m.testSeq {
							t.Errorf("result seq %d, want %d", r.seq, m.testSeq)
						}
					}
				}
				if results != 2 {
					t.Errorf("%d results, want 2", results)
				}
			}},
		{name: "a passing test saves at once", c: okChecker, steps: append(append([]string{}, gmailSteps...), "ctrl+s"),
			check: func(t *testing.T, m wizardModel, cmd tea.Cmd, st *fakeWizardStore) {
				m = feed(m, cmd)
				if m.pop.state != wizardCheckOK || m.smtp.state != wizardCheckOK {
					t.Fatalf("results %v %v", m.pop.state, m.smtp.state)
				}
				wantInView(t, m, "✓ Incoming (POP3): logged in to pop.gmail.com.")
				m, cmd = drive(m, "enter")
				if !m.saving {
					t.Fatal("not saving")
				}
				saved := wantMsg[wizardSavedMsg](t, cmd)
				if !saved.added || saved.acct.ID == "" || len(st.added) != 1 {
					t.Fatalf("saved %+v, store has %d", saved, len(st.added))
				}
				a := st.added[0]
				if a.Name != "Work" || a.Incoming.Password != "app-password" || !a.SMTPSame || a.Incoming.Host != "pop.gmail.com" {
					t.Errorf("stored %+v", a)
				}
			}},
		{name: "a failed test asks before saving", c: fakeChecker{pop: fmt.Errorf("user: %w", mail.ErrAuth)}, steps: append(append([]string{}, gmailSteps...), "ctrl+s"),
			check: func(t *testing.T, m wizardModel, cmd tea.Cmd, st *fakeWizardStore) {
				m = feed(m, cmd)
				wantInView(t, m, "✗ Incoming (POP3): pop.gmail.com refused the user name or password")
				m, cmd = drive(m, "enter")
				if m.confirm != wizardConfirmSaveAnyway || cmd != nil {
					t.Fatal("no save-anyway question")
				}
				wantInView(t, m, "Save anyway? y/n")
				m, cmd = drive(m, "n")
				if cmd != nil || m.saving {
					t.Fatal("n saved")
				}
				m, cmd = drive(m, "enter", "y")
				wantMsg[wizardSavedMsg](t, cmd)
				if len(st.added) != 1 {
					t.Errorf("store has %d accounts", len(st.added))
				}
			}},
		{name: "a stale test result is dropped", c: okChecker, steps: append(append([]string{}, gmailSteps...), "ctrl+s"),
			check: func(t *testing.T, m wizardModel, first tea.Cmd, _ *fakeWizardStore) {
				m, _ = drive(m, "shift+tab")
				if m.step != wizardStepForm || m.pop.state != wizardCheckIdle {
					t.Fatal("shift+tab did not go back to the form")
				}
				wantFocus(t, m, wfReplyJIS) // the last field since the reply settings
				m, second := drive(m, "ctrl+s")
				m = feed(m, first)
				if m.pop.state != wizardCheckRunning || m.smtp.state != wizardCheckRunning {
					t.Fatalf("old results taken: %v %v", m.pop.state, m.smtp.state)
				}
				m = feed(m, second)
				if m.pop.state != wizardCheckOK || m.smtp.state != wizardCheckOK {
					t.Fatalf("new results not taken: %v %v", m.pop.state, m.smtp.state)
				}
				m, _ = m.update(wizardCheckMsg{seq: m.testSeq - 1, side: wizardSidePOP3, err: mail.ErrAuth})
				if m.pop.state != wizardCheckOK {
					t.Error("stale failure replaced a result")
				}
			}},
		{name: "t runs the test again", c: fakeChecker{smtp: mail.ErrTimeout}, steps: append(append([]string{}, gmailSteps...), "ctrl+s"),
			check: func(t *testing.T, m wizardModel, cmd tea.Cmd, _ *fakeWizardStore) {
				m = feed(m, cmd)
				seq := m.testSeq
				wantInView(t, m, "did not answer in time")
				m, cmd = drive(m, "t")
				if m.testSeq != seq+1 || !m.testing() || cmd == nil {
					t.Fatalf("seq %d testing %v", m.testSeq, m.testing())
				}
				m, _ = m.update(spinner.TickMsg{ID: m.spin.ID()})
				m = feed(m, cmd)
				if m.testing() {
					t.Error("still testing")
				}
				if _, cmd = m.update(spinner.TickMsg{ID: m.spin.ID()}); cmd != nil {
					t.Error("the spinner keeps ticking after the test")
				}
			}},
		{name: "ctrl+r shows the password while toggled", steps: append(append([]string{}, gmailSteps...), "ctrl+r"),
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				if m.inputs[wfPassword].EchoMode != textinput.EchoNormal {
					t.Fatal("not revealed")
				}
				wantInView(t, m, "app-password")
				m, _ = drive(m, "ctrl+r")
				if m.inputs[wfPassword].EchoMode != textinput.EchoPassword || strings.Contains(plainView(m), "app-password") {
					t.Fatal("not hidden again")
				}
				m, _ = drive(m, "ctrl+r", "tab")
				if m.reveal || m.inputs[wfPassword].EchoMode != textinput.EchoPassword {
					t.Error("leaving the field keeps it revealed")
				}
				wantInView(t, m, wizardMask)
			}},
		{name: "a name already taken is refused before saving", st: &fakeWizardStore{accounts: []mail.Account{{ID: "1", Name: "Work"}}},
			steps: []string{"=work", "tab"},
			check: func(t *testing.T, m wizardModel, _ tea.Cmd, _ *fakeWizardStore) {
				wantShown(t, m, wfName, mail.CodeDuplicateName)
				wantInView(t, m, `An account named "work" already exists`)
			}},
		{name: "a store failure is shown and the wizard stays", st: &fakeWizardStore{saveErr: errors.New("disk full")}, c: okChecker,
			steps: append(append([]string{}, gmailSteps...), "ctrl+s"),
			check: func(t *testing.T, m wizardModel, cmd tea.Cmd, _ *fakeWizardStore) {
				m = feed(m, cmd)
				m, cmd = drive(m, "enter")
				m, _ = drive(m, "enter") // ignored while saving
				m = feed(m, cmd)
				if m.saving || m.step != wizardStepReview {
					t.Fatalf("saving %v step %v", m.saving, m.step)
				}
				wantInView(t, m, "The account was not saved: disk full")
			}},
		{name: "a name taken meanwhile sends focus back to the name", c: okChecker,
			st:    &fakeWizardStore{saveErr: mail.FieldErrors{{Field: mail.FieldName, Code: mail.CodeDuplicateName, Message: "taken"}}},
			steps: append(append([]string{}, gmailSteps...), "ctrl+s"),
			check: func(t *testing.T, m wizardModel, cmd tea.Cmd, _ *fakeWizardStore) {
				m = feed(m, cmd)
				m, cmd = drive(m, "enter")
				m = feed(m, cmd)
				if m.step != wizardStepForm {
					t.Fatal("still on the review")
				}
				wantFocus(t, m, wfName)
				wantShown(t, m, wfName, mail.CodeDuplicateName)
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := tc.st
			if st == nil {
				st = &fakeWizardStore{}
			}
			m := newTestWizard(st, tc.c, langEN)
			m, cmd := drive(m, tc.steps...)
			tc.check(t, m, cmd, st)
		})
	}
}

func TestWizardEditExisting(t *testing.T) {
	existing := mail.Account{
		ID: "7", Name: "Work", Email: "taro@example.org",
		Incoming:  mail.Server{Host: "pop.example.org", Port: 995, Security: mail.SecuritySSL, User: "taro", Password: "stored"},
		SMTPSame:  false,
		Outgoing:  mail.Server{Host: "smtp.example.org", Port: 587, Security: mail.SecurityStartTLS, User: "taro", Password: "stored-out"},
		Retention: mail.Retention{Kind: mail.RetainDays, Days: 14},
		Sharing:   mail.SharingPublic,
		CAFile:    "/etc/ca.pem",
	}
	st := &fakeWizardStore{accounts: []mail.Account{existing, {ID: "8", Name: "Home"}}}
	var seen mail.Account
	c := checkerFunc(func(a mail.Account) { seen = a })
	m := newWizard(wizardTestDeps(langEN, c), st, readWizardData(st), &existing).setSize(120, 40)

	wantVal(t, m, wfHost, "pop.example.org")
	wantVal(t, m, wfPassword, "")
	wantVal(t, m, wfDays, "14")
	wantInView(t, m, "Edit the account “Work”")
	m, _ = drive(m, "tab", "=x")
	if m.val(wfHost) != "pop.example.org" {
		t.Error("editing the address replaced the server")
	}
	m, cmd := drive(m, "backspace", "ctrl+s")
	if m.step != wizardStepReview {
		t.Fatalf("empty passwords of an edited account blocked the review (focus %v)", m.focus)
	}
	wantInView(t, m, "Password unchanged")
	m = feed(m, cmd)
	if seen.Incoming.Password != "stored" || seen.Outgoing.Password != "stored-out" {
		t.Errorf("the test did not use the stored passwords: %+v", seen)
	}
	m, cmd = drive(m, "enter")
	saved := wantMsg[wizardSavedMsg](t, cmd)
	if saved.added || len(st.updated) != 1 {
		t.Fatalf("saved %+v updated %d", saved, len(st.updated))
	}
	u := st.updated[0]
	if u.ID != "7" || u.Incoming.Password != "" || u.Outgoing.Password != "" || u.CAFile != "/etc/ca.pem" || u.Retention.Days != 14 {
		t.Errorf("updated %+v", u)
	}

	// Renaming to the other account's name is refused.
	m2 := newWizard(wizardTestDeps(langEN, nil), st, readWizardData(st), &existing)
	m2, _ = drive(m2, "ctrl+u", "=Home", "tab")
	wantShown(t, m2, wfName, mail.CodeDuplicateName)
}

// TestWizardOutgoingUserWithoutRecent: the wizard gives the outgoing server
// the incoming user without recent:, whatever its case, as account add does
// (TestAccountAddOutgoingUser in cmd/popbox has the same cases): in the
// outgoing user field, and in the account saved with the same credentials
// or with the outgoing server filled in by hand.
func TestWizardOutgoingUserWithoutRecent(t *testing.T) {
	cases := []struct{ incoming, outgoing string }{
		{"recent:ann@gmail.com", "ann@gmail.com"},
		{"Recent:ann@gmail.com", "ann@gmail.com"},
		{"RECENT:ann@gmail.com", "ann@gmail.com"},
		{"ann@gmail.com", "ann@gmail.com"},
	}
	for _, tc := range cases {
		for _, by := range []string{"same", "smtp-host"} {
			t.Run(tc.incoming+"/"+by, func(t *testing.T) {
				st := &fakeWizardStore{}
				m := newTestWizard(st, nil, langEN)
				m, _ = drive(m, "=Ann", "tab", "=ann@gmail.com", "tab", "tab", "tab", "tab", "ctrl+u", "="+tc.incoming, "tab", "tab", "=pw")
				wantVal(t, m, wfSMTPUser, tc.outgoing)
				if by == "smtp-host" {
					m, _ = drive(m, "tab", "space", "tab", "tab", "tab", "tab", "tab", "=pw2")
					if m.smtpSame || m.focus != wfSMTPPassword {
						t.Fatalf("same %v focus %s, want the outgoing password", m.smtpSame, m.focus.name())
					}
				}
				if got := m.account().SMTP().User; got != tc.outgoing {
					t.Errorf("outgoing user %q, want %q", got, tc.outgoing)
				}
				m, _ = drive(m, "ctrl+s")
				if m.step != wizardStepReview {
					t.Fatalf("no review (focus %s)", m.focus.name())
				}
				_, cmd := drive(m, "enter", "y")
				saved := wantMsg[wizardSavedMsg](t, cmd)
				if saved.acct.Incoming.User != tc.incoming {
					t.Errorf("saved incoming user %q, want %q", saved.acct.Incoming.User, tc.incoming)
				}
				if got := saved.acct.SMTP().User; got != tc.outgoing {
					t.Errorf("saved outgoing user %q, want %q", got, tc.outgoing)
				}
			})
		}
	}
}

// checkerFunc passes every test and reports the account it was given.
type checkerFunc func(a mail.Account)

func (f checkerFunc) CheckPOP3(ctx context.Context, a mail.Account) error { f(a); return nil }
func (f checkerFunc) CheckSMTP(ctx context.Context, a mail.Account) error { f(a); return nil }

func TestWizardCheckTimeout(t *testing.T) {
	var deadline time.Time
	c := ctxChecker(func(ctx context.Context) { deadline, _ = ctx.Deadline() })
	start := time.Now()
	msg := wizardRunCheck(c, 3, wizardSideSMTP, mail.Account{})()
	r, ok := msg.(wizardCheckMsg)
	if !ok || r.seq != 3 || r.side != wizardSideSMTP {
		t.Fatalf("msg %#v", msg)
	}
	if d := deadline.Sub(start); d < 20*time.Second || d > 30*time.Second {
		t.Errorf("deadline in %v, want about 25s", d)
	}
}

type ctxChecker func(ctx context.Context)

func (f ctxChecker) CheckPOP3(ctx context.Context, a mail.Account) error { f(ctx); return nil }
func (f ctxChecker) CheckSMTP(ctx context.Context, a mail.Account) error { f(ctx); return nil }

func TestWizardCheckText(t *testing.T) {
	m := newTestWizard(nil, nil, langEN)
	m, _ = drive(m, gmailSteps...)
	tests := []struct {
		name string
		side wizardSide
		err  error
		want string
	}{
		{"unreachable", wizardSidePOP3, fmt.Errorf("dial: %w", mail.ErrUnreachable), "Cannot reach pop.gmail.com:995."},
		{"TLS mismatch", wizardSidePOP3, mail.ErrTLSMismatch, "TLS mismatch on this port: try SSL on 995 or STARTTLS on 110."},
		{"TLS mismatch SMTP", wizardSideSMTP, mail.ErrTLSMismatch, "try SSL on 465 or STARTTLS on 587."},
		{"certificate", wizardSidePOP3, mail.ErrCertificate, "The certificate of pop.gmail.com is not trusted"},
		{"auth", wizardSideSMTP, mail.ErrAuth, "smtp.gmail.com refused the user name or password. Check them; with 2-step verification, use an app password."},
		{"timeout", wizardSidePOP3, mail.ErrTimeout, "pop.gmail.com did not answer in time."},
		{"context deadline", wizardSidePOP3, context.DeadlineExceeded, "did not answer in time"},
		{"no STARTTLS", wizardSidePOP3, mail.ErrNoSTARTTLS, "pop.gmail.com does not offer STARTTLS. Choose SSL (port 995)"},
		{"other", wizardSidePOP3, errors.New("boom"), "The test failed: boom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := m.checkText(tc.side, tc.err); !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want it to contain %q", got, tc.want)
			}
		})
	}
	ja := m
	ja.d.lang = langJA
	if got := ja.checkText(wizardSidePOP3, mail.ErrAuth); !strings.Contains(got, "アプリ専用のパスワード") {
		t.Errorf("Japanese auth text %q", got)
	}
}

// codeConstants reads the Code* constants of mail/account.go, so a new code
// cannot be added without a translation.
func codeConstants(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", "mail", "account.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if !strings.HasPrefix(n.Name, "Code") || i >= len(vs.Values) {
					continue
				}
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					v, _ := strconv.Unquote(lit.Value)
					out[n.Name] = v
				}
			}
		}
	}
	if len(out) < 10 {
		t.Fatalf("found only %d codes in mail/account.go", len(out))
	}
	return out
}

func TestWizardErrorCodesTranslated(t *testing.T) {
	m := newTestWizard(nil, nil, langEN)
	fields := []string{mail.FieldName, mail.FieldEmail, mail.FieldHost, mail.FieldPort, mail.FieldSecurity,
		mail.FieldUser, mail.FieldPassword, mail.FieldSMTPHost, mail.FieldSMTPPort, mail.FieldSMTPSecurity,
		mail.FieldSMTPUser, mail.FieldSMTPPassword, mail.FieldRetention, mail.FieldSharing}
	for name, code := range codeConstants(t) {
		t.Run(name, func(t *testing.T) {
			if !hasMessage("err." + code) {
				t.Fatalf("no catalog entry err.%s", code)
			}
			for _, l := range []lang{langEN, langJA} {
				m.d.lang = l
				for _, f := range fields {
					fe := mail.FieldError{Field: f, Code: code, Message: "UNTRANSLATED"}
					got := m.problemText(fe)
					if got == fe.Message || strings.Contains(got, "%!") || strings.HasPrefix(got, "err.") {
						t.Errorf("%s on %s in lang %d: %q", code, f, l, got)
					}
				}
			}
		})
	}
	m.d.lang = langEN
	if got := m.problemText(mail.FieldError{Field: mail.FieldName, Code: "something-new", Message: "English fallback"}); got != "English fallback" {
		t.Errorf("unknown code gave %q, want the message", got)
	}
	if got := m.problemText(mail.FieldError{Field: mail.FieldSMTPHost, Code: mail.CodeRequired}); !strings.Contains(got, "outgoing server") {
		t.Errorf("required smtp-host: %q", got)
	}
}

func TestWizardHintsTranslated(t *testing.T) {
	for _, h := range []mail.Hint{mail.HintAppPassword, mail.HintEnablePOP, mail.HintGmailRecent, mail.HintFullAddress} {
		if !hasMessage("hint." + h.Key) {
			t.Errorf("no catalog entry hint.%s", h.Key)
		}
	}
	for f := wizardField(0); f < wfCount; f++ {
		for _, k := range []string{"field." + f.name(), "hint." + f.name()} {
			if !hasMessage(k) {
				t.Errorf("no catalog entry %s", k)
			}
		}
	}
}

// wizardStates are the screens the layout tests look at, as steps from a
// fresh wizard.
var wizardStates = []struct {
	name  string
	c     checker
	steps []string
}{
	{"first", nil, nil},
	{"gmail", nil, []string{"=Work", "tab", "=taro@gmail.com"}},
	{"error", nil, []string{"tab", "=taro", "tab"}},
	{"all-errors", nil, []string{"tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "space", "ctrl+s"}},
	{"outgoing", nil, []string{"=Work", "tab", "=taro@example.org", "tab", "=pop.example.org", "tab", "tab", "tab", "tab", "tab", "=secret", "tab", "space"}},
	{"days", nil, append(append([]string{}, gmailSteps...), "tab", "tab", "space", "space")},
	{"recent", nil, []string{"=Work", "tab", "=taro@gmail.com", "tab", "tab", "tab", "tab", "ctrl+u", "=recent:taro@gmail.com", "tab", "tab", "=pw", "tab", "tab"}},
	{"review", fakeChecker{smtp: fmt.Errorf("auth: %w", mail.ErrAuth)}, append(append([]string{}, gmailSteps...), "ctrl+s")},
	{"review-fail-both", fakeChecker{pop: errors.New("a very long error from a server that says many things about what went wrong and why"), smtp: mail.ErrCertificate}, append(append([]string{}, gmailSteps...), "tab", "space", "tab", "ctrl+u", "=smtp.example.org", "tab", "tab", "tab", "tab", "=pw2", "ctrl+s")},
	{"confirm", nil, []string{"=W", "esc"}},
}

func wizardState(t *testing.T, l lang, w, h int, i int) wizardModel {
	t.Helper()
	s := wizardStates[i]
	m := newWizard(wizardTestDeps(l, s.c), &fakeWizardStore{}, wizardData{}, nil).setSize(w, h)
	m, cmd := drive(m, s.steps...)
	if m.step == wizardStepReview {
		m = feed(m, cmd)
	}
	return m
}

func TestWizardLayoutFits(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {60, 16}} {
		for _, l := range []lang{langEN, langJA} {
			for i, s := range wizardStates {
				name := fmt.Sprintf("%s/%dx%d/%s", s.name, size[0], size[1], langName(l))
				t.Run(name, func(t *testing.T) {
					m := wizardState(t, l, size[0], size[1], i)
					// Walk the focus through every field too.
					for step := 0; step < 20; step++ {
						checkFits(t, m, size[0], size[1])
						if m.step != wizardStepForm || m.confirm != wizardConfirmNone {
							break
						}
						m, _ = drive(m, "down")
					}
				})
			}
		}
	}
}

func langName(l lang) string {
	if l == langJA {
		return "ja"
	}
	return "en"
}

func TestWizardJapaneseLabelsAligned(t *testing.T) {
	m := newWizard(wizardTestDeps(langJA, nil), &fakeWizardStore{}, wizardData{}, nil).setSize(120, 60)
	m, _ = drive(m, "=仕事", "tab", "=taro@example.org", "tab", "=pop.example.org", "tab", "tab", "tab", "tab", "tab", "=pw",
		"tab", "space", "tab", "tab", "tab", "tab", "tab", "=pw2", "tab", "space", "space", "tab", "tab")
	if m.focus != wfSharing {
		t.Fatalf("setup: focus %v", m.focus)
	}
	lw, _ := m.columns()
	lines := strings.Split(plainView(m), "\n")
	col := -1
	for _, f := range m.visible() {
		label := m.label(f)
		found := false
		for _, ln := range lines {
			rest, ok := strings.CutPrefix(ln, "  "+label)
			if !ok {
				rest, ok = strings.CutPrefix(ln, "› "+label)
			}
			if !ok || !strings.HasPrefix(rest, " ") {
				continue
			}
			found = true
			value := strings.TrimLeft(rest, " ")
			if value == "" {
				t.Errorf("%s has no value", label)
				break
			}
			at := lipgloss.Width(ln[:len(ln)-len(value)])
			if col == -1 {
				col = at
			}
			if at != col || at != lw+4 {
				t.Errorf("%s: value at column %d, want %d (label width %d)", label, at, lw+4, lw)
			}
			break
		}
		if !found {
			t.Errorf("label %s not in view", label)
		}
	}
	if lw != lipgloss.Width("メールアドレス/ユーザー名") {
		t.Errorf("label column %d, want the widest Japanese label", lw)
	}
}

func TestWizardLoadError(t *testing.T) {
	st := &fakeWizardStore{policyErr: errors.New("the sharing policy file is broken")}
	m := newWizard(wizardTestDeps(langEN, nil), st, readWizardData(st), nil).setSize(120, 40)
	wantInView(t, m, "Could not read the settings: the sharing policy file is broken")
}

// wizardTestRoot is a minimal root model for teatest, shaped like app.go:
// it sizes the wizard above a footer of its keys, passes every message on,
// and quits when the wizard is done.
type wizardTestRoot struct {
	w    wizardModel
	help help.Model
	done string
}

func newWizardTestRoot(w wizardModel) wizardTestRoot {
	h := help.New()
	s := w.d.styles
	h.Styles.ShortKey, h.Styles.ShortDesc, h.Styles.ShortSeparator, h.Styles.Ellipsis = s.key, s.help, s.faint, s.faint
	return wizardTestRoot{w: w, help: h}
}

func (r wizardTestRoot) Init() tea.Cmd { return nil }

func (r wizardTestRoot) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		r.w = r.w.setSize(msg.Width, msg.Height-1)
		r.help.Width = msg.Width
		return r, nil
	case wizardSavedMsg:
		r.done = "saved " + msg.acct.Name
		return r, tea.Quit
	case wizardCancelledMsg:
		r.done = "cancelled"
		return r, tea.Quit
	}
	var cmd tea.Cmd
	r.w, cmd = r.w.update(msg)
	return r, cmd
}

func (r wizardTestRoot) View() string {
	// As the root does: help keeps an item whose ellipsis would not fit.
	return r.w.view() + "\n" + ansi.Truncate(r.help.ShortHelpView(r.w.keys().ShortHelp()), r.help.Width, "…")
}

// wizardGoldenStep is a wizard screen as steps from a fresh wizard.
type wizardGoldenStep struct {
	name  string
	c     checker
	steps []string
	wait  []string // output to wait for before the picture is taken
}

// wizardGoldenSteps are the screens kept as golden files, plain, in both
// languages at 80x24 and 120x40.
var wizardGoldenSteps = []wizardGoldenStep{
	{"first", nil, nil, nil},
	{"gmail", nil, []string{"=Work", "tab", "=taro@gmail.com"}, nil},
	{"error", nil, []string{"tab", "=taro", "tab"}, nil},
	{"outgoing", nil, []string{"=Work", "tab", "=taro@example.org", "tab", "=pop.example.org", "tab", "tab", "tab", "tab", "tab", "=secret", "tab", "space"}, nil},
	{"days", nil, append(append([]string{}, gmailSteps...), "tab", "tab", "space", "space"), nil},
	{"review", fakeChecker{smtp: fmt.Errorf("auth: %w", mail.ErrAuth)}, append(append([]string{}, gmailSteps...), "ctrl+s"), []string{"✓", "✗"}},
}

// wizardWarningStep shows a field warning: no SSL on port 995. It is
// kept in colour only; its layout is that of the error screen.
var wizardWarningStep = wizardGoldenStep{"warning", nil, []string{"=Work", "tab", "=taro@example.org", "tab", "=pop.example.org", "tab", "tab", "right", "right", "tab"}, nil}

// wizardColorGoldens are the screens also kept in colour, at 80x24:
// together they draw each style of the wizard once.
var wizardColorGoldens = []struct {
	screen string
	lang   lang
}{
	// The focused field (marker, label, the cursor on the placeholder, its
	// hint), a field error, values, toggles on and off, the keys below.
	{"error", langEN},
	// A field warning.
	{"warning", langEN},
	// The connection test, passed and failed.
	{"review", langEN},
	// A Japanese placeholder under the cursor: only colour shows
	// placeholders, so this is the one place wide ones are drawn.
	{"first", langJA},
}

func TestWizardGolden(t *testing.T) {
	run := func(g wizardGoldenStep, l lang, w, h int, color bool) {
		mode := "plain"
		if color {
			mode = "color"
		}
		name := fmt.Sprintf("%s-%dx%d-%s-%s", g.name, w, h, langName(l), mode)
		t.Run(name, func(t *testing.T) {
			goldenProfile(t, color)
			d := wizardTestDeps(l, g.c)
			d.plain = !color
			root := newWizardTestRoot(newWizard(d, &fakeWizardStore{}, wizardData{}, nil))
			steps := append([]string{}, g.steps...)
			for _, text := range g.wait {
				steps = append(steps, "wait:"+text)
			}
			final := playProgram(t, root, w, h, steps...).(wizardTestRoot)
			view := final.View()
			checkFits(t, final.w, w, h-1)
			checkScreen(t, view, w, h)
			requireGolden(t, "wizard/"+name, view)
		})
	}
	for _, l := range []lang{langEN, langJA} {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			for _, g := range wizardGoldenSteps {
				run(g, l, size[0], size[1], false)
			}
		}
	}
	screens := map[string]wizardGoldenStep{wizardWarningStep.name: wizardWarningStep}
	for _, g := range wizardGoldenSteps {
		screens[g.name] = g
	}
	for _, c := range wizardColorGoldens {
		g, ok := screens[c.screen]
		if !ok {
			t.Fatalf("no wizard screen %q", c.screen)
		}
		run(g, c.lang, 80, 24, true)
	}
}

func wantFocus(t *testing.T, m wizardModel, f wizardField) {
	t.Helper()
	if m.focus != f {
		t.Fatalf("focus %s, want %s", m.focus.name(), f.name())
	}
}

func wantVal(t *testing.T, m wizardModel, f wizardField, v string) {
	t.Helper()
	if got := m.val(f); got != v {
		t.Errorf("%s = %q, want %q", f.name(), got, v)
	}
}

func wantSecurity(t *testing.T, got, want mail.Security) {
	t.Helper()
	if got != want {
		t.Errorf("security %v, want %v", got, want)
	}
}

func wantShown(t *testing.T, m wizardModel, f wizardField, code string) {
	t.Helper()
	fe, ok := problemFor(m.problems(), f)
	if !ok || fe.Code != code {
		t.Fatalf("%s problem %+v (%v), want code %s", f.name(), fe, ok, code)
	}
	if !m.shows(f) {
		t.Fatalf("%s problem not shown", f.name())
	}
	if !strings.Contains(plainView(m), m.problemText(fe)[:10]) {
		t.Errorf("%s problem %q not in view:\n%s", f.name(), m.problemText(fe), plainView(m))
	}
}

func wantHidden(t *testing.T, m wizardModel, f wizardField) {
	t.Helper()
	if m.shows(f) {
		t.Errorf("%s problems shown while typing", f.name())
	}
}

func wantInView(t *testing.T, m wizardModel, s string) {
	t.Helper()
	v := plainView(m)
	if !strings.Contains(strings.Join(strings.Fields(v), " "), s) {
		t.Errorf("view lacks %q:\n%s", s, v)
	}
}

// wantMsg runs cmd and returns its message of type T.
func wantMsg[T any](t *testing.T, cmd tea.Cmd) T {
	t.Helper()
	for _, msg := range runCmd(cmd) {
		if v, ok := msg.(T); ok {
			return v
		}
	}
	var zero T
	t.Fatalf("no %T from the command", zero)
	return zero
}
