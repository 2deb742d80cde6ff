package store

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"popbox/mail"
)

// The schema 2 fixture in testdata was made by popbox at 0c39682 (the last
// schema 2 release) with testdata/schema2-make.go.txt: three accounts with
// sealed passwords (one named in Japanese), 47 messages of the scale
// corpus and others, among them a chunked one over 8 MiB, messages dated
// 0, before 1970 and after 2262, a duplicate UID (Also), messages deleted
// locally (tombstones), a seen flag, a UID forgotten, server hints and an
// active account. schema2.json is what that popbox read back from it: the
// SHA-256 and size of every message's bytes, every UID record and
// tombstone.
type schema2Manifest struct {
	Accounts []struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Incoming string `json:"incoming"`
		Outgoing string `json:"outgoing"`
	}
	Messages []struct {
		ID, Account, UID string
		Also             []string
		SHA256           string
		Size             int
		Seen             bool
		Subject          string
		Date             time.Time
	}
	UIDs []struct {
		Account   string    `json:"account"`
		UID       string    `json:"uid"`
		MsgID     string    `json:"msg_id"`
		State     int       `json:"state"`
		FirstSeen time.Time `json:"first_seen"`
	}
	Tombstones  map[string][]string
	NextMessage int
	Active      string
}

// schema2Fixture puts the fixture and its key file into a new folder and
// returns the database path and what it holds.
func schema2Fixture(t testing.TB) (string, schema2Manifest) {
	t.Helper()
	path := testPath(t)
	in, err := os.Open("testdata/schema2.db.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile("testdata/schema2.db.key")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".key", key, 0o600); err != nil {
		t.Fatal(err)
	}
	var man schema2Manifest
	data, err := os.ReadFile("testdata/schema2.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &man); err != nil {
		t.Fatal(err)
	}
	return path, man
}

// checkFixture checks that s holds exactly what the manifest says: every
// account with its passwords, every message byte for byte with its record,
// every UID record and tombstone, the counters; and that it is laid out
// as schema 3.
func checkFixture(t *testing.T, s *Store, man schema2Manifest) {
	t.Helper()
	if v := schemaOf1(t, s); v != currentSchema() {
		t.Errorf("schema %d, want %d", v, currentSchema())
	}
	accts, err := s.Accounts()
	if err != nil || len(accts) != len(man.Accounts) {
		t.Fatalf("Accounts = %d, %v; want %d", len(accts), err, len(man.Accounts))
	}
	for _, want := range man.Accounts {
		a, err := s.Account(want.ID)
		if err != nil || a.Name != want.Name || a.Incoming.Password != want.Incoming || a.Outgoing.Password != want.Outgoing {
			t.Errorf("account %s: %q %q %q, %v; want %q %q %q", want.ID, a.Name, a.Incoming.Password, a.Outgoing.Password, err, want.Name, want.Incoming, want.Outgoing)
		}
	}
	if work, err := s.Account("Work"); err != nil || work.Hints.ExpireDays != 30 || work.Hints.LoginDelay != 300*time.Second {
		t.Errorf("hints of Work: %+v, %v", work.Hints, err)
	}
	if id, err := s.ActiveID(); err != nil || id != man.Active {
		t.Errorf("active account %q, %v; want %q", id, err, man.Active)
	}
	perAccount := map[string][]string{}
	for _, w := range man.Messages {
		perAccount[w.Account] = append(perAccount[w.Account], w.ID)
		m, err := s.Message(w.ID)
		if err != nil || m.UID != w.UID || m.Seen != w.Seen || m.Summary.Subject != w.Subject || !m.Summary.Date.Equal(w.Date) || m.AccountID != w.Account {
			t.Errorf("message %s: %+v, %v; want %+v", w.ID, m, err, w)
			continue
		}
		raw, err := s.Raw(w.ID)
		sum := sha256.Sum256(raw)
		if err != nil || len(raw) != w.Size || hex.EncodeToString(sum[:]) != w.SHA256 {
			t.Errorf("message %s: %d bytes, %v; want %d bytes with SHA-256 %s", w.ID, len(raw), err, w.Size, w.SHA256)
		}
		s.db.View(func(tx *bolt.Tx) error {
			_, _, r, err := locateRecord(tx, w.ID)
			want := layoutZstd
			if w.Size > largeRaw {
				want = layoutZstdChunks
			}
			if err != nil || r.Layout != want || !slices.Equal(r.Also, w.Also) {
				t.Errorf("record of %s: layout %q, also %q, %v; want %q, %q", w.ID, r.Layout, r.Also, err, want, w.Also)
			}
			return nil
		})
	}
	for id, want := range perAccount {
		n, err := s.Count(id)
		page, perr := s.Page(id, 0, 1000)
		var got []string
		for _, m := range page {
			got = append(got, m.ID)
		}
		sort.Strings(got)
		sort.Strings(want)
		if err != nil || perr != nil || n != len(want) || !slices.Equal(got, want) {
			t.Errorf("account %s: count %d, page %v (%v, %v); want %v", id, n, got, err, perr, want)
		}
	}
	uids := map[string]map[string]mail.UIDRecord{}
	for _, a := range man.Accounts {
		recs, err := s.UIDRecords(a.ID)
		if err != nil {
			t.Fatal(err)
		}
		uids[a.ID] = recs
	}
	n := 0
	for _, w := range man.UIDs {
		r, ok := uids[w.Account][w.UID]
		if !ok || r.MsgID != w.MsgID || int(r.State) != w.State || !r.FirstSeen.Equal(w.FirstSeen) {
			t.Errorf("uid %s of %s: %+v, %v; want %+v", w.UID, w.Account, r, ok, w)
		}
		n++
	}
	for _, recs := range uids {
		n -= len(recs)
	}
	if n != 0 {
		t.Errorf("%d UID records more than the fixture had", -n)
	}
	for id, want := range man.Tombstones {
		got := tombstones(t, s, id)
		if n, err := s.Tombstones(id); !slices.Equal(got, want) || err != nil || n != len(want) {
			t.Errorf("tombstones of %s: %v (counted %d, %v); want %v", id, got, n, err, want)
		}
	}
	// Duplicates are still found, and new mail gets the next ID.
	w := man.Messages[0]
	m, err := s.Message(w.ID)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := s.Raw(w.ID)
	if err != nil {
		t.Fatal(err)
	}
	dup := mail.NewMessage{UID: "again", Raw: raw, Summary: m.Summary, Digest: sha256.Sum256(raw)}
	fresh := withRaw(newMsg("fresh", time.Now(), "fresh"), "fresh bytes")
	if d := commit(t, s, w.Account, dup, fresh); d != 1 {
		t.Errorf("%d duplicates, want 1", d)
	}
	if got := uidOf(t, s, w.Account, "fresh").MsgID; got != strconv.Itoa(man.NextMessage+1) {
		t.Errorf("new message got ID %s, want %d", got, man.NextMessage+1)
	}
}

// TestUpgradeSchema2Fixture: Open upgrades a schema 2 database made by the
// last schema 2 popbox, reporting its progress, and every byte, record and
// password survives.
func TestUpgradeSchema2Fixture(t *testing.T) {
	path, man := schema2Fixture(t)
	if v := schemaIn(t, path); v != 2 {
		t.Fatalf("fixture has schema %d", v)
	}
	var calls [][2]int
	opts := testOptions(path)
	opts.Progress = func(done, total int) { calls = append(calls, [2]int{done, total}) }
	s, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n := len(man.Messages)
	if len(calls) < 2 || calls[0] != [2]int{0, n} || calls[len(calls)-1] != [2]int{n, n} {
		t.Errorf("progress %v, want from [0 %d] to [%d %d]", calls, n, n, n)
	}
	if _, err := os.Lstat(upgradePath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the upgrade left %s behind (%v)", upgradePath(path), err)
	}
	checkFixture(t, s, man)
	s.Close()
	// Open again: nothing more to do.
	calls = nil
	s = openTest(t, path)
	if len(calls) != 0 {
		t.Errorf("progress reported on a second Open: %v", calls)
	}
}

// TestUpgradeDamaged: a message whose bytes no longer match their SHA-256
// stops the upgrade with a DamagedError that names it and points at
// repair; the file is left as it was, and repair makes a schema 3 copy.
func TestUpgradeDamaged(t *testing.T) {
	path, man := schema2Fixture(t)
	victim := man.Messages[3]
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		a, k, err := locate(tx, victim.ID)
		if err != nil {
			return err
		}
		v := copyBytes(a.raw.Get(k))
		v[len(v)/2] ^= 1
		return a.raw.Put(k, v)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	before := fileSum(t, path)
	_, err = Open(path, testOptions(path))
	var de *DamagedError
	if !errors.As(err, &de) || de.MessageID != victim.ID || !strings.Contains(said(err), "repair") {
		t.Fatalf("Open = %v, want a DamagedError for message %s", err, victim.ID)
	}
	if fileSum(t, path) != before {
		t.Error("the failed upgrade changed the file")
	}
	if _, err := os.Lstat(upgradePath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the failed upgrade left %s behind (%v)", upgradePath(path), err)
	}
	dst := filepath.Join(t.TempDir(), "new.db")
	rep, err := Salvage(path, dst, Options{})
	if err != nil || rep.Messages != len(man.Messages)-1 || rep.Lost != 1 {
		t.Fatalf("Salvage = %+v, %v; want all but one message", rep, err)
	}
	if v := schemaIn(t, dst); v != currentSchema() {
		t.Errorf("repair wrote schema %d", v)
	}
}

// upgradeKillEnv makes the test binary a child that opens (and so
// upgrades) the database at a path and kills itself with SIGKILL at the
// nth call of an upgrade stage: "PATH STAGE N".
const upgradeKillEnv = "POPBOX_TEST_UPGRADE_KILL"

func killedUpgrade(arg string) int {
	f := strings.Fields(arg)
	if len(f) != 3 {
		return 3
	}
	path, stage := f[0], f[1]
	n, _ := strconv.Atoi(f[2])
	upgradeBatch, upgradeUIDBatch = 10, 3
	seen := 0
	testHookUpgrade = func(s string) {
		if s == stage {
			if seen++; seen == n {
				_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
				time.Sleep(time.Minute)
			}
		}
	}
	s, err := Open(path, testOptions(path))
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	s.Close()
	fmt.Println("not killed")
	return 2
}

// TestUpgradeKilled: an upgrade killed at any point leaves a database that
// opens: the old one untouched when the kill came before the rename (the
// next Open removes the half-made file and upgrades again), the new one
// after it; nothing is lost and nothing is there twice.
func TestUpgradeKilled(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		stage   string
		n       int
		renamed bool
	}{
		{"messages", 1, false},
		{"messages", 3, false},
		{"uids", 1, false},
		{"uids", 3, false},
		{"synced", 1, false},
		{"renamed", 1, true},
	} {
		t.Run(fmt.Sprintf("%s-%d", c.stage, c.n), func(t *testing.T) {
			path, man := schema2Fixture(t)
			before := fileSum(t, path)
			cmd := exec.Command(self, "-test.run=^$")
			cmd.Env = append(os.Environ(), upgradeKillEnv+"="+fmt.Sprintf("%s %s %d", path, c.stage, c.n))
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("child was not killed: %v\n%s", err, out)
			}
			if c.renamed {
				if v := schemaIn(t, path); v != currentSchema() {
					t.Errorf("schema %d after a kill past the rename", v)
				}
			} else {
				if fileSum(t, path) != before {
					t.Error("the old file changed before the rename")
				}
				if _, err := os.Lstat(upgradePath(path)); err != nil {
					t.Errorf("no half-made file after the kill: %v", err)
				}
			}
			s := openTest(t, path)
			if _, err := os.Lstat(upgradePath(path)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s still there after Open (%v)", upgradePath(path), err)
			}
			checkFixture(t, s, man)
		})
	}
}

// writeV2Mailbox writes a schema 2 database of n corpus messages straight
// in the layout of schema 2 (oldlayout_test.go), as popbox at 0c39682
// would have stored them, for the upgrade benchmark.
func writeV2Mailbox(path string, n int) error {
	s, err := Open(path, testOptions(path))
	if err != nil {
		return err
	}
	defer s.Close()
	a, err := s.AddAccount(testAccount("Big"))
	if err != nil {
		return err
	}
	g := newCorpus(1)
	for done := 0; done < n; {
		err := s.db.Update(func(tx *bolt.Tx) error {
			acc, err := openAcct(tx, a.ID)
			if err != nil {
				return err
			}
			ids := tx.Bucket(bucketIDs)
			for i := 0; i < 1000 && done < n; i++ {
				m := g.next()
				gid, err := nextCounter(tx, keyNextMessage)
				if err != nil {
					return err
				}
				k := msgKey(m.Summary.Date, gid)
				rec := msgRecord{UID: m.UID, Summary: m.Summary, Received: time.Now(), Digest: m.Digest[:]}
				if err := putV2Message(ids, acc, k, rec, m.Raw); err != nil {
					return err
				}
				if err := putV2UID(acc, m.UID, uidRecord{FirstSeen: time.Now(), MsgID: gid, State: mail.UIDStored}); err != nil {
					return err
				}
				if err := acc.setCount(acc.count() + 1); err != nil {
					return err
				}
				done++
			}
			return tx.Bucket(bucketMeta).Put(keySchema, u64(2))
		})
		if err != nil {
			return err
		}
	}
	return s.Close()
}

// upgradeChild is the child of BenchmarkUpgrade: it opens (and so
// upgrades) the database at path and prints "upgrade N ms M peak P".
func upgradeChild(path string) error {
	start := time.Now()
	n := 0
	opts := testOptions(path)
	opts.Progress = func(_, total int) { n = total }
	s, err := Open(path, opts)
	if err != nil {
		return err
	}
	d := time.Since(start)
	if err := s.Close(); err != nil {
		return err
	}
	peak, err := vmHWM()
	if err != nil {
		return err
	}
	fmt.Printf("upgrade %d ms %.1f peak %d\n", n, float64(d.Microseconds())/1000, peak)
	return nil
}

// TestUpgradeCorpus upgrades a schema 2 mailbox of 3,000 corpus messages
// in batches of 1,000: every message reads back byte for byte.
func TestUpgradeCorpus(t *testing.T) {
	path := testPath(t)
	if err := writeV2Mailbox(path, 3000); err != nil {
		t.Fatal(err)
	}
	s := openTest(t, path)
	a, err := s.Account("Big")
	if err != nil {
		t.Fatal(err)
	}
	g := newCorpus(1)
	for i := 0; i < 3000; i++ {
		m := g.next()
		r := uidOf(t, s, a.ID, m.UID)
		raw, err := s.Raw(r.MsgID)
		if err != nil || !bytes.Equal(raw, m.Raw) {
			t.Fatalf("message %d (%s): %d bytes, %v", i, m.UID, len(raw), err)
		}
	}
	if n, _ := s.Count(a.ID); n != 3000 {
		t.Errorf("Count = %d", n)
	}
}

// BenchmarkUpgrade upgrades a schema 2 mailbox of each size in
// $POPBOX_BENCH_SIZES in a fresh process: its time and peak RSS (mapped
// pages included).
func BenchmarkUpgrade(b *testing.B) {
	if raceEnabled {
		b.Skip("the race detector's shadow memory makes RSS meaningless")
	}
	for _, n := range scaleSizes(b) {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			var ms float64
			var got, peak int64
			for b.Loop() {
				b.StopTimer()
				dir := b.TempDir()
				path := filepath.Join(dir, "popbox.db")
				if err := writeV2Mailbox(path, n); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				line := runScaleChild(b, "upgrade "+dir+" "+strconv.Itoa(n), "upgrade")
				if _, err := fmt.Sscanf(line, "upgrade %d ms %g peak %d", &got, &ms, &peak); err != nil || got != int64(n) {
					b.Fatalf("%q: %v", line, err)
				}
			}
			b.ReportMetric(ms, "upgrade-ms")
			b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
		})
	}
}
