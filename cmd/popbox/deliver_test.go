package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"popbox/mail/mailtest"
)

// Delivery to a Maildir or an MDA, with the real binary against a real
// Dovecot: nothing is deleted from the server before it is delivered, a
// failed delivery is tried again, a kill loses nothing.

func deliverMsgs(n int) [][]byte {
	var out [][]byte
	for i := 0; i < n; i++ {
		out = append(out, []byte(fmt.Sprintf("From: a@example.test\r\nSubject: deliver %d\r\nX-Seq: %d\r\n\r\nbody %d\r\n.\r\n..dots\r\n", i, i, i)))
	}
	return out
}

// mdaScript writes a shell script and returns the mda: target that runs it.
func mdaScript(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return "mda:" + p
}

// goodMDA writes each message to OUT/ID (and its POPBOX_ variables to
// OUT/ID.env), after sleeping delay seconds.
func goodMDA(t *testing.T, out string, delay string) string {
	return mdaScript(t, "good.sh", fmt.Sprintf(`set -e
sleep %s
env | grep '^POPBOX_' | sort > %q/"$POPBOX_MESSAGE_ID.env"
cat > %q/"$POPBOX_MESSAGE_ID.tmp"
mv %q/"$POPBOX_MESSAGE_ID.tmp" %q/"$POPBOX_MESSAGE_ID"
echo "$POPBOX_MESSAGE_ID" >> %q/log
`, delay, out, out, out, out, out))
}

// rawByID is every stored message's exact bytes, by ID.
func rawByID(c *cli, account string) map[string]string {
	out := map[string]string{}
	for _, m := range c.list(account) {
		out[m.ID] = c.ok("", "show", m.ID, "--raw")
	}
	return out
}

func TestDeliverMaildir(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	msgs := append(tricky(), deliverMsgs(3)...)
	for _, m := range msgs {
		srv.Deliver(t, "alice", m)
	}
	c := newCLI(t, srv)
	dir := filepath.Join(t.TempDir(), "Maildir")
	c.addAccount(srv, "box", "alice", "secret", "ssl", "delete", "--deliver", "maildir:"+dir)
	out := c.ok("", "fetch")
	want := fmt.Sprintf("box: %d new, %d deleted on server, 0 skipped, %d delivered.", len(msgs), len(msgs), len(msgs))
	if strings.TrimSpace(out) != want {
		t.Fatalf("fetch said %q, want %q", out, want)
	}
	files, err := os.ReadDir(filepath.Join(dir, "new"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(msgs) {
		t.Fatalf("%d files in new/, want %d", len(files), len(msgs))
	}
	var got [][]byte
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, "new", f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if fi, _ := f.Info(); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f.Name(), fi.Mode().Perm())
		}
		got = append(got, b)
	}
	var stored [][]byte
	for _, r := range rawByID(c, "box") {
		stored = append(stored, []byte(r))
	}
	if strings.Join(rawSet(got), "\x00") != strings.Join(rawSet(stored), "\x00") {
		t.Fatal("the Maildir's files are not byte for byte what popbox show --raw gives")
	}
	if tmp, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(tmp) != 0 {
		t.Fatalf("tmp/ holds %d files", len(tmp))
	}
	if n := srv.Count(t, "alice"); n != 0 {
		t.Fatalf("%d messages left on the server", n)
	}
	// Nothing delivered twice.
	if out := c.ok("", "fetch"); !strings.Contains(out, "box: 0 new, 0 deleted on server, 0 skipped, 0 delivered.") {
		t.Fatalf("second fetch: %q", out)
	}
	if files, _ := os.ReadDir(filepath.Join(dir, "new")); len(files) != len(msgs) {
		t.Fatalf("after a second fetch %d files in new/", len(files))
	}
	if out := c.ok("", "accounts", "--json"); !strings.Contains(out, `"deliver":"maildir:`+dir+`"`) && !strings.Contains(out, `"deliver": "maildir:`+dir+`"`) {
		t.Errorf("accounts --json does not show the delivery target:\n%s", out)
	}
	// A setting that does not read is bad usage.
	if _, errs, code := c.run("", "account", "set", "box", "--deliver", "maildir:relative/dir"); code != 2 || !strings.Contains(errs, "--deliver") {
		t.Fatalf("account set --deliver maildir:relative/dir: exit %d, %q", code, errs)
	}
	if _, errs, code := c.run("", "account", "set", "box", "--deliver", "smtp:x"); code != 2 {
		t.Fatalf("account set --deliver smtp:x: exit %d, %q", code, errs)
	}
}

// TestDeliverMDAFailsThenWorks: an MDA that fails leaves the messages
// waiting, and retention delete does not delete them from the server;
// with a working MDA the next fetch delivers them, and only then are they
// deleted.
func TestDeliverMDAFailsThenWorks(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	msgs := deliverMsgs(4)
	for _, m := range msgs {
		srv.Deliver(t, "alice", m)
	}
	c := newCLI(t, srv)
	bad := mdaScript(t, "bad.sh", "cat >/dev/null\necho 'mailbox is over quota' >&2\nexit 75\n")
	c.addAccount(srv, "box", "alice", "secret", "ssl", "delete", "--deliver", bad)
	for i := 0; i < 2; i++ {
		if i == 1 {
			// A dry run knows the server copies wait for delivery.
			if out := c.ok("", "fetch", "--dry-run"); !strings.Contains(out, "would delete 0 on the server") {
				t.Fatalf("dry run said %q", out)
			}
		}
		out, errs, code := c.run("", "fetch")
		if code != 0 {
			t.Fatalf("fetch %d: exit %d: %s", i, code, errs)
		}
		if !strings.Contains(out, "0 delivered, 4 waiting for delivery: the delivery command") || !strings.Contains(out, "status 75: mailbox is over quota") {
			t.Fatalf("fetch %d said %q", i, out)
		}
		if !strings.Contains(errs, "4 messages are waiting for delivery and stay on the server") {
			t.Fatalf("fetch %d warned %q", i, errs)
		}
		if n := srv.Count(t, "alice"); n != 4 {
			t.Fatalf("fetch %d: %d messages left on the server, want all 4 (not delivered yet)", i, n)
		}
		if n := len(c.list("box")); n != 4 {
			t.Fatalf("fetch %d: %d stored", i, n)
		}
	}
	outDir := t.TempDir()
	c.ok("", "account", "set", "box", "--deliver", goodMDA(t, outDir, "0"))
	out := c.ok("", "fetch")
	if !strings.Contains(out, "box: 0 new, 4 deleted on server, 4 skipped, 4 delivered.") {
		t.Fatalf("fetch with a working MDA said %q", out)
	}
	if n := srv.Count(t, "alice"); n != 0 {
		t.Fatalf("%d messages left on the server after delivery", n)
	}
	for id, raw := range rawByID(c, "box") {
		b, err := os.ReadFile(filepath.Join(outDir, id))
		if err != nil {
			t.Fatalf("message %s was not delivered: %v", id, err)
		}
		if string(b) != raw {
			t.Fatalf("message %s: the MDA got %q, show --raw gives %q", id, b, raw)
		}
		env, _ := os.ReadFile(filepath.Join(outDir, id+".env"))
		for _, v := range []string{"POPBOX_ACCOUNT=box\n", "POPBOX_MESSAGE_ID=" + id + "\n", "POPBOX_EMAIL=alice@example.test\n"} {
			if !strings.Contains(string(env), v) {
				t.Errorf("message %s: the MDA's environment lacks %q:\n%s", id, v, env)
			}
		}
	}
	if log, _ := os.ReadFile(filepath.Join(outDir, "log")); strings.Count(string(log), "\n") != 4 {
		t.Fatalf("the MDA ran %q, want 4 runs", log)
	}
	// Turning delivery off says so.
	if out := c.ok("", "account", "set", "box", "--deliver", "none"); !strings.Contains(out, "no longer delivers") {
		t.Fatalf("account set --deliver none said %q", out)
	}
}

// TestDeliverOnly: fetch --deliver-only delivers what waits without
// logging in (the server is gone), and fails while the MDA fails.
func TestDeliverOnly(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	for _, m := range deliverMsgs(3) {
		srv.Deliver(t, "alice", m)
	}
	c := newCLI(t, srv)
	bad := mdaScript(t, "bad.sh", "exit 1\n")
	c.addAccount(srv, "box", "alice", "secret", "ssl", "keep", "--deliver", bad)
	c.ok("", "fetch")
	srv.Stop()
	out, errs, code := c.run("", "fetch", "--deliver-only")
	if code != 1 || !strings.Contains(out, "box: 0 delivered, 3 waiting for delivery") || !strings.Contains(errs, "exited with status 1") {
		t.Fatalf("deliver-only with a failing MDA: exit %d, %q, %q", code, out, errs)
	}
	outDir := t.TempDir()
	c.ok("", "account", "set", "box", "--deliver", goodMDA(t, outDir, "0"))
	if out := c.ok("", "fetch", "--deliver-only"); strings.TrimSpace(out) != "box: 3 delivered." {
		t.Fatalf("deliver-only said %q", out)
	}
	if out := c.ok("", "fetch", "--deliver-only", "--quiet"); out != "" {
		t.Fatalf("deliver-only --quiet with nothing waiting said %q", out)
	}
	for id := range rawByID(c, "box") {
		if _, err := os.Stat(filepath.Join(outDir, id)); err != nil {
			t.Fatalf("message %s not delivered: %v", id, err)
		}
	}
	c.ok("", "account", "set", "box", "--deliver", "none")
	if _, errs, code := c.run("", "fetch", "--deliver-only"); code != 1 || !strings.Contains(errs, "delivers nowhere") {
		t.Fatalf("deliver-only without a target: exit %d, %q", code, errs)
	}
}

// TestDeliverKilled kills a fetch while a slow MDA delivers: the next
// fetch delivers the rest, none is lost, and the server copies go only
// once delivered.
func TestDeliverKilled(t *testing.T) {
	const n = 8
	srv := mailtest.Start(t, mailtest.Options{})
	for _, m := range deliverMsgs(n) {
		srv.Deliver(t, "alice", m)
	}
	c := newCLI(t, srv)
	outDir := t.TempDir()
	c.addAccount(srv, "box", "alice", "secret", "ssl", "delete", "--deliver", goodMDA(t, outDir, "0.3"))
	cmd := c.cmd("", "fetch")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		log, _ := os.ReadFile(filepath.Join(outDir, "log"))
		if strings.Count(string(log), "\n") >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the MDA never ran twice")
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	time.Sleep(500 * time.Millisecond) // the MDA it had started may finish
	log, _ := os.ReadFile(filepath.Join(outDir, "log"))
	if got := strings.Count(string(log), "\n"); got >= n {
		t.Fatalf("all %d delivered before the kill; the test needs a slower MDA", got)
	}
	if got := srv.Count(t, "alice"); got != n {
		t.Fatalf("after the kill %d on the server, want %d: nothing is deleted before delivery", got, n)
	}
	out := c.ok("", "fetch")
	if !strings.Contains(out, fmt.Sprintf("%d deleted on server", n)) {
		t.Fatalf("second fetch said %q", out)
	}
	stored := rawByID(c, "box")
	if len(stored) != n {
		t.Fatalf("%d stored, want %d", len(stored), n)
	}
	for id, raw := range stored {
		b, err := os.ReadFile(filepath.Join(outDir, id))
		if err != nil || string(b) != raw {
			t.Fatalf("message %s: not delivered as stored (%v)", id, err)
		}
	}
	log, _ = os.ReadFile(filepath.Join(outDir, "log"))
	runs := map[string]int{}
	for _, id := range strings.Fields(string(log)) {
		runs[id]++
	}
	twice := 0
	for _, k := range runs {
		if k > 1 {
			twice++
		}
	}
	// At most the message in flight at the kill (its MDA ran on) is
	// delivered again: the documented window.
	if len(runs) != n || twice > 1 {
		t.Fatalf("MDA runs %v: want each of %d once, at most one twice", runs, n)
	}
	if got := srv.Count(t, "alice"); got != 0 {
		t.Fatalf("%d left on the server after every message was delivered", got)
	}
}

// TestDeliverMaildirUnwritable: a Maildir that cannot be made gives a
// clear reason, and nothing is lost or deleted.
func TestDeliverMaildirUnwritable(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	for _, m := range deliverMsgs(2) {
		srv.Deliver(t, "alice", m)
	}
	c := newCLI(t, srv)
	base := t.TempDir()
	file := filepath.Join(base, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A folder under a plain file cannot be made, even by root.
	c.addAccount(srv, "box", "alice", "secret", "ssl", "delete", "--deliver", "maildir:"+filepath.Join(file, "Maildir"))
	out, errs, code := c.run("", "fetch")
	if code != 0 || !strings.Contains(out, "box: 2 new, 0 deleted on server, 0 skipped, 0 delivered, 2 waiting for delivery: the Maildir "+filepath.Join(file, "Maildir")) ||
		!strings.Contains(out, "not a directory") {
		t.Fatalf("fetch: exit %d, %q", code, out)
	}
	if !strings.Contains(errs, "could not be made") || !strings.Contains(errs, "2 messages are waiting for delivery") {
		t.Fatalf("fetch warned %q", errs)
	}
	if got := srv.Count(t, "alice"); got != 2 {
		t.Fatalf("%d on the server, want 2", got)
	}
	dir := filepath.Join(base, "Maildir")
	c.ok("", "account", "set", "box", "--deliver", "maildir:"+dir)
	if out := c.ok("", "fetch"); !strings.Contains(out, "box: 0 new, 2 deleted on server, 2 skipped, 2 delivered.") {
		t.Fatalf("fetch with a good Maildir said %q", out)
	}
	if files, _ := os.ReadDir(filepath.Join(dir, "new")); len(files) != 2 {
		t.Fatalf("%d files in new/", len(files))
	}
}

// TestDeliverDovecotLDA: a real MDA, Dovecot's dovecot-lda, delivers
// alice's fetched mail into bob's mailbox on the same Dovecot, and popbox
// fetches it back from there.
func TestDeliverDovecotLDA(t *testing.T) {
	const lda = "/usr/lib/dovecot/dovecot-lda"
	if _, err := os.Stat(lda); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s: %v", lda, err)
		}
		t.Skipf("%s: %v", lda, err)
	}
	srv := mailtest.Start(t, mailtest.Options{Users: map[string]string{"alice": "secret", "bob": "hunter2"}})
	msgs := deliverMsgs(3)
	for _, m := range msgs {
		srv.Deliver(t, "alice", m)
	}
	c := newCLI(t, srv)
	c.addAccount(srv, "alice", "alice", "secret", "ssl", "delete",
		"--deliver", "mda:"+lda+" -c "+filepath.Join(srv.Dir, "dovecot.conf")+" -d bob")
	if out := c.ok("", "fetch", "--account", "alice"); !strings.Contains(out, "alice: 3 new, 3 deleted on server, 0 skipped, 3 delivered.") {
		t.Fatalf("fetch said %q", out)
	}
	if n := srv.Count(t, "bob"); n != 3 {
		t.Fatalf("bob has %d messages, want 3", n)
	}
	c.addAccount(srv, "bob", "bob", "hunter2", "ssl", "keep")
	if out := c.ok("", "fetch", "--account", "bob"); !strings.Contains(out, "bob: 3 new") {
		t.Fatalf("fetch of bob said %q", out)
	}
	got := map[string]bool{}
	for _, m := range c.list("bob") {
		got[m.Subject] = true
		raw := c.ok("", "show", m.ID, "--raw")
		if !strings.Contains(raw, "..dots") {
			t.Errorf("%s came back as %q", m.Subject, raw)
		}
	}
	for i := range msgs {
		if s := fmt.Sprintf("deliver %d", i); !got[s] {
			t.Errorf("%q did not arrive in bob's mailbox: %v", s, got)
		}
	}
}
