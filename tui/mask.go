package tui

import "strings"

// One mask stands for a password on every screen (the wizard's fields and
// review, the password dialog): eight marks whatever the password's
// length, so its length never shows.
//
// While a password is typed the mask is the same eight marks with one of
// them hollow, and the hollow one moves a place with every key that
// changes the password, typing or deleting: each key press shows, the
// count of characters does not (the place follows the keys pressed, which
// anyone watching the keyboard sees anyway, not the length). An empty
// field shows no mask, only its cursor or placeholder.

// maskLen is the length of every password mask, whatever the password's.
const maskLen = 8

// storedMask stands for a password that is not being typed.
const storedMask = "••••••••"

// typingMask is the mask of a password being typed, after strokes keys
// changed it.
func typingMask(strokes int) string {
	pos := strokes % maskLen
	if pos < 0 {
		pos += maskLen
	}
	return strings.Repeat("•", pos) + "◦" + strings.Repeat("•", maskLen-pos-1)
}
