//go:build unix

package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func init() {
	// The database and its folder must not be writable by group or others;
	// the temporary folders of the tests are made with the umask, which
	// some systems set to 002.
	syscall.Umask(0o022)
}

// nobody is the user other files are given to: uid 65534 on Debian and
// most systems.
const nobody = 65534

// needChown skips a case that gives a file to another user when the tests
// cannot (not root), except in CI, which runs as root and must run them.
func needChown(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal("this case gives files to another user and needs root; CI runs the tests as root")
	}
	t.Skip("giving a file to another user needs root")
}

// fileState is what a refused open must not change.
type fileState struct {
	data  []byte
	mtime time.Time
	there bool
}

func stateOf(t *testing.T, path string) fileState {
	t.Helper()
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return fileState{}
	}
	if err != nil {
		t.Fatal(err)
	}
	if info.IsDir() {
		return fileState{mtime: info.ModTime(), there: true}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fileState{data: b, mtime: info.ModTime(), there: true}
}

func (a fileState) same(b fileState) bool {
	return a.there == b.there && bytes.Equal(a.data, b.data) && a.mtime.Equal(b.mtime)
}

// unsafeLayout is a database with an account (and so a key file) in a
// folder of its own, for a case to spoil.
type unsafeLayout struct {
	dir, db, key string
}

func newUnsafeLayout(t *testing.T) unsafeLayout {
	t.Helper()
	parent := t.TempDir()
	l := unsafeLayout{dir: filepath.Join(parent, "mail")}
	if err := os.Mkdir(l.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	l.db, l.key = filepath.Join(l.dir, "popbox.db"), filepath.Join(l.dir, "popbox.db.key")
	s, err := Open(l.db, testOptions(l.db))
	if err != nil {
		t.Fatal(err)
	}
	addAccount(t, s, "Work")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return l
}

func chown(t *testing.T, path string, uid int) {
	t.Helper()
	if err := os.Lchown(path, uid, -1); err != nil {
		t.Fatal(err)
	}
}

// chgrp gives path a group that is not the user's private group (nogroup).
func chgrp(t *testing.T, path string) {
	t.Helper()
	if err := os.Lchown(path, -1, nobody); err != nil {
		t.Fatal(err)
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// checkUnsafe checks a refusal: ErrUnsafe, naming the file and saying why.
func checkUnsafe(t *testing.T, err error, says ...string) {
	t.Helper()
	if !errors.Is(err, ErrUnsafe) {
		t.Fatalf("err = %v, want ErrUnsafe", err)
	}
	var oe *OpenError
	if !errors.As(err, &oe) {
		t.Fatalf("err = %#v, not an *OpenError", err)
	}
	msg := said(err)
	for _, want := range append(says, "popbox did not read or write it", "or choose another file with --db") {
		if !strings.Contains(msg, want) {
			t.Errorf("%q does not say %q", msg, want)
		}
	}
}

// TestOpenRefusesUnsafeFiles: like ssh's StrictModes, Open refuses a
// database or key file that belongs to another user or that others may
// write, and one in a folder others may write (without the sticky bit) or
// that belongs to another user; it reads and changes nothing.
func TestOpenRefusesUnsafeFiles(t *testing.T) {
	me := userName(uint32(os.Geteuid()))
	cases := []struct {
		name  string
		chown bool
		spoil func(t *testing.T, l unsafeLayout) (open string) // "": the database
		says  func(l unsafeLayout) []string
	}{
		{"database of another user", true, func(t *testing.T, l unsafeLayout) string { chown(t, l.db, nobody); return "" },
			func(l unsafeLayout) []string {
				return []string{"the database " + l.db + " belongs to user nobody, not to you (" + me + ")", "chown " + me + " " + l.db}
			}},
		{"key file of another user", true, func(t *testing.T, l unsafeLayout) string { chown(t, l.key, nobody); return "" },
			func(l unsafeLayout) []string {
				return []string{"the key file " + l.key + " belongs to user nobody, not to you (" + me + ")"}
			}},
		{"database writable by others", false, func(t *testing.T, l unsafeLayout) string { chmod(t, l.db, 0o666); return "" },
			func(l unsafeLayout) []string {
				return []string{"the database " + l.db + " is writable by others (mode 0666)", "chmod 600 " + l.db}
			}},
		{"database writable by its group", true, func(t *testing.T, l unsafeLayout) string { chgrp(t, l.db); chmod(t, l.db, 0o620); return "" },
			func(l unsafeLayout) []string {
				return []string{"the database " + l.db + " is writable by its group (mode 0620)"}
			}},
		{"key file writable by others", false, func(t *testing.T, l unsafeLayout) string { chmod(t, l.key, 0o606); return "" },
			func(l unsafeLayout) []string {
				return []string{"the key file " + l.key + " is writable by others (mode 0606)", "chmod 600 " + l.key}
			}},
		{"folder writable by others", false, func(t *testing.T, l unsafeLayout) string { chmod(t, l.dir, 0o777); return "" },
			func(l unsafeLayout) []string {
				return []string{"the database " + l.db + " cannot be trusted: its folder " + l.dir + " is writable by others (mode 0777)", "chmod go-w " + l.dir}
			}},
		{"folder writable by its group", true, func(t *testing.T, l unsafeLayout) string { chgrp(t, l.dir); chmod(t, l.dir, 0o770); return "" },
			func(l unsafeLayout) []string {
				return []string{"its folder " + l.dir + " is writable by its group (mode 0770)"}
			}},
		{"folder of another user", true, func(t *testing.T, l unsafeLayout) string { chown(t, l.dir, nobody); return "" },
			func(l unsafeLayout) []string {
				return []string{"its folder " + l.dir + " belongs to user nobody"}
			}},
		{"planted in a sticky folder", true, func(t *testing.T, l unsafeLayout) string {
			// The attack: another user's files, in a folder everyone may
			// write to (as /tmp), at the path the victim names.
			chmod(t, l.dir, os.ModeSticky|0o777)
			chown(t, l.db, nobody)
			chown(t, l.key, nobody)
			chmod(t, l.db, 0o666)
			chmod(t, l.key, 0o666)
			return ""
		}, func(l unsafeLayout) []string {
			return []string{"the database " + l.db + " belongs to user nobody"}
		}},
		{"link into a folder writable by others", false, func(t *testing.T, l unsafeLayout) string {
			// A link in a safe folder does not make its target safe.
			chmod(t, l.dir, 0o777)
			safe := t.TempDir()
			for _, p := range []string{l.db, l.key} {
				if err := os.Symlink(p, filepath.Join(safe, filepath.Base(p))); err != nil {
					t.Fatal(err)
				}
			}
			return filepath.Join(safe, "popbox.db")
		}, func(l unsafeLayout) []string {
			return []string{"its folder " + l.dir + " is writable by others (mode 0777)"}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.chown {
				needChown(t)
			}
			l := newUnsafeLayout(t)
			path := c.spoil(t, l)
			if path == "" {
				path = l.db
			}
			before := map[string]fileState{}
			for _, p := range []string{l.db, l.key, l.dir} {
				before[p] = stateOf(t, p)
			}
			s, err := Open(path, testOptions(path))
			if err == nil {
				s.Close()
				t.Fatal("Open accepted the files")
			}
			checkUnsafe(t, err, c.says(l)...)
			for p, st := range before {
				if !stateOf(t, p).same(st) {
					t.Errorf("%s was changed", p)
				}
			}
			if entries, _ := os.ReadDir(l.dir); len(entries) != 2 {
				t.Errorf("files made beside them: %v", entries)
			}
		})
	}
}

// TestOpenSafeFiles: a database in a sticky folder everyone may write to
// (as /tmp), and a folder that belongs to root, are fine when the files are
// the user's own.
func TestOpenSafeFiles(t *testing.T) {
	l := newUnsafeLayout(t)
	chmod(t, l.dir, os.ModeSticky|0o777)
	s, err := Open(l.db, testOptions(l.db))
	if err != nil {
		t.Fatalf("Open in a sticky folder: %v", err)
	}
	if _, err := s.Account("Work"); err != nil {
		t.Errorf("Account: %v", err)
	}
	s.Close()
	// A new database in a sticky folder is made too.
	fresh := filepath.Join(l.dir, "fresh.db")
	s, err = Open(fresh, testOptions(fresh))
	if err != nil {
		t.Fatalf("Open of a new database in a sticky folder: %v", err)
	}
	s.Close()

	// A folder writable by the user's own private group (umask 002 on
	// Debian and Ubuntu) is the user's alone.
	if !privateGroupKnown(t) {
		return
	}
	l = newUnsafeLayout(t)
	chmod(t, l.dir, 0o770)
	s, err = Open(l.db, testOptions(l.db))
	if err != nil {
		t.Fatalf("Open in a folder writable by the user's private group: %v", err)
	}
	s.Close()
}

// privateGroupKnown says whether the user has a private group (the group
// of a new file is then that group); it fails under CI when not.
func privateGroupKnown(t *testing.T) bool {
	t.Helper()
	info, err := os.Stat(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !privateGroup(info) {
		if os.Getenv("CI") != "" {
			t.Fatal("the test user has no private group")
		}
		t.Log("the test user has no private group; not checked")
		return false
	}
	return true
}

// TestNewDatabaseInUnsafeFolder: no database (and no folder for it) is made
// in a folder others may write to.
func TestNewDatabaseInUnsafeFolder(t *testing.T) {
	parent := t.TempDir()
	open := filepath.Join(parent, "open")
	if err := os.Mkdir(open, 0o777); err != nil {
		t.Fatal(err)
	}
	chmod(t, open, 0o777)
	for _, path := range []string{filepath.Join(open, "popbox.db"), filepath.Join(open, "sub", "popbox.db")} {
		_, err := Open(path, testOptions(path))
		checkUnsafe(t, err, "the database "+path+" cannot be trusted: its folder "+open+" is writable by others (mode 0777)")
		if entries, _ := os.ReadDir(open); len(entries) != 0 {
			t.Errorf("Open(%s) made %v", path, entries)
		}
	}
}

// TestUnsafeKeyFileNotUsed: a key file that became unsafe after Open is not
// read and nothing is sealed with it; one that cannot be made safely is not
// made.
func TestUnsafeKeyFileNotUsed(t *testing.T) {
	t.Run("key writable by others", func(t *testing.T) {
		l := newUnsafeLayout(t)
		s := openTest(t, l.db)
		chmod(t, l.key, 0o666)
		before := stateOf(t, l.key)
		_, err := s.AddAccount(testAccount("Home"))
		checkUnsafe(t, err, "the key file "+l.key+" is writable by others (mode 0666)")
		if _, err := s.Account("Work"); !errors.Is(err, ErrUnsafe) {
			t.Errorf("Account with an unsafe key file: %v, want ErrUnsafe", err)
		}
		if !stateOf(t, l.key).same(before) {
			t.Error("the key file was changed")
		}
		if list, _ := s.Accounts(); len(list) != 1 {
			t.Errorf("accounts: %v", list)
		}
	})
	t.Run("key of another user", func(t *testing.T) {
		needChown(t)
		l := newUnsafeLayout(t)
		s := openTest(t, l.db)
		chown(t, l.key, nobody)
		err := s.SetPassword("Work", false, "new-secret")
		checkUnsafe(t, err, "the key file "+l.key+" belongs to user nobody")
	})
	t.Run("key folder writable by others", func(t *testing.T) {
		dir := t.TempDir()
		keyDir := filepath.Join(dir, "keys")
		if err := os.Mkdir(keyDir, 0o700); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "popbox.db")
		opts := testOptions(path)
		opts.KeyFile = filepath.Join(keyDir, "popbox.key")
		s, err := Open(path, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		chmod(t, keyDir, 0o777)
		_, err = s.AddAccount(testAccount("Work"))
		checkUnsafe(t, err, "the key file "+opts.KeyFile+" cannot be trusted: its folder "+keyDir+" is writable by others")
		if _, err := os.Stat(opts.KeyFile); !errors.Is(err, os.ErrNotExist) {
			t.Error("a key file was made in the open folder")
		}
		// Refused at Open too.
		s.Close()
		_, err = Open(path, opts)
		checkUnsafe(t, err, "the key file "+opts.KeyFile+" cannot be trusted")
	})
}

// TestSalvageRefusesUnsafeFiles: repair reads neither a database nor a
// key file another user could have planted, and writes no copy into a
// folder others may write to.
func TestSalvageRefusesUnsafeFiles(t *testing.T) {
	cases := []struct {
		name  string
		chown bool
		spoil func(t *testing.T, l unsafeLayout) (dst string)
		says  string
	}{
		{"source of another user", true, func(t *testing.T, l unsafeLayout) string {
			chown(t, l.db, nobody)
			return filepath.Join(t.TempDir(), "new.db")
		}, "belongs to user nobody"},
		{"source key writable by others", false, func(t *testing.T, l unsafeLayout) string {
			chmod(t, l.key, 0o646)
			return filepath.Join(t.TempDir(), "new.db")
		}, "is writable by others (mode 0646)"},
		{"target folder writable by others", false, func(t *testing.T, l unsafeLayout) string {
			dir := filepath.Join(t.TempDir(), "open")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			chmod(t, dir, 0o757)
			return filepath.Join(dir, "new.db")
		}, "is writable by others (mode 0757)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.chown {
				needChown(t)
			}
			l := newUnsafeLayout(t)
			dst := c.spoil(t, l)
			before := stateOf(t, l.db)
			_, err := Salvage(l.db, dst, Options{})
			checkUnsafe(t, err, c.says)
			if !stateOf(t, l.db).same(before) {
				t.Error("the source was changed")
			}
			if entries, _ := os.ReadDir(filepath.Dir(dst)); len(entries) != 0 {
				t.Errorf("files made for the copy: %v", entries)
			}
		})
	}
}

// TestOpenedFileCheckedAgain: the descriptor bbolt opens is checked too,
// so a file swapped for another user's after the first checks is refused.
func TestOpenedFileCheckedAgain(t *testing.T) {
	needChown(t)
	l := newUnsafeLayout(t)
	chown(t, l.db, nobody)
	_, err := bolt.Open(l.db, 0o600, boltOptions(time.Second, true))
	checkUnsafe(t, err, "belongs to user nobody")
}
