package store

import (
	"context"
	"sync"
)

// Lend returns another handle on the open database, for code that closes
// what it opened (a command popbox serves from the running TUI, see
// cmd/popbox/serve.go): its Close does nothing, and everything else is
// the Store's own, the fetch locks included. The database stays open
// until the Store itself is closed, which the lender does only after the
// borrowers are done.
func (s *Store) Lend() *Store {
	return &Store{state: s.state, lent: true}
}

// LockFetch waits until no other fetch of the account runs in this
// process, and takes its turn: two fetches of one account at once would
// both plan from the same UID records and retrieve the same new messages.
// The caller calls unlock when its fetch is over (more calls do nothing).
// It returns ctx's error when ctx ends first. Another process cannot
// fetch meanwhile anyway: it cannot open the database.
func (s *Store) LockFetch(ctx context.Context, accountID string) (unlock func(), err error) {
	slot := s.fetchSlot(accountID)
	select {
	case slot <- struct{}{}:
		return releaser(slot), nil
	default:
	}
	select {
	case slot <- struct{}{}:
		return releaser(slot), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// TryLockFetch is LockFetch that does not wait: ok is false when another
// fetch of the account runs in this process.
func (s *Store) TryLockFetch(accountID string) (unlock func(), ok bool) {
	slot := s.fetchSlot(accountID)
	select {
	case slot <- struct{}{}:
		return releaser(slot), true
	default:
		return nil, false
	}
}

func (s *Store) fetchSlot(accountID string) chan struct{} {
	s.fetchMu.Lock()
	defer s.fetchMu.Unlock()
	slot := s.fetching[accountID]
	if slot == nil {
		slot = make(chan struct{}, 1)
		s.fetching[accountID] = slot
	}
	return slot
}

func releaser(slot chan struct{}) func() {
	var once sync.Once
	return func() { once.Do(func() { <-slot }) }
}
