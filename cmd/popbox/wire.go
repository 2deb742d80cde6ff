package main

// The wire format between a popbox on the command line and the running
// TUI that serves its database (serve.go, client.go), over the Unix socket
// <db>.sock. Every message is a frame: one type byte, a 4-byte big-endian
// length, then that many bytes. The client sends frameRequest (JSON of
// request); the server answers frameAccepted (or frameRefused: run the
// command yourself); the client then sends frameStdin (the standard input
// the command reads, often empty, after a byte that says whether it is
// to be taken for a terminal); the server streams frameStdout and
// frameStderr and ends with frameExit (the exit status, 4 bytes). The
// client sends nothing more: when it goes away the server cancels the
// command.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

// Frame types.
const (
	frameRequest  = 'R'
	frameAccepted = 'A'
	frameRefused  = 'N'
	frameStdin    = 'I'
	frameStdout   = 'O'
	frameStderr   = 'E'
	frameExit     = 'X'
)

// Bounds: a frame longer than its reader allows is refused (the
// connection is dropped) before anything is allocated for it.
const (
	// maxRequest bounds what the server reads from a client: the request
	// and the standard input frame.
	maxRequest = 4 << 20
	// maxStdin is how much standard input the client sends.
	maxStdin = 1 << 20
	// maxOutFrame is the largest output frame the server writes.
	maxOutFrame = 64 << 10
	// maxServerFrame bounds what the client reads from the server.
	maxServerFrame = 1 << 20
)

// wireVersion changes when request or the frames change meaning.
const wireVersion = 1

// request is a command for the server to run.
type request struct {
	Version int `json:"v"`
	// Args are the command and its arguments, without --db.
	Args []string `json:"args"`
	// Env holds the variables that matter to a command (see forwardedVar)
	// that are set in the client's environment.
	Env map[string]string `json:"env"`
	// Dir is the client's working folder, which relative paths mean.
	Dir       string `json:"dir"`
	StdinTTY  bool   `json:"stdin_tty"`
	StdoutTTY bool   `json:"stdout_tty"`
	StderrTTY bool   `json:"stderr_tty"`
}

var errFrameTooBig = errors.New("frame too big")

// writeFrame writes one frame in one Write.
func writeFrame(w io.Writer, typ byte, payload []byte) error {
	b := make([]byte, 5+len(payload))
	b[0] = typ
	binary.BigEndian.PutUint32(b[1:5], uint32(len(payload)))
	copy(b[5:], payload)
	_, err := w.Write(b)
	return err
}

// readFrame reads one frame of at most limit bytes.
func readFrame(r io.Reader, limit int) (byte, []byte, error) {
	var h [5]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(h[1:])
	if int64(n) > int64(limit) {
		return 0, nil, fmt.Errorf("%w: %d bytes", errFrameTooBig, n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return 0, nil, err
	}
	return h[0], b, nil
}

// frameWriter is a command's stdout or stderr on the connection: each
// Write is sent as frames of its type. mu is shared by the two, so that
// frames never interleave.
type frameWriter struct {
	mu  *sync.Mutex
	w   io.Writer
	typ byte
}

func (f *frameWriter) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for len(p) > 0 {
		chunk := p[:min(len(p), maxOutFrame)]
		if err := writeFrame(f.w, f.typ, chunk); err != nil {
			return n, err
		}
		n += len(chunk)
		p = p[len(chunk):]
	}
	return n, nil
}

// statusBytes is an exit status as frameExit carries it.
func statusBytes(code int) []byte {
	return binary.BigEndian.AppendUint32(nil, uint32(int32(code)))
}

// socketPath is where the TUI that has the database at db open listens.
func socketPath(db string) string { return db + ".sock" }

// withSocketAddr calls fn with an address for the socket at path. A Unix
// socket's address holds about 100 bytes; on Linux a longer path is
// reached through the folder's descriptor (/proc/self/fd/N/NAME).
func withSocketAddr(path string, fn func(addr string) error) error {
	if len(path) < 100 || runtime.GOOS != "linux" {
		return fn(path)
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return fn(path)
	}
	defer d.Close()
	return fn(fmt.Sprintf("/proc/self/fd/%d/%s", d.Fd(), filepath.Base(path)))
}

// dialSocket connects to the socket at path.
func dialSocket(path string, timeout time.Duration) (*net.UnixConn, error) {
	var c net.Conn
	err := withSocketAddr(path, func(addr string) error {
		var err error
		c, err = net.DialTimeout("unix", addr, timeout)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c.(*net.UnixConn), nil
}

// serving says whether a TUI answers on the socket of the database at db.
func serving(db string) bool {
	c, err := dialSocket(socketPath(db), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
