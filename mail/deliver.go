package mail

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-maildir"
)

// Delivery: after the fetch has stored a message, popbox can hand it on
// to a Maildir or to a mail delivery agent (procmail, maildrop,
// dovecot-lda). The store keeps a mark on each message waiting for
// delivery, written with the message in one transaction and cleared only
// once the delivery succeeded (the file fsynced and renamed into new/, or
// the MDA's exit status 0); while the mark is there, the retention policy
// does not delete the server copy (see deleteNow).

// DeliverKind says where messages are delivered.
type DeliverKind int

// The delivery targets.
const (
	DeliverNone DeliverKind = iota
	DeliverMaildir
	DeliverMDA
)

// DeliveryTarget is Account.Deliver read: a Maildir folder, or a command
// run with sh -c that reads the message on its standard input.
type DeliveryTarget struct {
	Kind    DeliverKind
	Path    string // DeliverMaildir
	Command string // DeliverMDA
}

// String is the target as Account.Deliver holds it.
func (t DeliveryTarget) String() string {
	switch t.Kind {
	case DeliverMaildir:
		return "maildir:" + t.Path
	case DeliverMDA:
		return "mda:" + t.Command
	}
	return ""
}

// ParseDeliver reads a delivery setting: "maildir:DIR" (an absolute path,
// or one starting with ~/), "mda:COMMAND", or "" and "none" for no
// delivery. The error is a FieldError of FieldDeliver.
func ParseDeliver(s string) (DeliveryTarget, *FieldError) {
	bad := func(msg string) (DeliveryTarget, *FieldError) {
		return DeliveryTarget{}, &FieldError{Field: FieldDeliver, Code: CodeBadDeliver, Message: msg}
	}
	switch {
	case s == "" || s == "none":
		return DeliveryTarget{}, nil
	case hasControl(s):
		return bad("The delivery target must not contain line breaks or control characters.")
	case strings.HasPrefix(s, "maildir:"):
		p := strings.TrimPrefix(s, "maildir:")
		if !filepath.IsAbs(p) && !strings.HasPrefix(p, "~/") {
			return bad(fmt.Sprintf("A Maildir must be given by its full path, as in maildir:/home/taro/Maildir; %q is not one.", p))
		}
		return DeliveryTarget{Kind: DeliverMaildir, Path: p}, nil
	case strings.HasPrefix(s, "mda:"):
		c := strings.TrimPrefix(s, "mda:")
		if strings.TrimSpace(c) == "" {
			return bad("Give the delivery command after mda:, as in mda:procmail.")
		}
		return DeliveryTarget{Kind: DeliverMDA, Command: c}, nil
	}
	return bad("Give the delivery target as maildir:DIR or mda:COMMAND, or none.")
}

// DeliveryTarget is where the account delivers what it fetches; Kind is
// DeliverNone when it delivers nowhere (or its setting does not read).
func (a Account) DeliveryTarget() DeliveryTarget {
	t, _ := ParseDeliver(a.Deliver)
	return t
}

// PendingDelivery is one stored message waiting for delivery.
type PendingDelivery struct {
	ID        string // the local message ID
	UID       string // the server UID it was fetched under
	FirstSeen time.Time
}

// DeliveryQueue is what delivery needs of the store, besides Cache:
// package store implements it.
type DeliveryQueue interface {
	// PendingDeliveries lists up to n of the account's messages waiting for
	// delivery, oldest first, starting after the message ID after ("":
	// from the first).
	PendingDeliveries(accountID, after string, n int) ([]PendingDelivery, error)
	// Raw is the exact bytes of a stored message, checked against their
	// SHA-256; a message that is no longer stored is a NotFound error
	// (IsGone says so).
	Raw(id string) ([]byte, error)
	// Delivered clears the marks of delivered messages in one transaction.
	Delivered(accountID string, ids []string) error
	// PendingDeliveryCount counts the account's messages waiting.
	PendingDeliveryCount(accountID string) (int, error)
}

// DeliveryError is why a message could not be delivered: the target, what
// failed, and, for an MDA, its exit status and the start of what it wrote
// on its standard error.
type DeliveryError struct {
	Target DeliveryTarget
	ID     string // the message
	// Op is what failed: "create" (the Maildir's folders), "write", "run"
	// (the MDA could not start), "exit" (the MDA failed), "timeout",
	// "read" (the stored message).
	Op     string
	Status int    // Op "exit": the MDA's exit status
	Stderr string // Op "exit", "timeout": the MDA's words, made safe and short
	Err    error
}

// Error says what failed, in English.
func (e *DeliveryError) Error() string {
	switch e.Op {
	case "exit":
		s := fmt.Sprintf("the delivery command %q exited with status %d", e.Target.Command, e.Status)
		if e.Stderr != "" {
			s += ": " + e.Stderr
		}
		return s
	case "timeout":
		return fmt.Sprintf("the delivery command %q did not finish in time", e.Target.Command)
	case "run":
		return fmt.Sprintf("the delivery command %q could not run: %v", e.Target.Command, e.Err)
	case "read":
		return fmt.Sprintf("message %s could not be read for delivery: %v", e.ID, e.Err)
	}
	return fmt.Sprintf("the Maildir %s: %v", e.Target.Path, e.Err)
}

func (e *DeliveryError) Unwrap() error { return e.Err }

// DeliverOptions tune Deliver; the zero value gives the defaults.
type DeliverOptions struct {
	// Timeout bounds one run of an MDA (default 5 minutes).
	Timeout time.Duration
	// Env is added to an MDA's environment (tests).
	Env []string
}

// DeliverResult says what delivery did.
type DeliverResult struct {
	Delivered int // delivered, and their marks cleared
	Gone      int // deleted in popbox before delivery: their marks cleared
	Waiting   int // still waiting for delivery
	// Err is the last reason a delivery failed, when one did.
	Err error
}

// Warning is the warning for a delivery that left messages waiting; ok
// false when nothing waits for a reason worth telling.
func (r DeliverResult) Warning() (Warning, bool) {
	if r.Waiting == 0 || r.Err == nil {
		return Warning{}, false
	}
	w := Warning{Kind: WarnDeliveryWaiting, N: r.Waiting, Text: SafeLine(r.Err.Error())}
	var de *DeliveryError
	if errors.As(r.Err, &de) {
		w.Delivery = de
	}
	return w, true
}

// IsGone reports whether err says a message is no longer stored; the store
// sets it by implementing interface{ Gone() bool } on its error.
func IsGone(err error) bool {
	var g interface{ Gone() bool }
	return errors.As(err, &g) && g.Gone()
}

// Deliver delivers what the account has waiting, oldest first, without
// logging in anywhere: popbox fetch --deliver-only. It stops after three
// failures in a row (the target itself is broken: the rest would fail
// alike) and leaves the rest waiting.
func Deliver(ctx context.Context, acct Account, q DeliveryQueue, opts DeliverOptions) (DeliverResult, error) {
	t := acct.DeliveryTarget()
	if t.Kind == DeliverNone {
		return DeliverResult{}, fmt.Errorf("%w: account %s", ErrNoDelivery, acct.Name)
	}
	d := newDelivery(acct, t, q, opts)
	err := d.pass(ctx)
	res := d.res
	n, cerr := q.PendingDeliveryCount(acct.ID)
	if err == nil {
		err = cerr
	}
	res.Waiting = n
	return res, err
}

// ErrNoDelivery: the account delivers nowhere.
var ErrNoDelivery = errors.New("no delivery target")

// delivery delivers one account's waiting messages. It remembers what
// failed, so that one Sync tries each message once.
type delivery struct {
	acct   Account
	target DeliveryTarget
	q      DeliveryQueue
	opts   DeliverOptions
	host   string

	res    DeliverResult
	failed map[string]bool
	broken bool // three failures in a row: no more tries in this run
	// cleaned: the Maildir's tmp/ was cleaned in this run.
	cleaned bool
}

func newDelivery(acct Account, t DeliveryTarget, q DeliveryQueue, opts DeliverOptions) *delivery {
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Minute
	}
	host, _ := os.Hostname()
	host = strings.NewReplacer("/", `\057`, ":", `\072`, ".", "_").Replace(host)
	if host == "" {
		host = "localhost"
	}
	return &delivery{acct: acct, target: t, q: q, opts: opts, host: host, failed: map[string]bool{}}
}

// markBatch is how many Maildir deliveries share one clearing of marks: a
// repeat after a crash rewrites the same file name, so it costs nothing
// but time. An MDA's marks are cleared one by one, to keep the window for
// a repeat as narrow as it can be.
const markBatch = 64

// pass delivers every message waiting, but those that failed before in
// this run. A cancelled ctx stops it between messages: the one being
// delivered is finished (an MDA is not killed halfway by a cancel).
func (d *delivery) pass(ctx context.Context) error {
	var marks []string
	flush := func() error {
		if len(marks) == 0 {
			return nil
		}
		err := d.q.Delivered(d.acct.ID, marks)
		marks = marks[:0]
		return err
	}
	after, inRow := "", 0
	for !d.broken {
		list, err := d.q.PendingDeliveries(d.acct.ID, after, 256)
		if err != nil {
			return errors.Join(err, flush())
		}
		if len(list) == 0 {
			break
		}
		for _, p := range list {
			after = p.ID
			if d.failed[p.ID] {
				continue
			}
			if ctx.Err() != nil {
				return flush()
			}
			err := d.one(ctx, p)
			switch {
			case err == nil:
				d.res.Delivered++
			case IsGone(err):
				d.res.Gone++
			default:
				d.failed[p.ID] = true
				d.res.Err = err
				if inRow++; inRow >= 3 {
					d.broken = true
				}
				if d.broken {
					return flush()
				}
				continue
			}
			inRow = 0
			marks = append(marks, p.ID)
			if d.target.Kind == DeliverMDA || len(marks) >= markBatch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// one delivers one message.
func (d *delivery) one(ctx context.Context, p PendingDelivery) error {
	raw, err := d.q.Raw(p.ID)
	if err != nil {
		if IsGone(err) {
			return err
		}
		return &DeliveryError{Target: d.target, ID: p.ID, Op: "read", Err: err}
	}
	if d.target.Kind == DeliverMaildir {
		return d.maildir(p, raw)
	}
	return d.mda(ctx, p, raw)
}

// maildirPath is the Maildir's folder with ~/ expanded.
func (d *delivery) maildirPath() (string, error) {
	p := d.target.Path
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		p = filepath.Join(home, rest)
	}
	return p, nil
}

// maildirName is the stable file name a message gets in a Maildir: the
// time popbox first saw it, its local ID and the start of the SHA-256 of
// its bytes, and the host (maildir(5): time.unique.host). A delivery
// repeated after a crash (renamed into new/, killed before the mark was
// cleared) writes the same name again, replacing the file rather than
// adding a second copy.
func maildirName(p PendingDelivery, raw []byte, host string) string {
	sum := sha256.Sum256(raw)
	return fmt.Sprintf("%d.M%sS%s.%s", p.FirstSeen.Unix(), p.ID, hex.EncodeToString(sum[:8]), host)
}

// maildir writes the message into tmp/, fsyncs it, renames it into new/
// and fsyncs new/: only then is it delivered. A file of that name already
// moved to cur/ by a mail reader (a repeat after a crash) counts as
// delivered.
func (d *delivery) maildir(p PendingDelivery, raw []byte) error {
	fail := func(op string, err error) error {
		return &DeliveryError{Target: d.target, ID: p.ID, Op: op, Err: err}
	}
	dir, err := d.maildirPath()
	if err != nil {
		return fail("create", err)
	}
	if err := maildir.Dir(dir).Init(); err != nil {
		return fail("create", err)
	}
	if !d.cleaned {
		// What a killed delivery left in tmp/ goes after 36 hours, as
		// maildir(5) asks of every writer.
		d.cleaned = true
		_ = maildir.Dir(dir).Clean()
	}
	name := maildirName(p, raw, d.host)
	for _, flags := range []string{"", "S", "RS", "FS", "PS", "FRS"} {
		if _, err := os.Lstat(filepath.Join(dir, "cur", name+":2,"+flags)); err == nil {
			return nil
		}
	}
	tmp := filepath.Join(dir, "tmp", name)
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fail("write", err)
	}
	_, err = f.Write(raw)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, "new", name))
	}
	if err == nil {
		err = syncDir(filepath.Join(dir, "new"))
	}
	if err != nil {
		os.Remove(tmp)
		return fail("write", err)
	}
	return nil
}

// syncDir makes a rename into dir durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// maxStderr is how much of an MDA's standard error a reason quotes.
const maxStderr = 300

// mda runs the command with sh -c, the message on its standard input and
// the account in its environment; nothing from the message is put on its
// command line. Exit status 0 is a delivery.
func (d *delivery) mda(ctx context.Context, p PendingDelivery, raw []byte) error {
	// A cancel (esc in the screen, ctrl+c) stops after this message: the
	// MDA is not killed halfway; its own timeout still holds.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.opts.Timeout)
	defer cancel()
	cmd := exec.CommandContext(cctx, "sh", "-c", d.target.Command)
	cmd.Stdin = bytes.NewReader(raw)
	var stderr limitedBuffer
	cmd.Stderr = &stderr
	cmd.Env = append(append(os.Environ(),
		"POPBOX_ACCOUNT="+d.acct.Name,
		"POPBOX_ACCOUNT_ID="+d.acct.ID,
		"POPBOX_EMAIL="+d.acct.Email,
		"POPBOX_MESSAGE_ID="+p.ID,
		"POPBOX_UID="+p.UID,
		"POPBOX_SIZE="+strconv.Itoa(len(raw)),
	), d.opts.Env...)
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if err == nil {
		return nil
	}
	words := SafeLine(strings.TrimSpace(stderr.String()))
	if cctx.Err() != nil {
		return &DeliveryError{Target: d.target, ID: p.ID, Op: "timeout", Stderr: words, Err: cctx.Err()}
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return &DeliveryError{Target: d.target, ID: p.ID, Op: "exit", Status: ee.ExitCode(), Stderr: words, Err: err}
	}
	return &DeliveryError{Target: d.target, ID: p.ID, Op: "run", Err: err}
}

// limitedBuffer keeps the first maxStderr bytes written to it.
type limitedBuffer struct{ b []byte }

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := maxStderr - len(l.b); room > 0 {
		l.b = append(l.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string { return string(l.b) }
