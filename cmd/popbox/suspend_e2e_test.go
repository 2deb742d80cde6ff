package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"popbox/mail"
	"popbox/store"
)

// shellPrompt is the prompt of startShell's bash, without the trailing
// space that capture-pane drops.
const shellPrompt = "shell>"

// startShell starts an interactive bash, with job control, in a detached
// tmux session of w x h cells, with c's environment and extraEnv; popbox
// is then started from it as a job. Without tmux or bash the test skips,
// or fails under CI.
func startShell(t *testing.T, c *cli, w, h int, extraEnv ...string) *tmuxTerm {
	t.Helper()
	for _, tool := range []string{"tmux", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed: %v", tool, err)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	dir, err := os.MkdirTemp("", "popbox-tmux-")
	if err != nil {
		t.Fatal(err)
	}
	tm := &tmuxTerm{t: t, socket: filepath.Join(dir, "sock"), target: "popbox"}
	var rc strings.Builder
	for _, kv := range append(append([]string{}, c.env...), extraEnv...) {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&rc, "export %s=%s\n", k, shellQuote(v))
	}
	fmt.Fprintf(&rc, "export TERM=xterm-256color\nunset HISTFILE\nPS1='%s '\n", shellPrompt)
	rcFile := filepath.Join(dir, "bashrc")
	if err := os.WriteFile(rcFile, []byte(rc.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	tm.tmux("-f", "/dev/null", "new-session", "-d", "-s", tm.target, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h),
		"bash --noprofile --rcfile "+shellQuote(rcFile)+" -i")
	t.Cleanup(func() {
		exec.Command("tmux", "-S", tm.socket, "kill-server").Run()
		os.RemoveAll(dir)
	})
	tm.waitFor(10*time.Second, shellPrompt)
	return tm
}

// line types s and Enter.
func (tm *tmuxTerm) line(s string) {
	tm.t.Helper()
	tm.typeText(s)
	tm.keys("Enter")
}

// format is a tmux format of the pane, such as #{alternate_on}.
func (tm *tmuxTerm) format(f string) string {
	tm.t.Helper()
	return strings.TrimSpace(tm.tmux("display-message", "-p", "-t", tm.target, f))
}

// waitShell waits until popbox has ended and the shell has the terminal.
func (tm *tmuxTerm) waitShell(timeout time.Duration) {
	tm.t.Helper()
	deadline := time.Now().Add(timeout)
	for tm.format("#{pane_current_command}") != "bash" {
		if time.Now().After(deadline) {
			tm.t.Fatalf("popbox does not end within %v:\n%s", timeout, tm.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// listDB gives c's database one account with five messages, written by
// the store as a fetch would, so no mail server is needed.
func listDB(t *testing.T, c *cli) []string {
	t.Helper()
	st, err := store.Open(c.db, store.Options{PolicyFile: filepath.Join(t.TempDir(), "no-policy.json")})
	if err != nil {
		t.Fatal(err)
	}
	a, err := st.AddAccount(mail.Account{
		Name: "Work", Email: "ann@example.test",
		Incoming:  mail.Server{Host: "127.0.0.1", Port: 1, Security: mail.SecuritySSL, User: "ann", Password: "secret"},
		SMTPSame:  true,
		Retention: mail.Retention{Kind: mail.RetainKeep},
	})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	var subjects []string
	var batch []mail.NewMessage
	for i := range 5 {
		subject := fmt.Sprintf("Suspend check %d", i+1)
		subjects = append(subjects, subject)
		raw := fmt.Appendf(nil, "From: Carol <carol@example.test>\r\nSubject: %s\r\nDate: %s\r\n\r\nbody %d\r\n",
			subject, base.Add(time.Duration(i)*time.Hour).Format(time.RFC1123Z), i)
		batch = append(batch, mail.NewMessage{UID: fmt.Sprintf("u%d", i), Raw: raw, Summary: mail.Summarize(raw, base), Digest: sha256.Sum256(raw)})
	}
	if _, err := st.Commit(a.ID, batch); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return subjects
}

// TestTUISuspend runs the real binary as a job of an interactive bash in
// tmux, with popbox's renderer and with Bubble Tea's: ctrl+z stops it and
// gives the shell back its screen, the shell's job control sees it
// stopped, and fg brings the list back, whole, taking keys.
func TestTUISuspend(t *testing.T) {
	for _, renderer := range []string{"popbox", "bubbletea"} {
		t.Run(renderer, func(t *testing.T) {
			c := newCLI(t, nil)
			subjects := listDB(t, c)
			tm := startShell(t, c, 100, 30, "LANG=en_US.UTF-8", "POPBOX_RENDERER="+renderer)
			list := append([]string{"Work <ann@example.test>", "5 messages"}, subjects...)

			tm.line(shellQuote(c.exe) + " --db " + shellQuote(c.db))
			tm.waitFor(10*time.Second, list...)
			tm.keys("C-z")
			s := tm.waitFor(10*time.Second, "Stopped", shellPrompt)
			if strings.Contains(s, subjects[0]) {
				t.Errorf("the list stays on the screen after ctrl+z:\n%s", s)
			}
			if got := tm.format("#{alternate_on}"); got != "0" {
				t.Errorf("stopped, the pane is still on the alternate screen (%s)", got)
			}
			tm.line(`echo "stopped jobs: $(jobs -s | wc -l)"`)
			tm.waitFor(10*time.Second, "stopped jobs: 1")

			tm.line("fg")
			tm.waitFor(10*time.Second, list...)
			if got := tm.format("#{alternate_on}"); got != "1" {
				t.Errorf("after fg the pane is not on the alternate screen (%s)", got)
			}
			if st, err := exec.Command("stty", "-a", "-F", tm.format("#{pane_tty}")).CombinedOutput(); err != nil || !strings.Contains(string(st), "-icanon") {
				t.Errorf("after fg the terminal is not in raw mode (%v):\n%s", err, st)
			}
			// Keys reach popbox again: the help lists ctrl+z.
			tm.keys("?")
			tm.waitFor(10*time.Second, "ctrl+z", "suspend")
			tm.keys("?")
			tm.waitFor(10*time.Second, list...)
			tm.keys("C-c")
			tm.waitShell(10 * time.Second)
			tm.line(`echo "popbox exited $?"`)
			tm.waitFor(10*time.Second, "popbox exited 0")
		})
	}
}
