package send

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"testing"

	"popbox/mail"
	"popbox/store"
)

// closedPort is a 127.0.0.1 port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func testStore(t *testing.T) (*store.Store, mail.Account) {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "popbox.db"), store.Options{PolicyFile: filepath.Join(dir, "no-policy.json")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a, err := st.AddAccount(mail.Account{Name: "Work", Email: "ann@example.test",
		Incoming:  mail.Server{Host: "127.0.0.1", Port: 995, Security: mail.SecuritySSL, User: "ann", Password: "pw"},
		Outgoing:  mail.Server{Host: "127.0.0.1", Port: closedPort(t), Security: mail.SecurityNone, User: "ann", Password: "pw"},
		Retention: mail.Retention{Kind: mail.RetainKeep}})
	if err != nil {
		t.Fatal(err)
	}
	return st, a
}

var noEnv = func(string) string { return "" }

// TestOneRefusesDraftsAndSent: a draft (its bytes are a form) and a sent
// message are never sent; nothing is dialled for them.
func TestOneRefusesDraftsAndSent(t *testing.T) {
	st, a := testStore(t)
	d, _ := st.SaveDraft(a.ID, store.Outgoing{To: []string{"b@example.test"}}, []byte(`{"text":"To: b@example.test"}`))
	if _, err := One(context.Background(), st, a, d.ID, Options{Getenv: noEnv, Force: true}); !errors.Is(err, store.ErrOutState) {
		t.Fatalf("One on a draft: %v, want ErrOutState", err)
	}
	s, _ := st.AddOutgoing(a.ID, store.Outgoing{To: []string{"b@example.test"}, State: store.OutSent}, []byte("x\r\n"))
	if _, err := One(context.Background(), st, a, s.ID, Options{Getenv: noEnv, Force: true}); !errors.Is(err, store.ErrOutState) {
		t.Fatalf("One on a sent message: %v, want ErrOutState", err)
	}
}

// TestPending: nothing waiting is nothing done; a server that cannot be
// reached fails the first waiting message (certainly not sent, not
// refused, its reason kept) and leaves the rest untried; a refused one
// and a draft are not tried at all.
func TestPending(t *testing.T) {
	st, a := testStore(t)
	st.SaveDraft(a.ID, store.Outgoing{}, []byte("{}"))
	r, _ := st.AddOutgoing(a.ID, store.Outgoing{To: []string{"b@example.test"}}, []byte("r\r\n"))
	st.MarkFailed(a.ID, r.ID, "refused", true)
	sent, failed, err := Pending(context.Background(), st, a, Options{Getenv: noEnv})
	if err != nil || len(sent)+len(failed) != 0 {
		t.Fatalf("Pending with nothing waiting: %v %v %v", sent, failed, err)
	}
	q1, _ := st.AddOutgoing(a.ID, store.Outgoing{To: []string{"b@example.test"}}, []byte("1\r\n"))
	q2, _ := st.AddOutgoing(a.ID, store.Outgoing{To: []string{"b@example.test"}}, []byte("2\r\n"))
	sent, failed, err = Pending(context.Background(), st, a, Options{Getenv: noEnv, Reason: func(error) string { return "no way through" }})
	if err != nil || len(sent) != 0 || len(failed) != 1 || failed[0].State != store.OutFailed || !errors.Is(failed[0], mail.ErrUnreachable) {
		t.Fatalf("Pending to a closed port: sent %v, failed %+v, %v", sent, failed, err)
	}
	o1, _, _ := st.OutgoingMessage(a.ID, q1.ID)
	o2, _, _ := st.OutgoingMessage(a.ID, q2.ID)
	ro, _, _ := st.OutgoingMessage(a.ID, r.ID)
	if o1.State != store.OutFailed || o1.Refused || o1.Reason != "no way through" || o1.Attempts != 1 {
		t.Errorf("the first waiting message: %+v", o1)
	}
	if o2.State != store.OutQueued || o2.Attempts != 0 {
		t.Errorf("the second was tried after the server could not be reached: %+v", o2)
	}
	if ro.Attempts != 1 {
		t.Errorf("the refused message was tried again: %+v", ro)
	}
}
