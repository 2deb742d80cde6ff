package mail

// The reply reader: status lines and the bodies of multi-line replies, read
// with the session's own bufio.Reader (see the comment atop pop3.go for
// which replies go-pop3 reads instead).

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// status reads one status line.
func (s *session) status(verb string) (ok bool, text []byte, err error) {
	line, err := s.readLine(verb)
	if err != nil {
		return false, nil, err
	}
	return s.parseStatus(verb, line)
}

// parseStatus reads +OK or -ERR. RFC 1939 allows nothing else, not even an
// empty line (which go-pop3 takes as success).
func (s *session) parseStatus(verb string, line []byte) (ok bool, text []byte, err error) {
	if rest, found := cutStatus(line, "+OK"); found {
		return true, rest, nil
	}
	if rest, found := cutStatus(line, "-ERR"); found {
		return false, rest, nil
	}
	return false, nil, fmt.Errorf("%s: %s answered %s, which is neither +OK nor -ERR: %w", verb, s.addr, quoteShort(line), ErrProtocol)
}

func cutStatus(line []byte, st string) ([]byte, bool) {
	if !bytes.HasPrefix(line, []byte(st)) {
		return nil, false
	}
	rest := line[len(st):]
	if len(rest) > 0 && rest[0] != ' ' && rest[0] != '\t' {
		return nil, false
	}
	return bytes.TrimLeft(rest, " \t"), true
}

// readLine reads one reply line without its line end.
func (s *session) readLine(verb string) ([]byte, error) {
	line, _, err := s.readLineEnd(verb)
	return line, err
}

// readLineEnd reads one reply line without its line end and says whether
// that was CRLF (rather than a bare LF).
func (s *session) readLineEnd(verb string) (line []byte, crlf bool, err error) {
	line, err = s.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return nil, false, fmt.Errorf("%s: %s sent a reply line longer than %d bytes: %w", verb, s.addr, readBufferSize, ErrProtocol)
	}
	if err != nil {
		return nil, false, s.netErr(verb, err)
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		return line[:n-1], true, nil
	}
	return line, false, nil
}

// errTooLarge marks a reply that ran past its limit. The rest of it was not
// read (it may never end), so the session is out of step and must end.
var errTooLarge = errors.New("reply far larger than the server announced")

var (
	crlfDot = []byte("\r\n.")
	lfDot   = []byte("\n.")
)

// readBody reads the body of a multi-line reply, after its +OK line, up to
// the line "." that ends it, and appends it to dst. RFC 1939 section 3: lines
// end in CRLF, only CRLF "." CRLF ends the reply, and a line that starts with
// "." after CRLF has had another "." put before it, which is removed. A bare
// LF is content like any other byte, and so is a dot after it: a message
// holding "\n.\n+OK" cannot end itself early and forge the next reply. Only
// a server whose own lines end in a bare LF (lfOnly, seen in its greeting)
// is read with LF as the line end. Every other byte is kept as sent (CR,
// 8-bit bytes, lines of any length). It scans whole buffers for the line
// starts and copies the runs between, so an ordinary message costs a few
// copies rather than one call per line. When the body passes limit bytes,
// readBody stops reading and returns errTooLarge; tick, when set, gets the
// number of bytes consumed after each buffer.
func (s *session) readBody(verb string, dst []byte, limit int64, tick func(int)) ([]byte, error) {
	r := s.r
	if tick == nil {
		tick = func(int) {}
	}
	sep := crlfDot
	if s.lfOnly {
		sep = lfDot
	}
	var read int64
	lineStart := true
	for {
		if lineStart {
			p, err := r.Peek(1)
			if err != nil {
				return dst, s.bodyErr(verb, err)
			}
			if p[0] == '.' {
				end, err := s.terminator()
				if err != nil {
					return dst, s.bodyErr(verb, err)
				}
				if end > 0 {
					r.Discard(end)
					tick(end)
					return dst, nil
				}
				r.Discard(1) // the stuffed dot
				tick(1)
			}
		}
		if r.Buffered() < 2 {
			// Two bytes at least, so that a CR at the end of the buffer is
			// seen with what follows it.
			if _, err := r.Peek(2); err != nil && r.Buffered() == 0 {
				return dst, s.bodyErr(verb, err)
			}
		}
		buf, _ := r.Peek(r.Buffered())
		n := len(buf)
		if i := bytes.Index(buf, sep); i >= 0 {
			n, lineStart = i+len(sep)-1, true
		} else if s.lfOnly {
			lineStart = buf[n-1] == '\n'
		} else {
			lineStart = n >= 2 && buf[n-2] == '\r' && buf[n-1] == '\n'
			if !lineStart && buf[n-1] == '\r' && n > 1 {
				n-- // the CR may start the next CRLF: look at it again with its LF
			}
		}
		if read += int64(n); read > limit {
			r.Discard(n)
			tick(n)
			return dst[:0], errTooLarge
		}
		dst = append(dst, buf[:n]...)
		r.Discard(n)
		tick(n)
	}
}

// terminator says whether the buffered line start "." is the line that ends
// a multi-line reply, and how many bytes that line takes (0 when it is not).
func (s *session) terminator() (int, error) {
	p, err := s.r.Peek(2)
	if err != nil {
		return 0, err
	}
	switch {
	case p[1] == '\n' && s.lfOnly:
		return 2, nil
	case p[1] == '\r':
		if p, err = s.r.Peek(3); err != nil {
			return 0, err
		}
		if p[2] == '\n' {
			return 3, nil
		}
	}
	return 0, nil
}

func (s *session) bodyErr(verb string, err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return s.netErr(verb, err)
}

// netErr gives an I/O error its meaning: cancelled, timed out or cut off.
func (s *session) netErr(verb string, err error) error {
	switch {
	case s.ctx.Err() != nil:
		return fmt.Errorf("%s: %w", verb, s.ctx.Err())
	case isTimeout(err):
		return fmt.Errorf("%s: %s stopped answering (nothing for %v): %w", verb, s.addr, s.tcp.idle, ErrTimeout)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed):
		return fmt.Errorf("%s: %s closed the connection: %w", verb, s.addr, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("%s: %w", verb, err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// responseCode returns the RFC 2449 response code at the start of a -ERR
// text ("[IN-USE] ..." gives "IN-USE"), upper-cased.
func responseCode(text []byte) string {
	if len(text) == 0 || text[0] != '[' {
		return ""
	}
	end := bytes.IndexByte(text, ']')
	if end < 0 {
		return ""
	}
	return strings.ToUpper(string(text[1:end]))
}

// quoteShort quotes a line a server sent, escapes and all, cut short.
func quoteShort(b []byte) string {
	if len(b) > maxQuoted {
		return strconv.Quote(string(b[:maxQuoted])) + "..."
	}
	return strconv.Quote(string(b))
}
