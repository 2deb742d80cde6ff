package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"popbox/mail/mailtest"
)

func TestCheckBothServers(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Submission: true})
	c := newCLI(t, srv)
	c.ok("secret\n", "account", "add", "--name", "box", "--email", "alice@example.test", "--host", srv.Host,
		"--port", strconv.Itoa(srv.POPSPort), "--security", "ssl", "--user", "alice", "--password-stdin",
		"--smtp-host", srv.Host, "--smtp-port", strconv.Itoa(srv.SubmissionPort), "--smtp-security", "starttls")
	out := c.ok("", "check")
	if !strings.Contains(out, "incoming "+srv.Host) || strings.Count(out, ": ok, logged in as alice") != 2 {
		t.Fatalf("check: %q", out)
	}
	// A wrong outgoing password fails only the outgoing line, exit 1.
	c.ok("wrong\n", "account", "passwd", "box", "--outgoing", "--password-stdin")
	out, errs, code := c.run("", "check", "box")
	if code != 1 || !strings.Contains(out, "incoming") || !strings.Contains(out, "outgoing "+srv.Host) ||
		!strings.Contains(out, "FAILED") || !strings.Contains(out, "popbox account passwd box --outgoing") ||
		!strings.Contains(errs, "outgoing check of box failed") {
		t.Fatalf("check with a wrong outgoing password: exit %d\n%s\n%s", code, out, errs)
	}
	if strings.Count(out, "FAILED") != 1 {
		t.Fatalf("the incoming check should still pass:\n%s", out)
	}
}

func TestSaveAttachment(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	srv.Deliver(t, "alice", []byte("From: a@example.test\r\nSubject: with a file\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nsee the file\r\n"+
		"--XX\r\nContent-Type: text/plain; name=\"x\"\r\nContent-Disposition: attachment; filename*=UTF-8''..%2F..%2F%E8%A6%8B%E7%A9%8D.txt\r\n"+
		"Content-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQK\r\n--XX--\r\n"))
	c := newCLI(t, srv)
	c.addAccount(srv, "box", "alice", "secret", "ssl", "keep")
	c.ok("", "fetch")
	id := c.list("box")[0].ID
	show := c.ok("", "show", id)
	if !strings.Contains(show, "見積.txt") || !strings.Contains(show, "popbox save "+id) {
		t.Fatalf("show lists no attachment:\n%s", show)
	}
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out := c.ok("", "save", id, "1", "--to", dir)
	files, _ := os.ReadDir(dir)
	if len(files) != 1 || strings.Contains(files[0].Name(), "/") || strings.Contains(files[0].Name(), "..") {
		t.Fatalf("saved %v (%s)", files, out)
	}
	b, _ := os.ReadFile(filepath.Join(dir, files[0].Name()))
	if string(b) != "hello world\n" {
		t.Fatalf("saved bytes %q", b)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 1 {
		t.Fatalf("something was written outside --to: %v", entries)
	}
	// No overwrite without --force.
	_, errs, code := c.run("", "save", id, "1", "--to", dir)
	if code != 1 || !strings.Contains(errs, "already exists") {
		t.Fatalf("second save: exit %d %q", code, errs)
	}
	c.ok("", "save", id, "1", "--to", dir, "--force")
	_, errs, code = c.run("", "save", id, "7", "--to", dir)
	if code != 1 || !strings.Contains(errs, "no attachment 7") {
		t.Fatalf("save of a missing attachment: exit %d %q", code, errs)
	}
}

// TestCAFile: an account's --ca-file is trusted without SSL_CERT_FILE, and
// the login check of account add uses it too.
func TestCAFile(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	srv.Deliver(t, "alice", []byte("From: a@example.test\r\nSubject: private CA\r\n\r\nhi\r\n"))
	c := newCLI(t, nil) // no SSL_CERT_FILE: the system roots do not know this CA
	c.ok("secret\n", "account", "add", "--name", "box", "--email", "alice@example.test", "--host", srv.Host,
		"--port", strconv.Itoa(srv.POPSPort), "--security", "ssl", "--user", "alice", "--password-stdin",
		"--ca-file", srv.CAFile)
	if out := c.ok("", "fetch"); !strings.Contains(out, "box: 1 new") {
		t.Fatalf("fetch with --ca-file: %q", out)
	}
	_, errs, code := c.run("secret\n", "account", "add", "--name", "other", "--email", "alice@example.test", "--host", srv.Host,
		"--port", strconv.Itoa(srv.POPSPort), "--security", "ssl", "--user", "alice", "--password-stdin")
	if code != 1 || !strings.Contains(errs, "certificate") || !strings.Contains(errs, "--ca-file") {
		t.Fatalf("add without the CA: exit %d %q", code, errs)
	}
}
