package mailtest

import (
	"bytes"
	"io"
	"log"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// SinkMessage is one message the submission relay sink received (or, with
// Options.Relay, that LMTP took): the SMTP envelope and the data as sent
// after DATA (dot-unstuffed, CRLF line ends).
type SinkMessage struct {
	From string
	To   []string
	Data []byte
}

// Sink returns the messages the submission relay sink received, oldest
// first; with Options.Relay, those it handed to LMTP and LMTP took. Nil
// unless Options.Submission or Relay.
func (s *Server) Sink() []SinkMessage {
	if s.sink == nil {
		return nil
	}
	return s.sink.messages()
}

// sink is the SMTP server Dovecot's submission service relays to. It
// accepts every envelope and records every message; or, when lmtp is set,
// hands each one to Dovecot's LMTP at that socket (relay.go).
type sink struct {
	srv  *smtp.Server
	addr *net.TCPAddr
	lmtp string
	done chan struct{}

	mu   sync.Mutex
	msgs []SinkMessage
}

// startSink listens on a free port of 127.0.0.1 (the listener is held, so
// there is no port race) and serves until close. With lmtp set it relays
// to that LMTP socket instead of keeping the messages only.
func startSink(lmtp string) (*sink, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	k := &sink{addr: l.Addr().(*net.TCPAddr), lmtp: lmtp, done: make(chan struct{})}
	k.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		if k.lmtp != "" {
			return &relaySession{sink: k}, nil
		}
		return &sinkSession{sink: k}, nil
	}))
	k.srv.Domain = "localhost"
	k.srv.ReadTimeout = time.Minute
	k.srv.WriteTimeout = time.Minute
	k.srv.MaxMessageBytes = 64 << 20
	k.srv.ErrorLog = log.New(io.Discard, "", 0)
	go func() {
		defer close(k.done)
		k.srv.Serve(l)
	}()
	return k, nil
}

func (k *sink) close() {
	k.srv.Close()
	<-k.done
}

func (k *sink) messages() []SinkMessage {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]SinkMessage, len(k.msgs))
	for i, m := range k.msgs {
		out[i] = SinkMessage{From: m.From, To: append([]string(nil), m.To...), Data: bytes.Clone(m.Data)}
	}
	return out
}

type sinkSession struct {
	sink *sink
	from string
	to   []string
}

func (s *sinkSession) Reset()        { s.from, s.to = "", nil }
func (s *sinkSession) Logout() error { return nil }

func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *sinkSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.sink.mu.Lock()
	s.sink.msgs = append(s.sink.msgs, SinkMessage{From: s.from, To: append([]string(nil), s.to...), Data: data})
	s.sink.mu.Unlock()
	return nil
}
