// Package render runs popbox's Bubble Tea program on the terminal and draws
// it there.
//
// By default it draws with a renderer of its own (render.go) in place of
// Bubble Tea's standard one. That one only writes on a ticker (at most 120
// frames a second), so a key pressed just after a tick waits a whole frame,
// about 8 ms, before the terminal sees anything. popbox's renderer writes
// on the leading edge: a change that follows a quiet interval is written at
// once, from the Update that made it; only changes that come faster than
// the interval (fetch progress, key repeat) are coalesced into one write
// per interval. It draws on the alternate screen and rewrites only the
// lines that changed.
//
// With it Bubble Tea runs with tea.WithoutRenderer: it still reads and
// parses the keys and runs the event loop, but no longer touches the
// terminal (no raw mode, no alternate screen, no window size), so this
// package does those.
//
// The exported API is small: New, then Terminal.Run for the program's
// whole life, and Terminal.Exec and Terminal.Suspend for commands.
//
// # Lending the terminal out
//
// Bubble Tea's tea.ExecProcess and tea.Suspend give up, and later take
// back, only what Bubble Tea itself set up: with tea.WithoutRenderer its
// key reader, not raw mode nor the alternate screen. Terminal.Exec and
// Terminal.Suspend work with either renderer: with popbox's they run as a
// tea.Exec whose command has the renderer leave the alternate screen,
// show the cursor and undo raw mode first, and after it re-enter raw mode
// and the alternate screen, redraw the whole view and read the window
// size again. With either renderer Suspend bounds its wait for the
// shell's fg: where no job-control shell can stop popbox, ctrl+z comes
// back after a second, where tea.Suspend hangs. Programs use these two,
// never tea.ExecProcess or tea.Suspend.
//
// # Bubble Tea's renderer
//
// POPBOX_RENDERER=bubbletea in the environment runs Bubble Tea's own
// standard renderer instead, with tea.WithAltScreen, and Bubble Tea's own
// raw mode and window size: a way back should popbox's renderer misdraw on
// some terminal. Any other value, or none, uses popbox's. The caller reads
// the variable (RendererEnv) and passes it on as Options.Renderer.
package render

import (
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// RendererEnv is the environment variable that picks the renderer; its
// value goes in Options.Renderer.
const RendererEnv = "POPBOX_RENDERER"

// BubbleTea is the Options.Renderer that picks Bubble Tea's standard
// renderer.
const BubbleTea = "bubbletea"

// Options configure a Terminal.
type Options struct {
	FPS int // frames a second at most; 0 = 120
	// Renderer is BubbleTea for Bubble Tea's standard renderer; anything
	// else, "" too, is popbox's.
	Renderer string
}

// Terminal is the terminal one Bubble Tea program runs on.
type Terminal struct {
	in, out  *os.File
	fps      int
	standard bool      // Bubble Tea's renderer
	r        *renderer // popbox's; unused when standard
}

// New returns a Terminal on in (the keys) and out (the screen), usually
// os.Stdin and os.Stdout. Nothing is written before Run.
func New(in, out *os.File, opts Options) *Terminal {
	fps := opts.FPS
	if fps <= 0 {
		fps = 120
	}
	r := newRenderer(out, time.Second/time.Duration(fps))
	r.raw = rawMode(in)
	return &Terminal{in: in, out: out, fps: fps, standard: opts.Renderer == BubbleTea, r: r}
}

// Run runs m, as tea.Program.Run does, and returns its final model. The
// terminal is given back (main screen, cursor shown, cooked mode) before
// Run returns, on every way out. A Terminal runs one program, once.
func (t *Terminal) Run(m tea.Model) (tea.Model, error) {
	if t.standard {
		p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithFPS(t.fps),
			tea.WithInput(t.in), tea.WithOutput(t.out))
		return p.Run()
	}
	if err := t.r.start(); err != nil {
		return m, err
	}
	// The model closes r when Update panics, this defer on anything else
	// that escapes.
	defer t.r.close()
	p := tea.NewProgram(model{inner: m, r: t.r}, tea.WithoutRenderer(),
		tea.WithInput(t.in), tea.WithOutput(t.out))
	stopSize := watchSize(p, t.out, t.r.resumed)
	final, err := p.Run()
	stopSize()
	// Leave the alternate screen now: the caller's shutdown can take a
	// while (a fetch to stop).
	t.r.close()
	if fm, ok := final.(model); ok {
		final = fm.inner
	}
	return final, err
}

// model wraps the program's model: after each Update it hands the view to
// its renderer, which draws it; Bubble Tea, with no renderer, ignores View.
type model struct {
	inner tea.Model
	r     *renderer
}

// Init is the inner model's.
func (m model) Init() tea.Cmd { return m.inner.Init() }

// Update runs the inner model's Update and renders its view.
func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.r.resize(msg.Width, msg.Height)
	case TitleMsg:
		m.r.signal("\x1b]2;" + string(msg) + "\x07")
		return m, nil
	case BellMsg:
		m.r.signal("\a")
		return m, nil
	}
	done := false
	defer func() {
		// A panic: give the terminal back before Bubble Tea prints the
		// stack, or it lands on the alternate screen and vanishes with
		// it. Not recovering keeps the stack pointing at the cause.
		if !done {
			m.r.close()
		}
	}()
	inner, cmd := m.inner.Update(msg)
	m.inner = inner
	m.r.render(inner.View())
	done = true
	return m, cmd
}

// View is empty: the renderer has drawn the view already.
func (m model) View() string { return "" }
