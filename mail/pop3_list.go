package mail

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// eachLine reads a multi-line reply after its +OK line, one line at a
// time, and hands each to fn without its line end and with dot-stuffing
// undone; the line is valid only during the call. A listing needs no more
// than that, and never holds the whole reply: 300,000 UIDs are 7 MB of text.
// Beyond limit bytes the reply is refused as a protocol error (the session
// is then out of step and ends).
func (s *session) eachLine(verb string, limit int64, fn func(line []byte) error) error {
	var read int64
	for {
		line, crlf, err := s.listingLine(verb)
		if err != nil {
			return err
		}
		if read += int64(len(line)) + 2; read > limit {
			return fmt.Errorf("%s: %s sent a listing over %d bytes: %w", verb, s.addr, limit, ErrProtocol)
		}
		if len(line) > 0 && line[0] == '.' {
			if len(line) == 1 && (crlf || s.lfOnly) {
				return nil
			}
			line = line[1:] // a stuffed dot (RFC 1939 section 3)
		}
		if err := fn(line); err != nil {
			return err
		}
	}
}

// listingLine reads one line of a listing without its line end. A line
// longer than the reader's buffer (a UID of a megabyte) is not an error that
// would stop every fetch: its first readBufferSize bytes stand for it, and
// the rest is read and dropped.
func (s *session) listingLine(verb string) (line []byte, crlf bool, err error) {
	line, err = s.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		line = append([]byte(nil), line...)
		for err == bufio.ErrBufferFull {
			_, err = s.r.ReadSlice('\n')
		}
		if err != nil {
			return nil, false, s.bodyErr(verb, err)
		}
		return line, true, nil
	}
	if err != nil {
		return nil, false, s.bodyErr(verb, err)
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		return line[:n-1], true, nil
	}
	return line, false, nil
}

// uidl asks UIDL and hands each listed message number and UID to fn, as
// they arrive. The UID is the key popbox knows the message by (see
// serverUID; odd says it was replaced by a digest) and is valid only during
// the call. ok is false when the server has no UIDL (it answered -ERR). A
// line that cannot be read, or a number listed twice, is left out with a
// warning: a message UIDL does not name is then found by LIST and fetched by
// its content, never skipped in silence.
func (s *session) uidl(fn func(num int, uid string, odd bool) error) (ok bool, warns []Warning, err error) {
	ok, _, err = s.cmd("UIDL")
	if err != nil || !ok {
		return false, nil, err
	}
	var named bitset
	err = s.eachLine("UIDL", maxListing, func(line []byte) error {
		num, uid, ok := splitListLine(line)
		if !ok || uid == "" {
			warns = appendWarn(warns, Warning{Kind: WarnUIDLLine, Host: s.host, Text: quoteShort(line)})
			return nil
		}
		if named.has(num) {
			warns = appendWarn(warns, Warning{Kind: WarnUIDLTwice, Host: s.host, N: num})
			return nil
		}
		named.set(num)
		key, odd := serverUID(uid)
		return fn(num, key, odd)
	})
	return true, warns, err
}

// listAll asks LIST and hands each message number and size to fn, as they
// arrive; size is -1 for a line whose size cannot be read (RFC 1939 allows
// more after the size; only the size counts). A line without a message
// number, or a number listed twice, is left out with a warning.
func (s *session) listAll(fn func(num int, size int64) error) (warns []Warning, err error) {
	ok, text, err := s.cmd("LIST")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%s could not list the mailbox (LIST: -ERR %s): %w", s.host, serverText(text), ErrMailbox)
	}
	var listed bitset
	err = s.eachLine("LIST", maxListing, func(line []byte) error {
		num, rest, ok := splitListLine(line)
		if !ok {
			warns = appendWarn(warns, Warning{Kind: WarnLISTLine, Host: s.host, Text: quoteShort(line)})
			return nil
		}
		if listed.has(num) {
			warns = appendWarn(warns, Warning{Kind: WarnLISTTwice, Host: s.host, N: num})
			return nil
		}
		listed.set(num)
		size := parseSize(rest)
		if size < 0 {
			warns = appendWarn(warns, Warning{Kind: WarnLISTLine, Host: s.host, Text: quoteShort(line)})
		}
		return fn(num, size)
	})
	return warns, err
}

// listEach asks "LIST n" for n of the messages, pipelined when the server
// allows, and hands each answer to fn with its index: the sizes of a few new
// messages cost less than a LIST of the whole mailbox. size is -1 when the
// answer is -ERR or cannot be read.
func (s *session) listEach(n int, num func(i int) int, fn func(i int, size int64)) error {
	w := s.newWindow("LIST", n, func(i int) (int, int64) { return num(i), 0 })
	for i := 0; i < n; i++ {
		ok, text, err := w.next()
		if err != nil {
			return err
		}
		size := int64(-1)
		if ok {
			if got, rest, ok := splitListLine(text); ok && got == num(i) {
				size = parseSize(rest)
			}
		}
		fn(i, size)
	}
	return nil
}

// parseSize reads the size of a LIST line's rest; -1 when it is none.
func parseSize(rest string) int64 {
	field, _, _ := strings.Cut(rest, " ")
	size, err := strconv.ParseInt(field, 10, 64)
	if err != nil || size < 0 {
		return -1
	}
	return size
}

// maxListWarnings bounds the warnings of one listing: a broken server can
// send a hundred thousand odd lines.
const maxListWarnings = 10

func appendWarn(warns []Warning, w Warning) []Warning {
	switch {
	case len(warns) < maxListWarnings:
		return append(warns, w)
	case len(warns) == maxListWarnings:
		return append(warns, Warning{Kind: WarnListingMore})
	}
	return warns
}

// bitset is a set of small non-negative numbers (message numbers), one bit
// each.
type bitset []uint64

func (b *bitset) set(n int) {
	if n < 0 {
		return
	}
	for len(*b) <= n/64 {
		*b = append(*b, 0)
	}
	(*b)[n/64] |= 1 << (n % 64)
}

func (b bitset) has(n int) bool {
	return n >= 0 && n/64 < len(b) && b[n/64]&(1<<(n%64)) != 0
}

// maxUID is RFC 1939's bound on a UID: 1 to 70 characters from 0x21 to 0x7E.
const maxUID = 70

// serverUID is the key popbox knows a message by, from the UID the server
// gave it. A UID as RFC 1939 allows (1 to 70 characters from 0x21 to 0x7E)
// is used as it is. Any other (longer, with control or 8-bit bytes; some
// servers send thousands of bytes) becomes "uid-sha256:" and the SHA-256 of
// it in hex: as stable between sessions as the UID itself, short enough for
// any key, and safe to print. It cannot collide with a real UID, being
// longer than 70 characters, nor with the content digests ("sha256:...")
// that name messages without a UID.
func serverUID(uid string) (key string, odd bool) {
	if len(uid) <= maxUID {
		valid := true
		for i := 0; i < len(uid); i++ {
			if uid[i] < 0x21 || uid[i] > 0x7e {
				valid = false
				break
			}
		}
		if valid {
			return uid, false
		}
	}
	sum := sha256.Sum256([]byte(uid))
	return "uid-sha256:" + hex.EncodeToString(sum[:]), true
}

func (s *session) listingErr(verb string, err error) error {
	if errors.Is(err, errTooLarge) {
		return fmt.Errorf("%s: %s sent a listing over %d bytes: %w", verb, s.addr, maxListing, ErrProtocol)
	}
	return err
}

// splitListLine splits "n rest" of a UIDL or LIST line.
func splitListLine(line []byte) (num int, rest string, ok bool) {
	sp := bytes.IndexAny(line, " \t")
	if sp <= 0 {
		return 0, "", false
	}
	n, err := strconv.Atoi(string(line[:sp]))
	if err != nil || n < 1 {
		return 0, "", false
	}
	return n, string(bytes.TrimSpace(line[sp+1:])), true
}

// nextLine cuts the first line (without its line end) off a listing.
func nextLine(b []byte) (line, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, nil
	}
	line, rest = b[:i], b[i+1:]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, rest
}
