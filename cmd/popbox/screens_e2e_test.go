package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"popbox/mail"
	"popbox/store"
)

// fieldLine is the screen's line of the wizard field labelled label, with
// runs of spaces made one ("› Port 995"), or "" when it is not shown.
func fieldLine(screen, label string) string {
	for _, l := range strings.Split(screen, "\n") {
		f := strings.Join(strings.Fields(l), " ")
		if strings.HasPrefix(strings.TrimPrefix(f, "› "), label+" ") {
			return f
		}
	}
	return ""
}

// typeSlowly types s one character at a time, as a person does, waiting
// after each for the field labelled label to show what was typed so far.
func typeSlowly(tm *tmuxTerm, label, s string) {
	tm.t.Helper()
	for i, r := range s {
		tm.typeText(string(r))
		want := s[:i+len(string(r))]
		tm.waitUntil(5*time.Second, "the "+label+" field does not show "+want, func(screen string) bool {
			return strings.HasSuffix(fieldLine(screen, label), " "+want)
		})
	}
}

// TestWizardPortTypedReplacesPreset: the real binary, in tmux. The port
// field shows the preset 995; typing 110 into it gives 110 (not 99511) and
// STARTTLS; the user name filled in from the address is replaced by the
// one typed. The account is saved with what the screen showed.
func TestWizardPortTypedReplacesPreset(t *testing.T) {
	c := newCLI(t, nil)
	tm := startTerm(t, c, 80, 24, []string{"LANG=en_US.UTF-8"})
	tm.waitFor(10*time.Second, "Display name", "Email address")
	tm.typeText("Work")
	tm.keys("Tab")
	tm.typeText("taro@example.org")
	tm.keys("Tab")
	tm.typeText("127.0.0.1")
	tm.keys("Tab")
	s := tm.waitUntil(5*time.Second, "the port field does not show the preset 995", func(s string) bool {
		return fieldLine(s, "Port") == "› Port 995"
	})
	if !strings.Contains(s, "Typing replaces this value") {
		t.Errorf("the preset port does not say that typing replaces it:\n%s", s)
	}
	typeSlowly(tm, "Port", "110")
	s = tm.waitFor(5*time.Second, "● STARTTLS")
	if got := fieldLine(s, "Port"); got != "› Port 110" {
		t.Fatalf("port line %q after typing 110 over 995:\n%s", got, s)
	}
	tm.keys("Tab") // SSL, now STARTTLS
	tm.keys("Tab") // the user name, filled in from the address
	tm.waitUntil(5*time.Second, "the user name is not filled in", func(s string) bool {
		return fieldLine(s, "User name") == "› User name taro@example.org"
	})
	typeSlowly(tm, "User name", "taro")
	if got := fieldLine(tm.screen(), "User name"); got != "› User name taro" {
		t.Fatalf("user name line %q after typing taro over the address", got)
	}
	tm.keys("Tab")
	tm.keys("Tab") // the sign-in: a password
	tm.typeText("secret")
	tm.keys("C-s")
	// Nothing listens on 127.0.0.1:110 here: the test fails, save anyway.
	tm.waitFor(30*time.Second, "Incoming (POP3): Cannot reach")
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "Save anyway? y/n")
	tm.keys("y")
	tm.waitGone(10*time.Second, "Connection test")
	tm.keys("C-c")
	tm.waitFor(10*time.Second, "[popbox exited 0]")

	var accts []struct {
		Incoming struct {
			Port     int    `json:"port"`
			Security string `json:"security"`
			User     string `json:"user"`
		} `json:"incoming"`
	}
	if err := json.Unmarshal([]byte(c.ok("", "accounts", "--json")), &accts); err != nil || len(accts) != 1 {
		t.Fatalf("accounts: %v %+v", err, accts)
	}
	if in := accts[0].Incoming; in.Port != 110 || in.Security != "starttls" || in.User != "taro" {
		t.Errorf("saved incoming %+v, want port 110, starttls, user taro", in)
	}
}

// TestListMarksMatchTUI: popbox list marks an unread message and one with
// attachments as the TUI's list does, * and + (tui/list_view.go).
func TestListMarksMatchTUI(t *testing.T) {
	var b strings.Builder
	tw := newTableWriter(&b)
	tw.row(store.Message{ID: "7", Summary: mail.Summary{Subject: "unread, attached", Attachments: true}})
	tw.row(store.Message{ID: "8", Seen: true, Summary: mail.Summary{Subject: "read, plain"}})
	if err := tw.flush(); err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(rows) != 2 {
		t.Fatalf("rows %q", rows)
	}
	unread, attached := strings.Fields(rows[0])[1], strings.Fields(rows[0])[2]
	if unread != "*" || attached != "+" {
		t.Errorf("unread mark %q, attachment mark %q, want * and + as in the TUI: %q", unread, attached, rows[0])
	}
	if strings.ContainsAny(rows[1], "*+N@") {
		t.Errorf("a read message without attachments is marked: %q", rows[1])
	}
}
