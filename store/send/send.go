// Package send sends the messages of an account's outbox through its
// outgoing server, writing down each step in the store so that a message
// is never lost nor sent twice on popbox's own (store/outbox.go): the
// screen and the command line both send through One.
package send

import (
	"context"
	"errors"
	"os"
	"slices"
	"syscall"
	"time"

	"popbox/mail"
	"popbox/store"
	"popbox/store/signin"
)

// KillEnv is a test hook: when it is "after-data", a send kills its own
// process the moment the server has accepted the message and before
// popbox writes "sent": the case the outbox's "unknown" state is for.
const KillEnv = "POPBOX_TEST_SEND_KILL"

// Timeout bounds one send.
const Timeout = 5 * time.Minute

// Options are how One explains and where it reads the environment.
type Options struct {
	// Getenv reads POPBOX_OAUTH_CLIENT_ID for a signed-in account and the
	// test hook; nil is os.Getenv.
	Getenv func(string) string
	// Reason turns a failure into the sentence kept with the message
	// (the outbox shows it); nil keeps the error's text.
	Reason func(err error) string
	// UnknownReason is kept with a message whose answer never came.
	UnknownReason string
	// Force sends a message whose delivery is unknown (it may arrive twice).
	Force bool
}

// Failure is a send that did not go through: the message, Out, is now in
// State (failed: certainly not delivered; unknown: it may have been, by
// this send or, for a forced one that failed before anything went out, by
// an earlier one), with Reason kept in the outbox unless it stayed
// unknown.
type Failure struct {
	Out    store.Outgoing
	State  store.OutState
	Reason string
	Err    error
}

func (f *Failure) Error() string { return f.Reason }
func (f *Failure) Unwrap() error { return f.Err }

// One sends outbox message id of account a and records the outcome:
// "sending" before the DATA command, "sent" after the server took the
// message. A send that did not go through is a *Failure; any other error
// (the message is not there, sent already, unknown without Force, the
// store) changed nothing.
func One(ctx context.Context, st *store.Store, a mail.Account, id string, o Options) (store.Outgoing, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	reason := o.Reason
	if reason == nil {
		reason = func(err error) string { return err.Error() }
	}
	out, msg, err := st.OutgoingMessage(a.ID, id)
	if err != nil {
		return out, err
	}
	switch {
	case out.State == store.OutSent, out.State == store.OutDraft, out.State == store.OutSending:
		return out, store.ErrOutState
	case out.State == store.OutUnknown && !o.Force:
		return out, store.ErrOutState
	}
	// fail records a failure before anything of the message reached the
	// server. A forced send of a message whose delivery is unknown stays
	// unknown: the earlier send may have delivered it.
	fail := func(err error) (store.Outgoing, error) {
		r := reason(err)
		if out.State == store.OutUnknown {
			return out, &Failure{Out: out, State: store.OutUnknown, Reason: r, Err: err}
		}
		got, werr := st.MarkFailed(a.ID, id, r, errors.Is(err, mail.ErrRejected))
		if werr != nil {
			return got, werr
		}
		return got, &Failure{Out: got, State: store.OutFailed, Reason: r, Err: err}
	}
	seal := func(out bool, rt string) error { return st.SetRefreshToken(a.ID, out, rt) }
	a, _, err = signin.Setup(a, st, getenv, seal)
	if err != nil {
		return fail(err)
	}
	tlsConf, err := mail.TLSConfig(a)
	if err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	smtp := a.SMTP()
	password := ""
	if smtp.Auth != mail.AuthOAuth2 {
		if password, err = smtp.ResolvePassword(ctx); err != nil {
			return fail(err)
		}
	}
	began := false
	env := mail.Envelope{From: a.Email, To: out.To}
	try := func() (struct{}, error) {
		return struct{}{}, mail.SendSMTP(ctx, smtp, password, tlsConf, env, msg, func() error {
			if began {
				return nil
			}
			if _, err := st.BeginSending(a.ID, id, o.Force); err != nil {
				return err
			}
			began = true
			return nil
		})
	}
	var ts *signin.Token
	if smtp.Auth == mail.AuthOAuth2 {
		ts = signin.TokenOf(smtp)
	}
	_, err = signin.Retry(ctx, ts, try)
	switch {
	case err == nil:
		if getenv(KillEnv) == "after-data" {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
		return st.EndSending(a.ID, id, store.OutSent, "", false)
	case !began:
		return fail(err)
	case errors.Is(err, mail.ErrDeliveryUnknown):
		r := o.UnknownReason
		if r == "" {
			r = err.Error()
		}
		got, werr := st.EndSending(a.ID, id, store.OutUnknown, r, false)
		if werr != nil {
			return got, werr
		}
		return got, &Failure{Out: got, State: store.OutUnknown, Reason: r, Err: err}
	default:
		r := reason(err)
		got, werr := st.EndSending(a.ID, id, store.OutFailed, r, errors.Is(err, mail.ErrRejected))
		if werr != nil {
			return got, werr
		}
		return got, &Failure{Out: got, State: store.OutFailed, Reason: r, Err: err}
	}
}

// Result is what Pending did: the messages sent, the failures, and how
// many waiting messages it left untried after a failure that was not the
// message's own.
type Result struct {
	Sent   []store.Outgoing
	Failed []*Failure
	Left   int
}

// waiting: a message Pending sends.
func waiting(m store.Outgoing) bool {
	return m.State == store.OutQueued || m.State == store.OutFailed && !m.Refused
}

// Pending sends the account's messages waiting in its outbox, oldest
// first: queued ones, and failed ones the server did not refuse (the
// connection failed, or the login): what a fetch sends on its way. It
// stops at the first failure that is not the message's own (no
// connection, no login), since the rest would fail the same way, and
// counts those in Result.Left. With nothing waiting it writes nothing.
func Pending(ctx context.Context, st *store.Store, a mail.Account, o Options) (Result, error) {
	var res Result
	list, err := st.Outbox(a.ID)
	if err != nil {
		return res, err
	}
	if !slices.ContainsFunc(list, func(m store.Outgoing) bool { return waiting(m) || m.State == store.OutSending }) {
		return res, nil
	}
	if _, err := st.SettleOutbox(a.ID); err != nil {
		return res, err
	}
	if list, err = st.Outbox(a.ID); err != nil {
		return res, err
	}
	list = slices.DeleteFunc(list, func(m store.Outgoing) bool { return !waiting(m) })
	o.Force = false
	for i, m := range list {
		got, err := One(ctx, st, a, m.ID, o)
		var f *Failure
		switch {
		case err == nil:
			res.Sent = append(res.Sent, got)
		case errors.As(err, &f):
			res.Failed = append(res.Failed, f)
			if !errors.Is(f.Err, mail.ErrRejected) {
				res.Left = len(list) - i - 1
				return res, nil
			}
		case errors.Is(err, store.ErrOutState):
			// Sent or being sent by another run meanwhile.
		default:
			return res, err
		}
	}
	return res, nil
}
