package mail

import (
	"slices"
	"testing"
	"time"
)

func TestPlan(t *testing.T) {
	now := time.Date(2025, 3, 30, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	stored := func(uid string, age time.Duration) UIDRecord {
		return UIDRecord{UID: uid, FirstSeen: now.Add(-age), MsgID: "m-" + uid, State: UIDStored}
	}
	tomb := func(uid string, age time.Duration) UIDRecord {
		r := stored(uid, age)
		r.State = UIDDeletedLocally
		return r
	}
	seen := func(recs ...UIDRecord) map[string]UIDRecord {
		m := map[string]UIDRecord{}
		for _, r := range recs {
			m[r.UID] = r
		}
		return m
	}
	list := func(uids ...string) []ServerMsg {
		out := make([]ServerMsg, len(uids))
		for i, u := range uids {
			out[i] = ServerMsg{Num: i + 1, UID: u, Size: int64(100 * (i + 1))}
		}
		return out
	}
	keep := Retention{Kind: RetainKeep}
	del := Retention{Kind: RetainDelete}
	mirror := Retention{Kind: RetainMirror}
	days := func(n int) Retention { return Retention{Kind: RetainDays, Days: n} }

	tests := []struct {
		name      string
		server    []ServerMsg
		seen      map[string]UIDRecord
		policy    Retention
		fetch     []string
		delete    []string
		delFetch  []string
		skipped   int
		ambiguous []string
	}{
		{name: "empty mailbox", policy: keep},
		{name: "keep: all new", server: list("a", "b"), policy: keep, fetch: []string{"a", "b"}},
		{name: "keep: only new ones, never delete", server: list("a", "b", "c"), seen: seen(stored("a", 400*day), tomb("b", day)),
			policy: keep, fetch: []string{"c"}, skipped: 2},
		{name: "delete: stored and fetched", server: list("a", "b"), seen: seen(stored("a", time.Minute)),
			policy: del, fetch: []string{"b"}, delete: []string{"a"}, delFetch: []string{"b"}, skipped: 1},
		{name: "delete: stored under another policy and tombstones", server: list("a", "b"), seen: seen(stored("a", 90*day), tomb("b", day)),
			policy: del, delete: []string{"a", "b"}, skipped: 2},
		{name: "delete: record of a UID no longer listed is ignored", server: list("b"), seen: seen(stored("a", day)),
			policy: del, fetch: []string{"b"}, delFetch: []string{"b"}},
		{name: "days:7: exactly 7 days is due, 6 days 23h is not", server: list("a", "b", "c"),
			seen:   seen(stored("a", 7*day), stored("b", 7*day-time.Hour), stored("c", 30*day)),
			policy: days(7), delete: []string{"a", "c"}, skipped: 3},
		{name: "days:1: new ones are fetched, not deleted", server: list("a", "b"), seen: seen(stored("a", 2*day)),
			policy: days(1), fetch: []string{"b"}, delete: []string{"a"}, skipped: 1},
		{name: "days: a tombstone is deleted when due, like any other", server: list("a", "b"),
			seen: seen(tomb("a", 8*day), tomb("b", day)), policy: days(7), delete: []string{"a"}, skipped: 2},
		{name: "days: zero first-seen is never due", server: list("a"),
			seen: seen(UIDRecord{UID: "a", State: UIDStored}), policy: days(1), skipped: 1},
		{name: "days:0 (invalid) deletes nothing", server: list("a"), seen: seen(stored("a", 100*day)), policy: days(0), skipped: 1},
		{name: "mirror: only tombstones", server: list("a", "b", "c"), seen: seen(stored("a", 900*day), tomb("b", time.Minute)),
			policy: mirror, fetch: []string{"c"}, delete: []string{"b"}, skipped: 2},
		{name: "duplicate new UID: fetched once, never deleted", server: list("a", "x", "b", "x"),
			policy: del, fetch: []string{"a", "x", "b"}, delFetch: []string{"a", "b"}, ambiguous: []string{"x"}},
		{name: "duplicate stored UID: never deleted", server: list("x", "a", "x"), seen: seen(stored("x", day), stored("a", day)),
			policy: del, delete: []string{"a"}, skipped: 3, ambiguous: []string{"x"}},
		{name: "duplicate tombstone under mirror: never deleted", server: list("x", "x"), seen: seen(tomb("x", day)),
			policy: mirror, skipped: 2, ambiguous: []string{"x"}},
		{name: "no UIDL, delete: everything fetched then deleted", server: list("", ""),
			policy: del, fetch: []string{"#1", "#2"}, delFetch: []string{"#1", "#2"}},
		{name: "listing out of order comes back in number order",
			server: []ServerMsg{{Num: 3, UID: "c"}, {Num: 1, UID: "a"}, {Num: 2, UID: "b"}}, seen: seen(stored("b", day)),
			policy: del, fetch: []string{"a", "c"}, delete: []string{"b"}, delFetch: []string{"a", "c"}, skipped: 1},
	}
	ids := func(ms []ServerMsg) []string {
		var out []string
		for _, m := range ms {
			out = append(out, uidOrNum(m))
		}
		return out
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := slices.Clone(tc.server)
			got := Plan(tc.server, tc.seen, tc.policy, now)
			if !slices.Equal(ids(got.Fetch), tc.fetch) {
				t.Errorf("Fetch = %q, want %q", ids(got.Fetch), tc.fetch)
			}
			if !slices.Equal(ids(got.Delete), tc.delete) {
				t.Errorf("Delete = %q, want %q", ids(got.Delete), tc.delete)
			}
			if !slices.Equal(ids(got.DeleteFetched), tc.delFetch) {
				t.Errorf("DeleteFetched = %q, want %q", ids(got.DeleteFetched), tc.delFetch)
			}
			if got.Skipped != tc.skipped {
				t.Errorf("Skipped = %d, want %d", got.Skipped, tc.skipped)
			}
			if !slices.Equal(got.Ambiguous, tc.ambiguous) {
				t.Errorf("Ambiguous = %q, want %q", got.Ambiguous, tc.ambiguous)
			}
			if !slices.Equal(before, tc.server) {
				t.Errorf("Plan changed its input: %v", tc.server)
			}
		})
	}
}

// TestPlanKeepsSizes checks that planned messages carry number and size, as
// retrieval needs them.
func TestPlanKeepsSizes(t *testing.T) {
	got := Plan([]ServerMsg{{Num: 4, UID: "u", Size: 1234}}, nil, Retention{Kind: RetainDelete}, time.Now())
	want := ServerMsg{Num: 4, UID: "u", Size: 1234}
	if len(got.Fetch) != 1 || got.Fetch[0] != want || len(got.DeleteFetched) != 1 || got.DeleteFetched[0] != want {
		t.Fatalf("Plan = %+v, want Fetch and DeleteFetched = [%+v]", got, want)
	}
}
