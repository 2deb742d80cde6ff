package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"popbox/mail/mailtest"
	"popbox/store"
)

// tricky are messages that trip naive POP3 clients.
func tricky() [][]byte {
	long5k := strings.Repeat("a", 4999) + "."
	long70k := strings.Repeat("b", 70000)
	return [][]byte{
		[]byte("From: A <a@example.test>\r\nSubject: dots\r\n\r\n.\r\n..\r\n.x\r\n...\r\nend\r\n"),
		[]byte("From: a@example.test\r\nSubject: long lines\r\n\r\n" + long5k + "\r\n+OK 3 octets\r\n" + long70k + "\r\n.\r\n"),
		[]byte("From: a@example.test\r\nSubject: 8bit\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n日本語のメール \xff\xfe\x00 bytes\r\n"),
		[]byte("From: a@example.test\r\nSubject: no final line end\r\n\r\nlast line without CRLF"),
		[]byte("From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.jp>\r\nSubject: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=\r\nDate: Wed, 25 Nov 2026 10:00:00 +0900\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n\x1b$B$3$s$K$A$O\x1b(B\r\n"),
		[]byte("From: a@example.test\nSubject: LF only\n\nline one\nline two\n"),
	}
}

func rawSet(bs [][]byte) []string {
	var s []string
	for _, b := range bs {
		s = append(s, string(b))
	}
	sort.Strings(s)
	return s
}

func TestFetchByteExact(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	for _, m := range tricky() {
		srv.Deliver(t, "alice", m)
	}
	want := rawSet(srv.Mailbox(t, "alice"))
	for _, sec := range []string{"ssl", "starttls"} {
		t.Run(sec, func(t *testing.T) {
			c := newCLI(t, srv)
			c.addAccount(srv, "box", "alice", "secret", sec, "keep")
			out := c.ok("", "fetch")
			if !strings.Contains(out, fmt.Sprintf("box: %d new, 0 deleted on server", len(want))) {
				t.Fatalf("fetch summary: %q", out)
			}
			msgs := c.list("box")
			if len(msgs) != len(want) {
				t.Fatalf("listed %d, want %d", len(msgs), len(want))
			}
			var got [][]byte
			for _, m := range msgs {
				got = append(got, []byte(c.ok("", "show", m.ID, "--raw")))
			}
			if g := rawSet(got); strings.Join(g, "\x00") != strings.Join(want, "\x00") {
				for i := range g {
					if i < len(want) && g[i] != want[i] {
						t.Errorf("message differs: got %d bytes %q..., want %d bytes %q...", len(g[i]), head(g[i]), len(want[i]), head(want[i]))
					}
				}
				t.Fatal("stored bytes differ from the server's")
			}
			// Nothing twice.
			out = c.ok("", "fetch")
			if !strings.Contains(out, "box: 0 new") {
				t.Fatalf("second fetch: %q", out)
			}
			if n := len(c.list("box")); n != len(want) {
				t.Fatalf("after a second fetch %d listed, want %d", n, len(want))
			}
			if srv.Count(t, "alice") != len(want) {
				t.Fatal("keep deleted mail on the server")
			}
			// The Japanese message reads correctly.
			for _, m := range msgs {
				if m.Subject == "テスト" {
					show := c.ok("", "show", m.ID)
					if !strings.Contains(show, "Subject: テスト") || !strings.Contains(show, "こんにちは") || !strings.Contains(show, "山田") {
						t.Fatalf("show of the ISO-2022-JP message:\n%s", show)
					}
					return
				}
			}
			t.Fatalf("no message with the subject テスト in %+v", msgs)
		})
	}
}

func head(s string) string {
	if len(s) > 60 {
		return s[:60]
	}
	return s
}

func TestFetchDryRunAndDelete(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	for i := 0; i < 5; i++ {
		srv.Deliver(t, "alice", []byte(fmt.Sprintf("From: a@example.test\r\nSubject: m%d\r\n\r\nbody %d\r\n", i, i)))
	}
	c := newCLI(t, srv)
	c.addAccount(srv, "box", "alice", "secret", "ssl", "delete")
	out := c.ok("", "fetch", "--dry-run")
	// Under delete, what is fetched is also deleted on receipt.
	if !strings.Contains(out, "would fetch 5 new") || !strings.Contains(out, "would delete 5 on the server") {
		t.Fatalf("dry run: %q", out)
	}
	out = c.ok("", "fetch", "--dry-run", "--json")
	var plan struct {
		Fetch  []string `json:"fetch"`
		Delete []string `json:"delete"`
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil || len(plan.Fetch) != 5 || len(plan.Delete) != 5 {
		t.Fatalf("dry run JSON: %v %q", err, out)
	}
	if n := len(c.list("box")); n != 0 || srv.Count(t, "alice") != 5 {
		t.Fatalf("dry run changed something: %d stored, %d on server", n, srv.Count(t, "alice"))
	}
	out = c.ok("", "fetch")
	if !strings.Contains(out, "5 new, 5 deleted on server") {
		t.Fatalf("fetch with delete: %q", out)
	}
	if n := len(c.list("box")); n != 5 || srv.Count(t, "alice") != 0 {
		t.Fatalf("after delete: %d stored, %d on server", n, srv.Count(t, "alice"))
	}
}

func TestFetchErrorsAreSentences(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	c := newCLI(t, srv)

	// account add checks the login and saves nothing when it fails.
	_, errs, code := c.run("wrong\n", "account", "add", "--name", "box", "--email", "alice@example.test",
		"--host", srv.Host, "--port", strconv.Itoa(srv.POPSPort), "--security", "ssl", "--user", "alice", "--password-stdin")
	if code != 1 || !strings.Contains(errs, "refused the password") || !strings.Contains(errs, "--no-check") {
		t.Fatalf("add with a wrong password: exit %d, %q", code, errs)
	}
	if out := c.ok("", "accounts", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("a refused add saved an account: %s", out)
	}

	// A stored password that has become wrong: fetch says how to change it.
	c.addAccount(srv, "box", "alice", "wrong", "ssl", "keep", "--no-check")
	_, errs, code = c.run("", "fetch")
	if code != 1 || !strings.Contains(errs, "refused the password") || !strings.Contains(errs, "popbox account passwd box --incoming") {
		t.Fatalf("fetch with a wrong password: exit %d, %q", code, errs)
	}
	if strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("the error is more than one line: %q", errs)
	}
	c.ok("secret\n", "account", "passwd", "box", "--incoming", "--password-stdin")
	c.ok("", "fetch")

	// SSL against the plain port: a TLS mismatch, said as such.
	cc := newCLI(t, srv)
	cc.ok("secret\n", "account", "add", "--name", "m", "--email", "alice@example.test", "--host", srv.Host,
		"--port", strconv.Itoa(srv.POPPort), "--security", "ssl", "--user", "alice", "--password-stdin", "--no-check")
	_, errs, code = cc.run("", "fetch")
	if code != 1 || !strings.Contains(errs, "port") {
		t.Fatalf("ssl on the plain port: exit %d, %q", code, errs)
	}

	// An untrusted certificate.
	cu := newCLI(t, nil)
	cu.ok("secret\n", "account", "add", "--name", "u", "--email", "alice@example.test", "--host", srv.Host,
		"--port", strconv.Itoa(srv.POPSPort), "--security", "ssl", "--user", "alice", "--password-stdin", "--no-check")
	_, errs, code = cu.run("", "fetch")
	if code != 1 || !strings.Contains(errs, "certificate") {
		t.Fatalf("untrusted certificate: exit %d, %q", code, errs)
	}
}

func TestLockedDatabase(t *testing.T) {
	c := newCLI(t, nil)
	st, err := store.Open(c.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	_, errs, code := c.run("", "accounts")
	if code != 1 || !strings.Contains(errs, "already running") || !strings.Contains(errs, c.db) {
		t.Fatalf("locked database: exit %d, %q", code, errs)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("the locked database took %v to refuse", d)
	}
}

// TestFetchKilled kills popbox fetch with SIGKILL at several points and runs
// it again: nothing lost, nothing stored twice, nothing deleted on the server
// that is not stored.
func TestFetchKilled(t *testing.T) {
	const n = 1500
	srv := mailtest.Start(t, mailtest.Options{})
	body := strings.Repeat("popbox crash test line of text\r\n", 120)
	for i := 0; i < n; i++ {
		srv.Deliver(t, "alice", []byte(fmt.Sprintf("From: a@example.test\r\nSubject: seq %d\r\nX-Seq: %d\r\n\r\n%s", i, i, body)))
	}
	c := newCLI(t, srv)
	c.addAccount(srv, "box", "alice", "secret", "ssl", "delete")
	seqRE := regexp.MustCompile(`^seq (\d+)$`)
	check := func(stage string) map[int]int {
		seen := map[int]int{}
		for _, m := range c.list("box") {
			mm := seqRE.FindStringSubmatch(m.Subject)
			if mm == nil {
				t.Fatalf("%s: unexpected subject %q", stage, m.Subject)
			}
			k, _ := strconv.Atoi(mm[1])
			seen[k]++
			if seen[k] > 1 {
				t.Fatalf("%s: message %d stored twice", stage, k)
			}
		}
		onServer := map[int]bool{}
		for _, raw := range srv.Mailbox(t, "alice") {
			mm := regexp.MustCompile(`X-Seq: (\d+)`).FindSubmatch(raw)
			k, _ := strconv.Atoi(string(mm[1]))
			onServer[k] = true
		}
		for i := 0; i < n; i++ {
			if seen[i] == 0 && !onServer[i] {
				t.Fatalf("%s: message %d is neither stored nor on the server: lost", stage, i)
			}
		}
		return seen
	}
	for _, after := range []time.Duration{150 * time.Millisecond, 400 * time.Millisecond, 700 * time.Millisecond, 1200 * time.Millisecond} {
		cmd := c.cmd("", "fetch")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		check(fmt.Sprintf("killed after %v", after))
	}
	c.ok("", "fetch")
	seen := check("final")
	if len(seen) != n {
		t.Fatalf("after the final fetch %d stored, want %d", len(seen), n)
	}
	if srv.Count(t, "alice") != 0 {
		t.Fatalf("%d messages left on the server under delete", srv.Count(t, "alice"))
	}
}
