// Character sets: labels to decoders, text declared in one charset turned
// into UTF-8, and the sniffing that reads Japanese mail whose label is
// missing or wrong.

package mime

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/japanese"
	xunicode "golang.org/x/text/encoding/unicode"
)

// charsetAliases holds labels mail uses that the WHATWG and IANA tables do
// not know, or map to something less useful.
var charsetAliases = map[string]encoding.Encoding{
	"cp932":          japanese.ShiftJIS,
	"ms932":          japanese.ShiftJIS,
	"x-ms-cp932":     japanese.ShiftJIS,
	"windows-932":    japanese.ShiftJIS,
	"sjis":           japanese.ShiftJIS,
	"x-sjis":         japanese.ShiftJIS,
	"shift-jis":      japanese.ShiftJIS,
	"csshiftjis":     japanese.ShiftJIS,
	"iso-2022-jp-1":  japanese.ISO2022JP,
	"iso-2022-jp-2":  japanese.ISO2022JP,
	"iso-2022-jp-3":  japanese.ISO2022JP,
	"iso-2022-jp-ms": japanese.ISO2022JP,
	"csiso2022jp":    japanese.ISO2022JP,
	"csiso2022jp2":   japanese.ISO2022JP,
	"cp50220":        japanese.ISO2022JP,
	"cp50221":        japanese.ISO2022JP,
	"cp50222":        japanese.ISO2022JP,
	"eucjp":          japanese.EUCJP,
	"x-euc-jp":       japanese.EUCJP,
	"x-euc":          japanese.EUCJP,
	"euc_jp":         japanese.EUCJP,
	"cp51932":        japanese.EUCJP,
	"eucjp-ms":       japanese.EUCJP,

	// UTF-7 (utf7.go): x/text has none.
	"utf-7":             utf7,
	"utf7":              utf7,
	"unicode-1-1-utf-7": utf7,
	"csunicode11utf7":   utf7,
	"x-unicode20utf7":   utf7,
}

func cleanCharsetLabel(label string) string {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"' `))
	if i := strings.IndexByte(label, '*'); i >= 0 {
		label = label[:i]
	}
	return label
}

func isASCIILabel(l string) bool {
	switch l {
	case "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "csascii", "iso-ir-6", "646", "cp367", "ibm367":
		return true
	}
	return false
}

// lookupCharset finds the decoder for a charset label, or nil.
func lookupCharset(label string) encoding.Encoding {
	label = cleanCharsetLabel(label)
	if label == "" {
		return nil
	}
	if e, ok := charsetAliases[label]; ok {
		return e
	}
	if e, err := htmlindex.Get(label); err == nil && e != nil && e != encoding.Replacement {
		return e
	}
	if e, err := ianaindex.MIME.Encoding(label); err == nil && e != nil {
		return e
	}
	if e, err := ianaindex.IANA.Encoding(label); err == nil && e != nil {
		return e
	}
	return nil
}

// statefulLabel reports charsets whose pure-ASCII bytes may not mean ASCII.
func statefulLabel(l string) bool {
	for _, p := range []string{"utf-16", "utf-32", "ucs-2", "ucs-4", "utf-7", "hz-gb", "iso-2022", "csiso2022", "cp5022", "unicode"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// textSource says where the bytes convertCharset reads come from.
type textSource struct {
	what   string  // names the text in notes: "the text", "the Subject header"
	sender carrier // the sender's mobile carrier, whose emoji codes the text uses
	cut    bool    // only the start was read (a preview): a broken last character is dropped
	tail   int     // the last tail bytes may be broken: the base64 they came from was damaged or ends early
}

// soundEnd is where the bytes that may be broken start.
func (src textSource) soundEnd(b []byte) int { return max(len(b)-src.tail, 0) }

// convertCharset turns b, declared to be in charset label, into UTF-8. It
// never fails: an unknown or wrong label gives the best guess and a note.
// A broken tail does not make a label wrong: what cannot be read there
// becomes U+FFFD, with a note.
func convertCharset(b []byte, label string, src textSource, notes *noteList) string {
	what := src.what
	l := cleanCharsetLabel(label)
	if l == "" || isASCIILabel(l) {
		return convertUnlabelled(b, l, src, notes)
	}
	enc := lookupCharset(l)
	if enc == xunicode.UTF8 || l == "utf8" {
		return convertUnlabelled(b, "utf-8", src, notes)
	}
	if enc == nil {
		s, name, st := guessCharset(b, src)
		notes.add("%s uses the unknown character set %s; it was read as %s.", upperFirst(what), quoteForNote(label), name)
		noteStats(st, src, name, notes)
		return s
	}
	if !statefulLabel(l) && enc != utf7 && isASCII(b) {
		return string(b)
	}
	sound := src.soundEnd(b)
	if s, st, own := decodeOwn(enc, b, src.sender, sound, src.cut); own {
		if st.bad > 0 && !labelHolds(enc, b[:sound], s, st) {
			if g, name, gst := guessCharset(b, src); gst.bad == 0 && lookupCharset(name) != enc {
				notes.add("%s is marked as %s but is not; it was read as %s.", upperFirst(what), quoteForNote(label), name)
				noteStats(gst, src, name, notes)
				return g
			}
		}
		noteStats(st, src, label, notes)
		return s
	}
	out, err := enc.NewDecoder().Bytes(b)
	s := string(out)
	if src.cut {
		s = strings.TrimRight(s, "\uFFFD")
	}
	if err != nil || (strings.Contains(s, "\uFFFD") && !bytes.Contains(b, []byte("\uFFFD"))) {
		if sound < len(b) {
			if head, _ := enc.NewDecoder().Bytes(b[:sound]); !strings.Contains(strings.TrimRight(string(head), "\uFFFD"), "\uFFFD") {
				noteStats(textStats{badTail: 1}, src, label, notes)
				return strings.ToValidUTF8(s, "\uFFFD")
			}
		}
		if g, name, _ := guessCharset(b, src); !strings.Contains(g, "\uFFFD") && lookupCharset(name) != enc {
			notes.add("%s is marked as %s but is not; it was read as %s.", upperFirst(what), quoteForNote(label), name)
			return g
		}
		if err != nil {
			s = strings.ToValidUTF8(string(b), "\uFFFD")
		}
		notes.add("Some characters of %s could not be read as %s.", what, quoteForNote(label))
		return s
	}
	if _, single := enc.(*charmap.Charmap); single && utf8.Valid(b) {
		// Bytes that are valid UTF-8 with multi-byte characters are almost
		// never meant as a single-byte charset: the label is wrong.
		notes.add("%s is marked as %s but is UTF-8; it was read as UTF-8.", upperFirst(what), quoteForNote(label))
		return string(b)
	}
	return s
}

// decodeOwn decodes with popbox's own decoders: Shift_JIS, ISO-2022-JP
// and UTF-7. own is false for the other charsets, which x/text decodes.
func decodeOwn(enc encoding.Encoding, b []byte, sender carrier, soundEnd int, cut bool) (s string, st textStats, own bool) {
	switch enc {
	case japanese.ShiftJIS:
		s, st = decodeShiftJIS(b, sender, soundEnd, cut)
	case japanese.ISO2022JP:
		s, st = decodeISO2022JP(b, sender, soundEnd, cut)
	case utf7:
		s, st = decodeUTF7(b, soundEnd, cut)
	default:
		return "", textStats{}, false
	}
	return s, st, true
}

// labelHolds says whether a text with characters that could not be read
// is still in the charset it is labelled with: 7-bit text in a 7-bit
// charset (ISO-2022-JP, UTF-7), whose escapes say what it is, or
// Shift_JIS in which the Japanese characters far outnumber the bad ones.
// One broken character must not turn the rest into another charset's
// mojibake.
func labelHolds(enc encoding.Encoding, b []byte, s string, st textStats) bool {
	if enc != japanese.ShiftJIS {
		return isASCII(b)
	}
	good := 0
	for _, r := range s {
		if r >= 0x80 && r != utf8.RuneError {
			good++
		}
	}
	return good >= 4*st.bad
}

// noteStats adds the notes a decode's textStats call for. name is the
// charset as the notes show it.
func noteStats(st textStats, src textSource, name string, notes *noteList) {
	if st.bad > 0 {
		notes.add("Some characters of %s could not be read as %s.", src.what, quoteForNote(name))
	}
	if st.badTail > 0 {
		notes.add("The end of %s could not be read: the message was cut short or damaged.", src.what)
	}
	if st.noEmoji > 0 {
		notes.add("%s has mobile phone emoji that Unicode has no match for; each is shown as \uFFFD.", upperFirst(src.what))
	}
	if st.guessed != noCarrier {
		notes.add("The mobile phone emoji in %s may be another carrier's; they were read as %s's.", src.what, st.guessed)
	}
}

// convertUnlabelled handles text with no charset, US-ASCII or UTF-8: valid
// UTF-8 stays, ISO-2022-JP escapes are honoured (older Japanese mail often
// declares nothing), and anything else is guessed with a note.
func convertUnlabelled(b []byte, label string, src textSource, notes *noteList) string {
	what := src.what
	if bytes.IndexByte(b, 0x1b) >= 0 && looksISO2022JP(b) {
		if s, st, ok := decodeClean(japanese.ISO2022JP, b, src); ok {
			if label == "utf-8" {
				notes.add("%s is marked as UTF-8 but is not; it was read as ISO-2022-JP.", upperFirst(what))
			}
			noteStats(st, src, "ISO-2022-JP", notes)
			return s
		}
	}
	t := b
	if src.cut || src.tail > 0 {
		t = trimPartialUTF8(b[:src.soundEnd(b)])
	}
	if utf8.Valid(t) {
		switch {
		case src.tail == 0 && src.cut:
			return string(t)
		case src.tail > 0 && !utf8.Valid(b):
			// A damaged tail: the text before it says the label is
			// right; what cannot be read is U+FFFD.
			if src.cut {
				b = trimPartialUTF8(b)
			}
			if s := strings.ToValidUTF8(string(b), "\uFFFD"); s != string(b) {
				noteStats(textStats{badTail: 1}, src, "UTF-8", notes)
				return s
			}
		}
		return string(b)
	}
	s, name, st := guessCharset(b, src)
	switch label {
	case "":
		notes.add("%s has 8-bit characters but no character set; it was read as %s.", upperFirst(what), name)
	case "utf-8":
		notes.add("%s is marked as UTF-8 but is not; it was read as %s.", upperFirst(what), name)
	default:
		notes.add("%s is marked as US-ASCII but has 8-bit characters; it was read as %s.", upperFirst(what), name)
	}
	noteStats(st, src, name, notes)
	return s
}

// guessCharset decodes text of unknown charset: ISO-2022-JP when it has
// its escapes, UTF-8 when valid, EUC-JP or Shift_JIS when the bytes fit and
// look Japanese, else Windows-1252 (a superset of Latin-1 that never fails).
// st tells how a Japanese guess decoded.
func guessCharset(b []byte, src textSource) (string, string, textStats) {
	if bytes.IndexByte(b, 0x1b) >= 0 && looksISO2022JP(b) {
		if s, st, ok := decodeClean(japanese.ISO2022JP, b, src); ok {
			return s, "ISO-2022-JP", st
		}
	}
	t := b
	if src.cut {
		t = trimPartialUTF8(b)
	}
	if utf8.Valid(t) {
		return string(t), "UTF-8", textStats{}
	}
	if looksEUCJP(b, src.cut) {
		if s, st, ok := decodeClean(japanese.EUCJP, b, src); ok {
			return s, "EUC-JP", st
		}
	}
	if looksShiftJIS(b, src.cut) {
		if s, st, ok := decodeClean(japanese.ShiftJIS, b, src); ok {
			return s, "Shift_JIS", st
		}
	}
	out, _ := charmap.Windows1252.NewDecoder().Bytes(b)
	return string(out), "Windows-1252", textStats{}
}

// decodeClean decodes b from enc and says whether that read it: nothing
// came out as U+FFFD but emoji Unicode lacks and a broken tail, and for
// ISO-2022-JP, whose escapes say what it is, whatever came out.
func decodeClean(enc encoding.Encoding, b []byte, src textSource) (string, textStats, bool) {
	if s, st, own := decodeOwn(enc, b, src.sender, src.soundEnd(b), src.cut); own {
		return s, st, st.bad == 0 || (enc == japanese.ISO2022JP && isASCII(b))
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return "", textStats{}, false
	}
	s := string(out)
	if src.cut {
		s = strings.TrimRight(s, "\uFFFD")
	}
	return s, textStats{}, !strings.Contains(s, "\uFFFD")
}

// trimPartialUTF8 drops an incomplete UTF-8 sequence at the end of b.
func trimPartialUTF8(b []byte) []byte {
	for i := 1; i <= 3 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < 0x80 {
			return b
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			return b
		}
	}
	return b
}

// looksISO2022JP reports 7-bit text with the escapes ISO-2022-JP uses to
// switch to JIS X 0208 or back.
func looksISO2022JP(b []byte) bool {
	for _, esc := range []string{"\x1b$B", "\x1b$@", "\x1b(J", "\x1b(I", "\x1b$(D"} {
		if bytes.Contains(b, []byte(esc)) {
			return isASCII(b)
		}
	}
	return false
}

// looksEUCJP reports bytes that are well-formed EUC-JP and contain kana or
// Japanese punctuation (rows 1, 4 and 5), which Latin-1 text almost never
// produces.
func looksEUCJP(b []byte, cut bool) bool {
	japanesey := false
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c < 0x80:
			i++
		case c == 0x8e:
			if i+1 >= len(b) {
				return cut
			}
			if b[i+1] < 0xa1 || b[i+1] > 0xdf {
				return false
			}
			i += 2
		case c == 0x8f:
			if i+2 >= len(b) {
				return cut
			}
			if b[i+1] < 0xa1 || b[i+1] > 0xfe || b[i+2] < 0xa1 || b[i+2] > 0xfe {
				return false
			}
			i += 3
		case c >= 0xa1 && c <= 0xfe:
			if i+1 >= len(b) {
				return cut && japanesey
			}
			if b[i+1] < 0xa1 || b[i+1] > 0xfe {
				return false
			}
			if c == 0xa1 || c == 0xa4 || c == 0xa5 {
				japanesey = true
			}
			i += 2
		default:
			return false
		}
	}
	return japanesey
}

// looksShiftJIS reports bytes that are well-formed Shift_JIS with at least
// one lead byte in 0x81-0x9F, where kana, punctuation and common kanji live
// and where Latin-1 letters never are.
func looksShiftJIS(b []byte, cut bool) bool {
	japanesey := false
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c < 0x80 || (c >= 0xa1 && c <= 0xdf):
			i++
		case (c >= 0x81 && c <= 0x9f) || (c >= 0xe0 && c <= 0xfc):
			if i+1 >= len(b) {
				return cut && japanesey
			}
			t := b[i+1]
			if t < 0x40 || t == 0x7f || t > 0xfc {
				return false
			}
			if c <= 0x9f {
				japanesey = true
			}
			i += 2
		default:
			return false
		}
	}
	return japanesey
}

// sniffHTMLCharset finds a <meta> charset declaration near the start of an
// HTML part that has no charset parameter.
func sniffHTMLCharset(b []byte) string {
	head := b[:min(len(b), 4096)]
	i := bytes.Index(bytes.ToLower(head), []byte("charset="))
	if i < 0 {
		return ""
	}
	rest := head[i+len("charset="):]
	rest = bytes.TrimLeft(rest, `"' `)
	end := 0
	for end < len(rest) && end < 40 {
		c := rest[end]
		if !(c == '-' || c == '_' || c == '.' || c == ':' || isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'z')) {
			break
		}
		end++
	}
	return string(rest[:end])
}
