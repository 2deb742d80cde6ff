package tui

import (
	"context"
	"errors"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"popbox/mail"
	"popbox/tui/i18n"
)

// fetchInfo is the last fetch of one account, for the status bar.
type fetchInfo struct {
	at      time.Time
	outcome string
}

// startFetch runs a fetch of the active account in the background.
func (m appModel) startFetch(auto bool) (appModel, tea.Cmd) {
	if !m.hasActive {
		return m.withNotice(m.d.lang.tr("app.noAccounts"))
	}
	return m.startFetchOf(m.active, auto)
}

// startFetchOf runs a fetch of acct in the background.
func (m appModel) startFetchOf(acct mail.Account, auto bool) (appModel, tea.Cmd) {
	l := m.d.lang
	if m.fetching {
		return m.withNotice(l.tr("fetch.already", clean(m.fetch.acctName)))
	}
	m.fetchReq++
	m.fetch = newFetchJob(acct, m.fetchReq, auto)
	m.fetching = true
	m = m.startedFetch(acct.ID)
	if !auto {
		// What was said before is older than the fetch asked for now.
		m = m.clearNotice()
		if errors.Is(m.bannerCause(), errFetchBanner) {
			m.banner = ""
		}
	}
	m, c := m.layout()
	return m, tea.Batch(c, m.fetch.run(m.syncFn, m.st, m.cfg.getenv), m.fetch.wait())
}

// errFetchBanner marks a banner that a fetch put up; a new fetch clears it.
var errFetchBanner = errors.New("fetch banner")

// cancelFetch asks the running fetch to stop; what it committed stays.
func (m appModel) cancelFetch() (appModel, tea.Cmd) {
	m.fetch.cancel()
	m.fetch.cancelling = true
	return m, nil
}

// fetchProgress shows the newest progress and reads the list again when a
// batch was committed.
func (m appModel) fetchProgress(msg fetchProgressMsg) (appModel, tea.Cmd) {
	if !m.fetching || msg.req != m.fetch.req {
		return m, nil
	}
	committed := msg.p.Committed > m.fetch.last.Committed
	m.fetch.last = msg.p
	cmds := []tea.Cmd{m.fetch.wait()}
	if committed && msg.acctID == m.list.acct {
		var cmd tea.Cmd
		m.list, cmd = m.list.reload()
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

// fetchDone ends a fetch: outcome in the status bar, problems in a banner,
// the list read again.
func (m appModel) fetchDone(msg fetchDoneMsg) (appModel, tea.Cmd) {
	if !m.fetching || msg.req != m.fetch.req {
		return m, nil
	}
	l := m.d.lang
	m.fetching = false
	now := m.d.now()
	acct := msg.acct
	if acct.ID == "" {
		for _, a := range m.accounts {
			if a.ID == msg.acctID {
				acct = a
			}
		}
	}
	m = m.planned(msg.acctID, msg.err)
	outcome := fetchOutcome(l, msg.res, msg.err, now)
	info := fetchInfo{at: m.fetched[msg.acctID].at, outcome: outcome}
	if msg.err == nil {
		info.at = now
	}
	m.fetched[msg.acctID] = info
	var cmds []tea.Cmd
	if msg.acctID == m.list.acct {
		var cmd tea.Cmd
		m.list, cmd = m.list.reload()
		cmds = append(cmds, cmd)
	}
	switch {
	case msg.err != nil && !errors.Is(msg.err, context.Canceled):
		m = m.setBannerFrom(problemText(l, msg.err, acct, false, true), true, errors.Join(errFetchBanner, msg.err))
	case len(msg.res.Warnings) > 0:
		var ws []string
		for _, w := range msg.res.Warnings {
			ws = append(ws, clean(l.i18n().Warning(w)))
		}
		m = m.setBannerFrom(strings.Join(ws, " "), false, errFetchBanner)
	}
	if msg.acctID != m.active.ID {
		m2, c := m.withNotice(clean(m.fetch.acctName) + ": " + outcome)
		m = m2
		cmds = append(cmds, c)
	} else if msg.auto && msg.err == nil && msg.res.New > 0 {
		note := l.tr("fetch.newMail", i18n.Count(msg.res.New))
		if msg.res.New == 1 {
			note = l.tr("fetch.newMailOne")
		}
		m2, c := m.withNotice(note)
		m = m2
		cmds = append(cmds, c)
	} else if !msg.auto {
		// The outcome asked for with f is the newest status: a notice
		// from during the fetch gives way to it.
		m = m.clearNotice()
	}
	if msg.err == nil {
		m2, c := m.onNewMail(acct, msg.res.New, msg.auto)
		m = m2
		// What waits in the outbox goes out now that the servers answer.
		cmds = append(cmds, c, m.sendPending(acct))
	}
	m, c := m.layout()
	cmds = append(cmds, c)
	return m, tea.Batch(cmds...)
}
