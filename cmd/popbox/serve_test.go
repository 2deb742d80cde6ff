package main

// The wire between a command and the TUI that serves its database, in
// process: a server on a real store, the client's forward, and clients
// that misbehave.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"popbox/mail"
	"popbox/mail/mailtest"
	"popbox/store"
	"popbox/tui"
	"popbox/tui/i18n"
)

// servedDB is an open store with one account and the server on it.
type servedDB struct {
	path string
	st   *store.Store
	srv  *server
	acct mail.Account
	// news is what the server told the TUI.
	news chan tui.Outside
}

func newServedDB(t *testing.T) *servedDB {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "popbox.db")
	st, err := store.Open(path, store.Options{PolicyFile: filepath.Join(dir, "policy.json")})
	if err != nil {
		t.Fatal(err)
	}
	a, err := st.AddAccount(mail.Account{Name: "Work", Email: "taro@example.com",
		Incoming:  mail.Server{Host: "pop.example.com", Port: 995, Security: mail.SecuritySSL, User: "taro", Password: "old"},
		Retention: mail.Retention{Kind: mail.RetainKeep}, SMTPSame: true})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := startServer(st)
	if err != nil {
		t.Fatal(err)
	}
	d := &servedDB{path: path, st: st, srv: srv, acct: a, news: make(chan tui.Outside, 64)}
	t.Cleanup(func() {
		srv.close()
		st.Close()
	})
	// The TUI reads the news; here they are kept, the first 64.
	go func() {
		for o := range srv.events {
			select {
			case d.news <- o:
			default:
			}
		}
	}()
	return d
}

// put stores a message of the account with the given raw bytes.
func (d *servedDB) put(t *testing.T, uid string, raw []byte) string {
	t.Helper()
	m := mail.NewMessage{UID: uid, Raw: raw, Digest: sha256.Sum256(raw), FirstSeen: time.Now(),
		Summary: mail.Summary{Subject: uid, Size: int64(len(raw)), Date: time.Now()}}
	if _, err := d.st.Commit(d.acct.ID, []mail.NewMessage{m}); err != nil {
		t.Fatal(err)
	}
	msgs, err := d.st.Page(d.acct.ID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.UID == uid {
			return m.ID
		}
	}
	t.Fatalf("message %s not stored", uid)
	return ""
}

// call forwards args with stdin and returns stdout, stderr and the status.
func (d *servedDB) call(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	e := env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: os.Getenv, lang: i18n.EN}
	code, ok := forward(d.path, args, e)
	if !ok {
		t.Fatalf("forward %v: the server did not take the command", args)
	}
	return out.String(), errb.String(), code
}

func TestServeOutputStdinStatus(t *testing.T) {
	d := newServedDB(t)
	// Output of several MiB, byte for byte, with every byte value.
	big := make([]byte, 5<<20+123)
	for i := range big {
		big[i] = byte(i * 7)
	}
	raw := append([]byte("From: a@example.test\r\nSubject: big\r\n\r\n"), big...)
	id := d.put(t, "u1", raw)
	out, errs, code := d.call(t, "", "show", id, "--raw")
	if code != 0 || errs != "" || out != string(raw) {
		t.Fatalf("show --raw: exit %d, stderr %q, %d bytes (want %d), equal %v", code, errs, len(out), len(raw), out == string(raw))
	}

	out, _, code = d.call(t, "", "list", "--json")
	var l []listJSON
	if code != 0 || json.Unmarshal([]byte(out), &l) != nil || len(l) != 1 || l[0].ID != id {
		t.Fatalf("list --json: exit %d, %s", code, out)
	}

	// Exit statuses: an error 1 with its sentence, bad usage 2.
	_, errs, code = d.call(t, "", "show", "99999")
	if code != 1 || !strings.HasPrefix(errs, "popbox: ") {
		t.Fatalf("show of a missing message: exit %d, stderr %q", code, errs)
	}
	_, errs, code = d.call(t, "", "list", "--bogus")
	if code != 2 || !strings.Contains(errs, "--bogus") {
		t.Fatalf("list --bogus: exit %d, stderr %q", code, errs)
	}

	// Standard input reaches the command: a new password.
	out, errs, code = d.call(t, "new-secret\n", "account", "passwd", "Work", "--incoming", "--password-stdin")
	if code != 0 || !strings.Contains(out, "Changed the incoming password of Work") {
		t.Fatalf("account passwd: exit %d\n%s%s", code, out, errs)
	}
	if a, err := d.st.Account("Work"); err != nil || a.Incoming.Password != "new-secret" {
		t.Fatalf("password after account passwd: %q %v", a.Incoming.Password, err)
	}

	// The language of the client's locale.
	t.Setenv("LANG", "ja_JP.UTF-8")
	_, errs, _ = d.call(t, "", "show", "99999")
	if !strings.Contains(errs, "メッセージ") {
		t.Fatalf("with LANG=ja_JP the served error is not Japanese: %q", errs)
	}
}

// A client that goes away in the middle of a large output, one that
// sends a frame larger than allowed, and one that sends garbage: the
// server drops them and closes at once.
func TestServeBadClients(t *testing.T) {
	d := newServedDB(t)
	big := bytes.Repeat([]byte("x"), 8<<20)
	id := d.put(t, "u1", append([]byte("Subject: big\r\n\r\n"), big...))
	sock := socketPath(d.path)

	c, err := dialSocket(sock, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(request{Version: wireVersion, Args: []string{"show", id, "--raw"}})
	writeFrame(c, frameRequest, b)
	if typ, _, err := readFrame(c, maxServerFrame); err != nil || typ != frameAccepted {
		t.Fatalf("not accepted: %c %v", typ, err)
	}
	writeFrame(c, frameStdin, []byte{0})
	readFrame(c, maxServerFrame) // some output, then go
	c.Close()

	c2, err := dialSocket(sock, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c2.Write([]byte{frameRequest, 0xff, 0xff, 0xff, 0xff})
	if _, err := c2.Read(make([]byte, 1)); err == nil {
		t.Fatal("a request of 4 GiB was not refused")
	}
	c2.Close()

	c3, _ := dialSocket(sock, time.Second)
	writeFrame(c3, frameRequest, []byte("not json"))
	if typ, _, err := readFrame(c3, maxServerFrame); err != nil || typ != frameRefused {
		t.Fatalf("garbage: %c %v", typ, err)
	}
	c3.Close()

	// Still serving.
	if _, _, code := d.call(t, "", "accounts"); code != 0 {
		t.Fatal("accounts after the bad clients")
	}
	start := time.Now()
	d.srv.close()
	if time.Since(start) > 3*time.Second {
		t.Fatalf("close took %v after the clients went away", time.Since(start))
	}
	if _, err := os.Lstat(sock); !os.IsNotExist(err) {
		t.Fatalf("the socket is still there after close: %v", err)
	}
}

func TestServeSocketFile(t *testing.T) {
	d := newServedDB(t)
	sock := socketPath(d.path)
	fi, err := os.Lstat(sock)
	if err != nil || fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket %v: %v", fi.Mode(), err)
	}
	d.srv.close()

	// A socket a crashed popbox left behind is replaced.
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	srv, err := startServer(d.st)
	if err != nil {
		t.Fatalf("a stale socket stopped the server: %v", err)
	}
	srv.close()

	// Another file there is left alone.
	os.WriteFile(sock, []byte("mine"), 0o600)
	if _, err := startServer(d.st); err == nil {
		t.Fatal("served over a regular file")
	}
	if b, _ := os.ReadFile(sock); string(b) != "mine" {
		t.Fatal("the regular file at the socket path was touched")
	}
}

// A served fetch tells the TUI; account commands too.
func TestServeNews(t *testing.T) {
	d := newServedDB(t)
	got := d.news
	d.call(t, "", "account", "use", "Work")
	select {
	case o := <-got:
		if !o.Accounts {
			t.Fatalf("news of account use: %+v", o)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no news after account use")
	}
}

// TestServedFetchWaitsForTUIFetch: a served fetch of an account that the
// TUI is fetching waits for it (the store's fetch lock) and then runs.
func TestServedFetchWaitsForTUIFetch(t *testing.T) {
	d := newServedDB(t)
	f := mailtest.NewPOP3("USER", "UIDL")
	f.Add("u1", "Subject: one\r\n\r\nx\r\n")
	host, port, _ := net.SplitHostPort(f.Start(t))
	a := d.acct
	a.Incoming.Host, a.Incoming.Security, a.Incoming.User, a.Incoming.Password = host, mail.SecurityNone, "alice", "secret"
	fmt.Sscan(port, &a.Incoming.Port)
	if err := d.st.UpdateAccount(a); err != nil {
		t.Fatal(err)
	}
	if err := d.st.SetPassword(a.ID, false, "secret"); err != nil {
		t.Fatal(err)
	}
	unlock, err := d.st.LockFetch(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		out, errs string
		code      int
	}
	done := make(chan result, 1)
	go func() {
		var out, errb bytes.Buffer
		e := env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.Getenv, lang: i18n.EN}
		code, _ := forward(d.path, []string{"fetch"}, e)
		done <- result{out.String(), errb.String(), code}
	}()
	time.Sleep(500 * time.Millisecond)
	if n, _ := f.Sessions(); n != 0 {
		t.Fatalf("the served fetch logged in while the TUI's fetch of the account ran (%d sessions)", n)
	}
	select {
	case r := <-done:
		t.Fatalf("the served fetch ended while the lock was held: %+v", r)
	default:
	}
	unlock()
	select {
	case r := <-done:
		if r.code != 0 || !strings.Contains(r.out, "Work: 1 new") {
			t.Fatalf("served fetch: %+v", r)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the served fetch did not run after the lock was let go")
	}
	select {
	case o := <-d.news:
		if o.AccountID != a.ID || o.Fetch == nil || o.Fetch.New != 1 {
			t.Fatalf("news of the served fetch: %+v", o)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the TUI was not told of the served fetch")
	}
}
