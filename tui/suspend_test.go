package tui

import (
	"os/exec"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// TestSuspendKey: ctrl+z suspends from every screen, a text field with
// focus too (it is no character), and leaves the model as it was.
func TestSuspendKey(t *testing.T) {
	tests := []struct {
		name  string
		accts bool
		keys  []string
		want  screen
	}{
		{"list", true, nil, screenList},
		{"reader", true, []string{"enter"}, screenReader},
		{"typing a filter", true, []string{"/", "q"}, screenList},
		{"help", true, []string{"?"}, screenHelp},
		{"wizard", false, nil, screenWizard},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newMemStore()
			if tc.accts {
				st = newMemStore(testAccounts()...)
				st.fill("1", 3, englishSubject)
			}
			m := press(t, testApp(t, st, langEN, 80, 24), tc.keys...)
			before := screenText(m)
			m, cmd := m.update(tea.KeyMsg{Type: tea.KeyCtrlZ})
			if cmd == nil {
				t.Fatal("ctrl+z gave no command")
			}
			// With no terminal (a test) it is Bubble Tea's suspend.
			if msg := cmd(); msg != (tea.SuspendMsg{}) {
				t.Errorf("ctrl+z command gave %#v, want tea.SuspendMsg", msg)
			}
			if m.screen != tc.want || screenText(m) != before {
				t.Errorf("ctrl+z changed the screen to %v:\n%s", m.screen, screenText(m))
			}
			// Back from the shell, the same screen.
			m = settle(t, m, func() tea.Msg { return tea.ResumeMsg{} })
			if m.screen != tc.want || screenText(m) != before {
				t.Errorf("after the resume the screen is %v:\n%s", m.screen, screenText(m))
			}
		})
	}
}

// TestSuspendInHelp: the help screen names ctrl+z in both languages.
func TestSuspendInHelp(t *testing.T) {
	for _, l := range []lang{langEN, langJA} {
		st := newMemStore(testAccounts()...)
		m := press(t, testApp(t, st, l, 100, 30), "?")
		if out := screenText(m); !strings.Contains(out, "ctrl+z") || !strings.Contains(out, l.tr("help.suspend")) {
			t.Errorf("%v: help lacks ctrl+z %q:\n%s", l, l.tr("help.suspend"), out)
		}
	}
}

// TestExecCmd: with no terminal (a test) execCmd is Bubble Tea's exec,
// which the program runs; here only that there is a command.
func TestExecCmd(t *testing.T) {
	d := testDeps(langEN)
	if d.execCmd(exec.Command("true"), nil) == nil {
		t.Error("execCmd gave no command")
	}
}
