package main

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"popbox/mail/mailtest"
)

// TestReaderOpensE2E: the real binary in tmux against Dovecot, with
// POPBOX_OPENER a script that copies what it is given. o 1 hands it the
// attachment: the bytes are the attachment's, and the file's name is
// popbox's, not the sender's "; rm -rf ~ ../x.pdf". L lists the links
// and 1 hands it the first address. Quitting removes the opened files.
func TestReaderOpensE2E(t *testing.T) {
	data := make([]byte, 700)
	for i := range data {
		data[i] = byte(i * 7)
	}
	enc := base64.StdEncoding.EncodeToString(data)
	var lines []string
	for len(enc) > 76 {
		lines, enc = append(lines, enc[:76]), enc[76:]
	}
	lines = append(lines, enc)
	msg := "From: Carol <carol@example.test>\r\n" +
		"To: alice@example.test\r\n" +
		"Subject: Plan attached\r\n" +
		"Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"m\"\r\n" +
		"\r\n" +
		"--m\r\n" +
		"Content-Type: multipart/alternative; boundary=\"a\"\r\n" +
		"\r\n" +
		"--a\r\n" +
		"Content-Type: text/plain; charset=UTF-8\r\n" +
		"\r\n" +
		"The plan is attached; the notes are at https://example.com/notes?id=7.\r\n" +
		"--a\r\n" +
		"Content-Type: text/html; charset=UTF-8\r\n" +
		"\r\n" +
		"<p>The plan is attached; the <a href=\"https://example.com/notes?id=7\">notes</a>.\r\n" +
		"<a href=\"javascript:alert(1)\">More</a></p>\r\n" +
		"--a--\r\n" +
		"--m\r\n" +
		"Content-Type: application/pdf; name=\"; rm -rf ~ ../x.pdf\"\r\n" +
		"Content-Disposition: attachment; filename=\"; rm -rf ~ ../x.pdf\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"\r\n" +
		strings.Join(lines, "\r\n") + "\r\n" +
		"--m--\r\n"

	srv := mailtest.Start(t, mailtest.Options{Users: map[string]string{"alice": "secret"}})
	srv.Deliver(t, "alice", []byte(msg))
	c := newCLI(t, srv)
	c.addAccount(srv, "Alice", "alice", "secret", "ssl", "keep")

	out := t.TempDir()
	script := filepath.Join(t.TempDir(), "opener")
	body := "#!/bin/sh\n" +
		"out=" + shellQuote(out) + "\n" +
		"n=$(ls \"$out\" | grep -c '\\.arg$')\n" +
		"if [ -f \"$1\" ]; then cp \"$1\" \"$out/$n.copy\"; fi\n" +
		"printf '%s' \"$1\" > \"$out/$n.tmp\" && mv \"$out/$n.tmp\" \"$out/$n.arg\"\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	runtimeDir := t.TempDir()

	tm := startTerm(t, c, 100, 30, []string{"LANG=en_US.UTF-8", "POPBOX_OPENER=" + script, "XDG_RUNTIME_DIR=" + runtimeDir})
	tm.waitFor(10*time.Second, "Alice")
	tm.keys("f")
	tm.waitFor(30*time.Second, "Plan attached")
	tm.keys("Enter")
	tm.waitFor(10*time.Second, "the notes are at")

	// The attachment.
	tm.keys("o")
	tm.waitFor(10*time.Second, "Open attachment number (1-1")
	tm.keys("1")
	tm.waitFor(10*time.Second, "Opened ; rm -rf ~ ../x.pdf.")
	arg := readWhenThere(t, filepath.Join(out, "0.arg"))
	if filepath.Base(arg) != "attachment-1.pdf" || !strings.HasPrefix(arg, runtimeDir+"/popbox-open-") {
		t.Errorf("the opener got %q, want popbox's attachment-1.pdf under %s", arg, runtimeDir)
	}
	got, err := os.ReadFile(filepath.Join(out, "0.copy"))
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("the opener's copy: %d bytes (%v), want the attachment's %d", len(got), err, len(data))
	}

	// The links: listed, the javascript: one not openable; 1 opens the
	// first.
	tm.keys("L")
	s := tm.waitFor(10*time.Second, "Links in this message (2)", "1  notes  https://example.com/notes?id=7", "[not opened] More  javascript:alert(1)")
	if _, err := os.Stat(filepath.Join(out, "1.arg")); err == nil {
		t.Fatalf("a link was opened before one was chosen:\n%s", s)
	}
	tm.keys("2")
	tm.waitFor(10*time.Second, "Not opened: popbox opens only http, https and mailto links.")
	tm.keys("1")
	tm.waitFor(10*time.Second, "Opened https://example.com/notes?id=7.")
	if arg := readWhenThere(t, filepath.Join(out, "1.arg")); arg != "https://example.com/notes?id=7" {
		t.Errorf("the opener got %q for the link", arg)
	}
	if _, err := os.Stat(filepath.Join(out, "2.arg")); err == nil {
		t.Error("the javascript: link was opened")
	}

	// Quitting removes the files handed to the opener.
	tm.keys("C-c")
	tm.waitFor(15*time.Second, "[popbox exited 0]")
	if left, _ := filepath.Glob(filepath.Join(runtimeDir, "popbox-open-*")); len(left) != 0 {
		t.Errorf("left after quitting: %q", left)
	}
}

// readWhenThere reads a file the detached opener writes, waiting for it
// a little: the screen may say "Opened" before the script has run.
func readWhenThere(t *testing.T, path string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(path)
		if err == nil {
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", path, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
