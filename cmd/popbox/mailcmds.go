package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"popbox/mail"
	"popbox/mail/oauth"
	"popbox/store"
	"popbox/store/send"
	"popbox/store/signin"
	"popbox/tui/i18n"
)

// accountFor returns the named account, or the active one.
func accountFor(st *store.Store, name string) (mail.Account, error) {
	if name != "" {
		return st.Account(name)
	}
	// With no account set up, the store's error says so, and the catalog
	// how to add one.
	return st.Active()
}

// parseNoArgs parses flags of a command that takes no positional arguments.
func parseNoArgs(fs *flags, args []string) error {
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fs.bad("cli.use.noArgsAccount", fs.Name(), pos[0])
	}
	return nil
}

// openAccount opens the store and finds the named (or active) account; the
// caller closes the store.
func openAccount(db, name string, e env) (*store.Store, mail.Account, error) {
	st, err := openExisting(db, e)
	if err != nil {
		return nil, mail.Account{}, noData(err, &store.NotFoundError{Kind: store.ErrNoAccount, Name: name})
	}
	a, err := accountFor(st, name)
	if err != nil {
		st.Close()
		return nil, mail.Account{}, err
	}
	return st, a, nil
}

func cmdFetch(db string, args []string, e env) error {
	fs := newFlags("fetch", "fetch [--account NAME] [--dry-run [--json]] [--quiet] [--force] [--ca-file F] [--deliver-only]", e)
	name := fs.String("account", "", "the account to fetch, by `NAME` (default: the active one)")
	dry := fs.Bool("dry-run", false, "connect and show what would be fetched and deleted, changing nothing")
	asJSON := fs.Bool("json", false, "with --dry-run: print the plan as JSON, with UIDs")
	quiet := fs.Bool("quiet", false, "no summary line when nothing happened (for cron)")
	force := fs.Bool("force", false, "log in even if the server asked for more time between logins (LOGIN-DELAY)")
	caFile := caFileFlag(fs)
	delivOnly := fs.Bool("deliver-only", false, "deliver the messages waiting for delivery (to the account's Maildir or MDA) without logging in")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *delivOnly && *dry {
		return fs.bad("cli.use.either", "--deliver-only", "--dry-run")
	}
	if *asJSON && !*dry {
		// A fetch prints one summary line; only a dry run's plan has a JSON
		// form, and a script that asked for the plan must not fetch for real.
		return fs.bad("cli.use.jsonNeedsDryRun")
	}
	*caFile = e.abs(*caFile)
	if err := checkCAFile(*caFile, e); err != nil {
		return err
	}
	st, a, err := openAccount(db, *name, e)
	if err != nil {
		return err
	}
	defer st.Close()
	if *delivOnly {
		return deliverOnly(st, a, *quiet, e)
	}
	if *caFile != "" {
		a.CAFile = *caFile
	}
	ctx, stop := e.interruptible()
	defer stop()
	// One fetch of an account at a time in this process: a fetch served
	// from the TUI waits for the TUI's own, and then finds what is left.
	unlock, err := st.LockFetch(ctx, a.ID)
	if err != nil {
		return errors.New(e.lang.Tr("cli.fetchInterrupted", a.Name, 0))
	}
	defer unlock()
	if e.getenv("GOGC") == "" && e.srv == nil {
		// A fetch turns over its whole working set every batch; a tighter
		// heap goal keeps peak RSS near the live data (measured: 69 -> 57
		// MiB for 10,000 messages, no change in time).
		debug.SetGCPercent(50)
	}

	// The outbox is sent from the account as stored: send.One signs in
	// for the outgoing side itself.
	stored := a
	a, ts, err := withToken(a, st, func(out bool, rt string) error { return st.SetRefreshToken(a.ID, out, rt) }, e)
	if err != nil {
		return err
	}
	var report func(mail.Progress)
	var pr *progressLine
	if e.stderrTTY && !*asJSON {
		pr = &progressLine{w: e.stderr, account: a.Name}
		report = pr.update
	}
	res, err := retryRefused(ctx, ts, a, func() (mail.SyncResult, error) {
		return mail.Sync(ctx, a, st, mail.SyncOptions{DryRun: *dry, IgnoreLoginDelay: *force}, report)
	})
	if pr != nil {
		pr.clear()
	}
	if !*dry {
		e.srv.fetched(a.ID, res, err)
	}
	if errors.Is(err, oauth.ErrSignInAgain) {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(e.stderr, "popbox: "+e.lang.Tr("cli.warning")+" "+e.lang.Warning(w))
	}
	if !*dry && ctx.Err() == nil {
		// Even after a failed fetch: the outgoing server is another one,
		// and what waits for it should not wait for the incoming one.
		if serr := sendWaiting(ctx, st, stored, e); serr != nil {
			fmt.Fprintln(e.stderr, "popbox: "+e.lang.Tr("cli.warning")+" "+sentence(e.lang, serr))
		}
	}
	if errors.Is(err, mail.ErrLoginDelay) {
		// Not a failure: the server asked for a pause between logins and a
		// periodic fetch simply waits for the next turn.
		if !*quiet {
			fmt.Fprintln(e.stdout, e.lang.Tr("cli.loginDelaySkipped", a.Name, strings.TrimSuffix(strings.TrimSuffix(sentenceFor(e.lang, err, a), "."), "。")))
		}
		return nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return errors.New(e.lang.Tr("cli.fetchInterrupted", a.Name, res.New))
		}
		return accountError{err: err, acct: a}
	}
	if *dry {
		if *asJSON {
			fetch, del := res.PlannedFetch, res.PlannedDelete
			if fetch == nil {
				fetch = []string{}
			}
			if del == nil {
				del = []string{}
			}
			return writeJSON(e.stdout, map[string]any{
				"account": a.Name, "retention": a.Retention.String(),
				"fetch": fetch, "delete": del, "skipped": res.Skipped, "deleted_here": res.DeletedHere,
			})
		}
		here := fmt.Sprintf("%d already here", res.Skipped-res.DeletedHere)
		if res.DeletedHere > 0 {
			here += fmt.Sprintf(", %d deleted here and kept on the server", res.DeletedHere)
		}
		fmt.Fprintf(e.stdout, "%s (dry run, nothing changed): would fetch %d new, would delete %d on the server (retention %s), %s.\n",
			a.Name, len(res.PlannedFetch), len(res.PlannedDelete), a.Retention, here)
		return nil
	}
	if res.New > 0 && strings.TrimSpace(a.OnNew) != "" {
		// The command may well run popbox itself: let go of the database.
		st.Close()
		if err := mail.RunOnNew(ctx, a, res.New, e.stderr, e.stderr); err != nil {
			fmt.Fprintln(e.stderr, "popbox: "+e.lang.Tr("cli.warning")+" "+e.lang.Tr("cli.onNewFailed", mail.SafeLine(a.Name), mail.SafeLine(err.Error()), i18n.Shell(a.Name)))
		}
	}
	if *quiet && res.New == 0 && res.Deleted == 0 && res.Failed == 0 && res.Delivered == 0 && res.DeliveryErr == nil {
		return nil
	}
	line := fmt.Sprintf("%s: %d new, %d deleted on server, %d skipped", a.Name, res.New, res.Deleted, res.Skipped)
	if res.Duplicates > 0 {
		line += fmt.Sprintf(", %d duplicates not stored again", res.Duplicates)
	}
	if res.Failed > 0 {
		line += fmt.Sprintf(", %d could not be retrieved (they stay on the server and are tried again next time)", res.Failed)
	}
	if a.Deliver != "" {
		line += ", " + deliverySummary(res.Delivered, res.WaitingDelivery, res.DeliveryErr)
	}
	fmt.Fprintln(e.stdout, line+".")
	return nil
}

// sendWaiting sends, at a fetch of account a, the messages waiting in its
// outbox (send.Pending: queued ones, and failed ones the server did not
// refuse). Each message sent is a line on stdout, also with --quiet: it
// is news. Each failure is a sentence on stderr with its outbox ID and how
// to send it again; it does not change fetch's exit status, which is the
// fetch's own: the message stays in the outbox, and the next fetch tries
// again. An error is the store's.
func sendWaiting(ctx context.Context, st *store.Store, a mail.Account, e env) error {
	res, err := send.Pending(ctx, st, a, send.Options{
		Getenv:        e.getenv,
		Reason:        func(err error) string { return sentenceForSMTP(e.lang, err, a) },
		UnknownReason: e.lang.Tr("cli.sendUnknownReason"),
	})
	for _, o := range res.Sent {
		fmt.Fprintln(e.stdout, e.lang.Tr("cli.sent", o.MessageID, len(o.To), o.ID))
	}
	for _, f := range res.Failed {
		o := f.Out
		to := mail.SafeLine(strings.Join(o.To, ", "))
		reason := strings.TrimRight(f.Reason, ".。")
		switch {
		case f.State == store.OutUnknown:
			fmt.Fprintln(e.stderr, "popbox: "+e.lang.Tr("cli.sendUnknown", o.ID))
		case o.Refused:
			fmt.Fprintln(e.stderr, "popbox: "+e.lang.Tr("cli.fetchSendRefused", o.ID, to, reason))
		default:
			fmt.Fprintln(e.stderr, "popbox: "+e.lang.Tr("cli.fetchSendFailed", o.ID, to, reason))
		}
	}
	if res.Left > 0 {
		fmt.Fprintln(e.stderr, "popbox: "+e.lang.Tr("cli.fetchSendLeft", res.Left, mail.SafeLine(a.Name)))
	}
	return err
}

// progressLine draws one self-overwriting line on a terminal's stderr.
type progressLine struct {
	mu      sync.Mutex
	w       interface{ Write([]byte) (int, error) }
	account string
	last    time.Time
}

func (p *progressLine) update(pg mail.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if pg.Phase == mail.PhaseRetrieve && now.Sub(p.last) < 80*time.Millisecond && pg.Messages != pg.MessagesTotal {
		return
	}
	p.last = now
	s := fmt.Sprintf("%s: %s", p.account, pg.Phase)
	if pg.MessagesTotal > 0 {
		const width = 24
		fill := width * pg.Messages / pg.MessagesTotal
		s += fmt.Sprintf(" [%s%s] %d/%d messages, %s/%s", strings.Repeat("#", fill), strings.Repeat(".", width-fill),
			pg.Messages, pg.MessagesTotal, mail.FormatSize(pg.Bytes), mail.FormatSize(pg.BytesTotal))
	}
	fmt.Fprintf(p.w, "\x1b[2K\r%s", s)
}

func (p *progressLine) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.w, "\x1b[2K\r")
}

func cmdCheck(db string, args []string, e env) error {
	fs := newFlags("check", "check [NAME] [--ca-file F]", e)
	caFile := caFileFlag(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return fs.bad("cli.use.checkArgs")
	}
	*caFile = e.abs(*caFile)
	if err := checkCAFile(*caFile, e); err != nil {
		return err
	}
	name := ""
	if len(pos) == 1 {
		name = pos[0]
	}
	st, a, err := openAccount(db, name, e)
	if err != nil {
		return err
	}
	// A rotated refresh token is sealed at once, with the database opened
	// again for that moment.
	seal := func(out bool, rt string) error {
		st, err := openExisting(db, e)
		if err != nil {
			return err
		}
		defer st.Close()
		return st.SetRefreshToken(a.ID, out, rt)
	}
	a, ts, err := withToken(a, st, seal, e)
	// The servers are not touched while the database is held: close it first
	// so a TUI or cron fetch is not locked out for the length of the check.
	st.Close()
	if err != nil {
		return err
	}
	if *caFile != "" {
		a.CAFile = *caFile
	}
	tlsConf, err := mail.TLSConfig(a)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var failed []string
	_, err = retryRefused(ctx, ts, a, func() (mail.ServerHints, error) { return mail.CheckPOP3(ctx, a, tlsConf) })
	if errors.Is(err, oauth.ErrSignInAgain) {
		return err
	}
	if err != nil {
		fmt.Fprintf(e.stdout, "incoming %s (%s): FAILED: %s\n", a.Incoming.Address(), a.Incoming.Security, sentenceFor(e.lang, err, a))
		printCertDetails(e.stdout, e, err, "    ")
		failed = append(failed, e.lang.Tr("cli.incoming"))
	} else {
		fmt.Fprintf(e.stdout, "incoming %s (%s): ok, logged in as %s\n", a.Incoming.Address(), a.Incoming.Security, a.Incoming.User)
	}
	smtp := a.SMTP()
	var perr error
	if smtp.Auth == mail.AuthOAuth2 {
		// CheckSMTP asks the token source itself.
		_, perr = retryRefused(ctx, signin.TokenOf(smtp), a, func() (struct{}, error) { return struct{}{}, mail.CheckSMTP(ctx, smtp, "", tlsConf) })
	} else {
		var pw string
		if pw, perr = smtp.ResolvePassword(ctx); perr == nil {
			perr = mail.CheckSMTP(ctx, smtp, pw, tlsConf)
		}
	}
	if perr != nil {
		fmt.Fprintf(e.stdout, "outgoing %s (%s): FAILED: %s\n", smtp.Address(), smtp.Security, sentenceForSMTP(e.lang, perr, a))
		printCertDetails(e.stdout, e, perr, "    ")
		failed = append(failed, e.lang.Tr("cli.outgoing"))
	} else {
		fmt.Fprintf(e.stdout, "outgoing %s (%s): ok, logged in as %s\n", smtp.Address(), smtp.Security, smtp.User)
	}
	if len(failed) > 0 {
		return errors.New(e.lang.Tr("cli.checkFailed", strings.Join(failed, " / "), a.Name))
	}
	return nil
}

// listJSON is the stable shape of `list --json`.
type listJSON struct {
	ID          string       `json:"id"`
	UID         string       `json:"uid"`
	From        mail.Address `json:"from"`
	Subject     string       `json:"subject"`
	Date        *string      `json:"date"`
	Size        int64        `json:"size"`
	Seen        bool         `json:"seen"`
	Attachments bool         `json:"attachments"`
}

func cmdList(db string, args []string, e env) error {
	fs := newFlags("list", "list [--account NAME] [--json]", e)
	name := fs.String("account", "", "the account, by `NAME` (default: the active one)")
	asJSON := fs.Bool("json", false, "print a JSON array, newest first")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	st, a, err := openAccount(db, *name, e)
	if err != nil {
		return err
	}
	defer st.Close()
	const page = 5000
	out := make([]listJSON, 0)
	var tw *tableWriter
	if !*asJSON {
		tw = newTableWriter(e.stdout)
	}
	for off := 0; ; off += page {
		msgs, err := st.Page(a.ID, off, page)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if tw != nil {
				tw.row(m)
				continue
			}
			var date *string
			if !m.Summary.DateMissing && !m.Summary.Date.IsZero() {
				d := m.Summary.Date.Format(time.RFC3339)
				date = &d
			}
			out = append(out, listJSON{ID: m.ID, UID: m.UID, From: m.Summary.From, Subject: m.Summary.Subject,
				Date: date, Size: m.Summary.Size, Seen: m.Seen, Attachments: m.Summary.Attachments})
		}
		if len(msgs) < page {
			break
		}
	}
	if tw != nil {
		return tw.flush()
	}
	return writeJSON(e.stdout, out)
}

// loadMessage reads one message's record and exact bytes; the store is
// closed again before the (possibly slow) decoding or writing.
func loadMessage(db, id string, e env) (store.Message, []byte, error) {
	st, err := openExisting(db, e)
	if err != nil {
		return store.Message{}, nil, noData(err, &store.NotFoundError{Kind: store.ErrNoMessage, ID: id})
	}
	defer st.Close()
	m, err := st.Message(id)
	if err != nil {
		return m, nil, err
	}
	b, err := st.Raw(m.ID)
	return m, b, err
}

func cmdShow(db string, args []string, e env) error {
	fs := newFlags("show", "show ID [--raw]", e)
	raw := fs.Bool("raw", false, "print the stored bytes unchanged")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fs.bad("cli.use.showArgs")
	}
	m, b, err := loadMessage(db, pos[0], e)
	if err != nil {
		return err
	}
	if *raw {
		_, err := e.stdout.Write(b)
		return err
	}
	msg := mail.Parse(b, m.Received)
	var sb strings.Builder
	for _, h := range msg.Headers {
		fmt.Fprintf(&sb, "%s: %s\n", h.Name, h.Value)
	}
	for _, n := range msg.Notes {
		fmt.Fprintf(&sb, "Note: %s\n", n)
	}
	sb.WriteString("\n")
	sb.WriteString(msg.Body)
	if !strings.HasSuffix(msg.Body, "\n") {
		sb.WriteString("\n")
	}
	if len(msg.Attachments) > 0 {
		sb.WriteString("\nAttachments (save one with popbox save " + m.ID + " N --to DIR):\n")
		for _, at := range msg.Attachments {
			name := at.Filename
			if name == "" {
				name = "(no name)"
			}
			fmt.Fprintf(&sb, "  %d. %s  %s  %s\n", at.Index, name, at.Type, mail.FormatSize(at.Size))
		}
	}
	_, err = fmt.Fprint(e.stdout, sb.String())
	return err
}

func cmdSave(db string, args []string, e env) error {
	fs := newFlags("save", "save ID N --to DIR [--force]", e)
	to := fs.String("to", ".", "the folder (`DIR`) to save into")
	force := fs.Bool("force", false, "overwrite a file of the same name")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return fs.bad("cli.use.saveArgs")
	}
	n, err := strconv.Atoi(pos[1])
	if err != nil || n < 1 {
		return fs.bad("cli.use.attachmentNumber", pos[1])
	}
	m, b, err := loadMessage(db, pos[0], e)
	if err != nil {
		return err
	}
	at, data, err := mail.AttachmentData(b, n)
	if errors.Is(err, mail.ErrNoAttachment) {
		return errors.New(noAttachment(e, m.ID, n, len(mail.Parse(b, m.Received).Attachments)))
	} else if err != nil {
		return err
	}
	mode := mail.SaveNew
	if *force {
		mode = mail.SaveOverwrite
	}
	path, err := mail.SaveAttachment(e.abs(*to), at.Filename, n, data, mode)
	path = e.rel(*to, path)
	switch {
	case errors.Is(err, mail.ErrNoFolder):
		return errors.New(e.lang.Tr("cli.noFolder", *to))
	case errors.Is(err, os.ErrExist):
		return errors.New(e.lang.Tr("cli.fileExists", path))
	case err != nil:
		return err
	}
	fmt.Fprintf(e.stdout, "Saved %s (%s).\n", path, mail.FormatSize(int64(len(data))))
	return nil
}

// caFileFlag adds --ca-file to fetch or check: a CA file trusted for this
// run instead of the account's own (which stays as it is).
func caFileFlag(fs *flags) *string {
	return fs.String("ca-file", "", "`FILE` of CA certificates (PEM) to trust for this run, instead of the account's own CA file")
}

// checkCAFile says, before any server is asked, when the CA file given
// with --ca-file cannot be read or holds no certificate.
func checkCAFile(path string, e env) error {
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return errors.New(e.lang.Tr("cli.caFileUnreadable", path, err))
	}
	if !x509.NewCertPool().AppendCertsFromPEM(b) {
		return errors.New(e.lang.Tr("cli.caFileEmpty", path))
	}
	return nil
}

// noAttachment says that message id has no attachment n, and which it has.
func noAttachment(e env, id string, n, have int) string {
	switch have {
	case 0:
		return e.lang.Tr("cli.noAttachments", id)
	case 1:
		return e.lang.Tr("cli.noAttachmentOne", id, n)
	}
	return e.lang.Tr("cli.noAttachment", id, n, have)
}
