package render

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// fakeClock is a hand-driven clock with timers for the renderer.
type fakeClock struct {
	t      time.Time
	timers []*fakeTimer
}

// fakeTimer is a timer of fakeClock.
type fakeTimer struct {
	at             time.Time
	f              func()
	stopped, fired bool
}

func (t *fakeTimer) Stop() bool {
	was := !t.stopped && !t.fired
	t.stopped = true
	return was
}

func (c *fakeClock) now() time.Time { return c.t }

func (c *fakeClock) after(d time.Duration, f func()) stopper {
	t := &fakeTimer{at: c.t.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

// pending counts the timers that have neither fired nor been stopped.
func (c *fakeClock) pending() int {
	n := 0
	for _, t := range c.timers {
		if !t.stopped && !t.fired {
			n++
		}
	}
	return n
}

// advance moves the clock by d and fires the timers that are due.
func (c *fakeClock) advance(d time.Duration) {
	c.t = c.t.Add(d)
	for _, t := range c.timers {
		if !t.stopped && !t.fired && !t.at.After(c.t) {
			t.fired = true
			t.f()
		}
	}
}

const testInterval = 8 * time.Millisecond

// newTestRenderer is a renderer on a buffer and a fake clock, for a
// terminal of w x h cells, started, with the start's output taken out.
func newTestRenderer(w, h int) (*renderer, *bytes.Buffer, *fakeClock) {
	var out bytes.Buffer
	c := &fakeClock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	r := newRenderer(&out, testInterval)
	r.now, r.after = c.now, c.after
	r.start()
	r.resize(w, h)
	out.Reset()
	return r, &out, c
}

// vt is a small terminal emulator for what the renderer writes: cursor
// moves, erases and text, wide characters as two cells. It fails the test
// on text past the right edge or below the bottom, which a real terminal
// would wrap or scroll.
type vt struct {
	t        *testing.T
	w, h     int
	cells    [][]string
	row, col int
}

func newVT(t *testing.T, w, h int) *vt {
	v := &vt{t: t, w: w, h: h, cells: make([][]string, h)}
	for i := range v.cells {
		v.cells[i] = make([]string, w)
	}
	v.eraseBelow(0, 0)
	return v
}

func (v *vt) eraseBelow(row, col int) {
	for r := row; r < v.h; r++ {
		for c := range v.w {
			if r > row || c >= col {
				v.cells[r][c] = " "
			}
		}
	}
}

// feed interprets s.
func (v *vt) feed(s string) {
	v.t.Helper()
	for s != "" {
		if strings.HasPrefix(s, "\x1b[") {
			end := strings.IndexFunc(s[2:], func(r rune) bool { return r >= 0x40 && r <= 0x7e })
			if end < 0 {
				v.t.Fatalf("unterminated sequence %q", s)
			}
			params, final := s[2:2+end], s[2+end]
			s = s[3+end:]
			switch {
			case strings.HasPrefix(params, "?"):
				// modes: alternate screen, cursor, paste
			case final == 'H':
				row, col := 1, 1
				if params != "" {
					p := strings.Split(params, ";")
					row, _ = strconv.Atoi(p[0])
					if len(p) > 1 {
						col, _ = strconv.Atoi(p[1])
					}
				}
				v.row, v.col = row-1, col-1
			case final == 'K':
				for c := v.col; c < v.w; c++ {
					v.cells[v.row][c] = " "
				}
			case final == 'J' && params == "2":
				v.eraseBelow(0, 0)
			case final == 'J':
				v.eraseBelow(v.row, v.col)
			case final == 'm':
			default:
				v.t.Fatalf("unexpected sequence %q", params+string(final))
			}
			continue
		}
		n := strings.IndexByte(s, 0x1b)
		if n < 0 {
			n = len(s)
		}
		for _, r := range s[:n] {
			if r == '\n' || r == '\r' {
				v.t.Fatalf("raw line break in the output")
			}
			cw := ansi.StringWidth(string(r))
			if v.row >= v.h || v.col+cw > v.w {
				v.t.Fatalf("%q at row %d col %d is off a %dx%d screen", r, v.row, v.col, v.w, v.h)
			}
			v.cells[v.row][v.col] = string(r)
			if cw == 2 {
				v.cells[v.row][v.col+1] = ""
			}
			v.col += cw
		}
		s = s[n:]
	}
}

// text is the screen, one line a row, trailing blanks cut.
func (v *vt) text() string {
	lines := make([]string, v.h)
	for i, row := range v.cells {
		lines[i] = strings.TrimRight(strings.Join(row, ""), " ")
	}
	return strings.Join(lines, "\n")
}

// screenOf is view as a w x h screen shows it: its bottom h lines, each
// cut to w cells.
func screenOf(view string, w, h int) string {
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		lines = lines[len(lines)-h:]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = strings.TrimRight(ansi.Strip(ansi.Truncate(l, w, "")), " ")
	}
	return strings.Join(lines, "\n")
}

func TestRenderFirstFrameAtOnce(t *testing.T) {
	r, out, c := newTestRenderer(20, 5)
	r.render("one\ntwo")
	if got, want := out.String(), "\x1b[1Hone\x1b[K\x1b[2Htwo\x1b[K"; got != want {
		t.Errorf("first frame = %q, want %q", got, want)
	}
	if c.pending() != 0 {
		t.Errorf("%d timers pending after an immediate frame", c.pending())
	}
}

func TestRenderCoalescesWithinInterval(t *testing.T) {
	r, out, c := newTestRenderer(20, 5)
	r.render("v1")
	out.Reset()
	c.advance(2 * time.Millisecond)
	r.render("v2")
	c.advance(1 * time.Millisecond)
	r.render("v3")
	if out.Len() != 0 {
		t.Fatalf("a frame within the interval was written at once: %q", out)
	}
	if c.pending() != 1 {
		t.Fatalf("%d timers pending, want 1", c.pending())
	}
	c.advance(4 * time.Millisecond) // 7 ms after v1
	if out.Len() != 0 {
		t.Fatalf("written before the interval ended: %q", out)
	}
	c.advance(1 * time.Millisecond) // 8 ms
	if got, want := out.String(), "\x1b[1Hv3\x1b[K"; got != want {
		t.Errorf("timer flush = %q, want only the latest view %q", got, want)
	}
	out.Reset()
	c.advance(time.Second)
	if out.Len() != 0 || c.pending() != 0 {
		t.Errorf("more output (%q) or timers (%d) after the flush", out, c.pending())
	}
}

func TestRenderAtOnceAfterInterval(t *testing.T) {
	r, out, c := newTestRenderer(20, 5)
	r.render("v1")
	c.advance(2 * time.Millisecond)
	r.render("v2")
	c.advance(6 * time.Millisecond) // the timer writes v2 at 8 ms
	out.Reset()
	c.advance(testInterval)
	r.render("v3")
	if got, want := out.String(), "\x1b[1Hv3\x1b[K"; got != want {
		t.Errorf("render an interval after the last frame = %q, want %q at once", got, want)
	}
	if c.pending() != 0 {
		t.Errorf("%d timers pending", c.pending())
	}
}

func TestRenderSameViewWritesNothing(t *testing.T) {
	r, out, c := newTestRenderer(20, 5)
	r.render("same")
	out.Reset()
	c.advance(time.Millisecond)
	r.render("same")
	c.advance(time.Second)
	r.render("same")
	if out.Len() != 0 || c.pending() != 0 {
		t.Errorf("an unchanged view wrote %q and left %d timers", out, c.pending())
	}
}

func TestRenderOnlyChangedLines(t *testing.T) {
	r, out, c := newTestRenderer(20, 5)
	r.render("a\nb\nc")
	out.Reset()
	c.advance(testInterval)
	r.render("a\nX\nc")
	if got, want := out.String(), "\x1b[2HX\x1b[K"; got != want {
		t.Errorf("frame = %q, want only line 2: %q", got, want)
	}
}

func TestRenderShorterFrameClearsBelow(t *testing.T) {
	r, out, c := newTestRenderer(20, 5)
	v := newVT(t, 20, 5)
	r.render("a\nb\nc\nd")
	v.feed(out.String())
	out.Reset()
	c.advance(testInterval)
	r.render("a\nB")
	if got, want := out.String(), "\x1b[2HB\x1b[K\x1b[3H\x1b[J"; got != want {
		t.Errorf("frame = %q, want %q", got, want)
	}
	v.feed(out.String())
	if got, want := v.text(), screenOf("a\nB", 20, 5); got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
}

func TestRenderResizeRepaintsAll(t *testing.T) {
	r, out, c := newTestRenderer(20, 5)
	r.render("a\nb")
	out.Reset()
	c.advance(testInterval)
	r.resize(30, 6)
	r.render("a\nb")
	if got, want := out.String(), seqClearScreen+"\x1b[1Ha\x1b[K\x1b[2Hb\x1b[K"; got != want {
		t.Errorf("frame after a resize = %q, want a full repaint %q", got, want)
	}
}

func TestRenderClipsToScreen(t *testing.T) {
	r, out, _ := newTestRenderer(10, 3)
	view := strings.Join([]string{"l1", "l2", "日本語のテキストです", "abcdefghijklmn", "\x1b[1mbold\x1b[0m"}, "\n")
	r.render(view)
	if strings.Contains(out.String(), "l1") || strings.Contains(out.String(), "l2") || strings.Contains(out.String(), "\x1b[4H") {
		t.Errorf("a view of 5 lines on 3 rows wrote past the bottom: %q", out)
	}
	if !strings.Contains(out.String(), "\x1b[1H日本語のテ\x1b[2Habcdefghij\x1b[3H\x1b[1mbold") {
		t.Errorf("lines not cut to 10 cells, or no erase only where short: %q", out)
	}
	v := newVT(t, 10, 3)
	v.feed(out.String())
	if got, want := v.text(), screenOf(view, 10, 3); got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}

	// A wide character that would straddle the edge is dropped, and the
	// cell it leaves is erased.
	r2, out2, _ := newTestRenderer(5, 2)
	r2.render("ab日本")
	if got, want := out2.String(), "\x1b[1Hab日\x1b[K"; got != want {
		t.Errorf("wide cut = %q, want %q", got, want)
	}
}

// TestRenderScreenFollowsViews draws a run of views, faster and slower
// than the interval, with resizes, and checks the emulated screen shows
// the last one each time the renderer is idle.
func TestRenderScreenFollowsViews(t *testing.T) {
	r, out, c := newTestRenderer(12, 4)
	w, h := 12, 4
	v := newVT(t, w, h)
	views := []string{
		"title\nrow 1\nrow 2\nfooter",
		"title\nrow 1 sel\nrow 2\nfooter",
		"title\n行 一\nrow 2\nfooter",
		"only",
		"",
		"a\nb\nc\nd\ne\nf",
		"title\nrow 1\nrow 2 long long long\nfooter",
	}
	for i, view := range views {
		if i == 4 {
			w, h = 8, 3
			r.resize(w, h)
			v = newVT(t, w, h) // a resized terminal: the old picture is gone
		}
		r.render(view)
		c.advance(time.Duration(i%3) * 3 * time.Millisecond)
		r.render(view) // again, as a tick with no change would
		c.advance(testInterval)
		v.feed(out.String())
		out.Reset()
		if got, want := v.text(), screenOf(view, w, h); got != want {
			t.Errorf("view %d: screen:\n%s\nwant:\n%s", i, got, want)
		}
	}
}

func TestRenderClose(t *testing.T) {
	r, out, c := newTestRenderer(20, 5)
	restored := 0
	r.undo = func() error { restored++; return nil }
	r.render("v1")
	c.advance(time.Millisecond)
	r.render("v2") // pending
	out.Reset()
	r.close()
	got := out.String()
	for _, want := range []string{"\x1b[1Hv2", seqShowCursor, seqLeaveAlt, seqPasteOff} {
		if !strings.Contains(got, want) {
			t.Errorf("close wrote %q, without %q", got, want)
		}
	}
	if strings.Index(got, seqLeaveAlt) < strings.Index(got, "v2") {
		t.Errorf("the last view was written after leaving the alternate screen: %q", got)
	}
	if restored != 1 {
		t.Errorf("raw mode undone %d times, want 1", restored)
	}
	if c.pending() != 0 {
		t.Errorf("close left %d timers", c.pending())
	}
	out.Reset()
	r.render("v3")
	r.close()
	c.advance(time.Second)
	if out.Len() != 0 || restored != 1 {
		t.Errorf("after close: wrote %q, restored %d times", out, restored)
	}
}

func TestRenderStart(t *testing.T) {
	var out bytes.Buffer
	r := newRenderer(&out, testInterval)
	r.start()
	for _, want := range []string{seqEnterAlt, seqHideCursor, "\x1b[2J"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("start wrote %q, without %q", out.String(), want)
		}
	}
}

// TestRenderConcurrent renders from several goroutines on the real clock,
// for the race detector, then checks the last view is on the screen.
func TestRenderConcurrent(t *testing.T) {
	var mu sync.Mutex
	var out bytes.Buffer
	r := newRenderer(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return out.Write(p)
	}), time.Millisecond)
	r.resize(20, 3)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				r.render(fmt.Sprintf("g%d\n%d", g, i))
			}
		})
	}
	wg.Wait()
	r.render("last\nframe")
	time.Sleep(5 * time.Millisecond) // the timer flush, if one is due
	r.close()
	mu.Lock()
	defer mu.Unlock()
	v := newVT(t, 20, 3)
	v.feed(out.String())
	if got, want := v.text(), screenOf("last\nframe", 20, 3); got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// stubModel is an inner model whose view is what it was last sent.
type stubModel struct {
	view  string
	size  tea.WindowSizeMsg
	panic bool
}

func (m stubModel) Init() tea.Cmd { return tea.Println("init") }

func (m stubModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.size = msg
	case string:
		if m.panic {
			panic("boom")
		}
		m.view = msg
	}
	return m, nil
}

func (m stubModel) View() string { return m.view }

func TestModel(t *testing.T) {
	r, out, c := newTestRenderer(0, 0)
	var m tea.Model = model{inner: stubModel{}, r: r}
	if m.Init() == nil {
		t.Error("Init does not pass on the inner model's command")
	}
	m, _ = m.Update(tea.WindowSizeMsg{Width: 7, Height: 2})
	if r.width != 7 || r.height != 2 {
		t.Errorf("renderer size %dx%d, want 7x2", r.width, r.height)
	}
	if got := m.(model).inner.(stubModel).size; got.Width != 7 {
		t.Errorf("the inner model got no size: %+v", got)
	}
	c.advance(testInterval)
	out.Reset()
	m, _ = m.Update("hello world")
	if got, want := out.String(), "\x1b[1Hhello w"; got != want {
		t.Errorf("Update drew %q, want %q", got, want)
	}
	if m.View() != "" {
		t.Errorf("View = %q, want empty: the renderer draws", m.View())
	}
}

func TestModelPanicGivesTerminalBack(t *testing.T) {
	r, out, _ := newTestRenderer(20, 5)
	restored := false
	r.undo = func() error { restored = true; return nil }
	m := model{inner: stubModel{panic: true}, r: r}
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("recovered %v, want the inner model's panic", p)
			}
		}()
		m.Update("x")
	}()
	if !strings.Contains(out.String(), seqLeaveAlt) || !restored {
		t.Errorf("after a panic: wrote %q, raw mode undone %v", out, restored)
	}
}

// TestRenderWriteError: a failing terminal does not stop the program.
func TestRenderWriteError(t *testing.T) {
	r := newRenderer(writerFunc(func([]byte) (int, error) { return 0, errors.New("gone") }), testInterval)
	r.start()
	r.render("x")
	r.close()
}
