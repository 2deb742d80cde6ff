package mail

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// writeLog is a connection that answers every command with "+OK" (the
// replies are ready in advance) and keeps each write.
type writeLog struct {
	scriptConn
	writes []string
}

func (c *writeLog) Write(b []byte) (int, error) {
	c.writes = append(c.writes, string(b))
	return len(b), nil
}

// TestWindowBounds: with PIPELINING a window holds at most pipelineWindow
// commands and about pipelineBytes of announced replies, is refilled when
// half of it has been read, and every refill is one write; without it,
// each command is its own write after the reply before it.
func TestWindowBounds(t *testing.T) {
	for _, tc := range []struct {
		name       string
		pipelining bool
		n          int
		reply      int64
		maxFlight  int
		writes     int
	}{
		{name: "pipelining, small replies", pipelining: true, n: 300, reply: 100, maxFlight: pipelineWindow, writes: 4},
		{name: "pipelining, 1 MiB replies", pipelining: true, n: 40, reply: 1 << 20, maxFlight: pipelineBytes >> 20},
		{name: "pipelining, one huge reply each", pipelining: true, n: 5, reply: 1 << 40, maxFlight: 1, writes: 5},
		{name: "no pipelining", n: 10, reply: 100, maxFlight: 1, writes: 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := &writeLog{scriptConn: scriptConn{r: bytes.NewReader([]byte(strings.Repeat("+OK\r\n", tc.n)))}}
			s := &session{ctx: context.Background(), addr: "test", r: bufio.NewReader(conn), tcp: &deadlineConn{idle: time.Second}, conn: conn}
			s.caps.pipelining = tc.pipelining
			w := s.newWindow("RETR", tc.n, func(i int) (int, int64) { return i + 1, tc.reply })
			for i := 0; i < tc.n; i++ {
				ok, _, err := w.next()
				if err != nil || !ok {
					t.Fatalf("reply %d: %v %v", i, ok, err)
				}
				if flight := w.sent - w.read + 1; flight > tc.maxFlight {
					t.Fatalf("reply %d: %d commands in flight, want at most %d", i, flight, tc.maxFlight)
				}
			}
			var all strings.Builder
			for _, b := range conn.writes {
				all.WriteString(b)
			}
			var want strings.Builder
			for i := 1; i <= tc.n; i++ {
				fmt.Fprintf(&want, "RETR %d\r\n", i)
			}
			if all.String() != want.String() {
				t.Errorf("commands written: %q", all.String())
			}
			if tc.writes > 0 && len(conn.writes) != tc.writes {
				t.Errorf("%d writes, want %d", len(conn.writes), tc.writes)
			}
		})
	}
}
