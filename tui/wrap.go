package tui

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/rivo/uniseg"
)

// wrapLines breaks plain text into lines of at most width terminal cells,
// measured like the rest of the TUI (ansi.StringWidth: wide characters take
// two cells). It is the TUI's one word wrapper.
//
//   - Lines break where Unicode line breaking (UAX #14, via uniseg) allows:
//     at spaces, and between two Japanese or Chinese characters.
//   - Kinsoku: a line does not start with closing punctuation, small kana
//     or the long vowel mark (。、」）ー っ …), and does not end with an
//     opening bracket (「（『【). UAX #14 already keeps most of these
//     together; wrapLines also refuses the breaks it allows before them
//     after a space and around ～ (see noLineStart).
//   - Inside a word of an alphabetic script, UAX #14 allows breaks after
//     a hyphen or a slash (--db, a path, a URL). wrapLines keeps those for
//     a word wider than the line, so a command or a path that fits on a
//     line is not split.
//   - A word or run wider than the line is cut at the last of those breaks
//     that fits, else between grapheme clusters, avoiding the kinsoku cuts
//     where it can. It starts on the current line only if one of its own
//     breaks fits there. A single character wider than the line gets a
//     line of its own.
//   - Newlines (and the other mandatory breaks: CR, form feed, U+2028)
//     end a line; an empty paragraph is an empty line, and a trailing
//     newline gives a trailing empty line, as with strings.Split.
//   - The spaces at a break go; lines do not end in spaces. Indentation
//     at the start of a paragraph stays unless it leaves no room for the
//     first word. Spaces inside a line are kept as they are.
//
// Every line is a substring of s. A width below 1 leaves the text unwrapped,
// split at its newlines. s must not hold escape sequences: styles are applied
// to the wrapped lines, not before.
func wrapLines(s string, width int) []string {
	if width < 1 {
		return strings.Split(s, "\n")
	}
	w := wrapper{s: s, width: width, lines: make([]string, 0, len(s)/max(width, 8)+1)}
	state := -1
	for rest := s; rest != ""; {
		pos := len(s) - len(rest)
		seg, next, must, st := uniseg.FirstLineSegmentInString(rest, state)
		rest, state = next, st
		// UAX #14 (LB13) does not break before a slash even after a
		// space, which glues a path to the word before it: "cd /usr".
		for off := 0; ; {
			i := strings.Index(seg[off:], " /")
			if i < 0 {
				break
			}
			i += off
			if j := pos + i + 2; j < len(s) && s[j] > ' ' {
				w.segment(seg[:i+1], false)
				pos, seg, off = pos+i+1, seg[i+1:], 0
			} else {
				off = i + 2
			}
		}
		w.segment(seg, must)
	}
	w.flush()
	w.emit()
	return w.lines
}

// wrapText is wrapLines joined with newlines, for a block rendered in one
// style.
func wrapText(s string, width int) string {
	return strings.Join(wrapLines(s, width), "\n")
}

// wrapper is the state of wrapLines: the line being filled is s[start:end],
// curW cells wide.
type wrapper struct {
	s     string
	width int
	lines []string

	has        bool // the line holds a word
	start, end int
	curW       int
	// para is where the paragraph's first line starts (its indentation);
	// -1 on the lines after a soft break, which start at their first word.
	para int
	// The unit being put together is s[unitStart:unitEnd]; unitMust says
	// it ends in a mandatory break. inner are the break opportunities
	// inside it, for a cut (offsets in s).
	unitStart, unitEnd int
	unitMust           bool
	inner              []int

	widths map[string]int // see cellWidth
}

// segment takes the next segment of s from uniseg: the text up to the next
// break opportunity, which must be taken if must. A unit is segments joined
// where kinsoku refuses the break, or where it falls inside a word.
func (w *wrapper) segment(seg string, must bool) {
	if w.unitEnd > w.unitStart && !w.unitMust {
		before, after := edgeRunes(w.s[w.unitStart:w.unitEnd], seg)
		join := noLineStart(after) || noLineEnd(before)
		if !join && w.s[w.unitEnd-1] != ' ' && inWord(before, after) {
			w.inner = append(w.inner, w.unitEnd)
			join = true
		}
		if join {
			w.unitEnd += len(seg)
			w.unitMust = must
			return
		}
	}
	w.flush()
	w.unitStart, w.unitEnd, w.unitMust = w.unitEnd, w.unitEnd+len(seg), must
}

// flush places the unit put together so far.
func (w *wrapper) flush() {
	if w.unitEnd > w.unitStart {
		w.unit(w.unitStart, w.unitEnd)
	}
}

// unit places s[from:to], one unit of text that is not broken unless it is
// wider than a line: a word, its trailing spaces and maybe a newline.
func (w *wrapper) unit(from, to int) {
	text, hard := trimLineBreak(w.s[from:to])
	word := strings.TrimRight(text, " ")
	if word != "" {
		w.place(from, word)
	}
	if hard {
		w.emit()
		w.para = to
	}
	w.inner = w.inner[:0]
}

// place puts the word that starts at from on the line, or on the next.
func (w *wrapper) place(from int, word string) {
	ww := w.cellWidth(word)
	if !w.has {
		w.start = from
		if w.para >= 0 {
			w.start = w.para
		}
		// Indentation is spaces, a cell each; it goes if the word does
		// not fit after it.
		if indent := from - w.start; indent > 0 && indent+min(ww, w.width) > w.width {
			w.start = from
		}
		w.end, w.curW = w.start, 0
	}
	gap := from - w.end // spaces before the word, or the indentation
	switch {
	case ww > w.width:
		w.cut(from, word)
	case w.has && w.curW+gap+ww > w.width:
		w.emit()
		w.has, w.start, w.end, w.curW = true, from, from+len(word), ww
	default:
		w.has, w.end, w.curW = true, from+len(word), w.curW+gap+ww
	}
}

// cellWidth is ansi.StringWidth(s), with a shortcut for printable ASCII
// and a memo for short words: Japanese text is mostly units of one or two
// characters, each measured again and again.
func (w *wrapper) cellWidth(s string) int {
	ascii := true
	for i := 0; i < len(s) && ascii; i++ {
		ascii = s[i] >= ' ' && s[i] <= '~'
	}
	switch {
	case ascii:
		return len(s)
	case len(s) > 12:
		return ansi.StringWidth(s)
	}
	if cw, ok := w.widths[s]; ok {
		return cw
	}
	if w.widths == nil {
		w.widths = make(map[string]int)
	}
	cw := ansi.StringWidth(s)
	w.widths[s] = cw
	return cw
}

// wrapCluster is a grapheme cluster of a word being cut: where it ends in
// the word, its width, and whether UAX #14 allows a break after it.
type wrapCluster struct {
	end, width int
	brk        bool
}

// cut places a word wider than a line, in pieces. A piece ends at the last
// break opportunity inside the word that fits, else, on a line of its own,
// at the last grapheme cluster that fits; a cut that would start a line
// with closing punctuation or end one with an opening bracket moves back a
// cluster, as long as the line keeps one.
func (w *wrapper) cut(from int, word string) {
	var cs []wrapCluster
	inner := w.inner
	for off := 0; off < len(word); {
		c, cw := ansi.FirstGraphemeCluster(word[off:], ansi.GraphemeWidth)
		if c == "" {
			break
		}
		off += len(c)
		for len(inner) > 0 && inner[0] < from+off {
			inner = inner[1:]
		}
		cs = append(cs, wrapCluster{off, cw, len(inner) > 0 && inner[0] == from+off})
	}
	done := 0 // the part of word already placed
	for i := 0; i < len(cs); {
		used := w.curW + from + done - w.end // the line and the gap after it
		k, cells := 0, used
		for i+k < len(cs) && cells+cs[i+k].width <= w.width {
			cells += cs[i+k].width
			k++
		}
		if i+k < len(cs) {
			j, jcells := k, cells
			for j > 0 && !cs[i+j-1].brk {
				j--
				jcells -= cs[i+j].width
			}
			switch {
			case j > 0:
				k, cells = j, jcells
			case w.has:
				// Not cut between letters after other words: the
				// word starts a line.
				w.emit()
				w.start, w.end = from+done, from+done
				continue
			case k == 0:
				k, cells = 1, cs[i].width // one cluster wider than the line
			}
		}
		for k > 1 && i+k < len(cs) && !cs[i+k-1].brk && kinsokuRefuses(word[:cs[i+k-1].end], word[cs[i+k-1].end:]) {
			k--
			cells -= cs[i+k].width
		}
		done = cs[i+k-1].end
		i += k
		// A unit kinsoku joined across a space may be cut at the space,
		// which goes like any other space at a break.
		kept := len(strings.TrimRight(word[:done], " "))
		w.has, w.end, w.curW = true, from+kept, cells-(done-kept)
		if i < len(cs) {
			w.emit()
			for i < len(cs) && word[done:cs[i].end] == " " {
				done = cs[i].end
				i++
			}
			w.start, w.end = from+done, from+done
		}
	}
}

// emit ends the line.
func (w *wrapper) emit() {
	if w.has {
		w.lines = append(w.lines, w.s[w.start:w.end])
	} else {
		w.lines = append(w.lines, "")
	}
	w.has, w.curW, w.para = false, 0, -1
}

// trimLineBreak cuts the mandatory break (LF, CR LF, CR, VT, FF, NEL,
// U+2028, U+2029) off the end of a unit and says whether there was one.
func trimLineBreak(s string) (string, bool) {
	if s == "" {
		return s, false
	}
	switch c := s[len(s)-1]; c {
	case '\n':
		s = s[:len(s)-1]
		return strings.TrimSuffix(s, "\r"), true
	case '\r', '\v', '\f':
		return s[:len(s)-1], true
	}
	if s[len(s)-1] < utf8.RuneSelf {
		return s, false
	}
	if r, n := utf8.DecodeLastRuneInString(s); r == '\u0085' || r == '\u2028' || r == '\u2029' {
		return s[:len(s)-n], true
	}
	return s, false
}

// kinsokuRefuses reports whether kinsoku forbids a break between before and
// after: after starts with a character that must not start a line, or
// before ends with one that must not end a line. The spaces at a break go,
// so they do not count.
func kinsokuRefuses(before, after string) bool {
	b, a := edgeRunes(before, after)
	return noLineStart(a) || noLineEnd(b)
}

// edgeRunes are the characters either side of a break between before and
// after, spaces aside; 0 for none.
func edgeRunes(before, after string) (b, a rune) {
	return lastRune(strings.TrimRight(before, " ")), firstRune(strings.TrimLeft(after, " "))
}

// inWord reports whether a break opportunity between the characters b and a
// falls inside a word: between two printable characters of scripts that put
// spaces between words (below U+1100, where East Asian wide ones begin).
func inWord(b, a rune) bool {
	return b > ' ' && b < 0x1100 && a > ' ' && a < 0x1100
}

// firstRune is the first rune of s, 0 for "".
func firstRune(s string) rune {
	if s == "" {
		return 0
	}
	if s[0] < utf8.RuneSelf {
		return rune(s[0])
	}
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// lastRune is the last rune of s, 0 for "".
func lastRune(s string) rune {
	if s == "" {
		return 0
	}
	if c := s[len(s)-1]; c < utf8.RuneSelf {
		return rune(c)
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// noLineStart is gyoto kinsoku, the characters a line must not start with
// (after JIS X 4051): closing brackets and quotes, ！？, middle dots and
// colons, full stops and commas, iteration marks, the long vowel mark, small
// kana, and their halfwidth forms. UAX #14 classes most as CL, EX, IN or NS
// and refuses a break before them, but (LB18) allows it after a space, and
// it classes ～ (U+FF5E, the wave dash of Windows-made Japanese text) as an
// ideograph, with a break on both sides.
func noLineStart(r rune) bool {
	if r < 0x2000 {
		return false
	}
	switch r {
	case '）', '〕', '］', '｝', '〉', '》', '」', '』', '】', '〙', '〗', '〟', '’', '”', '｠', '｣',
		'〜', '～', '゠',
		'！', '？', '‼', '⁇', '⁈', '⁉',
		'・', '：', '；', '･',
		'。', '．', '｡', '、', '，', '､',
		'…', '‥',
		'ヽ', 'ヾ', 'ゝ', 'ゞ', '々', '〻',
		'ー', 'ｰ', '゛', '゜', 'ﾞ', 'ﾟ',
		'ぁ', 'ぃ', 'ぅ', 'ぇ', 'ぉ', 'っ', 'ゃ', 'ゅ', 'ょ', 'ゎ', 'ゕ', 'ゖ',
		'ァ', 'ィ', 'ゥ', 'ェ', 'ォ', 'ッ', 'ャ', 'ュ', 'ョ', 'ヮ', 'ヵ', 'ヶ',
		'ｧ', 'ｨ', 'ｩ', 'ｪ', 'ｫ', 'ｬ', 'ｭ', 'ｮ', 'ｯ':
		return true
	}
	return r >= 'ㇰ' && r <= 'ㇿ' // small katakana for Ainu
}

// noLineEnd is gyomatsu kinsoku, the characters a line must not end with:
// opening brackets and quotes. UAX #14 keeps OP with what follows, even
// across spaces, but lets “ and ‘ (QU) end a line before a space.
func noLineEnd(r rune) bool {
	if r < 0x2018 {
		return false
	}
	switch r {
	case '（', '〔', '［', '｛', '〈', '《', '「', '『', '【', '〘', '〖', '〝', '‘', '“', '｟', '｢':
		return true
	}
	return false
}
