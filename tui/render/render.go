package render

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// Terminal sequences the renderer writes.
const (
	seqEnterAlt    = "\x1b[?1049h" // alternate screen, saving the cursor
	seqLeaveAlt    = "\x1b[?1049l"
	seqHideCursor  = "\x1b[?25l"
	seqShowCursor  = "\x1b[?25h"
	seqPasteOn     = "\x1b[?2004h" // bracketed paste, as Bubble Tea turns on
	seqPasteOff    = "\x1b[?2004l"
	seqClearScreen = "\x1b[H\x1b[2J"
	seqEraseRight  = "\x1b[K" // to the end of the line
	seqEraseBelow  = "\x1b[J" // from the cursor to the end of the screen
)

// stopper is a pending timer: *time.Timer, or a test's stand-in.
type stopper interface{ Stop() bool }

// renderer draws views on the alternate screen, rewriting only the
// lines that changed since the last frame. Its methods may be called from
// any goroutine: the event loop renders, a timer flushes.
type renderer struct {
	mu       sync.Mutex
	out      io.Writer
	interval time.Duration // the least time between two frames
	now      func() time.Time
	after    func(time.Duration, func()) stopper
	// raw puts the terminal in raw mode and returns how to undo it; nil
	// when there is no terminal to set (a test, output to a file).
	raw  func() (undo func() error, err error)
	undo func() error // undoes raw mode; nil = nothing to undo

	width, height int // the terminal's; 0 = not known yet

	view   string    // the latest view asked for
	shown  string    // the view on the screen
	lines  []string  // shown's lines as cut to the height, before the width
	full   bool      // the next frame repaints every line
	timer  stopper   // a flush is due; nil = none
	wrote  time.Time // when the last frame was written
	closed bool

	// released is set while another program has the terminal (release):
	// views are kept, not drawn.
	released bool
	// resumed gets a value when restore takes the terminal back, so the
	// size is read again: a resize while another program had the
	// terminal, or while popbox was stopped, sent popbox no signal.
	resumed chan struct{}

	buf bytes.Buffer // one frame, so it goes out in one Write
}

// newRenderer makes a renderer on out that writes at most one frame
// per interval, on the real clock.
func newRenderer(out io.Writer, interval time.Duration) *renderer {
	return &renderer{
		out:      out,
		interval: interval,
		now:      time.Now,
		after: func(d time.Duration, f func()) stopper {
			return time.AfterFunc(d, f)
		},
		resumed: make(chan struct{}, 1),
	}
}

// start puts the terminal in raw mode, enters the alternate screen, clears
// it, hides the cursor and turns on bracketed paste, all of which Bubble
// Tea does only with its own renderer.
func (r *renderer) start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.raw != nil {
		undo, err := r.raw()
		if err != nil {
			return err
		}
		r.undo = undo
	}
	_, _ = io.WriteString(r.out, seqEnterAlt+seqClearScreen+seqHideCursor+seqPasteOn)
	r.lines, r.shown = nil, ""
	return nil
}

// resize sets the terminal's size and, when it changed, has the next
// frame repaint it all, once there is a frame: the terminal may have cut
// or reflowed what it showed.
func (r *renderer) resize(width, height int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if width == r.width && height == r.height {
		return
	}
	r.width, r.height = width, height
	r.full = r.lines != nil
}

// render asks for view to be drawn: now when the last frame is at least an
// interval old, else by a timer at the end of the interval, which draws
// whichever view is the latest by then.
func (r *renderer) render(view string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.view = view
	if r.released || r.timer != nil || (view == r.shown && !r.full) {
		return
	}
	if wait := r.interval - r.now().Sub(r.wrote); wait > 0 {
		r.timer = r.after(wait, r.timerFlush)
		return
	}
	r.flush()
}

// timerFlush draws the latest view once its interval is over.
func (r *renderer) timerFlush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.timer = nil
	if r.closed || r.released {
		return
	}
	r.flush()
}

// flush writes the lines of r.view that differ from the screen, in one
// Write. The caller holds r.mu.
func (r *renderer) flush() {
	if r.view == r.shown && !r.full {
		return
	}
	lines := strings.Split(r.view, "\n")
	// A view taller than the screen would scroll the alternate screen and
	// leave every later frame a line off. Keep its bottom lines, as Bubble
	// Tea did, so the status bar and the footer stay.
	if r.height > 0 && len(lines) > r.height {
		lines = lines[len(lines)-r.height:]
	}
	b := &r.buf
	b.Reset()
	prev := r.lines
	if r.full {
		b.WriteString(seqClearScreen)
		prev = nil
	}
	for i, line := range lines {
		if i < len(prev) && prev[i] == line {
			continue
		}
		if prev == nil && line == "" {
			continue // the screen is clear there already
		}
		writeRow(b, i)
		// A line wider than the screen would wrap onto the next one.
		// Truncate measures cells, so wide characters and escape
		// sequences are cut right.
		if r.width > 0 {
			line = ansi.Truncate(line, r.width, "")
		}
		b.WriteString(line)
		// A line that fills the width leaves the cursor on its last cell,
		// which an erase would blank; it has nothing left to erase anyway.
		if r.width <= 0 || ansi.StringWidth(line) < r.width {
			b.WriteString(seqEraseRight)
		}
	}
	if len(lines) < len(prev) {
		writeRow(b, len(lines))
		b.WriteString(seqEraseBelow)
	}
	r.lines, r.shown, r.full = lines, r.view, false
	if b.Len() > 0 {
		_, _ = r.out.Write(b.Bytes())
		r.wrote = r.now()
	}
}

// writeRow moves the cursor to the start of row (0-based).
func writeRow(b *bytes.Buffer, row int) {
	b.WriteString("\x1b[")
	b.WriteString(strconv.Itoa(row + 1))
	b.WriteString("H")
}

// close draws the last view, shows the cursor, leaves the alternate screen
// and undoes raw mode. Later calls do nothing, so it can run both from a
// panic and from Run's defer.
func (r *renderer) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.closed = true
	r.stopTimer()
	if r.released {
		return // release gave the terminal back already
	}
	r.flush()
	_, _ = io.WriteString(r.out, seqPasteOff+seqShowCursor+seqLeaveAlt)
	_ = r.cook()
}

// release lends the terminal to another program (an editor, the shell
// while popbox is stopped): it turns bracketed paste off, shows the
// cursor, leaves the alternate screen and undoes raw mode, as close does,
// but keeps the latest view; until restore, render only records it.
func (r *renderer) release() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.released {
		return nil
	}
	r.released = true
	r.stopTimer()
	_, _ = io.WriteString(r.out, seqPasteOff+seqShowCursor+seqLeaveAlt)
	return r.cook()
}

// restore takes the terminal back after release: raw mode, the alternate
// screen, the cursor hidden, bracketed paste, and the whole of the latest
// view at once, since the screen has been cleared or written over.
func (r *renderer) restore() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || !r.released {
		return nil
	}
	r.released = false
	var err error
	if r.raw != nil {
		// Raw mode is taken anew from the terminal's settings now, which
		// the shell or the other program may have changed.
		r.undo, err = r.raw()
	}
	_, _ = io.WriteString(r.out, seqEnterAlt+seqHideCursor+seqPasteOn)
	r.full = true
	r.flush()
	select {
	case r.resumed <- struct{}{}:
	default: // one is pending already
	}
	return err
}

// stopTimer drops a pending flush. The caller holds r.mu.
func (r *renderer) stopTimer() {
	if r.timer != nil {
		r.timer.Stop()
		r.timer = nil
	}
}

// cook undoes raw mode, once. The caller holds r.mu.
func (r *renderer) cook() error {
	if r.undo == nil {
		return nil
	}
	undo := r.undo
	r.undo = nil
	return undo()
}
