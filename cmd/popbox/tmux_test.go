package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tmuxTerm is the real binary running in a tmux pane of its own tmux server.
type tmuxTerm struct {
	t      *testing.T
	socket string
	target string
}

// startTerm starts popbox (args) in a detached tmux session of w x h cells
// with the given environment. Without tmux the test skips, or fails under CI.
func startTerm(t *testing.T, c *cli, w, h int, extraEnv []string, args ...string) *tmuxTerm {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("tmux is not installed: %v", err)
		}
		t.Skip("tmux is not installed")
	}
	dir, err := os.MkdirTemp("", "popbox-tmux-")
	if err != nil {
		t.Fatal(err)
	}
	tm := &tmuxTerm{t: t, socket: filepath.Join(dir, "sock"), target: "popbox"}
	envArgs := append(append([]string{}, c.env...), extraEnv...)
	// A script keeps the quoting simple and shows the exit status after
	// popbox ends, so a crash stays on the screen for capture.
	script := filepath.Join(dir, "run.sh")
	var sb strings.Builder
	sb.WriteString("#!/bin/sh\n")
	for _, kv := range envArgs {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&sb, "export %s=%s\n", k, shellQuote(v))
	}
	sb.WriteString("export TERM=xterm-256color\n")
	fmt.Fprintf(&sb, "%s --db %s", shellQuote(c.exe), shellQuote(c.db))
	for _, a := range args {
		sb.WriteString(" " + shellQuote(a))
	}
	sb.WriteString(" 2>" + shellQuote(filepath.Join(dir, "stderr")) + "\necho \"[popbox exited $?]\"\nsleep 600\n")
	if err := os.WriteFile(script, []byte(sb.String()), 0o755); err != nil {
		t.Fatal(err)
	}
	tm.tmux("-f", "/dev/null", "new-session", "-d", "-s", tm.target, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), script)
	t.Cleanup(func() {
		exec.Command("tmux", "-S", tm.socket, "kill-server").Run()
		if t.Failed() {
			if b, err := os.ReadFile(filepath.Join(dir, "stderr")); err == nil && len(b) > 0 {
				t.Logf("popbox stderr:\n%s", b)
			}
		}
		os.RemoveAll(dir)
	})
	return tm
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (tm *tmuxTerm) tmux(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// keys sends tmux key names (Enter, Tab, BTab, Space, Escape, C-a, M-1 ...).
func (tm *tmuxTerm) keys(keys ...string) {
	tm.t.Helper()
	tm.tmux(append([]string{"send-keys", "-t", tm.target}, keys...)...)
}

// typeText types literal text.
func (tm *tmuxTerm) typeText(s string) {
	tm.t.Helper()
	tm.tmux("send-keys", "-t", tm.target, "-l", s)
}

func (tm *tmuxTerm) screen() string {
	tm.t.Helper()
	return tm.tmux("capture-pane", "-p", "-t", tm.target)
}

// waitFor waits until the screen contains every one of texts and returns it.
func (tm *tmuxTerm) waitFor(timeout time.Duration, texts ...string) string {
	tm.t.Helper()
	deadline := time.Now().Add(timeout)
	var s string
	for {
		s = tm.screen()
		all := true
		for _, x := range texts {
			if !strings.Contains(s, x) {
				all = false
				break
			}
		}
		if all {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the screen does not show %q within %v:\n%s", texts, timeout, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitGone waits until the screen no longer contains text.
func (tm *tmuxTerm) waitGone(timeout time.Duration, text string) string {
	tm.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := tm.screen()
		if !strings.Contains(s, text) {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the screen still shows %q after %v:\n%s", text, timeout, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
