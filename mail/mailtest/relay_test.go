package mailtest

import (
	"bytes"
	"crypto/tls"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// TestRelay: with Options.Relay, a message alice submits to bob (STARTTLS,
// AUTH PLAIN) lands once in bob's maildir through Dovecot's LMTP, with
// Return-Path, Delivered-To and Received (and submission's own Received)
// on top of the exact bytes sent,
// and POP3 serves those bytes; a recipient with no mailbox is refused at
// RCPT TO with LMTP's own answer, and nothing is delivered.
func TestRelay(t *testing.T) {
	s := Start(t, Options{Users: map[string]string{"alice": "secret", "bob": "bobpw"}, Relay: true})
	if s.SubmissionPort == 0 {
		t.Fatal("Relay did not start the submission service")
	}
	tlsConf := &tls.Config{RootCAs: s.CAPool, ServerName: "localhost"}
	dial := func() *smtp.Client {
		t.Helper()
		c, err := smtp.DialStartTLS(net.JoinHostPort(s.Host, strconv.Itoa(s.SubmissionPort)), tlsConf)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if err := c.Auth(sasl.NewPlainClient("", "alice", "secret")); err != nil {
			t.Fatalf("AUTH: %v", err)
		}
		return c
	}

	msg := "From: alice@example.test\r\nTo: bob@example.test\r\nSubject: relayed\r\n\r\nhello\r\n.dot\r\n"
	c := dial()
	if err := c.SendMail("alice@example.test", []string{"bob@example.test"}, strings.NewReader(msg)); err != nil {
		t.Fatalf("send: %v", err)
	}
	c.Quit()
	box := s.Mailbox(t, "bob")
	if len(box) != 1 || s.Count(t, "alice") != 0 {
		t.Fatalf("bob has %d messages, alice %d", len(box), s.Count(t, "alice"))
	}
	added, sent := SplitDelivery(box[0])
	if string(sent) != msg {
		t.Errorf("delivered bytes after the delivery's fields:\n%q\nwant\n%q", sent, msg)
	}
	var names []string
	for _, f := range added {
		name, _, _ := strings.Cut(f, ":")
		names = append(names, name)
	}
	// LMTP's fields on top of submission's own Received (ESMTPSA).
	if strings.Join(names, ",") != "Return-Path,Delivered-To,Received,Received" || !strings.Contains(added[3], "ESMTPSA") ||
		!strings.Contains(added[0], "<alice@example.test>") || !strings.Contains(added[1], "bob@example.test") {
		t.Errorf("delivery fields %q", added)
	}
	got := s.Sink()
	if len(got) != 1 || got[0].From != "alice@example.test" || strings.Join(got[0].To, ",") != "bob@example.test" {
		t.Fatalf("Sink %+v", got)
	}
	if relayed, sent := SplitDelivery(got[0].Data); len(relayed) != 1 || string(sent) != msg {
		t.Errorf("relayed %q", got[0].Data)
	}

	p := dialPOP(t, net.JoinHostPort(s.Host, strconv.Itoa(s.POPPort)), nil)
	if l := p.login("bob", "bobpw"); !strings.HasPrefix(l, "+OK") {
		t.Fatalf("bob's login: %q", l)
	}
	p.ok("RETR 1")
	if got := p.multi(); !bytes.Equal(got, box[0]) {
		t.Errorf("RETR 1 = %q, Mailbox says %q", got, box[0])
	}
	p.ok("QUIT")

	c = dial()
	if err := c.Mail("alice@example.test", nil); err != nil {
		t.Fatal(err)
	}
	err := c.Rcpt("nobody@example.test", nil)
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 550 {
		t.Fatalf("RCPT TO a user with no mailbox: %v, want 550", err)
	}
	c.Quit()
	if n := s.Count(t, "bob"); n != 1 || len(s.Sink()) != 1 {
		t.Errorf("after the refusal bob has %d messages, the relay took %d", n, len(s.Sink()))
	}
}

func TestSplitDelivery(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		added     int
		sent      string
	}{
		{"none", "From: a\r\n\r\nbody\r\n", 0, "From: a\r\n\r\nbody\r\n"},
		{"folded Received", "Return-Path: <a@x>\r\nReceived: from x\r\n\tby y\r\n (z)\r\nFrom: a\r\n\r\nb\r\n", 2, "From: a\r\n\r\nb\r\n"},
		{"lower case, LF", "delivered-to: b\nreceived: x\nSubject: s\n\nb\n", 2, "Subject: s\n\nb\n"},
		{"only past the first other field", "From: a\r\nReceived: x\r\n\r\n", 0, "From: a\r\nReceived: x\r\n\r\n"},
		{"no header", "\r\nbody", 0, "\r\nbody"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			added, sent := SplitDelivery([]byte(tc.raw))
			if len(added) != tc.added || string(sent) != tc.sent || strings.Join(added, "")+string(sent) != tc.raw {
				t.Errorf("SplitDelivery = %q, %q", added, sent)
			}
		})
	}
}
