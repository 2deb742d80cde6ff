package mail

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// committed is what a session's retrieval left in the cache: how many
// messages it stored, how many it found stored already (a message without
// a UID, listed again and known by its content), and, under retention
// delete, the numbers of those safe to delete from the server now; and
// how many it could not retrieve.
type committed struct {
	stored, known int
	dups          int
	deletable     []int32
	deletableUIDs []string // the UID of each of deletable
	failed        int
}

// retrieve fetches the planned messages and commits them in batches. It
// returns what was committed, also when it stops on an error. A reply that
// cannot be a faithful copy is warned about, marked so that no later
// session of this Sync asks for it again, and ends the retrieval with
// errOutOfStep.
//
// Three stages overlap: this goroutine reads the connection; digest,
// summary and the cache's own work (compression) run on a pool of workers
// in parallel; the committer writes batches in order. A batch is at most
// BatchMessages messages or BatchBytes bytes, so memory is bounded by a few
// batches whatever the size of the mailbox.
func (y *syncer) retrieve(s *session, p *planner) (committed, error) {
	var com committed
	if len(p.fetch) == 0 {
		return com, nil
	}
	for i := range p.fetch {
		y.prog.MessagesTotal++
		y.prog.BytesTotal += max(p.fetch[i].size, 0)
	}
	y.phase(PhaseRetrieve)

	deleteFetched := y.acct.Retention.Kind == RetainDelete
	c := newCommitter(y.cache, y.acct.ID, y.opts.Now, y.stored)
	c.onCommit = y.deliv.committed
	committedBefore := y.prog.Committed

	var (
		batch      commitBatch
		batchBytes int64
		batchStart = time.Now()
		sinceTick  int64
		failed     int
	)
	flush := func() {
		if len(batch.msgs) > 0 {
			c.add(batch)
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
	limit := y.acct.MessageSizeLimit()
	err := s.retrieve(planSource{p}, limit, func(m ServerMsg, raw []byte, err error) error {
		if c.failed.Load() {
			return errCommitFailed
		}
		if err != nil {
			failed++
			y.res.Failed++
			y.prog.Messages++
			var uf *UnfaithfulError
			if errors.As(err, &uf) {
				if y.suspect == nil {
					y.suspect = make(map[string]bool)
				}
				y.suspect[uidOrNum(m)] = true
				y.warnItem(Warning{Kind: WarnNotStored, UID: uidOrNum(m), Unfaithful: uf})
			} else {
				y.warnItem(Warning{Kind: WarnNotRetrieved, UID: uidOrNum(m), Text: err.Error()})
			}
			y.report(y.prog)
			return nil
		}
		batch.msgs = append(batch.msgs, NewMessage{UID: m.UID, Raw: raw, PendingDelivery: y.deliv != nil})
		batch.nums = append(batch.nums, int32(m.Num))
		batch.del = append(batch.del, deleteFetched && !m.ambiguous)
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
	com = c.close()
	com.failed = failed

	y.res.Skipped += com.known
	y.prog.Committed = committedBefore + com.stored
	y.res.Duplicates += com.dups
	y.res.New += com.stored - com.dups
	y.report(y.prog)
	if c.err != nil {
		return com, c.err
	}
	return com, err
}

// planSource hands the planner's messages to session.retrieve.
type planSource struct{ p *planner }

func (ps planSource) Len() int { return len(ps.p.fetch) }
func (ps planSource) NumSize(i int) (int, int64) {
	return int(ps.p.fetch[i].num), max(ps.p.fetch[i].size, 0)
}
func (ps planSource) At(i int) ServerMsg {
	m := ps.p.fetchMsg(i)
	m.ambiguous = ps.p.fetch[i].amb
	return m
}

var errCommitFailed = errors.New("commit failed")

// commitBatch is one batch on its way to the cache: the messages, their
// numbers in this session, and whether each may be deleted from the server
// once committed.
type commitBatch struct {
	msgs []NewMessage
	nums []int32
	del  []bool
}

// committer prepares batches on a pool of workers (digest, summary) and
// commits them on its own goroutine in the order they came, so the
// connection keeps being read while the cache writes. At most one batch
// waits for the committer, so memory stays bounded.
type committer struct {
	cache  Cache
	acctID string
	now    func() time.Time
	// stored holds the content UIDs committed by this Sync (messages
	// without a UID); only the committer goroutine touches it.
	stored map[string]bool
	// onCommit, when set, runs after each batch committed (delivery).
	onCommit func()

	ready  chan chan commitBatch // prepared batches, in order
	done   chan struct{}
	failed atomic.Bool
	count  atomic.Int64

	// Written by run; read after done is closed.
	res committed
	err error
}

func newCommitter(cache Cache, acctID string, now func() time.Time, stored map[string]bool) *committer {
	c := &committer{cache: cache, acctID: acctID, now: now, stored: stored,
		ready: make(chan chan commitBatch, 1), done: make(chan struct{})}
	go c.run()
	return c
}

// add hands a batch over: it is prepared in parallel, and committed after
// the batches before it. add blocks while one batch already waits.
func (c *committer) add(b commitBatch) {
	out := make(chan commitBatch, 1)
	c.ready <- out
	go func() {
		prepare(b, c.now())
		c.cache.Prepare(b.msgs)
		out <- b
	}()
}

// close waits for every batch to be committed and returns the result.
func (c *committer) close() committed {
	close(c.ready)
	<-c.done
	return c.res
}

// prepare digests and summarises a batch's messages, a few goroutines at
// a time: the summaries of a batch are independent of one another.
func prepare(b commitBatch, now time.Time) {
	const workers = 4
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(b.msgs) {
					return
				}
				m := &b.msgs[i]
				m.Digest = sha256.Sum256(m.Raw)
				if m.UID == "" {
					m.UID = "sha256:" + hex.EncodeToString(m.Digest[:])
				}
				m.Summary = Summarize(m.Raw, now)
				m.FirstSeen = now
			}
		}()
	}
	wg.Wait()
}

func (c *committer) run() {
	defer close(c.done)
	for out := range c.ready {
		b := <-out
		if c.err != nil {
			continue // drain: nothing more is stored after a failed commit
		}
		if err := c.commit(b); err != nil {
			c.err = err
			c.failed.Store(true)
		}
	}
}

// commit writes one prepared batch. A message without a UID from the
// server is named by its content; the cache may hold it already (a session
// that stored it did not delete it: DELE refused, a reset, a cancel), and
// then it is not stored again but is as committed as if it had been.
func (c *committer) commit(b commitBatch) error {
	var byContent []string
	for _, m := range b.msgs {
		if len(m.UID) == len("sha256:")+64 && m.UID[:7] == "sha256:" {
			byContent = append(byContent, m.UID)
		}
	}
	known := map[string]bool{}
	if len(byContent) > 0 {
		if err := c.cache.LookupUIDs(c.acctID, byContent, func(i int, _ UIDRecord, ok bool) {
			known[byContent[i]] = ok
		}); err != nil {
			return fmt.Errorf("look up %d messages by content: %w", len(byContent), err)
		}
	}
	msgs := b.msgs[:0:0]
	var nums []int32
	var del []bool
	for i, m := range b.msgs {
		if _, content := known[m.UID]; content {
			if known[m.UID] || c.stored[m.UID] {
				c.res.known++
				if b.del[i] {
					c.res.deletable = append(c.res.deletable, b.nums[i])
					c.res.deletableUIDs = append(c.res.deletableUIDs, m.UID)
				}
				putBuf(m.Raw)
				continue
			}
			c.stored[m.UID] = true
		}
		msgs = append(msgs, m)
		nums = append(nums, b.nums[i])
		del = append(del, b.del[i])
	}
	if len(msgs) == 0 {
		return nil
	}
	dups, err := c.cache.Commit(c.acctID, msgs)
	if err != nil {
		return fmt.Errorf("store %d messages: %w", len(msgs), err)
	}
	for _, m := range msgs {
		putBuf(m.Raw)
	}
	c.res.dups += dups
	c.res.stored += len(msgs)
	for i := range msgs {
		if del[i] {
			c.res.deletable = append(c.res.deletable, nums[i])
			c.res.deletableUIDs = append(c.res.deletableUIDs, msgs[i].UID)
		}
	}
	c.count.Add(int64(len(msgs)))
	if c.onCommit != nil {
		c.onCommit()
	}
	return nil
}
