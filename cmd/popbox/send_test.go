package main

import (
	"bufio"
	"encoding/json"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"popbox/mail/mailtest"
	"popbox/mail/mime"
)

type outboxEntry struct {
	ID        string   `json:"id"`
	State     string   `json:"state"`
	MessageID string   `json:"message_id"`
	To        []string `json:"to"`
	Reason    string   `json:"reason"`
	Sent      *string  `json:"sent"`
}

func (c *cli) outbox(args ...string) []outboxEntry {
	c.t.Helper()
	out := c.ok("", append(append([]string{"outbox"}, args...), "--json")...)
	var l []outboxEntry
	if err := json.Unmarshal([]byte(out), &l); err != nil {
		c.t.Fatalf("outbox --json: %v\n%s", err, out)
	}
	return l
}

// TestSendThroughDovecot: popbox send hands a Japanese message to Dovecot's
// submission service (STARTTLS, AUTH PLAIN), which relays it to the test's
// SMTP sink: exit 0, the envelope holds To, Cc and Bcc, the bytes no Bcc,
// and the text decodes back. A refused login leaves it failed, exit 1, and
// outbox retry sends it once the password is right.
func TestSendThroughDovecot(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Submission: true})
	c := newCLI(t, srv)
	c.ok("secret\n", "account", "add", "--name", "box", "--email", "alice@example.test", "--host", srv.Host,
		"--port", strconv.Itoa(srv.POPSPort), "--security", "ssl", "--user", "alice", "--password-stdin",
		"--smtp-host", srv.Host, "--smtp-port", strconv.Itoa(srv.SubmissionPort), "--smtp-security", "starttls")
	body := "田中様\n\n明日の会議の件です。\n"
	out := c.ok(body, "send", "--to", "田中 <tanaka@example.test>", "--cc", "cc@example.test", "--bcc", "hidden@example.test",
		"--subject", "会議の件", "--iso-2022-jp")
	if !strings.Contains(out, "Sent <") {
		t.Fatalf("send: %q", out)
	}
	got := srv.Sink()
	if len(got) != 1 {
		t.Fatalf("the sink has %d messages", len(got))
	}
	if strings.Join(got[0].To, ",") != "tanaka@example.test,cc@example.test,hidden@example.test" || got[0].From != "alice@example.test" {
		t.Errorf("envelope %s -> %v", got[0].From, got[0].To)
	}
	if strings.Contains(string(got[0].Data), "hidden") || !strings.Contains(string(got[0].Data), "charset=ISO-2022-JP") {
		t.Errorf("data:\n%s", got[0].Data)
	}
	m := mime.Parse(got[0].Data, time.Now())
	if m.Summary.Subject != "会議の件" || strings.TrimSpace(m.Body) != strings.TrimSpace(body) || m.Summary.To[0].Name != "田中" {
		t.Errorf("decoded %+v %q", m.Summary, m.Body)
	}
	sent := c.outbox("sent")
	if len(sent) != 1 || sent[0].State != "sent" || sent[0].Sent == nil || len(c.outbox()) != 0 {
		t.Fatalf("sent %+v", sent)
	}

	c.ok("wrong\n", "account", "passwd", "box", "--outgoing", "--password-stdin")
	_, errs, code := c.run("second\n", "send", "--to", "bob@example.test", "--subject", "again")
	if code != 1 || !strings.Contains(errs, "popbox outbox retry 2") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("send with a wrong password: exit %d %q", code, errs)
	}
	box := c.outbox()
	if len(box) != 1 || box[0].State != "failed" || box[0].Reason == "" {
		t.Fatalf("outbox %+v", box)
	}
	c.ok("secret\n", "account", "passwd", "box", "--outgoing", "--password-stdin")
	c.ok("", "outbox", "retry", "2")
	if got := srv.Sink(); len(got) != 2 || !strings.Contains(string(got[1].Data), "Subject: again") {
		t.Fatalf("after retry the sink has %d messages", len(got))
	}
	if len(c.outbox()) != 0 || len(c.outbox("sent")) != 2 {
		t.Fatal("the retried message is not listed as sent")
	}
	// --raw: Message-ID and Date added, Bcc taken out.
	c.ok("From: alice@example.test\nTo: z@example.test\nBcc: b@example.test\nSubject: raw\n\nraw body\n", "send", "--raw")
	got = srv.Sink()
	raw := string(got[len(got)-1].Data)
	if !strings.Contains(raw, "Message-Id: <") && !strings.Contains(raw, "Message-ID: <") || !strings.Contains(raw, "Date: ") ||
		strings.Contains(raw, "Bcc") || strings.Join(got[len(got)-1].To, ",") != "z@example.test,b@example.test" {
		t.Fatalf("raw: %v\n%s", got[len(got)-1].To, raw)
	}
}

// dropServer is a fake SMTP server that takes the whole message and
// drops the connection instead of answering the final ".", until accept
// is set. It counts the messages it received.
type dropServer struct {
	l        net.Listener
	mu       sync.Mutex
	received int
	accept   bool
}

func startDropServer(t *testing.T) *dropServer {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &dropServer{l: l}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go d.serve(conn)
		}
	}()
	return d
}

func (d *dropServer) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.received
}

func (d *dropServer) serve(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(conn)
	say := func(s string) { conn.Write([]byte(s + "\r\n")) }
	say("220 fake ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"):
			say("250-fake\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN")
		case strings.HasPrefix(cmd, "AUTH"):
			say("235 2.7.0 ok")
		case strings.HasPrefix(cmd, "MAIL"), strings.HasPrefix(cmd, "RCPT"), strings.HasPrefix(cmd, "RSET"), strings.HasPrefix(cmd, "NOOP"):
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
			}
			d.mu.Lock()
			d.received++
			accept := d.accept
			d.mu.Unlock()
			if !accept {
				return // dropped: the client never hears whether it was taken
			}
			say("250 2.0.0 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("502 no")
		}
	}
}

// TestSendDroppedAfterData: a server that drops the connection after the
// whole message leaves it "unknown" (exit 1, one sentence naming --force);
// neither outbox retry ID nor --all sends it again, only --force does; the
// outbox keeps it throughout.
func TestSendDroppedAfterData(t *testing.T) {
	d := startDropServer(t)
	c := newCLI(t, nil)
	_, port, _ := net.SplitHostPort(d.l.Addr().String())
	c.ok("secret\n", "account", "add", "--name", "box", "--email", "alice@example.test", "--host", "127.0.0.1",
		"--port", "110", "--security", "none", "--user", "alice", "--password-stdin",
		"--smtp-host", "127.0.0.1", "--smtp-port", port, "--smtp-security", "none", "--smtp-user", "alice", "--no-check")
	_, errs, code := c.run("hello\n", "send", "--to", "bob@example.test", "--subject", "once")
	if code != 1 || !strings.Contains(errs, "popbox outbox retry 1 --force") {
		t.Fatalf("send to a dropping server: exit %d %q", code, errs)
	}
	box := c.outbox()
	if len(box) != 1 || box[0].State != "unknown" || d.count() != 1 {
		t.Fatalf("outbox %+v, received %d", box, d.count())
	}
	_, errs, code = c.run("", "outbox", "retry", "1")
	if code != 1 || !strings.Contains(errs, "--force") || d.count() != 1 {
		t.Fatalf("plain retry: exit %d %q, received %d", code, errs, d.count())
	}
	c.ok("", "outbox", "retry", "--all")
	if d.count() != 1 || c.outbox()[0].State != "unknown" {
		t.Fatalf("retry --all sent an unknown message: received %d", d.count())
	}
	d.mu.Lock()
	d.accept = true
	d.mu.Unlock()
	c.ok("", "outbox", "retry", "1", "--force")
	if d.count() != 2 || len(c.outbox()) != 0 || len(c.outbox("sent")) != 1 {
		t.Fatalf("forced retry: received %d", d.count())
	}
	_, errs, code = c.run("", "outbox", "retry", "1", "--force")
	if code != 1 || d.count() != 2 {
		t.Fatalf("retry of a sent message: exit %d %q, received %d", code, errs, d.count())
	}
}
