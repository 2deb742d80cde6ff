package main

import (
	"strings"
	"testing"
	"time"
)

// TestWizardDiscoverEndToEnd: the real binary, in tmux, asking a DNS
// server on 127.0.0.1. A company address whose MX points at a
// Microsoft-like host gets Microsoft 365's servers filled in, says where
// they were found, and starts on the Microsoft sign-in; an address of a
// domain the DNS knows nothing of says that nothing was found.
func TestWizardDiscoverEndToEnd(t *testing.T) {
	d := startTestDNS(t, "corp.test. 300 IN MX 10 corp-test.mail.protection.outlook.com.")
	c := newCLI(t, nil)
	tm := startTerm(t, c, 100, 32, []string{"LANG=en_US.UTF-8", "POPBOX_DNS_SERVER=" + d.addr})
	tm.waitFor(10*time.Second, "Display name", "Email address")
	tm.typeText("Work")
	tm.keys("Tab")
	tm.typeText("taro@corp.test")
	tm.keys("Tab")
	s := tm.waitFor(15*time.Second, "Found by MX: Microsoft 365", "● Microsoft")
	if got := fieldLine(s, "Incoming server"); got != "› Incoming server outlook.office365.com" {
		t.Errorf("incoming server line %q:\n%s", got, s)
	}
	for _, want := range []string{"User name taro@corp.test", "Sends through smtp.office365.com:587 (STARTTLS)."} {
		if !strings.Contains(strings.Join(strings.Fields(s), " "), want) {
			t.Errorf("the screen lacks %q:\n%s", want, s)
		}
	}
	// The sign-in's fields, not a password's.
	for _, l := range strings.Split(s, "\n") {
		if f := strings.Join(strings.Fields(l), " "); f == "Password" || strings.HasPrefix(f, "Password ") {
			t.Errorf("a password field shows for Microsoft 365:\n%s", s)
		}
	}
	if !strings.Contains(s, "Client ID") || !strings.Contains(s, "Not signed in") {
		t.Errorf("no sign-in fields:\n%s", s)
	}
	if d.asked.Load() == 0 {
		t.Error("the test DNS server was never asked")
	}

	// Another address: the form forgets Microsoft 365 and says that
	// nothing was found.
	tm.keys("BTab")
	tm.waitFor(5*time.Second, "› Email address")
	tm.keys("C-u")
	tm.typeText("taro@nowhere.test")
	tm.keys("Tab")
	s = tm.waitFor(15*time.Second, "No servers found for nowhere.test; enter them below.", "● Password")
	if strings.Contains(s, "office365") || fieldLine(s, "Incoming server") != "" {
		t.Errorf("Microsoft 365's servers stay after nothing was found:\n%s", s)
	}
	tm.keys("C-c")
	tm.waitFor(10*time.Second, "[popbox exited 0]")
}
