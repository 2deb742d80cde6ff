package tui

import "github.com/charmbracelet/lipgloss"

// palette is the small semantic set of colours every screen draws with.
// Adaptive colours pick a shade for light or dark terminals.
type palette struct {
	text, faint, accent, warn, err, ok, selectedFg, selectedBg lipgloss.TerminalColor
}

func newPalette() palette {
	return palette{
		text:       lipgloss.AdaptiveColor{Light: "#1a1a1a", Dark: "#e4e4e4"},
		faint:      lipgloss.AdaptiveColor{Light: "#6c6c6c", Dark: "#8a8a8a"},
		accent:     lipgloss.AdaptiveColor{Light: "#005fd7", Dark: "#5fafff"},
		warn:       lipgloss.AdaptiveColor{Light: "#af5f00", Dark: "#ffaf00"},
		err:        lipgloss.AdaptiveColor{Light: "#d70000", Dark: "#ff5f5f"},
		ok:         lipgloss.AdaptiveColor{Light: "#008700", Dark: "#5fd75f"},
		selectedFg: lipgloss.AdaptiveColor{Light: "#ffffff", Dark: "#000000"},
		selectedBg: lipgloss.AdaptiveColor{Light: "#005fd7", Dark: "#5fafff"},
	}
}

// styles is every style of the UI, grouped by screen, built once in
// newStyles and passed to each screen. Colour literals and
// lipgloss.NewStyle() stay out of view functions.
type styles struct {
	p palette

	// shared
	title, text, faint, accent, warn, err, ok, selected, key, help lipgloss.Style
	statusBar, banner, bannerErr                                   lipgloss.Style

	// wizard
	label, labelFocused, field, fieldFocused, fieldPreset, fieldError, fieldWarn, hint, toggleOn, toggleOff, box lipgloss.Style

	// list
	unread, listDate, listFrom, listSubject, listSize, listAttach lipgloss.Style
	listUnread                                                    lipgloss.Style

	// reader
	headerName, headerValue, note lipgloss.Style
}

func newStyles() *styles {
	p := newPalette()
	n := lipgloss.NewStyle
	return &styles{
		p:            p,
		title:        n().Bold(true).Foreground(p.accent),
		text:         n().Foreground(p.text),
		faint:        n().Foreground(p.faint),
		accent:       n().Foreground(p.accent),
		warn:         n().Foreground(p.warn),
		err:          n().Foreground(p.err).Bold(true),
		ok:           n().Foreground(p.ok).Bold(true),
		selected:     n().Foreground(p.selectedFg).Background(p.selectedBg),
		key:          n().Foreground(p.accent).Bold(true),
		help:         n().Foreground(p.faint),
		statusBar:    n().Foreground(p.text).Reverse(true),
		banner:       n().Foreground(p.warn).Bold(true),
		bannerErr:    n().Foreground(p.err).Bold(true),
		label:        n().Foreground(p.faint),
		labelFocused: n().Foreground(p.accent).Bold(true),
		field:        n().Foreground(p.text),
		fieldFocused: n().Foreground(p.text).Underline(false),
		// A value that typing replaces looks selected, as in any text field.
		fieldPreset: n().Foreground(p.selectedFg).Background(p.selectedBg),
		fieldError:  n().Foreground(p.err),
		fieldWarn:   n().Foreground(p.warn),
		hint:        n().Foreground(p.faint).Italic(true),
		toggleOn:    n().Foreground(p.ok).Bold(true),
		toggleOff:   n().Foreground(p.faint),
		box:         n().Border(lipgloss.RoundedBorder()).BorderForeground(p.faint).Padding(0, 1),
		unread:      n().Foreground(p.accent).Bold(true),
		listDate:    n().Foreground(p.faint),
		listFrom:    n().Foreground(p.text),
		listSubject: n().Foreground(p.text),
		listSize:    n().Foreground(p.faint),
		listAttach:  n().Foreground(p.accent),
		listUnread:  n().Foreground(p.text).Bold(true),
		headerName:  n().Foreground(p.faint).Bold(true),
		headerValue: n().Foreground(p.text),
		note:        n().Foreground(p.warn).Italic(true),
	}
}
