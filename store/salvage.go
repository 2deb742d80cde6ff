package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// A damaged database is not repaired in place: Salvage reads it read-only
// and copies what can still be read into a new database, made by the same
// create as a fresh one. Each message is checked against its digest, so a
// copied message is byte for byte what the server sent, and its index,
// digest and ID entries are written anew by putMessage, so the copy is as
// consistent as one Commit built. UID records of lost messages are dropped:
// a message still on the server is then fetched again rather than hidden
// behind a record that points at nothing.

// SalvageReport says what Salvage copied and what it could not.
type SalvageReport struct {
	// Accounts is how many accounts were copied, with their settings and
	// sealed passwords.
	Accounts int
	// Messages is how many messages were copied.
	Messages int
	// Lost is how many messages the damaged file is known to have held but
	// that could not be read: exact, unless LostUnknown is set, when it is
	// the least that was lost.
	Lost int
	// UIDsDropped is how many server UID records were left out because the
	// message they led to was lost.
	UIDsDropped int
	// Damaged is whether any part of the file could not be read; false means
	// the copy is complete.
	Damaged bool
	// Truncated is whether the file is shorter than its own header says
	// (cut short by a full disk or an interrupted copy): what lay past its
	// end is lost.
	Truncated bool
	// LostUnknown is whether the damage also took what says how many
	// messages the file held (an account's count, the ids bucket, the
	// digests), so that more than Lost may be lost; MaxMessages bounds it.
	LostUnknown bool
	// MaxMessages, given with LostUnknown, is how many messages the file
	// can have held at most: the message IDs it had handed out (deleted
	// messages used IDs too). 0 when that counter could not be read either.
	MaxMessages int
}

// Salvage batches: a write transaction of the new file takes at most this
// many messages or raw bytes, so memory stays bounded whatever the size of
// the mailbox.
const (
	salvageBatch      = 500
	salvageBatchBytes = 32 << 20
)

// Bounds that make every walk of a damaged bucket end (see walk): how many
// damaged stretches are stepped over, and how many keys that are not after
// the last one read are passed over in a row before the cursor counts as
// going round in circles.
const (
	maxSkips = 10_000
	maxStale = 1 << 20
)

// salvageError is a refusal of Salvage as one sentence; it unwraps to the
// cause for errors.Is.
type salvageError struct {
	msg string
	err error
}

func (e *salvageError) Error() string { return e.msg }
func (e *salvageError) Unwrap() error { return e.err }

// Salvage copies everything that can still be read from the database at src
// into a new database at dst: accounts, sealed passwords, messages with
// their raw bytes, UID records and the ID counters, so IDs stay the same and
// are never handed out again. The key file that seals the passwords
// (opts.KeyFile, default src + ".key") is copied to dst + ".key";
// opts.Timeout is as for Open, opts.PolicyFile is not used.
//
// src is opened read-only and never changed. Salvage refuses when dst or
// dst + ".key" exists, and fails with ErrLocked (after opts.Timeout) when
// another popbox holds src. The new database is built beside dst and linked
// into place only when complete.
//
// A message is copied only when its record decodes and its raw bytes (put
// together from their chunks for a message over 8 MiB, and chunked again
// in the copy) match the digest stored with it; chunks a crash left
// unfinished (see chunks.go) are not copied. Databases from schema 1 on
// are read. UID records pointing at a message that was not copied are
// dropped (UIDsDropped), except those of messages deleted in popbox: their
// tombstones keep them from being fetched again.
func Salvage(src, dst string, opts Options) (rep SalvageReport, err error) {
	if src == "" || dst == "" {
		return rep, errors.New("repair: both the damaged and the new database need a path")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = time.Second
	}
	if opts.KeyFile == "" {
		opts.KeyFile = src + ".key"
	}
	dstKey := dst + ".key"
	for _, p := range []string{dst, dstKey} {
		if _, err := os.Lstat(p); err == nil {
			return rep, &salvageError{
				msg: fmt.Sprintf("%s already exists; repair writes only to a new file, so name another one or move that one away", p),
				err: os.ErrExist,
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return rep, fmt.Errorf("repair into %s: %w", dst, err)
		}
	}
	info, exists, err := checkSafePath(src, false)
	switch {
	case err != nil:
		return rep, err
	case !exists:
		return rep, &salvageError{msg: fmt.Sprintf("there is no database at %s to repair", src), err: os.ErrNotExist}
	case info.Size() == 0:
		return rep, &OpenError{Path: src, Err: ErrNotDatabase, Reason: "the file is empty"}
	}
	if _, _, err := checkSafePath(opts.KeyFile, true); err != nil {
		return rep, err
	}

	// bbolt maps the file, and more than the file when it is small: a page
	// number from a damaged page, or a file cut short, leads it to read
	// past the end, and that fault would kill the process. With this it is
	// a panic like bbolt's own checks, which the guards below recover.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	// The guards cover every read of src; this one only keeps a fault in
	// this code from ending the program without a word, since a repair is
	// run when things already went wrong.
	defer func() {
		if r := recover(); r != nil {
			rep, err = SalvageReport{}, fmt.Errorf("repair of %s stopped (%v); %s was not made", src, r, dst)
		}
	}()

	noHeader := &salvageError{
		msg: fmt.Sprintf("%s cannot be repaired: neither of its two header pages is intact, so nothing in it can be found (or it is not a popbox database at all)", src),
		err: ErrNotDatabase,
	}
	head, err := checkSignature(src)
	if errors.Is(err, ErrNotDatabase) {
		return rep, noHeader
	} else if err != nil {
		return rep, err
	}
	db, err := openBolt(src, boltOptions(opts.Timeout, true))
	var de *DamagedError
	switch {
	case errors.As(err, &de):
		return rep, &salvageError{msg: fmt.Sprintf("%s cannot be repaired: bbolt cannot even open it (%s)", src, de.Detail), err: ErrDamaged}
	case errors.Is(err, berrors.ErrTimeout):
		return rep, &OpenError{Path: src, Err: ErrLocked}
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
		return rep, noHeader
	case err != nil:
		return rep, fmt.Errorf("repair %s: %w", src, err)
	}
	defer db.Close()

	c := &salvage{src: &source{db: db}, copied: map[string]bool{}}
	c.rep.Truncated = head.short()
	if err := c.readMeta(src); err != nil {
		return rep, err
	}

	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return rep, fmt.Errorf("repair into %s: %w", dst, err)
	}
	if err := checkSafeFolder(dst, false); err != nil {
		return rep, err
	}
	// Built in a folder of its own beside dst, so that a failed repair
	// leaves nothing behind and dst appears only complete.
	work, err := os.MkdirTemp(dir, "."+filepath.Base(dst)+".repair-*")
	if err != nil {
		return rep, fmt.Errorf("repair into %s: %w", dst, err)
	}
	defer os.RemoveAll(work)
	tmp := filepath.Join(work, filepath.Base(dst))
	if err := create(tmp); err != nil {
		return rep, err
	}
	out, err := bolt.Open(tmp, 0o600, boltOptions(time.Second, false))
	if err != nil {
		return rep, fmt.Errorf("repair into %s: %w", dst, err)
	}
	closed := false
	defer func() {
		if !closed {
			_ = out.Close()
		}
	}()
	// Nothing is lost if the machine stops before the end (the file is not
	// at dst yet), so the batches skip their fsync and one Sync at the end
	// makes the whole file durable.
	out.NoSync = true
	c.dst = out
	err = c.run()
	if err == nil {
		err = out.Sync()
	}
	closed = true
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return SalvageReport{}, fmt.Errorf("repair into %s: %w", dst, err)
	}
	c.rep.Damaged = c.src.damaged || c.corrupt || c.rep.Lost > 0 || c.rep.UIDsDropped > 0 || c.rep.Truncated || c.rep.LostUnknown
	if c.rep.Accounts == 0 && c.rep.Damaged {
		why := ""
		if c.rep.Truncated {
			why = " (" + head.shortDetail() + ")"
		}
		return SalvageReport{}, &salvageError{
			msg: fmt.Sprintf("no account can be read from %s%s, so there is nothing to copy; %s was not made", src, why, dst),
			err: ErrDamaged,
		}
	}

	// The key goes first: a database linked without it would hold
	// passwords nothing can open.
	keyCopied, err := copyKeyFile(opts.KeyFile, dstKey)
	if err != nil {
		return SalvageReport{}, err
	}
	if err := linkInPlace(tmp, dst); err != nil {
		if keyCopied {
			os.Remove(dstKey)
		}
		return SalvageReport{}, err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return c.rep, nil
}

// copyKeyFile copies the key that seals passwords, when there is one, to a
// new 0600 file.
func copyKeyFile(from, to string) (bool, error) {
	key, err := readKeyFile(from)
	var oe *OpenError
	if errors.As(err, &oe) {
		return false, err
	}
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read the key file %s: %w", from, err)
	}
	f, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return false, fmt.Errorf("create key file %s: %w", to, err)
	}
	_, err = f.Write(key)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(to)
		return false, fmt.Errorf("write key file %s: %w", to, err)
	}
	return true, nil
}

// linkInPlace puts the finished database at dst without ever replacing a
// file that appeared there meanwhile.
func linkInPlace(tmp, dst string) error {
	err := os.Link(tmp, dst)
	if err == nil {
		return nil
	}
	if errors.Is(err, os.ErrExist) {
		return &salvageError{msg: fmt.Sprintf("%s appeared while the repair ran; it was left alone and nothing was written", dst), err: os.ErrExist}
	}
	// A file system without hard links.
	if _, serr := os.Lstat(dst); !errors.Is(serr, os.ErrNotExist) {
		return fmt.Errorf("repair into %s: %w", dst, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("repair into %s: %w", dst, err)
	}
	return nil
}
