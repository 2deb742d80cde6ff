package mail

import (
	"strings"
	"unicode/utf8"
)

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
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || isHiddenFormat(r):
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// isHiddenFormat reports the format characters that change how the text
// around them is shown without showing themselves: the bidirectional
// embeddings, overrides and isolates, the marks, and the byte-order mark.
func isHiddenFormat(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c || r == 0xfeff
}

// maxQuoted is the most of a server's words an error or warning quotes.
const maxQuoted = 120

// serverText is what a server said (a -ERR text, a listing line, a UID) as
// an error or warning quotes it: through SafeLine, and cut to maxQuoted
// bytes with "..." so that a hostile reply cannot flood the screen.
func serverText(b []byte) string {
	return quoteCut(SafeLine(string(b)))
}

func quoteCut(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// safeError shows an error that may quote a server through SafeLine, cut
// short; errors.Is and errors.As still see the error itself.
type safeError struct{ err error }

func (e safeError) Error() string { return quoteCut(SafeLine(e.err.Error())) }
func (e safeError) Unwrap() error { return e.err }
