package tui

import (
	"context"
	"time"

	"popbox/mail"
)

// checker runs the connection tests of the wizard and the password dialogs.
// The real one dials the servers (mail.CheckPOP3, mail.CheckSMTP); tests use
// a fake, so Update functions stay pure.
type checker interface {
	CheckPOP3(ctx context.Context, acct mail.Account) error
	CheckSMTP(ctx context.Context, acct mail.Account) error
}

// deps is what every screen shares: language, styles, the clock and the
// connection checker. Screens that need the store get it as their own
// argument (an interface they define), so their tests can pass a fake.
type deps struct {
	lang    lang
	styles  styles
	now     func() time.Time
	checker checker
	// plain is set for NO_COLOR / ASCII golden files.
	plain bool
}
