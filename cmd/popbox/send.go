package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"bufio"

	"popbox/mail"
	"popbox/mail/compose"
	"popbox/store"
	"popbox/store/send"
)

// maxSendInput bounds what send reads from stdin.
const maxSendInput = 64 << 20

// listFlag is a flag that may be given more than once.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// sendFailed is a send that did not go through: its sentence is said
// already, exit 1.
type sendFailed struct{ msg string }

func (e sendFailed) Error() string { return e.msg }

func cmdSend(db string, args []string, e env) error {
	fs := newFlags("send", "send [--account NAME] --to A [--to A] [--cc A] [--bcc A] --subject S [--attach FILE]... [--iso-2022-jp] [--flowed] < body\n       popbox send [--account NAME] [--to A]... --raw < message", e)
	name := fs.String("account", "", "send from the account `NAME` (default: the active one)")
	var to, cc, bcc, attach listFlag
	fs.Var(&to, "to", "a recipient `ADDRESS` (repeat for more)")
	fs.Var(&cc, "cc", "a copy to `ADDRESS` (repeat for more)")
	fs.Var(&bcc, "bcc", "a blind copy to `ADDRESS`, in no header (repeat for more)")
	fs.Var(&attach, "attach", "attach `FILE` (repeat for more)")
	subject := fs.String("subject", "", "the `SUBJECT`")
	jis := fs.Bool("iso-2022-jp", false, "write the message in ISO-2022-JP (UTF-8 when a character does not fit)")
	flowed := fs.Bool("flowed", false, "write the text as format=flowed")
	raw := fs.Bool("raw", false, "stdin is a whole message; Message-ID and Date are added when missing")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *raw && (*subject != "" || len(attach) > 0 || *jis || *flowed) {
		return fs.bad("cli.use.sendRawFlags")
	}
	if !*raw && len(to)+len(cc)+len(bcc) == 0 {
		return fs.bad("cli.use.sendNoTo")
	}
	parse := func(l []string) ([]mail.Address, error) {
		var out []mail.Address
		for _, s := range l {
			as, err := gomail.ParseAddressList(s)
			if err != nil {
				return nil, fs.bad("cli.use.sendAddress", s)
			}
			for _, a := range as {
				out = append(out, mail.Address{Name: a.Name, Address: a.Address})
			}
		}
		return out, nil
	}
	toA, err := parse(to)
	if err != nil {
		return err
	}
	ccA, err := parse(cc)
	if err != nil {
		return err
	}
	bccA, err := parse(bcc)
	if err != nil {
		return err
	}
	input, err := io.ReadAll(io.LimitReader(e.stdin, maxSendInput+1))
	if err != nil {
		return err
	}
	if len(input) > maxSendInput {
		return errors.New(e.lang.Tr("cli.sendTooLarge"))
	}
	st, a, err := openAccount(db, *name, e)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.SettleOutbox(a.ID); err != nil {
		return err
	}

	var msg []byte
	var rcpts []string
	var messageID, subj string
	if *raw {
		msg, messageID, subj, rcpts, err = prepareRaw(input, a)
		if err != nil {
			return err
		}
		if extra := addressList(toA, ccA, bccA); len(extra) > 0 {
			rcpts = extra
		}
		if len(rcpts) == 0 {
			return fs.bad("cli.use.sendNoTo")
		}
	} else {
		d := compose.Draft{From: mail.Address{Address: a.Email}, To: toA, Cc: ccA, Bcc: bccA,
			Subject: *subject, Body: string(input), Flowed: *flowed}
		if *jis {
			d.Charset = compose.ISO2022JP
		}
		for _, f := range attach {
			d.Attachments = append(d.Attachments, compose.Attachment{Path: e.abs(f)})
		}
		b, err := compose.Build(d)
		if err != nil {
			return err
		}
		if b.FellBack {
			fmt.Fprintln(e.stderr, e.lang.Tr("cli.sendFellBack"))
		}
		msg, messageID, subj, rcpts = b.Raw, b.MessageID, *subject, b.Recipients
	}
	o, err := st.AddOutgoing(a.ID, store.Outgoing{MessageID: messageID, From: a.Email, To: rcpts, Subject: subj}, msg)
	if err != nil {
		return err
	}
	return sendOne(st, a, o.ID, false, e)
}

func addressList(ls ...[]mail.Address) []string {
	var out []string
	for _, l := range ls {
		for _, a := range l {
			out = append(out, a.Address)
		}
	}
	return out
}

// prepareRaw adds a Message-ID and a Date to a whole message when it has
// none, takes out its Bcc field and returns the recipients of its To, Cc
// and Bcc.
func prepareRaw(input []byte, a mail.Account) (msg []byte, messageID, subject string, rcpts []string, err error) {
	br := bufio.NewReader(bytes.NewReader(input))
	th, err := textproto.ReadHeader(br)
	if err != nil {
		return nil, "", "", nil, fmt.Errorf("read the message's header: %w", err)
	}
	body, _ := io.ReadAll(br)
	h := gomail.Header{}
	h.Header.Header = th
	for _, k := range []string{"To", "Cc", "Bcc"} {
		l, _ := h.AddressList(k)
		for _, ad := range l {
			rcpts = append(rcpts, ad.Address)
		}
	}
	h.Del("Bcc")
	if h.Get("Message-Id") == "" {
		h.Set("Message-ID", compose.NewMessageID(a.Email))
	}
	if h.Get("Date") == "" {
		h.Set("Date", time.Now().Format(time.RFC1123Z))
	}
	if h.Get("From") == "" {
		h.Set("From", a.Email)
	}
	messageID = h.Get("Message-Id")
	subject, _ = h.Subject()
	var b bytes.Buffer
	if err := textproto.WriteHeader(&b, h.Header.Header); err != nil {
		return nil, "", "", nil, err
	}
	// Line ends become CRLF, as SMTP wants them.
	body = bytes.ReplaceAll(bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
	b.Write(body)
	return b.Bytes(), messageID, subject, rcpts, nil
}

// sendOne sends outbox message id of account a (send.One) and says the
// outcome on stdout or, as an error, why it failed and how to send it
// again.
func sendOne(st *store.Store, a mail.Account, id string, force bool, e env) error {
	o, _, err := st.OutgoingMessage(a.ID, id)
	if err != nil {
		return err
	}
	switch {
	case o.State == store.OutSent:
		return errors.New(e.lang.Tr("cli.outboxAlreadySent", id))
	case o.State == store.OutUnknown && !force:
		return errors.New(e.lang.Tr("cli.outboxUnknownNoForce", id, o.Reason))
	case o.State == store.OutDraft:
		return errors.New(e.lang.Tr("cli.outboxDraft", id))
	}
	o, err = send.One(context.Background(), st, a, id, send.Options{
		Getenv:        e.getenv,
		Reason:        func(err error) string { return sentenceForSMTP(e.lang, err, a) },
		UnknownReason: e.lang.Tr("cli.sendUnknownReason"),
		Force:         force,
	})
	var f *send.Failure
	switch {
	case err == nil:
		fmt.Fprintln(e.stdout, e.lang.Tr("cli.sent", o.MessageID, len(o.To), id))
		return nil
	case errors.As(err, &f) && f.State == store.OutUnknown && !errors.Is(err, mail.ErrDeliveryUnknown):
		// A forced send that failed before the message went out.
		return sendFailed{e.lang.Tr("cli.sendFailedStillUnknown", strings.TrimRight(f.Reason, ".。"), id)}
	case errors.As(err, &f) && f.State == store.OutUnknown:
		return sendFailed{e.lang.Tr("cli.sendUnknown", id)}
	case errors.As(err, &f):
		return sendFailed{e.lang.Tr("cli.sendFailed", strings.TrimRight(f.Reason, ".。"), id)}
	}
	return err
}

// outboxJSON is the stable shape of `outbox --json` and `outbox sent --json`.
type outboxJSON struct {
	ID        string   `json:"id"`
	Account   string   `json:"account"`
	State     string   `json:"state"`
	MessageID string   `json:"message_id"`
	To        []string `json:"to"`
	Subject   string   `json:"subject"`
	Reason    string   `json:"reason,omitempty"`
	Attempts  int      `json:"attempts"`
	Created   string   `json:"created"`
	Sent      *string  `json:"sent"`
}

func cmdOutbox(db string, args []string, e env) error {
	if len(args) > 0 {
		switch args[0] {
		case "retry":
			return cmdOutboxRetry(db, args[1:], e)
		case "sent":
			return cmdOutboxList(db, args[1:], e, true)
		}
	}
	return cmdOutboxList(db, args, e, false)
}

func cmdOutboxList(db string, args []string, e env, sent bool) error {
	synopsis := "outbox [--account NAME] [--json]"
	if sent {
		synopsis = "outbox sent [--account NAME] [--json]"
	}
	fs := newFlags("outbox", synopsis, e)
	name := fs.String("account", "", "the account, by `NAME` (default: the active one)")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	st, a, err := openAccount(db, *name, e)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.SettleOutbox(a.ID); err != nil {
		return err
	}
	var list []store.Outgoing
	if sent {
		list, err = st.Sent(a.ID)
	} else {
		list, err = st.Outbox(a.ID)
	}
	if err != nil {
		return err
	}
	out := make([]outboxJSON, 0, len(list))
	for _, o := range list {
		j := outboxJSON{ID: o.ID, Account: a.Name, State: string(o.State), MessageID: o.MessageID, To: o.To,
			Subject: o.Subject, Reason: o.Reason, Attempts: o.Attempts, Created: o.Created.Format(time.RFC3339)}
		if !o.SentAt.IsZero() {
			s := o.SentAt.Format(time.RFC3339)
			j.Sent = &s
		}
		out = append(out, j)
	}
	if *asJSON {
		return writeJSON(e.stdout, out)
	}
	if len(out) == 0 {
		key := "cli.outboxEmpty"
		if sent {
			key = "cli.outboxNoneSent"
		}
		fmt.Fprintln(e.stdout, e.lang.Tr(key, a.Name))
		return nil
	}
	for _, j := range out {
		when := j.Created
		if j.Sent != nil {
			when = *j.Sent
		}
		fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\t%s\n", j.ID, j.State, when, safeCell(strings.Join(j.To, ", ")), safeCell(j.Subject))
		if j.Reason != "" && !sent {
			fmt.Fprintf(e.stdout, "\t%s\n", safeCell(j.Reason))
		}
	}
	return nil
}

// safeCell is text from a message made safe for one line of a terminal.
func safeCell(s string) string { return mail.SafeLine(s) }

func cmdOutboxRetry(db string, args []string, e env) error {
	fs := newFlags("outbox retry", "outbox retry [--account NAME] (ID | --all) [--force]", e)
	name := fs.String("account", "", "the account, by `NAME` (default: the active one)")
	all := fs.Bool("all", false, "send every queued and failed message again")
	force := fs.Bool("force", false, "also send a message whose delivery is unknown (it may arrive twice)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *all == (len(pos) == 1) || len(pos) > 1 {
		return fs.bad("cli.use.outboxRetry")
	}
	st, a, err := openAccount(db, *name, e)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.SettleOutbox(a.ID); err != nil {
		return err
	}
	if !*all {
		err := sendOne(st, a, pos[0], *force, e)
		if errors.Is(err, store.ErrNoOutgoing) {
			return errors.New(e.lang.Tr("cli.outboxNoID", pos[0], a.Name))
		}
		return err
	}
	list, err := st.Outbox(a.ID)
	if err != nil {
		return err
	}
	var failed []string
	for _, o := range list {
		if o.State == store.OutDraft || o.State == store.OutUnknown && !*force {
			continue
		}
		if err := sendOne(st, a, o.ID, *force, e); err != nil {
			fmt.Fprintln(e.stderr, "popbox: "+sentence(e.lang, err))
			failed = append(failed, o.ID)
		}
	}
	if len(failed) > 0 {
		return sendFailed{e.lang.Tr("cli.outboxRetryFailed", strings.Join(failed, ", "))}
	}
	return nil
}
