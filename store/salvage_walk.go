package store

import (
	"bytes"
	"errors"
	"math/big"

	bolt "go.etcd.io/bbolt"
)

// The reading side of Salvage: the damaged database, and walks over its
// buckets that step over damaged pages.

// source is the damaged database, open read-only. bbolt checks each page as
// it reads it and panics on a bad one, so every read goes through a guard
// that turns the panic into a skipped key or a stopped walk, and notes that
// the file is damaged.
type source struct {
	db      *bolt.DB
	damaged bool
	// faults counts the damaged reads met, so that a caller can tell
	// whether one walk read its whole bucket.
	faults int
}

// fault notes a damaged read.
func (s *source) fault() {
	s.damaged = true
	s.faults++
}

// errPageDamaged is what a guarded read returns when bbolt panicked.
var errPageDamaged = errors.New("damaged page")

// view runs fn in a new read transaction. bbolt's View rolls the
// transaction back as a panic passes, so after one the next view starts
// clean.
func (s *source) view(fn func(tx *bolt.Tx) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.fault()
			err = errPageDamaged
		}
	}()
	return s.db.View(fn)
}

// get reads one key; ok is false when a damaged page was met on the way.
// Only that key is lost: a read transaction keeps no state a failed lookup
// could have spoilt.
func (s *source) get(b *bolt.Bucket, k []byte) (v []byte, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			s.fault()
			v, ok = nil, false
		}
	}()
	return b.Get(k), true
}

// chunks reads the n chunks of message gid from a chunks bucket and puts
// them together, decompressing each when packed (layoutZstdChunks); ok is
// false when one is missing, cannot be read or does not decode.
func (s *source) chunks(chunks *bolt.Bucket, gid []byte, n int, packed bool) (body []byte, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			s.fault()
			body, ok = nil, false
		}
	}()
	parts, missing := readChunks(chunks, gid, n)
	if missing >= 0 {
		return nil, false
	}
	if packed {
		for _, p := range parts {
			var err error
			if body, err = decompress(body, p); err != nil {
				return nil, false
			}
		}
		return body, true
	}
	size := 0
	for _, p := range parts {
		size += len(p)
	}
	body = make([]byte, 0, size)
	for _, p := range parts {
		body = append(body, p...)
	}
	return body, true
}

// bucket finds the nested bucket at path; nil when it is missing or cannot
// be reached.
func (s *source) bucket(tx *bolt.Tx, path [][]byte) (b *bolt.Bucket) {
	defer func() {
		if r := recover(); r != nil {
			s.fault()
			b = nil
		}
	}()
	b = tx.Bucket(path[0])
	for _, name := range path[1:] {
		if b == nil {
			return nil
		}
		b = b.Bucket(name)
	}
	return b
}

// visitGuarded runs visit on one key; a panic (a value pointing outside
// the file) loses that key only.
func (s *source) visitGuarded(visit func(k, v []byte) bool, k, v []byte) (pause bool) {
	defer func() {
		if r := recover(); r != nil {
			s.fault()
			pause = false
		}
	}()
	return visit(k, v)
}

// walk calls visit for the keys of the bucket at path in ascending order,
// each at most once. pass is called at the start of each read transaction
// and returns the visit for it, so that visit can use other buckets of that
// transaction; k and v are valid only until visit returns. When visit
// returns true the transaction ends, flush runs (outside the guards, so an
// error writing the new file is not taken for damage), and the walk goes on
// after the last key. flush may be nil when visit never returns true.
//
// When a damaged page stops the cursor, the walk starts a new transaction
// and seeks just past the last key it read (that key with a 0x00 byte
// appended). If that seek fails at once, the damage lies right after the
// key, and resume finds the first key beyond it that a seek reaches; keys
// in between are lost. hints are keys known (from another bucket) to be in
// this one, in ascending order: with them the walk lands on the first key
// after the damage exactly. Each resume point is strictly after the one
// before and at most maxSkips damaged stretches are stepped over, so a walk
// always ends.
func (s *source) walk(path [][]byte, hints [][]byte, pass func(tx *bolt.Tx) func(k, v []byte) bool, flush func() error) error {
	var (
		last     []byte // the last key visited
		from     []byte // where the next transaction seeks; nil: the first key
		fromSkip bool   // from came from resume, not from last
		hint     int    // the place in hints; it only moves forward
	)
	for skips := 0; ; {
		var ended, paused, progressed bool
		err := s.view(func(tx *bolt.Tx) error {
			b := s.bucket(tx, path)
			if b == nil {
				ended = true
				return nil
			}
			visit := pass(tx)
			c := b.Cursor()
			var k, v []byte
			if from == nil {
				k, v = c.First()
			} else {
				k, v = c.Seek(from)
			}
			stale := 0
			for ; k != nil; k, v = c.Next() {
				if last != nil && bytes.Compare(k, last) <= 0 {
					// Keys out of order: a damaged page, or a cursor
					// that came round again.
					if stale++; stale > maxStale {
						s.fault()
						return errPageDamaged
					}
					continue
				}
				stale = 0
				pause := s.visitGuarded(visit, k, v)
				last = copyBytes(k)
				progressed = true
				if pause {
					paused = true
					return nil
				}
			}
			ended = true
			return nil
		})
		if err != nil && !errors.Is(err, errPageDamaged) {
			return err
		}
		switch {
		case paused:
			if err := flush(); err != nil {
				return err
			}
			from, fromSkip = append(copyBytes(last), 0), false
			continue
		case ended:
			return nil
		}
		if skips++; skips > maxSkips {
			return nil
		}
		if progressed {
			from, fromSkip = append(copyBytes(last), 0), false
			continue
		}
		// Nothing could be read from `from` on: the damage starts right
		// after last, or after the point an earlier resume landed on.
		lo := last
		if fromSkip {
			lo = from
		}
		next, ok := s.resume(path, lo, hints, &hint)
		if !ok {
			return nil
		}
		from, fromSkip = next, true
	}
}

// resume finds where a walk goes on after damage right after lo (nil: at
// the start of the bucket): the first hint after lo that a seek reaches,
// else whatever skipPast finds. hint is the walk's place in hints; it only
// moves forward, so over a whole walk each hint is sought at most once.
func (s *source) resume(path [][]byte, lo []byte, hints [][]byte, hint *int) ([]byte, bool) {
	for ; *hint < len(hints); *hint++ {
		h := hints[*hint]
		if lo != nil && bytes.Compare(h, lo) <= 0 {
			continue
		}
		if s.seeks(path, h) {
			return h, true
		}
	}
	return s.skipPast(path, lo)
}

// skipPast finds where a walk can go on after damage that starts right
// after lo, knowing no key beyond it. Keys are taken as numbers of
// n = max(16, len(lo)) bytes, lo padded with zeros; the step from lo doubles
// until a seek no longer meets a damaged page, then the gap to the last
// failing point is halved down to one. That is at most 16·n+1 seeks. Each
// point is sought with its trailing zero bytes cut off, so the first key of
// the page after the damage is itself reached (a fixed-width key exactly, a
// shorter one too); the result is always strictly after lo. The doubling
// can overshoot a short readable stretch between two damaged ones, which is
// why walks are given hints where there are any. false means no seek after
// lo succeeds.
func (s *source) skipPast(path [][]byte, lo []byte) ([]byte, bool) {
	n := max(16, len(lo))
	padded := make([]byte, n)
	copy(padded, lo)
	base := new(big.Int).SetBytes(padded)
	end := new(big.Int).Lsh(big.NewInt(1), uint(8*n))
	key := func(x *big.Int) []byte {
		return bytes.TrimRight(x.FillBytes(make([]byte, n)), "\x00")
	}

	bad := base
	var good *big.Int
	for step := big.NewInt(1); ; step = new(big.Int).Lsh(step, 1) {
		c := new(big.Int).Add(base, step)
		if c.Cmp(end) >= 0 {
			return nil, false
		}
		if s.seeks(path, key(c)) {
			good = c
			break
		}
		bad = c
	}
	for {
		mid := new(big.Int).Add(bad, good)
		mid.Rsh(mid, 1)
		if mid.Cmp(bad) <= 0 {
			return key(good), true
		}
		if s.seeks(path, key(mid)) {
			good = mid
		} else {
			bad = mid
		}
	}
}

// seeks reports whether a cursor of the bucket at path can seek to k
// without meeting a damaged page.
func (s *source) seeks(path [][]byte, k []byte) bool {
	return s.view(func(tx *bolt.Tx) error {
		b := s.bucket(tx, path)
		if b == nil {
			return errPageDamaged
		}
		b.Cursor().Seek(k)
		return nil
	}) == nil
}

// getAt reads one key of the bucket at path in a transaction of its own,
// copied out; nil when it is missing or cannot be read.
func (s *source) getAt(path [][]byte, k []byte) []byte {
	var out []byte
	_ = s.view(func(tx *bolt.Tx) error {
		if b := s.bucket(tx, path); b != nil {
			if v, ok := s.get(b, k); ok {
				out = copyBytes(v)
			}
		}
		return nil
	})
	return out
}
