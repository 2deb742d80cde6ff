package mail

import (
	"bytes"
	"context"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"
)

// scriptConn is a connection whose server side is a fixed byte stream: what
// the client writes is dropped, what it reads is the script, then EOF.
type scriptConn struct {
	r *bytes.Reader
}

func (c *scriptConn) Read(b []byte) (int, error)       { return c.r.Read(b) }
func (c *scriptConn) Write(b []byte) (int, error)      { return len(b), nil }
func (c *scriptConn) Close() error                     { return nil }
func (c *scriptConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *scriptConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *scriptConn) SetDeadline(time.Time) error      { return nil }
func (c *scriptConn) SetReadDeadline(time.Time) error  { return nil }
func (c *scriptConn) SetWriteDeadline(time.Time) error { return nil }

// scriptSession runs popbox's side of a whole session (greeting, CAPA,
// login, UIDL and LIST, RETR of everything listed, DELE, QUIT) against a
// server that answers with script, and checks what the reply reader hands
// on: no panic, messages within their bounds, warnings that are safe to
// print.
func scriptSession(t *testing.T, script []byte, limit int64) {
	conn := &scriptConn{r: bytes.NewReader(script)}
	s := &session{ctx: context.Background(), addr: "fuzz:110", host: "fuzz"}
	s.tcp = &deadlineConn{Conn: conn, idle: time.Second}
	s.conn = s.tcp
	if err := s.open(SecurityNone, nil); err != nil {
		checkTerminalSafe(t, err.Error())
		return
	}
	if err := s.login("alice", "secret"); err != nil {
		checkTerminalSafe(t, err.Error())
		return
	}
	msgs, _, warns, err := listing(s)
	for _, w := range warningTexts(warns) {
		checkTerminalSafe(t, w)
	}
	if err != nil {
		checkTerminalSafe(t, err.Error())
		return
	}
	var nums []int
	for _, m := range msgs {
		if m.Size < 0 || len(m.UID) > 80 {
			t.Fatalf("listed %+v", m)
		}
		nums = append(nums, m.Num)
	}
	err = s.retrieve(serverMsgs(msgs), limit, func(m ServerMsg, raw []byte, err error) error {
		if err != nil {
			checkTerminalSafe(t, err.Error())
			return nil
		}
		if int64(len(raw)) > replyBound(m.Size, limit) || tooShort(m.Size, int64(len(raw))) {
			t.Fatalf("message %d: %d bytes handed on, announced %d", m.Num, len(raw), m.Size)
		}
		return nil
	}, nil)
	if err != nil {
		checkTerminalSafe(t, err.Error())
		return
	}
	_, warns, err = s.dele(nums)
	for _, w := range warningTexts(warns) {
		checkTerminalSafe(t, w)
	}
	if err == nil {
		err = s.quit()
	}
	if err != nil {
		checkTerminalSafe(t, err.Error())
	}
}

// FuzzSession feeds arbitrary server replies to a whole session. Seeds: an
// ordinary transcript and hostile ones; crashers found are kept in
// testdata/fuzz/FuzzSession.
func FuzzSession(f *testing.F) {
	ok := "+OK ready\r\n+OK\r\nUSER\r\nUIDL\r\nPIPELINING\r\n.\r\n+OK\r\n+OK logged in\r\n"
	f.Add([]byte(ok+"+OK\r\n1 a\r\n2 b\r\n.\r\n+OK\r\n1 20\r\n2 9\r\n.\r\n"+
		"+OK 20 octets\r\nSubject: x\r\n\r\n..dot\r\n.\r\n+OK\r\nhi\r\n.\r\n+OK\r\n+OK\r\n+OK bye\r\n"), int64(1<<20))
	f.Add([]byte(ok+"+OK\r\n1 a\r\n.\r\n+OK\r\n1 9223372036854775807\r\n.\r\n+OK\r\nx\r\n.\r\n+OK\r\n-ERR no\r\n"), int64(1<<20))
	f.Add([]byte(ok+"+OK\r\n1 \x1b[2J\r\n1 a\r\n3\r\n.\r\n+OK\r\n1 -5\r\n2 x\r\n3 4 more\r\n.\r\n-ERR \x1b]0;x\x07\r\n+OK\r\nabc\n.\n+OK\r\n.\r\n"), int64(1<<20))
	f.Add([]byte("+OK lf only\n+OK\nUIDL\n.\n+OK\n+OK\n+OK\n1 u\n.\n+OK\n1 3\n.\n+OK\nab\n..\n.\n+OK\n+OK\n"), int64(1<<20))
	f.Add([]byte(ok+"+OK\r\n1 a\r\n.\r\n+OK\r\n1 10\r\n.\r\n+OK\r\n"+strings.Repeat("y", 5000)), int64(100))
	f.Fuzz(func(t *testing.T, script []byte, limit int64) {
		keepPanics.Store(true)
		defer keepPanics.Store(false)
		watchdog := time.AfterFunc(10*time.Second, func() {
			buf := make([]byte, 1<<20)
			panic("FuzzSession hung:\n" + string(buf[:runtime.Stack(buf, true)]))
		})
		defer watchdog.Stop()
		if limit <= 0 || limit > 1<<20 {
			limit = 1 << 20
		}
		scriptSession(t, script, limit)
	})
}

// FuzzReadBody checks readBody against the dot-stuffing it undoes: any
// message, stuffed as RFC 1939 asks, comes back byte for byte with the
// stream in step, whatever the buffer size.
func FuzzReadBody(f *testing.F) {
	f.Add([]byte("a\r\n.\r\n..\r\nb\n.\nc\r"), uint8(16))
	f.Add([]byte(".\r\n"), uint8(0))
	f.Add([]byte("x\r\n\r\n.\r\n\r"), uint8(1))
	f.Fuzz(func(t *testing.T, raw []byte, size uint8) {
		wire := append(stuffCRLF(raw), "NEXT\r\n"...)
		s := bodySession(io.MultiReader(bytes.NewReader(wire)), 16+int(size))
		got, err := s.readBody("RETR", nil, 1<<20, nil)
		want := raw
		if len(raw) > 0 && !bytes.HasSuffix(raw, []byte("\r\n")) {
			want = append(bytes.Clone(raw), "\r\n"...)
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("got %q, %v; want %q", got, err, want)
		}
		if next, err := s.readLine("NEXT"); err != nil || string(next) != "NEXT" {
			t.Fatalf("out of step after the body: %q, %v", next, err)
		}
	})
}

// stuffCRLF dot-stuffs as RFC 1939 asks (see mailtest.Stuff).
func stuffCRLF(raw []byte) []byte {
	var out bytes.Buffer
	start := true
	for i, c := range raw {
		if start && c == '.' {
			out.WriteByte('.')
		}
		out.WriteByte(c)
		start = c == '\n' && i > 0 && raw[i-1] == '\r'
	}
	if len(raw) > 0 && !bytes.HasSuffix(raw, []byte("\r\n")) {
		out.WriteString("\r\n")
	}
	out.WriteString(".\r\n")
	return out.Bytes()
}
