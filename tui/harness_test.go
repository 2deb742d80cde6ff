package tui

// The screen tests' harness: keys, running commands to the end, the checks
// every screen passes, and the golden pictures taken through teatest.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"popbox/mail"
)

// keyMsg spells a key as Bubble Tea names it: "enter", "shift+tab",
// "ctrl+a", "alt+2", or runes.
func keyMsg(s string) tea.KeyMsg {
	types := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab, "backspace": tea.KeyBackspace,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd, "delete": tea.KeyDelete,
		"ctrl+a": tea.KeyCtrlA, "ctrl+b": tea.KeyCtrlB, "ctrl+c": tea.KeyCtrlC, "ctrl+d": tea.KeyCtrlD, "ctrl+f": tea.KeyCtrlF,
		"ctrl+r": tea.KeyCtrlR, "ctrl+s": tea.KeyCtrlS, "ctrl+t": tea.KeyCtrlT, "ctrl+u": tea.KeyCtrlU,
	}
	if s == " " || s == "space" {
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	if t, ok := types[s]; ok {
		return tea.KeyMsg{Type: t}
	}
	if r, ok := strings.CutPrefix(s, "alt+"); ok {
		return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(r), Alt: true}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// keyMsgs turns steps into key messages: "=text" types text one rune at a
// time, anything else is one key (keyMsg).
func keyMsgs(steps ...string) []tea.KeyMsg {
	var out []tea.KeyMsg
	for _, s := range steps {
		if text, ok := strings.CutPrefix(s, "="); ok && text != "" {
			for _, r := range text {
				out = append(out, keyMsg(string(r)))
			}
			continue
		}
		out = append(out, keyMsg(s))
	}
	return out
}

// screenModel is any screen (or the root): update returns the next model
// of its own type.
type screenModel[M any] interface {
	update(tea.Msg) (M, tea.Cmd)
}

// press sends steps (keyMsgs) to m one key at a time, settling after each.
func press[M screenModel[M]](t *testing.T, m M, steps ...string) M {
	t.Helper()
	update := func(m M, msg tea.Msg) (M, tea.Cmd) { return m.update(msg) }
	for _, k := range keyMsgs(steps...) {
		var cmd tea.Cmd
		m, cmd = m.update(k)
		m = settleModel(m, update, cmd)
	}
	return m
}

// drive sends steps (keyMsgs) to m without running their commands and
// returns the model and the last command.
func drive[M screenModel[M]](m M, steps ...string) (M, tea.Cmd) {
	var cmd tea.Cmd
	for _, k := range keyMsgs(steps...) {
		m, cmd = m.update(k)
	}
	return m, cmd
}

// settle runs cmd and feeds what it yields back into m, following batches,
// until every command has returned.
func settle(t *testing.T, m appModel, cmd tea.Cmd) appModel {
	t.Helper()
	return settleModel(m, appModel.update, cmd)
}

// settleModel is settle for any screen model. Commands that never return
// (a timer of a real tea.Tick far away) end it after 10 s.
func settleModel[M any](m M, update func(M, tea.Msg) (M, tea.Cmd), cmd tea.Cmd) M {
	msgs := make(chan tea.Msg, 1000)
	pending := 0
	start := func(c tea.Cmd) {
		if c == nil {
			return
		}
		pending++
		go func() { msgs <- c() }()
	}
	start(cmd)
	deadline := time.After(10 * time.Second)
	for pending > 0 {
		select {
		case msg := <-msgs:
			pending--
			switch msg := msg.(type) {
			case nil:
			case tea.BatchMsg:
				for _, c := range msg {
					start(c)
				}
			default:
				var c tea.Cmd
				m, c = update(m, msg)
				start(c)
			}
		case <-deadline:
			return m
		}
	}
	return m
}

// screenText is the root's view without escape sequences.
func screenText(m appModel) string { return ansi.Strip(m.View()) }

// plainView is the wizard's view without escape sequences.
func plainView(m wizardModel) string { return ansi.Strip(m.view()) }

// sizeProblems says how view does not fit a w x h terminal: a line wider
// than w cells, more than h lines, or (exact) fewer.
func sizeProblems(view string, w, h int, exact bool) []string {
	var out []string
	lines := strings.Split(view, "\n")
	if len(lines) > h || exact && len(lines) != h {
		out = append(out, fmt.Sprintf("view has %d lines, want %d:\n%s", len(lines), h, ansi.Strip(view)))
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			out = append(out, fmt.Sprintf("line %d is %d cells wide, more than %d: %q", i+1, lw, w, ansi.Strip(l)))
		}
	}
	return out
}

// checkScreen asserts the view is exactly w x h cells: no line wraps in
// the terminal, nothing is lost at the bottom.
func checkScreen(t *testing.T, view string, w, h int) {
	t.Helper()
	for _, p := range sizeProblems(view, w, h, true) {
		t.Error(p)
	}
}

// checkFits asserts the wizard's view fits w x h cells (the root puts its
// keys below) and shows the focused field.
func checkFits(t *testing.T, m wizardModel, w, h int) {
	t.Helper()
	v := m.view()
	for _, p := range sizeProblems(v, w, h, false) {
		t.Errorf("focus %v: %s", m.focus, p)
	}
	if m.step == wizardStepForm && m.confirm == wizardConfirmNone && !strings.Contains(ansi.Strip(v), "› "+m.label(m.focus)) {
		t.Errorf("the focused field %v is not in view:\n%s", m.focus, ansi.Strip(v))
	}
}

// checkNoControls asserts that what a view sends the terminal is text and
// colours only: no OSC (title, clipboard), no erase, and no bell, carriage
// return, other control character or bidirectional override from the data
// it shows.
func checkNoControls(t *testing.T, view string) {
	t.Helper()
	if strings.Contains(view, "\x1b]") || strings.Contains(view, "\x1b[2J") {
		t.Errorf("control sequences reached the screen: %q", view)
		return
	}
	for _, r := range ansi.Strip(view) {
		if r != '\n' && (r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || unicode.Is(unicode.Bidi_Control, r)) {
			t.Errorf("control character %U reached the screen: %q", r, view)
			return
		}
	}
}

// goldenName makes golden.RequireEqual write testdata/<name>.golden
// instead of a path made from the test's name.
type goldenName struct {
	testing.TB
	name string
}

func (g goldenName) Name() string { return g.name }

// requireGolden compares view with testdata/<name>.golden; go test ./tui
// -update (the flag of x/exp/golden) rewrites it.
func requireGolden(t *testing.T, name, view string) {
	t.Helper()
	golden.RequireEqual(goldenName{t, name}, []byte(view))
}

// goldenProfile draws in ANSI 256 colours (color) or plain text, on a dark
// background, until the test ends.
func goldenProfile(t *testing.T, color bool) {
	prof, dark := lipgloss.ColorProfile(), lipgloss.HasDarkBackground()
	t.Cleanup(func() {
		lipgloss.SetColorProfile(prof)
		lipgloss.SetHasDarkBackground(dark)
	})
	lipgloss.SetHasDarkBackground(true)
	lipgloss.SetColorProfile(termenv.Ascii)
	if color {
		lipgloss.SetColorProfile(termenv.ANSI256)
	}
}

// playProgram runs model in a teatest program on a w x h terminal and plays
// steps: "wait:TEXT" waits until TEXT has been drawn, "=text" types text,
// anything else is a key. Then it quits and returns the final model.
func playProgram(t *testing.T, model tea.Model, w, h int, steps ...string) tea.Model {
	t.Helper()
	tm := teatest.NewTestModel(t, model, teatest.WithInitialTermSize(w, h))
	waitOpts := []teatest.WaitForOption{teatest.WithDuration(5 * time.Second), teatest.WithCheckInterval(5 * time.Millisecond)}
	// The renderer sends only lines that changed, and each WaitFor reads
	// on from where the last one stopped: look in everything seen so far.
	var seen, last []byte
	for _, s := range steps {
		text, ok := strings.CutPrefix(s, "wait:")
		if !ok {
			for _, k := range keyMsgs(s) {
				tm.Send(k)
			}
			continue
		}
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			last = b
			return bytes.Contains(append(seen[:len(seen):len(seen)], b...), []byte(text))
		}, waitOpts...)
		seen = append(seen, last...)
	}
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	return tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))
}

// goldenCase is one picture of the whole screen, taken through teatest.
type goldenCase struct {
	name  string   // testdata/<name>.golden
	lang  lang     // UI language
	w, h  int      // terminal size
	color bool     // ANSI 256 colours instead of plain text
	ready string   // output that shows the first screen is up; "" = "[1] "
	keys  []string // pressed once it is; "wait:TEXT" waits for TEXT first
	wait  string   // output to wait for before the picture (after the keys)
	sync  syncFunc // the fetch engine; nil fails every fetch
	// saveDir is the folder offered for attachments; "" = a temporary one.
	saveDir string
}

// runGolden runs the root model on st in a teatest program, presses the
// keys, waits for the text, quits and compares the final View with the
// golden file; go test ./tui -update rewrites it. It returns the View.
func runGolden(t *testing.T, st *memStore, g goldenCase) string {
	t.Helper()
	goldenProfile(t, g.color)
	d := testDeps(g.lang)
	d.plain = !g.color
	saveDir := g.saveDir
	if saveDir == "" {
		saveDir = t.TempDir()
	}
	m := newApp(d, st, appConfig{version: "1.0", saveDir: saveDir})
	m.syncFn = func(context.Context, mail.Account, mail.Cache, mail.SyncOptions, func(mail.Progress)) (mail.SyncResult, error) {
		return mail.SyncResult{}, errors.New("no network in golden tests")
	}
	if g.sync != nil {
		m.syncFn = g.sync
	}
	ready := g.ready
	if ready == "" {
		ready = "[1] "
	}
	steps := append([]string{"wait:" + ready}, g.keys...)
	if g.wait != "" {
		steps = append(steps, "wait:"+g.wait)
	}
	final := playProgram(t, m, g.w, g.h, steps...).(appModel)
	t.Cleanup(func() { final.shutdown() })
	view := final.View()
	checkScreen(t, view, g.w, g.h)
	requireGolden(t, g.name, view)
	return view
}
