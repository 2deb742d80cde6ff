package main

import (
	"errors"

	"popbox/mail"
	"popbox/tui/i18n"
)

// accountError is a failure while talking to an account's servers: the
// sentence it becomes (package i18n) names the account's server and the fix.
type accountError struct {
	err      error
	acct     mail.Account
	outgoing bool
	// adding: the failure came in account add's login test, before the
	// account was saved.
	adding bool
}

func (e accountError) Error() string { return sentenceFor(i18n.EN, e.err, e.acct) }
func (e accountError) Unwrap() error { return e.err }

// sentence turns any error into the one line the CLI prints, in l: what
// happened and what to do, ending with a full stop.
func sentence(l i18n.Lang, err error) string {
	var ae accountError
	if errors.As(err, &ae) {
		sc := i18n.Scene{Front: i18n.CLI, Account: ae.acct, Outgoing: ae.outgoing}
		if ae.adding {
			sc.Task = i18n.TaskTest
		}
		return l.Error(ae.err, sc)
	}
	return l.Error(err, i18n.Scene{Front: i18n.CLI})
}

// sentenceFor explains a failure of account a's incoming server.
func sentenceFor(l i18n.Lang, err error, a mail.Account) string {
	return l.Error(err, i18n.Scene{Front: i18n.CLI, Account: a})
}

// sentenceForSMTP explains a failure of account a's outgoing server.
func sentenceForSMTP(l i18n.Lang, err error, a mail.Account) string {
	return l.Error(err, i18n.Scene{Front: i18n.CLI, Account: a, Outgoing: true})
}
