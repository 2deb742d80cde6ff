package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"popbox/mail/mailtest"
)

// needProgram skips the test without name, or fails it when CI is set
// (test.sh installs mutt and neomutt).
func needProgram(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed (CI is set: failing instead of skipping; test.sh installs it): %v", name, err)
		}
		t.Skipf("%s is not installed", name)
	}
}

// runInTmux runs argv in a tmux pane of w x h cells on a tmux server of
// its own, with env, and returns a function that captures the pane.
func runInTmux(t *testing.T, w, h int, env []string, argv ...string) func() string {
	t.Helper()
	dir, err := os.MkdirTemp("", "popbox-tmux-")
	if err != nil {
		t.Fatal(err)
	}
	socket := filepath.Join(dir, "sock")
	var sb strings.Builder
	sb.WriteString("#!/bin/sh\n")
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&sb, "export %s=%s\n", k, shellQuote(v))
	}
	for i, a := range argv {
		if i > 0 {
			sb.WriteString(" ")
		}
		sb.WriteString(shellQuote(a))
	}
	sb.WriteString(" 2>" + shellQuote(filepath.Join(dir, "stderr")) + "\necho \"[exited $?]\"\nsleep 600\n")
	script := filepath.Join(dir, "run.sh")
	if err := os.WriteFile(script, []byte(sb.String()), 0o755); err != nil {
		t.Fatal(err)
	}
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", append([]string{"-S", socket}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	tmux("-f", "/dev/null", "new-session", "-d", "-s", "x", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), script)
	t.Cleanup(func() {
		exec.Command("tmux", "-S", socket, "kill-server").Run()
		if t.Failed() {
			if b, err := os.ReadFile(filepath.Join(dir, "stderr")); err == nil && len(b) > 0 {
				t.Logf("%s stderr:\n%s", argv[0], b)
			}
		}
		os.RemoveAll(dir)
	})
	return func() string { return tmux("capture-pane", "-p", "-t", "x") }
}

// TestMuttReadsExport: mutt and neomutt, with no configuration of their
// own, open the exported mbox file and Maildir and list every exported
// message by its subject (the ISO-2022-JP one decoded), and the Maildir's
// seen flag shows.
func TestMuttReadsExport(t *testing.T) {
	needProgram(t, "tmux")
	needProgram(t, "mutt")
	needProgram(t, "neomutt")
	srv := mailtest.Start(t, mailtest.Options{})
	for _, m := range exchangeMail() {
		srv.Deliver(t, "alice", m)
	}
	c := newCLI(t, srv)
	c.addAccount(srv, "box", "alice", "secret", "ssl", "keep")
	c.ok("", "fetch")
	c.ok("", "import", "--maildir", writeMaildir(t, oddFiles))
	dir := t.TempDir()
	mbox, md := filepath.Join(dir, "out.mbox"), filepath.Join(dir, "out.maildir")
	c.ok("", "export", "--mbox", mbox)
	c.ok("", "export", "--maildir", md)
	subjects := []string{"dots", "long lines", "8bit", "no final line end", "テスト", "LF only",
		"mbox from lines", "big attachment", "odd mixed", "odd no eol", "odd cr crlf", "odd lf", "odd lf no eol"}
	env := []string{"HOME=" + dir, "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TERM=xterm-256color", "PATH=" + os.Getenv("PATH")}
	// -n and -F /dev/null: no system or user muttrc. folder: mutt asks to
	// create ~/Mail otherwise; hostname: no look-up of this machine's name.
	setup := `set folder=` + dir + ` hostname=localhost sort=date-sent index_format="%4C [%Z] %s" charset=utf-8`
	for _, prog := range []string{"mutt", "neomutt"} {
		for _, path := range []string{mbox, md} {
			t.Run(prog+" "+filepath.Base(path), func(t *testing.T) {
				screen := runInTmux(t, 120, 40, env, prog, "-n", "-F", "/dev/null", "-e", setup, "-f", path)
				deadline := time.Now().Add(20 * time.Second)
				var s string
				for {
					s = screen()
					missing := ""
					for _, sub := range subjects {
						if !strings.Contains(s, "] "+sub+"\n") && !strings.Contains(s, "] "+sub+" ") {
							missing = sub
							break
						}
					}
					if missing == "" && strings.Contains(s, fmt.Sprintf("Msgs:%d ", len(subjects))) {
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("%s -f %s does not show %q (or Msgs:%d):\n%s", prog, path, missing, len(subjects), s)
					}
					time.Sleep(100 * time.Millisecond)
				}
				if path == md {
					// Seen in popbox: no N or O flag in the Maildir ("[   ]").
					found := 0
					for _, line := range strings.Split(s, "\n") {
						if strings.HasSuffix(line, "] odd mixed") {
							found++
							if !strings.Contains(line, "[   ]") {
								t.Errorf("the seen message is not shown as read: %q", line)
							}
						}
						if strings.HasSuffix(line, "] dots") {
							found++
							if strings.Contains(line, "[   ]") {
								t.Errorf("an unseen message is shown as read: %q", line)
							}
						}
					}
					if found != 2 {
						t.Errorf("the lines of two messages not found:\n%s", s)
					}
				}
			})
		}
	}
}
