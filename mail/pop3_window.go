package mail

import "strconv"

// window sends commands ahead of their replies and reads the replies in
// order: RETR, DELE and "LIST n", the commands popbox sends by the hundred.
// With PIPELINING (RFC 2449) at most pipelineWindow commands are in flight,
// and about pipelineBytes of announced reply (RETR's sizes); the next
// command always goes when nothing is in flight. Without PIPELINING it is
// one command, then its reply. Once half the window has been read it is
// refilled, in one write, so a fetch costs a write per 64 messages, not one
// per message. Commands are tiny, so the socket buffers can never fill up
// in both directions.
//
// The window reads each reply's status line with the session's own reader;
// the caller reads what follows a multi-line reply's status line (readBody)
// before it asks for the next.
type window struct {
	s    *session
	verb string
	n    int // commands in all
	size int // commands in flight at most
	// arg gives command i's message number and the reply size it announces
	// (0 for a single-line reply).
	arg  func(i int) (num int, reply int64)
	buf  []byte
	sent int // commands written
	read int // status lines read
	// ahead is the announced bytes of the replies asked for and not yet read.
	ahead int64
}

// newWindow is a window for n commands "verb num", num from arg.
func (s *session) newWindow(verb string, n int, arg func(i int) (num int, reply int64)) *window {
	size := 1
	if s.caps.pipelining {
		size = pipelineWindow
	}
	return &window{s: s, verb: verb, n: n, size: size, arg: arg}
}

// next reads the status line of the next reply (as session.status does),
// after writing more commands when the window has room: at once when
// nothing is in flight, and, pipelining, when half of it has been read.
func (w *window) next() (ok bool, text []byte, err error) {
	if w.sent == w.read || (w.size > 1 && w.sent-w.read <= w.size/2 && w.sent < w.n) {
		if err := w.fill(); err != nil {
			return false, nil, err
		}
	}
	_, reply := w.arg(w.read)
	w.ahead -= min(max(reply, 0), w.ahead)
	w.read++
	return w.s.status(w.verb)
}

// fill writes as many commands as the bounds allow, in one write.
func (w *window) fill() error {
	w.buf = w.buf[:0]
	for w.sent < w.n && w.sent-w.read < w.size && (w.sent == w.read || w.ahead < pipelineBytes) {
		num, reply := w.arg(w.sent)
		w.buf = append(w.buf, w.verb...)
		w.buf = append(w.buf, ' ')
		w.buf = strconv.AppendInt(w.buf, int64(num), 10)
		w.buf = append(w.buf, '\r', '\n')
		w.ahead = satAdd(w.ahead, max(reply, 0))
		w.sent++
	}
	if len(w.buf) == 0 {
		return nil
	}
	if _, err := w.s.conn.Write(w.buf); err != nil {
		return w.s.netErr(w.verb, err)
	}
	return nil
}
