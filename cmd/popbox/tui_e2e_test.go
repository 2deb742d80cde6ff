package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"popbox/mail/mailtest"
)

// TestTUIEndToEnd drives the real binary in tmux with two accounts on one
// Dovecot: fetch with the key, open a message, switch the active account
// with the shortcuts, break and mend the incoming password, and restart.
func TestTUIEndToEnd(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Users: map[string]string{"alice": "secret", "bob": "hunter2"}})
	srv.Deliver(t, "alice", []byte("From: Carol <carol@example.test>\r\nSubject: Quarterly report\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\nThe numbers are in the attached sheet.\r\n"))
	srv.Deliver(t, "alice", []byte("From: Dave <dave@example.test>\r\nSubject: Lunch on Friday\r\nDate: Tue, 24 Nov 2026 12:00:00 +0000\r\n\r\nNoodles?\r\n"))
	srv.Deliver(t, "bob", []byte("From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.jp>\r\nSubject: =?ISO-2022-JP?B?GyRCMnE1RCRON28bKEI=?=\r\nDate: Wed, 25 Nov 2026 10:00:00 +0900\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n\x1b$B$h$m$7$/$*4j$$$7$^$9\x1b(B\r\n"))

	c := newCLI(t, srv)
	c.addAccount(srv, "Alice", "alice", "secret", "ssl", "keep")
	c.addAccount(srv, "Bob", "bob", "hunter2", "ssl", "keep")

	tm := startTerm(t, c, 120, 40, []string{"LANG=en_US.UTF-8"})
	tm.waitFor(10*time.Second, "Alice")
	tm.keys("f")
	tm.waitFor(30*time.Second, "Quarterly report", "Lunch on Friday")

	// Open the newest message; the reader shows its body; back to the list.
	tm.keys("Enter")
	tm.waitFor(10*time.Second, "Noodles?")
	tm.keys("q")
	tm.waitFor(10*time.Second, "Quarterly report")

	// ] makes the next account active at once.
	tm.keys("]")
	s := tm.waitGone(10*time.Second, "Quarterly report")
	if !strings.Contains(s, "Bob") {
		t.Fatalf("after ] the status does not name Bob:\n%s", s)
	}
	tm.keys("f")
	tm.waitFor(30*time.Second, "会議の件")
	// alt+1 switches back to the first account.
	tm.keys("M-1")
	tm.waitFor(10*time.Second, "Quarterly report")
	tm.waitGone(10*time.Second, "会議の件")
	tm.keys("M-2")
	tm.waitFor(10*time.Second, "会議の件")

	// Change Bob's incoming password to a wrong one on the accounts screen.
	tm.keys("A")
	tm.waitFor(10*time.Second, "Accounts (2)")
	tm.keys("p")
	tm.waitFor(10*time.Second, "Change the incoming password", "New password:")
	tm.typeText("wrong-password")
	// The field shows the one mask of eight marks (tui/mask.go), not the length.
	s = tm.waitFor(10*time.Second, "◦")
	if strings.Contains(s, "wrong-password") {
		t.Fatalf("the password is not masked:\n%s", s)
	}
	tm.keys("Enter")
	tm.waitFor(10*time.Second, "The incoming password of Bob was changed.")
	tm.keys("q")
	tm.waitGone(10*time.Second, "Accounts (2)")
	tm.keys("f")
	tm.waitFor(30*time.Second, "refused the password")

	// Mend it, and fetch a new message.
	srv.Deliver(t, "bob", []byte("From: Erin <erin@example.test>\r\nSubject: After the fix\r\n\r\nok\r\n"))
	tm.keys("Escape")
	// An escape and a letter sent together read as alt+letter: wait for
	// the banner to go before the next key.
	tm.waitGone(10*time.Second, "refused the password")
	tm.keys("A")
	tm.waitFor(10*time.Second, "Accounts (2)")
	tm.keys("p")
	tm.waitFor(10*time.Second, "Change the incoming password", "New password:")
	tm.typeText("hunter2")
	tm.keys("Enter")
	tm.waitFor(10*time.Second, "The incoming password of Bob was changed.")
	tm.keys("q")
	tm.waitGone(10*time.Second, "Accounts (2)")
	tm.keys("f")
	tm.waitFor(30*time.Second, "After the fix")
	tm.keys("C-c")
	tm.waitFor(10*time.Second, "[popbox exited 0]")

	// Everything is kept: Bob active, both mailboxes cached, the opened one read.
	var accts []struct {
		Name   string `json:"name"`
		Active bool   `json:"active"`
	}
	if err := json.Unmarshal([]byte(c.ok("", "accounts", "--json")), &accts); err != nil || len(accts) != 2 || !accts[1].Active {
		t.Fatalf("accounts after the TUI: %+v %v", accts, err)
	}
	var msgs []struct {
		Subject string `json:"subject"`
		Seen    bool   `json:"seen"`
	}
	json.Unmarshal([]byte(c.ok("", "list", "--account", "Alice", "--json")), &msgs)
	if len(msgs) != 2 || msgs[0].Subject != "Lunch on Friday" || !msgs[0].Seen || msgs[1].Seen {
		t.Fatalf("Alice's mailbox after the TUI: %+v", msgs)
	}
	json.Unmarshal([]byte(c.ok("", "list", "--account", "Bob", "--json")), &msgs)
	if len(msgs) != 2 {
		t.Fatalf("Bob's mailbox after the TUI: %+v", msgs)
	}

	tm2 := startTerm(t, c, 120, 40, []string{"LANG=en_US.UTF-8"})
	tm2.waitFor(10*time.Second, "After the fix", "会議の件")
	tm2.keys("C-c")
	tm2.waitFor(10*time.Second, "[popbox exited 0]")
}
