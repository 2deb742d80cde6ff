package render

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// These tests run the demo program (demo_test.go) in a tmux pane under an
// interactive bash, with each renderer, and check what a user would see:
// the child of an Exec on the main screen in cooked mode, a ctrl+z that
// the shell's job control shows as stopped, and after either the demo's
// whole screen back, in raw mode, taking keys.

// waitTime bounds every wait for the screen; the tests never sleep a fixed
// time.
const waitTime = 20 * time.Second

// prompt is the shell's prompt (PS1 without its trailing space, which
// capture-pane drops).
const prompt = "shell>"

// renderers are the Options.Renderer values the tests run with.
var renderers = map[string]string{"popbox": "", "bubbletea": BubbleTea}

// shell is an interactive bash in a pane of a tmux server of its own.
type shell struct {
	t            *testing.T
	socket, pane string
	rows         int
}

// startShell starts an interactive bash in a detached w x h tmux session.
// Without tmux or bash the test skips, or fails when CI is set.
func startShell(t *testing.T, w, h int) *shell {
	t.Helper()
	return startPane(t, w, h, "")
}

// startPane starts command in a detached w x h tmux session, or an
// interactive bash when command is "".
func startPane(t *testing.T, w, h int, command string) *shell {
	t.Helper()
	for _, tool := range []string{"tmux", "bash", "stty"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed: %v", tool, err)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	// A short folder: a socket path has a small limit.
	dir, err := os.MkdirTemp("", "popbox-render-")
	if err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(dir, "bashrc")
	if err := os.WriteFile(rc, []byte("PS1='"+prompt+" '\nunset HISTFILE\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sh := &shell{t: t, socket: filepath.Join(dir, "sock"), pane: "demo", rows: h}
	interactive := command == ""
	if interactive {
		command = "bash --noprofile --rcfile " + rc + " -i"
	}
	sh.tmux("-f", "/dev/null", "new-session", "-d", "-s", sh.pane, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), command)
	t.Cleanup(func() {
		_ = exec.Command("tmux", "-S", sh.socket, "kill-server").Run()
		os.RemoveAll(dir)
	})
	if interactive {
		sh.waitFor(prompt)
	}
	return sh
}

func (sh *shell) tmux(args ...string) string {
	sh.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", sh.socket}, args...)...).CombinedOutput()
	if err != nil {
		sh.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// keys sends tmux key names (Enter, C-z, ...).
func (sh *shell) keys(keys ...string) {
	sh.t.Helper()
	sh.tmux(append([]string{"send-keys", "-t", sh.pane}, keys...)...)
}

// line types s and Enter.
func (sh *shell) line(s string) {
	sh.t.Helper()
	sh.tmux("send-keys", "-t", sh.pane, "-l", s)
	sh.keys("Enter")
}

func (sh *shell) screen() string {
	sh.t.Helper()
	return sh.tmux("capture-pane", "-p", "-t", sh.pane)
}

// format is a tmux format of the pane, such as #{alternate_on}.
func (sh *shell) format(f string) string {
	sh.t.Helper()
	return strings.TrimSpace(sh.tmux("display-message", "-p", "-t", sh.pane, f))
}

// waitFor waits until the screen shows every one of texts and returns it.
func (sh *shell) waitFor(texts ...string) string {
	sh.t.Helper()
	deadline := time.Now().Add(waitTime)
	for {
		s := sh.screen()
		missing := ""
		for _, x := range texts {
			if !strings.Contains(s, x) {
				missing = x
				break
			}
		}
		if missing == "" {
			return s
		}
		if time.Now().After(deadline) {
			sh.t.Fatalf("the screen does not show %q within %v:\n%s", missing, waitTime, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startDemo runs the demo with renderer as a job of the shell and waits
// for its screen.
func (sh *shell) startDemo(renderer string) {
	sh.t.Helper()
	sh.line(demoCommand(sh.t, renderer))
	sh.demoShown("keys=0 resumed=0 exec=")
}

// demoCommand is the shell command that runs the demo with renderer.
func demoCommand(t *testing.T, renderer string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%s=%s %s", demoEnv, renderer, self)
}

// demoShown waits for the demo's screen with every row and bottom, and
// checks the pane is on the alternate screen, cursor hidden, in raw mode.
func (sh *shell) demoShown(bottom string) {
	sh.t.Helper()
	want := []string{bottom}
	for i := 1; i < sh.rows; i++ {
		want = append(want, fmt.Sprintf("row %02d of the demo", i))
	}
	sh.waitFor(want...)
	if got := sh.format("#{alternate_on} #{cursor_flag}"); got != "1 0" {
		sh.t.Errorf("alternate screen and cursor = %q, want 1 0 (alternate, hidden)", got)
	}
	if st := sh.stty(); !strings.Contains(st, " -icanon") || !strings.Contains(st, " -echo ") {
		sh.t.Errorf("the terminal is not in raw mode under the demo:\n%s", st)
	}
}

// stty is the pane's terminal settings, read from outside.
func (sh *shell) stty() string {
	sh.t.Helper()
	tty := sh.format("#{pane_tty}")
	out, err := exec.Command("stty", "-a", "-F", tty).CombinedOutput()
	if err != nil {
		sh.t.Fatalf("stty -F %s: %v\n%s", tty, err, out)
	}
	return " " + strings.Join(strings.Fields(strings.ReplaceAll(string(out), ";", " ")), " ") + " "
}

// quitDemo quits the demo and waits for the shell to see it end well.
func (sh *shell) quitDemo() {
	sh.t.Helper()
	sh.keys("q")
	// Typed before the demo ends, the next line would go to the demo.
	deadline := time.Now().Add(waitTime)
	for sh.format("#{pane_current_command}") != "bash" {
		if time.Now().After(deadline) {
			sh.t.Fatalf("the demo does not end within %v:\n%s", waitTime, sh.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
	sh.line(`echo "demo exited $?"`)
	sh.waitFor("demo exited 0")
}

// TestExecInTmux: the child of an Exec runs on the main screen in cooked
// mode (it reads a line the terminal echoes), and when it ends the demo
// is back, whole, in raw mode, and gets the child's result and keys.
func TestExecInTmux(t *testing.T) {
	for name, renderer := range renderers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sh := startShell(t, 60, 12)
			sh.startDemo(renderer)
			sh.keys("e")
			s := sh.waitFor("child: ", "type>")
			if !strings.Contains(s, "child: icanon") {
				t.Errorf("the child does not run in cooked mode:\n%s", s)
			}
			if strings.Contains(s, "row 01 of the demo") {
				t.Errorf("the child runs on the demo's screen:\n%s", s)
			}
			if got := sh.format("#{alternate_on} #{cursor_flag}"); got != "0 1" {
				t.Errorf("during the child: alternate screen and cursor = %q, want 0 1", got)
			}
			sh.tmux("send-keys", "-t", sh.pane, "-l", "hello")
			sh.waitFor("type> hello") // echoed by the terminal
			sh.keys("Enter")
			sh.demoShown("exec=<nil>")
			sh.keys("x")
			sh.waitFor("keys=1 ")
			sh.quitDemo()
			if s := sh.screen(); !strings.Contains(s, "got [hello]") {
				t.Errorf("the child's output is not on the main screen after the demo:\n%s", s)
			}
		})
	}
}

// TestSuspendInTmux: ctrl+z stops the demo as the shell's job control
// sees it, with the main screen back; fg brings the demo back whole, in
// raw mode, with a tea.ResumeMsg, taking keys.
func TestSuspendInTmux(t *testing.T) {
	for name, renderer := range renderers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sh := startShell(t, 60, 12)
			sh.startDemo(renderer)
			sh.keys("x")
			sh.waitFor("keys=1 ")
			sh.keys("C-z")
			s := sh.waitFor("Stopped", prompt)
			if strings.Contains(s, "row 01 of the demo") {
				t.Errorf("the demo's screen stays after ctrl+z:\n%s", s)
			}
			if got := sh.format("#{alternate_on} #{cursor_flag}"); got != "0 1" {
				t.Errorf("stopped: alternate screen and cursor = %q, want 0 1", got)
			}
			sh.line(`echo "stopped jobs: $(jobs -s | wc -l)"`)
			sh.waitFor("stopped jobs: 1")
			sh.line("fg")
			sh.demoShown("keys=1 resumed=1 ")
			sh.keys("x")
			sh.waitFor("keys=2 ")
			sh.quitDemo()
		})
	}
}

// TestSuspendWithoutJobControl: with no job-control shell above it (the
// demo is the pane's command, under a plain bash -c), the kernel drops
// SIGTSTP; ctrl+z must not leave the demo waiting for ever for a SIGCONT,
// as tea.Suspend does, but bring its screen back.
func TestSuspendWithoutJobControl(t *testing.T) {
	for name, renderer := range renderers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sh := startPane(t, 60, 12, demoCommand(t, renderer)+`; echo "demo exited $?"; sleep 600`)
			sh.demoShown("keys=0 resumed=0 exec=")
			sh.keys("C-z")
			sh.demoShown("keys=0 resumed=1 ")
			sh.keys("x")
			sh.waitFor("keys=1 ")
			sh.keys("q")
			sh.waitFor("demo exited 0")
		})
	}
}
