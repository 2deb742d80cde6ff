package render

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
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

// rawCounter stands in for raw mode: it counts how often the terminal was
// put in raw mode and taken out of it.
type rawCounter struct{ made, undone int }

func (c *rawCounter) raw() (func() error, error) {
	c.made++
	return func() error { c.undone++; return nil }, nil
}

// newRawRenderer is newTestRenderer with raw mode counted, started again
// so the start puts the terminal in raw mode.
func newRawRenderer(w, h int) (*renderer, *bytes.Buffer, *fakeClock, *rawCounter) {
	r, out, c := newTestRenderer(w, h)
	rc := &rawCounter{}
	r.raw = rc.raw
	if err := r.start(); err != nil {
		panic(err)
	}
	out.Reset()
	return r, out, c, rc
}

func TestReleaseRestore(t *testing.T) {
	r, out, c, rc := newRawRenderer(20, 4)
	r.render("top\nmiddle\n\nbottom")
	c.advance(testInterval)
	out.Reset()

	if err := r.release(); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), seqPasteOff+seqShowCursor+seqLeaveAlt; got != want {
		t.Errorf("release wrote %q, want %q", got, want)
	}
	if rc.undone != 1 {
		t.Errorf("raw mode undone %d times by release, want 1", rc.undone)
	}

	// While another program has the terminal nothing is drawn, but the
	// latest view is kept.
	out.Reset()
	r.render("top\nMIDDLE\n\nbottom")
	c.advance(time.Second)
	r.resize(20, 4)
	if out.Len() != 0 || c.pending() != 0 {
		t.Fatalf("drew %q (%d timers) while released", out, c.pending())
	}

	if err := r.restore(); err != nil {
		t.Fatal(err)
	}
	want := seqEnterAlt + seqHideCursor + seqPasteOn + seqClearScreen +
		"\x1b[1Htop\x1b[K\x1b[2HMIDDLE\x1b[K\x1b[4Hbottom\x1b[K"
	if got := out.String(); got != want {
		t.Errorf("restore wrote %q,\nwant %q: every line, not only the changed one", got, want)
	}
	if rc.made != 2 || rc.undone != 1 {
		t.Errorf("raw mode made %d and undone %d times, want 2 and 1", rc.made, rc.undone)
	}
	select {
	case <-r.resumed:
	default:
		t.Error("restore did not ask for the size to be read again")
	}
	// The emulated screen, cleared as a terminal clears it on entering
	// the alternate screen, shows the whole view.
	v := newVT(t, 20, 4)
	v.feed(out.String())
	if got, want := v.text(), screenOf("top\nMIDDLE\n\nbottom", 20, 4); got != want {
		t.Errorf("screen after restore:\n%s\nwant:\n%s", got, want)
	}

	// Then drawing goes on as before: only changed lines.
	out.Reset()
	c.advance(testInterval)
	r.render("top\nMIDDLE\n\nend")
	if got, want := out.String(), "\x1b[4Hend\x1b[K"; got != want {
		t.Errorf("frame after restore = %q, want %q", got, want)
	}
}

// TestReleaseDropsPendingFrame: a frame waiting for its interval is not
// written after release, and restore draws the latest view.
func TestReleaseDropsPendingFrame(t *testing.T) {
	r, out, c, _ := newRawRenderer(20, 3)
	r.render("v1")
	c.advance(time.Millisecond)
	r.render("v2") // waits for the interval
	out.Reset()
	if err := r.release(); err != nil {
		t.Fatal(err)
	}
	if c.pending() != 0 {
		t.Errorf("release left %d timers", c.pending())
	}
	c.advance(time.Second)
	if strings.Contains(out.String(), "v2") {
		t.Errorf("a frame was written after release: %q", out)
	}
	out.Reset()
	if err := r.restore(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), seqClearScreen+"\x1b[1Hv2\x1b[K") {
		t.Errorf("restore wrote %q, want the latest view v2 in full", out)
	}
}

func TestReleaseRestoreTwice(t *testing.T) {
	r, out, _, rc := newRawRenderer(20, 3)
	r.render("x")
	out.Reset()
	if err := r.restore(); err != nil || out.Len() != 0 || rc.made != 1 {
		t.Errorf("restore without release: err %v, wrote %q, raw made %d times", err, out, rc.made)
	}
	_ = r.release()
	out.Reset()
	if err := r.release(); err != nil || out.Len() != 0 || rc.undone != 1 {
		t.Errorf("a second release: err %v, wrote %q, raw undone %d times", err, out, rc.undone)
	}
	_ = r.restore()
	out.Reset()
	if err := r.restore(); err != nil || out.Len() != 0 || rc.made != 2 {
		t.Errorf("a second restore: err %v, wrote %q, raw made %d times", err, out, rc.made)
	}
}

// TestCloseWhileReleased: a program that ends while the terminal is lent
// out (a panic, a kill) leaves it as release left it, and a later restore
// does not take it back.
func TestCloseWhileReleased(t *testing.T) {
	r, out, _, rc := newRawRenderer(20, 3)
	r.render("x")
	_ = r.release()
	out.Reset()
	r.close()
	if err := r.restore(); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 || rc.undone != 1 || rc.made != 1 {
		t.Errorf("close and restore after release: wrote %q, raw made %d undone %d times", out, rc.made, rc.undone)
	}
}

// TestRestoreRawModeFails: the error is returned, and the view is drawn
// all the same.
func TestRestoreRawModeFails(t *testing.T) {
	r, out, _, _ := newRawRenderer(20, 3)
	r.render("x")
	_ = r.release()
	r.raw = func() (func() error, error) { return nil, errors.New("no tty") }
	out.Reset()
	if err := r.restore(); err == nil || err.Error() != "no tty" {
		t.Errorf("restore = %v, want the raw mode error", err)
	}
	if !strings.Contains(out.String(), "\x1b[1Hx") {
		t.Errorf("restore wrote %q, without the view", out)
	}
	r.close() // no undo to call
}

func TestResizeSameSizeKeepsScreen(t *testing.T) {
	r, out, c := newTestRenderer(20, 3)
	r.render("a\nb")
	c.advance(testInterval)
	out.Reset()
	r.resize(20, 3)
	r.render("a\nb")
	if out.Len() != 0 {
		t.Errorf("a resize to the same size repainted: %q", out)
	}
}

// TestHandover runs a command through handover: the terminal is released
// before it runs and restored after, also when it fails, and only unset
// streams are given the terminal's.
func TestHandover(t *testing.T) {
	r, out, _, rc := newRawRenderer(20, 3)
	r.render("list")
	out.Reset()
	var during string
	var rawDuring int
	run := func() error {
		during, rawDuring = out.String(), rc.made-rc.undone
		return errors.New("exit status 1")
	}
	cmd := exec.Command("true")
	var mine bytes.Buffer
	cmd.Stdout = &mine
	h := handover{r: r, cmd: cmd, run: run}
	h.SetStdin(strings.NewReader("keys"))
	h.SetStdout(io.Discard)
	h.SetStderr(io.Discard)
	err := h.Run()
	if err == nil || err.Error() != "exit status 1" {
		t.Errorf("Run = %v, want the command's error", err)
	}
	if during != seqPasteOff+seqShowCursor+seqLeaveAlt || rawDuring != 0 {
		t.Errorf("while the command ran: screen got %q, raw mode on %d", during, rawDuring)
	}
	after := strings.TrimPrefix(out.String(), during)
	if !strings.HasPrefix(after, seqEnterAlt) || !strings.Contains(after, "\x1b[1Hlist") || rc.made-rc.undone != 1 {
		t.Errorf("after the command: wrote %q, raw mode on %d", after, rc.made-rc.undone)
	}
	if cmd.Stdin == nil || cmd.Stdout != &mine || cmd.Stderr != io.Discard {
		t.Errorf("streams: stdin %v, stdout kept %v, stderr %v", cmd.Stdin, cmd.Stdout == &mine, cmd.Stderr)
	}

	// A suspend has no command: the streams are not needed.
	s := handover{r: r, run: func() error { return nil }}
	s.SetStdin(nil)
	s.SetStdout(nil)
	s.SetStderr(nil)
	if err := s.Run(); err != nil {
		t.Errorf("suspend handover: %v", err)
	}
}

// TestStandardCommands: with Bubble Tea's renderer, Exec is Bubble Tea's
// own and Suspend lends nothing of popbox's renderer; with no Terminal at
// all (a model's test) both are Bubble Tea's.
func TestStandardCommands(t *testing.T) {
	var none *Terminal
	if msg := none.Suspend()(); msg != (tea.SuspendMsg{}) {
		t.Errorf("Suspend on no Terminal gives %#v, want tea.SuspendMsg", msg)
	}
	if none.Exec(exec.Command("true"), nil) == nil {
		t.Error("Exec on no Terminal gives no command")
	}
	bt := New(nil, nil, Options{Renderer: BubbleTea})
	if !bt.standard || bt.Exec(exec.Command("true"), nil) == nil {
		t.Errorf("Options.Renderer bubbletea: standard %v", bt.standard)
	}
	if New(nil, nil, Options{Renderer: "popbox"}).standard || New(nil, nil, Options{}).standard {
		t.Error("a renderer other than bubbletea picks Bubble Tea's")
	}
	// A handover with no renderer only runs.
	ran := false
	if err := (handover{run: func() error { ran = true; return nil }}).Run(); err != nil || !ran {
		t.Errorf("handover without a renderer: ran %v, err %v", ran, err)
	}
}

// benchView is a list-like view of w x h cells with the cursor on row sel.
func benchView(w, h, sel int) string {
	rows := make([]string, h)
	for i := range rows {
		row := fmt.Sprintf(" * 2026-11-%02d Sender %-20d [%d] Subject of the message, as the list shows it", i%28+1, i, 100000-i)
		if len(row) > w {
			row = row[:w]
		}
		if i == sel {
			row = "\x1b[7m" + row + "\x1b[0m"
		}
		rows[i] = row
	}
	return strings.Join(rows, "\n")
}

// BenchmarkRenderKey is the frame of a key that moves the cursor one row
// on a 120x40 screen: two changed lines to write.
func BenchmarkRenderKey(b *testing.B) {
	const w, h = 120, 40
	views := [2]string{benchView(w, h, 5), benchView(w, h, 6)}
	r := newRenderer(io.Discard, 0)
	r.resize(w, h)
	r.render(views[0])
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		r.render(views[(i+1)%2])
	}
}

// BenchmarkRenderFull is a whole 120x40 screen drawn anew, as after a
// resize or a restore.
func BenchmarkRenderFull(b *testing.B) {
	const w, h = 120, 40
	view := benchView(w, h, 5)
	r := newRenderer(io.Discard, 0)
	r.resize(w, h)
	r.render(view)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		r.mu.Lock()
		r.full = true
		r.flush()
		r.mu.Unlock()
	}
}
