// Header sections: splitting a header from its body, finding and
// unfolding fields, and turning field bytes into text (raw 8-bit text,
// RFC 2047 encoded words).

package mime

import (
	"bytes"
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
	xunicode "golang.org/x/text/encoding/unicode"
)

// mimeField is one header field; its value stays in the source bytes until
// asked for.
type mimeField struct {
	name       []byte
	start, end int // value bytes in src, after the colon, folded lines included
	folded     bool
}

// mimeHeader is a parsed header section.
type mimeHeader struct {
	src    []byte
	fields []mimeField
}

// value returns the unfolded value of the first field called name, with
// surrounding whitespace removed.
func (h *mimeHeader) value(name string) ([]byte, bool) {
	for _, f := range h.fields {
		if string(f.name) == name || bytes.EqualFold(f.name, []byte(name)) {
			v := h.src[f.start:f.end]
			if f.folded {
				// RFC 5322 section 2.2.3: unfolding removes the line breaks
				// and keeps the white space that starts each continuation.
				u := make([]byte, 0, len(v))
				for _, c := range v {
					if c != '\r' && c != '\n' {
						u = append(u, c)
					}
				}
				v = u
			}
			return bytes.Trim(v, " \t\r\n"), true
		}
	}
	return nil, false
}

// valueCapped is value with the length bounded to maxHeaderValue.
func (h *mimeHeader) valueCapped(name string, notes *noteList) ([]byte, bool) {
	v, ok := h.value(name)
	if len(v) > maxHeaderValue {
		notes.add("The %s header is %d bytes long; only the first %d were read.", name, len(v), maxHeaderValue)
		v = v[:maxHeaderValue]
	}
	return v, ok
}

// parseMIMEHeader splits b into its header section and body. It stops at the
// first empty line, or, for broken messages, at the first line that is
// neither a field nor a continuation.
func parseMIMEHeader(b []byte, notes *noteList, top bool) (mimeHeader, []byte) {
	h := mimeHeader{src: b}
	if top {
		// A message's own header has a dozen fields or more; growing the
		// slice from one would take five allocations.
		h.fields = make([]mimeField, 0, 16)
	}
	pos := 0
	tooMany := false
	for pos < len(b) {
		lineEnd, next := len(b), len(b)
		if i := bytes.IndexByte(b[pos:], '\n'); i >= 0 {
			lineEnd, next = pos+i, pos+i+1
		}
		end := lineEnd
		if end > pos && b[end-1] == '\r' {
			end--
		}
		line := b[pos:end]
		if len(line) == 0 {
			return h, b[next:]
		}
		if line[0] == ' ' || line[0] == '\t' {
			if n := len(h.fields); n > 0 {
				if !tooMany {
					h.fields[n-1].end = end
					h.fields[n-1].folded = true
				}
				pos = next
				continue
			}
			if len(bytes.TrimSpace(line)) == 0 {
				pos = next
				continue
			}
		} else if colon := headerNameEnd(line); colon > 0 {
			if len(h.fields) >= maxHeaderFields {
				if !tooMany {
					tooMany = true
					notes.add("The header has more than %d fields; the rest were ignored.", maxHeaderFields)
				}
			} else {
				h.fields = append(h.fields, mimeField{
					name:  bytes.TrimRight(line[:colon], " \t"),
					start: pos + colon + 1,
					end:   end,
				})
			}
			pos = next
			continue
		} else if pos == 0 && top && bytes.HasPrefix(line, []byte("From ")) {
			// An mbox "From " line left in front of the message.
			pos = next
			continue
		}
		if top {
			notes.add("The message has no blank line after its header; the body may start too early.")
		} else {
			notes.add("A part has no blank line after its header; its first line was read as text.")
		}
		return h, b[pos:]
	}
	return h, nil
}

// headerNameEnd returns the index of the colon ending a field name at the
// start of line, or -1 when the line does not start with a field name.
func headerNameEnd(line []byte) int {
	i := 0
	for i < len(line) && line[i] > ' ' && line[i] < 0x7f && line[i] != ':' {
		i++
	}
	if i == 0 {
		return -1
	}
	// Obsolete syntax allows white space before the colon (RFC 5322 4.5).
	j := i
	for j < len(line) && (line[j] == ' ' || line[j] == '\t') {
		j++
	}
	if j < len(line) && line[j] == ':' {
		return j
	}
	return -1
}

// ---- Header text and RFC 2047 encoded words --------------------------------

// textHint is what a message tells about reading text that does not say
// it itself: the charset of its text parts, for 8-bit header text that
// declares none, and its sender's mobile carrier, whose emoji codes its
// Japanese text uses.
type textHint struct {
	charset string
	sender  carrier
}

// messageHint reads the textHint of a message (or of one attached to it).
func messageHint(root *mimePart) textHint {
	from, ok := root.hdr.value("From")
	if !ok || len(from) == 0 {
		from, _ = root.hdr.value("Sender")
	}
	return textHint{charset: charsetHint(root), sender: senderCarrier(from)}
}

// headerText turns raw header bytes into UTF-8 before any structure is read:
// raw ISO-2022-JP (common in older Japanese mail) and unlabelled 8-bit text
// would otherwise confuse the address parser. Encoded words are left alone.
func headerText(v []byte, hint textHint, what string, notes *noteList) string {
	src := textSource{what: what, sender: hint.sender}
	if isASCII(v) {
		if bytes.IndexByte(v, 0x1b) >= 0 && looksISO2022JP(v) {
			if s, st, ok := decodeClean(japanese.ISO2022JP, v, src); ok {
				noteStats(st, src, "ISO-2022-JP", notes)
				return s
			}
		}
		return string(v)
	}
	if utf8.Valid(v) {
		// RFC 6532 allows UTF-8 in header fields.
		return string(v)
	}
	if hint.charset != "" {
		if enc := lookupCharset(hint.charset); enc != nil && enc != xunicode.UTF8 {
			if s, st, ok := decodeClean(enc, v, src); ok {
				notes.add("%s has 8-bit text without a character set; it was read as %s.", upperFirst(what), quoteForNote(hint.charset))
				noteStats(st, src, hint.charset, notes)
				return s
			}
		}
	}
	s, name, st := guessCharset(v, src)
	notes.add("%s has 8-bit text without a character set; it was read as %s.", upperFirst(what), name)
	noteStats(st, src, name, notes)
	return s
}

// decodeWords decodes the RFC 2047 encoded words in s. It is lenient the way
// mail readers must be: words are found anywhere (also inside quoted strings
// and glued to other text), white space between adjacent words is dropped,
// and adjacent words in one character set are decoded together so that a
// character split across two words survives. sender is the sender's
// mobile carrier, whose emoji codes the words may hold.
func decodeWords(s, what string, sender carrier, notes *noteList) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	var out strings.Builder
	var run []byte
	runCharset := ""
	flush := func() {
		if runCharset != "" {
			out.WriteString(convertCharset(run, runCharset, textSource{what: what, sender: sender}, notes))
			run = run[:0]
			runCharset = ""
		}
	}
	pos, search := 0, 0
	prevWord := false
	for {
		j := strings.Index(s[search:], "=?")
		if j < 0 {
			break
		}
		j += search
		cs, data, end, ok := parseEncodedWord(s, j)
		if !ok {
			search = j + 2
			continue
		}
		lit := s[pos:j]
		if !(prevWord && strings.TrimLeft(lit, " \t\r\n") == "") {
			flush()
			out.WriteString(lit)
		}
		if runCharset != "" && !strings.EqualFold(runCharset, cs) {
			flush()
		}
		runCharset = cs
		run = append(run, data...)
		prevWord = true
		pos, search = end, end
	}
	flush()
	out.WriteString(s[pos:])
	return out.String()
}

// parseEncodedWord reads "=?charset?enc?text?=" at s[i:]. It returns the
// charset (without an RFC 2231 language suffix), the decoded bytes and the
// index after the word.
func parseEncodedWord(s string, i int) (charset string, data []byte, end int, ok bool) {
	p := i + 2
	q := strings.IndexByte(s[p:], '?')
	if q <= 0 || q > 64 {
		return "", nil, 0, false
	}
	charset = s[p : p+q]
	if strings.ContainsAny(charset, " \t\r\n=") {
		return "", nil, 0, false
	}
	if star := strings.IndexByte(charset, '*'); star >= 0 {
		charset = charset[:star]
	}
	p += q + 1
	if p+2 > len(s) || s[p+1] != '?' {
		return "", nil, 0, false
	}
	enc := s[p] | 0x20
	if enc != 'b' && enc != 'q' {
		return "", nil, 0, false
	}
	p += 2
	t := p
	for ; t < len(s); t++ {
		c := s[t]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			return "", nil, 0, false
		}
		if c == '?' {
			if t+1 < len(s) && s[t+1] == '=' {
				break
			}
			return "", nil, 0, false
		}
	}
	if t >= len(s) {
		return "", nil, 0, false
	}
	text := s[p:t]
	if enc == 'b' {
		data = decodeWordBase64(text)
	} else {
		data = decodeWordQ(text)
	}
	if charset == "" {
		charset = "utf-8"
	}
	return charset, data, t + 2, true
}

func decodeWordBase64(text string) []byte {
	if b, err := base64.StdEncoding.DecodeString(text); err == nil {
		return b
	}
	if b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(text, "=")); err == nil {
		return b
	}
	b, _ := decodeBase64([]byte(text), true)
	return b
}

func decodeWordQ(text string) []byte {
	out := make([]byte, 0, len(text))
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '_':
			out = append(out, ' ')
		case c == '=' && i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]):
			out = append(out, unhex(text[i+1])<<4|unhex(text[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return out
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
