package send

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"popbox/mail"
	"popbox/mail/mailtest"
	"popbox/store"
)

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
		Outgoing:  mail.Server{Host: "127.0.0.1", Port: mailtest.ClosedPort(t), Security: mail.SecurityNone, User: "ann", Password: "pw"},
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
	res, err := Pending(context.Background(), st, a, Options{Getenv: noEnv})
	if err != nil || len(res.Sent)+len(res.Failed)+res.Left != 0 {
		t.Fatalf("Pending with nothing waiting: %+v %v", res, err)
	}
	q1, _ := st.AddOutgoing(a.ID, store.Outgoing{To: []string{"b@example.test"}}, []byte("1\r\n"))
	q2, _ := st.AddOutgoing(a.ID, store.Outgoing{To: []string{"b@example.test"}}, []byte("2\r\n"))
	res, err = Pending(context.Background(), st, a, Options{Getenv: noEnv, Reason: func(error) string { return "no way through" }})
	if err != nil || len(res.Sent) != 0 || len(res.Failed) != 1 || res.Failed[0].State != store.OutFailed || !errors.Is(res.Failed[0], mail.ErrUnreachable) {
		t.Fatalf("Pending to a closed port: %+v, %v", res, err)
	}
	if res.Failed[0].Out.ID != q1.ID || res.Left != 1 {
		t.Errorf("the failure names message %q (want %s), %d left untried (want 1)", res.Failed[0].Out.ID, q1.ID, res.Left)
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

// TestForcedUnknownStaysUnknown: a forced send of a message whose delivery
// is unknown that fails before anything reaches the server says why and
// leaves the message unknown (the earlier send may have delivered it): a
// plain retry, and a fetch, still leave it alone.
func TestForcedUnknownStaysUnknown(t *testing.T) {
	st, a := testStore(t)
	o, _ := st.AddOutgoing(a.ID, store.Outgoing{To: []string{"b@example.test"}}, []byte("u\r\n"))
	st.BeginSending(a.ID, o.ID, false)
	st.EndSending(a.ID, o.ID, store.OutUnknown, "no answer", false)
	_, err := One(context.Background(), st, a, o.ID, Options{Getenv: noEnv, Force: true, Reason: func(error) string { return "no way through" }})
	var f *Failure
	if !errors.As(err, &f) || f.State != store.OutUnknown || f.Reason != "no way through" || !errors.Is(err, mail.ErrUnreachable) {
		t.Fatalf("forced send to a closed port: %v (%+v)", err, f)
	}
	got, _, _ := st.OutgoingMessage(a.ID, o.ID)
	if got.State != store.OutUnknown {
		t.Fatalf("after a failed forced send: %+v", got)
	}
	if _, err := One(context.Background(), st, a, o.ID, Options{Getenv: noEnv}); !errors.Is(err, store.ErrOutState) {
		t.Fatalf("a plain retry of it: %v, want ErrOutState", err)
	}
}
