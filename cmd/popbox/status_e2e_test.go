package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"popbox/mail/mailtest"
)

// statusBar is the status line of a screen: the line above the footer.
func statusBar(screen string) string {
	lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
	if len(lines) < 2 {
		return ""
	}
	return lines[len(lines)-2]
}

// TestTUIStatus drives the binary in tmux: after f the status says what
// the fetch found, whatever notice stood there before, and after the
// active account is removed it never names that account as in use.
func TestTUIStatus(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Users: map[string]string{"alice": "secret", "bob": "hunter2"}})
	for i := 1; i <= 3; i++ {
		srv.Deliver(t, "bob", []byte(fmt.Sprintf("From: Dave <dave@example.test>\r\nSubject: Bob mail %d\r\nDate: Mon, 23 Nov 2026 0%d:00:00 +0000\r\n\r\nbody %d\r\n", i, i, i)))
	}
	c := newCLI(t, srv)
	c.addAccount(srv, "Alice", "alice", "secret", "ssl", "keep")
	c.addAccount(srv, "Bob", "bob", "hunter2", "ssl", "keep")

	tm := startTerm(t, c, 100, 20, []string{"LANG=en_US.UTF-8"})
	tm.waitFor(10*time.Second, "Alice <alice@example.test>")

	// ] says "Now using Bob."; f's result takes its place at once, not
	// when the notice's time is up.
	tm.keys("]")
	tm.waitFor(5*time.Second, "Now using Bob.")
	tm.keys("f")
	tm.waitFor(10*time.Second, "Bob mail 3")
	s := tm.waitUntil(3*time.Second, "the status does not show the fetch's result", func(s string) bool {
		return strings.Contains(statusBar(s), ": 3 new")
	})
	if strings.Contains(s, "Now using") {
		t.Fatalf("the older notice stayed:\n%s", s)
	}

	// "Nothing to undo." gives way to the next fetch's result too.
	tm.keys("u")
	tm.waitFor(5*time.Second, "Nothing to undo.")
	tm.keys("f")
	tm.waitUntil(3*time.Second, "the status does not show the second fetch's result", func(s string) bool {
		return strings.Contains(statusBar(s), ": no new mail") && !strings.Contains(s, "Nothing to undo.")
	})

	// Remove the active account right after switching to it.
	tm.keys("[")
	tm.waitFor(5*time.Second, "Now using Alice.")
	tm.keys("A")
	tm.waitFor(5*time.Second, "Accounts (2)")
	tm.keys("x")
	tm.waitFor(5*time.Second, "Remove the account Alice")
	tm.keys("y")
	s = tm.waitFor(5*time.Second, "Accounts (1)")
	s = tm.waitUntil(3*time.Second, "the status does not say what happened", func(s string) bool {
		return strings.Contains(statusBar(s), "Removed Alice; now using Bob.")
	})
	if strings.Contains(s, "Now using Alice") {
		t.Fatalf("the status names the removed account as in use:\n%s", s)
	}
	// The notice expires, and the active account's fetch state is back.
	tm.waitUntil(10*time.Second, "the notice did not expire", func(s string) bool {
		bar := statusBar(s)
		return !strings.Contains(bar, "Removed") && strings.Contains(bar, "Bob <bob@example.test>") && strings.Contains(bar, "no new mail")
	})
}

// TestTUIUndoAcrossSwitch: a message deleted in one account can be
// brought back with u after switching to another, and is back in its own
// account's list.
func TestTUIUndoAcrossSwitch(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Users: map[string]string{"alice": "secret", "bob": "hunter2"}})
	srv.Deliver(t, "alice", []byte("From: Carol <carol@example.test>\r\nSubject: Keep me\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\nbody\r\n"))
	srv.Deliver(t, "bob", []byte("From: Dave <dave@example.test>\r\nSubject: Bob's own\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\nbody\r\n"))
	c := newCLI(t, srv)
	c.addAccount(srv, "Alice", "alice", "secret", "ssl", "keep")
	c.addAccount(srv, "Bob", "bob", "hunter2", "ssl", "keep")
	c.ok("", "fetch", "--account", "Alice")
	c.ok("", "fetch", "--account", "Bob")

	tm := startTerm(t, c, 100, 20, []string{"LANG=en_US.UTF-8"})
	tm.waitFor(10*time.Second, "Keep me")
	tm.keys("d")
	tm.waitGone(5*time.Second, "Keep me")
	tm.keys("]")
	tm.waitFor(5*time.Second, "Bob's own")
	tm.keys("u")
	tm.waitFor(3*time.Second, "The message is back in Alice.")
	tm.keys("[")
	tm.waitFor(5*time.Second, "Keep me")
	// Past the window nothing is deleted: the message stays, on the
	// screen and in the database.
	time.Sleep(6 * time.Second)
	if s := tm.screen(); !strings.Contains(s, "Keep me") {
		t.Fatalf("the message went after the window:\n%s", s)
	}
	tm.keys("q")
	tm.waitFor(10*time.Second, "[popbox exited 0]")
	if l := c.list("Alice"); len(l) != 1 {
		t.Fatalf("Alice has %d messages after the undo, want 1", len(l))
	}
}
