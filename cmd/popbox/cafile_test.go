package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"popbox/mail/mailtest"
)

// TestFetchCheckCAFile (issue 13, part 6): fetch and check take --ca-file
// for one run, against a server whose certificate the tests' own CA
// signed; the account keeps its settings. A CA file that cannot be read
// or holds no certificate is said before any server is asked.
func TestFetchCheckCAFile(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Submission: true})
	srv.Deliver(t, "alice", []byte("From: a@example.test\r\nSubject: private CA\r\n\r\nhi\r\n"))
	c := newCLI(t, nil) // no SSL_CERT_FILE: the system roots do not know this CA
	c.ok("secret\n", "account", "add", "--name", "box", "--email", "alice@example.test", "--host", srv.Host,
		"--port", strconv.Itoa(srv.POPSPort), "--security", "ssl", "--user", "alice", "--password-stdin",
		"--smtp-host", srv.Host, "--smtp-port", strconv.Itoa(srv.SubmissionsPort), "--smtp-security", "ssl", "--no-check")

	_, errs, code := c.run("", "fetch")
	if code != 1 || !strings.Contains(errs, "certificate") || !strings.Contains(errs, "--ca-file") {
		t.Fatalf("fetch without the CA: exit %d %q", code, errs)
	}
	if out := c.ok("", "fetch", "--ca-file", srv.CAFile); !strings.Contains(out, "box: 1 new") {
		t.Fatalf("fetch --ca-file: %q", out)
	}
	// For that run only: the account is as it was.
	if _, _, code := c.run("", "fetch"); code != 1 {
		t.Fatalf("fetch without --ca-file after one with it: exit %d", code)
	}
	if out := c.ok("", "accounts", "--json"); strings.Contains(out, "ca_file") {
		t.Fatalf("fetch --ca-file changed the account: %s", out)
	}

	out, _, code := c.run("", "check")
	if code != 1 || strings.Count(out, "FAILED") != 2 {
		t.Fatalf("check without the CA: exit %d\n%s", code, out)
	}
	out = c.ok("", "check", "--ca-file", srv.CAFile)
	if strings.Count(out, ": ok, logged in as alice") != 2 {
		t.Fatalf("check --ca-file: %q", out)
	}
	c.ok("", "check", "box", "--ca-file", srv.CAFile)

	empty := filepath.Join(t.TempDir(), "empty.pem")
	if err := os.WriteFile(empty, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing.pem")
	for _, args := range [][]string{{"fetch"}, {"check"}, {"fetch", "--dry-run"}} {
		_, errs, code := c.run("", append(args, "--ca-file", missing)...)
		if code != 1 || errs != "popbox: The CA file "+missing+" cannot be read (no such file or directory); check the path given with --ca-file.\n" {
			t.Errorf("%v --ca-file missing: exit %d %q", args, code, errs)
		}
		_, errs, code = c.run("", append(args, "--ca-file", empty)...)
		if code != 1 || !strings.Contains(errs, "The CA file "+empty+" holds no PEM certificate") {
			t.Errorf("%v --ca-file empty: exit %d %q", args, code, errs)
		}
	}
	_, errs, code = c.run("secret\n", "account", "add", "--name", "other", "--email", "alice@example.test", "--host", srv.Host,
		"--port", strconv.Itoa(srv.POPSPort), "--user", "alice", "--password-stdin", "--ca-file", missing, "--no-check")
	if code != 1 || !strings.Contains(errs, "The CA file "+missing+" cannot be read") {
		t.Errorf("account add --ca-file missing: exit %d %q", code, errs)
	}
	if out := c.ok("", "accounts"); strings.Contains(out, "other") {
		t.Errorf("an account was saved with a CA file that cannot be read:\n%s", out)
	}
}

// TestCertificateAdviceWorks (issue 13, part 6): the advice for a
// certificate the system does not trust names only flags the command that
// failed takes (fetch, check, account add: --ca-file), and SSL_CERT_FILE,
// which every command reads.
func TestCertificateAdviceWorks(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Submission: true})
	c := newCLI(t, nil)
	addArgs := []string{"account", "add", "--name", "box", "--email", "alice@example.test", "--host", srv.Host,
		"--port", strconv.Itoa(srv.POPSPort), "--security", "ssl", "--user", "alice", "--password-stdin",
		"--smtp-host", srv.Host, "--smtp-port", strconv.Itoa(srv.SubmissionsPort), "--smtp-security", "ssl"}
	flagRE := regexp.MustCompile(`--[a-z][a-z-]*`)
	for _, cmd := range [][]string{addArgs, {"fetch"}, {"check"}} {
		name := cmd[0]
		if name == "account" {
			name = "account add"
		}
		out, errs, code := c.run("secret\n", cmd...)
		said := out + errs
		if code != 1 || !strings.Contains(said, "not signed by a CA this system trusts") || !strings.Contains(said, "SSL_CERT_FILE") {
			t.Fatalf("%s without the CA: exit %d\n%s", name, code, said)
		}
		help := c.ok("", append(strings.Fields(name), "--help")...)
		for _, f := range flagRE.FindAllString(said, -1) {
			if f == "--incoming" || f == "--outgoing" {
				continue // account passwd's, named with that command
			}
			if !strings.Contains(help, "  "+f+" ") && !strings.Contains(help, "  "+f+"\n") {
				t.Errorf("%s advises %s, which it does not take:\n%s", name, f, said)
			}
		}
		if name == "account add" {
			c.ok("secret\n", append(cmd, "--no-check")...)
		}
	}
}
