package main

import (
	"encoding/json"
	"strings"
	"testing"

	"popbox/mail/mailtest"
)

// TestAccountAliasesReplyJIS: account set takes the account's other
// addresses and the ISO-2022-JP reply setting; accounts --json shows
// them; "" clears the addresses; a name, a non-address, the account's own
// address (the wizard's rule, mail.Account.Validate) or a value that is
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
	for _, bad := range []struct {
		args []string
		want string // in the sentence, where the rule is the wizard's
	}{
		{[]string{"--aliases", "Sales <sales@example.test>"}, `"Sales <sales@example.test>" is not an email address on its own`},
		{[]string{"--aliases", "info@example.test, not-an-address"}, `"not-an-address" is not an email address on its own`},
		{[]string{"--aliases", "info@example.test, Alice@Example.test"}, "Alice@Example.test is this account's own address; leave it out of --aliases."},
		{[]string{"--reply-iso-2022-jp", "maybe"}, ""},
	} {
		_, errs, code := c.run("", append([]string{"account", "set", "Work"}, bad.args...)...)
		if code != 2 || errs == "" || !strings.Contains(errs, bad.want) {
			t.Errorf("%v: exit %d, %q", bad.args, code, errs)
		}
	}
	if a := read(); strings.Join(a.Aliases, ",") != "sales@example.test,info@example.test" || !a.ReplyJIS {
		t.Fatalf("bad usage changed the account: %+v", a)
	}
	c.ok("", "account", "set", "Work", "--aliases", "", "--reply-iso-2022-jp", "off")
	if a := read(); len(a.Aliases) != 0 || a.ReplyJIS {
		t.Fatalf("after clearing: %+v", a)
	}
}
