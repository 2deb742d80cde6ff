package tui

import (
	"context"

	"popbox/mail"
)

// netChecker is the checker that really logs in: POP3 with the account's
// TLS settings (its CA file included), SMTP likewise for the outgoing side.
type netChecker struct{}

var _ checker = netChecker{}

// CheckPOP3 logs in to the incoming server and out again.
func (netChecker) CheckPOP3(ctx context.Context, acct mail.Account) error {
	conf, err := mail.TLSConfig(acct)
	if err != nil {
		return err
	}
	_, err = mail.CheckPOP3(ctx, acct, conf)
	return err
}

// CheckSMTP connects to the outgoing server as it is used (derived from the
// incoming side when the account shares its credentials) and authenticates.
func (netChecker) CheckSMTP(ctx context.Context, acct mail.Account) error {
	srv := acct.SMTP()
	pw, err := srv.ResolvePassword(ctx)
	if err != nil {
		return err
	}
	conf, err := mail.TLSConfig(acct)
	if err != nil {
		return err
	}
	if conf != nil {
		conf = conf.Clone()
		conf.ServerName = srv.Host
	}
	return mail.CheckSMTP(ctx, srv, pw, conf)
}
