package mail

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"popbox/mail/mailtest"
)

// listed says whether a session listed the whole mailbox (UIDL or LIST
// without an argument) among the commands since from.
func listed(cmds []string, from int) bool {
	for _, c := range cmds[from:] {
		if c == "UIDL" || c == "LIST" {
			return true
		}
	}
	return false
}

// syncAgain runs Sync with the hints the last one saved, as the CLI does
// (the account is read from the store each time).
func syncAgain(t *testing.T, acct *Account, cache *memCache, opts SyncOptions) SyncResult {
	t.Helper()
	if h, n := cache.savedHints(acct.ID); n > 0 {
		acct.Hints = h
	}
	return mustSync(t, *acct, cache, opts)
}

// TestSyncQuickLook: a fetch that finds the mailbox as the last complete
// one left it (STAT, and the UID of the last message) lists nothing; any
// arrival, a deletion, a tombstone, a message falling due, another
// retention or another server makes it list again.
func TestSyncQuickLook(t *testing.T) {
	newBox := func(n int) *mailtest.POP3 {
		f := mailtest.NewPOP3("USER", "UIDL", "PIPELINING")
		for i := 1; i <= n; i++ {
			f.Add(fmt.Sprintf("u%d", i), fmt.Sprintf("Subject: %d\r\n\r\nbody %d\r\n", i, i))
		}
		return f
	}

	t.Run("keep", func(t *testing.T) {
		f := newBox(5)
		cache := newMemCache()
		acct := testAccount(t, f.Start(t), SecurityNone)
		if res := syncAgain(t, &acct, cache, SyncOptions{}); res.New != 5 {
			t.Fatalf("first fetch %+v", res)
		}
		mark := len(f.Commands())
		res := syncAgain(t, &acct, cache, SyncOptions{})
		if res.New != 0 || res.Skipped != 5 || listed(f.Commands(), mark) {
			t.Errorf("unchanged mailbox: %+v, commands %q", res, f.Commands()[mark:])
		}
		if !slices.Contains(f.Commands()[mark:], "UIDL 5") {
			t.Errorf("the quick look did not ask the last UID: %q", f.Commands()[mark:])
		}
		// A message deleted locally changes nothing under keep.
		cache.deleteLocally(acct.ID, "u2")
		mark = len(f.Commands())
		if res := syncAgain(t, &acct, cache, SyncOptions{}); res.New != 0 || listed(f.Commands(), mark) {
			t.Errorf("after a local delete under keep: %+v", res)
		}
		// An arrival makes it list, and fetch it.
		f.Add("u6", "Subject: 6\r\n\r\nbody 6\r\n")
		mark = len(f.Commands())
		if res := syncAgain(t, &acct, cache, SyncOptions{}); res.New != 1 || !listed(f.Commands(), mark) {
			t.Errorf("after an arrival: %+v", res)
		}
		// Another client deletes one and one arrives: same count, new last UID.
		f.Remove(0)
		f.Add("u7", "Subject: 7\r\n\r\nbody 7\r\n")
		if res := syncAgain(t, &acct, cache, SyncOptions{}); res.New != 1 {
			t.Errorf("after a delete and an arrival: %+v", res)
		}
		// Another retention: list again.
		acct.Retention = Retention{Kind: RetainDelete}
		mark = len(f.Commands())
		if res := syncAgain(t, &acct, cache, SyncOptions{}); res.Deleted != 6 || !listed(f.Commands(), mark) || f.Count() != 0 {
			t.Errorf("retention changed to delete: %+v, server holds %d", res, f.Count())
		}
		// The empty mailbox is pictured too: nothing is listed next time.
		syncAgain(t, &acct, cache, SyncOptions{})
		mark = len(f.Commands())
		if res := syncAgain(t, &acct, cache, SyncOptions{}); res.New != 0 || listed(f.Commands(), mark) {
			t.Errorf("empty mailbox: %+v, commands %q", res, f.Commands()[mark:])
		}
	})

	t.Run("mirror", func(t *testing.T) {
		f := newBox(4)
		cache := newMemCache()
		acct := testAccount(t, f.Start(t), SecurityNone)
		acct.Retention = Retention{Kind: RetainMirror}
		syncAgain(t, &acct, cache, SyncOptions{})
		mark := len(f.Commands())
		syncAgain(t, &acct, cache, SyncOptions{})
		if listed(f.Commands(), mark) {
			t.Error("unchanged mailbox listed")
		}
		cache.deleteLocally(acct.ID, "u3")
		if res := syncAgain(t, &acct, cache, SyncOptions{}); res.Deleted != 1 || f.Count() != 3 {
			t.Errorf("a tombstone must make the fetch list and delete: %+v", res)
		}
	})

	t.Run("days", func(t *testing.T) {
		f := newBox(3)
		cache := newMemCache()
		acct := testAccount(t, f.Start(t), SecurityNone)
		acct.Retention = Retention{Kind: RetainDays, Days: 2}
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		at := func(d time.Duration) SyncOptions { return SyncOptions{Now: func() time.Time { return now.Add(d) }} }
		syncAgain(t, &acct, cache, at(0))
		mark := len(f.Commands())
		if res := syncAgain(t, &acct, cache, at(47*time.Hour)); res.Deleted != 0 || listed(f.Commands(), mark) {
			t.Errorf("before anything is due: %+v, commands %q", res, f.Commands()[mark:])
		}
		if res := syncAgain(t, &acct, cache, at(48*time.Hour)); res.Deleted != 3 || f.Count() != 0 {
			t.Errorf("when due: %+v, server holds %d", res, f.Count())
		}
	})

	t.Run("another server", func(t *testing.T) {
		f, g := newBox(2), newBox(2)
		cache := newMemCache()
		acct := testAccount(t, f.Start(t), SecurityNone)
		syncAgain(t, &acct, cache, SyncOptions{})
		other := testAccount(t, g.Start(t), SecurityNone)
		acct.Incoming = other.Incoming
		if h, _ := cache.savedHints(acct.ID); h.Mailbox == nil || !strings.HasPrefix(h.Mailbox.Server, "127.0.0.1:") {
			t.Fatalf("no picture saved: %+v", h.Mailbox)
		}
		syncAgain(t, &acct, cache, SyncOptions{})
		if !listed(g.Commands(), 0) {
			t.Error("a mailbox on another server was not listed")
		}
	})

	t.Run("dry run", func(t *testing.T) {
		f := newBox(3)
		cache := newMemCache()
		acct := testAccount(t, f.Start(t), SecurityNone)
		syncAgain(t, &acct, cache, SyncOptions{})
		if res := syncAgain(t, &acct, cache, SyncOptions{DryRun: true}); len(res.PlannedFetch) != 0 || res.Skipped != 3 {
			t.Errorf("dry run of an unchanged mailbox: %+v", res)
		}
	})

	t.Run("failures are tried again", func(t *testing.T) {
		f := newBox(3)
		f.Replies = map[string]string{"RETR": "-ERR not now\r\n"}
		cache := newMemCache()
		acct := testAccount(t, f.Start(t), SecurityNone)
		if res, _ := Sync(context.Background(), acct, cache, SyncOptions{}, nil); res.Failed != 3 {
			t.Fatalf("%+v", res)
		}
		if h, _ := cache.savedHints(acct.ID); h.Mailbox != nil {
			t.Errorf("a session with failures left a picture: %+v", h.Mailbox)
		}
		f.Set(func(f *mailtest.POP3) { f.Replies = nil })
		if res := syncAgain(t, &acct, cache, SyncOptions{}); res.New != 3 {
			t.Errorf("retry: %+v", res)
		}
	})
}

// TestSyncDeletedHere: a message deleted in popbox whose server copy the
// policy keeps is not "already here": a fetch counts it apart, whether it
// lists the mailbox (a dry run) or only takes the quick look.
func TestSyncDeletedHere(t *testing.T) {
	f := mailtest.NewPOP3("USER", "UIDL", "PIPELINING")
	for i := 1; i <= 3; i++ {
		f.Add(fmt.Sprintf("u%d", i), fmt.Sprintf("Subject: %d\r\n\r\nbody %d\r\n", i, i))
	}
	cache := newMemCache()
	acct := testAccount(t, f.Start(t), SecurityNone)
	if res := syncAgain(t, &acct, cache, SyncOptions{}); res.New != 3 {
		t.Fatalf("first fetch %+v", res)
	}
	cache.deleteLocally(acct.ID, "u2")
	for _, dry := range []bool{true, false, false} {
		res := syncAgain(t, &acct, cache, SyncOptions{DryRun: dry})
		if res.Skipped != 3 || res.DeletedHere != 1 {
			t.Errorf("dry run %v: %+v, want 3 skipped of which 1 deleted here", dry, res)
		}
	}
}
