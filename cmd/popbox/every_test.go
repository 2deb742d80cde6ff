package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"popbox/mail/mailtest"
)

// TestFetchEveryOnNewBell: account add and account set take the fetch
// interval, the new-mail command and the bell; accounts --json shows
// them; a fetch that brings new mail runs the command with the account
// and the count (and one that brings none does not); bad values are bad
// usage, an interval out of range says the range.
func TestFetchEveryOnNewBell(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	c := newCLI(t, srv)
	out := filepath.Join(t.TempDir(), "new.txt")
	onNew := `printf '%s %s %s\n' "$POPBOX_ACCOUNT" "$POPBOX_EMAIL" "$POPBOX_NEW" >> ` + shellQuote(out)
	c.addAccount(srv, "Work", "alice", "secret", "ssl", "keep", "--fetch-every", "10m", "--on-new", onNew, "--bell", "on")

	type acct struct {
		FetchEvery string `json:"fetch_every"`
		OnNew      string `json:"on_new"`
		Bell       bool   `json:"bell"`
	}
	read := func() acct {
		var as []acct
		js := c.ok("", "accounts", "--json")
		if err := json.Unmarshal([]byte(js), &as); err != nil || len(as) != 1 {
			t.Fatalf("accounts --json: %v\n%s", err, js)
		}
		return as[0]
	}
	if a := read(); a.FetchEvery != "10m" || a.OnNew != onNew || !a.Bell {
		t.Fatalf("saved %+v", a)
	}

	srv.Deliver(t, "alice", []byte("Subject: one\r\n\r\n1\r\n"))
	srv.Deliver(t, "alice", []byte("Subject: two\r\n\r\n2\r\n"))
	c.ok("", "fetch", "--quiet")
	c.ok("", "fetch", "--quiet") // nothing new: no command
	if b, err := os.ReadFile(out); err != nil || string(b) != "Work alice@example.test 2\n" {
		t.Fatalf("the new-mail command wrote %q (%v)", b, err)
	}

	if got := c.ok("", "account", "set", "Work", "--fetch-every", "off", "--on-new", "", "--bell", "off"); !strings.Contains(got, "no longer fetched on its own") {
		t.Errorf("account set: %s", got)
	}
	if a := read(); a.FetchEvery != "off" || a.OnNew != "" || a.Bell {
		t.Fatalf("after set: %+v", a)
	}
	c.ok("", "account", "set", "Work", "--fetch-every", "90")
	if a := read(); a.FetchEvery != "1h30m" {
		t.Fatalf("90 minutes reads back as %q", a.FetchEvery)
	}
	for _, bad := range [][]string{{"--fetch-every", "soon"}, {"--bell", "loud"}} {
		if _, errs, code := c.run("", append([]string{"account", "set", "Work"}, bad...)...); code != 2 || !strings.Contains(errs, bad[0]) {
			t.Errorf("%v: exit %d: %s", bad, code, errs)
		}
	}
	if _, errs, code := c.run("", "account", "set", "Work", "--fetch-every", "30s"); code != 1 || !strings.Contains(errs, "from 1m to 24h") {
		t.Errorf("30s: exit %d: %s", code, errs)
	}
}

// TestNewMailTitle: mail fetched while the list is not being used counts
// as "N new" in the status bar and in the window title (OSC 2, written by
// popbox's renderer between frames) until a key is pressed in the list.
func TestNewMailTitle(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	c := newCLI(t, srv)
	c.addAccount(srv, "Work", "alice", "secret", "ssl", "keep")
	srv.Deliver(t, "alice", []byte("Subject: first news\r\n\r\n1\r\n"))
	srv.Deliver(t, "alice", []byte("Subject: second news\r\n\r\n2\r\n"))
	tm := startTerm(t, c, 100, 24, []string{"LANG=en_US.UTF-8"})
	tm.waitFor(10*time.Second, "Press f to fetch")
	tm.keys("f")
	tm.waitFor(30*time.Second, "second news", "· 2 new")
	title := func() string { return strings.TrimSpace(tm.tmux("display-message", "-p", "#{pane_title}")) }
	deadline := time.Now().Add(5 * time.Second)
	for title() != "popbox (2 new)" && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := title(); got != "popbox (2 new)" {
		t.Fatalf("window title %q, want popbox (2 new)", got)
	}
	tm.keys("j")
	tm.waitGone(5*time.Second, "· 2 new")
	deadline = time.Now().Add(5 * time.Second)
	for title() != "popbox" && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := title(); got != "popbox" {
		t.Fatalf("window title %q after reading, want popbox", got)
	}
	tm.keys("q")
	tm.waitFor(10*time.Second, "[popbox exited 0]")
}
