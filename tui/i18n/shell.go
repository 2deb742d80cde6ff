package i18n

import "strings"

// Shell quotes s for a POSIX shell command line, as the advice of a
// sentence shows it: as it is when it holds only characters no shell
// treats specially, else in single quotes.
func Shell(s string) string {
	plain := s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./+,:@%=", r))
	}) < 0
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
