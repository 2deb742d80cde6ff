package main

// Sending through a real relay: alice's popbox sends through Dovecot's
// submission service, which hands the message to Dovecot's LMTP for bob's
// maildir (mailtest's Options.Relay); bob's popbox fetches it back over
// POP3 from the same Dovecot, and the tests compare what arrived with what
// alice's outbox holds.

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"popbox/mail/mailtest"
	"popbox/store"
	"popbox/store/send"
)

// relayUsers are the mailboxes of the relay tests.
var relayUsers = map[string]string{"alice": "secret", "bob": "bobpw"}

// startRelay starts a Dovecot that relays what alice submits into bob's
// mailbox, and bob's popbox with its account "bob" (keep on server).
func startRelay(t *testing.T) (*mailtest.Server, *cli) {
	t.Helper()
	srv := mailtest.Start(t, mailtest.Options{Users: relayUsers, Relay: true})
	bob := newCLI(t, srv)
	bob.addAccount(srv, "bob", "bob", "bobpw", "ssl", "keep")
	return srv, bob
}

// addSender adds alice's account "alice" to c, sending through smtpPort
// with STARTTLS (no login check: the port may be closed on purpose).
func addSender(c *cli, srv *mailtest.Server, smtpPort int) {
	c.t.Helper()
	c.ok("secret\n", "account", "add", "--name", "alice", "--email", "alice@example.test", "--host", srv.Host,
		"--port", strconv.Itoa(srv.POPSPort), "--security", "ssl", "--user", "alice", "--password-stdin",
		"--retention", "keep", "--smtp-host", srv.Host, "--smtp-port", strconv.Itoa(smtpPort),
		"--smtp-security", "starttls", "--no-check")
}

// outboxBytes are the bytes account's outbox message id holds, read from
// the database while no popbox runs.
func outboxBytes(t *testing.T, c *cli, account, id string) []byte {
	t.Helper()
	st, err := store.Open(c.db, store.Options{PolicyFile: filepath.Join(t.TempDir(), "no-policy.json")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := st.Account(account)
	if err != nil {
		t.Fatal(err)
	}
	_, raw, err := st.OutgoingMessage(a.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// withSubject are the listed messages with that subject.
func withSubject(l []listed, subject string) []listed {
	var out []listed
	for _, m := range l {
		if m.Subject == subject {
			out = append(out, m)
		}
	}
	return out
}

// headerField is the first field name of a raw message's header, unfolded.
func headerField(raw, name string) string {
	head, _, _ := strings.Cut(raw, "\r\n\r\n")
	m := regexp.MustCompile(`(?im)^` + regexp.QuoteMeta(name) + `:[ \t]*([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)`).FindStringSubmatch(head)
	if m == nil {
		return ""
	}
	return regexp.MustCompile(`\r\n[ \t]+`).ReplaceAllString(m[1], " ")
}

// arrivedAsSent checks that bob's stored message id is the outbox message
// of alice byte for byte under the fields the relay and the delivery put
// on top (submission's and LMTP's Received, Return-Path, Delivered-To),
// and returns its raw text.
func arrivedAsSent(t *testing.T, bob, alice *cli, id, outboxID string) string {
	t.Helper()
	raw := bob.ok("", "show", id, "--raw")
	added, rest := mailtest.SplitDelivery([]byte(raw))
	want := outboxBytes(t, alice, "alice", outboxID)
	if string(rest) != string(want) {
		t.Fatalf("message %s as fetched, without the delivery's fields:\n%q\nalice's outbox %s holds:\n%q", id, rest, outboxID, want)
	}
	var names []string
	for _, f := range added {
		name, _, _ := strings.Cut(f, ":")
		names = append(names, name)
	}
	if strings.Join(names, ",") != "Return-Path,Delivered-To,Received,Received" {
		t.Errorf("message %s: the delivery put %q on top", id, names)
	}
	return raw
}

// TestRelaySentFetchedBack: alice sends bob an ISO-2022-JP message with an
// attachment whose file name is Japanese, a UTF-8 one and (--raw) one whose
// From has a Japanese name, through Dovecot's submission (STARTTLS, AUTH
// PLAIN) and LMTP into bob's maildir; bob's popbox fetches each exactly
// once, holding the bytes of alice's outbox under the delivery's fields;
// the raw Subject is ISO-2022-JP and UTF-8 encoded words; list --json and
// show decode the subject and the names; the attachment saves under its
// Japanese name with its bytes.
func TestRelaySentFetchedBack(t *testing.T) {
	srv, bob := startRelay(t)
	alice := newCLI(t, srv)
	addSender(alice, srv, srv.SubmissionPort)

	dir := t.TempDir()
	attachment := filepath.Join(dir, "議事録.txt")
	attached := "議題: 来期の予算\r\n出席: 田中、鈴木\r\n"
	if err := os.WriteFile(attachment, []byte(attached), 0o644); err != nil {
		t.Fatal(err)
	}
	jisBody := "ボブさん\n\n明日の会議の件です。議事録を添付します。\n\nアリス\n"
	out := alice.ok(jisBody, "send", "--to", "ボブ <bob@example.test>", "--subject", "会議の件", "--iso-2022-jp", "--attach", attachment)
	if !strings.Contains(out, "Sent <") {
		t.Fatalf("send --iso-2022-jp: %q", out)
	}
	utfBody := "ボブさん\n\n会議室は三階の第二会議室です。\n"
	alice.ok(utfBody, "send", "--to", "ボブ <bob@example.test>", "--subject", "会議室の場所")
	rawIn := "From: " + mime.BEncoding.Encode("UTF-8", "アリス") + " <alice@example.test>\n" +
		"To: " + mime.BEncoding.Encode("UTF-8", "ボブ") + " <bob@example.test>\n" +
		"Subject: " + mime.BEncoding.Encode("UTF-8", "差出人の名前") + "\n" +
		"MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n名前付きの差出人です。\n"
	alice.ok(rawIn, "send", "--raw")

	if n := srv.Count(t, "bob"); n != 3 || len(srv.Sink()) != 3 || srv.Count(t, "alice") != 0 {
		t.Fatalf("bob's maildir holds %d messages, the relay took %d", n, len(srv.Sink()))
	}
	sent := alice.outbox("sent")
	if len(sent) != 3 || len(alice.outbox()) != 0 {
		t.Fatalf("alice's sent %+v", sent)
	}

	if out := bob.ok("", "fetch"); !strings.Contains(out, "bob: 3 new") {
		t.Fatalf("bob's fetch: %q", out)
	}
	if out := bob.ok("", "fetch"); !strings.Contains(out, "bob: 0 new") {
		t.Fatalf("bob's second fetch: %q", out)
	}
	l := bob.list("bob")
	if len(l) != 3 {
		t.Fatalf("bob lists %d messages", len(l))
	}

	// The ISO-2022-JP message.
	jis := withSubject(l, "会議の件")
	if len(jis) != 1 || jis[0].From.Address != "alice@example.test" {
		t.Fatalf("会議の件 listed %+v", jis)
	}
	raw := arrivedAsSent(t, bob, alice, jis[0].ID, idFor(t, bob, sent, jis[0].ID))
	if s := headerField(raw, "Subject"); !strings.HasPrefix(s, "=?ISO-2022-JP?B?") {
		t.Errorf("raw Subject %q, want ISO-2022-JP encoded words", s)
	}
	if to := headerField(raw, "To"); !strings.HasPrefix(to, "=?ISO-2022-JP?B?") || !strings.HasSuffix(to, "<bob@example.test>") {
		t.Errorf("raw To %q", to)
	}
	if !strings.Contains(raw, "charset=ISO-2022-JP") || !strings.Contains(raw, "\x1b$B") {
		t.Errorf("the text is not in ISO-2022-JP:\n%s", raw)
	}
	shown := bob.ok("", "show", jis[0].ID)
	for _, want := range []string{"Subject: 会議の件", "To: ボブ <bob@example.test>", "From: alice@example.test",
		"明日の会議の件です。議事録を添付します。", "1. 議事録.txt"} {
		if !strings.Contains(shown, want) {
			t.Errorf("show %s lacks %q:\n%s", jis[0].ID, want, shown)
		}
	}
	saveDir := t.TempDir()
	bob.ok("", "save", jis[0].ID, "1", "--to", saveDir)
	if got, err := os.ReadFile(filepath.Join(saveDir, "議事録.txt")); err != nil || string(got) != attached {
		t.Errorf("the saved attachment: %q, %v; want %q", got, err, attached)
	}

	// The UTF-8 message.
	utf := withSubject(l, "会議室の場所")
	if len(utf) != 1 {
		t.Fatalf("会議室の場所 listed %d times", len(utf))
	}
	raw = arrivedAsSent(t, bob, alice, utf[0].ID, idFor(t, bob, sent, utf[0].ID))
	if s := headerField(raw, "Subject"); !strings.HasPrefix(strings.ToUpper(s), "=?UTF-8?") {
		t.Errorf("raw Subject %q, want UTF-8 encoded words", s)
	}
	if strings.Contains(raw, "ISO-2022-JP") {
		t.Errorf("the UTF-8 message names ISO-2022-JP:\n%s", raw)
	}
	shown = bob.ok("", "show", utf[0].ID)
	for _, want := range []string{"Subject: 会議室の場所", "To: ボブ <bob@example.test>", "会議室は三階の第二会議室です。"} {
		if !strings.Contains(shown, want) {
			t.Errorf("show %s lacks %q:\n%s", utf[0].ID, want, shown)
		}
	}

	// The whole message of --raw, with a sender's name.
	named := withSubject(l, "差出人の名前")
	if len(named) != 1 || named[0].From.Name != "アリス" || named[0].From.Address != "alice@example.test" {
		t.Fatalf("差出人の名前 listed %+v", named)
	}
	arrivedAsSent(t, bob, alice, named[0].ID, idFor(t, bob, sent, named[0].ID))
	if shown := bob.ok("", "show", named[0].ID); !strings.Contains(shown, "From: アリス <alice@example.test>") {
		t.Errorf("show %s:\n%s", named[0].ID, shown)
	}
}

// idFor is the outbox ID of alice's sent message whose Message-ID bob's
// stored message id carries.
func idFor(t *testing.T, bob *cli, sent []outboxEntry, id string) string {
	t.Helper()
	mid := headerField(bob.ok("", "show", id, "--raw"), "Message-Id")
	for _, o := range sent {
		if o.MessageID == mid {
			return o.ID
		}
	}
	t.Fatalf("bob's message %s: no sent message of alice has Message-ID %q (sent: %+v)", id, mid, sent)
	return ""
}

// attempts is how many times outbox message id of c's active account was
// tried.
func attempts(t *testing.T, c *cli, id string) int {
	t.Helper()
	var l []struct {
		ID       string `json:"id"`
		Attempts int    `json:"attempts"`
	}
	if err := json.Unmarshal([]byte(c.ok("", "outbox", "--json")), &l); err != nil {
		t.Fatal(err)
	}
	for _, o := range l {
		if o.ID == id {
			return o.Attempts
		}
	}
	t.Fatalf("no outbox message %s", id)
	return 0
}

// sendKilled runs popbox send with the test hook that kills it right after
// the server took the message, and checks that it died of SIGKILL.
func sendKilled(t *testing.T, c *cli, body string, args ...string) {
	t.Helper()
	cmd := c.cmd(body, append([]string{"send"}, args...)...)
	cmd.Env = append(cmd.Env, send.KillEnv+"=after-data")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("send with %s=after-data: %v, want death by SIGKILL", send.KillEnv, err)
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("send with %s=after-data ended %v, want SIGKILL", send.KillEnv, ee)
	}
}

// TestRelayKilledAfterData: popbox send killed (SIGKILL) after the relay
// took the message and before popbox wrote "sent": bob's maildir holds it
// once; alice's outbox says "unknown"; outbox retry ID exits 1 and sends
// nothing, nor does retry --all nor a fetch of alice's; bob fetches it
// once; only retry --force sends it again, and bob then has it twice (as
// documented), both the same bytes.
func TestRelayKilledAfterData(t *testing.T) {
	srv, bob := startRelay(t)
	alice := newCLI(t, srv)
	addSender(alice, srv, srv.SubmissionPort)

	sendKilled(t, alice, "一度だけ届くはずのメッセージです。\n", "--to", "ボブ <bob@example.test>", "--subject", "一度だけ")
	if n := srv.Count(t, "bob"); n != 1 {
		t.Fatalf("after the kill bob's maildir holds %d messages, want 1", n)
	}
	box := alice.outbox()
	if len(box) != 1 || box[0].State != "unknown" || len(alice.outbox("sent")) != 0 {
		t.Fatalf("alice's outbox after the kill: %+v", box)
	}
	id := box[0].ID

	_, errs, code := alice.run("", "outbox", "retry", id)
	if code == 0 || !strings.Contains(errs, "--force") {
		t.Fatalf("outbox retry %s: exit %d %q", id, code, errs)
	}
	alice.ok("", "outbox", "retry", "--all")
	out := alice.ok("", "fetch")
	if strings.Contains(out, "Sent") || !strings.Contains(out, "alice: 0 new") {
		t.Fatalf("alice's fetch: %q", out)
	}
	if n := srv.Count(t, "bob"); n != 1 || len(srv.Sink()) != 1 {
		t.Fatalf("retry, retry --all and fetch: bob's maildir holds %d messages, the relay took %d", n, len(srv.Sink()))
	}
	if box := alice.outbox(); len(box) != 1 || box[0].State != "unknown" {
		t.Fatalf("alice's outbox: %+v", box)
	}
	bob.ok("", "fetch")
	got := withSubject(bob.list("bob"), "一度だけ")
	if len(got) != 1 {
		t.Fatalf("bob fetched the message %d times", len(got))
	}
	// What arrived is what the outbox holds (the kill came after the
	// server's answer, so all of it went).
	arrivedAsSent(t, bob, alice, got[0].ID, id)

	alice.ok("", "outbox", "retry", id, "--force")
	if n := srv.Count(t, "bob"); n != 2 {
		t.Fatalf("after retry --force bob's maildir holds %d messages, want 2", n)
	}
	if len(alice.outbox()) != 0 || len(alice.outbox("sent")) != 1 {
		t.Fatal("the forced message is not listed as sent")
	}
	bob.ok("", "fetch")
	got = withSubject(bob.list("bob"), "一度だけ")
	if len(got) != 2 {
		t.Fatalf("after retry --force bob lists the message %d times, want 2", len(got))
	}
	for _, m := range got {
		arrivedAsSent(t, bob, alice, m.ID, id)
	}
}

// forwarder listens on addr and connects each client to target, as long
// as it runs: the outgoing server "coming back".
func forwarder(t *testing.T, addr, target string) {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen again on %s: %v", addr, err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				s, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer s.Close()
				done := make(chan struct{}, 2)
				go func() { io.Copy(s, c); s.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
				go func() { io.Copy(c, s); c.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
				<-done
				<-done
			}()
		}
	}()
}

// TestRelayFetchSendsWaiting: messages that failed while the outgoing
// server could not be reached wait in the outbox. A fetch while it still
// cannot be reached says so on stderr (the outbox ID, how to retry, how
// many were not tried) and exits 0; fetch --dry-run and --deliver-only
// send nothing. Once the server is back, the next fetch (--quiet) sends
// them, a line each on stdout, and bob fetches each once; the one the
// server refuses (a recipient with no mailbox: LMTP's 550 at RCPT TO,
// passed back by submission) is a sentence on stderr, does not stop the
// others, and no later fetch tries it again.
func TestRelayFetchSendsWaiting(t *testing.T) {
	srv, bob := startRelay(t)
	alice := newCLI(t, srv)
	port := mailtest.ClosedPort(t)
	addSender(alice, srv, port)

	for _, m := range []struct{ to, subject string }{
		{"ボブ <bob@example.test>", "待機一"},
		{"nobody@example.test", "宛先なし"},
		{"ボブ <bob@example.test>", "待機二"},
	} {
		_, errs, code := alice.run("届くまで待ちます。\n", "send", "--to", m.to, "--subject", m.subject)
		if code != 1 || !strings.Contains(errs, "popbox outbox retry") {
			t.Fatalf("send %s with the server unreachable: exit %d %q", m.subject, code, errs)
		}
	}
	box := alice.outbox()
	if len(box) != 3 {
		t.Fatalf("alice's outbox: %+v", box)
	}
	for _, o := range box {
		if o.State != "failed" || attempts(t, alice, o.ID) != 1 {
			t.Fatalf("alice's outbox: %+v", box)
		}
	}
	first, nobody, second := box[0].ID, box[1].ID, box[2].ID

	out, errs, code := alice.run("", "fetch")
	if code != 0 || strings.Contains(out, "Sent") || !strings.Contains(out, "alice: 0 new") {
		t.Fatalf("fetch with the outgoing server unreachable: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "Outbox message "+first+" to bob@example.test was not sent") ||
		!strings.Contains(lines[0], "popbox outbox retry "+first) || !strings.Contains(lines[1], "2 more outbox message(s) of alice") {
		t.Fatalf("fetch's stderr with the outgoing server unreachable:\n%s", errs)
	}
	if attempts(t, alice, first) != 2 || attempts(t, alice, nobody) != 1 || attempts(t, alice, second) != 1 {
		t.Fatal("the fetch tried more than the first message, or not that one")
	}

	forwarder(t, net.JoinHostPort(srv.Host, strconv.Itoa(port)), net.JoinHostPort(srv.Host, strconv.Itoa(srv.SubmissionPort)))
	// --deliver-only needs somewhere to deliver.
	alice.ok("", "account", "set", "alice", "--deliver", "maildir:"+filepath.Join(t.TempDir(), "Maildir"))
	for _, flag := range []string{"--dry-run", "--deliver-only"} {
		if out := alice.ok("", "fetch", flag); strings.Contains(out, "Sent") || srv.Count(t, "bob") != 0 || attempts(t, alice, first) != 2 {
			t.Fatalf("fetch %s sent: %q, bob has %d", flag, out, srv.Count(t, "bob"))
		}
	}
	out, errs, code = alice.run("", "fetch", "--quiet")
	sentLines := regexp.MustCompile(`(?m)^Sent <[^>]+> to 1 recipient\(s\) \(outbox (\d+)\)`).FindAllStringSubmatch(out, -1)
	if code != 0 || len(sentLines) != 2 || sentLines[0][1] != first || sentLines[1][1] != second ||
		strings.Count(strings.TrimSpace(out), "\n") != 1 {
		t.Fatalf("fetch --quiet with the server back: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	if !strings.HasPrefix(errs, "popbox: Outbox message "+nobody+" to nobody@example.test was not sent") ||
		!strings.Contains(errs, "550") || !strings.Contains(errs, "fetch does not send it again; popbox outbox retry "+nobody) ||
		strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("fetch's stderr for the refused message:\n%s", errs)
	}
	if n := srv.Count(t, "bob"); n != 2 || len(srv.Sink()) != 2 {
		t.Fatalf("bob's maildir holds %d messages, the relay took %d; want 2", n, len(srv.Sink()))
	}
	left := alice.outbox()
	if len(left) != 1 || left[0].ID != nobody || left[0].State != "failed" || attempts(t, alice, nobody) != 2 {
		t.Fatalf("alice's outbox after the fetch: %+v", left)
	}
	out, errs, code = alice.run("", "fetch")
	if code != 0 || strings.Contains(out, "Sent") || errs != "" || srv.Count(t, "bob") != 2 || attempts(t, alice, nobody) != 2 {
		t.Fatalf("a second fetch: exit %d %q %q, bob has %d, the refused message was tried %d times",
			code, out, errs, srv.Count(t, "bob"), attempts(t, alice, nobody))
	}

	bob.ok("", "fetch")
	l := bob.list("bob")
	if len(l) != 2 || len(withSubject(l, "待機一")) != 1 || len(withSubject(l, "待機二")) != 1 {
		t.Fatalf("bob lists %+v", l)
	}
	for _, m := range l {
		id := first
		if m.Subject == "待機二" {
			id = second
		}
		arrivedAsSent(t, bob, alice, m.ID, id)
	}
}
