package mail

import (
	"unicode/utf8"

	"popbox/mail/mime"
)

// SafeLine is mime.SafeLine, the one sanitiser for text from outside
// popbox (a mail header, a server's reply, a UID, a name in a certificate)
// before it is printed or drawn: one terminal line, no control characters,
// no bidirectional overrides.
func SafeLine(s string) string { return mime.SafeLine(s) }

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
