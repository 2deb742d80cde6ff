package tui

// The wizard's server discovery: for an address whose domain has no
// preset (taro@their-company.co.jp), the servers are looked up in the
// background (package mail/discover: an autoconfig file, SRV records, MX
// records of a known hosted service) and fill the fields the user has not
// typed in, as a preset does, the sign-in included.
//
// The lookup starts when the user leaves the address field, or after a
// pause in typing (wizardDiscoverPause), never at every key. Every change
// of the address bumps a sequence number: a pause that ends, or a result
// that arrives, for another number or another address is dropped, and the
// lookup of an address left behind is cancelled. A spinner says the
// lookup runs; then a line says where the servers were found, or that
// none were.

import (
	"context"
	"errors"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"popbox/mail"
	"popbox/mail/discover"
)

// discoverFunc looks up the servers of an address (discover.Lookup with
// popbox's options); it returns by its own timeout.
type discoverFunc func(ctx context.Context, email string) (discover.Result, error)

// lookupDiscover is the real discoverFunc: discover.Lookup with its
// default timeout, asking the DNS server POPBOX_DNS_SERVER names, if any
// (discover.EnvOptions, as account add --discover does).
func lookupDiscover(getenv func(string) string) discoverFunc {
	opts := discover.EnvOptions(getenv)
	return func(ctx context.Context, email string) (discover.Result, error) {
		return discover.Lookup(ctx, email, opts)
	}
}

// wizardDiscoverPause is the pause in typing the address after which the
// lookup starts.
const wizardDiscoverPause = 600 * time.Millisecond

// wizardDiscoverTickMsg is the end of a pause in typing the address
// whose change had number seq.
type wizardDiscoverTickMsg struct{ seq int }

// wizardDiscoverMsg is the lookup for email started at change seq.
type wizardDiscoverMsg struct {
	seq   int
	email string
	res   discover.Result
	err   error
}

// discoverRun is the lookup of the form's address.
type discoverRun struct {
	seq     int    // the address's changes: a tick or result of another is dropped
	email   string // the address looked up, or being looked up; "" for none
	running bool
	cancel  context.CancelFunc
	res     discover.Result // when done
	err     error
}

// discovering reports whether a lookup of the form's address runs.
func (m wizardModel) discovering() bool {
	return m.disc.running && m.disc.email == m.discoverEmail()
}

// discoverEmail is the address field's text, trimmed.
func (m wizardModel) discoverEmail() string { return strings.TrimSpace(m.val(wfEmail)) }

// discoverWanted reports whether email is one to look up: the lookup is on
// (deps.discover), a new account is set up, and the address has a domain
// with a dot and no preset.
func (m wizardModel) discoverWanted(email string) bool {
	if m.d.discover == nil || m.existing != nil {
		return false
	}
	domain := emailDomain(email)
	if !strings.Contains(strings.Trim(domain, "."), ".") || strings.ContainsAny(email, " \t") {
		return false
	}
	_, preset := mail.PresetFor(email)
	return !preset
}

// emailDomain is what follows the last @ of email, or "".
func emailDomain(email string) string {
	if at := strings.LastIndexByte(email, '@'); at > 0 {
		return email[at+1:]
	}
	return ""
}

// addressChanged follows a change of the address the user typed: a lookup
// of the address before is cancelled and forgotten, and a pause in typing
// will start one for the new address.
func (m wizardModel) addressChanged() (wizardModel, tea.Cmd) {
	m.disc.seq++
	if m.disc.running {
		// Cancelled, it will have found nothing: forget it. A lookup
		// done is kept, should the address come back to it.
		m.disc.cancel()
		m.disc = discoverRun{seq: m.disc.seq}
	}
	if !m.discoverWanted(m.discoverEmail()) {
		return m, nil
	}
	seq := m.disc.seq
	return m, tea.Tick(wizardDiscoverPause, func(time.Time) tea.Msg { return wizardDiscoverTickMsg{seq: seq} })
}

// startDiscover starts the lookup of the form's address, unless it is not
// one to look up or was looked up (or is being looked up) already.
func (m wizardModel) startDiscover() (wizardModel, tea.Cmd) {
	email := m.discoverEmail()
	if m.step != wizardStepForm || !m.discoverWanted(email) || m.disc.email == email {
		return m, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.disc = discoverRun{seq: m.disc.seq, email: email, running: true, cancel: cancel}
	seq, lookup := m.disc.seq, m.d.discover
	return m, tea.Batch(m.spin.Tick, func() tea.Msg {
		defer cancel()
		res, err := lookup(ctx, email)
		return wizardDiscoverMsg{seq: seq, email: email, res: res, err: err}
	})
}

// discoverUpdate takes the wizard's discovery messages: the end of a
// pause in typing starts the lookup, and its result, if it is for the
// address the form holds, fills the fields the user has not typed in.
func (m wizardModel) discoverUpdate(msg tea.Msg) (wizardModel, tea.Cmd) {
	switch msg := msg.(type) {
	case wizardDiscoverTickMsg:
		if msg.seq == m.disc.seq {
			return m.startDiscover()
		}
	case wizardDiscoverMsg:
		if msg.seq != m.disc.seq || msg.email != m.disc.email || msg.email != m.discoverEmail() {
			return m, nil
		}
		m.disc.running, m.disc.cancel = false, nil
		if m.step != wizardStepForm {
			// The review tests what the form held: a late answer must not
			// change it underneath.
			m.disc.email = ""
			return m, nil
		}
		m.disc.res, m.disc.err = msg.res, msg.err
		if msg.res.Found() {
			before := m.val(m.focus)
			m = m.autofill()
			if m.focus.isInput() && m.val(m.focus) != before {
				// Filled in under the cursor: typing replaces it, as it
				// does a preset's value.
				m.fresh = m.replaces(m.focus)
			}
		}
	}
	return m, nil
}

// discoverAfterKey starts the lookup when a key took the focus off the
// address field (tab, enter, ctrl+s); cmd is the key's own command.
func (m wizardModel) discoverAfterKey(from wizardField, cmd tea.Cmd) (wizardModel, tea.Cmd) {
	if from != wfEmail || (m.focus == wfEmail && m.step == wizardStepForm) {
		return m, cmd
	}
	m, c := m.startDiscover()
	return m, tea.Batch(cmd, c)
}

// foundFor is the proposal the lookup found for email, if it found one.
func (m wizardModel) foundFor(email string) (discover.Proposal, bool) {
	if m.disc.running || m.disc.email == "" || m.disc.email != email || !m.disc.res.Found() {
		return discover.Proposal{}, false
	}
	return m.disc.res.Best, true
}

// foundApplies is foundFor while the incoming server is the one found (or
// none typed yet): a proposal is one whole, so with a server of the user's
// own its outgoing server, sign-in and hints do not apply either.
func (m wizardModel) foundApplies(email string) (discover.Proposal, bool) {
	p, ok := m.foundFor(email)
	if !ok {
		return p, false
	}
	host := strings.TrimSpace(m.val(wfHost))
	if m.edited[wfHost] && host != "" && !strings.EqualFold(host, p.Incoming.Host) {
		return discover.Proposal{}, false
	}
	return p, true
}

// presetFor is what the wizard fills in for email: popbox's preset, or
// the servers the lookup found for that address (foundApplies).
func (m wizardModel) presetFor(email string) (mail.Preset, bool) {
	if p, ok := mail.PresetFor(email); ok {
		return p, true
	}
	p, ok := m.foundApplies(email)
	if !ok {
		return mail.Preset{}, false
	}
	return mail.Preset{
		Provider: p.Provider, Incoming: p.Incoming, Outgoing: p.Outgoing, UserIsEmail: p.UserIsEmail,
		Hints: p.Hints, SignIn: p.SignIn, SignInFirst: p.SignInFirst,
	}, true
}

// foundIncoming is the incoming server and user name to fill in for email
// when the lookup found them: the user the source names, else the address.
func (m wizardModel) foundIncoming(email string) (inc mail.Server, user string, ok bool) {
	p, ok := m.foundFor(email)
	if !ok {
		return mail.Server{}, "", false
	}
	user = p.Incoming.User
	if user == "" {
		user = email
	}
	inc = p.Incoming
	inc.User = ""
	return inc, user, true
}

// foundOutgoing is out with the outgoing server the lookup found for
// email in place of the one derived from the incoming host.
func (m wizardModel) foundOutgoing(email string, out mail.Server) mail.Server {
	p, ok := m.foundApplies(email)
	if !ok || p.Outgoing.Host == "" {
		return out
	}
	out.Host, out.Port, out.Security = p.Outgoing.Host, p.Outgoing.Port, p.Outgoing.Security
	if p.Outgoing.User != "" {
		out.User = p.Outgoing.User
	}
	return out
}

// sameOutgoing gives a new account that uses the incoming credentials on
// both sides the outgoing server the lookup found, in place of the one
// SMTP derives from the incoming host (as account add --discover does):
// Microsoft 365 sends on smtp.office365.com:587, not on port 465.
func (m wizardModel) sameOutgoing(a *mail.Account) {
	if !a.SMTPSame || a.Outgoing.Host != "" {
		return
	}
	if p, ok := m.foundApplies(a.Email); ok && p.Outgoing.Host != "" {
		a.Outgoing.Host, a.Outgoing.Port, a.Outgoing.Security = p.Outgoing.Host, p.Outgoing.Port, p.Outgoing.Security
	}
}

// discoverLines are the lines under field f about the lookup, wrapped to
// width: under the address, that it runs, where the servers were found,
// or that none were; under the incoming server while it has the focus,
// that the lookup runs, or where the server it shows was found.
func (m wizardModel) discoverLines(f wizardField, width int) []string {
	email := m.discoverEmail()
	if (f != wfEmail && f != wfHost) || m.disc.email == "" || m.disc.email != email {
		return nil
	}
	s := m.d.styles
	l := m.d.lang
	domain := mail.SafeLine(emailDomain(email))
	var text string
	st := s.faint
	switch p, found := m.foundFor(email); {
	case f == wfHost && m.focus != wfHost:
		return nil
	case m.disc.running:
		lines := wrapLines(l.tr("wizard.discover.running", domain), max(1, width-2))
		out := []string{m.spin.View() + s.text.Render(lines[0])}
		for _, ln := range lines[1:] {
			out = append(out, "  "+s.text.Render(ln))
		}
		return out
	case found:
		if f == wfHost && !strings.EqualFold(strings.TrimSpace(m.val(wfHost)), p.Incoming.Host) {
			return nil
		}
		text, st = m.foundText(p, domain), s.note
	case f == wfEmail && m.disc.err != nil && !errors.Is(m.disc.err, discover.ErrBadAddress):
		key := "wizard.discover.none"
		for _, r := range m.disc.res.Refused {
			if errors.Is(r.Err, discover.ErrTimedOut) {
				key = "wizard.discover.none-in-time"
			}
		}
		text = l.tr(key, domain)
	default:
		return nil
	}
	var out []string
	for _, ln := range wrapLines(text, width) {
		out = append(out, st.Render(ln))
	}
	return out
}

// foundText says where the proposal came from: "Found by MX: Microsoft
// 365", "Found in the autoconfig file of example.com".
func (m wizardModel) foundText(p discover.Proposal, domain string) string {
	key := "wizard.discover.found." + p.Source.String()
	if !hasMessage(key) {
		key = "wizard.discover.found.other"
	}
	var text string
	if p.Source == discover.SourceAutoconfig {
		text = m.d.lang.tr(key, domain)
	} else {
		text = m.d.lang.tr(key)
	}
	if name := mail.SafeLine(p.Provider); name != "" {
		text = m.d.lang.tr("wizard.discover.found-name", text, name)
	}
	return text
}
