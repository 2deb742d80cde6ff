// The Summary: a message split into its tree, its envelope read, its bytes
// checked, and a preview made from the start of its text.

package mime

import (
	"bytes"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// parsedMessage is a message split into its MIME tree, with its envelope
// headers decoded.
type parsedMessage struct {
	raw   []byte
	root  *mimePart
	env   msgEnvelope
	hint  textHint
	notes noteList
}

func parseMessage(raw []byte) *parsedMessage {
	pm := &parsedMessage{raw: raw}
	var tree noteList
	ps := mimeParser{notes: &tree}
	pm.root = ps.entity(raw, 0, "text/plain", true)
	pm.hint = messageHint(pm.root)
	pm.env = readEnvelope(&pm.root.hdr, pm.hint, &pm.notes, true)
	pm.notes.merge(&tree)
	pm.checkBytes()
	return pm
}

// checkBytes notes line ends, line lengths and NUL bytes that break the
// rules of RFC 5322. One pass over the bytes, without copying.
func (pm *parsedMessage) checkBytes() {
	raw := pm.raw
	if bytes.IndexByte(raw, 0) >= 0 {
		pm.notes.add("The message contains NUL bytes; they were left out.")
	}
	longest, crlf, bare := 0, 0, 0
	for start := 0; start < len(raw); {
		i := bytes.IndexByte(raw[start:], '\n')
		if i < 0 {
			longest = max(longest, len(raw)-start)
			break
		}
		n := i
		if i > 0 && raw[start+i-1] == '\r' {
			crlf++
			n--
		} else {
			bare++
		}
		longest = max(longest, n)
		start += i + 1
	}
	if bare > 0 && crlf == 0 {
		pm.notes.add("The message uses LF line ends instead of CRLF.")
	}
	if longest > maxLineLength {
		pm.notes.add("The message has a line of %d bytes, longer than the %d allowed; it was read anyway.", longest, maxLineLength)
	}
}

func (pm *parsedMessage) summary(fetched time.Time) Summary {
	notes := noteList{items: append([]string(nil), pm.notes.items...), full: pm.notes.full}
	e := &pm.env
	s := Summary{
		To:        e.to,
		Cc:        e.cc,
		Subject:   e.subject,
		MessageID: e.messageID,
		Size:      int64(len(pm.raw)),
		Date:      e.date,
	}
	if len(e.from) > 0 {
		s.From = e.from[0]
	}
	if !e.dateOK {
		s.Date = fetched
		s.DateMissing = true
	}
	for _, p := range pm.root.attachments() {
		if !(p.relatedExtra && p.disp != "attachment") {
			s.Attachments = true
			break
		}
	}
	r := bodyRenderer{notes: &notes, hint: pm.hint, preview: true}
	r.part(pm.root)
	s.Preview = makePreview(r.b.String())
	s.Notes = notes.result()
	return s
}

// makePreview collapses whitespace, drops the hidden format characters
// SafeLine drops (the preview is one line of the list), and keeps the
// first previewRunes runes.
func makePreview(s string) string {
	b := make([]byte, 0, min(len(s), 4*previewRunes))
	n := 0   // runes in b
	cut := 0 // length of b when it held previewRunes-1 runes
	space := false
	for i := 0; i < len(s) && n <= previewRunes; {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if IsHiddenFormat(r) {
			i += size
			continue
		}
		if unicode.IsSpace(r) {
			space = n > 0
			i += size
			continue
		}
		if space {
			b = append(b, ' ')
			if n++; n == previewRunes-1 {
				cut = len(b)
			}
			space = false
		}
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\uFFFD"...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		if n++; n == previewRunes-1 {
			cut = len(b)
		}
		i += size
	}
	if n <= previewRunes {
		return string(b)
	}
	return strings.TrimRight(string(b[:cut]), " ") + "…"
}
