// Japanese character sets as mail uses them: Shift_JIS read as CP932
// (Windows-31J) with the carriers' emoji, and ISO-2022-JP with the
// extensions of CP50220/CP50221 (half-width katakana, NEC row 13, the
// NEC-selected IBM rows) and KDDI's emoji. golang.org/x/text's decoders do
// the standard characters, NEC row 13 and the IBM extensions; this file
// reads what they cannot (emoji, shift-out katakana, unknown escapes) and
// hands the rest to them.

package mime

import (
	"bytes"
	"slices"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"
)

// The x/text decoders for Shift_JIS and EUC-JP keep no state, so one of
// each serves every call.
var (
	sjisDecoder  = japanese.ShiftJIS.NewDecoder()
	eucJPDecoder = japanese.EUCJP.NewDecoder()
)

// textStats says how a text decoded, for the decoders that tell damage
// from characters Unicode lacks (Japanese, UTF-7).
type textStats struct {
	bad     int     // characters that could not be read, before the damaged tail
	badTail int     // the same in the damaged tail, or a character cut at the end
	noEmoji int     // carrier emoji Unicode has no equivalent for
	guessed carrier // shared emoji codes were read as this carrier's for want of evidence
}

// carrierChoice gathers what a text's emoji codes say about their carrier.
type carrierChoice struct {
	cand     carrierSet
	evidence bool
}

func (e *carrierChoice) see(s carrierSet) {
	if s == 0 {
		return
	}
	e.evidence = true
	if e.cand&s != 0 {
		e.cand &= s
	}
}

// resolve picks the carrier: the codes' own if they tell, else the
// sender's if it fits them, else the first of prefer that fits (guessed).
func (e carrierChoice) resolve(sender carrier, prefer ...carrier) (carrier, carrier) {
	switch {
	case !e.evidence:
		return sender, noCarrier
	case e.cand.has(sender):
		return sender, noCarrier
	case e.cand.only() != noCarrier:
		return e.cand.only(), noCarrier
	}
	for _, c := range prefer {
		if e.cand.has(c) {
			return c, c
		}
	}
	return noCarrier, noCarrier
}

// sjisCharLen returns the length of the Shift_JIS character at b[i], the
// way x/text's decoder reads it: a lead byte whose next byte cannot be a
// trail byte stands alone.
func sjisCharLen(b []byte, i int) int {
	c := b[i]
	if c < 0x81 || (c >= 0xa0 && c < 0xe0) || c > 0xfc || i+1 >= len(b) {
		return 1
	}
	if t := b[i+1]; t < 0x40 || t == 0x7f {
		return 1
	}
	return 2
}

// decodeShiftJIS decodes b as CP932 with the carrier emoji. The bytes from
// soundEnd on may be damaged: what cannot be read there counts in badTail.
// cut drops a character cut at the end (a preview) instead of showing
// U+FFFD.
func decodeShiftJIS(b []byte, sender carrier, soundEnd int, cut bool) (string, textStats) {
	var st textStats
	if cut && len(b) > 0 {
		if i := lastSJISStart(b); sjisCharLen(b, i) == 1 && isSJISLead(b[i]) {
			b = b[:i]
		}
	}
	var choice carrierChoice
	if !choice.scanSJIS(b) {
		out, bad := appendDecoded(nil, sjisDecoder, b)
		if bad > 0 && soundEnd < len(b) {
			// Count again, split where the tail may be broken.
			_, st.bad = appendDecoded(nil, sjisDecoder, b[:sjisBoundary(b, soundEnd)])
			st.badTail = bad - st.bad
		} else {
			st.bad = bad
		}
		return string(out), st
	}
	r, guessed := choice.resolve(sender, docomo, softbank, kddi)
	out := make([]byte, 0, len(b)*3/2+8)
	out = appendSJIS(out, b, r, guessed, soundEnd, false, &st)
	return string(out), st
}

// isSJISLead reports the first byte of a two-byte Shift_JIS character.
func isSJISLead(c byte) bool { return (c >= 0x81 && c <= 0x9f) || (c >= 0xe0 && c <= 0xfc) }

// scanSJIS notes the emoji codes of b, and reports whether it has any
// two-byte code x/text might not read as meant (lead byte EB or above).
func (e *carrierChoice) scanSJIS(b []byte) bool {
	if e.cand == 0 {
		e.cand = allCarriers
	}
	found := false
	for i := 0; i < len(b); {
		n := sjisCharLen(b, i)
		if n == 2 && b[i] >= 0xeb {
			found = true
			e.see(sjisCarriers(uint16(b[i])<<8 | uint16(b[i+1])))
		}
		i += n
	}
	return found
}

// appendSJIS appends b decoded as CP932, with the emoji of carrier r (the
// text's). jis says b came from ISO-2022-JP: its rows beyond 0x7C are
// user-defined characters, not bad bytes.
func appendSJIS(out, b []byte, r, guessed carrier, soundEnd int, jis bool, st *textStats) []byte {
	start := 0
	flush := func(end int) {
		var bad int
		out, bad = appendDecoded(out, sjisDecoder, b[start:end])
		if start >= soundEnd {
			st.badTail += bad
		} else {
			st.bad += bad
		}
		start = end
	}
	for i := 0; i < len(b); {
		if i >= soundEnd && start < soundEnd {
			flush(i)
		}
		n := sjisCharLen(b, i)
		if n == 1 || b[i] < 0xeb {
			i += n
			continue
		}
		code := uint16(b[i])<<8 | uint16(b[i+1])
		c, ok := emojiCarrier(code, r, jis)
		if !ok {
			i += n
			continue
		}
		flush(i)
		start = i + 2
		if c == kddi {
			code = uint16(kddiWebLead(b[i]))<<8 | uint16(b[i+1])
		}
		switch e, found := carrierEmoji(c, code); {
		case found:
			out = append(out, e...)
		case c != noCarrier || jis:
			// An emoji Unicode lacks, or a user-defined character of
			// ISO-2022-JP: one U+FFFD, not damage.
			out = append(out, "\uFFFD"...)
			st.noEmoji++
		default:
			// A user-defined character no carrier uses: a private
			// character of the sender's machine.
			out = append(out, "\uFFFD"...)
			if i >= soundEnd {
				st.badTail++
			} else {
				st.bad++
			}
		}
		if c == guessed && c != noCarrier && sjisCarriers(code).only() == noCarrier {
			st.guessed = guessed
		}
		i += 2
	}
	flush(len(b))
	return out
}

// emojiCarrier says whether the two-byte code is read here rather than
// by x/text, and as whose emoji (noCarrier: a user-defined character).
// r is the text's carrier.
func emojiCarrier(code uint16, r carrier, jis bool) (carrier, bool) {
	lead, trail := byte(code>>8), byte(code)
	switch {
	case lead >= 0xf0 && lead <= 0xf9:
		s := sjisCarriers(code)
		if s.has(r) {
			return r, true
		}
		for _, c := range []carrier{docomo, softbank, kddi} {
			if s.has(c) {
				return c, true
			}
		}
		return noCarrier, true
	case lead == 0xeb || lead == 0xec:
		if jis && r == softbank {
			// SoftBank's phones use these JIS rows too, for emoji of
			// their own that EmojiSources.txt does not list.
			return softbank, true
		}
		return kddi, true
	case (lead == 0xed || lead == 0xee) && r == kddi:
		return kddi, true
	case lead == 0xef && jis:
		return noCarrier, true
	case lead == 0xfb && r == softbank && softbankFB(trail):
		return softbank, true
	}
	return noCarrier, false
}

// lastSJISStart returns the index of the last character start in b.
func lastSJISStart(b []byte) int {
	last := 0
	for i := 0; i < len(b); i += sjisCharLen(b, i) {
		last = i
	}
	return last
}

// sjisBoundary returns the first character start at or after i.
func sjisBoundary(b []byte, i int) int {
	j := 0
	for j < i && j < len(b) {
		j += sjisCharLen(b, j)
	}
	return min(j, len(b))
}

// appendDecoded appends src decoded by the stateless x/text decoder t, and
// says how many characters it could not read.
func appendDecoded(out []byte, t transform.Transformer, src []byte) ([]byte, int) {
	mark := len(out)
	out = appendTransform(out, t, src, true)
	return out, bytes.Count(out[mark:], []byte("\uFFFD"))
}

// appendTransform appends src transformed by t.
func appendTransform(out []byte, t transform.Transformer, src []byte, atEOF bool) []byte {
	// Japanese text grows by half in UTF-8; half-width katakana, rarer,
	// triples, and gets more room when it comes.
	out = slices.Grow(out, len(src)*3/2+16)
	for {
		nDst, nSrc, err := t.Transform(out[len(out):cap(out)], src, atEOF)
		out = out[:len(out)+nDst]
		src = src[nSrc:]
		if err != transform.ErrShortDst {
			return out
		}
		out = slices.Grow(out, 2*(cap(out)-len(out))+16)
	}
}

// ISO-2022-JP states (RFC 1468, with the sets CP50221 and mail add).
const (
	jisASCII  = iota // ASCII or JIS X 0201 Roman
	jisKana          // JIS X 0201 katakana (ESC ( I)
	jis0208          // JIS X 0208 (ESC $ @, ESC $ B; JIS X 0213 plane 1 read so too)
	jis0212          // JIS X 0212 (ESC $ ( D)
	jisOther         // a one-byte set popbox does not know
	jisOther2        // a two-byte set popbox does not know
)

// jisRun is a stretch of jisText.buf: Shift_JIS, or EUC-JP for JIS X 0212.
type jisRun struct {
	start, end int
	euc        bool
}

// jisText is ISO-2022-JP turned into Shift_JIS, which holds all of it but
// JIS X 0212 (kept as EUC-JP) and so lets one decoder, x/text's CP932 with
// the emoji of appendSJIS, read both. JIS row r, cell c becomes the
// Shift_JIS code of that row and cell, so KDDI's emoji rows 0x75-0x7B
// become its mail codes EB40-EEFC and the NEC-selected IBM rows 0x79-0x7C
// CP932's ED40-EEFC. A byte that cannot be read becomes 0xFF, which x/text
// reads as U+FFFD.
type jisText struct {
	buf      []byte
	runs     []jisRun
	soundEnd int // where in buf the tail that may be broken starts
}

func (t *jisText) put(euc bool, p ...byte) {
	if n := len(t.runs); n == 0 || t.runs[n-1].euc != euc {
		t.runs = append(t.runs, jisRun{start: len(t.buf), end: len(t.buf), euc: euc})
	}
	t.buf = append(t.buf, p...)
	t.runs[len(t.runs)-1].end = len(t.buf)
}

// decodeISO2022JP decodes b as ISO-2022-JP with the extensions of CP50221:
// half-width katakana by ESC ( I or shift-out, NEC row 13 and the
// NEC-selected IBM rows, KDDI's emoji, and Shift_JIS emoji bytes that
// docomo's phones leave in it. An escape to a set it does not know makes
// each character of that set one U+FFFD. soundEnd and cut are as for
// decodeShiftJIS.
func decodeISO2022JP(b []byte, sender carrier, soundEnd int, cut bool) (string, textStats) {
	// Most mail needs nothing x/text lacks: read it so first. KDDI mail
	// may hold emoji in the rows x/text reads as IBM kanji.
	if sender != kddi && bytes.IndexByte(b, 0x0e) < 0 {
		if out, bad := appendDecoded(nil, japanese.ISO2022JP.NewDecoder(), b); bad == 0 {
			return string(out), textStats{}
		}
	}
	t := jisText{buf: make([]byte, 0, len(b)), soundEnd: -1}
	t.read(b, soundEnd, cut)
	if t.soundEnd < 0 {
		t.soundEnd = len(t.buf)
	}
	var choice carrierChoice
	for _, r := range t.runs {
		if !r.euc {
			choice.scanSJIS(t.buf[r.start:r.end])
		}
	}
	r, guessed := choice.resolve(sender, kddi, docomo, softbank)
	st := textStats{}
	out := make([]byte, 0, len(b)*3/2+8)
	for _, run := range t.runs {
		sound := min(max(t.soundEnd-run.start, 0), run.end-run.start)
		if run.euc {
			var bad int
			out, bad = appendDecoded(out, eucJPDecoder, t.buf[run.start:run.end])
			if sound > 0 {
				st.bad += bad
			} else {
				st.badTail += bad
			}
			continue
		}
		out = appendSJIS(out, t.buf[run.start:run.end], r, guessed, sound, true, &st)
	}
	return string(out), st
}

// read turns the ISO-2022-JP text b into t.
func (t *jisText) read(b []byte, soundEnd int, cut bool) {
	state, shifted := jisASCII, false
	for i := 0; i < len(b); {
		if t.soundEnd < 0 && i >= soundEnd {
			t.soundEnd = len(t.buf)
		}
		c := b[i]
		switch {
		case c == 0x1b:
			n, next := jisEscape(b[i:])
			switch {
			case n == 0 && cut:
				return
			case n == 0 || next == escBad:
				t.put(false, 0xff)
				i++
				continue
			case next == escSingle:
				// ESC N or ESC O: the next character comes from a set
				// popbox does not know.
				t.put(false, 0xff)
				n++
			case next != escKeep:
				state, shifted = next, false
			}
			i = min(i+n, len(b))
			continue
		case c == 0x0e:
			shifted = true
		case c == 0x0f:
			shifted = false
		case c == '\n':
			// WHATWG's decoder and x/text end a two-byte set at a line
			// end, which mail writers often forget to do themselves.
			if state >= jis0208 {
				state = jisASCII
			}
			t.put(false, c)
		case c < 0x21 || c == 0x7f:
			t.put(false, c)
		case c >= 0x80:
			if i+1 < len(b) && sjisCarriers(uint16(c)<<8|uint16(b[i+1])) != 0 {
				t.put(false, c, b[i+1])
				i += 2
				continue
			}
			t.put(false, 0xff)
		case shifted || state == jisKana:
			if c <= 0x5f {
				t.put(false, c+0x80)
			} else {
				t.put(false, 0xff)
			}
		case state == jisASCII:
			t.put(false, c)
		case state == jisOther:
			t.put(false, 0xff)
		default:
			if i+1 >= len(b) || b[i+1] < 0x21 || b[i+1] > 0x7e {
				if i+1 >= len(b) && cut {
					return
				}
				t.put(false, 0xff)
				break
			}
			j1, j2 := c, b[i+1]
			i += 2
			switch state {
			case jis0208:
				s1 := (j1+1)/2 + 0x70
				if s1 >= 0xa0 {
					s1 += 0x40
				}
				s2 := j2 + 0x7e
				if j1&1 == 1 {
					s2 = j2 + 0x1f
					if s2 >= 0x7f {
						s2++
					}
				}
				t.put(false, s1, s2)
			case jis0212:
				t.put(true, 0x8f, j1|0x80, j2|0x80)
			default:
				t.put(false, 0xff)
			}
			continue
		}
		i++
	}
}

// Results of jisEscape besides a state.
const (
	escKeep   = -1 - iota // an announcer: the state stays
	escSingle             // a single shift: one character from another set
	escBad                // not an escape sequence: its ESC is shown as U+FFFD
)

// jisEscape reads the escape sequence at the start of b (b[0] is ESC) and
// returns its length and the state it sets, or one of the esc results. n
// is 0 when b ends inside the sequence.
func jisEscape(b []byte) (n, next int) {
	i := 1
	for i < len(b) && i < 5 && b[i] >= 0x20 && b[i] <= 0x2f {
		i++
	}
	if i >= len(b) {
		return 0, escBad
	}
	if b[i] < 0x30 || b[i] > 0x7e {
		return 1, escBad
	}
	n = i + 1
	switch string(b[1:n]) {
	case "(B", "(J", "(H":
		return n, jisASCII
	case "(I":
		return n, jisKana
	case "$@", "$B", "$(Q", "$(O":
		return n, jis0208
	case "$(D":
		return n, jis0212
	case "&@":
		// Announces JIS X 0208-1990; ESC $ B follows.
		return n, escKeep
	case "N", "O":
		return n, escSingle
	}
	if bytes.IndexByte(b[1:i], '$') >= 0 {
		return n, jisOther2
	}
	return n, jisOther
}
