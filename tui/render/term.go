package render

import (
	"os"
	"os/signal"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/term"
)

// rawMode returns what puts in in raw mode, as Bubble Tea does only with
// its own renderer, and hands back how to undo it; nil when in is no
// terminal.
func rawMode(in *os.File) func() (func() error, error) {
	if in == nil || !term.IsTerminal(in.Fd()) {
		return nil
	}
	return func() (func() error, error) {
		st, err := term.MakeRaw(in.Fd())
		if err != nil {
			return nil, err
		}
		return func() error { return term.Restore(in.Fd(), st) }, nil
	}
}

// watchSize sends p a tea.WindowSizeMsg with the size of out now, after
// every resize and whenever wake gets a value: Bubble Tea only does this
// with its own renderer. stop ends the watch.
func watchSize(p *tea.Program, out *os.File, wake <-chan struct{}) (stop func()) {
	if out == nil || !term.IsTerminal(out.Fd()) {
		return func() {}
	}
	sig := make(chan os.Signal, 1)
	if len(resizeSignals) > 0 {
		// Before the first size is read, so no resize is missed.
		signal.Notify(sig, resizeSignals...)
	}
	done := make(chan struct{})
	go func() {
		for {
			if w, h, err := term.GetSize(out.Fd()); err == nil {
				// Send returns once the program has ended, too.
				p.Send(tea.WindowSizeMsg{Width: w, Height: h})
			}
			select {
			case <-done:
				return
			case <-sig:
			case <-wake:
			}
		}
	}()
	return func() {
		signal.Stop(sig)
		close(done)
	}
}
