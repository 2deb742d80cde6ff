package main

// The running TUI serves its database to the command line: while it has
// the database open (and so holds its lock), it listens on <db>.sock, and
// a popbox command that finds the socket answering sends it the command
// (client.go); this process runs the same command code against its open
// store and streams the output back. One process still owns the bbolt
// file; a cron `popbox fetch` works while the TUI is open.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"popbox/mail"
	"popbox/store"
	"popbox/tui"
)

// served is what a command run for a client sees of the serving process.
type served struct {
	st *store.Store
	// ctx ends when the client goes away or the TUI quits.
	ctx context.Context
	// dir is the client's working folder.
	dir    string
	notify func(tui.Outside)
}

// fetched tells the TUI that a served fetch of account id ended (nothing
// outside a served command): its outcome when it succeeded, else only
// that the messages may have changed (the error is the command's to say).
func (s *served) fetched(id string, res mail.SyncResult, err error) {
	switch {
	case s == nil:
	case err == nil:
		s.notify(tui.Outside{AccountID: id, Fetch: &res})
	case res.New > 0 || res.Deleted > 0:
		s.notify(tui.Outside{AccountID: id})
	}
}

// abs is p, a path the user gave, as the client meant it: relative to its
// working folder.
func (e env) abs(p string) string {
	if e.srv == nil || p == "" || filepath.IsAbs(p) || e.srv.dir == "" {
		return p
	}
	return filepath.Join(e.srv.dir, p)
}

// rel is path (made from given with abs) as the user would have seen it
// had the command run in the client: relative when given was.
func (e env) rel(given, path string) string {
	if e.srv == nil || filepath.IsAbs(given) || e.srv.dir == "" {
		return path
	}
	if r, err := filepath.Rel(e.srv.dir, path); err == nil {
		return r
	}
	return path
}

// interruptible is the context of a long command: Ctrl-C or SIGTERM ends
// it; a served command's ends when its client goes away (the serving
// process's signals are the TUI's own).
func (e env) interruptible() (context.Context, context.CancelFunc) {
	if e.srv != nil {
		return context.WithCancel(e.srv.ctx)
	}
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// server listens on the socket of an open store.
type server struct {
	st     *store.Store
	sock   string
	info   os.FileInfo // the socket file made, removed at close if still there
	ln     *net.UnixListener
	events chan tui.Outside

	// ctx ends the served commands (at close).
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	closing bool
	conns   map[*net.UnixConn]bool
	wg      sync.WaitGroup
}

// serveFinish is how long close lets served commands finish on their own
// (a cron fetch under way) before it cancels them; serveStop how long it
// then waits for them to stop.
const (
	serveFinish = 10 * time.Second
	serveStop   = 20 * time.Second
)

// startServer listens on the socket beside st's database, mode 0600. A
// socket a crashed popbox left (no one answers on it) is replaced; any
// other file there is left alone, and nothing is served.
func startServer(st *store.Store) (*server, error) {
	sock := socketPath(st.Path())
	ln, err := listenSocket(sock)
	if err != nil {
		return nil, err
	}
	// Made with the umask's mode, which already denies others the write
	// permission connecting needs; 0600 says it outright.
	if err := os.Chmod(sock, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	info, err := os.Lstat(sock)
	if err != nil {
		ln.Close()
		return nil, err
	}
	ln.SetUnlinkOnClose(false)
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{st: st, sock: sock, info: info, ln: ln, events: make(chan tui.Outside, 16),
		ctx: ctx, cancel: cancel, conns: map[*net.UnixConn]bool{}}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// listenSocket listens at path, replacing a stale socket.
func listenSocket(path string) (*net.UnixListener, error) {
	listen := func() (ln *net.UnixListener, err error) {
		err = withSocketAddr(path, func(addr string) error {
			ln, err = net.ListenUnix("unix", &net.UnixAddr{Name: addr, Net: "unix"})
			return err
		})
		return ln, err
	}
	ln, err := listen()
	if err == nil || !errors.Is(err, syscall.EADDRINUSE) {
		return ln, err
	}
	fi, lerr := os.Lstat(path)
	if lerr != nil || fi.Mode().Type() != os.ModeSocket {
		return nil, err
	}
	if c, derr := dialSocket(path, time.Second); derr == nil {
		c.Close()
		return nil, err
	}
	if rerr := os.Remove(path); rerr != nil {
		return nil, rerr
	}
	return listen()
}

func (s *server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.AcceptUnix()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// EMFILE and the like: wait, do not spin.
			time.Sleep(100 * time.Millisecond)
			continue
		}
		s.wg.Add(1)
		go s.handle(c)
	}
}

// handle serves one connection: one command.
func (s *server) handle(c *net.UnixConn) {
	defer s.wg.Done()
	defer c.Close()
	if !samePeer(c) {
		return
	}
	s.mu.Lock()
	closing := s.closing
	if !closing {
		s.conns[c] = true
	}
	s.mu.Unlock()
	if closing {
		writeFrame(c, frameRefused, nil)
		return
	}
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}()
	// A client that connects and says nothing (serving's probe, or one
	// that hangs) is dropped.
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	typ, b, err := readFrame(c, maxRequest)
	if err != nil || typ != frameRequest {
		return
	}
	var req request
	if err := json.Unmarshal(b, &req); err != nil || req.Version != wireVersion || len(req.Args) == 0 {
		writeFrame(c, frameRefused, nil)
		return
	}
	if writeFrame(c, frameAccepted, nil) != nil {
		return
	}
	typ, stdin, err := readFrame(c, maxRequest)
	if err != nil || typ != frameStdin || len(stdin) == 0 {
		return
	}
	req.StdinTTY, stdin = stdin[0] == 1, stdin[1:]
	c.SetReadDeadline(time.Time{})
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	go func() {
		// The client sends nothing more: a read that returns means it
		// went away (or broke the protocol), and the command stops.
		var one [1]byte
		c.Read(one[:])
		cancel()
	}()
	var mu sync.Mutex
	e := env{
		stdin:     bytes.NewReader(stdin),
		stdout:    &frameWriter{mu: &mu, w: c, typ: frameStdout},
		stderr:    &frameWriter{mu: &mu, w: c, typ: frameStderr},
		getenv:    req.getenv,
		stdinTTY:  req.StdinTTY,
		stdoutTTY: req.StdoutTTY,
		stderrTTY: req.StderrTTY,
		srv:       &served{st: s.st.Lend(), ctx: ctx, dir: req.Dir, notify: s.notify},
	}
	code := runServed(req.Args, e)
	if code == 0 && changesAccounts(req.Args) {
		s.notify(tui.Outside{Accounts: true})
	}
	mu.Lock()
	writeFrame(c, frameExit, statusBytes(code))
	mu.Unlock()
}

// runServed is run for a client: a panic in the command ends the
// command, not the TUI that serves it.
func runServed(args []string, e env) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(e.stderr, "popbox: internal error while the running popbox ran the command: %v\n", r)
			code = 1
		}
	}()
	return run(args, e)
}

// changesAccounts says whether a command may have added, changed or
// removed an account or made another active.
func changesAccounts(args []string) bool {
	return len(args) > 0 && args[0] == "account"
}

// getenv is the client's variable for those that matter to a command,
// the serving process's for the rest.
func (r request) getenv(name string) string {
	if forwardedVar(name) {
		return r.Env[name]
	}
	return os.Getenv(name)
}

// forwardedVar says whether a client sends the variable: the locale, and
// popbox's own settings but the database (which the socket already names).
func forwardedVar(name string) bool {
	switch {
	case name == "LANG", name == "LANGUAGE", name == "NO_COLOR", strings.HasPrefix(name, "LC_"):
		return true
	case strings.HasPrefix(name, "POPBOX_"):
		return name != "POPBOX_DB"
	}
	return false
}

// notify hands news to the TUI; after close no one reads it.
func (s *server) notify(o tui.Outside) {
	select {
	case s.events <- o:
	case <-s.ctx.Done():
	}
}

// close stops serving once the TUI is done: no new command is taken, the
// running ones get serveFinish to end on their own (a cron fetch under way
// completes), then are cancelled; the socket file goes. The store is
// closed after.
func (s *server) close() {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	s.ln.Close()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(serveFinish):
		s.cancel()
		s.mu.Lock()
		for c := range s.conns {
			// A client that does not read its output must not hold the
			// store open.
			c.SetWriteDeadline(time.Now().Add(2 * time.Second))
		}
		s.mu.Unlock()
		select {
		case <-done:
		case <-time.After(serveStop):
		}
	}
	s.cancel()
	if fi, err := os.Lstat(s.sock); err == nil && os.SameFile(fi, s.info) {
		os.Remove(s.sock)
	}
}
