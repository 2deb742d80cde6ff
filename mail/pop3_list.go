package mail

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// list reads UIDL and LIST (both in one write when the server pipelines)
// and joins them by message number, in message-number order. A server
// without UIDL gives messages with empty UIDs and hasUIDL false. A message
// LIST gives and UIDL leaves out (or gives in a line that cannot be read)
// also has an empty UID: like mail from a server without UIDL, it is
// fetched and known by its content, never skipped in silence. A UID that is
// not what RFC 1939 allows is replaced by a digest of it (see serverUID). A
// line that cannot be read is left out with a warning, so one odd entry
// does not stop the fetch.
func (s *session) list() (msgs []ServerMsg, hasUIDL bool, warns []string, err error) {
	if s.caps.pipelining {
		if err := s.writeRaw("UIDL", []byte("UIDL\r\nLIST\r\n")); err != nil {
			return nil, false, nil, err
		}
	} else if err := s.send("UIDL"); err != nil {
		return nil, false, nil, err
	}
	ok, _, err := s.status("UIDL")
	if err != nil {
		return nil, false, nil, err
	}
	var uidl []byte
	if ok {
		hasUIDL = true
		if uidl, err = s.readBody("UIDL", nil, maxListing, nil); err != nil {
			return nil, false, nil, s.listingErr("UIDL", err)
		}
	}
	if !s.caps.pipelining {
		if err := s.send("LIST"); err != nil {
			return nil, false, nil, err
		}
	}
	ok, text, err := s.status("LIST")
	if err != nil {
		return nil, false, nil, err
	}
	if !ok {
		return nil, false, nil, fmt.Errorf("%s could not list the mailbox (LIST: -ERR %s): %w", s.host, serverText(text), ErrMailbox)
	}
	listing, err := s.readBody("LIST", nil, maxListing, nil)
	if err != nil {
		return nil, false, nil, s.listingErr("LIST", err)
	}

	sizes := make(map[int]int64)
	var order []int
	for len(listing) > 0 {
		var line []byte
		line, listing = nextLine(listing)
		num, rest, ok := splitListLine(line)
		// RFC 1939 allows more after the size; only the size counts.
		field, _, _ := strings.Cut(rest, " ")
		size, err := strconv.ParseInt(field, 10, 64)
		if !ok || err != nil || size < 0 {
			warns = append(warns, fmt.Sprintf("%s listed %s in LIST, which is not a message number and a size", s.host, quoteShort(line)))
			if ok {
				if _, dup := sizes[num]; !dup {
					sizes[num] = 0 // listed, size unknown: the account's limit applies
					order = append(order, num)
				}
			}
			continue
		}
		if _, dup := sizes[num]; dup {
			warns = append(warns, fmt.Sprintf("%s listed message %d twice in LIST", s.host, num))
			continue
		}
		sizes[num] = size
		order = append(order, num)
	}
	if !hasUIDL {
		msgs = make([]ServerMsg, 0, len(order))
		for _, n := range order {
			msgs = append(msgs, ServerMsg{Num: n, Size: sizes[n]})
		}
		slices.SortFunc(msgs, byNum)
		return msgs, false, warns, nil
	}
	nums := make(map[int]bool, len(order))
	msgs = make([]ServerMsg, 0, len(order))
	for len(uidl) > 0 {
		var line []byte
		line, uidl = nextLine(uidl)
		num, uid, ok := splitListLine(line)
		if !ok || uid == "" {
			warns = append(warns, fmt.Sprintf("%s listed %s in UIDL, which is not a message number and a UID", s.host, quoteShort(line)))
			continue
		}
		if nums[num] {
			warns = append(warns, fmt.Sprintf("%s listed message %d twice in UIDL; the second entry was ignored", s.host, num))
			continue
		}
		nums[num] = true
		key, odd := serverUID(uid)
		msgs = append(msgs, ServerMsg{Num: num, UID: key, Size: sizes[num], OddUID: odd})
	}
	var noUID int
	for _, n := range order {
		if !nums[n] {
			msgs = append(msgs, ServerMsg{Num: n, Size: sizes[n]})
			noUID++
		}
	}
	if noUID > 0 {
		warns = append(warns, fmt.Sprintf("%s left %d of the messages it lists out of UIDL; popbox fetches them each time and knows them by their content", s.host, noUID))
	}
	slices.SortFunc(msgs, byNum)
	return msgs, true, warns, nil
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
