package signin

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"popbox/mail"
	"popbox/mail/mailtest"
	"popbox/store"
)

// TestTokenExpiresBetweenSessions: a fetch that takes more than one POP3
// session (a server that lists a portion of the mail per session, as Gmail
// does) logs in again with a fresh access token when the first one expired
// during the first session, instead of one the server refuses.
func TestTokenExpiresBetweenSessions(t *testing.T) {
	o := mailtest.NewOAuth(t)
	o.SetAccessLifetime(time.Second)
	f := mailtest.NewPOP3("USER", "UIDL", "SASL XOAUTH2")
	f.PerSession = 120
	for i := range 240 {
		f.Add(fmt.Sprintf("m%03d", i), fmt.Sprintf("Subject: %d\r\n\r\nx\r\n", i))
	}
	var (
		mu     sync.Mutex
		logins []string
	)
	f.Token = func(user, tok string) bool {
		who, ok := o.Active(tok)
		mu.Lock()
		logins = append(logins, tok)
		first := len(logins) == 1
		mu.Unlock()
		if first {
			// A long first session: the token runs out meanwhile.
			time.Sleep(1500 * time.Millisecond)
		}
		return ok && who == user
	}
	addr, _, caFile := mailtest.FakeTLS(t, f.Serve)
	host, port := splitHostPort(t, addr)

	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "popbox.db"), store.Options{PolicyFile: filepath.Join(dir, "none.json")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := signedIn(o)
	a.Incoming.Host, a.Incoming.Port, a.CAFile = host, port, caFile
	if a, err = st.AddAccount(a); err != nil {
		t.Fatal(err)
	}
	p, err := Profile(a, "", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	ts, err := New(p, &oauth2.Token{RefreshToken: o.IssueToken("alice").Refresh}, nil)
	if err != nil {
		t.Fatal(err)
	}
	SetToken(&a, ts)
	res, err := Retry(context.Background(), ts, func() (mail.SyncResult, error) {
		return mail.Sync(context.Background(), a, st, mail.SyncOptions{}, nil)
	})
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	if res.New != 240 || res.Sessions < 2 {
		t.Fatalf("%+v: want 240 new over at least two sessions", res)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(logins) != res.Sessions || logins[0] == logins[1] {
		t.Fatalf("%d logins for %d sessions; the second reused the expired token: %v", len(logins), res.Sessions, logins[0] == logins[1])
	}
	if _, ok := o.Active(logins[0]); ok {
		t.Error("the first token did not expire: the test proves nothing")
	}
}

func splitHostPort(t *testing.T, addr string) (string, int) {
	t.Helper()
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return host, port
}
