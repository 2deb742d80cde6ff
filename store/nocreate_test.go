package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestOpenNoCreate: with NoCreate a missing database is ErrNoDatabase,
// naming the path, and neither the file, its key nor its folder is made;
// an existing one opens as usual.
func TestOpenNoCreate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "typo", "popbox.db")
	_, err := Open(path, Options{NoCreate: true, PolicyFile: filepath.Join(dir, "none.json")})
	var oe *OpenError
	if !errors.Is(err, ErrNoDatabase) || !errors.As(err, &oe) || oe.Path != path {
		t.Fatalf("Open of a missing database with NoCreate: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "typo")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the folder was made: %v", err)
	}

	path = filepath.Join(dir, "popbox.db")
	st, err := Open(path, Options{PolicyFile: filepath.Join(dir, "none.json")})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = Open(path, Options{NoCreate: true, PolicyFile: filepath.Join(dir, "none.json")})
	if err != nil {
		t.Fatalf("Open of an existing database with NoCreate: %v", err)
	}
	st.Close()
}
