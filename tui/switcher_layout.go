package tui

import (
	"github.com/charmbracelet/x/ansi"

	"popbox/mail"
)

// switcherNameWidth is the width in cells of the ctrl+a picker's name
// column, so the addresses after it start at one cell on every row: the
// widest name, at most half of what a row has after its number and mark
// (inner cells, less the cursor, "1 * " and the gap), a longer name cut.
func switcherNameWidth(accts []mail.Account, inner int) int {
	w := 0
	for _, a := range accts {
		w = max(w, ansi.StringWidth(clean(a.Name)))
	}
	return max(min(w, (inner-1-4-2)/2), 1)
}
