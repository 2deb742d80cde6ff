package mail

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestSaveAttachment: one saver for the CLI and the TUI: a safe name, a
// file for the user alone, an existing file refused, numbered or replaced
// as asked, and no folder a clear error.
func TestSaveAttachment(t *testing.T) {
	dir := t.TempDir()
	path, err := SaveAttachment(dir, "../../etc/report.pdf", 1, []byte("one"), SaveNew)
	if err != nil || filepath.Dir(path) != dir || filepath.Base(path) != "report.pdf" {
		t.Fatalf("SaveAttachment = %q, %v", path, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	if p, err := SaveAttachment(dir, "report.pdf", 1, []byte("two"), SaveNew); !errors.Is(err, fs.ErrExist) || p != path {
		t.Errorf("second save: %q, %v; want ErrExist naming %s", p, err, path)
	}
	if b, _ := os.ReadFile(path); string(b) != "one" {
		t.Errorf("refused save changed the file: %q", b)
	}
	p, err := SaveAttachment(dir, "report.pdf", 1, []byte("three"), SaveNumbered)
	if err != nil || filepath.Base(p) != "report (1).pdf" {
		t.Errorf("numbered: %q, %v", p, err)
	}
	if _, err := SaveAttachment(dir, "report.pdf", 1, []byte("four"), SaveOverwrite); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "four" {
		t.Errorf("overwrite: %q", b)
	}
	if _, err := SaveAttachment(filepath.Join(dir, "nope"), "a.txt", 1, nil, SaveNew); !errors.Is(err, ErrNoFolder) {
		t.Errorf("no folder: %v", err)
	}
}
