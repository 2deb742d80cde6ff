// Notes: the plain sentences that say what could not be read.

package mime

import (
	"fmt"
	"unicode/utf8"
)

// noteList collects notes in order, without repeats and up to maxNotes.
type noteList struct {
	items []string
	full  bool
}

func (n *noteList) add(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	for _, x := range n.items {
		if x == s {
			return
		}
	}
	if len(n.items) >= maxNotes {
		if !n.full {
			n.full = true
			n.items = append(n.items, "More problems were found than are listed here.")
		}
		return
	}
	n.items = append(n.items, s)
}

func (n *noteList) merge(o *noteList) {
	for _, s := range o.items {
		n.add("%s", s)
	}
}

// result returns a copy of the notes, nil when there are none.
func (n *noteList) result() []string {
	if len(n.items) == 0 {
		return nil
	}
	return append([]string(nil), n.items...)
}

// upperFirst capitalises the first letter of a note that starts with a
// description such as "the text".
func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// quoteForNote shows a value from the message inside a note: cleaned and
// short.
func quoteForNote(s string) string {
	s = SafeLine(s)
	if utf8.RuneCountInString(s) > 60 {
		r := []rune(s)
		s = string(r[:59]) + "…"
	}
	return `"` + s + `"`
}
