// Text made safe for a terminal or a file system: SafeLine for one line,
// cleanText for a body, SafeFilename for a name to save under.

package mime

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SafeFilename turns an attachment name into a safe base name for saving: no
// path separators, no "..", no control or bidirectional-override
// characters, no characters Windows refuses, not empty (the fallback is
// "attachment-N"). Japanese and other non-ASCII letters are kept.
func SafeFilename(name string, n int) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	lastDot := false
	for _, r := range name {
		switch {
		case unicode.IsSpace(r):
			r = ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || IsHiddenFormat(r):
			continue
		case strings.ContainsRune(`<>:"|?*`, r):
			r = '_'
		}
		if r == '.' && lastDot {
			continue
		}
		lastDot = r == '.'
		b.WriteRune(r)
	}
	s := strings.Trim(b.String(), " .")
	if s == "" {
		return fmt.Sprintf("attachment-%d", n)
	}
	stem := s
	if i := strings.IndexByte(s, '.'); i >= 0 {
		stem = s[:i]
	}
	switch strings.ToUpper(strings.TrimSpace(stem)) {
	case "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9":
		s = "_" + s
	}
	// Most file systems allow 255 bytes in a name; keep the extension.
	const maxName = 240
	if len(s) > maxName {
		ext := ""
		if i := strings.LastIndexByte(s, '.'); i > 0 && len(s)-i <= 16 {
			ext = s[i:]
		}
		cut := maxName - len(ext)
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = strings.TrimRight(s[:cut], " .") + ext
	}
	return s
}

// cleanText makes body text safe for a terminal: valid UTF-8 (a stray
// byte becomes U+FFFD), "\n" line ends, no control characters but newline
// and tab, no trailing white space on lines, no blank lines at either end.
func cleanText(s string) string {
	if !utf8.ValidString(s) {
		s = replaceInvalid(s)
	}
	// s is valid UTF-8 now, so one pass over its bytes can tell the
	// characters apart: the C0 controls and DEL are single bytes, the C1
	// controls (U+0080 to U+009F) are 0xC2 followed by 0x80 to 0x9F, and
	// every other byte belongs to a character that stays.
	var b strings.Builder
	b.Grow(len(s))
	pending := false // spaces and tabs not written yet: dropped at a line end
	pendStart := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\r' || c == '\n':
			pending = false
			if c == '\r' && i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			b.WriteByte('\n')
			i++
			continue
		case (c < ' ' && c != '\t') || c == 0x7f:
			i++
			continue
		case c == 0xc2 && i+1 < len(s) && s[i+1] < 0xa0:
			i += 2
			continue
		}
		// A run of characters that stay goes as is, but for the white
		// space at its end, which waits for what comes next.
		j := i + 1
		for j < len(s) {
			c := s[j]
			if (c < ' ' && c != '\t') || c == 0x7f || (c == 0xc2 && j+1 < len(s) && s[j+1] < 0xa0) {
				break
			}
			j++
		}
		k := j
		for k > i && (s[k-1] == ' ' || s[k-1] == '\t') {
			k--
		}
		if k > i {
			if pending {
				// Only the spaces and tabs between: controls were dropped.
				for p := pendStart; p < i; p++ {
					if s[p] == ' ' || s[p] == '\t' {
						b.WriteByte(s[p])
					}
				}
				pending = false
			}
			b.WriteString(s[i:k])
		}
		if k < j && !pending {
			pending, pendStart = true, k
		}
		i = j
	}
	return strings.Trim(b.String(), "\n")
}

// replaceInvalid replaces each byte of s that is not part of valid UTF-8
// with U+FFFD.
func replaceInvalid(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// SafeLine makes text from outside popbox (a mail header, a server's reply,
// a UID, a name in a certificate) safe to show on one terminal line: valid
// UTF-8 (a stray byte becomes U+FFFD), no control characters (so no escape
// sequence can reach the terminal), no bidirectional overrides or other
// invisible format characters that reorder or hide text, line breaks and
// tabs turned into spaces, the ends trimmed. It is the one sanitiser for
// such text, used before anything is printed or drawn.
func SafeLine(s string) string {
	plain := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			plain = false
			break
		}
	}
	if plain {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\t' || r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || IsHiddenFormat(r):
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// IsHiddenFormat reports the format characters that change how the text
// around them is shown without showing themselves: the bidirectional
// embeddings, overrides and isolates, the marks, and the byte-order mark.
// SafeLine and SafeFilename drop them; checks of terminal safety use it.
func IsHiddenFormat(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c || r == 0xfeff
}
