package tui

import (
	"context"
	"strings"
	"sync"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"popbox/mail"
	"popbox/mail/discover"
)

// fakeDiscover answers lookups from a table by domain (nothing found for
// the others) and counts them.
type fakeDiscover struct {
	mu    sync.Mutex
	calls []string
	found map[string]discover.Proposal
	err   map[string]error // instead of ErrNotFound, for a domain
}

func (f *fakeDiscover) lookup(ctx context.Context, email string) (discover.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, email)
	res := discover.Result{Email: email}
	domain := emailDomain(email)
	if p, ok := f.found[domain]; ok {
		if p.UserIsEmail {
			p.Incoming.User, p.Outgoing.User = email, email
		}
		res.Best, res.All = p, []discover.Proposal{p}
		return res, nil
	}
	if err := f.err[domain]; err != nil {
		res.Refused = []discover.Refusal{{Source: discover.SourceMX, Detail: domain, Err: err}}
	}
	return res, discover.ErrNotFound
}

func (f *fakeDiscover) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// microsoftByMX is what Lookup proposes for a domain whose MX is
// Microsoft 365's.
func microsoftByMX(domain string) discover.Proposal {
	p := mail.Microsoft365Preset()
	return discover.Proposal{
		Source: discover.SourceMX, Detail: domain + ".mail.protection.outlook.com", Provider: p.Provider,
		Incoming: p.Incoming, Outgoing: p.Outgoing, UserIsEmail: true,
		SignIn: p.SignIn, SignInFirst: p.SignInFirst, Hints: p.Hints,
	}
}

// newDiscoverWizard is a wizard for a new account whose lookups f answers.
func newDiscoverWizard(f *fakeDiscover, l lang) wizardModel {
	d := wizardTestDeps(l, nil)
	d.discover = f.lookup
	return newWizard(d, &fakeWizardStore{}, wizardData{}, nil).setSize(120, 40)
}

func newFakeDiscover() *fakeDiscover {
	return &fakeDiscover{
		found: map[string]discover.Proposal{
			"corp.test": microsoftByMX("corp.test"),
			"srv.test": {Source: discover.SourceSRV, Detail: "_pop3s._tcp.srv.test",
				Incoming: mail.Server{Host: "mail.srv.test", Port: 995, Security: mail.SecuritySSL},
				Outgoing: mail.Server{Host: "smtp.srv.test", Port: 587, Security: mail.SecurityStartTLS}},
			"auto.test": {Source: discover.SourceAutoconfig, Detail: "https://autoconfig.auto.test/mail/config-v1.1.xml",
				Provider: "Auto Mail", Incoming: mail.Server{Host: "pop.auto.test", Port: 995, Security: mail.SecuritySSL, User: "taro"}},
		},
		err: map[string]error{"slow.test": discover.ErrTimedOut},
	}
}

// TestWizardDiscoverMX: a company address whose MX is Microsoft 365's gets
// Microsoft 365's servers on both sides, the address as the user name, the
// Microsoft sign-in, and says where they were found; the lookup starts when
// the address is left, with a spinner while it runs.
func TestWizardDiscoverMX(t *testing.T) {
	for _, l := range []lang{langEN, langJA} {
		t.Run(langName(l), func(t *testing.T) {
			f := newFakeDiscover()
			m := newDiscoverWizard(f, l)
			m, _ = drive(m, "=Work", "tab", "=taro@corp.test")
			m, cmd := drive(m, "tab")
			if !m.discovering() {
				t.Fatal("leaving the address started no lookup")
			}
			running := map[lang]string{langEN: "Looking up the servers for corp.test…", langJA: "corp.test のサーバーを調べています…"}[l]
			wantInView(t, m, running)
			if n := strings.Count(plainView(m), running); n != 2 {
				t.Errorf("the running line shows %d times, want under the address and the incoming server:\n%s", n, plainView(m))
			}
			// The spinner turns while the lookup runs.
			if _, c := m.update(m.spin.Tick()); c == nil {
				t.Error("the spinner stopped while the lookup runs")
			}

			m = feed(m, cmd)
			if m.discovering() || f.count() != 1 {
				t.Fatalf("running %v after the result, %d lookups", m.discovering(), f.count())
			}
			wantVal(t, m, wfHost, "outlook.office365.com")
			wantVal(t, m, wfPort, "995")
			wantSecurity(t, m.security, mail.SecuritySSL)
			wantVal(t, m, wfUser, "taro@corp.test")
			if m.auth != "microsoft" || containsField(m.visible(), wfPassword) {
				t.Errorf("sign-in %q, want microsoft", m.auth)
			}
			a := m.account()
			if out := a.SMTP(); out.Host != "smtp.office365.com" || out.Port != 587 || out.Security != mail.SecurityStartTLS || out.User != "taro@corp.test" {
				t.Errorf("outgoing %+v", out)
			}
			found := map[lang]string{langEN: "Found by MX: Microsoft 365", langJA: "MX レコードから見つかりました: Microsoft 365"}[l]
			wantInView(t, m, found)
			if n := strings.Count(plainView(m), found); n != 2 {
				t.Errorf("the found line shows %d times, want under the address and the focused incoming server:\n%s", n, plainView(m))
			}
			if strings.Contains(plainView(m), running) {
				t.Errorf("the running line stays:\n%s", plainView(m))
			}
			// The value filled in under the cursor is replaced by typing.
			if !m.fresh {
				t.Error("the host filled in under the cursor is not replaced by typing")
			}
			// Back on the address: the provider's hints.
			m, _ = drive(m, "shift+tab")
			wantInView(t, m, string([]rune(m.hintText(mail.HintMicrosoft))[:20]))
			if l == langEN {
				// The lookup's line, not the preset's.
				if strings.Contains(plainView(m), "servers filled in") {
					t.Errorf("the preset's provider line shows for a lookup:\n%s", plainView(m))
				}
			}
			checkFits(t, m.setSize(80, 24), 80, 24)
		})
	}
}

// TestWizardDiscoverKeepsTyped: what the user typed stays; a server of
// their own keeps the proposal's outgoing server and sign-in out, and a
// user name typed and a sign-in chosen stay.
func TestWizardDiscoverKeepsTyped(t *testing.T) {
	f := newFakeDiscover()
	m := newDiscoverWizard(f, langEN)
	m, _ = drive(m, "=Work", "tab", "=taro@corp.test")
	m, cmd := drive(m, "tab")
	m, _ = drive(m, "=pop.corp.test")
	m = feed(m, cmd)
	wantVal(t, m, wfHost, "pop.corp.test")
	if m.auth != authPassword {
		t.Errorf("sign-in %q for a server of the user's own", m.auth)
	}
	if out := m.account().SMTP(); out.Host != "smtp.corp.test" {
		t.Errorf("outgoing %q, want the one derived from the host typed", out.Host)
	}
	wantInView(t, m, "Found by MX: Microsoft 365") // under the address: what was found

	m = newDiscoverWizard(f, langEN)
	m, _ = drive(m, "=Work", "tab", "=taro@corp.test")
	m, cmd = drive(m, "tab")
	m, _ = drive(m, "tab", "tab", "tab")
	wantFocus(t, m, wfUser)
	m, _ = drive(m, "=corp\\taro", "tab", "space", "space")
	if m.auth != "google" {
		t.Fatalf("setup: sign-in %q", m.auth)
	}
	m = feed(m, cmd)
	if m.auth != "google" {
		t.Errorf("the lookup changed the chosen sign-in to %q", m.auth)
	}
	wantVal(t, m, wfUser, "corp\\taro")
	wantVal(t, m, wfHost, "outlook.office365.com")
	if out := m.account().SMTP(); out.Host != "smtp.office365.com" || out.User != "corp\\taro" {
		t.Errorf("outgoing %+v", out)
	}
}

// TestWizardDiscoverStale: a result for an address changed since is
// dropped, and so is one that comes when the review is open.
func TestWizardDiscoverStale(t *testing.T) {
	f := newFakeDiscover()
	m := newDiscoverWizard(f, langEN)
	m, _ = drive(m, "=Work", "tab", "=taro@corp.test")
	m, cmd := drive(m, "tab")
	m, _ = drive(m, "shift+tab", "backspace", "=x")
	wantVal(t, m, wfEmail, "taro@corp.tesx")
	m = feed(m, cmd)
	wantVal(t, m, wfHost, "")
	if m.auth != authPassword || m.discovering() {
		t.Errorf("a late result changed the form: auth %q, running %v", m.auth, m.discovering())
	}
	if strings.Contains(plainView(m), "Found by") || strings.Contains(plainView(m), "Looking up") {
		t.Errorf("a line about another address:\n%s", plainView(m))
	}

	// Back to the address looked up: its lookup was cancelled, so one
	// starts again.
	m, _ = drive(m, "backspace", "=t")
	m, cmd = drive(m, "tab")
	if !m.discovering() {
		t.Fatal("no lookup for the address typed again")
	}
	m = feed(m, cmd)
	wantVal(t, m, wfHost, "outlook.office365.com")
	// Leaving the address again looks up nothing more.
	if _, again := drive(m, "shift+tab", "tab"); again != nil {
		t.Error("leaving the address again started a second lookup")
	}
	if f.count() != 2 {
		t.Errorf("%d lookups, want 2", f.count())
	}

	// The review is open when the answer comes: the form stays as tested.
	m = newDiscoverWizard(f, langEN)
	m, _ = drive(m, "=Work", "tab", "=taro@srv.test")
	m, cmd = drive(m, "tab")
	m, _ = drive(m, "=mail.srv.test", "tab", "tab", "tab", "tab", "tab", "=secret", "ctrl+s")
	if m.step != wizardStepReview {
		t.Fatalf("setup: not on the review: %s", m.status)
	}
	before := m.account().SMTP().Host
	m = feed(m, cmd)
	if after := m.account().SMTP().Host; after != before || m.discovering() {
		t.Errorf("an answer on the review changed the outgoing server %q -> %q", before, after)
	}
	m, _ = drive(m, "shift+tab")
	if strings.Contains(plainView(m), "Found by") {
		t.Errorf("the answer dropped on the review shows on the form:\n%s", plainView(m))
	}
}

// TestWizardDiscoverNothing: nothing found is a quiet line under the
// address, and the address's hint stays; a lookup cut short by its
// timeout says so.
func TestWizardDiscoverNothing(t *testing.T) {
	for _, tc := range []struct {
		name, email string
		l           lang
		want        string
	}{
		{"en", "taro@nowhere.test", langEN, "No servers found for nowhere.test; enter them below."},
		{"ja", "taro@nowhere.test", langJA, "nowhere.test のサーバーは見つかりませんでした。下の欄に入力してください。"},
		{"timeout", "taro@slow.test", langEN, "No servers found for slow.test in time; enter them below."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeDiscover()
			m := newDiscoverWizard(f, tc.l)
			m, _ = drive(m, "=Work", "tab", "="+tc.email)
			// The pause in typing starts the lookup.
			m, cmd := m.update(wizardDiscoverTickMsg{seq: m.disc.seq})
			if !m.discovering() {
				t.Fatal("the end of the pause started no lookup")
			}
			m = feed(m, cmd)
			wantFocus(t, m, wfEmail)
			wantInView(t, m, tc.want)
			wantInView(t, m, tc.l.tr("hint.email"))
			wantVal(t, m, wfHost, "")
			m, _ = drive(m, "tab")
			wantInView(t, m, tc.want)
			if f.count() != 1 {
				t.Errorf("%d lookups", f.count())
			}
		})
	}
}

// TestWizardDiscoverSources: each source says where the servers came from;
// SRV records name no user, so the address stays the user name; an
// autoconfig file's user name is taken.
func TestWizardDiscoverSources(t *testing.T) {
	f := newFakeDiscover()
	for _, tc := range []struct {
		email, found, host, user, smtp string
	}{
		{"taro@srv.test", "Found by SRV records", "mail.srv.test", "taro@srv.test", "smtp.srv.test"},
		{"taro@auto.test", "Found in the autoconfig file of auto.test: Auto Mail", "pop.auto.test", "taro", "smtp.auto.test"},
	} {
		m := newDiscoverWizard(f, langEN)
		m, _ = drive(m, "=W", "tab", "="+tc.email)
		m, cmd := drive(m, "tab")
		m = feed(m, cmd)
		wantInView(t, m, tc.found)
		wantVal(t, m, wfHost, tc.host)
		wantVal(t, m, wfUser, tc.user)
		if got := m.account().SMTP().Host; got != tc.smtp {
			t.Errorf("%s: outgoing %q, want %q", tc.email, got, tc.smtp)
		}
		if m.auth != authPassword {
			t.Errorf("%s: sign-in %q", tc.email, m.auth)
		}
	}
}

// TestWizardDiscoverDebounce: typing the address starts no lookup at each
// key: only the pause after the last one does, and leaving the field
// then starts no second one. A preset's address, an edited account and
// tests without a lookup function ask nothing.
func TestWizardDiscoverDebounce(t *testing.T) {
	f := newFakeDiscover()
	m := newDiscoverWizard(f, langEN)
	m, _ = drive(m, "=Work", "tab")
	var seqs []int
	for _, k := range keyMsgs("=taro@corp.test") {
		var cmd tea.Cmd
		m, cmd = m.update(k)
		seqs = append(seqs, m.disc.seq)
		if m.discovering() {
			t.Fatalf("a key started a lookup at %q", m.val(wfEmail))
		}
		if wanted := m.discoverWanted(m.discoverEmail()); wanted != (cmd != nil) {
			t.Fatalf("%q: a pause %v, want %v", m.val(wfEmail), cmd != nil, wanted)
		}
	}
	// Every pause but the last is over an address changed since.
	for _, s := range seqs[:len(seqs)-1] {
		var cmd tea.Cmd
		m, cmd = m.update(wizardDiscoverTickMsg{seq: s})
		if cmd != nil || m.discovering() {
			t.Fatalf("the pause of change %d started a lookup", s)
		}
	}
	m, cmd := m.update(wizardDiscoverTickMsg{seq: seqs[len(seqs)-1]})
	if !m.discovering() {
		t.Fatal("the last pause started no lookup")
	}
	m, again := drive(m, "tab")
	m = feed(m, tea.Batch(cmd, again))
	if f.count() != 1 {
		t.Errorf("%d lookups, want 1: %q", f.count(), f.calls)
	}
	wantVal(t, m, wfHost, "outlook.office365.com")

	// The key's command is the pause, which ends in its own tick.
	m = newDiscoverWizard(f, langEN)
	m, _ = drive(m, "=Work", "tab", "=taro@corp.tes")
	m, cmd = drive(m, "t")
	if tick := wantMsg[wizardDiscoverTickMsg](t, cmd); tick.seq != m.disc.seq {
		t.Errorf("tick of change %d, want %d", tick.seq, m.disc.seq)
	}

	// Nothing to look up.
	for name, m := range map[string]wizardModel{
		"preset": newDiscoverWizard(f, langEN),
		"off":    newTestWizard(nil, nil, langEN),
		"edit": newWizard(wizardTestDeps(langEN, nil), &fakeWizardStore{}, wizardData{}, &mail.Account{ID: "1", Name: "W", Email: "a@corp.test",
			Incoming: mail.Server{Host: "pop.corp.test", Port: 995, User: "a"}, SMTPSame: true}),
	} {
		email := "=taro@gmail.com"
		if name != "preset" {
			email = "=taro@corp.test"
		}
		if name == "edit" {
			m.d.discover = f.lookup
			m, _ = drive(m, "tab", "ctrl+u", email)
		} else {
			m, _ = drive(m, "=W", "tab", email)
		}
		m, cmd := drive(m, "tab")
		for _, msg := range runCmd(cmd) {
			if _, ok := msg.(wizardDiscoverMsg); ok {
				t.Errorf("%s: a lookup", name)
			}
		}
		if _, c := m.update(wizardDiscoverTickMsg{seq: m.disc.seq}); c != nil {
			t.Errorf("%s: the pause starts a lookup", name)
		}
		if m.discovering() {
			t.Errorf("%s: a lookup runs", name)
		}
	}
	if f.count() != 1 {
		t.Errorf("%d lookups in all, want 1", f.count())
	}
}

// TestWizardDiscoverSpinnerStops: the spinner stops turning when the
// lookup is done.
func TestWizardDiscoverSpinnerStops(t *testing.T) {
	m := newDiscoverWizard(newFakeDiscover(), langEN)
	m, _ = drive(m, "=W", "tab", "=taro@corp.test")
	m, cmd := drive(m, "tab")
	m = feed(m, cmd)
	if _, c := m.update(m.spin.Tick()); c != nil {
		t.Error("the spinner turns with nothing running")
	}
}
