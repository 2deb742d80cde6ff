package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strconv"
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
	// Deliver tunes delivery, for an account that delivers (deliver.go).
	Deliver DeliverOptions
}

// SyncResult says what a Sync did (or, with DryRun, would do).
type SyncResult struct {
	// New: messages stored. Duplicates: messages retrieved under a new UID
	// whose bytes were already stored (server migration); only their UID
	// was recorded. Deleted: server copies deleted (DELE, then QUIT +OK).
	// Skipped: listed but not fetched, already known. Failed: listed and
	// new but not retrieved (RETR -ERR, far larger than announced).
	New, Duplicates, Deleted, Skipped, Failed int
	// DeletedHere: of Skipped, those deleted in popbox whose server copy
	// the retention policy keeps (a tombstone remembers their UID).
	DeletedHere int
	// PlannedFetch and PlannedDelete are the UIDs the plan chose ("#N",
	// the message number, for a message without a UID). They are filled
	// for a DryRun only: a fetch keeps no list of every UID it handles.
	PlannedFetch, PlannedDelete []string
	// Warnings are for the user: messages that failed, odd listing lines,
	// a server that deletes mail on its own (EXPIRE).
	Warnings []Warning
	// Hints is what the server said about itself, as saved to the cache.
	Hints ServerHints
	// Sessions is how many POP3 sessions were opened.
	Sessions int
	// For an account that delivers to a Maildir or an MDA: messages
	// delivered by this Sync, messages still waiting (their server copies
	// stay), and the last reason a delivery failed.
	Delivered, WaitingDelivery int
	DeliveryErr                error
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
	if h := acct.Hints.Mailbox; h != nil {
		c := *h
		y.res.Hints.Mailbox = &c
	}
	if y.report == nil {
		y.report = func(Progress) {}
	}
	err := y.run()
	if y.extraWarnings > 0 {
		y.res.Warnings = append(y.res.Warnings, Warning{Kind: WarnMoreFailed, N: y.extraWarnings})
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
	// start is when this Sync began: UID records first seen since were
	// stored by it, and do not count as skipped in a later session.
	start time.Time

	res           SyncResult
	prog          Progress
	extraWarnings int
	// stored holds the content UIDs (of messages without a UID) committed
	// in this Sync, so that a later session does not store them again; it
	// stays empty for a server with UIDL.
	stored map[string]bool
	// suspect holds the messages (uidOrNum) whose reply could not be a
	// faithful copy: no later session of this Sync asks for them again.
	suspect map[string]bool
	// deliv delivers to the account's Maildir or MDA (nil: no delivery);
	// held counts server copies kept because their message waits for it.
	deliv *deliverer
	held  int
}

func (y *syncer) run() error {
	now := y.opts.Now()
	y.start = now
	if err := y.startDelivery(); err != nil {
		return err
	}
	defer y.finishDelivery()
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
	pass, err := y.acct.Incoming.resolveSecret(y.ctx)
	if err != nil {
		return err
	}
	y.pass = pass
	y.stored = make(map[string]bool)
	return y.sessions()
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
	return &LoginDelayError{Host: y.acct.Incoming.Host, Delay: h.LoginDelay, Last: h.LastLogin, Next: next}
}

func (y *syncer) phase(p Phase) {
	y.prog.Phase = p
	y.report(y.prog)
}

func (y *syncer) warn(w Warning) {
	y.res.Warnings = append(y.res.Warnings, w)
}

// warnItem adds a per-message warning, up to maxItemWarnings of them.
func (y *syncer) warnItem(w Warning) {
	if y.extraWarnings > 0 || len(y.res.Warnings) >= maxItemWarnings {
		y.extraWarnings++
		return
	}
	y.warn(w)
}

// sessions runs one POP3 session after another, up to MaxSessions, for as
// long as the last says another should follow: after a reply that could
// not be a faithful copy (that session ended without QUIT; the rest of its
// plan waits for the next), when the plan left new messages for later
// (maxPlanFetch), or when the server seems to hand out its mail in
// portions (see nextSession).
func (y *syncer) sessions() error {
	for n := 1; n <= y.opts.MaxSessions; n++ {
		more, err := y.session(n)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// session runs one POP3 session, session number n of this Sync, and says
// whether another should follow. Its steps: connect and log in, plan (or
// see at a glance that the mailbox is as the last fetch left it), retrieve
// and commit, delete what is committed and due and QUIT, and decide on a
// next session.
func (y *syncer) session(n int) (more bool, err error) {
	s, err := y.connect(n)
	if s == nil || err != nil {
		return false, err
	}
	defer s.close()
	defer y.saveHints()
	p, box, err := y.planSession(s, n)
	if p == nil || err != nil {
		return false, err
	}
	com, err := y.retrieve(s, p)
	if errors.Is(err, errOutOfStep) {
		// The reply at fault is left on the server and out of later plans;
		// the session ends without QUIT, so nothing it marked is deleted, and
		// a fresh session goes on with the rest.
		return true, nil
	}
	if err != nil {
		return false, err
	}
	deleted, err := y.deleteAndQuit(s, p, com)
	if err != nil {
		return false, err
	}
	y.keepPicture(box, p, com, deleted)
	return y.nextSession(p, com), nil
}

// connect opens session n and logs in, and takes what the server says of
// itself into the hints. A nil session with a nil error means the Sync
// ends well here: a server that refuses a further login so soon after the
// first (LOGIN-DELAY) may hold more mail, which waits for the next fetch.
func (y *syncer) connect(n int) (*session, error) {
	y.prog.Session = n
	y.phase(PhaseConnect)
	s, err := dialPOP3(y.ctx, y.acct.Incoming, y.acct.CAFile, y.tlsConf, y.opts.IdleTimeout)
	if err != nil {
		return nil, err
	}
	y.res.Sessions = n
	y.phase(PhaseLogin)
	if n > 1 && y.acct.Incoming.Auth == AuthOAuth2 {
		// An access token may expire between sessions of one fetch: ask
		// for it again (a token source refreshes it when it is due).
		tok, err := y.acct.Incoming.ResolveToken(y.ctx)
		if err != nil {
			s.close()
			return nil, err
		}
		y.pass = tok
	}
	if err := s.authenticate(y.acct.Incoming, y.pass); err != nil {
		s.close()
		if n > 1 && errors.Is(err, ErrLoginDelay) {
			y.warn(Warning{Kind: WarnLoginRefusedMore, Host: y.acct.Incoming.Host})
			return nil, nil
		}
		return nil, err
	}
	y.res.Hints = s.caps.hints(y.res.Hints)
	y.expireWarning()
	return s, nil
}

// saveHints keeps the hints for the next fetch at the end of a session
// that logged in: the server counts LOGIN-DELAY from that login, whatever
// came after.
func (y *syncer) saveHints() {
	y.res.Hints.LastLogin = y.opts.Now()
	if y.opts.DryRun {
		return
	}
	if err := y.cache.SaveHints(y.acct.ID, y.res.Hints); err != nil {
		y.warn(Warning{Kind: WarnHintsNotSaved, Text: err.Error()})
	}
}

// planSession decides what session n does: STAT, and when the mailbox is
// as the last complete session left it, nothing more; else the listing
// and the plan (see plan). A nil planner means the session is over, QUIT
// said: nothing to do, or a DryRun.
func (y *syncer) planSession(s *session, n int) (*planner, mailbox, error) {
	y.phase(PhasePlan)
	box, err := y.look(s, n)
	if err != nil {
		return nil, box, err
	}
	if box.unchanged {
		if n == 1 {
			y.res.Skipped += box.count
			// Nothing changed, so every tombstone is still on the server.
			if tombs, err := y.cache.Tombstones(y.acct.ID); err == nil {
				y.res.DeletedHere += min(tombs, box.count)
			}
		}
		return nil, box, s.quit()
	}
	// Whatever happens now, the picture of the mailbox is redrawn only by
	// a session that ends well.
	y.res.Hints.Mailbox = nil
	p, err := y.plan(s, &box)
	if err != nil {
		return nil, box, err
	}
	if y.opts.DryRun {
		return nil, box, s.quit()
	}
	return p, box, nil
}

// deleteAndQuit sends DELE for what is committed and due (deleteCommitted)
// and then QUIT, which is what makes the server delete; then the cache
// forgets the tombstones the server deleted. It returns how many messages
// the server deleted.
func (y *syncer) deleteAndQuit(s *session, p *planner, com committed) (int, error) {
	deleted, tombs, err := y.deleteCommitted(s, p, com)
	if err != nil {
		return 0, err
	}
	// Cancelled after DELE: no QUIT, so the server deletes nothing (they
	// were all committed, but a cancel means stop changing things).
	if err := y.ctx.Err(); err != nil {
		return 0, err
	}
	if err := s.quit(); err != nil {
		return 0, err
	}
	y.res.Deleted += deleted
	if len(tombs) > 0 {
		if err := y.cache.ForgetUIDs(y.acct.ID, tombs); err != nil {
			return deleted, fmt.Errorf("forget %d UIDs deleted from the server: %w", len(tombs), err)
		}
	}
	return deleted, nil
}

// keepPicture keeps the picture of the mailbox for the next fetch's quick
// look (see look) when the session left the mailbox as its plan knew it:
// nothing deleted, failed or left for later, every message named by UIDL.
func (y *syncer) keepPicture(box mailbox, p *planner, com committed, deleted int) {
	if deleted == 0 && com.failed == 0 && p.deferred == 0 && p.held == 0 && y.held == 0 && p.noUID == 0 && len(p.ambiguous) == 0 && box.hasUIDL && box.count >= 0 {
		y.res.Hints.Mailbox = y.picture(box, p, com)
	}
}

// mailbox is what STAT said of the mailbox at the start of a session.
type mailbox struct {
	count     int // -1: STAT's answer could not be read
	octets    int64
	hasUIDL   bool
	lastUID   string // of message number count, when UIDL named it
	unchanged bool   // as the last complete session left it: nothing to do
}

// look asks STAT, and tells whether the mailbox is exactly as the last
// complete session left it: the same count and size, the same UID on its
// last message (new mail is added at the end, so any arrival changes it),
// and nothing due for deletion since. Then no listing is needed at all:
// a fetch from cron costs a login and three short commands, not a UIDL of
// the whole mailbox.
func (y *syncer) look(s *session, n int) (mailbox, error) {
	count, octets, err := s.stat()
	if errors.Is(err, ErrProtocol) {
		// A STAT answer that cannot be read stops nothing: the listing
		// then comes from a LIST of the whole mailbox.
		return mailbox{count: -1}, nil
	}
	if err != nil {
		return mailbox{}, err
	}
	box := mailbox{count: count, octets: octets}
	st := y.res.Hints.Mailbox
	if n > 1 || st == nil || st.Server != y.serverKey() || st.Retention != y.acct.Retention.String() ||
		st.Limit != y.acct.MessageSizeLimit() || st.Count != count || st.Octets != octets {
		return box, nil
	}
	switch y.acct.Retention.Kind {
	case RetainDays:
		if !st.DueAt.IsZero() && !y.opts.Now().Before(st.DueAt) {
			return box, nil
		}
	case RetainMirror:
		if t, err := y.cache.Tombstones(y.acct.ID); err != nil || t > 0 {
			return box, nil
		}
	}
	if count > 0 {
		ok, text, err := s.cmd("UIDL", strconv.Itoa(count))
		if err != nil {
			return mailbox{}, err
		}
		num, uid, listed := splitListLine(text)
		if !ok || !listed || num != count {
			return box, nil
		}
		if key, _ := serverUID(uid); key != st.LastUID {
			return box, nil
		}
	}
	box.unchanged = true
	box.hasUIDL = true
	return box, nil
}

// serverKey names the mailbox an account's picture is of.
func (y *syncer) serverKey() string {
	return y.acct.Incoming.Address() + "/" + y.acct.Incoming.User
}

// picture is the MailboxState a complete session leaves for the next
// fetch's quick look.
func (y *syncer) picture(box mailbox, p *planner, com committed) *MailboxState {
	due := p.dueAt
	if com.stored > 0 && y.acct.Retention.Kind == RetainDays {
		p.due(y.opts.Now().AddDate(0, 0, y.acct.Retention.Days))
		due = p.dueAt
	}
	return &MailboxState{Server: y.serverKey(), Retention: y.acct.Retention.String(), Limit: y.acct.MessageSizeLimit(),
		Count: box.count, Octets: box.octets, LastUID: box.lastUID, DueAt: due}
}

// Planning: the listing is read as it arrives, its UIDs are looked up in
// the cache lookupBatch at a time, and the planner keeps only what the
// session acts on.
const (
	lookupBatch = 4096
	// maxPlanFetch bounds the new messages one session plans: more wait
	// for the next session of the same Sync, so that the plan of a first
	// fetch of a million messages stays a few megabytes (each next session
	// costs a login and a UIDL, about 0.5 s at 300,000 messages).
	maxPlanFetch = 100_000
	// listAllMin: from this many new messages on, one LIST of the whole
	// mailbox gives their sizes for less than a "LIST n" each.
	listAllMin = 512
)

// plan reads the listing and decides what this session retrieves and
// deletes. Messages the account's size limit excludes, and those whose
// reply an earlier session of this Sync could not take as faithful, are
// left on the server with a warning.
func (y *syncer) plan(s *session, box *mailbox) (*planner, error) {
	p := newPlanner(y.acct.Retention, y.opts.Now(), y.start, maxPlanFetch)
	p.keepUIDs = y.opts.DryRun
	if y.res.Sessions == 1 {
		p.since = y.start.Add(time.Nanosecond) // nothing is from this Sync yet
	}
	type listed struct {
		num int
		uid string
		odd bool
	}
	var batch []listed
	var uids []string
	flush := func() error {
		uids = uids[:0]
		for _, l := range batch {
			uids = append(uids, l.uid)
		}
		err := y.cache.LookupUIDs(y.acct.ID, uids, func(i int, rec UIDRecord, ok bool) {
			rec.PendingDelivery = rec.PendingDelivery && y.acct.Deliver != "" // delivery off: a mark holds nothing back
			l := batch[i]
			p.add(l.num, l.uid, l.odd, rec, ok)
		})
		batch = batch[:0]
		if err != nil {
			return fmt.Errorf("read the UIDs of account %s: %w", y.acct.Name, err)
		}
		return nil
	}
	hasUIDL, warns, err := s.uidl(func(num int, uid string, odd bool) error {
		if num == box.count {
			box.lastUID = uid
		}
		batch = append(batch, listed{num, uid, odd})
		if len(batch) == lookupBatch {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	if err != nil {
		return nil, err
	}
	for _, w := range warns {
		y.warnItem(w)
	}
	box.hasUIDL = hasUIDL
	if !hasUIDL && y.acct.Retention.Kind != RetainDelete {
		s.quit()
		return nil, fmt.Errorf("%w: %s cannot tell messages apart between sessions (no UIDL), so popbox can only fetch from it with retention delete, which deletes every message from the server once it is stored; retention %s would fetch everything again each time",
			ErrNoUIDL, y.acct.Incoming.Host, y.acct.Retention)
	}
	if err := y.sizes(s, p, box); err != nil {
		return nil, err
	}
	p.finish()
	if p.noUID > 0 && hasUIDL {
		y.warnItem(Warning{Kind: WarnNoUID, Host: s.host, N: p.noUID})
	}
	for _, uid := range p.ambiguous {
		y.warnItem(Warning{Kind: WarnDuplicateUID, Host: y.acct.Incoming.Host, UID: uid})
	}
	y.res.Skipped += p.skipped
	y.res.DeletedHere += p.deletedHere
	y.exclude(p, y.res.Sessions)
	if y.opts.DryRun {
		for i := range p.fetch {
			y.res.PlannedFetch = append(y.res.PlannedFetch, uidOrNum(p.fetchMsg(i)))
		}
		for _, d := range p.dele {
			y.res.PlannedDelete = append(y.res.PlannedDelete, p.uidOf(d.off, d.n))
		}
		if y.acct.Retention.Kind == RetainDelete {
			for i, w := range p.fetch {
				if !w.amb {
					y.res.PlannedDelete = append(y.res.PlannedDelete, uidOrNum(p.fetchMsg(i)))
				}
			}
		}
	}
	return p, nil
}

// sizes finds the sizes of the messages to retrieve, and the messages a
// listing without UIDs names: with a LIST of the whole mailbox when there
// are many new ones, when UIDL did not name every message STAT counted, or
// when the server has no UIDL; else with "LIST n" for each new one.
func (y *syncer) sizes(s *session, p *planner, box *mailbox) error {
	p.sortFetch()
	named := 0
	for n := 1; n <= box.count; n++ {
		if p.named.has(n) {
			named++
		}
	}
	whole := named == box.count && box.hasUIDL // UIDL named every message
	if len(p.fetch) == 0 && whole {
		return nil
	}
	if len(p.fetch) < listAllMin && whole {
		return s.listEach(len(p.fetch), func(i int) int { return int(p.fetch[i].num) }, func(i int, size int64) {
			p.fetch[i].size = size
		})
	}
	var extra []wanted
	warns, err := s.listAll(func(num int, size int64) error {
		if p.named.has(num) {
			if i, ok := p.fetchIndex(num); ok {
				p.fetch[i].size = size
			}
			return nil
		}
		extra = append(extra, wanted{num: int32(num), size: size})
		return nil
	})
	for _, w := range warns {
		y.warnItem(w)
	}
	if err != nil {
		return err
	}
	for _, w := range extra {
		p.addNoUID(int(w.num), w.size)
	}
	return nil
}

// exclude takes out of the plan the messages over the account's size
// limit, and those an earlier session of this Sync found unfaithful;
// warns of odd UIDs in the first session.
func (y *syncer) exclude(p *planner, n int) {
	limit := y.acct.MessageSizeLimit()
	fetch := p.fetch[:0]
	for i := range p.fetch {
		w := p.fetch[i]
		m := p.fetchMsg(i)
		switch {
		case y.suspect[uidOrNum(m)]:
			// Warned when its reply was refused.
		case w.size > limit:
			y.warnItem(Warning{Kind: WarnTooLarge, UID: uidOrNum(m), Size: w.size, Limit: limit})
		default:
			if w.odd && n == 1 {
				y.warnItem(Warning{Kind: WarnOddUID, Host: y.acct.Incoming.Host, N: m.Num, UID: m.UID})
			}
			fetch = append(fetch, w)
		}
	}
	p.fetch = fetch
}

// deleteCommitted sends DELE for what is committed and due: what was
// committed before this session (the planner's dele) and, for retention
// delete, what this session stored or found stored. It returns how many
// the server accepted, and the UIDs of accepted tombstones.
func (y *syncer) deleteCommitted(s *session, p *planner, com committed) (int, []string, error) {
	deletable, err := y.deliveredOnly(com.deletable, com.deletableUIDs)
	if err != nil {
		return 0, nil, err
	}
	nums := make([]int, 0, len(p.dele)+len(deletable))
	for _, d := range p.dele {
		nums = append(nums, int(d.num))
	}
	for _, n := range deletable {
		nums = append(nums, int(n))
	}
	if len(nums) == 0 {
		return 0, nil, nil
	}
	y.phase(PhaseDelete)
	accepted, warns, err := s.dele(nums)
	if err != nil {
		return 0, nil, err
	}
	for _, w := range warns {
		y.warnItem(w)
	}
	var tombs []string
	ok := bitset{}
	for _, n := range accepted {
		ok.set(n)
	}
	for _, d := range p.dele {
		if d.tomb && ok.has(int(d.num)) {
			tombs = append(tombs, p.uidOf(d.off, d.n))
		}
	}
	return len(accepted), tombs, nil
}

// nextSession says whether another session should follow one that ended
// well: when the plan left new messages for later, or when it stored new
// mail, knew none of what it listed, and listed at least portionMin
// messages (the server may be handing out its mail in portions, as Gmail
// does).
func (y *syncer) nextSession(p *planner, com committed) bool {
	more := p.deferred > 0 || (com.stored > 0 && p.known == 0 && com.known == 0 && p.listed >= portionMin)
	if !more {
		return false
	}
	if y.res.Hints.LoginDelay > 0 && !y.opts.IgnoreLoginDelay {
		y.warn(Warning{Kind: WarnMoreLater, Host: y.acct.Incoming.Host, Delay: y.res.Hints.LoginDelay})
		return false
	}
	return true
}

// expireWarning tells the user once when the server deletes mail on its
// own (CAPA EXPIRE, RFC 2449) sooner than the retention policy expects.
func (y *syncer) expireWarning() {
	h := &y.res.Hints
	d := h.ExpireDays
	if h.ExpireWarned || d < 0 {
		return
	}
	switch p := y.acct.Retention; p.Kind {
	case RetainKeep, RetainMirror:
	case RetainDays:
		if p.Days <= d {
			return
		}
	default:
		return // retention delete: the server deleting on its own changes nothing
	}
	y.warn(Warning{Kind: WarnExpire, Host: y.acct.Incoming.Host, N: d, Retention: y.acct.Retention})
	h.ExpireWarned = true
}

func uidOrNum(m ServerMsg) string {
	if m.UID == "" {
		return "#" + strconv.Itoa(m.Num)
	}
	return m.UID
}
