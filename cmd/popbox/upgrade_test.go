package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// schema2DB copies the schema 2 fixture of package store (made by the last
// popbox of schema 2, 47 messages) and its key file into a new folder.
func schema2DB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "popbox.db")
	in, err := os.Open("../../store/testdata/schema2.db.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		t.Fatal(err)
	}
	var db bytes.Buffer
	if _, err := io.Copy(&db, zr); err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile("../../store/testdata/schema2.db.key")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, db.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".key", key, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestUpgradeProgressLine: a command that opens a database of an older
// format upgrades it and, on a terminal, says so on one self-overwriting
// line of stderr that is cleared at the end; off a terminal it prints
// nothing. The command then runs as usual.
func TestUpgradeProgressLine(t *testing.T) {
	for _, tty := range []bool{true, false} {
		path := schema2DB(t)
		var stdout, stderr bytes.Buffer
		code := run([]string{"--db", path, "list", "--account", "Home"}, env{
			stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr,
			getenv:    func(k string) string { return map[string]string{"POPBOX_POLICY": path + ".nopolicy"}[k] },
			stderrTTY: tty,
		})
		if code != 0 {
			t.Fatalf("tty %v: exit %d: %s", tty, code, stderr.String())
		}
		if n := strings.Count(stdout.String(), "\n"); n != 14 {
			t.Errorf("tty %v: list printed %d lines, want the 14 messages of Home:\n%s", tty, n, stdout.String())
		}
		errs := stderr.String()
		if !tty {
			if errs != "" {
				t.Errorf("off a terminal stderr = %q, want nothing", errs)
			}
			continue
		}
		for _, want := range []string{
			"\x1b[2K\rUpgrading the database to a new format: 0 of 47 messages...",
			"\x1b[2K\rUpgrading the database to a new format: 47 of 47 messages...",
		} {
			if !strings.Contains(errs, want) {
				t.Errorf("stderr %q does not say %q", errs, want)
			}
		}
		if !strings.HasSuffix(errs, "\x1b[2K\r") || strings.Contains(errs, "\n") {
			t.Errorf("stderr %q: want one line, cleared at the end", errs)
		}
	}
}
