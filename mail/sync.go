package mail

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync/atomic"
	"time"
)

// Phase is what a fetch is doing at the moment.
type Phase int

// The phases of a fetch, in order; PhaseDone is reported once at the end.
const (
	PhaseConnect Phase = iota
	PhaseLogin
	PhasePlan
	PhaseRetrieve
	PhaseDelete
	PhaseDone
)

// String gives the phase as a status line shows it.
func (p Phase) String() string {
	switch p {
	case PhaseConnect:
		return "connecting"
	case PhaseLogin:
		return "logging in"
	case PhasePlan:
		return "planning"
	case PhaseRetrieve:
		return "retrieving"
	case PhaseDelete:
		return "deleting"
	case PhaseDone:
		return "done"
	}
	return "phase(" + strconv.Itoa(int(p)) + ")"
}

// Progress is one report of a running fetch. Counts are for the whole
// Sync (every session so far); MessagesTotal and BytesTotal grow when a
// further session finds more mail.
type Progress struct {
	Phase                   Phase
	Messages, MessagesTotal int   // handled (retrieved or failed) / to retrieve
	Bytes, BytesTotal       int64 // received / announced by LIST
	Committed               int   // stored in the cache
	Session                 int   // 1 for the first POP3 session
}

// SyncOptions tune Sync; the zero value gives the defaults.
type SyncOptions struct {
	// DryRun connects, logs in and plans, then says QUIT: nothing is
	// retrieved, deleted or written to the cache.
	DryRun bool
	// Now is the clock (default time.Now): first-seen times and days:N.
	Now func() time.Time
	// TLSConfig defaults to TLSConfig(acct).
	TLSConfig *tls.Config
	// IdleTimeout bounds every read and write that makes no progress
	// (default 30 s); a message also has an overall bound scaled by size.
	IdleTimeout time.Duration
	// A batch is committed when it holds BatchMessages messages (default
	// 500) or BatchBytes bytes (default 4 MiB: a bounded peak RSS costs a few more fsyncs), or when a message arrives
	// BatchInterval (default 1 s) after the batch was started.
	BatchMessages int
	BatchBytes    int64
	BatchInterval time.Duration
	// MaxSessions bounds the sessions of one Sync (default 20): servers
	// like Gmail offer a few hundred messages per session.
	MaxSessions int
	// IgnoreLoginDelay logs in even when the server's LOGIN-DELAY has not
	// passed since the last login.
	IgnoreLoginDelay bool
}

// SyncResult says what a Sync did (or, with DryRun, would do).
type SyncResult struct {
	// New: messages stored. Duplicates: messages retrieved under a new UID
	// whose bytes were already stored (server migration); only their UID
	// was recorded. Deleted: server copies deleted (DELE, then QUIT +OK).
	// Skipped: listed but not fetched, already known. Failed: listed and
	// new but not retrieved (RETR -ERR, far larger than announced).
	New, Duplicates, Deleted, Skipped, Failed int
	// PlannedFetch and PlannedDelete are the UIDs the plans chose, over
	// every session ("#N", the message number, for a server without UIDL).
	PlannedFetch, PlannedDelete []string
	// Warnings are sentences for the user: messages that failed, odd
	// listing lines, a server that deletes mail on its own (EXPIRE).
	Warnings []string
	// Hints is what the server said about itself, as saved to the cache.
	Hints ServerHints
	// Sessions is how many POP3 sessions were opened.
	Sessions int
}

const (
	maxItemWarnings = 20 // per-message warnings; more are summed up
	// portionMin is the smallest listing taken as a portion of a larger
	// mailbox (Gmail hands out a few hundred messages per session): a
	// smaller one, even all new, is the whole mailbox, and a second
	// session would only cost a login.
	portionMin = 100
)

// Sync fetches the account's new mail into cache and applies the retention
// policy on the server:
//
//  1. connect (acct.Incoming.Security), log in, read UIDL and LIST;
//  2. Plan: retrieve only UIDs the cache does not know;
//  3. retrieve them (pipelined when the server offers PIPELINING) and
//     commit them in batches, each message with its UID record in one
//     Cache.Commit;
//  4. send DELE only for UIDs whose batch has committed, then QUIT, which
//     is what makes the server delete; then ForgetUIDs for the tombstones
//     the server deleted.
//
// When a session brought new mail and listed at least 100 messages, all of
// them new (the server hands out mail in portions, as Gmail does), another
// session follows, up to MaxSessions, until one brings nothing new. A
// server with LOGIN-DELAY is not asked again (unless IgnoreLoginDelay).
//
// When the context is cancelled or the connection breaks, the messages
// already retrieved in full are still committed (they are complete and
// exact), nothing is deleted (no QUIT is sent, so the server applies no
// DELE), and the error is returned with the counts so far. A message the
// server refuses or that cannot be read is counted in Failed with a warning;
// the fetch goes on. report, when not nil, is called on the caller's
// goroutine after each message and phase change; it should be quick.
func Sync(ctx context.Context, acct Account, cache Cache, opts SyncOptions, report func(Progress)) (SyncResult, error) {
	y := &syncer{ctx: ctx, acct: acct, cache: cache, opts: opts.withDefaults(), report: report}
	y.res.Hints = acct.Hints
	if y.report == nil {
		y.report = func(Progress) {}
	}
	err := y.run()
	if y.extraWarnings > 0 {
		y.res.Warnings = append(y.res.Warnings, fmt.Sprintf("%d more messages could not be retrieved.", y.extraWarnings))
	}
	y.prog.Phase = PhaseDone
	y.report(y.prog)
	return y.res, err
}

func (o SyncOptions) withDefaults() SyncOptions {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = defaultIdleTimeout
	}
	if o.BatchMessages <= 0 {
		o.BatchMessages = 500
	}
	if o.BatchBytes <= 0 {
		o.BatchBytes = 4 << 20
	}
	if o.BatchInterval <= 0 {
		o.BatchInterval = time.Second
	}
	if o.MaxSessions <= 0 {
		o.MaxSessions = 20
	}
	return o
}

// syncer is the state of one Sync.
type syncer struct {
	ctx     context.Context
	acct    Account
	cache   Cache
	opts    SyncOptions
	report  func(Progress)
	tlsConf *tls.Config
	pass    string
	seen    map[string]UIDRecord

	res           SyncResult
	prog          Progress
	extraWarnings int
	// counted holds the UIDs already counted as fetched or skipped by an
	// earlier session of this Sync, so a second listing is not counted again.
	counted map[string]bool
	// stored holds the content UIDs (of messages without a UID) committed
	// in this Sync, so that a later session does not store them again.
	stored map[string]bool
	// suspect holds the messages (uidOrNum) whose reply could not be a
	// faithful copy: no later session of this Sync asks for them again.
	suspect map[string]bool
}

func (y *syncer) run() error {
	now := y.opts.Now()
	if err := y.checkLoginDelay(now); err != nil {
		return err
	}
	y.tlsConf = y.opts.TLSConfig
	if y.tlsConf == nil && y.acct.Incoming.Security != SecurityNone {
		c, err := TLSConfig(y.acct)
		if err != nil {
			return err
		}
		y.tlsConf = c
	}
	pass, err := y.acct.Incoming.ResolvePassword(y.ctx)
	if err != nil {
		return err
	}
	y.pass = pass
	y.seen = make(map[string]UIDRecord)
	y.stored = make(map[string]bool)
	for n := 1; n <= y.opts.MaxSessions; n++ {
		more, err := y.session(n)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// checkLoginDelay refuses to log in before the server's LOGIN-DELAY
// (RFC 2449) has passed since the last login.
func (y *syncer) checkLoginDelay(now time.Time) error {
	h := y.acct.Hints
	if y.opts.IgnoreLoginDelay || h.LoginDelay <= 0 || h.LastLogin.IsZero() {
		return nil
	}
	next := h.LastLogin.Add(h.LoginDelay)
	if !now.Before(next) {
		return nil
	}
	return fmt.Errorf("%w: %s allows one login every %v and the last was at %s; fetch again after %s (in %v)",
		ErrLoginDelay, y.acct.Incoming.Host, h.LoginDelay, h.LastLogin.Local().Format("15:04:05"),
		next.Local().Format("15:04:05"), next.Sub(now).Round(time.Second))
}

func (y *syncer) phase(p Phase) {
	y.prog.Phase = p
	y.report(y.prog)
}

func (y *syncer) warn(w string) {
	y.res.Warnings = append(y.res.Warnings, w)
}

// warnItem adds a per-message warning, up to maxItemWarnings of them.
func (y *syncer) warnItem(w string) {
	if y.extraWarnings > 0 || len(y.res.Warnings) >= maxItemWarnings {
		y.extraWarnings++
		return
	}
	y.warn(w)
}

// session runs one POP3 session and says whether another should follow.
// Its steps: log in, plan from the listing, retrieve and commit, delete
// what is committed and due, and QUIT.
func (y *syncer) session(n int) (more bool, err error) {
	y.prog.Session = n
	y.phase(PhaseConnect)
	s, err := dialPOP3(y.ctx, y.acct.Incoming, y.acct.CAFile, y.tlsConf, y.opts.IdleTimeout)
	if err != nil {
		return false, err
	}
	defer s.close()
	y.res.Sessions = n
	y.phase(PhaseLogin)
	if err := s.login(y.acct.Incoming.User, y.pass); err != nil {
		if n > 1 && errors.Is(err, ErrLoginDelay) {
			y.warn(fmt.Sprintf("%s may hold more new mail, but it refused another login so soon; fetch again later.", y.acct.Incoming.Host))
			return false, nil
		}
		return false, err
	}
	y.res.Hints = s.caps.hints(y.res.Hints)
	defer func() {
		// The server counts LOGIN-DELAY from this login, whatever came after.
		y.res.Hints.LastLogin = y.opts.Now()
		if y.opts.DryRun {
			return
		}
		if herr := y.cache.SaveHints(y.acct.ID, y.res.Hints); herr != nil {
			y.warn(fmt.Sprintf("The server's hints could not be saved: %v.", herr))
		}
	}()
	y.expireWarning()

	y.phase(PhasePlan)
	msgs, plan, err := y.plan(s, n)
	if err != nil || y.opts.DryRun {
		if err == nil {
			err = s.quit()
		}
		return false, err
	}

	committed, err := y.retrieve(s, plan)
	if errors.Is(err, errOutOfStep) {
		// The reply at fault is left on the server and out of later plans;
		// the session ends without QUIT, so nothing it marked is deleted, and
		// a fresh session goes on with the rest.
		return true, nil
	}
	if err != nil {
		return false, err
	}
	deleted, err := y.deleteCommitted(s, plan, committed)
	if err != nil {
		return false, err
	}
	// Cancelled after DELE: no QUIT, so the server deletes nothing (they
	// were all committed, but a cancel means stop changing things).
	if err := y.ctx.Err(); err != nil {
		return false, err
	}
	if err := s.quit(); err != nil {
		return false, err
	}
	y.res.Deleted += len(deleted)
	if err := y.forgetTombstones(deleted); err != nil {
		return false, err
	}
	return y.nextSession(msgs, plan, committed), nil
}

// plan reads the listing and decides what this session retrieves and
// deletes. Messages the account's size limit excludes, and those whose
// reply an earlier session of this Sync could not take as faithful, are
// left on the server with a warning.
func (y *syncer) plan(s *session, n int) ([]ServerMsg, PlanResult, error) {
	msgs, hasUIDL, warns, err := s.list()
	if err != nil {
		return nil, PlanResult{}, err
	}
	for _, w := range warns {
		y.warnItem(w)
	}
	if !hasUIDL && y.acct.Retention.Kind != RetainDelete {
		s.quit()
		return nil, PlanResult{}, fmt.Errorf("%w: %s cannot tell messages apart between sessions (no UIDL), so popbox can only fetch from it with retention delete, which deletes every message from the server once it is stored; retention %s would fetch everything again each time",
			ErrNoUIDL, y.acct.Incoming.Host, y.acct.Retention)
	}
	var uids []string
	for _, m := range msgs {
		if m.UID != "" {
			uids = append(uids, m.UID)
		}
	}
	if err := y.cache.LookupUIDs(y.acct.ID, uids, func(i int, rec UIDRecord, ok bool) {
		if ok {
			y.seen[uids[i]] = rec
		}
	}); err != nil {
		return nil, PlanResult{}, fmt.Errorf("read the UIDs of account %s: %w", y.acct.Name, err)
	}
	plan := Plan(msgs, y.seen, y.acct.Retention, y.opts.Now())
	y.countSkipped(msgs, plan, n)
	limit := y.acct.MessageSizeLimit()
	keep := func(m ServerMsg) bool {
		if y.suspect[uidOrNum(m)] {
			return false
		}
		return m.Size <= limit
	}
	fetch := plan.Fetch[:0:0]
	for _, m := range plan.Fetch {
		switch {
		case y.suspect[uidOrNum(m)]:
			// Warned when its reply was refused.
		case m.Size > limit:
			y.warnItem(fmt.Sprintf("Message %s is %s, larger than the account's limit of %s, and stays on the server; raise the account's limit to fetch it.",
				uidOrNum(m), FormatSize(m.Size), FormatSize(limit)))
		default:
			if m.OddUID && n == 1 {
				y.warnItem(fmt.Sprintf("%s gave message %d a UID that POP3 does not allow (more than %d characters, or characters other than visible ASCII); popbox knows it as %s.",
					y.acct.Incoming.Host, m.Num, maxUID, m.UID))
			}
			fetch = append(fetch, m)
		}
	}
	plan.Fetch = fetch
	plan.DeleteFetched = slices.DeleteFunc(plan.DeleteFetched, func(m ServerMsg) bool { return !keep(m) })
	for _, m := range plan.Fetch {
		y.res.PlannedFetch = append(y.res.PlannedFetch, uidOrNum(m))
	}
	for _, m := range plan.Delete {
		y.res.PlannedDelete = append(y.res.PlannedDelete, uidOrNum(m))
	}
	for _, m := range plan.DeleteFetched {
		y.res.PlannedDelete = append(y.res.PlannedDelete, uidOrNum(m))
	}
	for _, uid := range plan.Ambiguous {
		y.warnItem(fmt.Sprintf("%s gave the UID %q to more than one message; one copy is fetched and none is deleted from the server.", y.acct.Incoming.Host, uid))
	}
	return msgs, plan, nil
}

// deleteCommitted sends DELE for what is committed and due: what was
// committed before this session (plan.Delete) and, for retention delete,
// what this session stored. It returns the messages the server accepted.
func (y *syncer) deleteCommitted(s *session, plan PlanResult, committed []committedMsg) ([]ServerMsg, error) {
	dels := slices.Clone(plan.Delete)
	if len(plan.DeleteFetched) > 0 {
		ok := make(map[int]string, len(committed))
		for _, c := range committed {
			ok[c.Num] = c.UID
		}
		for _, m := range plan.DeleteFetched {
			if uid, done := ok[m.Num]; done {
				m.UID = uid // the digest UID of a message without a UID
				dels = append(dels, m)
			}
		}
	}
	if len(dels) == 0 {
		return nil, nil
	}
	y.phase(PhaseDelete)
	nums := make([]int, len(dels))
	for i, m := range dels {
		nums[i] = m.Num
	}
	accepted, warns, err := s.dele(nums)
	if err != nil {
		return nil, err
	}
	for _, w := range warns {
		y.warnItem(w)
	}
	byNum := make(map[int]ServerMsg, len(dels))
	for _, m := range dels {
		byNum[m.Num] = m
	}
	deleted := make([]ServerMsg, 0, len(accepted))
	for _, num := range accepted {
		deleted = append(deleted, byNum[num])
	}
	return deleted, nil
}

// nextSession says whether another session should follow one that ended
// well: when it stored new mail, knew none of what it listed, and listed
// at least portionMin messages, the server may be handing out its mail in
// portions (as Gmail does).
func (y *syncer) nextSession(msgs []ServerMsg, plan PlanResult, committed []committedMsg) bool {
	stored, known := 0, plan.Skipped
	for _, c := range committed {
		if c.Known {
			known++
		} else {
			stored++
		}
	}
	if stored == 0 || known > 0 || len(msgs) < portionMin {
		return false
	}
	if y.res.Hints.LoginDelay > 0 && !y.opts.IgnoreLoginDelay {
		y.warn(fmt.Sprintf("%s may hold more new mail than it offered in one session, and it asks for %v between logins; fetch again after that.",
			y.acct.Incoming.Host, y.res.Hints.LoginDelay))
		return false
	}
	return true
}

// forgetTombstones drops the records of UIDs the user deleted locally once
// the server has deleted them too; records of messages still stored stay,
// since they are what keeps a message from being fetched again.
func (y *syncer) forgetTombstones(deleted []ServerMsg) error {
	var forget []string
	for _, m := range deleted {
		if rec, ok := y.seen[m.UID]; ok && rec.State == UIDDeletedLocally {
			forget = append(forget, m.UID)
		}
	}
	if len(forget) == 0 {
		return nil
	}
	if err := y.cache.ForgetUIDs(y.acct.ID, forget); err != nil {
		return fmt.Errorf("forget %d UIDs deleted from the server: %w", len(forget), err)
	}
	for _, uid := range forget {
		delete(y.seen, uid)
	}
	return nil
}

// countSkipped adds the session's known-and-listed messages to Skipped,
// leaving out those an earlier session of this Sync already counted.
func (y *syncer) countSkipped(msgs []ServerMsg, plan PlanResult, n int) {
	if n == 1 {
		y.res.Skipped += plan.Skipped
	} else {
		for _, m := range msgs {
			if _, known := y.seen[m.UID]; known && m.UID != "" && !y.counted[m.UID] {
				y.res.Skipped++
			}
		}
	}
	if y.counted == nil {
		y.counted = make(map[string]bool, len(msgs))
	}
	for _, m := range msgs {
		if m.UID != "" {
			y.counted[m.UID] = true
		}
	}
}

// expireWarning tells the user once when the server deletes mail on its
// own (CAPA EXPIRE, RFC 2449) sooner than the retention policy expects.
func (y *syncer) expireWarning() {
	h := &y.res.Hints
	d := h.ExpireDays
	if h.ExpireWarned || d < 0 {
		return
	}
	var expects string
	switch p := y.acct.Retention; p.Kind {
	case RetainKeep:
		expects = "expects it to stay on the server"
	case RetainMirror:
		expects = "expects it to stay until you delete it in popbox"
	case RetainDays:
		if p.Days <= d {
			return
		}
		expects = fmt.Sprintf("expects it to stay %d days", p.Days)
	default:
		return // retention delete: the server deleting on its own changes nothing
	}
	when := fmt.Sprintf("%d days after it is retrieved", d)
	if d == 0 {
		when = "as soon as it is retrieved"
	}
	y.warn(fmt.Sprintf("%s deletes mail on its own %s (CAPA EXPIRE %d), while retention %s %s; popbox keeps its own copy of what it fetched.",
		y.acct.Incoming.Host, when, d, y.acct.Retention, expects))
	h.ExpireWarned = true
}

func uidOrNum(m ServerMsg) string {
	if m.UID == "" {
		return "#" + strconv.Itoa(m.Num)
	}
	return m.UID
}

// committedMsg is a message whose batch the cache has committed. Known: it
// was not stored now because the cache already held it under the same
// content UID (a message without a UID, listed again), which makes it as
// safe to delete from the server as one just committed.
type committedMsg struct {
	ServerMsg
	FirstSeen time.Time
	Known     bool
}

// retrieve fetches plan.Fetch and commits it in batches. It returns the
// messages committed, also when it stops on an error. A reply that cannot
// be a faithful copy is warned about, marked so that no later session of
// this Sync asks for it again, and ends the retrieval with errOutOfStep.
func (y *syncer) retrieve(s *session, plan PlanResult) ([]committedMsg, error) {
	if len(plan.Fetch) == 0 {
		return nil, nil
	}
	for _, m := range plan.Fetch {
		y.prog.MessagesTotal++
		y.prog.BytesTotal += m.Size
	}
	y.phase(PhaseRetrieve)

	c := &committer{cache: y.cache, acctID: y.acct.ID, now: y.opts.Now, seen: y.seen, stored: y.stored,
		in: make(chan commitBatch, 1), done: make(chan struct{})}
	go c.run()
	committedBefore := y.prog.Committed

	var (
		batch      commitBatch
		batchBytes int64
		batchStart = time.Now()
		sinceTick  int64
	)
	flush := func() {
		if len(batch.msgs) > 0 {
			c.in <- batch
		}
		batch, batchBytes, batchStart = commitBatch{}, 0, time.Now()
	}
	tick := func(n int) {
		y.prog.Bytes += int64(n)
		// Within a large message, report every MiB.
		if sinceTick += int64(n); sinceTick >= 1<<20 {
			sinceTick = 0
			y.report(y.prog)
		}
	}
	err := s.retrieve(plan.Fetch, y.acct.MessageSizeLimit(), func(m ServerMsg, raw []byte, err error) error {
		if c.failed.Load() {
			return errCommitFailed
		}
		if err != nil {
			y.res.Failed++
			y.prog.Messages++
			var uf *UnfaithfulError
			if errors.As(err, &uf) {
				if y.suspect == nil {
					y.suspect = make(map[string]bool)
				}
				y.suspect[uidOrNum(m)] = true
				y.warnItem(fmt.Sprintf("Message %s was not stored and stays on the server: %v.", uidOrNum(m), err))
			} else {
				y.warnItem(fmt.Sprintf("Message %s was not retrieved and stays on the server: %v.", uidOrNum(m), err))
			}
			y.report(y.prog)
			return nil
		}
		batch.msgs = append(batch.msgs, NewMessage{UID: m.UID, Raw: raw})
		batch.server = append(batch.server, m)
		batchBytes += int64(len(raw))
		y.prog.Messages++
		if len(batch.msgs) >= y.opts.BatchMessages || batchBytes >= y.opts.BatchBytes || time.Since(batchStart) >= y.opts.BatchInterval {
			flush()
		}
		y.prog.Committed = committedBefore + int(c.count.Load())
		y.report(y.prog)
		return nil
	}, tick)
	// Whatever stopped the retrieval, the messages read in full are exact
	// and are committed; only the one being read when it broke is lost.
	flush()
	close(c.in)
	<-c.done

	stored := 0
	for _, m := range c.committed {
		if m.Known {
			y.res.Skipped++
			continue
		}
		stored++
		y.seen[m.UID] = UIDRecord{UID: m.UID, FirstSeen: m.FirstSeen, State: UIDStored}
	}
	y.prog.Committed = committedBefore + stored
	y.res.Duplicates += c.dups
	y.res.New += stored - c.dups
	y.report(y.prog)
	if c.err != nil {
		return c.committed, c.err
	}
	return c.committed, err
}

var errCommitFailed = errors.New("commit failed")

// commitBatch is one batch on its way to the cache, with the listing entry
// of each message.
type commitBatch struct {
	msgs   []NewMessage
	server []ServerMsg
}

// committer commits batches on its own goroutine, so the connection keeps
// being read while the cache writes; it digests and summarises each message
// there too. At most one batch waits while another is committed.
type committer struct {
	cache  Cache
	acctID string
	now    func() time.Time
	// seen is the Sync's UID records, read only while the committer runs;
	// stored holds the content UIDs committed by earlier sessions of this
	// Sync, and the committer adds its own.
	seen   map[string]UIDRecord
	stored map[string]bool
	in     chan commitBatch
	done   chan struct{}
	failed atomic.Bool
	count  atomic.Int64

	// Written by run; read after done is closed.
	committed []committedMsg
	dups      int
	err       error
}

func (c *committer) run() {
	defer close(c.done)
	for b := range c.in {
		if c.err != nil {
			continue // drain: nothing more is stored after a failed commit
		}
		now := c.now()
		msgs := b.msgs[:0:0]
		var server []ServerMsg
		// No UID from the server: the content names the message. The cache
		// may hold it already (a session that stored it did not delete it:
		// DELE refused, a reset, a cancel); then it is not stored again, and
		// is as committed as if it had been.
		var byContent []string
		for i := range b.msgs {
			m := &b.msgs[i]
			m.Digest = sha256.Sum256(m.Raw)
			if m.UID == "" {
				m.UID = "sha256:" + hex.EncodeToString(m.Digest[:])
				byContent = append(byContent, m.UID)
			}
		}
		known := map[string]bool{}
		if len(byContent) > 0 {
			if err := c.cache.LookupUIDs(c.acctID, byContent, func(i int, _ UIDRecord, ok bool) {
				known[byContent[i]] = ok
			}); err != nil {
				c.err = fmt.Errorf("look up %d messages by content: %w", len(byContent), err)
				c.failed.Store(true)
				continue
			}
		}
		for i := range b.msgs {
			m := b.msgs[i]
			sm := b.server[i]
			if sm.UID == "" {
				if known[m.UID] || c.stored[m.UID] {
					sm.UID = m.UID
					c.committed = append(c.committed, committedMsg{ServerMsg: sm, Known: true})
					continue
				}
				c.stored[m.UID] = true
			}
			m.Summary = Summarize(m.Raw, now)
			m.FirstSeen = now
			msgs = append(msgs, m)
			server = append(server, sm)
		}
		if len(msgs) == 0 {
			continue
		}
		dups, err := c.cache.Commit(c.acctID, msgs)
		if err != nil {
			c.err = fmt.Errorf("store %d messages: %w", len(msgs), err)
			c.failed.Store(true)
			continue
		}
		c.dups += dups
		for i, m := range msgs {
			sm := server[i]
			sm.UID = m.UID
			c.committed = append(c.committed, committedMsg{ServerMsg: sm, FirstSeen: now})
		}
		c.count.Add(int64(len(msgs)))
	}
}
