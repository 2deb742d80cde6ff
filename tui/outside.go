package tui

import (
	"context"

	tea "github.com/charmbracelet/bubbletea"

	"popbox/mail"
	"popbox/tui/i18n"
)

// Outside is news of a change that a command made to the database while
// this TUI had it open: popbox serves the command line from the running
// TUI (cmd/popbox/serve.go), so a `popbox fetch` from cron stores its mail
// through this process. The TUI shows it as after a fetch of its own.
type Outside struct {
	// AccountID is the account whose messages changed ("" when none).
	AccountID string
	// Fetch is the result of a fetch of AccountID, when the change was one.
	Fetch *mail.SyncResult
	// Accounts: accounts were added, changed or removed, or another one
	// made active.
	Accounts bool
}

// outsideMsg carries one Outside to Update.
type outsideMsg struct{ o Outside }

// waitOutside is the command that reads one Outside; the app runs it
// again after each, until the channel is closed.
func waitOutside(ch <-chan Outside) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		o, ok := <-ch
		if !ok {
			return nil
		}
		return outsideMsg{o: o}
	}
}

// outside shows a change made from outside: the accounts read again, the
// list of the account read again, and after a fetch the status bar's
// outcome and, for the active account, the new-mail notice of an
// automatic fetch.
func (m appModel) outside(o Outside) (appModel, tea.Cmd) {
	cmds := []tea.Cmd{waitOutside(m.cfg.outside)}
	if o.Accounts {
		m.acctReq++
		cmds = append(cmds, loadAccounts(m.st, m.acctReq))
	}
	if o.AccountID != "" {
		if o.Fetch != nil {
			now := m.d.now()
			m.fetched[o.AccountID] = fetchInfo{at: now, outcome: fetchOutcome(m.d.lang, *o.Fetch, nil, now)}
			if o.Fetch.New > 0 {
				// Counted as new until its list is used; the command ran
				// the account's new-mail command itself.
				if m.newMail == nil {
					m.newMail = map[string]int{}
				}
				m.newMail[o.AccountID] += o.Fetch.New
				cmds = append(cmds, m.titleCmd())
			}
		}
		if o.AccountID == m.list.acct {
			var cmd tea.Cmd
			m.list, cmd = m.list.reload()
			cmds = append(cmds, cmd)
		}
		if o.Fetch != nil && o.Fetch.New > 0 && m.hasActive && o.AccountID == m.active.ID {
			l := m.d.lang
			note := l.tr("fetch.newMail", i18n.Count(o.Fetch.New))
			if o.Fetch.New == 1 {
				note = l.tr("fetch.newMailOne")
			}
			var c tea.Cmd
			m, c = m.withNotice(note)
			cmds = append(cmds, c)
		}
	}
	m, c := m.layout()
	return m, tea.Batch(append(cmds, c)...)
}

// fetchLocker is the store's lock that lets one fetch of an account run
// at a time in this process (*store.Store has it): the TUI's own fetch
// and one served to the command line wait for each other. A store
// without it (the tests' fakes) needs none.
type fetchLocker interface {
	LockFetch(ctx context.Context, accountID string) (unlock func(), err error)
}
