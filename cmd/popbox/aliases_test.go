package main

import (
	"encoding/json"
	"strings"
	"testing"

	"popbox/mail/mailtest"
)

// TestAccountAliasesReplyJIS: account set takes the account's other
// addresses and the ISO-2022-JP reply setting; accounts --json shows
// them; "" clears the addresses; a name, a non-address or a value that is
// not on or off is bad usage and changes nothing.
func TestAccountAliasesReplyJIS(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	c := newCLI(t, srv)
	c.addAccount(srv, "Work", "alice", "secret", "ssl", "keep")
	type acct struct {
		Aliases  []string `json:"aliases"`
		ReplyJIS bool     `json:"reply_iso_2022_jp"`
	}
	read := func() acct {
		var as []acct
		js := c.ok("", "accounts", "--json")
		if err := json.Unmarshal([]byte(js), &as); err != nil || len(as) != 1 {
			t.Fatalf("accounts --json: %v\n%s", err, js)
		}
		return as[0]
	}
	if a := read(); len(a.Aliases) != 0 || a.ReplyJIS {
		t.Fatalf("a new account: %+v", a)
	}
	out := c.ok("", "account", "set", "Work", "--aliases", "sales@example.test, info@example.test", "--reply-iso-2022-jp", "on")
	if !strings.Contains(out, "sales@example.test, info@example.test") || !strings.Contains(out, "ISO-2022-JP") {
		t.Errorf("account set said: %s", out)
	}
	if a := read(); strings.Join(a.Aliases, ",") != "sales@example.test,info@example.test" || !a.ReplyJIS {
		t.Fatalf("after set: %+v", a)
	}
	for _, bad := range [][]string{{"--aliases", "Sales <sales@example.test>"}, {"--aliases", "not-an-address"}, {"--reply-iso-2022-jp", "maybe"}} {
		if _, errs, code := c.run("", append([]string{"account", "set", "Work"}, bad...)...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d, %q", bad, code, errs)
		}
	}
	c.ok("", "account", "set", "Work", "--aliases", "", "--reply-iso-2022-jp", "off")
	if a := read(); len(a.Aliases) != 0 || a.ReplyJIS {
		t.Fatalf("after clearing: %+v", a)
	}
}
