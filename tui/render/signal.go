package render

// The window title and the bell: two things a program asks of the
// terminal besides its view. With Bubble Tea's renderer the title is
// Bubble Tea's own command; with popbox's, Update hands both to the
// renderer, which writes them between frames.

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
)

// TitleMsg asks for the window title; BellMsg for the terminal's bell.
type (
	TitleMsg string
	BellMsg  struct{}
)

// Title is the command that sets the window title to s (control
// characters dropped). A nil Terminal (tests) sends TitleMsg.
func (t *Terminal) Title(s string) tea.Cmd {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, s)
	if t != nil && t.standard {
		return tea.SetWindowTitle(s)
	}
	return func() tea.Msg { return TitleMsg(s) }
}

// Bell is the command that rings the terminal's bell. A nil Terminal
// (tests) sends BellMsg.
func (t *Terminal) Bell() tea.Cmd {
	if t != nil && t.standard {
		// Bubble Tea has no bell: one byte between its frames does no harm.
		return func() tea.Msg {
			_, _ = t.out.Write([]byte("\a"))
			return nil
		}
	}
	return func() tea.Msg { return BellMsg{} }
}

// signal writes an OSC title or a bell, unless the terminal is closed or
// another program has it.
func (r *renderer) signal(seq string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.released {
		return
	}
	_, _ = r.out.Write([]byte(seq))
}
