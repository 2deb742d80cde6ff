//go:build unix

package store

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// notFileCases make something other than a regular file at a path: what
// Open must refuse at once, saying what it is.
var notFileCases = []struct {
	name, says string
	make       func(t *testing.T, path string) string // returns the path to use
}{
	{"named pipe", "a named pipe (FIFO), not a file", func(t *testing.T, path string) string {
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		return path
	}},
	{"socket", "a socket, not a file", func(t *testing.T, path string) string {
		l, err := net.Listen("unix", path)
		if err != nil {
			t.Skipf("unix socket: %v", err)
		}
		t.Cleanup(func() { l.Close() })
		return path
	}},
	{"device", "a character device, not a file", func(t *testing.T, path string) string {
		return os.DevNull
	}},
	{"folder", "it is a folder", func(t *testing.T, path string) string {
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
		return path
	}},
}

// openWithin runs Open and fails the test when it has not returned within
// a second (a named pipe would block it for ever).
func openWithin(t *testing.T, path string, opts Options) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		s, err := Open(path, opts)
		if err == nil {
			s.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Second):
		t.Fatalf("Open(%s) has not returned after a second", path)
		return nil
	}
}

// TestOpenNotAFile: a named pipe, a socket, a device or a folder at the
// database path or at the key file path is refused at once with a sentence
// naming the path and what it is; nothing is made beside it.
func TestOpenNotAFile(t *testing.T) {
	for _, c := range notFileCases {
		t.Run("database/"+c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := c.make(t, filepath.Join(dir, "popbox.db"))
			err := openWithin(t, path, Options{PolicyFile: filepath.Join(dir, "policy.json"), KeyFile: filepath.Join(dir, "popbox.db.key")})
			if !errors.Is(err, ErrNotDatabase) {
				t.Fatalf("err = %v, want ErrNotDatabase", err)
			}
			if msg := said(err); !strings.Contains(msg, path) || !strings.Contains(msg, c.says) || !strings.Contains(msg, "choose another file with --db") {
				t.Errorf("%q does not name %s and say %q", msg, path, c.says)
			}
			if entries, _ := os.ReadDir(dir); len(entries) > 1 {
				t.Errorf("files made beside it: %v", entries)
			}
		})
		t.Run("key/"+c.name, func(t *testing.T) {
			dir := t.TempDir()
			key := c.make(t, filepath.Join(dir, "popbox.db.key"))
			path := filepath.Join(dir, "popbox.db")
			err := openWithin(t, path, Options{PolicyFile: filepath.Join(dir, "policy.json"), KeyFile: key})
			if !errors.Is(err, ErrKeyFile) {
				t.Fatalf("err = %v, want ErrKeyFile", err)
			}
			if msg := err.Error(); !strings.Contains(msg, "the key file "+key) || !strings.Contains(msg, c.says) {
				t.Errorf("%q does not name the key file %s and say %q", msg, key, c.says)
			}
		})
	}
}

// TestOpenThroughSymlink: a symbolic link to a regular database and key
// file is followed.
func TestOpenThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.db")
	s := openTest(t, real)
	addAccount(t, s, "Work") // makes real.db.key
	s.Close()
	link := filepath.Join(dir, "link.db")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real+".key", link+".key"); err != nil {
		t.Fatal(err)
	}
	s, err := Open(link, testOptions(link))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, err := s.Account("Work")
	if err != nil || a.Incoming.Password != "in-Work" {
		t.Fatalf("Account through the links = %+v, %v", a, err)
	}
}

// TestSalvageNotAFile: repair refuses a named pipe as the damaged
// database or as its key file, at once.
func TestSalvageNotAFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	good := filepath.Join(dir, "good.db")
	openTest(t, good).Close()
	for _, c := range []struct {
		src  string
		opts Options
		want error
	}{
		{fifo, Options{}, ErrNotDatabase},
		{good, Options{KeyFile: fifo}, ErrKeyFile},
	} {
		done := make(chan error, 1)
		go func() {
			_, err := Salvage(c.src, filepath.Join(t.TempDir(), "new.db"), c.opts)
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), fifo) {
				t.Errorf("Salvage(%s, %+v) = %v, want %v naming %s", c.src, c.opts, err, c.want, fifo)
			}
		case <-time.After(time.Second):
			t.Fatalf("Salvage(%s, %+v) has not returned after a second", c.src, c.opts)
		}
	}
}
