package main

import (
	"net"
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
	closed := freePort(t)
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

// freePort is a port on 127.0.0.1 where nothing listens.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	return port
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
