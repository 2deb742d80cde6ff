package mail

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestPlannerMatchesPlan feeds the streaming planner and Plan, the
// reference, the same random listings (UIDs new and stored in every state,
// listed twice, messages without a UID) under every policy: they must
// choose the same messages to fetch and to delete.
func TestPlannerMatchesPlan(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	policies := []Retention{{Kind: RetainKeep}, {Kind: RetainDelete}, {Kind: RetainDays, Days: 5}, {Kind: RetainMirror}}
	rng := rand.New(rand.NewPCG(7, 11))
	for round := 0; round < 300; round++ {
		n := rng.IntN(60)
		var server []ServerMsg
		seen := map[string]UIDRecord{}
		for i := 1; i <= n; i++ {
			uid := fmt.Sprintf("u%d", rng.IntN(n+5)) // some listed twice
			if rng.IntN(15) == 0 {
				uid = "" // no UID
			}
			server = append(server, ServerMsg{Num: i, UID: uid, Size: int64(100 + i)})
			if uid != "" && rng.IntN(2) == 0 {
				rec := UIDRecord{UID: uid, FirstSeen: now.AddDate(0, 0, -rng.IntN(10))}
				if rng.IntN(4) == 0 {
					rec.State = UIDDeletedLocally
				}
				if rng.IntN(10) == 0 {
					rec.FirstSeen = time.Time{}
				}
				seen[uid] = rec
			}
		}
		for _, policy := range policies {
			want := Plan(server, seen, policy, now)
			p := newPlanner(policy, now, now.Add(time.Hour), len(server)+1)
			for _, m := range server {
				if m.UID == "" {
					p.addNoUID(m.Num, m.Size)
					continue
				}
				rec, ok := seen[m.UID]
				p.add(m.Num, m.UID, false, rec, ok)
			}
			p.finish()
			var gotFetch, gotDeleteFetched []int
			for i, w := range p.fetch {
				gotFetch = append(gotFetch, int(w.num))
				if policy.Kind == RetainDelete && !w.amb {
					gotDeleteFetched = append(gotDeleteFetched, p.fetchMsg(i).Num)
				}
			}
			var gotDelete []int
			for _, d := range p.dele {
				gotDelete = append(gotDelete, int(d.num))
			}
			nums := func(ms []ServerMsg) []int {
				var out []int
				for _, m := range ms {
					out = append(out, m.Num)
				}
				return out
			}
			what := fmt.Sprintf("round %d, %s", round, policy)
			if !slices.Equal(gotFetch, nums(want.Fetch)) {
				t.Fatalf("%s: fetch %v, Plan %v", what, gotFetch, nums(want.Fetch))
			}
			if !slices.Equal(gotDelete, nums(want.Delete)) {
				t.Fatalf("%s: delete %v, Plan %v", what, gotDelete, nums(want.Delete))
			}
			if !slices.Equal(gotDeleteFetched, nums(want.DeleteFetched)) {
				t.Fatalf("%s: delete once fetched %v, Plan %v", what, gotDeleteFetched, nums(want.DeleteFetched))
			}
			if p.deletedHere != want.DeletedHere {
				t.Errorf("deletedHere = %d, want %d", p.deletedHere, want.DeletedHere)
			}
			if p.skipped != want.Skipped {
				t.Fatalf("%s: skipped %d, Plan %d", what, p.skipped, want.Skipped)
			}
		}
	}
}

// TestPlannerDefers: a plan holds at most maxFetch new messages; the rest
// are counted for the next session.
func TestPlannerDefers(t *testing.T) {
	p := newPlanner(Retention{Kind: RetainKeep}, time.Now(), time.Now(), 3)
	for i := 1; i <= 10; i++ {
		p.add(i, fmt.Sprintf("u%d", i), false, UIDRecord{}, false)
	}
	p.finish()
	if len(p.fetch) != 3 || p.deferred != 7 || p.fetch[2].num != 3 {
		t.Errorf("fetch %d (last %d), deferred %d", len(p.fetch), p.fetch[2].num, p.deferred)
	}
}

// TestPlannerMemory: a stored message costs the plan a few bytes, a new
// one a few dozen; nothing per message is a string or a map entry.
func TestPlannerMemory(t *testing.T) {
	const n = 100_000
	now := time.Now()
	uids := make([]string, n+1)
	for i := range uids {
		uids[i] = fmt.Sprintf("%08x%08x", i, 1234)
	}
	measure := func(known bool) float64 {
		return testing.AllocsPerRun(1, func() {
			p := newPlanner(Retention{Kind: RetainKeep}, now, now, n)
			for i := 1; i <= n; i++ {
				p.add(i, uids[i], false, UIDRecord{FirstSeen: now.Add(-time.Hour)}, known)
			}
			p.finish()
		})
	}
	// The planner's own allocations are its slices growing: a few dozen
	// in all, not one per message.
	for _, known := range []bool{true, false} {
		if a := measure(known); a > 200 {
			t.Errorf("known=%v: %.0f allocations besides the UIDs for %d messages", known, a, n)
		}
	}
}
