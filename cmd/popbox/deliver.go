package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"popbox/mail"
	"popbox/store"
)

// Delivery on the command line: account add --deliver, account set NAME
// --deliver, fetch --deliver-only, and the delivery part of a fetch's
// summary line.

// deliverFlagHelp is the help of --deliver.
const deliverFlagHelp = "deliver each fetched message to a Maildir or a command: `TARGET` maildir:DIR or mda:COMMAND (the message on its standard input)"

// parseDeliverFlag reads --deliver for account a, as bad usage when it
// does not read; "none" clears it.
func parseDeliverFlag(fs *flags, value string, a mail.Account) (string, error) {
	t, fe := mail.ParseDeliver(value)
	if fe != nil {
		return "", fs.badValue(*fe, value, a)
	}
	return t.String(), nil
}

// setDeliver is account set NAME --deliver: it changes where the account
// delivers; turned off, the marks of messages still waiting are dropped
// (they stay in popbox, and their server copies follow the retention
// policy again).
func setDeliver(st *store.Store, a mail.Account, target string, e env) error {
	old := a.Deliver
	a.Deliver = target
	if err := st.UpdateAccount(a); err != nil {
		return err
	}
	if target != "" {
		fmt.Fprintln(e.stdout, e.lang.Tr("cli.deliverSet", a.Name, target))
		return nil
	}
	n := 0
	if old != "" {
		var err error
		if n, err = st.DropPendingDeliveries(a.ID); err != nil {
			return err
		}
	}
	if n > 0 {
		fmt.Fprintln(e.stdout, e.lang.Tr("cli.deliverOffDropped", a.Name, n))
	} else {
		fmt.Fprintln(e.stdout, e.lang.Tr("cli.deliverOff", a.Name))
	}
	return nil
}

// deliverOnly is fetch --deliver-only: it delivers what waits, logging in
// nowhere. Messages still waiting because a delivery failed make it fail
// (exit 1) with the reason; they stay in popbox and on the server.
func deliverOnly(st *store.Store, a mail.Account, quiet bool, e env) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := mail.Deliver(ctx, a, st, mail.DeliverOptions{})
	if err != nil {
		return accountError{err: err, acct: a}
	}
	if res.Waiting > 0 && res.Err != nil {
		fmt.Fprintln(e.stdout, a.Name+": "+deliverySummary(res.Delivered, res.Waiting, res.Err)+".")
		w, _ := res.Warning()
		return errors.New(e.lang.Warning(w))
	}
	if quiet && res.Delivered == 0 {
		return nil
	}
	fmt.Fprintln(e.stdout, a.Name+": "+deliverySummary(res.Delivered, res.Waiting, nil)+".")
	return nil
}

// deliverySummary is the delivery part of a summary line: "N delivered,
// M waiting for delivery: reason".
func deliverySummary(delivered, waiting int, reason error) string {
	s := fmt.Sprintf("%d delivered", delivered)
	if waiting > 0 {
		s += fmt.Sprintf(", %d waiting for delivery", waiting)
		if reason != nil {
			s += ": " + mail.SafeLine(reason.Error())
		}
	}
	return s
}
