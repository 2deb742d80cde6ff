package mail

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestPlanWaitsForDelivery: whatever the policy, a UID whose message waits
// for delivery is not deleted from the server; Plan and the planner agree.
func TestPlanWaitsForDelivery(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	old := now.AddDate(0, 0, -40)
	for _, tc := range []struct {
		name   string
		policy Retention
		state  UIDState
	}{
		{"delete", Retention{Kind: RetainDelete}, UIDStored},
		{"days", Retention{Kind: RetainDays, Days: 30}, UIDStored},
		{"mirror", Retention{Kind: RetainMirror}, UIDDeletedLocally},
	} {
		for _, pending := range []bool{false, true} {
			t.Run(tc.name+"/pending="+strconv.FormatBool(pending), func(t *testing.T) {
				rec := UIDRecord{UID: "u1", FirstSeen: old, MsgID: "1", State: tc.state, PendingDelivery: pending}
				res := Plan([]ServerMsg{{Num: 1, UID: "u1"}}, map[string]UIDRecord{"u1": rec}, tc.policy, now)
				if got := len(res.Delete) == 1; got == pending {
					t.Fatalf("Plan deletes: %v, pending %v", got, pending)
				}
				p := newPlanner(tc.policy, now, now, 10)
				p.add(1, "u1", false, rec, true)
				p.finish()
				if got := len(p.dele) == 1; got == pending {
					t.Fatalf("planner deletes: %v, pending %v", got, pending)
				}
				if (p.held == 1) != pending {
					t.Fatalf("planner held %d", p.held)
				}
			})
		}
	}
}

func TestParseDeliver(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind DeliverKind
		ok   bool
	}{
		{"", DeliverNone, true},
		{"none", DeliverNone, true},
		{"maildir:/home/taro/Maildir", DeliverMaildir, true},
		{"maildir:~/Maildir", DeliverMaildir, true},
		{"maildir:Maildir", DeliverNone, false},
		{"maildir:", DeliverNone, false},
		{"mda:procmail -d taro", DeliverMDA, true},
		{"mda:  ", DeliverNone, false},
		{"mda:procmail\nrm -rf /", DeliverNone, false},
		{"smtp:localhost", DeliverNone, false},
	} {
		got, fe := ParseDeliver(tc.in)
		if (fe == nil) != tc.ok || got.Kind != tc.kind {
			t.Errorf("%q: %+v, %v", tc.in, got, fe)
			continue
		}
		if fe != nil && (fe.Field != FieldDeliver || fe.Code != CodeBadDeliver) {
			t.Errorf("%q: %+v", tc.in, fe)
		}
		if tc.ok && tc.kind != DeliverNone && got.String() != tc.in {
			t.Errorf("%q reads back as %q", tc.in, got.String())
		}
		a := Account{Deliver: tc.in}
		if _, bad := a.Validate(nil).For(FieldDeliver); bad == tc.ok {
			t.Errorf("%q: Validate says %v", tc.in, bad)
		}
	}
}

// memQueue is a DeliveryQueue in memory.
type memQueue struct {
	raw     map[string][]byte
	pending []PendingDelivery
	cleared int
}

type goneErr struct{}

func (goneErr) Error() string { return "gone" }
func (goneErr) Gone() bool    { return true }

func (q *memQueue) PendingDeliveries(_, after string, n int) ([]PendingDelivery, error) {
	var out []PendingDelivery
	a, _ := strconv.Atoi(after)
	for _, p := range q.pending {
		if id, _ := strconv.Atoi(p.ID); (after == "" || id > a) && len(out) < n {
			out = append(out, p)
		}
	}
	return out, nil
}
func (q *memQueue) Raw(id string) ([]byte, error) {
	if b, ok := q.raw[id]; ok {
		return b, nil
	}
	return nil, goneErr{}
}
func (q *memQueue) Delivered(_ string, ids []string) error {
	for _, id := range ids {
		for i, p := range q.pending {
			if p.ID == id {
				q.pending = append(q.pending[:i], q.pending[i+1:]...)
				q.cleared++
				break
			}
		}
	}
	return nil
}
func (q *memQueue) PendingDeliveryCount(string) (int, error) { return len(q.pending), nil }

func newMemQueue(n int) *memQueue {
	q := &memQueue{raw: map[string][]byte{}}
	for i := 1; i <= n; i++ {
		id := strconv.Itoa(i)
		q.raw[id] = []byte("Subject: " + id + "\r\n\r\nbody\r\n")
		q.pending = append(q.pending, PendingDelivery{ID: id, UID: "u" + id, FirstSeen: time.Unix(1700000000, 0)})
	}
	return q
}

// TestDeliverMaildirRepeat: a delivery repeated after a crash (the mark
// not cleared) writes the same file again, and a file a reader moved to
// cur/ counts as delivered: never a second copy.
func TestDeliverMaildirRepeat(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Maildir")
	a := Account{ID: "1", Name: "Work", Deliver: "maildir:" + dir}
	q := newMemQueue(2)
	saved := append([]PendingDelivery(nil), q.pending...)
	res, err := Deliver(context.Background(), a, q, DeliverOptions{})
	if err != nil || res.Delivered != 2 || res.Waiting != 0 {
		t.Fatalf("%+v, %v", res, err)
	}
	newFiles, _ := os.ReadDir(filepath.Join(dir, "new"))
	if len(newFiles) != 2 {
		t.Fatalf("%d files in new/", len(newFiles))
	}
	// A reader moves the first to cur/ and marks it seen.
	first := newFiles[0].Name()
	if err := os.Rename(filepath.Join(dir, "new", first), filepath.Join(dir, "cur", first+":2,S")); err != nil {
		t.Fatal(err)
	}
	q.pending = saved // as if killed before the marks were cleared
	if res, err := Deliver(context.Background(), a, q, DeliverOptions{}); err != nil || res.Delivered != 2 {
		t.Fatalf("%+v, %v", res, err)
	}
	newFiles, _ = os.ReadDir(filepath.Join(dir, "new"))
	cur, _ := os.ReadDir(filepath.Join(dir, "cur"))
	if len(newFiles) != 1 || len(cur) != 1 {
		t.Fatalf("after the repeat: %d in new/, %d in cur/; want 1 and 1", len(newFiles), len(cur))
	}
}

// TestDeliverGivesUp: an MDA that fails three times in a row stops the
// run, and everything stays waiting; a message deleted in popbox before
// delivery loses its mark.
func TestDeliverGivesUp(t *testing.T) {
	q := newMemQueue(5)
	a := Account{ID: "1", Name: "Work", Deliver: "mda:cat >/dev/null; echo nope >&2; exit 3"}
	res, err := Deliver(context.Background(), a, q, DeliverOptions{})
	var de *DeliveryError
	if err != nil || res.Waiting != 5 || !errors.As(res.Err, &de) || de.Status != 3 || de.Stderr != "nope" {
		t.Fatalf("%+v, %v", res, err)
	}
	w, ok := res.Warning()
	if !ok || w.Kind != WarnDeliveryWaiting || w.N != 5 || w.Delivery == nil {
		t.Fatalf("warning %+v", w)
	}
	delete(q.raw, "2")
	a.Deliver = "mda:cat >/dev/null"
	res, err = Deliver(context.Background(), a, q, DeliverOptions{})
	if err != nil || res.Delivered != 4 || res.Gone != 1 || res.Waiting != 0 {
		t.Fatalf("%+v, %v", res, err)
	}
	if _, err := Deliver(context.Background(), Account{Name: "x"}, q, DeliverOptions{}); !errors.Is(err, ErrNoDelivery) {
		t.Fatalf("no target: %v", err)
	}
}

// TestDeliverTimeout: an MDA that hangs is stopped and counts as failed.
func TestDeliverTimeout(t *testing.T) {
	q := newMemQueue(1)
	a := Account{ID: "1", Name: "Work", Deliver: "mda:sleep 30"}
	start := time.Now()
	res, _ := Deliver(context.Background(), a, q, DeliverOptions{Timeout: 200 * time.Millisecond})
	var de *DeliveryError
	if !errors.As(res.Err, &de) || de.Op != "timeout" || res.Waiting != 1 || time.Since(start) > 10*time.Second {
		t.Fatalf("%+v after %v", res, time.Since(start))
	}
}
