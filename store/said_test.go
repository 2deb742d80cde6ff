package store_test

import (
	"unicode"
	"unicode/utf8"

	"popbox/store"
	"popbox/tui/i18n"
)

// The store's errors say what happened; what to do is the front end's to
// say, from the one catalog. The store's tests check both, through this:
// the CLI's sentence, started in lower case as the errors themselves are.
func init() {
	store.SetSaid(func(err error) string {
		s := i18n.EN.Sentence(err, i18n.Scene{Front: i18n.CLI})
		r, n := utf8.DecodeRuneInString(s)
		if next, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsLower(next) {
			s = string(unicode.ToLower(r)) + s[n:]
		}
		return s
	})
}
