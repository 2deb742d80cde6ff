// Package store keeps popbox's accounts, sealed passwords, messages and
// server UID records in one bbolt file. It is the only package that imports
// bbolt; package mail reaches it through the mail.Cache interface.
//
// # Bucket tree
//
// Every key that orders something is fixed-width big-endian, so a cursor
// walks it in numeric order.
//
//	meta                       format and counters
//	    magic          "popbox" (a file without it is refused, never touched)
//	    schema         uint64: the schema of the file (see migrate.go)
//	    active         ID of the active account, absent when none
//	    next_account   uint64: the last account ID handed out
//	    next_message   uint64: the last global message ID handed out
//	accounts                   8-byte account ID -> JSON of mail.Account
//	                           (passwords are json:"-", never written here)
//	secrets                    "ID/incoming", "ID/outgoing" -> sealed password
//	                           (24-byte nonce + XChaCha20-Poly1305 box, see secrets.go)
//	ids                        8-byte global message ID -> 8-byte account ID + 16-byte msg key
//	pending                    8-byte global message ID -> 8-byte account ID: a large
//	                           message whose chunks are being written; its chunks are
//	                           removed at Open when a crash left it here (chunks.go)
//	acct                       one nested bucket per account:
//	    <8-byte account ID>
//	        count              uint64: number of messages (Count is O(1))
//	        tombstone_count    uint64: entries in tombstones (Tombstones is O(1))
//	        msgs               msg key -> JSON {uid, also, summary, seen, received, digest,
//	                           layout, chunks} (digest: SHA-256 of the raw bytes,
//	                           checked by every read of them; a mismatch is a
//	                           DamagedError; layout: how the raw bytes are stored)
//	        raw                8-byte global message ID -> the exact bytes as retrieved,
//	                           as one zstd frame (layout "zstd", messages up to 8 MiB;
//	                           compress.go); absent for a chunked one
//	        chunks             for a message over 8 MiB (layout "zstd-chunks"), one
//	                           nested bucket per 4 MiB of its bytes:
//	            <8-byte global ID + 4-byte chunk index>
//	                0x00       the chunk as one zstd frame
//	        index              msg key -> lower-cased "name address subject" for Search
//	        uids               server UID -> 17 bytes: 8-byte global message ID,
//	                           8-byte first-seen time (Unix ns), 1-byte mail.UIDState
//	        tombstones         server UID -> empty; present exactly when the
//	                           UID's state is mail.UIDDeletedLocally
//	        digests            SHA-256 of raw -> 8-byte global message ID
//	        deliver            8-byte global message ID -> 8-byte first-seen time + UID:
//	                           waiting for delivery to a Maildir or MDA; absent until
//	                           an account delivers (deliver.go)
//	        outbox             8-byte outbox ID -> JSON of Outgoing (state, recipients,
//	                           Message-ID, times); absent until the account sends (outbox.go)
//	        outbox_raw         8-byte outbox ID -> the exact bytes to send (a draft: its form)
//	        outbox_form        8-byte outbox ID -> the form a queued message was written in
//
// This is schema 3. Schemas 1 and 2 kept the plain bytes in raw under the
// msg key (layout absent; "chunks": plain chunks) and UID records as JSON
// {first_seen, msg_id, state}; Open upgrades such a file by rebuilding it
// (upgrade.go), and repair reads them all.
//
// A msg key is the Summary.Date in Unix nanoseconds (clamped to 0 ..
// MaxInt64) followed by the global message ID, both 8-byte big-endian: a
// cursor from the last key gives newest first, and among equal dates the
// later arrival first. The raw bytes are keyed by the global message ID
// alone, which only grows: a new message's bytes go at the end of the
// bucket and never make bbolt rewrite the pages of older ones.
//
// Account and message IDs are decimal strings of counters that only grow, so
// an ID is never reused. A batch of fetched messages is one db.Update: each
// message with its raw bytes, summary, index entry and UID record, or
// nothing at all. The chunks of a message over 8 MiB are written before, in
// transactions of their own, and registered in pending until the batch's
// transaction makes them the message's (chunks.go).
//
// # Opening
//
// Before anything is read or made, Open checks the database and key file
// paths: each must be a regular file (a named pipe would block the open for
// ever), belong to the effective user and be writable by no one else, in a
// folder no one else may write to unless it has the sticky bit (safety.go).
//
// Open never writes to a file it did not make: it checks the bbolt magic in
// the first page by hand, and refuses as damaged a file shorter than its
// header says (bbolt would read past its end and crash), then opens the file
// read-only to check the popbox marker and schema, and only then opens it
// for writing (migrating an older schema). Every read of the file runs with
// debug.SetPanicOnFault, so a page number that still leads outside the file
// is a DamagedError too, never a crash. A new database is built in a
// temporary file beside the target and linked into place once complete, so
// a crash never leaves a half-made file at the path.
package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Bucket and key names.
var (
	bucketMeta     = []byte("meta")
	bucketAccounts = []byte("accounts")
	bucketSecrets  = []byte("secrets")
	bucketIDs      = []byte("ids")
	bucketAcct     = []byte("acct")

	bucketMsgs       = []byte("msgs")
	bucketRaw        = []byte("raw")
	bucketIndex      = []byte("index")
	bucketUIDs       = []byte("uids")
	bucketTombstones = []byte("tombstones")
	bucketDigests    = []byte("digests")
	bucketChunks     = []byte("chunks")
	bucketPending    = []byte("pending")

	keyMagic       = []byte("magic")
	keySchema      = []byte("schema")
	keyActive      = []byte("active")
	keyNextAccount = []byte("next_account")
	keyNextMessage = []byte("next_message")
	keyCount       = []byte("count")

	magicValue = []byte("popbox")
)

// Sentinel errors of Open. The error Open returns is an *OpenError that
// wraps one of them and says, with the path, what to do.
var (
	// ErrLocked: another popbox (or another Open in this process) holds the database.
	ErrLocked = errors.New("database in use by another popbox")
	// ErrNotDatabase: the file is not a popbox database, or is damaged.
	ErrNotDatabase = errors.New("not a popbox database")
	// ErrNewerSchema: the file was written by a newer popbox.
	ErrNewerSchema = errors.New("database from a newer popbox")
	// ErrNoDatabase: there is no file at the path and Options.NoCreate
	// said not to make one.
	ErrNoDatabase = errors.New("no popbox database")
	// ErrUnsafe: the database or key file, or its folder, belongs to
	// another user or may be written by others, so it may have been planted
	// or changed by someone else (see safety.go).
	ErrUnsafe = errors.New("file not safe to use")
)

// OpenError is why Open refused a file, naming the path. It says what is
// wrong; what to do is the front end's to say (tui/i18n).
type OpenError struct {
	Path string
	// Key says Path is the key file that seals passwords, not the database.
	Key    bool
	Reason string // for ErrNotDatabase and ErrKeyFile: what is wrong with the file
	Schema uint64 // for ErrNewerSchema: the version found
	// Unsafe is, for ErrUnsafe, what makes the file unsafe.
	Unsafe Unsafety
	Err    error // ErrLocked, ErrNotDatabase, ErrNewerSchema, ErrKeyFile, ErrUnsafe or ErrNoDatabase
}

// Error says what happened, naming the path.
func (e *OpenError) Error() string {
	switch e.Err {
	case ErrLocked:
		return fmt.Sprintf("popbox is already running with this database (%s)", e.Path)
	case ErrNewerSchema:
		return fmt.Sprintf("%s was written by a newer popbox (schema %d)", e.Path, e.Schema)
	case ErrNoDatabase:
		return fmt.Sprintf("there is no popbox database at %s", e.Path)
	case ErrKeyFile:
		return fmt.Sprintf("the key file %s cannot be used (%s)", e.Path, e.Reason)
	case ErrUnsafe:
		what := "the database"
		if e.Key {
			what = "the key file"
		}
		return fmt.Sprintf("%s %s %s, so another user could have planted it or could change it; popbox did not read or write it", what, e.Path, e.Unsafe)
	}
	return fmt.Sprintf("%s is not a popbox database (%s)", e.Path, e.Reason)
}

// Unwrap returns the sentinel, for errors.Is.
func (e *OpenError) Unwrap() error { return e.Err }

// Options tune Open. The zero value gives the defaults.
type Options struct {
	// KeyFile holds the key that seals passwords; default: the database path + ".key".
	KeyFile string
	// PolicyFile is the administrator's sharing policy; default:
	// $POPBOX_POLICY, else /etc/popbox/policy.json.
	PolicyFile string
	// Timeout is how long Open waits for another popbox to let go of the
	// file; default 1 s.
	Timeout time.Duration
	// Progress, when set, is called while Open upgrades a database to a
	// new format (see upgrade.go), which takes a while for a large
	// mailbox: first with done 0, then after each batch, with how many of
	// the total messages are copied.
	Progress func(done, total int)
	// NoCreate: a database that does not exist is not created (nor its
	// folder); Open fails with ErrNoDatabase. For commands that only read,
	// so that a mistyped path makes nothing.
	NoCreate bool
}

// DefaultPolicyFile is where the administrator's sharing policy lives when
// neither Options.PolicyFile nor $POPBOX_POLICY says otherwise.
const DefaultPolicyFile = "/etc/popbox/policy.json"

// Store is an open popbox database. Its methods are safe for concurrent use.
// Lend gives another handle on the same open database whose Close does
// nothing.
type Store struct {
	*state
	// lent: a handle from Lend; Close leaves the database open.
	lent bool
}

// state is the open database that a Store and the handles lent from it
// share.
type state struct {
	db         *bolt.DB
	path       string
	keyFile    string
	policyFile string

	keyMu sync.Mutex
	key   []byte // loaded on first need

	// pendingMu guards inflight, the message IDs whose chunks a Commit is
	// writing (see chunks.go), and keeps cleanPending from taking one of
	// them for a leftover.
	pendingMu sync.Mutex
	inflight  map[uint64]bool

	// fetchMu guards fetching: per account, a slot that the one fetch of
	// it in this process holds (see LockFetch).
	fetchMu  sync.Mutex
	fetching map[string]chan struct{}

	// outMu guards sendingNow: the outbox entries ("account/id") that a
	// send in this process has marked sending (see outbox.go), which
	// SettleOutbox must leave alone.
	outMu      sync.Mutex
	sendingNow map[string]bool
}

// DefaultPath is $XDG_DATA_HOME/popbox/popbox.db, with XDG_DATA_HOME
// defaulting to ~/.local/share (a relative XDG_DATA_HOME is ignored, as the
// XDG spec asks).
func DefaultPath() (string, error) {
	base := os.Getenv("XDG_DATA_HOME")
	if base == "" || !filepath.IsAbs(base) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the database: %w; set XDG_DATA_HOME or use --db", err)
		}
		base = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(base, "popbox", "popbox.db"), nil
}

// ResolvePath picks the database: flag when it is non-empty, else $POPBOX_DB,
// else DefaultPath().
func ResolvePath(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if env := os.Getenv("POPBOX_DB"); env != "" {
		return env, nil
	}
	return DefaultPath()
}

// Open opens the database at path, creating it (folder 0700, file 0600) when
// it does not exist. A database or key file that another user could have
// planted or could change (see safety.go) is refused with ErrUnsafe before
// anything is read from it. A file that is not a popbox database (or not a
// regular file at all: a folder, a named pipe, a device) is refused with
// ErrNotDatabase and left untouched; one cut short (shorter than its
// header says) with a DamagedError; one from a newer popbox with
// ErrNewerSchema; one held by another popbox, after opts.Timeout, with
// ErrLocked. A key file path that holds something other than a regular file
// is refused with ErrKeyFile. With opts.NoCreate a missing database is
// ErrNoDatabase, and nothing is made. A database of an older schema is
// migrated, and chunks a crash left unfinished are removed.
func Open(path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("open database: empty path")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = time.Second
	}
	if opts.KeyFile == "" {
		opts.KeyFile = path + ".key"
	}
	if opts.PolicyFile == "" {
		opts.PolicyFile = os.Getenv("POPBOX_POLICY")
	}
	if opts.PolicyFile == "" {
		opts.PolicyFile = DefaultPolicyFile
	}

	_, exists, err := checkSafePath(path, false)
	if err != nil {
		return nil, err
	}
	if _, _, err := checkSafePath(opts.KeyFile, true); err != nil {
		return nil, err
	}
	if !exists && opts.NoCreate {
		return nil, &OpenError{Path: path, Err: ErrNoDatabase}
	}
	if !exists {
		if err := create(path); err != nil {
			return nil, err
		}
	}

	head, err := checkSignature(path)
	if err != nil {
		return nil, err
	}
	// bbolt maps the file and trusts its header: pages past the end of a
	// file cut short would make it fault (SIGBUS or SIGSEGV), so such a
	// file is refused before bbolt sees it.
	if head.short() {
		return nil, &DamagedError{Path: path, Detail: head.shortDetail()}
	}
	schema, err := inspect(path, opts.Timeout)
	if err != nil {
		return nil, err
	}

	db, err := openLocked(path, opts.Timeout)
	if err != nil {
		return nil, err
	}
	if schema < currentSchema() {
		db, err = upgradeSchemas(db, path, schema, opts)
		if err != nil {
			return nil, err
		}
	}
	s := &Store{state: &state{db: db, path: path, keyFile: opts.KeyFile, policyFile: opts.PolicyFile,
		inflight: map[uint64]bool{}, fetching: map[string]chan struct{}{}}}
	// Chunks a crash left between a Commit's chunk transactions and its
	// batch's are removed now. Failing to is no reason to refuse the
	// database: nothing points at them, and the next Commit tries again.
	_ = s.cleanPending()
	return s, nil
}

// openLocked opens the database for writing, holding its lock. bbolt locks
// the file it opened; when that is no longer the file at path (an upgrade
// in another popbox renamed a new one over it while this one waited for
// the lock), it opens path again.
func openLocked(path string, timeout time.Duration) (*bolt.DB, error) {
	for tries := 0; ; tries++ {
		db, f, err := openBoltFile(path, boltOptions(timeout, false))
		if err != nil {
			return nil, openErr(path, err)
		}
		opened, err1 := f.Stat()
		now, err2 := os.Stat(path)
		if err1 != nil || err2 != nil || os.SameFile(opened, now) || tries == 3 {
			return db, nil
		}
		_ = db.Close()
	}
}

// upgradeSchemas brings db, of schema from, to the current schema: the
// steps in migrations each in the transaction that records it, the
// rebuild of upgrade.go for schema 3. It returns the handle to use, which
// the rebuild replaces; db is closed on an error.
func upgradeSchemas(db *bolt.DB, path string, from uint64, opts Options) (_ *bolt.DB, err error) {
	defer func() {
		if err != nil {
			_ = db.Close()
			err = fmt.Errorf("upgrade database %s from schema %d: %w", path, from, err)
		}
	}()
	inTx := func(list []migration) (err error) {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer catchDamage(path, &err)
		return db.Update(func(tx *bolt.Tx) error { return migrate(tx, list) })
	}
	if from < upgradeSchema {
		// A schema 2 file is not written to before the rename: a kill
		// during the upgrade leaves it exactly as it was.
		if steps := stepsBefore(upgradeSchema); from < steps[len(steps)-1].version {
			if err := inTx(steps); err != nil {
				return nil, err
			}
		}
		nu, err := func() (_ *bolt.DB, err error) {
			defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
			defer catchDamage(path, &err)
			return upgrade(db, path, opts)
		}()
		if err != nil {
			return nil, err
		}
		db = nu
	}
	return db, inTx(migrations)
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close releases the file and its lock; on a handle from Lend it does
// nothing.
func (s *Store) Close() error {
	if s.lent {
		return nil
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close database %s: %w", s.path, err)
	}
	return nil
}

// initialMmapSize reserves address space up front (not memory, not disk):
// while the file fits, a growing write transaction neither waits for open
// read transactions nor remaps, and a remap would make bbolt copy every
// pending value, a 50 MiB message included, onto the heap.
const initialMmapSize = 1 << 30

func boltOptions(timeout time.Duration, readOnly bool) *bolt.Options {
	o := &bolt.Options{
		Timeout:      timeout,
		ReadOnly:     readOnly,
		OpenFile:     openRegular,
		FreelistType: bolt.FreelistMapType,
		// The free list is written with each commit: without it every Open
		// walks (and so maps into memory) the whole file to rebuild it,
		// which cost 1.5 s and 110 MiB of RSS at 100,000 messages.
		NoFreelistSync: false,
		NoSync:         false,
	}
	if strconv.IntSize == 64 && !readOnly {
		o.InitialMmapSize = initialMmapSize
	}
	return o
}

// openErr maps what bolt.Open said to the sentinels.
func openErr(path string, err error) error {
	var (
		oe *OpenError
		de *DamagedError
	)
	switch {
	case errors.As(err, &oe), errors.As(err, &de):
		return err
	case errors.Is(err, berrors.ErrTimeout):
		return &OpenError{Path: path, Err: ErrLocked}
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum):
		return &OpenError{Path: path, Err: ErrNotDatabase, Reason: "its header is damaged"}
	case errors.Is(err, berrors.ErrVersionMismatch):
		return &OpenError{Path: path, Err: ErrNotDatabase, Reason: "it uses an unknown bbolt format version"}
	}
	return fmt.Errorf("open database %s: %w", path, err)
}

// openBolt is bolt.Open that turns a panic or a memory fault while bbolt
// reads the file (its free list, on a damaged page) into a DamagedError;
// the file bbolt opened is then closed again, which also drops its lock.
func openBolt(path string, o *bolt.Options) (db *bolt.DB, err error) {
	db, _, err = openBoltFile(path, o)
	return db, err
}

// openBoltFile is openBolt that also returns the file bbolt opened.
func openBoltFile(path string, o *bolt.Options) (db *bolt.DB, f *os.File, err error) {
	o.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
		var err error
		f, err = openRegular(name, flag, perm)
		return f, err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if f != nil {
				f.Close()
			}
			db, f, err = nil, nil, &DamagedError{Path: path, Detail: fmt.Sprint(r)}
		}
	}()
	db, err = bolt.Open(path, 0o600, o)
	return db, f, err
}

// create builds a fresh database in a temporary file beside path and links
// it into place, so that path never holds a database without its marker.
func create(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create database folder %s: %w", dir, err)
	}
	// The folder may have been there already, or made by someone else
	// since Open looked.
	if err := checkSafeFolder(path, false); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".new-*")
	if err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("create database %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}

	db, err := bolt.Open(tmp, 0o600, boltOptions(time.Second, false))
	if err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	err = db.Update(initSchema)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}

	// Link fails when path appeared meanwhile (another popbox made it first);
	// that file is then opened as usual.
	if err := os.Link(tmp, path); err != nil && !errors.Is(err, os.ErrExist) {
		// A file system without hard links: rename is atomic too.
		if rerr := os.Rename(tmp, path); rerr != nil {
			return fmt.Errorf("create database %s: %w", path, rerr)
		}
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// bbolt's on-disk layout (internal/common in bbolt v1.5.0): a page starts
// with a 16-byte header (id uint64, flags uint16, count uint16, overflow
// uint32); on the two meta pages (0 and 1) the meta follows it, starting
// with magic uint32 and version uint32, all in the machine's byte order.
const (
	boltPageHeaderSize = 16
	boltMetaPageFlag   = 0x04
	boltMagic          = 0xED0CDAED
	boltVersion        = 2
)

// fileHead is what checkSignature read of a database file.
type fileHead struct {
	size   int64
	header boltHeader
	valid  bool // header is from a meta page with a right checksum
}

// short says whether the file is shorter than its own header says: it was
// cut short (a full disk, an interrupted copy), and bbolt would read past
// its end.
func (h fileHead) short() bool { return h.valid && h.size < h.header.size() }

// shortDetail says so, for a DamagedError.
func (h fileHead) shortDetail() string {
	return fmt.Sprintf("the file is %s long, shorter than the %s its own header says it holds: it was cut short", byteCount(h.size), byteCount(h.header.size()))
}

// byteCount says "3,361,177 bytes".
func byteCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s + " bytes"
}

// checkSignature refuses a file that bbolt would not recognise, before bbolt
// gets a chance to initialise it (bbolt writes fresh meta pages into an
// empty file), and reads the header bbolt would use.
func checkSignature(path string) (fileHead, error) {
	f, err := openRegular(path, os.O_RDONLY, 0)
	var oe *OpenError
	if errors.As(err, &oe) {
		return fileHead{}, err
	}
	if err != nil {
		return fileHead{}, fmt.Errorf("open database %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fileHead{}, fmt.Errorf("open database %s: %w", path, err)
	}
	if info.Size() == 0 {
		return fileHead{}, &OpenError{Path: path, Err: ErrNotDatabase, Reason: "the file is empty"}
	}
	head := fileHead{size: info.Size()}
	head.header, head.valid = readHeader(f, info.Size())
	buf := make([]byte, 0x1000)
	n, err := f.ReadAt(buf, 0)
	if err != nil && err != io.EOF {
		return fileHead{}, fmt.Errorf("read database %s: %w", path, err)
	}
	if isMetaPage(buf[:n]) {
		return head, nil
	}
	// Page 0 may be torn; bbolt then trusts page 1, found by trying page
	// sizes from 1 KiB up, as bbolt does.
	for i := 0; i <= 14; i++ {
		pos := int64(1024) << i
		if pos >= info.Size()-boltPageHeaderSize-8 {
			break
		}
		n, err := f.ReadAt(buf[:64], pos)
		if err != nil && err != io.EOF {
			return fileHead{}, fmt.Errorf("read database %s: %w", path, err)
		}
		if isMetaPage(buf[:n]) {
			return head, nil
		}
	}
	return fileHead{}, &OpenError{Path: path, Err: ErrNotDatabase, Reason: "no bbolt signature at the start"}
}

func isMetaPage(b []byte) bool {
	if len(b) < boltPageHeaderSize+8 {
		return false
	}
	flags := binary.NativeEndian.Uint16(b[8:10])
	magic := binary.NativeEndian.Uint32(b[boltPageHeaderSize : boltPageHeaderSize+4])
	version := binary.NativeEndian.Uint32(b[boltPageHeaderSize+4 : boltPageHeaderSize+8])
	return flags&boltMetaPageFlag != 0 && magic == boltMagic && version == boltVersion
}

// inspect opens path read-only and returns its schema version, refusing a
// bbolt file without the popbox marker and one from a newer popbox.
func inspect(path string, timeout time.Duration) (schema uint64, err error) {
	db, err := openBolt(path, boltOptions(timeout, true))
	if err != nil {
		return 0, openErr(path, err)
	}
	defer db.Close()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	// bbolt panics on some damaged pages; a damaged file is refused like a foreign one.
	defer func() {
		if r := recover(); r != nil {
			schema, err = 0, &OpenError{Path: path, Err: ErrNotDatabase, Reason: fmt.Sprintf("it is damaged: %v", r)}
		}
	}()
	err = db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil || string(meta.Get(keyMagic)) != string(magicValue) {
			return &OpenError{Path: path, Err: ErrNotDatabase, Reason: "a bbolt file without the popbox marker"}
		}
		v := meta.Get(keySchema)
		if len(v) != 8 || binary.BigEndian.Uint64(v) == 0 {
			return &OpenError{Path: path, Err: ErrNotDatabase, Reason: "its schema version is missing"}
		}
		schema = binary.BigEndian.Uint64(v)
		return nil
	})
	if err != nil {
		return 0, err
	}
	if schema > currentSchema() {
		return 0, &OpenError{Path: path, Err: ErrNewerSchema, Schema: schema}
	}
	return schema, nil
}

// u64 is the 8-byte big-endian form of n.
func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

// nextCounter increments a uint64 counter in meta and returns the new value.
func nextCounter(tx *bolt.Tx, key []byte) (uint64, error) {
	meta := tx.Bucket(bucketMeta)
	var n uint64
	if v := meta.Get(key); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	n++
	if err := meta.Put(key, u64(n)); err != nil {
		return 0, fmt.Errorf("counter %s: %w", key, err)
	}
	return n, nil
}
