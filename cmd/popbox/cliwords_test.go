package main

import (
	"strconv"
	"strings"
	"testing"

	"popbox/mail/mailtest"
)

// TestAccountAddWrongPassword (issue 13): a wrong password in account
// add's login test says that nothing was saved and to check the password
// and run account add again (or --no-check), never account passwd on the
// account it did not save; the host comes first as it was given
// ("localhost", not "Localhost").
func TestAccountAddWrongPassword(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	c := newCLI(t, nil)
	args := []string{"account", "add", "--name", "box", "--email", "alice@example.test", "--host", "localhost",
		"--port", strconv.Itoa(srv.POPSPort), "--security", "ssl", "--user", "alice", "--password-stdin",
		"--ca-file", srv.CAFile}
	_, errs, code := c.run("wrong\n", args...)
	want := "popbox: localhost refused the password for alice. Nothing was saved; check the password and run popbox account add again, or add --no-check to save the account without the login test.\n"
	if code != 1 || errs != want {
		t.Fatalf("account add with a wrong password: exit %d\n got %q\nwant %q", code, errs, want)
	}
	if out := c.ok("", "accounts", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("an account was saved: %s", out)
	}
	c.env = append(c.env, "LANG=ja_JP.UTF-8")
	_, errs, _ = c.run("wrong\n", args...)
	if !strings.HasPrefix(errs, "popbox: localhost が alice のパスワードを拒否しました。何も保存していません。") || strings.Contains(errs, "passwd") {
		t.Fatalf("in Japanese: %q", errs)
	}
	c.ok("secret\n", args...)
}

// TestCheckOutgoingTidy (issue 13): the outgoing check's failures are the
// catalog's sentences, as tidy as the incoming one's: the cause, not the
// chain of wrapped Go errors, and an SMTP port that answers POP3 is not
// called POP3.
func TestCheckOutgoingTidy(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	closed := strconv.Itoa(mailtest.ClosedPort(t))
	for _, tc := range []struct {
		name, port, security, want string
	}{
		{"a POP3 port", strconv.Itoa(srv.POPPort), "starttls",
			"answered something that is not SMTP (invalid response code: \"+OK Dovecot ready"},
		{"nothing listening", closed, "ssl", "Cannot reach 127.0.0.1:" + closed + " (connection refused). Check the server name and port."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t, srv)
			c.ok("secret\n", "account", "add", "--name", "box", "--email", "alice@example.test", "--host", srv.Host,
				"--port", strconv.Itoa(srv.POPSPort), "--user", "alice", "--password-stdin",
				"--smtp-host", srv.Host, "--smtp-port", tc.port, "--smtp-security", tc.security, "--no-check")
			out, _, code := c.run("", "check")
			var line string
			for _, l := range strings.Split(out, "\n") {
				if strings.HasPrefix(l, "outgoing ") {
					line = l
				}
			}
			if code != 1 || !strings.Contains(line, "FAILED: ") || !strings.Contains(line, tc.want) {
				t.Fatalf("check: exit %d, outgoing line %q, want %q\n%s", code, line, tc.want, out)
			}
			for _, chain := range []string{"smtp 127.0.0.1", "dial tcp", "server unreachable:", "protocol error:", "POP3"} {
				if strings.Contains(line, chain) {
					t.Errorf("the outgoing line holds %q: %q", chain, line)
				}
			}
		})
	}
}

// TestSaveNoSuchAttachment (issue 13): asking save for an attachment a
// message does not have is one sentence: which attachments it has, and
// where to see them; no error text in parentheses.
func TestSaveNoSuchAttachment(t *testing.T) {
	part := func(name string) string {
		return "--XX\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=" + name + "\r\n\r\nhello\r\n"
	}
	multi := func(subject string, parts ...string) string {
		return "Subject: " + subject + "\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n" +
			"--XX\r\nContent-Type: text/plain\r\n\r\nsee\r\n" + strings.Join(parts, "") + "--XX--\r\n"
	}
	f := mailtest.NewPOP3("USER", "UIDL")
	f.Add("u0", "Subject: none\r\n\r\nno attachment here\r\n")
	f.Add("u1", multi("one", part("a.txt")))
	f.Add("u3", multi("three", part("a.txt"), part("b.txt"), part("c.txt")))
	c := newCLI(t, nil)
	c.addFake(f.Start(t), "box", "none", "")
	c.ok("", "fetch")
	ids := map[string]string{}
	for _, m := range c.list("box") {
		ids[m.Subject] = m.ID
	}
	dir := t.TempDir()
	for _, tc := range []struct{ subject, n, want string }{
		{"none", "1", "Message " + ids["none"] + " has no attachments."},
		{"one", "2", "Message " + ids["one"] + " has no attachment 2, only 1; popbox show " + ids["one"] + " lists it."},
		{"three", "7", "Message " + ids["three"] + " has no attachment 7, only 1 to 3; popbox show " + ids["three"] + " lists them."},
	} {
		_, errs, code := c.run("", "save", ids[tc.subject], tc.n, "--to", dir)
		if code != 1 || errs != "popbox: "+tc.want+"\n" {
			t.Errorf("save %s %s: exit %d\n got %q\nwant %q", tc.subject, tc.n, code, errs, "popbox: "+tc.want+"\n")
		}
	}
	c.ok("", "save", ids["three"], "3", "--to", dir)
}

// TestCLILinesStartRight (issue 13): what follows "popbox: " starts the
// same way everywhere: a capital where the first word is the catalog's
// own, and a name (a command, a flag, a path, a host) as it was given. A
// "warning:" or "--flag value:" label is followed by a sentence too.
func TestCLILinesStartRight(t *testing.T) {
	c := newCLI(t, nil)
	c.ok("pw\n", "account", "add", "--name", "box", "--email", "a@example.com", "--host", "localhost", "--port", "995",
		"--user", "a", "--password-stdin", "--no-check")
	add := func(more ...string) []string {
		return append([]string{"account", "add", "--name", "b", "--email", "a@example.com", "--host", "h.example.com",
			"--user", "a"}, more...)
	}
	missing := t.TempDir() + "/typo.db"
	runs := [][]string{
		{"frobnicate"}, {"--bogus"}, {"account"}, {"account", "frob"}, {"fetch", "--bogus"}, {"fetch", "--account"},
		{"fetch", "--json"}, {"fetch", "extra"}, {"show"}, {"show", "999"}, {"save", "1"}, {"save", "1", "x"},
		{"list", "extra"}, {"accounts", "extra"}, {"check", "a", "b"}, {"repair", "extra"}, {"account", "use", "nobody"},
		{"account", "set", "box"}, {"account", "set", "box", "--max-size", "huge"}, {"account", "passwd", "box"},
		{"account", "use"}, {"--db", missing, "list"}, {"--db", missing, "repair"}, {"list", "--json=maybe"},
		add("--port", "995"),
		add("--port", "995", "--password-stdin", "--password-cmd", "x"),
		add("--port", "99999", "--password-stdin"),
		add("--port", "995", "--password-stdin", "--security", "bogus"),
		add("--port", "995", "--password-stdin", "--retention", "forever"),
		add("--port", "995", "--password-stdin", "--sharing", "all"),
		add("--port", "995", "--password-stdin", "--max-size", "big"),
		add("--port", "995", "--password-stdin", "--smtp-same", "--smtp-host", "s.example.com"),
		add("--port", "995", "--password-stdin", "--security", "none", "--no-check"),
		// b exists now: two problems, both said with the values given.
		add("--port", "995", "--password-stdin", "--email", "nope", "--no-check"),
		{"account", "add", "--name", "c", "--email", "a@example.com", "--host", "localhost", "--port", strconv.Itoa(mailtest.ClosedPort(t)),
			"--user", "a", "--password-stdin", "--security", "none"},
	}
	names := map[string]bool{"accounts": true, "account": true, "check": true, "show": true, "save": true,
		"repair": true, "list": true, "fetch": true, "localhost": true, "box": true}
	lines := 0
	for _, args := range runs {
		_, errs, code := c.run("pw\n", args...)
		if code == 0 && !strings.Contains(errs, "warning") {
			t.Errorf("%v: exit 0", args)
		}
		if strings.Contains(errs, `""`) {
			t.Errorf("%v: a value is missing: %q", args, errs)
		}
		for _, line := range strings.Split(errs, "\n") {
			rest, ok := strings.CutPrefix(line, "popbox: ")
			if !ok {
				continue
			}
			lines++
			rest = strings.TrimPrefix(rest, "warning: ")
			// A flag (and its value) as a label: --port "99999": The port...
			if strings.HasPrefix(rest, "--") {
				i := strings.Index(rest, ": ")
				if i < 0 || strings.Contains(rest[:i], " needs ") || strings.Contains(rest[:i], " goes ") {
					continue // a sentence about a flag, which it names first
				}
				rest = rest[i+2:]
			}
			first := strings.FieldsFunc(rest, func(r rune) bool { return r == ' ' || r == ':' })[0]
			r := []rune(first)[0]
			if r >= 'a' && r <= 'z' && !names[first] {
				t.Errorf("%v: %q starts with %q, neither a capital nor a name", args, line, first)
			}
			if r >= 'A' && r <= 'Z' && names[strings.ToLower(first)] {
				t.Errorf("%v: %q capitalises the name %q", args, line, first)
			}
		}
	}
	if lines < len(runs) {
		t.Errorf("only %d popbox: lines for %d runs", lines, len(runs))
	}
}
