package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"

	"github.com/emersion/go-smtp"
)

// Envelope is who a message is sent from and to in SMTP (MAIL FROM and
// RCPT TO): To, Cc and Bcc together, bare addresses.
type Envelope struct {
	From string
	To   []string
}

// SendSMTP sends data to env's recipients through the outgoing server srv:
// the same connection and login as CheckSMTP (implicit TLS, STARTTLS or
// plain per srv.Security; PLAIN or LOGIN with password, OAUTHBEARER or
// XOAUTH2 with a token), then MAIL FROM, one RCPT TO per recipient and
// DATA.
//
// beforeData, when not nil, runs after the server took every recipient and
// before the DATA command: the outbox writes "sending" there, so that a
// kill from then on is never taken for "not sent". An error from it ends
// the session without sending.
//
// Errors wrap the kinds of CheckSMTP, ErrRejected when the server refused
// the sender, a recipient or the message (it was not sent), or
// ErrDeliveryUnknown when the connection ended after the message went out
// and before the server's answer: it may have been delivered.
func SendSMTP(ctx context.Context, srv Server, password string, tlsConf *tls.Config, env Envelope, data []byte, beforeData func() error) error {
	if len(env.To) == 0 {
		return fmt.Errorf("send: %w: no recipients", ErrRejected)
	}
	k := newSMTPCheck(ctx, srv, password, tlsConf, trustFor(srv, ""))
	c, done, err := k.open(ctx)
	if err != nil {
		return err
	}
	defer done()

	var opts *smtp.MailOptions
	if has8bit(data) {
		if ok, _ := c.Extension("8BITMIME"); ok {
			opts = &smtp.MailOptions{Body: smtp.Body8BitMIME}
		}
	}
	if err := c.Mail(env.From, opts); err != nil {
		return k.sendFail(ctx, "MAIL FROM", err)
	}
	for _, to := range env.To {
		if err := c.Rcpt(to, nil); err != nil {
			return k.sendFail(ctx, "RCPT TO "+SafeLine(to), err)
		}
	}
	if beforeData != nil {
		if err := beforeData(); err != nil {
			c.Quit()
			return fmt.Errorf("send: %w", err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return k.sendFail(ctx, "DATA", err)
	}
	if _, err := w.Write(data); err != nil {
		// The final "." has not gone out: no server takes a message
		// without it.
		return k.sendFail(ctx, "DATA", err)
	}
	if err := w.Close(); err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return k.sendFail(ctx, "end of DATA", err)
		}
		// The message and its final "." went out; the answer did not come.
		return fmt.Errorf("smtp %s: end of DATA: %w: %w", k.addr, ErrDeliveryUnknown, safeError{err})
	}
	// The server took it; a failed QUIT changes nothing.
	c.Quit()
	return nil
}

// sendFail is fail for the steps after login: a 5xx or 4xx answer there
// means the server refused the message.
func (k *smtpCheck) sendFail(ctx context.Context, step string, err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) && ctx.Err() == nil {
		return fmt.Errorf("smtp %s: %s: %w: %w", k.addr, step, ErrRejected, safeError{err})
	}
	return k.fail(ctx, step, err)
}

func has8bit(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}
