package mailtest

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os/user"
	"path/filepath"
	"time"

	"github.com/emersion/go-smtp"
)

// The relay into local mailboxes (Options.Relay): what Dovecot's submission
// service accepts is delivered by Dovecot's own LMTP service into the
// maildir of the recipient's user, where POP3 serves it.
//
// Dovecot 2.3's submission relay speaks SMTP only: it opens with EHLO, and
// no submission_relay_* setting makes it speak LMTP, whose server answers
// EHLO with "500 5.5.1 Unknown command" (the submission log then says
// "Failed to establish relay connection" and drops the client). So a small
// Go SMTP server stands in between, as a real MTA would: it takes
// Dovecot's relay connection and hands each step to Dovecot's LMTP
// listener (a unix socket in the run dir) with go-smtp's LMTP client, at
// once: MAIL FROM and every RCPT TO when they come, so that LMTP's answer
// to an unknown recipient ("550 5.1.1 ... User doesn't exist") reaches the
// sender as the answer to its RCPT TO; then the message after DATA. The
// sender hears "250" only once LMTP has saved the message.
//
// Dovecot's submission puts a Received field (with ESMTPSA) on top of the
// bytes as sent, and LMTP what a delivery adds (Return-Path, Delivered-To,
// Received) on top of that; SplitDelivery takes them off. A recipient address names the local user by
// its local part: bob@example.test and bob@anything.else are user bob
// (auth_username_format = %Ln for LMTP), so relay users have no '@'.

// lmtpSocket is where Dovecot's LMTP listens when Options.Relay is set.
func (s *Server) lmtpSocket() string {
	return filepath.Join(s.Dir, "base", "lmtp")
}

// relaySession is one connection of Dovecot's submission relay to the Go
// server: one LMTP connection per mail transaction.
type relaySession struct {
	sink *sink
	lmtp *smtp.Client
	from string
	to   []string
}

// tempFail is an answer for a failure of the LMTP connection itself: the
// sender may try again.
func tempFail(err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se
	}
	return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 4, 0}, Message: "mailtest relay: LMTP: " + err.Error()}
}

func (s *relaySession) Mail(from string, _ *smtp.MailOptions) error {
	s.end()
	conn, err := net.DialTimeout("unix", s.sink.lmtp, 10*time.Second)
	if err != nil {
		return tempFail(err)
	}
	c := smtp.NewClientLMTP(conn)
	c.CommandTimeout = time.Minute
	c.SubmissionTimeout = time.Minute
	if err := c.Hello("localhost"); err != nil {
		c.Close()
		return tempFail(err)
	}
	if err := c.Mail(from, nil); err != nil {
		c.Close()
		return tempFail(err)
	}
	s.lmtp, s.from = c, from
	return nil
}

func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.lmtp == nil {
		return &smtp.SMTPError{Code: 503, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "MAIL first"}
	}
	if err := s.lmtp.Rcpt(to, nil); err != nil {
		return tempFail(err)
	}
	s.to = append(s.to, to)
	return nil
}

// Data hands the message to LMTP. LMTP answers for each recipient; one
// SMTP answer cannot say "some took it": the first refusal is the answer
// (the tests relay to one recipient at a time, or to known ones).
func (s *relaySession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.lmtp == nil {
		return &smtp.SMTPError{Code: 503, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "MAIL first"}
	}
	w, err := s.lmtp.Data()
	if err != nil {
		return tempFail(err)
	}
	if _, err := w.Write(data); err != nil {
		return tempFail(err)
	}
	if err := w.Close(); err != nil {
		var le smtp.LMTPDataError
		if errors.As(err, &le) {
			for _, rcpt := range s.to {
				if se := le[rcpt]; se != nil {
					return se
				}
			}
		}
		return tempFail(err)
	}
	s.sink.mu.Lock()
	s.sink.msgs = append(s.sink.msgs, SinkMessage{From: s.from, To: append([]string(nil), s.to...), Data: bytes.Clone(data)})
	s.sink.mu.Unlock()
	return nil
}

// end closes the LMTP connection of the transaction, if any.
func (s *relaySession) end() {
	if s.lmtp != nil {
		s.lmtp.Quit()
		s.lmtp.Close()
	}
	s.lmtp, s.from, s.to = nil, "", nil
}

func (s *relaySession) Reset()        { s.end() }
func (s *relaySession) Logout() error { s.end(); return nil }

// currentUser is the name of the user the tests run as, who alone may use
// the LMTP socket.
func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "root"
}

// deliveryFields are the header fields a delivery puts on top of a message.
var deliveryFields = map[string]bool{"return-path": true, "delivered-to": true, "received": true}

// SplitDelivery splits a message as a relayed delivery left it into the
// header fields the delivery put on top (Return-Path, Delivered-To,
// Received, each with its continuation lines, in their order) and the
// message as it was sent. It does not look past the first other field.
func SplitDelivery(raw []byte) (added []string, sent []byte) {
	rest := raw
	for len(rest) > 0 {
		name, _, ok := bytes.Cut(rest, []byte(":"))
		if !ok || bytes.ContainsAny(name, " \t\r\n") || !deliveryFields[string(bytes.ToLower(name))] {
			break
		}
		// The field runs to the first line end not followed by a
		// continuation line (one starting with a space or a tab).
		end := 0
		for {
			i := bytes.IndexByte(rest[end:], '\n')
			if i < 0 {
				end = len(rest)
				break
			}
			end += i + 1
			if end >= len(rest) || (rest[end] != ' ' && rest[end] != '\t') {
				break
			}
		}
		added = append(added, string(rest[:end]))
		rest = rest[end:]
	}
	return added, rest
}
