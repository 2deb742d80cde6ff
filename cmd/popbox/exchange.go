package main

// popbox export and popbox import: an account's messages to and from an
// mbox file (mboxrd, see mail/mbox.go) or a Maildir folder.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/emersion/go-maildir"

	"popbox/mail"
	"popbox/store"
	"popbox/tui/i18n"
)

// exchangeFlags are the flags export and import share.
type exchangeFlags struct {
	mbox, maildir, account *string
}

func newExchangeFlags(fs *flags, verb string) exchangeFlags {
	return exchangeFlags{
		mbox:    fs.String("mbox", "", "the mbox `FILE` to "+verb),
		maildir: fs.String("maildir", "", "the Maildir folder (`DIR`) to "+verb),
		account: fs.String("account", "", "the account, by `NAME` (default: the active one)"),
	}
}

// parse parses the flags and checks that exactly one of --mbox and
// --maildir is given.
func (x exchangeFlags) parse(fs *flags, args []string) error {
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fs.bad("cli.use.exchangeNoArgs", fs.Name(), pos[0])
	}
	if (*x.mbox == "") == (*x.maildir == "") {
		return fs.bad("cli.use.exchangeWhere", fs.Name())
	}
	return nil
}

// counter draws "Work: exporting [####....] 12/40 messages" on a
// terminal's stderr, at most every 80 ms.
type counter struct {
	mu      sync.Mutex
	line    *progressLine
	verb    string
	total   int64 // messages, or bytes when byBytes
	byBytes bool
	last    time.Time
}

func newCounter(e env, account, verb string, total int64, byBytes bool) *counter {
	if !e.stderrTTY {
		return nil
	}
	return &counter{line: &progressLine{w: e.stderr, account: account}, verb: verb, total: total, byBytes: byBytes}
}

// show draws the line for n messages done, done bytes of the source.
func (c *counter) show(n int, done int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if now.Sub(c.last) < 80*time.Millisecond {
		return
	}
	c.last = now
	at := int64(n)
	if c.byBytes {
		at = done
	}
	s := fmt.Sprintf("%s: %s", c.line.account, c.verb)
	if c.total > 0 {
		const width = 24
		fill := int(min(width*at/c.total, width))
		s += fmt.Sprintf(" [%s%s]", strings.Repeat("#", fill), strings.Repeat(".", width-fill))
	}
	if c.byBytes {
		s += fmt.Sprintf(" %s/%s, %d messages", mail.FormatSize(done), mail.FormatSize(c.total), n)
	} else {
		s += fmt.Sprintf(" %d/%d messages", n, c.total)
	}
	fmt.Fprintf(c.line.w, "\x1b[2K\r%s", s)
}

func (c *counter) clear() {
	if c != nil {
		c.line.clear()
	}
}

// messages is "1 message" or "N messages".
func messages(n int) string {
	if n == 1 {
		return "1 message"
	}
	return fmt.Sprintf("%d messages", n)
}

func cmdExport(db string, args []string, e env) error {
	fs := newFlags("export", "export --mbox FILE | --maildir DIR [--account NAME] [--since YYYY-MM-DD]", e)
	x := newExchangeFlags(fs, "write")
	sinceFlag := fs.String("since", "", "only messages dated on or after this day (`YYYY-MM-DD`, local time)")
	if err := x.parse(fs, args); err != nil {
		return err
	}
	var since time.Time
	if *sinceFlag != "" {
		t, err := time.ParseInLocation("2006-01-02", *sinceFlag, time.Local)
		if err != nil {
			return fs.bad("cli.use.since", *sinceFlag)
		}
		since = t
	}
	st, a, err := openAccount(db, *x.account, e)
	if err != nil {
		return err
	}
	defer st.Close()
	total, err := st.CountSince(a.ID, since)
	if err != nil {
		return err
	}

	target := *x.mbox
	var (
		put    func(m store.Message, raw []byte) error
		finish func() error
	)
	if target != "" {
		// 0600: the file holds mail. O_EXCL: an export never overwrites
		// or appends to a file, not even one a crash left half written.
		f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			return errors.New(e.lang.Tr("cli.exportExists", target))
		} else if err != nil {
			return errors.New(e.lang.Tr("cli.exportCreate", target, pathErr(err)))
		}
		defer f.Close()
		w := mail.NewMboxWriter(f)
		put = func(m store.Message, raw []byte) error {
			date := m.Summary.Date
			if date.IsZero() {
				date = m.Received
			}
			return w.Write(raw, mail.EnvelopeSender(raw, m.Summary.From.Address), date)
		}
		finish = func() error {
			if err := w.Flush(); err != nil {
				return err
			}
			if err := f.Sync(); err != nil {
				return err
			}
			return f.Close()
		}
	} else {
		target = *x.maildir
		dir := maildir.Dir(target)
		if err := dir.Init(); err != nil {
			return errors.New(e.lang.Tr("cli.exportCreate", target, pathErr(err)))
		}
		put = func(m store.Message, raw []byte) error {
			var flags []maildir.Flag
			if m.Seen {
				flags = append(flags, maildir.FlagSeen)
			}
			_, w, err := dir.Create(flags)
			if err != nil {
				return err
			}
			if _, err := w.Write(raw); err != nil {
				w.Close()
				return err
			}
			return w.Close()
		}
		finish = func() error { return nil }
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	pr := newCounter(e, a.Name, "exporting", int64(total), false)
	exported, damaged := 0, 0
	var pos store.Position
	for {
		page, next, err := st.Since(a.ID, since, pos, 256)
		if err != nil {
			pr.clear()
			return err
		}
		for _, m := range page {
			if ctx.Err() != nil {
				pr.clear()
				return errors.New(e.lang.Tr("cli.exportInterrupted", exported, target))
			}
			raw, err := st.Raw(m.ID)
			var de *store.DamagedError
			if errors.As(err, &de) {
				pr.clear()
				fmt.Fprintln(e.stderr, "popbox: "+e.lang.Tr("cli.warning")+" "+sentence(e.lang, err)+" ("+e.lang.Tr("cli.exportSkipped")+")")
				damaged++
				continue
			} else if err != nil {
				pr.clear()
				return err
			}
			if err := put(m, raw); err != nil {
				pr.clear()
				return errors.New(e.lang.Tr("cli.exportWrite", target, pathErr(err), exported))
			}
			exported++
			pr.show(exported+damaged, 0)
		}
		if len(page) < 256 {
			break
		}
		pos = next
	}
	pr.clear()
	if err := finish(); err != nil {
		return errors.New(e.lang.Tr("cli.exportWrite", target, pathErr(err), exported))
	}
	fmt.Fprintf(e.stdout, "Exported %s to %s.\n", messages(exported), target)
	if damaged > 0 {
		return errors.New(e.lang.Tr("cli.exportDamaged", damaged, target, i18n.Shell(st.Path())))
	}
	return nil
}

// pathErr is the reason of a file error without the path, which the
// sentence names already.
func pathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// source is where an import reads messages from.
type source interface {
	// next returns the next message and whether it was seen; io.EOF
	// after the last. A message left out (too large, unreadable) comes
	// with a warning and no bytes.
	next() (raw []byte, seen bool, warning string, err error)
	// done is how far the source has been read, of total.
	done() int64
	total() (n int64, byBytes bool)
}

func cmdImport(db string, args []string, e env) error {
	fs := newFlags("import", "import --mbox FILE | --maildir DIR [--account NAME]", e)
	x := newExchangeFlags(fs, "read")
	if err := x.parse(fs, args); err != nil {
		return err
	}
	st, a, err := openAccount(db, *x.account, e)
	if err != nil {
		return err
	}
	defer st.Close()
	limit := a.MessageSizeLimit()
	var src source
	if *x.mbox != "" {
		src, err = openMboxSource(*x.mbox, limit, a.Name, e)
	} else {
		src, err = openMaildirSource(*x.maildir, limit, a.Name, e)
	}
	if err != nil {
		return err
	}
	if c, ok := src.(io.Closer); ok {
		defer c.Close()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	total, byBytes := src.total()
	pr := newCounter(e, a.Name, "importing", total, byBytes)
	killAfter := testKillAfter(e)

	const maxBatch, maxBytes = 256, 32 << 20
	var (
		batch            []mail.NewMessage
		seen             []bool
		size             int
		stored, already  int
		read, leftOut, n int
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		s, al, err := st.Import(a.ID, batch, seen)
		if err != nil {
			return err
		}
		stored += s
		already += al
		batch, seen, size = batch[:0], seen[:0], 0
		n++
		if killAfter > 0 && n == killAfter {
			// The test hook of a killed import (see testKillAfter).
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
		return nil
	}
	now := time.Now()
	for {
		if ctx.Err() != nil {
			pr.clear()
			return errors.New(e.lang.Tr("cli.importInterrupted", stored))
		}
		raw, isSeen, warning, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			pr.clear()
			if ferr := flush(); ferr != nil {
				return ferr
			}
			return err
		}
		read++
		if warning != "" {
			pr.clear()
			fmt.Fprintln(e.stderr, "popbox: "+e.lang.Tr("cli.warning")+" "+warning)
			leftOut++
			continue
		}
		batch = append(batch, mail.NewMessage{Raw: raw, Summary: mail.Summarize(raw, now), FirstSeen: now})
		seen = append(seen, isSeen)
		size += len(raw)
		if len(batch) >= maxBatch || size >= maxBytes {
			if err := flush(); err != nil {
				pr.clear()
				return err
			}
		}
		pr.show(read, src.done())
	}
	if err := flush(); err != nil {
		pr.clear()
		return err
	}
	pr.clear()
	fmt.Fprintf(e.stdout, "Imported %s (%d already there).\n", messages(stored), already)
	if leftOut > 0 {
		return errors.New(e.lang.Tr("cli.importLeftOut", leftOut, i18n.Shell(a.Name)))
	}
	return nil
}

// testKillAfter is the test hook of a killed import:
// POPBOX_TEST_IMPORT_KILL_AFTER=N makes the import kill itself (SIGKILL)
// right after its Nth batch is committed, so that a test knows the kill
// fell midway. Nothing else reads it.
func testKillAfter(e env) int {
	var n int
	fmt.Sscan(e.getenv("POPBOX_TEST_IMPORT_KILL_AFTER"), &n)
	return n
}
