package mail

import (
	"hash/maphash"
	"slices"
	"time"
)

// planner is Plan for a mailbox of any size: it takes the listing one
// message at a time, as UIDL streams in and the cache answers for each UID,
// and keeps only what the session will act on. A message already stored
// and not due for deletion costs eight bytes (a hash of its UID, to find a
// UID listed twice); a new one its number, its size and its UID in one
// shared buffer; nothing holds a Go string or map entry per message. The
// rules are Plan's (plan.go), which stays the reference: a test feeds both
// the same listings.
//
// It is pure: no I/O, no clock but now.
type planner struct {
	policy   Retention
	now      time.Time
	maxFetch int       // new messages planned at most; the rest are deferred
	since    time.Time // records first seen at or after it were stored by this Sync
	seed     maphash.Seed

	// keepUIDs keeps the UID of every message to delete (a dry run lists
	// them), not only of tombstones.
	keepUIDs bool

	fetch   []wanted
	dele    []doomed
	arena   []byte   // the UIDs of fetch, and of tombstoned dele
	hashes  []uint64 // one per UID listed
	named   bitset   // the message numbers the listing named with a UID
	listed  int      // messages listed
	known   int      // listed and stored
	skipped int      // listed and stored before this Sync
	// deletedHere: of skipped, those deleted in popbox (tombstones)
	deletedHere int
	deferred    int // new and over maxFetch
	held        int // due for deletion, but waiting for delivery
	noUID       int // listed without a UID (fetched by content)
	dueAt       time.Time
	// ambiguous are the UIDs given to more than one message, found by
	// finish.
	ambiguous []string
}

// wanted is a new message to retrieve: 24 bytes.
type wanted struct {
	size int64
	num  int32
	off  uint32 // its UID is arena[off : off+n]; n 0: no UID
	n    uint8
	odd  bool // the UID stands for one RFC 1939 does not allow (serverUID)
	amb  bool // its UID is ambiguous: never deleted by number
}

// doomed is a stored message the policy deletes from the server now.
type doomed struct {
	num  int32
	tomb bool   // deleted locally: its record goes once the server deletes it
	off  uint32 // for tomb, its UID is arena[off : off+n]
	n    uint8
	hash uint64
}

func newPlanner(policy Retention, now, since time.Time, maxFetch int) *planner {
	return &planner{policy: policy, now: now, since: since, maxFetch: maxFetch, seed: maphash.MakeSeed()}
}

// uidOf is the UID arena[off:off+n].
func (p *planner) uidOf(off uint32, n uint8) string {
	return string(p.arena[off : off+uint32(n)])
}

func (p *planner) keep(uid string) (uint32, uint8) {
	off := uint32(len(p.arena))
	p.arena = append(p.arena, uid...)
	return off, uint8(len(uid))
}

// add takes one message of the listing with the cache's answer for its UID.
// UIDs are at most 75 bytes (serverUID).
func (p *planner) add(num int, uid string, odd bool, rec UIDRecord, known bool) {
	h := maphash.String(p.seed, uid)
	p.hashes = append(p.hashes, h)
	p.named.set(num)
	p.listed++
	if !known {
		if len(p.fetch) >= p.maxFetch {
			p.deferred++
			return
		}
		off, n := p.keep(uid)
		p.fetch = append(p.fetch, wanted{num: int32(num), off: off, n: n, odd: odd})
		return
	}
	p.known++
	if rec.FirstSeen.Before(p.since) {
		p.skipped++
		if rec.State == UIDDeletedLocally {
			p.deletedHere++
		}
	}
	if rec.PendingDelivery && dueNow(rec, p.policy, p.now) {
		p.held++
	}
	if deleteNow(rec, p.policy, p.now) {
		d := doomed{num: int32(num), hash: h, tomb: rec.State == UIDDeletedLocally}
		if d.tomb || p.keepUIDs {
			d.off, d.n = p.keep(uid)
		}
		p.dele = append(p.dele, d)
		return
	}
	p.due(dueAt(rec, p.policy))
}

// due keeps the earliest time a listed message becomes due for deletion.
func (p *planner) due(t time.Time) {
	if !t.IsZero() && (p.dueAt.IsZero() || t.Before(p.dueAt)) {
		p.dueAt = t
	}
}

// addNoUID takes a message the listing gave without a UID (no UIDL, or
// left out of it): it is fetched, and known by its content once retrieved.
func (p *planner) addNoUID(num int, size int64) {
	p.noUID++
	p.listed++
	if len(p.fetch) >= p.maxFetch {
		p.deferred++
		return
	}
	p.fetch = append(p.fetch, wanted{num: int32(num), size: size})
}

// sortFetch puts the messages to retrieve in message-number order.
func (p *planner) sortFetch() {
	if !slices.IsSortedFunc(p.fetch, byWantedNum) {
		slices.SortFunc(p.fetch, byWantedNum)
	}
}

func byWantedNum(a, b wanted) int { return int(a.num) - int(b.num) }

// fetchIndex finds message num among the messages to retrieve (sorted).
func (p *planner) fetchIndex(num int) (int, bool) {
	return slices.BinarySearchFunc(p.fetch, int32(num), func(w wanted, n int32) int { return int(w.num) - int(n) })
}

// finish deals with UIDs listed more than once (Plan's rule: one copy of
// a new one is fetched, none is ever deleted, since DELE by number could hit
// the wrong message) and sorts the plan by message number.
func (p *planner) finish() {
	p.sortFetch()
	slices.SortFunc(p.dele, func(a, b doomed) int { return int(a.num) - int(b.num) })
	hashes := p.hashes
	slices.Sort(hashes)
	dup := map[uint64]bool{}
	for i := 1; i < len(hashes); i++ {
		if hashes[i] == hashes[i-1] {
			dup[hashes[i]] = true
		}
	}
	p.hashes = nil
	if len(dup) == 0 {
		return
	}
	// A shared hash is a shared UID but for a collision: the UIDs of new
	// messages are compared as strings; a stored message merely sharing a
	// hash is not deleted, which is safe.
	first := map[string]int{}
	fetch := p.fetch[:0]
	for _, w := range p.fetch {
		if w.n == 0 {
			fetch = append(fetch, w)
			continue
		}
		uid := p.uidOf(w.off, w.n)
		if !dup[maphash.String(p.seed, uid)] {
			fetch = append(fetch, w)
			continue
		}
		if i, seen := first[uid]; seen {
			fetch[i].amb = true
			if fetch[i].amb && !slices.Contains(p.ambiguous, uid) {
				p.ambiguous = append(p.ambiguous, uid)
			}
			continue
		}
		first[uid] = len(fetch)
		fetch = append(fetch, w)
	}
	p.fetch = fetch
	dele := p.dele[:0]
	for _, d := range p.dele {
		if dup[d.hash] {
			if d.tomb {
				p.ambiguous = append(p.ambiguous, p.uidOf(d.off, d.n))
			}
			continue
		}
		dele = append(dele, d)
	}
	p.dele = dele
}

// fetchMsg is message i to retrieve as a ServerMsg.
func (p *planner) fetchMsg(i int) ServerMsg {
	w := p.fetch[i]
	m := ServerMsg{Num: int(w.num), Size: max(w.size, 0), OddUID: w.odd}
	if w.n > 0 {
		m.UID = p.uidOf(w.off, w.n)
	}
	return m
}
