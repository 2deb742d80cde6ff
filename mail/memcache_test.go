package mail

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"sync"
)

// memCache is an in-memory Cache with the store's rules: a batch commits
// whole or not at all, a message whose digest is already stored only gets a
// UID record pointing at it (and counts as a duplicate), ForgetUIDs drops
// records. Hooks let tests make commits fail or watch them.
type memCache struct {
	mu       sync.Mutex
	accounts map[string]*memAccount
	// failCommit, when set, is asked before each commit; an error fails it.
	failCommit func(batch []NewMessage) error
	// onCommit, when set, runs after each successful commit (under the lock).
	onCommit func(batch []NewMessage)
	commits  int
	forgets  [][]string
}

type memAccount struct {
	msgs     map[string]memMsg // by MsgID
	byDigest map[[32]byte]string
	order    []string // MsgIDs in commit order
	uids     map[string]UIDRecord
	hints    ServerHints
	saved    int // SaveHints calls
}

type memMsg struct {
	raw     []byte
	summary Summary
	uid     string
}

func newMemCache() *memCache { return &memCache{accounts: map[string]*memAccount{}} }

func (c *memCache) account(id string) *memAccount {
	a := c.accounts[id]
	if a == nil {
		a = &memAccount{msgs: map[string]memMsg{}, byDigest: map[[32]byte]string{}, uids: map[string]UIDRecord{}}
		c.accounts[id] = a
	}
	return a
}

func (c *memCache) UIDRecords(accountID string) (map[string]UIDRecord, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]UIDRecord{}
	for k, v := range c.account(accountID).uids {
		out[k] = v
	}
	return out, nil
}

func (c *memCache) LookupUIDs(accountID string, uids []string, fn func(int, UIDRecord, bool)) error {
	c.mu.Lock()
	a := c.account(accountID)
	recs := make([]UIDRecord, len(uids))
	oks := make([]bool, len(uids))
	for i, u := range uids {
		recs[i], oks[i] = a.uids[u]
	}
	c.mu.Unlock()
	for i := range uids {
		fn(i, recs[i], oks[i])
	}
	return nil
}

func (c *memCache) Tombstones(accountID string) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, r := range c.account(accountID).uids {
		if r.State == UIDDeletedLocally {
			n++
		}
	}
	return n, nil
}

func (c *memCache) Prepare([]NewMessage) {}

func (c *memCache) Commit(accountID string, batch []NewMessage) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failCommit != nil {
		if err := c.failCommit(batch); err != nil {
			return 0, err
		}
	}
	a := c.account(accountID)
	dups := 0
	for _, m := range batch {
		if m.UID == "" || m.FirstSeen.IsZero() || m.Digest != sha256.Sum256(m.Raw) {
			return 0, fmt.Errorf("memcache: incomplete message %q (UID, first-seen time and digest are required)", m.UID)
		}
		if _, ok := a.uids[m.UID]; ok {
			return 0, fmt.Errorf("memcache: UID %q committed twice", m.UID)
		}
	}
	for _, m := range batch {
		if id, ok := a.byDigest[m.Digest]; ok {
			dups++
			a.uids[m.UID] = UIDRecord{UID: m.UID, FirstSeen: m.FirstSeen, MsgID: id, State: UIDStored}
			continue
		}
		id := fmt.Sprintf("m%06d", len(a.order)+1)
		a.msgs[id] = memMsg{raw: bytes.Clone(m.Raw), summary: m.Summary, uid: m.UID}
		a.byDigest[m.Digest] = id
		a.order = append(a.order, id)
		a.uids[m.UID] = UIDRecord{UID: m.UID, FirstSeen: m.FirstSeen, MsgID: id, State: UIDStored}
	}
	c.commits++
	if c.onCommit != nil {
		c.onCommit(batch)
	}
	return dups, nil
}

func (c *memCache) ForgetUIDs(accountID string, uids []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	a := c.account(accountID)
	for _, u := range uids {
		delete(a.uids, u)
	}
	c.forgets = append(c.forgets, slices.Clone(uids))
	return nil
}

func (c *memCache) SaveHints(accountID string, h ServerHints) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	a := c.account(accountID)
	a.hints = h
	a.saved++
	return nil
}

// raws returns the stored messages' bytes in commit order.
func (c *memCache) raws(accountID string) [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	a := c.account(accountID)
	out := make([][]byte, 0, len(a.order))
	for _, id := range a.order {
		out = append(out, a.msgs[id].raw)
	}
	return out
}

// count is the number of stored messages (not UID records).
func (c *memCache) count(accountID string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.account(accountID).order)
}

// deleteLocally marks a UID as deleted by the user (a mirror tombstone) and
// drops its message, as the store does.
func (c *memCache) deleteLocally(accountID, uid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a := c.account(accountID)
	rec, ok := a.uids[uid]
	if !ok {
		return
	}
	rec.State = UIDDeletedLocally
	a.uids[uid] = rec
	if m, ok := a.msgs[rec.MsgID]; ok {
		delete(a.byDigest, sha256.Sum256(m.raw))
		delete(a.msgs, rec.MsgID)
		a.order = slices.DeleteFunc(a.order, func(id string) bool { return id == rec.MsgID })
	}
}

// setFirstSeen changes a UID's first-seen time (for days:N tests).
func (c *memCache) setFirstSeen(accountID, uid string, when func(UIDRecord) UIDRecord) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a := c.account(accountID)
	if rec, ok := a.uids[uid]; ok {
		a.uids[uid] = when(rec)
	}
}

// savedHints returns the hints last saved and how many times SaveHints ran.
func (c *memCache) savedHints(accountID string) (ServerHints, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a := c.account(accountID)
	return a.hints, a.saved
}
