package tui

// Fetching on its own: each account with a fetch interval of its own
// (mail.Account.FetchEvery), and the active account with the
// POPBOX_FETCH_INTERVAL of the environment, is fetched when due: its
// interval after its last fetch began, at least the server's LOGIN-DELAY,
// and longer after failures (mail.FetchDue). One fetch runs at a time.
// New mail that arrives so counts as "N new" in the status bar and the
// window title until the account's list is used, rings the bell when the
// account asks for it, and runs its new-mail command.

import (
	"context"
	"errors"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"popbox/mail"
	"popbox/tui/i18n"
)

// fetchPlan is an account's automatic fetching: when its last fetch began
// and how many failed in a row.
type fetchPlan struct {
	last  time.Time
	fails int
}

// scheduleTick is the most time between two looks at what is due.
const scheduleTick = 30 * time.Second

// everyOf is how often a is fetched on its own: its own interval, or for
// the active account the environment's; 0 when never.
func (m appModel) everyOf(a mail.Account) mail.Every {
	if a.FetchEvery > 0 {
		return a.FetchEvery
	}
	if m.hasActive && a.ID == m.active.ID {
		return mail.Every(m.cfg.interval)
	}
	return 0
}

// dueAccount is the account to fetch on its own now, the active one first.
func (m appModel) dueAccount(now time.Time) (mail.Account, bool) {
	accts := make([]mail.Account, 0, len(m.accounts)+1)
	if m.hasActive {
		accts = append(accts, m.active)
	}
	for _, a := range m.accounts {
		if !m.hasActive || a.ID != m.active.ID {
			accts = append(accts, a)
		}
	}
	for _, a := range accts {
		p := m.plans[a.ID]
		last := p.last
		if last.IsZero() {
			last = a.Hints.LastLogin
		}
		if due, ok := mail.FetchDue(m.everyOf(a), a.Hints.LoginDelay, last, p.fails); ok && !now.Before(due) {
			return a, true
		}
	}
	return mail.Account{}, false
}

// tickEvery is the time to the next look at what is due: the shortest
// interval, at most scheduleTick; 0 when nothing is fetched on its own.
func (m appModel) tickEvery() time.Duration {
	var d time.Duration
	consider := func(e mail.Every) {
		if e > 0 && (d == 0 || time.Duration(e) < d) {
			d = time.Duration(e)
		}
	}
	consider(mail.Every(m.cfg.interval))
	for _, a := range m.accounts {
		consider(a.FetchEvery)
	}
	if d == 0 {
		return 0
	}
	return min(d, scheduleTick)
}

// scheduled handles the timer: a due account is fetched unless a fetch
// runs or the wizard is open; the timer is armed again.
func (m appModel) scheduled() (appModel, tea.Cmd) {
	tick := m.fetchTick()
	if m.fetching || m.screen == screenWizard {
		return m, tick
	}
	a, ok := m.dueAccount(m.d.now())
	if !ok {
		return m, tick
	}
	m2, cmd := m.startFetchOf(a, true)
	return m2, tea.Batch(tick, cmd)
}

// fetchTick arms the timer of automatic fetching, when anything is
// fetched on its own.
func (m appModel) fetchTick() tea.Cmd {
	d := m.tickEvery()
	if d <= 0 {
		return nil
	}
	seq := m.tickSeq
	return m.after(d, func(time.Time) tea.Msg { return fetchTickMsg{seq: seq} })
}

// planned records a finished fetch of an account: failures in a row count
// for the backoff; a pause the server asked for (LOGIN-DELAY) and a fetch
// stopped by the user are none.
func (m appModel) planned(id string, err error) appModel {
	if m.plans == nil {
		m.plans = map[string]fetchPlan{}
	}
	p := m.plans[id]
	switch {
	case err == nil, errors.Is(err, mail.ErrLoginDelay):
		p.fails = 0
	case errors.Is(err, context.Canceled):
	default:
		p.fails++
	}
	m.plans[id] = p
	return m
}

// started records that a fetch of id begins now.
func (m appModel) startedFetch(id string) appModel {
	if m.plans == nil {
		m.plans = map[string]fetchPlan{}
	}
	p := m.plans[id]
	p.last = m.d.now()
	m.plans[id] = p
	return m
}

// onNewMail is what follows a fetch that stored n new messages of a: the
// count for the status bar and the title, the bell for an automatic fetch
// of an account that asks for it, and its new-mail command.
func (m appModel) onNewMail(a mail.Account, n int, auto bool) (appModel, tea.Cmd) {
	if n <= 0 {
		return m, nil
	}
	if m.newMail == nil {
		m.newMail = map[string]int{}
	}
	m.newMail[a.ID] += n
	cmds := []tea.Cmd{m.titleCmd()}
	if auto && a.Bell {
		cmds = append(cmds, m.d.bell())
	}
	if a.OnNew != "" {
		cmds = append(cmds, func() tea.Msg {
			return onNewDoneMsg{acct: a, err: mail.RunOnNew(context.Background(), a, n, nil, nil)}
		})
	}
	return m, tea.Batch(cmds...)
}

// onNewDoneMsg is the end of an account's new-mail command.
type onNewDoneMsg struct {
	acct mail.Account
	err  error
}

// onNewDone says when the new-mail command failed.
func (m appModel) onNewDone(msg onNewDoneMsg) (appModel, tea.Cmd) {
	if msg.err == nil {
		return m, nil
	}
	return m.withBanner(m.d.lang.tr("fetch.onNewFailed", clean(msg.acct.Name), clean(msg.err.Error())), true)
}

// seenNew forgets the new-mail count of the active account once its list
// is used.
func (m appModel) seenNew() (appModel, tea.Cmd) {
	if !m.hasActive || m.newMail[m.active.ID] == 0 {
		return m, nil
	}
	delete(m.newMail, m.active.ID)
	return m, m.titleCmd()
}

// newTotal is the new mail of every account not looked at yet.
func (m appModel) newTotal() int {
	n := 0
	for _, c := range m.newMail {
		n += c
	}
	return n
}

// titleCmd sets the window title: "popbox", or "popbox (N new)".
func (m appModel) titleCmd() tea.Cmd {
	if n := m.newTotal(); n > 0 {
		return m.d.title(m.d.lang.tr("app.titleNew", i18n.Count(n)))
	}
	return m.d.title("popbox")
}
