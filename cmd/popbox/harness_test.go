package main

// The harness of the command's tests: the binary run with a home of its
// own (cli), what its output may hold, and the binary in a tmux pane for
// the end-to-end tests of the TUI (tmuxTerm).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"popbox/mail/mailtest"
)

// popboxExe returns a path that runs this test binary as popbox.
func popboxExe(t testing.TB) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	link := filepath.Join(dir, "popbox")
	if err := os.Symlink(self, link); err != nil {
		t.Fatal(err)
	}
	return link
}

// cli runs the popbox binary with its own home and database.
type cli struct {
	t   testing.TB
	exe string
	db  string
	env []string
}

// raceOptions is GORACE for the popbox processes the tests start. Under
// -race the runtime waits a second before a process exits
// (atexit_sleep_ms, so that other goroutines' reports get out), and the
// tests run popbox hundreds of times: that second was most of the
// package's time. A race is still reported when it happens, and
// crashMarks catch its "goroutine " lines; 50 ms is left for a report
// under way at exit.
func raceOptions() string {
	return strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=50")
}

func newCLI(t testing.TB, srv *mailtest.Server) *cli {
	t.Helper()
	home := t.TempDir()
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"POPBOX_POLICY=" + filepath.Join(home, "no-policy.json"),
		"NO_COLOR=1",
		"GORACE=" + raceOptions(),
	}
	if srv != nil {
		env = append(env, "SSL_CERT_FILE="+srv.CAFile)
	}
	return &cli{t: t, exe: popboxExe(t), db: filepath.Join(home, "popbox.db"), env: env}
}

func (c *cli) cmd(stdin string, args ...string) *exec.Cmd {
	cmd := exec.Command(c.exe, append([]string{"--db", c.db}, args...)...)
	cmd.Env = c.env
	cmd.Stdin = strings.NewReader(stdin)
	return cmd
}

// crashMarks are what the Go runtime writes when a program dies of a panic,
// a signal or a fault instead of saying what happened.
var crashMarks = []string{"panic", "fatal error", "SIGBUS", "SIGSEGV", "unexpected fault", "goroutine "}

// run runs popbox and returns stdout, stderr and the exit status. It fails
// the test when popbox crashed: killed by a signal, or the runtime's words
// on stderr.
func (c *cli) run(stdin string, args ...string) (string, string, int) {
	c.t.Helper()
	cmd := c.cmd(stdin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("popbox %v: %v", args, err)
	}
	if code < 0 {
		c.t.Fatalf("popbox %v died: %v\n%s", args, err, errb.String())
	}
	for _, bad := range crashMarks {
		if strings.Contains(errb.String(), bad) {
			c.t.Fatalf("popbox %v crashed (exit %d):\n%s", args, code, errb.String())
		}
	}
	return out.String(), errb.String(), code
}

// ok runs popbox and fails the test unless it exits 0.
func (c *cli) ok(stdin string, args ...string) string {
	c.t.Helper()
	out, errs, code := c.run(stdin, args...)
	if code != 0 {
		c.t.Fatalf("popbox %v: exit %d\nstdout: %s\nstderr: %s", args, code, out, errs)
	}
	return out
}

// addAccount adds an account on srv with the login check.
func (c *cli) addAccount(srv *mailtest.Server, name, user, pass, security, retention string, extra ...string) string {
	c.t.Helper()
	port := srv.POPSPort
	if security != "ssl" {
		port = srv.POPPort
	}
	args := append([]string{"account", "add", "--name", name, "--email", user + "@example.test",
		"--host", srv.Host, "--port", strconv.Itoa(port), "--security", security,
		"--user", user, "--password-stdin", "--retention", retention}, extra...)
	return c.ok(pass+"\n", args...)
}

// addFake adds an account for a fake server at addr (security none, or ssl
// with caFile), without the login check.
func (c *cli) addFake(addr, name, security, caFile string, extra ...string) {
	c.t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		c.t.Fatal(err)
	}
	args := []string{"account", "add", "--name", name, "--email", "alice@example.test", "--host", host,
		"--port", port, "--security", security, "--user", "alice", "--password-stdin", "--retention", "delete", "--no-check"}
	if caFile != "" {
		args = append(args, "--ca-file", caFile)
	}
	c.ok("secret\n", append(args, extra...)...)
}

// listed is one message of list --json.
type listed struct {
	ID      string `json:"id"`
	UID     string `json:"uid"`
	Subject string `json:"subject"`
	From    struct {
		Name    string `json:"name"`
		Address string `json:"address"`
	} `json:"from"`
	Date *string `json:"date"`
	Size int64   `json:"size"`
}

// list is list --json of an account, which must be a JSON array.
func (c *cli) list(account string) []listed {
	c.t.Helper()
	out := c.ok("", "list", "--account", account, "--json")
	var l []listed
	if err := json.Unmarshal([]byte(out), &l); err != nil {
		c.t.Fatalf("list --json is not a JSON array: %v\n%s", err, out)
	}
	return l
}

// terminalSafe fails on any byte a terminal would act on in popbox's
// output: escape sequences, other control characters but the line end,
// C1 controls and bidirectional overrides.
func terminalSafe(t *testing.T, what, s string) {
	t.Helper()
	for _, r := range s {
		if r == '\n' {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Bidi_Control, r) {
			t.Errorf("%s holds %U: %q", what, r, s)
			return
		}
	}
}

// tmuxTerm is the real binary running in a tmux pane of its own tmux server.
//
// An Escape and the key after it, when they reach popbox in one read, are
// one key, alt+key (as in every terminal program): after an Escape the test
// must wait for the screen to show that it was handled before it sends
// anything else. keys and typeText fail the test when it does not.
type tmuxTerm struct {
	t      *testing.T
	socket string
	target string
	// escaped is set by an Escape sent, cleared by a wait on the screen.
	escaped bool
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
	if !slices.ContainsFunc(envArgs, func(kv string) bool { return strings.HasPrefix(kv, "POPBOX_DNS_SERVER=") }) {
		// The wizard looks up the servers of an address it has no preset
		// for: here it asks a DNS server that knows no name, never the
		// network's.
		envArgs = append(envArgs, "POPBOX_DNS_SERVER="+startTestDNS(t).addr)
	}
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
// Escape must be the last, and a wait on the screen must follow it.
func (tm *tmuxTerm) keys(keys ...string) {
	tm.t.Helper()
	for _, k := range keys {
		tm.notAfterEscape(k)
		if k == "Escape" || k == "C-[" {
			tm.escaped = true
		}
	}
	tm.tmux(append([]string{"send-keys", "-t", tm.target}, keys...)...)
}

// typeText types literal text.
func (tm *tmuxTerm) typeText(s string) {
	tm.t.Helper()
	tm.notAfterEscape(s)
	tm.tmux("send-keys", "-t", tm.target, "-l", s)
}

// notAfterEscape fails the test when key would follow an Escape that the
// screen has not yet shown handled.
func (tm *tmuxTerm) notAfterEscape(key string) {
	tm.t.Helper()
	if tm.escaped {
		tm.t.Fatalf("%q sent right after Escape: popbox may read the two as alt+%s; wait for the screen first", key, key)
	}
}

func (tm *tmuxTerm) screen() string {
	tm.t.Helper()
	return tm.tmux("capture-pane", "-p", "-t", tm.target)
}

// waitUntil polls the screen until done says yes and returns it; after
// timeout it fails the test with what (the screen goes below it).
func (tm *tmuxTerm) waitUntil(timeout time.Duration, what string, done func(screen string) bool) string {
	tm.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := tm.screen()
		if done(s) {
			tm.escaped = false
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("%s after %v:\n%s", what, timeout, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitFor waits until the screen contains every one of texts and returns it.
func (tm *tmuxTerm) waitFor(timeout time.Duration, texts ...string) string {
	tm.t.Helper()
	return tm.waitUntil(timeout, fmt.Sprintf("the screen does not show %q", texts), func(s string) bool {
		for _, x := range texts {
			if !strings.Contains(s, x) {
				return false
			}
		}
		return true
	})
}

// waitGone waits until the screen no longer contains text.
func (tm *tmuxTerm) waitGone(timeout time.Duration, text string) string {
	tm.t.Helper()
	return tm.waitUntil(timeout, fmt.Sprintf("the screen still shows %q", text), func(s string) bool {
		return !strings.Contains(s, text)
	})
}
