package mailtest

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// POP3Msg is one message of a fake POP3 mailbox.
type POP3Msg struct {
	// UID is what UIDL lists; empty leaves the message out of UIDL (but not
	// out of LIST), as a broken server may.
	UID string
	// Raw is the message; RETR sends it dot-stuffed, with the terminator.
	Raw []byte
	// Wire, when set, is sent after the +OK line of RETR instead of the
	// dot-stuffed Raw and terminator.
	Wire []byte
	// ListSize, when set, is what LIST gives as the size instead of len(Raw).
	ListSize string
}

// POP3 is a small scripted RFC 1939 server with CAPA, STLS, SASL PLAIN and
// pipelining, whose answers tests can override to misbehave. Deletions are
// applied at QUIT, as a real server does, and persist across sessions. The
// exported fields configure it; change them with Set once it serves.
type POP3 struct {
	Caps      []string          // CAPA lines; nil: CAPA answers -ERR
	Users     map[string]string // user -> password; NewPOP3 sets alice/secret
	NoUIDL    bool              // UIDL answers -ERR
	TLSConfig *tls.Config       // for STLS; nil: STLS answers -ERR
	// Replies maps a verb to the exact reply (with CRLF) sent instead of
	// the normal one.
	Replies map[string]string
	// Retr, when set, is called for each RETR of an existing message; it
	// returns true when it answered itself (or hung up).
	Retr     func(c net.Conn, n int, m *POP3Msg) bool
	Greeting string // default "+OK fake ready\r\n"
	// WaitAhead makes the first RETR of a session wait a little for the
	// next command before answering, so a pipelining client is seen doing so.
	WaitAhead bool
	// PerSession, when set, makes the server list at most that many
	// messages not yet retrieved in an earlier session (as Gmail does);
	// a session ended by QUIT hides what it retrieved.
	PerSession int
	// Token, when set, takes AUTH XOAUTH2 and OAUTHBEARER and says
	// whether token logs user in (an authorization server's view of it).
	Token func(user, token string) bool

	mu        sync.Mutex
	msgs      []*POP3Msg
	popped    map[*POP3Msg]bool
	cmds      []string // commands received, PASS and AUTH arguments hidden
	pipelined bool     // a command arrived before the previous one was answered
	sessions  int
	quits     int
}

// NewPOP3 is a fake server with these CAPA lines (none: CAPA fails) and the
// user alice with the password secret.
func NewPOP3(caps ...string) *POP3 {
	return &POP3{Caps: caps, Users: map[string]string{"alice": "secret"}}
}

// Add puts a message at the end of the mailbox.
func (f *POP3) Add(uid string, raw string) *POP3 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, &POP3Msg{UID: uid, Raw: []byte(raw)})
	return f
}

// AddMsg puts a message at the end of the mailbox.
func (f *POP3) AddMsg(m POP3Msg) *POP3 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, &m)
	return f
}

// Set changes the fake's configuration under its lock, since a session of
// an earlier test step may still be running.
func (f *POP3) Set(change func(f *POP3)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(f)
}

// config returns what a command needs of the configuration, under the lock.
func (f *POP3) config(verb string) (caps []string, reply string, override bool, retr func(net.Conn, int, *POP3Msg) bool, users map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	reply, override = f.Replies[verb]
	return f.Caps, reply, override, f.Retr, f.Users
}

// Commands lists the commands received so far, PASS and AUTH arguments hidden.
func (f *POP3) Commands() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.cmds...)
}

// Count is how many messages the mailbox holds.
func (f *POP3) Count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.msgs)
}

// Start serves f on a fresh port of 127.0.0.1 and returns the address.
func (f *POP3) Start(t testing.TB) string {
	return Fake(t, f.Serve)
}

// Stuff dot-stuffs raw as RFC 1939 asks: a line that starts with "." after
// CRLF (or at the start) gets another; a final CRLF is added when missing,
// then the terminating line. A bare LF is not a line end, so a dot after it
// is sent as it is, as servers that pass bare LFs through do.
func Stuff(raw []byte) []byte {
	var out bytes.Buffer
	start := true
	for _, c := range raw {
		if start && c == '.' {
			out.WriteByte('.')
		}
		out.WriteByte(c)
		start = c == '\n' && out.Len() >= 2 && out.Bytes()[out.Len()-2] == '\r'
	}
	if n := out.Len(); n > 0 && !bytes.HasSuffix(out.Bytes(), []byte("\r\n")) {
		out.WriteString("\r\n")
	}
	out.WriteString(".\r\n")
	return out.Bytes()
}

// Serve runs one session on c.
func (f *POP3) Serve(c net.Conn) {
	f.mu.Lock()
	f.sessions++
	f.mu.Unlock()
	greeting := f.Greeting
	if greeting == "" {
		greeting = "+OK fake ready\r\n"
	}
	if _, err := io.WriteString(c, greeting); err != nil {
		return
	}
	r := bufio.NewReader(c)
	var (
		user      string
		authed    bool
		view      []*POP3Msg // the mailbox as this session numbers it
		deleted   = map[int]bool{}
		retrieved []*POP3Msg
		firstRETR = true
	)
	say := func(s string) bool {
		_, err := io.WriteString(c, s)
		return err == nil
	}
	multi := func(lines []string) bool {
		return say("+OK\r\n" + strings.Join(append(lines, ""), "\r\n") + ".\r\n")
	}
	msg := func(arg string) (int, *POP3Msg) {
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 || n > len(view) || deleted[n] {
			return 0, nil
		}
		return n, view[n-1]
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		logged := line
		if verb == "PASS" || verb == "AUTH" {
			logged = verb + " ***"
		}
		f.mu.Lock()
		f.cmds = append(f.cmds, logged)
		if r.Buffered() > 0 {
			f.pipelined = true
		}
		f.mu.Unlock()
		caps, rep, override, retrHook, users := f.config(verb)
		if override {
			if !say(rep) {
				return
			}
			if verb == "PASS" || verb == "USER" {
				authed = verb == "PASS"
				view = f.snapshot()
			}
			continue
		}
		switch verb {
		case "CAPA":
			if caps == nil {
				say("-ERR unknown command\r\n")
			} else {
				multi(caps)
			}
		case "STLS":
			if f.TLSConfig == nil || authed {
				say("-ERR STLS not available\r\n")
				continue
			}
			say("+OK begin TLS\r\n")
			tc := tls.Server(c, f.TLSConfig)
			if tc.Handshake() != nil {
				return
			}
			c, r = tc, bufio.NewReader(tc)
		case "USER":
			user = arg
			say("+OK\r\n")
		case "PASS":
			if pw, ok := users[user]; ok && pw == arg && user != "" {
				authed, view = true, f.snapshot()
				say("+OK logged in\r\n")
			} else {
				say("-ERR [AUTH] Authentication failed.\r\n")
			}
		case "AUTH":
			mech, ir, _ := strings.Cut(arg, " ")
			if f.tokenMech(mech) {
				if ir == "" {
					say("+ \r\n")
					l, err := r.ReadString('\n')
					if err != nil {
						return
					}
					ir = strings.TrimRight(l, "\r\n")
				}
				if u, tok, ok := bearer(ir); ok && f.Token(u, tok) {
					authed, view = true, f.snapshot()
					say("+OK logged in\r\n")
				} else {
					say("-ERR [AUTH] Authentication failed.\r\n")
				}
				continue
			}
			if !strings.EqualFold(mech, "PLAIN") {
				say("-ERR unsupported mechanism\r\n")
				continue
			}
			if ir == "" {
				say("+ \r\n")
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				ir = strings.TrimRight(l, "\r\n")
			}
			b, _ := base64.StdEncoding.DecodeString(ir)
			parts := strings.Split(string(b), "\x00")
			if len(parts) == 3 && users[parts[1]] == parts[2] && parts[1] != "" {
				authed, view = true, f.snapshot()
				say("+OK logged in\r\n")
			} else {
				say("-ERR [AUTH] Authentication failed.\r\n")
			}
		case "STAT", "LIST", "UIDL", "RETR", "DELE":
			if !authed {
				say("-ERR not logged in\r\n")
				continue
			}
			switch verb {
			case "STAT":
				n, size := 0, 0
				for i, m := range view {
					if !deleted[i+1] {
						n, size = n+1, size+len(m.Raw)
					}
				}
				say(fmt.Sprintf("+OK %d %d\r\n", n, size))
			case "LIST", "UIDL":
				if verb == "UIDL" && f.NoUIDL {
					say("-ERR no UIDL here\r\n")
					continue
				}
				if arg != "" {
					// RFC 1939: with an argument, one line for that message.
					n, m := msg(arg)
					switch {
					case m == nil:
						say("-ERR no such message\r\n")
					case verb == "UIDL" && m.UID == "":
						say("-ERR no UID for that message\r\n")
					case verb == "UIDL":
						say(fmt.Sprintf("+OK %d %s\r\n", n, m.UID))
					case m.ListSize != "":
						say(fmt.Sprintf("+OK %d %s\r\n", n, m.ListSize))
					default:
						say(fmt.Sprintf("+OK %d %d\r\n", n, len(m.Raw)))
					}
					continue
				}
				var lines []string
				for i, m := range view {
					if deleted[i+1] {
						continue
					}
					if verb == "LIST" {
						size := strconv.Itoa(len(m.Raw))
						if m.ListSize != "" {
							size = m.ListSize
						}
						lines = append(lines, fmt.Sprintf("%d %s", i+1, size))
					} else if m.UID != "" {
						lines = append(lines, fmt.Sprintf("%d %s", i+1, m.UID))
					}
				}
				multi(lines)
			case "RETR":
				if firstRETR && f.WaitAhead {
					c.SetReadDeadline(time.Now().Add(time.Second))
					if _, err := r.Peek(1); err == nil {
						f.mu.Lock()
						f.pipelined = true
						f.mu.Unlock()
					}
					c.SetReadDeadline(time.Time{})
				}
				firstRETR = false
				n, m := msg(arg)
				if m == nil {
					say("-ERR no such message\r\n")
					continue
				}
				if retrHook != nil && retrHook(c, n, m) {
					continue
				}
				retrieved = append(retrieved, m)
				body := m.Wire
				if body == nil {
					body = Stuff(m.Raw)
				}
				if !say(fmt.Sprintf("+OK %d octets\r\n", len(m.Raw)) + string(body)) {
					return
				}
			case "DELE":
				n, m := msg(arg)
				if m == nil {
					say("-ERR no such message\r\n")
					continue
				}
				deleted[n] = true
				say("+OK marked\r\n")
			}
		case "NOOP":
			say("+OK\r\n")
		case "RSET":
			deleted = map[int]bool{}
			say("+OK\r\n")
		case "QUIT":
			f.mu.Lock()
			f.quits++
			if f.PerSession > 0 {
				if f.popped == nil {
					f.popped = map[*POP3Msg]bool{}
				}
				for _, m := range retrieved {
					f.popped[m] = true
				}
			}
			for n := range deleted {
				gone := view[n-1]
				for i, m := range f.msgs {
					if m == gone {
						f.msgs = append(f.msgs[:i], f.msgs[i+1:]...)
						break
					}
				}
			}
			f.mu.Unlock()
			say("+OK bye\r\n")
			return
		default:
			say("-ERR unknown command\r\n")
		}
	}
}

// Sessions is how many connections were served; Quits how many ended with QUIT.
func (f *POP3) Sessions() (sessions, quits int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sessions, f.quits
}

// Pipelined reports whether a command ever arrived before the previous one
// was answered.
func (f *POP3) Pipelined() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pipelined
}

// Remove deletes message i (0-based) of the mailbox, as another client
// would.
func (f *POP3) Remove(i int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs[:i], f.msgs[i+1:]...)
}

// SetUID changes the UID of message i (0-based) of the mailbox.
func (f *POP3) SetUID(i int, uid string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs[i].UID = uid
}

func (f *POP3) snapshot() []*POP3Msg {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.PerSession == 0 {
		return append([]*POP3Msg(nil), f.msgs...)
	}
	var out []*POP3Msg
	for _, m := range f.msgs {
		if !f.popped[m] && len(out) < f.PerSession {
			out = append(out, m)
		}
	}
	return out
}

// tokenMech reports whether mech is an OAuth2 mechanism the fake takes.
func (f *POP3) tokenMech(mech string) bool {
	return f.Token != nil && (strings.EqualFold(mech, "XOAUTH2") || strings.EqualFold(mech, "OAUTHBEARER"))
}

// bearer reads the user and the token of an XOAUTH2 ("user=U^Aauth=Bearer
// T^A^A") or OAUTHBEARER ("n,a=U,^Aauth=Bearer T^A^A") initial response.
func bearer(ir string) (user, token string, ok bool) {
	b, err := base64.StdEncoding.DecodeString(ir)
	if err != nil {
		return "", "", false
	}
	for _, part := range strings.Split(string(b), "\x01") {
		switch {
		case strings.HasPrefix(part, "user="):
			user = strings.TrimPrefix(part, "user=")
		case strings.HasPrefix(part, "n,"):
			for _, kv := range strings.Split(part, ",") {
				if v, found := strings.CutPrefix(kv, "a="); found {
					user = v
				}
			}
		case strings.HasPrefix(part, "auth=Bearer "):
			token = strings.TrimPrefix(part, "auth=Bearer ")
		}
	}
	return user, token, user != "" && token != ""
}
