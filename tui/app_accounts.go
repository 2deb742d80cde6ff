package tui

import (
	"slices"

	tea "github.com/charmbracelet/bubbletea"

	"popbox/mail"
	"popbox/tui/i18n"
)

// accountUsedMsg is the store's answer to making an account active.
type accountUsedMsg struct {
	id  string
	err error
}

// accountRemovedMsg is the store's answer to removing an account.
type accountRemovedMsg struct {
	id, name string
	err      error
}

// wizardLoadedMsg is what the wizard opens with, read by loadWizard: the
// account to edit (nil to add one) and the wizard's data; err is set when
// the account to edit could not be read.
type wizardLoadedMsg struct {
	req      int
	existing *mail.Account
	data     wizardData
	err      error
}

// accountsKey runs the accounts screen's actions that need the store,
// the wizard or the password dialog.
func (m appModel) accountsKey(k tea.KeyMsg) (appModel, tea.Cmd) {
	l := m.d.lang
	sel, _ := m.accts.selected()
	switch m.accts.intent(k) {
	case accountsUse:
		m2, cmd := m.switchTo(sel.ID)
		m2.accts = m2.accts.setNote(l.tr("acct.nowActive", clean(sel.Name)), false)
		return m2, cmd
	case accountsAdd:
		return m.openWizard("")
	case accountsEdit:
		return m.openWizard(sel.ID)
	case accountsYes:
		m.accts.confirming = false
		st, id, name := m.st, sel.ID, sel.Name
		m.accts = m.accts.setNote(l.tr("acct.removing", clean(name)), false)
		return m, m.track(func() tea.Msg {
			return accountRemovedMsg{id: id, name: name, err: st.RemoveAccount(id)}
		})
	case accountsIncoming, accountsOutgoing:
		outgoing := m.accts.intent(k) == accountsOutgoing
		if outgoing && sel.SMTPSame {
			m.accts = m.accts.setNote(l.tr("acct.sameCredentials", clean(sel.Name)), true)
			return m, nil
		}
		m.pwReq++
		var cmd tea.Cmd
		m.passwd, cmd = newPasswd(*m.d, m.st, sel, outgoing, m.pwReq)
		m.passwd = m.passwd.setSize(m.width, m.bodyHeight())
		m.screen = screenPasswd
		return m, cmd
	case accountsBack:
		if !m.hasActive {
			// No account, no list to go back to: q quits, as the
			// footer says (accountsModel.back).
			return m.quit()
		}
		m.screen = screenList
		return m, nil
	}
	var cmd tea.Cmd
	m.accts, cmd = m.accts.update(k)
	return m, cmd
}

// accountRemoved reads the accounts again after one was removed; the
// status says so (accountsLoaded adds the account now in use when it was
// the active one).
func (m appModel) accountRemoved(msg accountRemovedMsg) (appModel, tea.Cmd) {
	l := m.d.lang
	if msg.err != nil {
		m.accts = m.accts.setNote(l.failText("acct.removeFailed", msg.err), true)
		return m, nil
	}
	note := l.tr("acct.removed", clean(msg.name))
	m.accts = m.accts.setNote(note, false)
	delete(m.fetched, msg.id)
	m = m.dropPending(msg.id)
	m.acctReq++
	m, c := m.withNotice(note)
	return m, tea.Batch(c, loadAccounts(m.st, m.acctReq))
}

// switcherKey moves in the account picker or makes the chosen account
// active.
func (m appModel) switcherKey(k tea.KeyMsg) (appModel, tea.Cmd) {
	switch m.switcher.intent(k) {
	case switcherCancel:
		m.screen = m.back
		return m, nil
	case switcherChoose:
		m.switcher, _ = m.switcher.update(k)
		m.screen = m.back
		if a, ok := m.switcher.chosen(); ok {
			return m.switchTo(a.ID)
		}
		return m, nil
	}
	var cmd tea.Cmd
	m.switcher, cmd = m.switcher.update(k)
	return m, cmd
}

// accountsLoaded takes a fresh account list in. The first one decides the
// start: the wizard when there is no account, else the active account's
// list.
func (m appModel) accountsLoaded(msg accountsLoadedMsg) (appModel, tea.Cmd) {
	if msg.req != m.acctReq || msg.err != nil {
		return m.accountsRead(msg)
	}
	m, cmd := m.accountsRead(msg)
	// The accounts' intervals may have changed: the timer starts over
	// (what is due is kept by account, not by the timer).
	m.tickSeq++
	return m, tea.Batch(cmd, m.fetchTick())
}

// accountsRead takes the account list in.
func (m appModel) accountsRead(msg accountsLoadedMsg) (appModel, tea.Cmd) {
	if msg.req != m.acctReq {
		return m, nil
	}
	if msg.err != nil {
		return m.withBanner(m.d.lang.failText("app.accountsFailed", msg.err), true)
	}
	first := !m.started
	m.started = true
	m.accounts = msg.accounts
	m.accts = m.accts.setAccounts(msg.accounts, msg.activeID)
	if len(msg.accounts) == 0 {
		m.hasActive, m.active = false, mail.Account{}
		m.list = newList(*m.d, m.st, "", nil)
		if first {
			return m.openWizard("")
		}
		if m.screen != screenWizard {
			m.screen = screenAccounts
		}
		return m.withLayout(nil)
	}
	var active mail.Account
	found := false
	for _, a := range msg.accounts {
		if a.ID == msg.activeID {
			active, found = a, true
		}
	}
	if !found {
		// The store names no active account although there are some: the
		// first one is what the store would pick.
		active = msg.accounts[0]
		m.accts.activeID = active.ID
	}
	if m.hasActive && active.ID == m.active.ID {
		m.active = active
		return m, nil
	}
	var notice string
	if m.hasActive && !slices.ContainsFunc(msg.accounts, func(a mail.Account) bool { return a.ID == m.active.ID }) {
		// The active account was removed and the store made another one
		// active: the status must not go on naming the removed one.
		notice = m.d.lang.tr("app.removedUsing", clean(m.active.Name), clean(active.Name))
	}
	m.active, m.hasActive = active, true
	if _, ok := m.fetched[active.ID]; !ok && !active.Hints.LastLogin.IsZero() {
		m.fetched[active.ID] = fetchInfo{at: active.Hints.LastLogin}
	}
	if m.screen == screenReader {
		m.screen = screenList
	}
	m, cmd := m.newList()
	if notice == "" {
		return m, cmd
	}
	m, c := m.withNotice(notice)
	return m, tea.Batch(cmd, c)
}

// newList builds the active account's list and loads its first page.
func (m appModel) newList() (appModel, tea.Cmd) {
	var hidden []string
	for _, p := range m.pending {
		if p.acct == m.active.ID {
			hidden = append(hidden, p.id)
		}
	}
	m.list = newList(*m.d, m.st, m.active.ID, hidden)
	m.list.after = m.after
	m = m.syncUndo()
	var c1, c2 tea.Cmd
	m.list, c1 = m.list.setSize(m.width, m.bodyHeight())
	m.list, c2 = m.list.init()
	return m, tea.Batch(c1, c2)
}

// switchTo makes account id the active one: the list shows its mail at
// once, the store is told in a command.
func (m appModel) switchTo(id string) (appModel, tea.Cmd) {
	l := m.d.lang
	var acct mail.Account
	found := false
	for _, a := range m.accounts {
		if a.ID == id {
			acct, found = a, true
		}
	}
	if !found {
		return m, nil
	}
	if m.hasActive && id == m.active.ID {
		return m.withNotice(l.tr("app.alreadyActive", clean(acct.Name)))
	}
	m.active, m.hasActive = acct, true
	m.accts = m.accts.focus(id)
	if _, ok := m.fetched[id]; !ok && !acct.Hints.LastLogin.IsZero() {
		m.fetched[id] = fetchInfo{at: acct.Hints.LastLogin}
	}
	if m.screen == screenReader || m.screen == screenFolder {
		m.screen = screenList
	}
	m.openOnLoad = false
	m, c1 := m.newList()
	m, c2 := m.withNotice(l.tr("app.switched", clean(acct.Name)))
	st := m.st
	use := m.track(func() tea.Msg { return accountUsedMsg{id: id, err: st.Use(id)} })
	return m, tea.Batch(c1, c2, use)
}

// cycle switches to the next (+1) or previous (-1) account, wrapping.
func (m appModel) cycle(delta int) (appModel, tea.Cmd) {
	n := len(m.accounts)
	if n == 0 {
		return m.withNotice(m.d.lang.tr("app.noAccounts"))
	}
	if n == 1 && m.hasActive {
		return m.withNotice(m.d.lang.tr("app.onlyAccount"))
	}
	i := 0
	for j, a := range m.accounts {
		if a.ID == m.active.ID {
			i = j
		}
	}
	return m.switchTo(m.accounts[((i+delta)%n+n)%n].ID)
}

// openWizard shows the setup wizard: a new account when id is "", else
// account id prefilled. The screen is the wizard's at once; the wizard
// itself comes with wizardLoadedMsg, once loadWizard has read its data.
func (m appModel) openWizard(id string) (appModel, tea.Cmd) {
	if m.screen != screenWizard {
		m.back = m.baseScreen()
	}
	m.wizard = nil
	m.screen = screenWizard
	m.wizReq++
	return m, loadWizard(m.st, m.wizReq, id)
}

// loadWizard reads what the wizard opens with: account id with its
// passwords (none when id is ""), the accounts and the sharing policy.
func loadWizard(st appStore, req int, id string) tea.Cmd {
	return func() tea.Msg {
		msg := wizardLoadedMsg{req: req}
		if id != "" {
			a, err := st.Account(id)
			if err != nil {
				msg.err = err
				return msg
			}
			msg.existing = &a
		}
		msg.data = readWizardData(st)
		return msg
	}
}

// wizardLoaded builds the wizard on the data read for it; when the account
// to edit could not be read, it goes back with a note.
func (m appModel) wizardLoaded(msg wizardLoadedMsg) (appModel, tea.Cmd) {
	if msg.req != m.wizReq || m.screen != screenWizard || m.wizard != nil {
		return m, nil
	}
	if msg.err != nil {
		m, cmd := m.wizardCancelled()
		m.accts = m.accts.setNote(m.d.lang.failText("acct.loadFailed", msg.err), true)
		return m, cmd
	}
	w := newWizard(*m.d, m.st, msg.data, msg.existing).setSize(m.width, m.bodyHeight())
	m.wizard = &w
	return m, nil
}

// updateWizard is the wizard's update on the root's pointer to it.
func updateWizard(w *wizardModel, msg tea.Msg) (*wizardModel, tea.Cmd) {
	if w == nil {
		return nil, nil
	}
	next, cmd := w.update(msg)
	return &next, cmd
}

// wizardSaved returns from the wizard to the accounts screen (or the list
// of a first account) and reads the accounts again.
func (m appModel) wizardSaved(msg wizardSavedMsg) (appModel, tea.Cmd) {
	l := m.d.lang
	note := "acct.saved"
	if msg.added {
		note = "acct.added"
	}
	text, isErr := l.tr(note, clean(msg.acct.Name)), false
	if msg.sealErr != nil {
		text = l.tr("acct.added-no-signin", clean(msg.acct.Name), m.d.lang.errText(msg.sealErr, i18n.TaskOther), clean(msg.acct.Name))
		isErr = true
	}
	m.accts = m.accts.setNote(text, isErr)
	m.wizard = nil
	m.screen = screenAccounts
	if !m.hasActive || m.back == screenList {
		m.screen = screenList
	}
	m.acctReq++
	if msg.acct.ID == m.active.ID {
		// Edited: the list stays, the status bar takes the new name.
		a := msg.acct
		a.Incoming.Password, a.Outgoing.Password = "", ""
		m.active = a
	}
	m, c := m.withNotice(text)
	return m, tea.Batch(c, loadAccounts(m.st, m.acctReq))
}

// wizardCancelled goes back to where the wizard was opened from; without
// any account that is the accounts screen with its hint.
func (m appModel) wizardCancelled() (appModel, tea.Cmd) {
	m.wizard = nil
	m.screen = m.back
	if !m.hasActive {
		m.screen = screenAccounts
	}
	if m.screen == screenWizard || m.screen == screenHelp || m.screen == screenSwitcher || m.screen == screenPasswd {
		m.screen = screenAccounts
	}
	return m, nil
}
