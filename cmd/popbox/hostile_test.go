package main

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"popbox/mail/mailtest"
	"popbox/tui/i18n"
)

// TestFetchHostileServerText: escape sequences in what a server says (a
// -ERR text, a UID, a listing line) never reach the terminal through the
// CLI's warnings or errors.
func TestFetchHostileServerText(t *testing.T) {
	const evil = "\x1b]0;owned\x07\x1b[2J\x1b[31mred\u202eevil\x9b1m"
	f := mailtest.NewPOP3("USER", "UIDL", "PIPELINING")
	f.Add("ok-1", "Subject: one\r\n\r\nx\r\n")
	f.Add("bad"+evil, "Subject: two\r\n\r\nx\r\n")
	f.Add("ok-3", "Subject: three\r\n\r\nx\r\n")
	f.Retr = func(c net.Conn, n int, m *mailtest.POP3Msg) bool {
		if n != 3 {
			return false
		}
		io.WriteString(c, "-ERR "+evil+"\r\n")
		return true
	}
	f.Replies = map[string]string{"DELE": "-ERR " + evil + "\r\n"}
	c := newCLI(t, nil)
	c.addFake(f.Start(t), "box", "none", "")
	out, errs, code := c.run("", "fetch")
	if code != 0 || !strings.Contains(errs, "warning") {
		t.Fatalf("fetch: exit %d\n%s\n%s", code, out, errs)
	}
	terminalSafe(t, "stdout", out)
	terminalSafe(t, "stderr", errs)
	terminalSafe(t, "list --json", c.ok("", "list", "--json"))

	f.Set(func(f *mailtest.POP3) { f.Replies = map[string]string{"STAT": "-ERR " + evil + "\r\n"} })
	_, errs, code = c.run("", "fetch")
	if code != 1 {
		t.Fatalf("fetch with STAT refused: exit %d %q", code, errs)
	}
	terminalSafe(t, "stderr", errs)
}

// TestFetchSentencesSayWhatHappened: a refused QUIT is not "another client
// is using it", and a certificate refused for its name, its date or its
// signer each gets its own advice; --ca-file only where it can help.
func TestFetchSentencesSayWhatHappened(t *testing.T) {
	f := mailtest.NewPOP3("USER", "UIDL")
	f.Add("u1", "Subject: one\r\n\r\nx\r\n")
	f.Replies = map[string]string{"QUIT": "-ERR [SYS/TEMP] some deleted messages not removed\r\n"}
	c := newCLI(t, nil)
	c.addFake(f.Start(t), "box", "none", "")
	_, errs, code := c.run("", "fetch")
	if code != 1 || !strings.Contains(errs, "did not confirm the end of the session") || strings.Contains(errs, "another client") {
		t.Errorf("QUIT refused: exit %d %q", code, errs)
	}

	serve := mailtest.NewPOP3("USER", "UIDL").Serve
	_, _, otherCA := mailtest.FakeTLS(t, serve)
	cases := []struct {
		name    string
		opts    mailtest.CertOptions
		wrongCA bool
		want    []string
		notWant []string
	}{
		{name: "wrong host", opts: mailtest.CertOptions{Names: []string{"mail.other.test"}},
			want: []string{"is for mail.other.test, not for 127.0.0.1", "server name"}, notWant: []string{"--ca-file"}},
		{name: "expired", opts: mailtest.CertOptions{Expired: true},
			want: []string{"expired on", "renew", "clock"}, notWant: []string{"--ca-file"}},
		{name: "wrong CA file", wrongCA: true,
			want: []string{"not signed by the CA in " + otherCA}, notWant: []string{"pass its file"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr, _, caFile := mailtest.FakeTLSWith(t, tc.opts, serve)
			if tc.wrongCA {
				caFile = otherCA
			}
			c := newCLI(t, nil)
			c.addFake(addr, "box", "ssl", caFile)
			for _, args := range [][]string{{"fetch"}, {"check"}} {
				out, errs, code := c.run("", args...)
				errs = out + errs // check gives its details on stdout
				if code != 1 {
					t.Fatalf("%v: exit %d %q", args, code, errs)
				}
				for _, w := range tc.want {
					if !strings.Contains(errs, w) {
						t.Errorf("%v: %q does not say %q", args, errs, w)
					}
				}
				for _, w := range tc.notWant {
					if strings.Contains(errs, w) {
						t.Errorf("%v: %q says %q, which does not help here", args, errs, w)
					}
				}
			}
		})
	}
}

// TestSentenceKeepsNames: a sentence that starts with a file name prints it
// as given, not capitalised. The text of an error of no known kind is
// printed as it is: its first word may be a name in plain letters
// (localhost, an account box), which a capital would change (issue 13);
// the catalog's sentences carry their own capitals.
func TestSentenceKeepsNames(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"victim.txt already exists", "victim.txt already exists."},
		{"pop.example.com refused the login", "pop.example.com refused the login."},
		{"localhost refused the login", "localhost refused the login."},
		{"no message with ID 7", "no message with ID 7."},
		{"ünicode start", "ünicode start."},
	} {
		if got := sentence(i18n.EN, errString(tc.in)); got != tc.want {
			t.Errorf("sentence(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// And save, with a relative --to, names the file as it is.
	f := mailtest.NewPOP3("USER", "UIDL")
	f.Add("u1", "Subject: file\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"+
		"--XX\r\nContent-Type: text/plain\r\n\r\nsee the file\r\n--XX\r\nContent-Type: text/plain\r\n"+
		"Content-Disposition: attachment; filename=victim.txt\r\n\r\nhello\r\n--XX--\r\n")
	c := newCLI(t, nil)
	c.addFake(f.Start(t), "box", "none", "")
	c.ok("", "fetch")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "victim.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := c.cmd("", "save", c.list("box")[0].ID, "1", "--to", ".")
	cmd.Dir = dir
	out, _ := cmd.CombinedOutput()
	if !strings.Contains(string(out), "victim.txt already exists") || strings.Contains(string(out), "Victim.txt") {
		t.Errorf("save over an existing file: %q", out)
	}
}

type errString string

func (e errString) Error() string { return string(e) }
