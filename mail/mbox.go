package mail

// The mbox format popbox writes and reads: mboxrd, with LF line ends, and
// a byte-exact round trip of the stored bytes.
//
// github.com/emersion/go-mbox v1.0.4 does not fit: its writer escapes
// only "From " (mboxo), so a body line ">From " comes back as "From ";
// it turns every CRLF into LF and its reader every line end into CRLF, so
// a message with both (or with a bare CR before a line end) changes; and
// it adds a line end to a message without one, which then comes back.
// popbox stores the bytes as the server sent them and checks them against
// their SHA-256, so an export that does not give them back exactly would
// make an export and import in another database a different message.

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"time"
)

// mboxFlag is the word popbox adds at the end of a From_ line when the
// message needs more than the usual rule to come back exactly (see
// MboxWriter.Write). Readers of mbox (mutt, neomutt, Python's mailbox,
// Dovecot) ignore what follows the year of a From_ line.
const mboxFlag = "popbox="

// The flags of mboxFlag: asis, the line ends are as stored (the message
// is not all CRLF lines); noeol, the message has no line end at its end
// and the last "\n" in the file is not its own.
const (
	mboxAsIs  = "asis"
	mboxNoEOL = "noeol"
)

// ErrNotMbox: the file does not begin with a From_ line.
var ErrNotMbox = errors.New("not an mbox file")

// MboxWriter writes messages to an mbox file as mboxrd.
type MboxWriter struct {
	w *bufio.Writer
}

// NewMboxWriter returns a writer that appends messages to w.
func NewMboxWriter(w io.Writer) *MboxWriter {
	return &MboxWriter{w: bufio.NewWriterSize(w, 64<<10)}
}

// Write appends one message: a From_ line with the envelope sender and the
// date (asctime, UTC), the message, and a blank line.
//
// A message whose lines all end in CRLF (as POP3 sends them) is written
// with LF line ends, as mutt and every mbox reader expect, and
// NewMboxReader puts the CR back before every LF. A message for which
// that would not give the same bytes back (a bare LF, or a CR before its
// CRLF) is written as it is, and its From_ line says so ("popbox=asis"),
// as it says when the message does not end in a line end ("noeol": the
// "\n" written after it is not the message's). Then every line that
// begins with "From ", after any number of '>', gets one more '>'
// (mboxrd), which the reader takes away again.
func (mw *MboxWriter) Write(raw []byte, sender string, date time.Time) error {
	var flags []string
	body := raw
	if crlfOnly(raw) {
		body = bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
	} else {
		flags = append(flags, mboxAsIs)
	}
	noEOL := len(body) == 0 || body[len(body)-1] != '\n'
	if noEOL {
		flags = append(flags, mboxNoEOL)
	}
	line := "From " + safeSender(sender) + " " + date.UTC().Format(time.ANSIC)
	if len(flags) > 0 {
		line += " " + mboxFlag + strings.Join(flags, ",")
	}
	if _, err := mw.w.WriteString(line + "\n"); err != nil {
		return err
	}
	for len(body) > 0 {
		n := bytes.IndexByte(body, '\n') + 1
		if n == 0 {
			n = len(body)
		}
		l := body[:n]
		body = body[n:]
		if escaped(l) {
			if err := mw.w.WriteByte('>'); err != nil {
				return err
			}
		}
		if _, err := mw.w.Write(l); err != nil {
			return err
		}
	}
	end := "\n"
	if noEOL {
		end = "\n\n"
	}
	_, err := mw.w.WriteString(end)
	return err
}

// Flush writes what is buffered.
func (mw *MboxWriter) Flush() error { return mw.w.Flush() }

// crlfOnly says whether raw's line ends all are CRLF and turning them into
// LF and back (a CR before every LF) gives raw again: no bare LF, and no
// CR just before a CRLF.
func crlfOnly(raw []byte) bool {
	for i := bytes.IndexByte(raw, '\n'); i >= 0; {
		if i == 0 || raw[i-1] != '\r' || (i >= 2 && raw[i-2] == '\r') {
			return false
		}
		j := bytes.IndexByte(raw[i+1:], '\n')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return true
}

// escaped says whether a line begins with "From " after any number of '>'
// (mboxrd quoting).
func escaped(line []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(line, ">"), []byte("From "))
}

// safeSender is the envelope sender as one word of a From_ line.
func safeSender(s string) string {
	if s == "" || len(s) > 256 {
		return "MAILER-DAEMON"
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f {
			return "MAILER-DAEMON"
		}
	}
	return s
}

// EnvelopeSender is the sender for a message's From_ line: the address of
// its Return-Path header, else from (its From address), else
// MAILER-DAEMON (also for the empty Return-Path <> of a bounce).
func EnvelopeSender(raw []byte, from string) string {
	for len(raw) > 0 {
		n := bytes.IndexByte(raw, '\n') + 1
		if n == 0 {
			n = len(raw)
		}
		line := bytes.TrimRight(raw[:n], "\r\n")
		raw = raw[n:]
		if len(line) == 0 {
			break // the end of the header
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if ok && strings.EqualFold(string(name), "Return-Path") {
			v := strings.TrimSpace(string(value))
			v = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(v, "<"), ">"))
			return safeSender(v)
		}
	}
	return safeSender(from)
}

// MboxMessage is one message read from an mbox file.
type MboxMessage struct {
	// Raw is the message, with the mbox quoting and line ends undone; nil
	// when it was over the reader's limit.
	Raw []byte
	// Size is its size in the file (over the limit: how far it went).
	Size int64
	// TooLarge says Raw was left out: the message is over the limit.
	TooLarge bool
}

// MboxReader reads the messages of an mbox file.
type MboxReader struct {
	r       *bufio.Reader
	limit   int64
	from    []byte // the From_ line of the next message
	started bool
	err     error
	line    []byte
}

// NewMboxReader reads messages from r; a message over limit bytes is
// skipped (MboxMessage.TooLarge) without being kept in memory.
func NewMboxReader(r io.Reader, limit int64) *MboxReader {
	return &MboxReader{r: bufio.NewReaderSize(r, 64<<10), limit: limit}
}

// readLine reads one whole line, with its line end (none at the end of
// the file). The bytes are valid until the next call.
func (mr *MboxReader) readLine() ([]byte, error) {
	frag, err := mr.r.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		if err == io.EOF && len(frag) > 0 {
			err = nil
		}
		return frag, err
	}
	mr.line = append(mr.line[:0], frag...)
	for err == bufio.ErrBufferFull {
		frag, err = mr.r.ReadSlice('\n')
		mr.line = append(mr.line, frag...)
	}
	if err == io.EOF {
		err = nil
	}
	return mr.line, err
}

// Next returns the next message, or io.EOF after the last. A file whose
// first line that is not blank is no From_ line gives ErrNotMbox.
//
// It undoes what MboxWriter.Write does: a body line that begins with
// "From " after one or more '>' loses one '>', the blank line before the
// next From_ line goes, and, following the flags of the message's From_
// line, the last line end goes (noeol) and a CR is put before every LF
// that has none (unless asis). A message of another program (no flags)
// gets CRLF line ends, as POP3 would have sent it, and its own CRLF ones
// stay.
func (mr *MboxReader) Next() (MboxMessage, error) {
	if mr.err != nil {
		return MboxMessage{}, mr.err
	}
	if !mr.started {
		mr.started = true
		for {
			l, err := mr.readLine()
			if err != nil {
				mr.err = err
				if err == io.EOF {
					return MboxMessage{}, io.EOF
				}
				return MboxMessage{}, err
			}
			if len(bytes.TrimRight(l, "\r\n")) == 0 {
				continue
			}
			if !bytes.HasPrefix(l, []byte("From ")) {
				mr.err = ErrNotMbox
				return MboxMessage{}, ErrNotMbox
			}
			mr.from = append([]byte(nil), l...)
			break
		}
	}
	if mr.from == nil {
		mr.err = io.EOF
		return MboxMessage{}, io.EOF
	}
	asIs, noEOL := mboxFlags(mr.from)
	var m MboxMessage
	var msg []byte
	mr.from = nil
	for {
		l, err := mr.readLine()
		if err == io.EOF {
			break
		}
		if err != nil {
			mr.err = err
			return MboxMessage{}, err
		}
		if bytes.HasPrefix(l, []byte("From ")) {
			mr.from = append([]byte(nil), l...)
			break
		}
		if l[0] == '>' && escaped(l) {
			l = l[1:]
		}
		m.Size += int64(len(l))
		if m.TooLarge {
			continue
		}
		msg = append(msg, l...)
		if int64(len(msg)) > mr.limit+2 {
			m.TooLarge, msg = true, nil
		}
	}
	if m.TooLarge {
		return m, nil
	}
	switch {
	case bytes.HasSuffix(msg, []byte("\n\n")):
		msg = msg[:len(msg)-1]
	case bytes.HasSuffix(msg, []byte("\n\r\n")):
		msg = msg[:len(msg)-2]
	}
	if noEOL && len(msg) > 0 && msg[len(msg)-1] == '\n' {
		msg = msg[:len(msg)-1]
	}
	if !asIs {
		msg = addCR(msg)
	}
	if int64(len(msg)) > mr.limit {
		return MboxMessage{Size: int64(len(msg)), TooLarge: true}, nil
	}
	if msg == nil {
		msg = []byte{}
	}
	m.Raw, m.Size = msg, int64(len(msg))
	return m, nil
}

// mboxFlags reads popbox's flags at the end of a From_ line.
func mboxFlags(from []byte) (asIs, noEOL bool) {
	f := strings.Fields(string(from))
	if len(f) == 0 || !strings.HasPrefix(f[len(f)-1], mboxFlag) {
		return false, false
	}
	for _, fl := range strings.Split(strings.TrimPrefix(f[len(f)-1], mboxFlag), ",") {
		switch fl {
		case mboxAsIs:
			asIs = true
		case mboxNoEOL:
			noEOL = true
		}
	}
	return asIs, noEOL
}

// addCR puts a CR before every LF that has none.
func addCR(b []byte) []byte {
	bare := 0
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			bare++
		}
	}
	if bare == 0 {
		return b
	}
	out := make([]byte, 0, len(b)+bare)
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}
