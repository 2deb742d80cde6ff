package render

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// demoEnv makes the test binary run the demo program instead of the
// tests; its value is the Options.Renderer. Only tests set it.
const demoEnv = "POPBOX_RENDER_DEMO"

// TestMain lets the test binary act as a small program on a Terminal, for
// the tests that drive it in tmux (tmux_test.go).
func TestMain(m *testing.M) {
	if renderer, ok := os.LookupEnv(demoEnv); ok {
		os.Exit(runDemo(renderer))
	}
	os.Exit(m.Run())
}

func runDemo(renderer string) int {
	t := New(os.Stdin, os.Stdout, Options{Renderer: renderer})
	_, err := t.Run(demoModel{t: t})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// demoModel fills the screen with numbered rows, so a redraw that misses
// one shows, and counts what happened on the bottom row. Keys: e runs a
// child shell through Exec, ctrl+z suspends, x counts, q quits.
type demoModel struct {
	t             *Terminal
	width, height int
	keys, resumed int
	exec          string
}

// demoExecMsg is the result of the child shell.
type demoExecMsg struct{ err error }

// demoChild prints whether the terminal is in canonical (cooked) mode,
// reads a line with the terminal's echo, and ends.
const demoChild = `printf 'child: %s\n' "$(stty -a | tr ' ;' '\n\n' | grep -x -e icanon -e -icanon)"; printf 'type> '; read line; echo "got [$line]"`

func (m demoModel) Init() tea.Cmd { return nil }

func (m demoModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case tea.ResumeMsg:
		m.resumed++
	case demoExecMsg:
		m.exec = fmt.Sprint(msg.err)
	case tea.KeyMsg:
		switch msg.String() {
		case "e":
			return m, m.t.Exec(exec.Command("sh", "-c", demoChild), func(err error) tea.Msg { return demoExecMsg{err} })
		case "ctrl+z":
			return m, m.t.Suspend()
		case "x":
			m.keys++
		case "q":
			return m, tea.Quit
		}
	}
	return m, nil
}

func (m demoModel) View() string {
	if m.height < 2 {
		return ""
	}
	rows := make([]string, 0, m.height)
	for i := 1; i < m.height; i++ {
		rows = append(rows, fmt.Sprintf("row %02d of the demo", i))
	}
	rows = append(rows, fmt.Sprintf("keys=%d resumed=%d exec=%s", m.keys, m.resumed, m.exec))
	return strings.Join(rows, "\n")
}
