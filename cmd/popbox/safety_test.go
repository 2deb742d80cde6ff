//go:build unix

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"popbox/store"
)

func init() {
	// The database and its folder must not be writable by group or others
	// (store/safety.go); the temporary folders of the tests are made with
	// the umask, which some systems set to 002.
	syscall.Umask(0o022)
}

// TestPlantedDatabaseRefused: another user (nobody) leaves a database and
// a key file of their own, writable by everyone, at the path a victim uses
// in a folder everyone may write to. The victim's account add refuses them
// with a sentence that says why and what to do, and seals nothing into
// them.
func TestPlantedDatabaseRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("this test gives files to another user and needs root; CI runs the tests as root")
		}
		t.Skip("giving a file to another user needs root")
	}
	c := newCLI(t, nil)
	shared := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(shared, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, os.ModeSticky|0o777); err != nil {
		t.Fatal(err)
	}
	c.db = filepath.Join(shared, "popbox.db")
	// The attacker's files: a valid popbox database and key.
	st, err := store.Open(c.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	const nobody = 65534
	for _, p := range []string{c.db, c.db + ".key"} {
		if p == c.db+".key" {
			if err := os.WriteFile(p, bytes.Repeat([]byte{7}, 32), 0o666); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chown(p, nobody, nobody); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, 0o666); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := os.ReadFile(c.db)

	const password = "Vq8-victim-secret-Kd2"
	_, errs, code := c.run(password+"\n", "account", "add", "--name", "work", "--email", "victim@example.test",
		"--host", "pop.example.test", "--port", "995", "--security", "ssl", "--user", "victim",
		"--password-stdin", "--retention", "keep", "--no-check")
	if code != 1 {
		t.Fatalf("account add on planted files: exit %d, %q", code, errs)
	}
	want := "popbox: The database " + c.db + " belongs to user nobody, not to you (root), so another user could have planted it or could change it; popbox did not read or write it. " +
		"If it is yours, take it back with chown root " + c.db + " (as root), or choose another file with --db.\n"
	if errs != want {
		t.Errorf("stderr\n%q\nwant\n%q", errs, want)
	}
	after, _ := os.ReadFile(c.db)
	if !bytes.Equal(before, after) || strings.Contains(string(after), "victim") {
		t.Error("the planted database was written to")
	}
}
