package mail

import (
	"cmp"
	"slices"
	"time"
)

// ServerMsg is one message as the server lists it in a session: its message
// number (valid for that session only), its UID from UIDL (empty when the
// server has no UIDL) and its size from LIST (0 when unknown).
type ServerMsg struct {
	Num  int
	UID  string
	Size int64
	// OddUID: the server's UID was not one RFC 1939 allows, and UID is a
	// digest of it (see serverUID).
	OddUID bool
	// ambiguous: the server gave its UID to another message too; it is
	// never deleted by number.
	ambiguous bool
}

// PlanResult is what one session should do with the server's listing.
type PlanResult struct {
	// Fetch holds the messages to retrieve: every UID not yet seen, once,
	// in message-number order. A message without a UID (server without
	// UIDL) is always fetched.
	Fetch []ServerMsg
	// Delete holds the messages whose UID is already committed locally and
	// whose server copy the policy deletes now, in message-number order.
	Delete []ServerMsg
	// DeleteFetched holds the messages of Fetch that the policy deletes as
	// soon as their batch is committed (retention delete). Never one with
	// an ambiguous UID.
	DeleteFetched []ServerMsg
	// Skipped counts the listed messages not fetched because their UID is
	// already known (stored, or deleted locally).
	Skipped int
	// DeletedHere counts those of Skipped that were deleted in popbox (a
	// tombstone keeps their UID while the policy keeps the server copy).
	DeletedHere int
	// Ambiguous lists the UIDs the server gave to more than one message in
	// this listing. One copy of a new ambiguous UID is fetched; none is ever
	// deleted, since DELE by number could hit the wrong message.
	Ambiguous []string
}

// Plan decides, from the server's listing, the stored UID records, the
// retention policy and the clock, which messages to retrieve and which to
// delete from the server (DESIGN.md, "Retention"):
//
//   - keep: never delete;
//   - delete: delete every listed UID that is committed locally, whatever
//     the policy was when it was stored, and every fetched one once its
//     batch commits;
//   - days:N: delete UIDs first seen at least N calendar days before now
//     (a record without a first-seen time is kept: it cannot be dated);
//   - mirror: delete UIDs the user deleted locally (state UIDDeletedLocally);
//   - whatever the policy, a UID whose message waits for delivery to a
//     Maildir or an MDA is not deleted until it is delivered.
//
// A UID is new when seen has no record of it. Plan is pure: it neither reads
// nor writes anything.
func Plan(server []ServerMsg, seen map[string]UIDRecord, policy Retention, now time.Time) PlanResult {
	var res PlanResult

	// Count each UID first, so that every copy of a duplicate is known to
	// be ambiguous before anything is chosen.
	count := make(map[string]int, len(server))
	for _, m := range server {
		if m.UID != "" {
			count[m.UID]++
		}
	}
	msgs := server
	if !slices.IsSortedFunc(msgs, byNum) {
		msgs = slices.Clone(server)
		slices.SortStableFunc(msgs, byNum)
	}

	fetched := make(map[string]bool)
	for _, m := range msgs {
		if m.UID == "" {
			// Without UIDL nothing identifies a message between sessions;
			// only retention delete is allowed (Sync refuses the others),
			// so every message is fetched and then deleted.
			res.Fetch = append(res.Fetch, m)
			if policy.Kind == RetainDelete {
				res.DeleteFetched = append(res.DeleteFetched, m)
			}
			continue
		}
		ambiguous := count[m.UID] != 1
		if count[m.UID] > 1 {
			res.Ambiguous = append(res.Ambiguous, m.UID)
			count[m.UID] = -1 // reported once, still ambiguous
		}
		rec, known := seen[m.UID]
		if !known {
			if fetched[m.UID] {
				continue // a second copy of a new duplicate: one is enough
			}
			fetched[m.UID] = true
			res.Fetch = append(res.Fetch, m)
			if policy.Kind == RetainDelete && !ambiguous {
				res.DeleteFetched = append(res.DeleteFetched, m)
			}
			continue
		}
		res.Skipped++
		if rec.State == UIDDeletedLocally {
			res.DeletedHere++
		}
		if !ambiguous && deleteNow(rec, policy, now) {
			res.Delete = append(res.Delete, m)
		}
	}
	return res
}

// deleteNow reports whether the policy deletes the server copy of a UID that
// is already committed locally: when it is due (dueNow) and its message is
// not waiting for delivery (with delivery on, the server copy stays until
// the message is delivered).
func deleteNow(rec UIDRecord, policy Retention, now time.Time) bool {
	return !rec.PendingDelivery && dueNow(rec, policy, now)
}

// dueNow reports whether the policy wants the server copy of a committed
// UID deleted now, delivery aside.
func dueNow(rec UIDRecord, policy Retention, now time.Time) bool {
	switch policy.Kind {
	case RetainDelete:
		return true
	case RetainDays:
		if policy.Days < 1 || rec.FirstSeen.IsZero() {
			return false
		}
		return !now.Before(rec.FirstSeen.AddDate(0, 0, policy.Days))
	case RetainMirror:
		return rec.State == UIDDeletedLocally
	}
	return false
}

// dueAt is when the policy deletes the server copy of a stored UID: for
// days:N, N calendar days after it was first seen; zero for the other
// policies and for a record that cannot be dated.
func dueAt(rec UIDRecord, policy Retention) time.Time {
	if policy.Kind != RetainDays || policy.Days < 1 || rec.FirstSeen.IsZero() {
		return time.Time{}
	}
	return rec.FirstSeen.AddDate(0, 0, policy.Days)
}

func byNum(a, b ServerMsg) int { return cmp.Compare(a.Num, b.Num) }
