package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// The pictures of the screens issue 13 set right, each at 60x15, 80x24
// and 120x40 in English and Japanese.

// goldenSizes are the terminal sizes every layout is kept at.
var goldenSizes = [][2]int{{60, 15}, {80, 24}, {120, 40}}

// sizedGoldens makes the cases of one layout: name/<lang>-<w>x<h>, keys
// and the text to wait for per language.
func sizedGoldens(name string, keys map[lang][]string, wait map[lang]string) []goldenCase {
	var out []goldenCase
	for _, l := range []lang{langEN, langJA} {
		for _, sz := range goldenSizes {
			out = append(out, goldenCase{
				name: fmt.Sprintf("%s/%s-%dx%d", name, langName(l), sz[0], sz[1]),
				lang: l, w: sz[0], h: sz[1], keys: keys[l], wait: wait[l],
			})
		}
	}
	return out
}

// checkBoxClosed asserts that the one box drawn in view has all four
// sides: a top and a bottom with both corners, and two side bars on every
// line between.
func checkBoxClosed(t *testing.T, view string) {
	t.Helper()
	lines := strings.Split(ansi.Strip(view), "\n")
	top, bottom := -1, -1
	for i, l := range lines {
		if strings.Contains(l, "╭") && top < 0 {
			top = i
		}
		if strings.Contains(l, "╰") {
			bottom = i
		}
	}
	if top < 0 || bottom < top {
		t.Fatalf("no whole box on the screen:\n%s", strings.Join(lines, "\n"))
	}
	if !strings.Contains(lines[top], "╮") || !strings.Contains(lines[bottom], "╯") {
		t.Errorf("a corner is missing:\n%s", strings.Join(lines, "\n"))
	}
	for _, l := range lines[top+1 : bottom] {
		if strings.Count(l, "│") != 2 {
			t.Errorf("a side is missing on %q:\n%s", l, strings.Join(lines, "\n"))
			return
		}
	}
}

// TestPasswdDialogGolden: the password dialog keeps its four sides at
// every size (at 60 columns it lost its right one), with the app password
// hint of a Gmail account wrapped inside.
func TestPasswdDialogGolden(t *testing.T) {
	keys := []string{"A", "j", "p", "=sec"}
	cases := sizedGoldens("passwd", map[lang][]string{langEN: keys, langJA: keys}, map[lang]string{langEN: "◦", langJA: "◦"})
	for _, g := range cases {
		t.Run(g.name, func(t *testing.T) {
			st := newMemStore(testAccounts()...)
			st.fill("1", 30, englishSubject)
			checkBoxClosed(t, runGolden(t, st, g))
		})
	}
}
