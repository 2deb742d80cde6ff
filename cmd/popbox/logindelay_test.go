package main

import (
	"bufio"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"popbox/mail/mailtest"
)

// TestFetchLoginDelay: a server that asks for five minutes between logins
// (CAPA LOGIN-DELAY 300) is not logged in to again at once; fetch says so
// and exits 0, and --force logs in anyway.
func TestFetchLoginDelay(t *testing.T) {
	var logins atomic.Int32
	addr := mailtest.Fake(t, func(c net.Conn) {
		defer c.Close()
		r := bufio.NewReader(c)
		say := func(s string) { c.Write([]byte(s + "\r\n")) }
		say("+OK fake POP3 ready")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			cmd, _, _ := strings.Cut(strings.TrimSpace(line), " ")
			switch strings.ToUpper(cmd) {
			case "CAPA":
				say("+OK\r\nUSER\r\nUIDL\r\nLOGIN-DELAY 300\r\n.")
			case "USER":
				say("+OK")
			case "PASS":
				logins.Add(1)
				say("+OK logged in")
			case "STAT":
				say("+OK 0 0")
			case "UIDL", "LIST":
				say("+OK\r\n.")
			case "QUIT":
				say("+OK bye")
				return
			default:
				say("-ERR unknown command")
			}
		}
	})
	host, port, _ := net.SplitHostPort(addr)
	c := newCLI(t, nil)
	c.ok("pw\n", "account", "add", "--name", "slow", "--email", "a@example.test", "--host", host, "--port", port,
		"--security", "none", "--user", "a", "--password-stdin", "--no-check")
	out := c.ok("", "fetch")
	if !strings.Contains(out, "slow: 0 new") || logins.Load() != 1 {
		t.Fatalf("first fetch: %q, %d logins", out, logins.Load())
	}
	out = c.ok("", "fetch")
	if !strings.Contains(out, "nothing fetched") || !strings.Contains(out, "--force") || logins.Load() != 1 {
		t.Fatalf("fetch within the login delay: %q, %d logins", out, logins.Load())
	}
	if out = c.ok("", "fetch", "--quiet"); out != "" || logins.Load() != 1 {
		t.Fatalf("fetch --quiet within the login delay printed %q (%d logins)", out, logins.Load())
	}
	out = c.ok("", "fetch", "--force")
	if !strings.Contains(out, "slow: 0 new") || logins.Load() != 2 {
		t.Fatalf("fetch --force: %q, %d logins", out, logins.Load())
	}
}
