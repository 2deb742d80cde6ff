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

// wizardSavedMsg tells the root that the account was stored: added is true
// for a new account (the store made it active if it was the first one).
type wizardSavedMsg struct {
	acct  mail.Account
	added bool
	// sealErr: the sign-in's refresh token could not be kept; the account
	// was saved and must sign in again.
	sealErr error
}

// wizardSaveFailedMsg is the store's refusal of the account; the wizard
// shows it and stays open.
type wizardSaveFailedMsg struct{ err error }

// wizardCheckMsg is the result of one side of the connection test. seq is
// the test run it belongs to, so a result of an older run is dropped.
type wizardCheckMsg struct {
	seq  int
	side wizardSide
	err  error
}

// wizardCheckTimeout bounds each connection test.
const wizardCheckTimeout = 25 * time.Second

// wizardSide is one half of the connection test.
type wizardSide int

const (
	wizardSidePOP3 wizardSide = iota
	wizardSideSMTP
)

// wizardCheckState is where one half of the connection test stands.
type wizardCheckState int

const (
	wizardCheckIdle wizardCheckState = iota
	wizardCheckRunning
	wizardCheckOK
	wizardCheckFailed
)

// wizardCheck is the state and, on failure, the error of one test.
type wizardCheck struct {
	state wizardCheckState
	err   error
}

// testing reports whether a connection test is running.
func (m wizardModel) testing() bool {
	return m.pop.state == wizardCheckRunning || m.smtp.state == wizardCheckRunning
}

// startTest runs both logins through deps.checker, each in its own command
// with a timeout; the run number lets late results of an older run be dropped.
func (m wizardModel) startTest() (wizardModel, tea.Cmd) {
	m.testSeq++
	if m.d.checker == nil {
		m.pop, m.smtp = wizardCheck{}, wizardCheck{}
		return m, nil
	}
	seq, acct, c := m.testSeq, m.testAccount(), m.d.checker
	m.pop = wizardCheck{state: wizardCheckRunning}
	m.smtp = wizardCheck{state: wizardCheckRunning}
	return m, tea.Batch(m.spin.Tick, wizardRunCheck(c, seq, wizardSidePOP3, acct), wizardRunCheck(c, seq, wizardSideSMTP, acct))
}

// wizardRunCheck is the command that logs in to one side of acct within
// wizardCheckTimeout and reports it as a wizardCheckMsg of run seq.
func wizardRunCheck(c checker, seq int, side wizardSide, acct mail.Account) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), wizardCheckTimeout)
		defer cancel()
		var err error
		if side == wizardSidePOP3 {
			err = c.CheckPOP3(ctx, acct)
		} else {
			err = c.CheckSMTP(ctx, acct)
		}
		return wizardCheckMsg{seq: seq, side: side, err: err}
	}
}

// checkDone records one test result, unless it belongs to an older run.
func (m wizardModel) checkDone(msg wizardCheckMsg) wizardModel {
	if msg.seq != m.testSeq || m.step != wizardStepReview {
		return m
	}
	r := wizardCheck{state: wizardCheckOK}
	if msg.err != nil {
		r = wizardCheck{state: wizardCheckFailed, err: msg.err}
	}
	if msg.side == wizardSidePOP3 {
		m.pop = r
	} else {
		m.smtp = r
	}
	return m
}

// trySave saves when the form is valid and the test passed; after a failed
// or missing test it asks first.
func (m wizardModel) trySave() (wizardModel, tea.Cmd) {
	if _, ok := m.firstError(); ok {
		m = m.backToForm()
		return m.toReview()
	}
	if m.pop.state != wizardCheckOK || m.smtp.state != wizardCheckOK {
		m.confirm = wizardConfirmSaveAnyway
		return m, nil
	}
	return m.save()
}

// save stores the account in a command; the root gets wizardSavedMsg.
func (m wizardModel) save() (wizardModel, tea.Cmd) {
	m.saving = true
	m.status = m.d.lang.tr("wizard.saving")
	m.testSeq++
	if m.pop.state == wizardCheckRunning {
		m.pop = wizardCheck{}
	}
	if m.smtp.state == wizardCheckRunning {
		m.smtp = wizardCheck{}
	}
	st, a, editing, ts := m.st, m.account(), m.existing != nil, m.signedInToken()
	return m, func() tea.Msg {
		// The newest refresh token: the login test may have rotated it.
		seal := func(id string) error {
			if ts == nil || ts.RefreshToken() == "" {
				return nil
			}
			return st.SetRefreshToken(id, false, ts.RefreshToken())
		}
		if editing {
			if err := st.UpdateAccount(a); err != nil {
				return wizardSaveFailedMsg{err: err}
			}
			if err := seal(a.ID); err != nil {
				return wizardSaveFailedMsg{err: err}
			}
			return wizardSavedMsg{acct: a, added: false}
		}
		saved, err := st.AddAccount(a)
		if err != nil {
			return wizardSaveFailedMsg{err: err}
		}
		if err := seal(saved.ID); err != nil {
			// The account is there but cannot log in: say so where the
			// list shows it (wizardSavedMsg), not as a refused save, which
			// would add it twice on the next try.
			return wizardSavedMsg{acct: saved, added: true, sealErr: err}
		}
		return wizardSavedMsg{acct: saved, added: true}
	}
}

// saveFailed shows why the store refused the account. Field problems found
// by the store (a name taken meanwhile) send the user back to the field.
func (m wizardModel) saveFailed(err error) wizardModel {
	m.saving = false
	var fe mail.FieldErrors
	if errors.As(err, &fe) {
		for _, e := range fe {
			if e.Code == mail.CodeDuplicateName {
				m.taken = append(m.taken, strings.TrimSpace(m.val(wfName)))
			}
		}
		if f, ok := m.firstError(); ok {
			m = m.backToForm()
			m.showAll = true
			m.status = m.d.lang.tr("wizard.status.fix")
			return m.focusOn(f)
		}
		var parts []string
		for _, e := range fe.Errors() {
			parts = append(parts, m.problemText(e))
		}
		m.status = m.d.lang.tr("wizard.save-failed", strings.Join(parts, " "))
		return m
	}
	m.status = m.d.lang.tr("wizard.save-failed", m.d.lang.errText(err, i18n.TaskOther))
	return m
}

// problemText is a field problem in the user's language: the catalog entry
// for its code (and field), else mail's English message.
func (m wizardModel) problemText(fe mail.FieldError) string {
	return m.problemTextOf(fe, m.account())
}

// problemTextOf is problemText for a, the form's account: the catalog's
// sentence for the screen.
func (m wizardModel) problemTextOf(fe mail.FieldError, a mail.Account) string {
	if fe.Field == mail.FieldCAFile && strings.HasPrefix(fe.Code, "ca-") {
		return m.caText(fe)
	}
	if strings.HasPrefix(fe.Code, "oauth-") {
		return m.signInProblemText(fe)
	}
	return m.d.lang.i18n().Field(fe, a, i18n.Screen)
}

// checkText says what a failed test means and what to do: the catalog's
// sentence for the wizard's connection test.
func (m wizardModel) checkText(side wizardSide, err error) string {
	return m.d.lang.i18n().Error(err, i18n.Scene{Front: i18n.Screen, Task: i18n.TaskTest, Account: m.testAccount(), Outgoing: side == wizardSideSMTP})
}
