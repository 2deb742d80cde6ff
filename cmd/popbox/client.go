package main

// The command line's side of serving (serve.go): a command whose database
// a running TUI has open is sent there, and its output and exit status
// reproduced here; a database that another command holds (a cron fetch)
// is waited for.

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"popbox/store"
	"popbox/tui/i18n"
)

// How long a fetch (fetchLockWait) or the TUI (tuiLockWait) waits for
// another popbox command to let go of the database; other commands say
// at once that popbox is running. POPBOX_LOCK_WAIT (seconds) sets all.
const (
	fetchLockWait = 30 * time.Second
	tuiLockWait   = 3 * time.Minute
)

// acceptWait is how long a client waits for the TUI to take its command:
// a TUI stopped with Ctrl-Z answers nothing.
const acceptWait = 10 * time.Second

func lockWait(e env, def time.Duration) time.Duration {
	if v := strings.TrimSpace(e.getenv("POPBOX_LOCK_WAIT")); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			return time.Duration(n) * time.Second
		}
	}
	return def
}

// lockedError is ErrLocked from a command that waited for the database;
// tui says a TUI has it now and serves it, so the command can be sent
// there.
type lockedError struct {
	err error
	tui bool
}

func (e lockedError) Error() string { return e.err.Error() }
func (e lockedError) Unwrap() error { return e.err }

// openWithWait is openWith that waits up to wait for another popbox to
// let go of the database (see openWaiting); tui: for the TUI.
func openWithWait(db string, e env, opts store.Options, wait time.Duration, tui bool) (*store.Store, error) {
	if e.srv != nil {
		return e.srv.st.Lend(), nil
	}
	path, err := store.ResolvePath(db)
	if err != nil {
		return nil, err
	}
	if e.stderrTTY {
		var last time.Time
		shown := false
		opts.Progress = func(done, total int) {
			if now := time.Now(); shown && done < total && now.Sub(last) < 80*time.Millisecond {
				return
			} else {
				last = now
			}
			shown = true
			fmt.Fprintf(e.stderr, "\x1b[2K\rUpgrading the database to a new format: %s of %s messages...", i18n.Count(done), i18n.Count(total))
		}
		defer func() {
			if shown {
				fmt.Fprint(e.stderr, "\x1b[2K\r")
			}
		}()
	}
	return openWaiting(path, e, opts, wait, tui)
}

// openWaiting opens the database at path; while another popbox holds it,
// it tries again for up to wait, with a line on stderr that says so (on a
// terminal, with a spinner; for the TUI, once, otherwise). A TUI that has
// the database ends the wait at once: a command is then sent to it
// (lockedError), and a second TUI gives up with the usual sentence.
func openWaiting(path string, e env, opts store.Options, wait time.Duration, tui bool) (*store.Store, error) {
	opts.Timeout = time.Second
	st, err := store.Open(path, opts)
	if !errors.Is(err, store.ErrLocked) {
		return st, err
	}
	deadline := time.Now().Add(wait - time.Second)
	var stop func()
	for {
		if serving(path) {
			if tui {
				break
			}
			err = lockedError{err: err, tui: true}
			break
		}
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		if stop == nil {
			stop = waitLine(e, e.lang.Tr("cli.serve.waiting", path), tui)
			defer stop()
		}
		opts.Timeout = min(time.Second, left)
		if st, err = store.Open(path, opts); !errors.Is(err, store.ErrLocked) {
			return st, err
		}
	}
	return nil, err
}

// waitLine shows text on stderr until the returned func is called: on a
// terminal a line with a spinner, cleared at the end; otherwise, for the
// TUI, the text once (a cron job waits silently).
func waitLine(e env, text string, tui bool) func() {
	if !e.stderrTTY {
		if tui {
			fmt.Fprintln(e.stderr, text)
		}
		return func() {}
	}
	frames := []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(120 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			fmt.Fprintf(e.stderr, "\x1b[2K\r%c %s", frames[i%len(frames)], text)
			select {
			case <-done:
				fmt.Fprint(e.stderr, "\x1b[2K\r")
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// touchReader notes whether a command read its standard input: one that
// did cannot be sent to a TUI afterwards.
type touchReader struct {
	r       io.Reader
	touched bool
}

func (t *touchReader) Read(p []byte) (int, error) {
	t.touched = true
	return t.r.Read(p)
}

// forward sends the command args to a TUI serving the database (db as
// --db gave it) and reproduces what it writes and its exit status. ok is
// false when no TUI took the command; it has then not run, and nothing of
// stdin was read.
func forward(db string, args []string, e env) (code int, ok bool) {
	if args[0] == "repair" {
		// Repair reads the file itself; the TUI must be closed first.
		return 0, false
	}
	path, err := store.ResolvePath(db)
	if err != nil {
		return 0, false
	}
	c, err := dialSocket(socketPath(path), time.Second)
	if err != nil {
		return 0, false
	}
	defer c.Close()
	dir, _ := os.Getwd()
	req := request{Version: wireVersion, Args: args, Env: map[string]string{}, Dir: dir,
		StdinTTY: e.stdinTTY, StdoutTTY: e.stdoutTTY, StderrTTY: e.stderrTTY}
	for _, kv := range os.Environ() {
		if k, v, _ := strings.Cut(kv, "="); forwardedVar(k) {
			req.Env[k] = v
		}
	}
	b, err := json.Marshal(req)
	if err != nil || len(b) > maxRequest {
		return 0, false
	}
	c.SetDeadline(time.Now().Add(acceptWait))
	if writeFrame(c, frameRequest, b) != nil {
		return 0, false
	}
	typ, _, err := readFrame(c, maxServerFrame)
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		fmt.Fprintln(e.stderr, "popbox: "+e.lang.Tr("cli.serve.noAnswer", path)+".")
		return 1, true
	}
	if err != nil || typ != frameAccepted {
		return 0, false
	}
	c.SetDeadline(time.Time{})
	stdin, tty, err := stdinFor(args, e)
	if err != nil {
		fmt.Fprintln(e.stderr, "popbox: "+sentence(e.lang, err))
		return 1, true
	}
	// The first byte says whether the command is to take its stdin for a
	// terminal (a password asked for here is not).
	flag := byte(0)
	if tty {
		flag = 1
	}
	if writeFrame(c, frameStdin, append([]byte{flag}, stdin...)) != nil {
		return lost(e, path)
	}
	for {
		typ, p, err := readFrame(c, maxServerFrame)
		if err != nil {
			return lost(e, path)
		}
		switch typ {
		case frameStdout:
			e.stdout.Write(p)
		case frameStderr:
			e.stderr.Write(p)
		case frameExit:
			if len(p) != 4 {
				return lost(e, path)
			}
			return int(int32(binary.BigEndian.Uint32(p))), true
		default:
			return lost(e, path)
		}
	}
}

// lost says that the TUI went away before the command ended.
func lost(e env, path string) (int, bool) {
	fmt.Fprintln(e.stderr, "popbox: "+e.lang.Tr("cli.serve.lost", path)+".")
	return 1, true
}

// stdinFor is the standard input a command reads, and whether the
// command is to see it as a terminal: the passwords of --password-stdin
// (the first lines of a terminal, else up to maxStdin bytes), and the
// new password of account passwd, which is asked for here, on this
// terminal, when it is one.
func stdinFor(args []string, e env) ([]byte, bool, error) {
	cmd := args[0]
	if cmd == "account" && len(args) > 1 {
		cmd += " " + args[1]
	}
	lines := 0
	switch cmd {
	case "account add":
		if hasFlag(args, "password-stdin") {
			lines = 2
		}
	case "account passwd", "account password":
		lines = 1
		if e.stdinTTY && !hasFlag(args, "password-stdin") && !hasFlag(args, "help") && !hasFlag(args, "h") {
			pw, err := promptPassword(e, "New password: ")
			if err != nil {
				return nil, false, err
			}
			return []byte(pw + "\n"), false, nil
		}
	}
	if lines == 0 {
		return nil, e.stdinTTY, nil
	}
	if !e.stdinTTY {
		b, err := io.ReadAll(io.LimitReader(e.stdin, maxStdin))
		return b, false, err
	}
	var out []byte
	r := bufio.NewReader(io.LimitReader(e.stdin, maxStdin))
	for range lines {
		line, err := r.ReadBytes('\n')
		out = append(out, line...)
		if err != nil {
			break
		}
	}
	return out, true, nil
}

// hasFlag says whether args give the boolean flag name (not =false).
func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		n, v, withValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && n == name && (!withValue || v != "false") {
			return true
		}
	}
	return false
}
