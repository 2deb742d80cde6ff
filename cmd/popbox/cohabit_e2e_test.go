package main

// The TUI and the command line on one database at the same time (issue
// 16): the real binary in tmux, a cron-like fetch --quiet run again and
// again against a real Dovecot while the TUI is open and fetches too.

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"popbox/mail/mailtest"
)

func TestCronFetchWhileTUIOpen(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	var delivered []string
	deliver := func(subject string) {
		delivered = append(delivered, subject)
		srv.Deliver(t, "alice", []byte(fmt.Sprintf("From: Carol <carol@example.test>\r\nSubject: %s\r\nDate: %s\r\n\r\nbody of %s\r\n",
			subject, time.Now().UTC().Format(time.RFC1123Z), subject)))
	}
	deliver("before the TUI 1")
	deliver("before the TUI 2")
	c := newCLI(t, srv)
	c.addAccount(srv, "Box", "alice", "secret", "ssl", "keep")

	tm := startTerm(t, c, 120, 40, []string{"LANG=en_US.UTF-8"})
	tm.waitFor(10*time.Second, "Box")
	fi, err := os.Lstat(c.db + ".sock")
	if err != nil || fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the TUI's socket: %v %v", fi, err)
	}

	// Ten minutes of a cron fetch every minute, compressed: new mail
	// between some runs, and the TUI's own f between others.
	for i := range 10 {
		if i%3 == 1 {
			deliver(fmt.Sprintf("cron round %d", i))
		}
		if i%4 == 2 {
			tm.keys("f")
		}
		out, errs, code := c.run("", "fetch", "--quiet")
		if code != 0 || errs != "" {
			t.Fatalf("round %d: fetch --quiet with the TUI open: exit %d\nstdout: %s\nstderr: %s", i, code, out, errs)
		}
		if strings.Contains(out, "new") && !strings.Contains(out, "Box:") {
			t.Fatalf("round %d: stdout %q", i, out)
		}
	}
	// The TUI shows what the cron fetch stored without a key.
	deliver("the last cron round")
	if out, errs, code := c.run("", "fetch", "--quiet"); code != 0 || errs != "" {
		t.Fatalf("last round: exit %d\n%s%s", code, out, errs)
	}
	tm.waitFor(10*time.Second, "the last cron round")

	// Each message exactly once, through the socket.
	msgs := c.list("Box")
	var got []string
	uids := map[string]bool{}
	for _, m := range msgs {
		got = append(got, m.Subject)
		if uids[m.UID] {
			t.Errorf("UID %s stored twice", m.UID)
		}
		uids[m.UID] = true
	}
	sort.Strings(got)
	sort.Strings(delivered)
	if strings.Join(got, "|") != strings.Join(delivered, "|") {
		t.Fatalf("stored %q\nwant %q", got, delivered)
	}
	// show --raw is byte-exact through the socket.
	want := rawSet(srv.Mailbox(t, "alice"))
	var raws [][]byte
	for _, m := range msgs {
		raws = append(raws, []byte(c.ok("", "show", m.ID, "--raw")))
	}
	if strings.Join(rawSet(raws), "\x00") != strings.Join(want, "\x00") {
		t.Fatal("show --raw through the TUI differs from the server's bytes")
	}
	if out := c.ok("", "accounts", "--json"); !strings.Contains(out, `"name": "Box"`) {
		t.Fatalf("accounts --json: %s", out)
	}

	tm.keys("C-c")
	tm.waitFor(10*time.Second, "[popbox exited 0]")
	if _, err := os.Lstat(c.db + ".sock"); !os.IsNotExist(err) {
		t.Fatalf("the socket is still there after the TUI quit: %v", err)
	}
	if n := len(c.list("Box")); n != len(delivered) {
		t.Fatalf("after the TUI: %d messages, want %d", n, len(delivered))
	}
}

// TestTUIWaitsForSlowFetch: a fetch that holds the database (a slow
// server) makes the TUI wait, not fail, and a second fetch wait its turn
// quietly; the TUI then starts with the mail the fetch stored.
func TestTUIWaitsForSlowFetch(t *testing.T) {
	f := mailtest.NewPOP3("USER", "UIDL")
	f.Add("u1", "Subject: slow one\r\n\r\nx\r\n")
	f.Retr = func(c net.Conn, n int, m *mailtest.POP3Msg) bool {
		time.Sleep(4 * time.Second)
		return false
	}
	c := newCLI(t, nil)
	c.addFake(f.Start(t), "box", "none", "")
	c.env = append(c.env, "LANG=en_US.UTF-8")

	slow := c.cmd("", "fetch")
	var out, errb bytes.Buffer
	slow.Stdout, slow.Stderr = &out, &errb
	if err := slow.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(strings.Join(f.Commands(), " "), "RETR") {
		if time.Now().After(deadline) {
			t.Fatal("the slow fetch did not reach RETR")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A second fetch waits its turn quietly and finds nothing left.
	second := make(chan string, 1)
	go func() {
		o, e, code := c.run("", "fetch", "--quiet")
		second <- fmt.Sprintf("exit %d stdout %q stderr %q", code, o, e)
	}()
	tm := startTerm(t, c, 100, 30, nil)
	if err := slow.Wait(); err != nil {
		t.Fatalf("slow fetch: %v\n%s%s", err, out.String(), errb.String())
	}
	tm.waitFor(20*time.Second, "slow one")
	if s := <-second; s != `exit 0 stdout "" stderr ""` {
		t.Fatalf("second fetch: %s", s)
	}
	tm.keys("C-c")
	tm.waitFor(10*time.Second, "[popbox exited 0]")
}

// TestStaleSocket: a socket file a crashed TUI left behind neither breaks
// the command line nor stops the next TUI from serving.
func TestStaleSocket(t *testing.T) {
	f := mailtest.NewPOP3("USER", "UIDL")
	f.Add("u1", "Subject: hello\r\n\r\nx\r\n")
	c := newCLI(t, nil)
	c.addFake(f.Start(t), "box", "none", "")
	sock := c.db + ".sock"
	if len(sock) >= 100 {
		// Listen here needs a short path; the TUI itself does not.
		t.Skipf("temporary path too long for this test: %s", sock)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	if out, errs, code := c.run("", "fetch"); code != 0 || !strings.Contains(out, "1 new") {
		t.Fatalf("fetch beside a stale socket: exit %d\n%s%s", code, out, errs)
	}
	tm := startTerm(t, c, 100, 30, []string{"LANG=en_US.UTF-8"})
	tm.waitFor(10*time.Second, "hello")
	if out := c.ok("", "list"); !strings.Contains(out, "hello") {
		t.Fatalf("list with the TUI open: %s", out)
	}
	tm.keys("C-c")
	tm.waitFor(10*time.Second, "[popbox exited 0]")
}

// TestServedSaveRelative: save --to a relative folder means the folder
// of the command, not the TUI's.
func TestServedSaveRelative(t *testing.T) {
	f := mailtest.NewPOP3("USER", "UIDL")
	f.Add("u1", "Subject: with file\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"a.txt\"\r\n\r\nfile body\r\n--b--\r\n")
	c := newCLI(t, nil)
	c.addFake(f.Start(t), "box", "none", "")
	c.ok("", "fetch")
	tm := startTerm(t, c, 100, 30, []string{"LANG=en_US.UTF-8"})
	tm.waitFor(10*time.Second, "with file")
	id := c.list("box")[0].ID
	work := t.TempDir()
	os.Mkdir(filepath.Join(work, "out"), 0o700)
	cmd := c.cmd("", "save", id, "1", "--to", "out")
	cmd.Dir = work
	b, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(b), "Saved out/a.txt") {
		t.Fatalf("save with the TUI open: %v\n%s", err, b)
	}
	if got, _ := os.ReadFile(filepath.Join(work, "out", "a.txt")); string(got) != "file body" {
		t.Fatalf("saved %q", got)
	}
	tm.keys("C-c")
	tm.waitFor(10*time.Second, "[popbox exited 0]")
}
