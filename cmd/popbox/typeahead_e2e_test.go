package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"popbox/mail/mailtest"
)

// selectedRow is the list row the cursor is on: without colours popbox
// marks it with ">" in the first column.
func selectedRow(screen string) string {
	for _, line := range strings.Split(screen, "\n") {
		if strings.HasPrefix(line, ">") {
			return line
		}
	}
	return ""
}

// waitSelected waits until the cursor is on the row that shows subject.
func (tm *tmuxTerm) waitSelected(timeout time.Duration, subject string) string {
	tm.t.Helper()
	return tm.waitUntil(timeout, fmt.Sprintf("the cursor is not on %q", subject), func(s string) bool {
		return strings.Contains(selectedRow(s), subject)
	})
}

// TestTUITypeahead: keys that reach popbox in one read (tmux send-keys -l
// writes them at once, as a fast typist or a held key over a slow link
// does) each act, in order, in the real binary.
func TestTUITypeahead(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Users: map[string]string{"alice": "secret"}})
	for i := 1; i <= 6; i++ {
		srv.Deliver(t, "alice", []byte(fmt.Sprintf("From: Carol <carol@example.test>\r\nSubject: Note %d\r\nDate: Mon, 23 Nov 2026 0%d:00:00 +0000\r\n\r\nbody %d\r\n", i, i, i)))
	}
	c := newCLI(t, srv)
	c.addAccount(srv, "Alice", "alice", "secret", "ssl", "keep")
	c.ok("", "fetch")

	tm := startTerm(t, c, 100, 20, []string{"LANG=en_US.UTF-8"})
	tm.waitSelected(10*time.Second, "Note 6")

	// Three rows down in one write.
	tm.typeText("jjj")
	tm.waitSelected(5*time.Second, "Note 3")
	// g then j: the top, then one down.
	tm.typeText("gj")
	tm.waitSelected(5*time.Second, "Note 5")
	// / opens the filter and the rest of the write is its text.
	tm.typeText("/Note")
	tm.keys("Space")
	tm.typeText("2")
	tm.waitFor(5*time.Second, "/ Note 2")
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "Filter: Note 2")
	tm.waitSelected(5*time.Second, "Note 2")
}
