package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"popbox/mail"
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

// TestListHeaderSizeAligned: the size column's title ends where the
// sizes end, measured in cells: サイズ is six cells in a five-cell column
// and stuck out one past them, over the attachment mark.
func TestListHeaderSizeAligned(t *testing.T) {
	for _, l := range []lang{langEN, langJA} {
		for _, sz := range goldenSizes {
			t.Run(fmt.Sprintf("%s-%dx%d", langName(l), sz[0], sz[1]), func(t *testing.T) {
				st := newMemStore(testAccounts()...)
				st.fill("1", 30, japaneseSubject)
				m := testList(t, st, l, sz[0], sz[1])
				c := m.cols
				if c.size == 0 {
					t.Fatalf("no size column at %d columns", sz[0])
				}
				sizeEnd := c.mark + c.date + 1 + c.from + 1 + c.subject + 1 + c.size
				lines := strings.Split(ansi.Strip(m.view()), "\n")
				hdr := strings.TrimRight(lines[0], " ")
				if w := ansi.StringWidth(hdr); w != sizeEnd {
					t.Errorf("the header ends at cell %d, the sizes at %d:\n%s\n%s", w, sizeEnd, lines[0], lines[1])
				}
				row := lines[2]
				if w := ansi.StringWidth(strings.TrimRight(strings.TrimSuffix(strings.TrimRight(row, " "), "+"), " ")); w != sizeEnd {
					t.Errorf("a row's size ends at cell %d, want %d: %q", w, sizeEnd, row)
				}
				if ansi.StringWidth(lines[0]) > sz[0] {
					t.Errorf("the header is wider than the screen: %q", lines[0])
				}
			})
		}
	}
}

// TestListGoldenSizes: the list, with the Japanese column titles, at
// every size.
func TestListGoldenSizes(t *testing.T) {
	cases := sizedGoldens("listsizes", nil, map[lang]string{langEN: "last fetch", langJA: "前回の受信"})
	for _, g := range cases {
		t.Run(g.name, func(t *testing.T) {
			st := newMemStore(testAccounts()...)
			st.fill("1", 1000, japaneseSubject)
			runGolden(t, st, g)
		})
	}
}

// TestListOneMatch: a filter with one match says "1 match", not "1
// matches"; the count is grouped like every other ("1,000 matches").
func TestListOneMatchGolden(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 1000, englishSubject)
	st.msgs["1"][0].Summary.Subject = "[1] the only zebra"
	tests := []struct {
		l           lang
		query, want string
	}{
		{langEN, "zebra", "1 match"},
		{langJA, "zebra", "1件一致"},
		{langEN, "[", "1,000 matches"},
		{langJA, "[", "1,000件一致"},
	}
	for _, tc := range tests {
		m := testList(t, st, tc.l, 80, 24)
		m = press(t, m, append([]string{"/"}, "="+tc.query, "enter")...)
		if got := m.status(); got != tc.want {
			t.Errorf("%s %q: status %q, want %q", langName(tc.l), tc.query, got, tc.want)
		}
	}
}

// TestHelpSectionsAligned: the help screen's sections stand in a grid:
// a section in the second column starts at the same cell in every row
// (the lower row's started one cell, in Japanese six, further right).
func TestHelpSectionsAligned(t *testing.T) {
	for _, l := range []lang{langEN, langJA} {
		for _, sz := range append(goldenSizes, [2]int{100, 30}, [2]int{160, 40}) {
			t.Run(fmt.Sprintf("%s-%dx%d", langName(l), sz[0], sz[1]), func(t *testing.T) {
				st := newMemStore(testAccounts()...)
				m := testApp(t, st, l, sz[0], sz[1])
				lines := strings.Split(ansi.Strip(m.helpContent()), "\n")
				titles := []string{l.tr("help.global"), l.tr("help.list"), l.tr("help.reader"), l.tr("help.accountsScreen")}
				var rows [][]int // the start cells of the titles on each line that has any
				for _, ln := range lines {
					var starts []int
					for _, title := range titles {
						if i := strings.Index(ln, title); i >= 0 {
							starts = append(starts, ansi.StringWidth(ln[:i]))
						}
					}
					if len(starts) > 0 {
						rows = append(rows, starts)
					}
				}
				if len(rows) == 0 {
					t.Fatal("no section titles")
				}
				for _, r := range rows[1:] {
					for j, c := range r {
						if j < len(rows[0]) && c != rows[0][j] {
							t.Errorf("a section of a lower row starts at cell %d, the one above at %d:\n%s", c, rows[0][j], strings.Join(lines, "\n"))
						}
					}
				}
				for i, ln := range lines {
					if w := ansi.StringWidth(ln); w > sz[0] {
						t.Errorf("line %d is %d cells wide, more than %d", i+1, w, sz[0])
					}
				}
			})
		}
	}
}

// TestHelpGoldenSizes: the help screen at every size.
func TestHelpGoldenSizes(t *testing.T) {
	cases := sizedGoldens("helpsizes", map[lang][]string{langEN: {"?"}, langJA: {"?"}}, map[lang]string{langEN: "Keys", langJA: "キー操作"})
	for _, g := range cases {
		t.Run(g.name, func(t *testing.T) {
			st := newMemStore(testAccounts()...)
			st.fill("1", 30, englishSubject)
			runGolden(t, st, g)
		})
	}
}

// switcherAccounts are accounts whose names differ in width: ASCII, wide
// Japanese and one too long for a column.
func switcherAccounts() []mail.Account {
	accts := testAccounts()
	accts[1].Name = "Family and friends of the house"
	accts[2].Name = "個人メール"
	return accts
}

// TestSwitcherAligned: the ctrl+a picker puts the addresses in one column
// (in cells) whatever the names' widths, a long name cut to it.
func TestSwitcherAligned(t *testing.T) {
	for _, l := range []lang{langEN, langJA} {
		for _, sz := range goldenSizes {
			t.Run(fmt.Sprintf("%s-%dx%d", langName(l), sz[0], sz[1]), func(t *testing.T) {
				accts := switcherAccounts()
				m := newSwitcher(testDeps(l), accts, "1", sz[0], sz[1])
				lines := strings.Split(ansi.Strip(m.view()), "\n")
				col := -1
				for _, a := range accts {
					found := false
					for _, ln := range lines {
						i := strings.Index(ln, a.Email)
						if i < 0 {
							continue
						}
						found = true
						c := ansi.StringWidth(ln[:i])
						if col < 0 {
							col = c
						} else if c != col {
							t.Errorf("%s starts at cell %d, the first address at %d:\n%s", a.Email, c, col, strings.Join(lines, "\n"))
						}
					}
					if !found {
						t.Errorf("%s is not shown:\n%s", a.Email, strings.Join(lines, "\n"))
					}
				}
				checkBoxClosed(t, m.view())
			})
		}
	}
}

// TestSwitcherGolden: the picker at every size.
func TestSwitcherGolden(t *testing.T) {
	cases := sizedGoldens("switcher", map[lang][]string{langEN: {"ctrl+a"}, langJA: {"ctrl+a"}}, map[lang]string{langEN: "Switch account", langJA: "アカウントの切り替え"})
	for _, g := range cases {
		t.Run(g.name, func(t *testing.T) {
			st := newMemStore(switcherAccounts()...)
			st.fill("1", 30, englishSubject)
			checkBoxClosed(t, runGolden(t, st, g))
		})
	}
}

// TestListMarks: the list marks an unread message * and one with
// attachments +, as popbox list does (cmd/popbox TestListMarksMatchTUI).
func TestListMarks(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 3, englishSubject)
	st.msgs["1"][1].Seen = false
	st.msgs["1"][1].Summary.Attachments = true
	st.msgs["1"][2].Seen = true
	st.msgs["1"][2].Summary.Attachments = false
	m := testList(t, st, langEN, 80, 24)
	lines := strings.Split(ansi.Strip(m.view()), "\n")
	for _, ln := range lines[1:4] {
		unread := strings.Contains(ln[:3], "*")
		att := strings.HasSuffix(strings.TrimRight(ln, " "), "+")
		switch {
		case strings.Contains(ln, englishSubject(1)) && (!unread || !att):
			t.Errorf("unread with attachments: %q", ln)
		case strings.Contains(ln, englishSubject(2)) && (unread || att):
			t.Errorf("read without attachments: %q", ln)
		}
	}
}

// footerLine is the last line of the root's view: the key help.
func footerLine(m appModel) string {
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	return lines[len(lines)-1]
}

// TestReaderFooterShowsUndo: after d in the reader, while the delete can
// be undone, the reader's help bar shows u (and fits 60 columns); before
// and after, it does not, as the list's bar does.
func TestReaderFooterShowsUndo(t *testing.T) {
	for _, l := range []lang{langEN, langJA} {
		for _, w := range []int{60, 80, 120} {
			t.Run(fmt.Sprintf("%s-%d", langName(l), w), func(t *testing.T) {
				undo := "u " + l.tr("help.undo")
				st := newMemStore(testAccounts()...)
				st.fill("1", 20, englishSubject)
				putMail(st, "1", "m1", readerMail, false)
				m := testApp(t, st, l, w, 24)
				m = press(t, m, "enter")
				if m.screen != screenReader {
					t.Fatalf("enter opened screen %v", m.screen)
				}
				if f := footerLine(m); strings.Contains(f, undo) {
					t.Errorf("u shows with nothing to undo: %q", f)
				}
				m = press(t, m, "d")
				if m.screen != screenReader {
					t.Fatalf("d left the reader for screen %v", m.screen)
				}
				if f := footerLine(m); !strings.Contains(f, undo) {
					t.Errorf("after d the help bar lacks %q: %q", undo, f)
				}
				m = press(t, m, "u")
				if f := footerLine(m); strings.Contains(f, undo) {
					t.Errorf("u still shows after the undo: %q", f)
				}
			})
		}
	}
}

// TestReaderGoldenSizes: the reader at every size: a message with two
// attachments; the folder prompt of the second one (the folder offered
// filled in); and the next message after d, u in the help bar.
func TestReaderGoldenSizes(t *testing.T) {
	open := []string{"enter", "wait:アンさん"}
	var cases []goldenCase
	for _, c := range []struct {
		name string
		keys []string
		wait map[lang]string
	}{
		{"readersizes", open, map[lang]string{langEN: "save file", langJA: "添付を保存"}},
		{"readersave", append(append([]string{}, open...), "s", "2"), map[lang]string{langEN: "Save 会場の地図.png in:", langJA: "会場の地図.png の保存先:"}},
		{"readerundo", append(append([]string{}, open...), "d"), map[lang]string{langEN: "u undo", langJA: "u 削除を取り消す"}},
	} {
		for _, g := range sizedGoldens(c.name, map[lang][]string{langEN: c.keys, langJA: c.keys}, c.wait) {
			g.saveDir = "/home/taro/Downloads"
			g.ready = "企画書"
			cases = append(cases, g)
		}
	}
	for _, g := range cases {
		t.Run(g.name, func(t *testing.T) {
			st := newMemStore(testAccounts()...)
			st.fill("1", 20, englishSubject)
			putMail(st, "1", "m1", readerMail, false)
			runGolden(t, st, g)
		})
	}
}
