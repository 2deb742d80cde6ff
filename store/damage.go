package store

import (
	"errors"
	"fmt"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"
)

// ErrDamaged: the database file is damaged; errors.Is-able.
var ErrDamaged = errors.New("database damaged")

// errCorrupt marks a record that does not decode: the pages were readable
// but their bytes are not what popbox wrote.
var errCorrupt = errors.New("unreadable record")

// DamagedError is a damaged database met after Open: bbolt reports a broken
// page by panicking, a record does not decode, or a message's bytes do not
// match the SHA-256 stored with it; the store turns each into this error.
type DamagedError struct {
	Path   string
	Detail string
	// MessageID is the message found damaged; empty when the damage is not
	// that of one message.
	MessageID string
}

// Error names the file (and the message). What to do (repair) is the
// front end's to say (tui/i18n).
func (e *DamagedError) Error() string {
	what := "the database " + e.Path
	if e.MessageID != "" {
		what = "message " + e.MessageID + " in the database " + e.Path
	}
	return fmt.Sprintf("%s is damaged (%s); popbox changed nothing in it", what, e.Detail)
}

// Unwrap makes errors.Is(err, ErrDamaged) true.
func (e *DamagedError) Unwrap() error { return ErrDamaged }

// view runs a read transaction; a damaged page becomes a DamagedError.
//
// bbolt reads the file through a memory map and follows page numbers found
// in it; a damaged one that points past the end of the file would make it
// fault (SIGBUS or SIGSEGV) and end the process. SetPanicOnFault turns such
// a fault, in this goroutine and for the length of the transaction, into a
// panic that catchDamage takes like bbolt's own.
func (s *Store) view(fn func(*bolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer catchDamage(s.path, &err)
	return s.damage(s.db.View(fn))
}

// update runs a write transaction; a damaged page (or a fault, as for
// view) becomes a DamagedError. bbolt rolls the transaction back as the
// panic passes, so nothing of it is written.
func (s *Store) update(fn func(*bolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer catchDamage(s.path, &err)
	return s.damage(s.db.Update(fn))
}

// damage turns an undecodable record into a DamagedError.
func (s *Store) damage(err error) error {
	if errors.Is(err, errCorrupt) {
		return &DamagedError{Path: s.path, Detail: err.Error()}
	}
	return err
}

// catchDamage must be deferred directly. bbolt checks pages with assertions
// that panic ("page expected to be N, but self identifies as M"); checking
// the whole file up front (tx.Check) would read every page at each start,
// so the panic is taken at this one boundary instead and said in words.
func catchDamage(path string, err *error) {
	if r := recover(); r != nil {
		*err = &DamagedError{Path: path, Detail: fmt.Sprint(r)}
	}
}
