package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"popbox/mail/mailtest"
)

// typeIncoming types the account and its incoming server (POP3S, user
// alice) into the wizard of a fresh popbox, and stops on the sign-in choice.
func typeIncoming(tm *tmuxTerm, srv *mailtest.Server) {
	tm.waitFor(10*time.Second, "Display name", "Email address")
	tm.typeText("Work")
	tm.keys("Tab")
	tm.typeText("alice@example.test")
	tm.keys("Tab")
	tm.typeText(srv.Host)
	tm.keys("Tab")
	// The port toggles 995/110 and takes typed digits.
	tm.keys("BSpace", "BSpace", "BSpace", "BSpace", "BSpace")
	tm.typeText(strconv.Itoa(srv.POPSPort))
	tm.keys("Tab")
	tm.keys("Tab") // SSL stays on
	tm.keys("C-u")
	tm.typeText("alice")
	tm.keys("Tab")
}

// typeWizard types a whole account into the wizard of a fresh popbox:
// incoming on POP3S, outgoing by hand on the implicit-TLS submission port.
func typeWizard(tm *tmuxTerm, srv *mailtest.Server, password string) {
	typeIncoming(tm, srv)
	tm.keys("Tab") // the sign-in: a password
	tm.typeText(password)
	tm.keys("Tab")
	// Outgoing by hand: the derived server would be 127.0.0.1:465.
	tm.keys("Space")
	// Not "Outgoing server": the step's title says it from the tab on.
	tm.waitFor(5*time.Second, "[ ] Use same credentials")
	tm.keys("Tab")
	tm.keys("C-u") // derived from the incoming server
	tm.typeText(srv.Host)
	tm.keys("Tab")
	tm.keys("BSpace", "BSpace", "BSpace", "BSpace", "BSpace")
	tm.typeText(strconv.Itoa(srv.SubmissionsPort))
	tm.keys("Tab")
	tm.keys("Tab") // SSL
	tm.keys("C-u")
	tm.typeText("alice")
	tm.keys("Tab")
	tm.typeText(password)
	tm.keys("Tab")
	tm.keys("C-s") // to the review, which runs the connection test
}

func TestWizardEndToEnd(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Submission: true})
	srv.Deliver(t, "alice", []byte("From: Bob <bob@example.test>\r\nSubject: welcome aboard\r\n\r\nhello\r\n"))
	c := newCLI(t, srv)
	tm := startTerm(t, c, 100, 32, []string{"LANG=en_US.UTF-8"})
	typeWizard(tm, srv, "secret")
	// Both sides are tested at once, and either may answer first: Enter
	// before both passed asks whether to save anyway.
	s := tm.waitFor(30*time.Second, "Incoming (POP3): logged in to "+srv.Host+".", "Outgoing (SMTP): logged in to "+srv.Host+".")
	if !strings.Contains(s, "••••••••") || strings.Contains(s, "secret") {
		t.Fatalf("the review does not mask the password:\n%s", s)
	}
	tm.keys("Enter") // add the account
	tm.waitGone(10*time.Second, "Connection test")
	// The new account is active: fetch it from the list with f.
	tm.keys("f")
	tm.waitFor(30*time.Second, "welcome aboard")
	tm.keys("q")
	tm.waitFor(10*time.Second, "[popbox exited 0]")

	var accts []struct {
		Name     string `json:"name"`
		Active   bool   `json:"active"`
		Incoming struct {
			Host string `json:"host"`
			Port int    `json:"port"`
			User string `json:"user"`
		} `json:"incoming"`
		Outgoing struct {
			Port int `json:"port"`
		} `json:"outgoing"`
	}
	out := c.ok("", "accounts", "--json")
	if err := json.Unmarshal([]byte(out), &accts); err != nil {
		t.Fatalf("accounts --json: %v\n%s", err, out)
	}
	if len(accts) != 1 || accts[0].Name != "Work" || !accts[0].Active || accts[0].Incoming.Port != srv.POPSPort ||
		accts[0].Incoming.User != "alice" || accts[0].Outgoing.Port != srv.SubmissionsPort {
		t.Fatalf("the wizard saved %+v", accts)
	}
	if strings.Contains(out, "secret") {
		t.Fatal("accounts --json shows the password")
	}
}

func TestWizardWrongPassword(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Submission: true})
	c := newCLI(t, srv)
	tm := startTerm(t, c, 100, 32, []string{"LANG=en_US.UTF-8"})
	typeWizard(tm, srv, "not-the-password")
	tm.waitFor(30*time.Second, "refused the user name or password", "app password")
	// Saving without a passing test needs a confirmation; say no, then leave.
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "Save anyway? y/n")
	tm.keys("n")
	tm.waitGone(5*time.Second, "Save anyway?")
	tm.keys("Escape")
	tm.waitFor(5*time.Second, "Discard this account? y/n")
	tm.keys("y")
	tm.waitFor(10*time.Second, "No account yet")
	tm.keys("C-c")
	tm.waitFor(10*time.Second, "[popbox exited 0]")
	if out := c.ok("", "accounts", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("a refused account was saved: %s", out)
	}
}

func TestWizardJapanese(t *testing.T) {
	c := newCLI(t, nil)
	tm := startTerm(t, c, 100, 32, []string{"LANG=ja_JP.UTF-8"})
	s := tm.waitFor(10*time.Second, "表示名", "メールアドレス/ユーザー名", "受信サーバー", "標準のメッセージ設定")
	if strings.Contains(s, "Display name") {
		t.Fatalf("English under a ja locale:\n%s", s)
	}
	tm.typeText("仕事")
	tm.keys("Tab")
	tm.typeText("taro@gmail.com")
	// The provider's hints show under the address while it is typed.
	tm.waitFor(5*time.Second, "pop.gmail.com", "アプリ専用の", "POPアクセスを有効")
	tm.keys("Escape")
	tm.waitFor(5*time.Second, "このアカウントを破棄しますか? y/n")
	tm.keys("y")
	tm.waitFor(10*time.Second, "アカウントがまだありません")
	tm.keys("C-c")
	tm.waitFor(10*time.Second, "[popbox exited 0]")
}
