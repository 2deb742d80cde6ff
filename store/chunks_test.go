package store

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"popbox/mail"
)

// bigMsg is a message of n bytes, over largeRaw when n is: its bytes differ
// by seed.
func bigMsg(uid string, n int, seed byte) mail.NewMessage {
	raw := hugeRaw(n)
	raw[len(raw)-3] = seed
	m := newMsg(uid, time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC), "scans")
	m.Raw, m.Digest, m.Summary.Size = raw, sha256.Sum256(raw), int64(n)
	return m
}

// storeState is what a test checks of the chunk machinery: the chunk
// buckets of an account and the pending registry.
type storeState struct {
	chunks  [][]byte // keys of the account's chunk buckets
	pending [][]byte // message IDs registered as being written
	raw     int      // entries in the account's raw bucket
}

// messages is how many messages the chunks belong to.
func (st storeState) messages() int {
	ids := map[string]bool{}
	for _, k := range st.chunks {
		ids[string(k[:8])] = true
	}
	return len(ids)
}

// chunksOf is how many chunks raw bytes of n take.
func chunksOf(n int) int { return (n + rawChunk - 1) / rawChunk }

func stateIn(t *testing.T, db *bolt.DB, accountID string) storeState {
	t.Helper()
	var st storeState
	err := db.View(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		if err := a.chunks.ForEachBucket(func(k []byte) error {
			st.chunks = append(st.chunks, copyBytes(k))
			return nil
		}); err != nil {
			return err
		}
		st.raw = a.raw.Stats().KeyN
		return tx.Bucket(bucketPending).ForEach(func(k, _ []byte) error {
			st.pending = append(st.pending, copyBytes(k))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestChunkedMessage: a message over largeRaw is stored in chunks (its
// record says so, the raw bucket has nothing for it), read back whole and
// checked, and its chunks go with it when it is deleted or its account
// removed. A small message keeps the one-value layout.
func TestChunkedMessage(t *testing.T) {
	s := newStore(t)
	a := addAccount(t, s, "Work")
	big := bigMsg("big", largeRaw+3*rawChunk+1234, 1)
	small := newMsg("small", time.Now(), "small")
	commit(t, s, a.ID, small, big)
	id := uidOf(t, s, a.ID, "big").MsgID

	st := stateIn(t, s.db, a.ID)
	if want := chunksOf(len(big.Raw)); len(st.chunks) != want {
		t.Errorf("%d chunks, want %d", len(st.chunks), want)
	}
	if st.raw != 1 || len(st.pending) != 0 {
		t.Errorf("raw bucket holds %d, pending %d; want 1 (the small message) and 0", st.raw, len(st.pending))
	}
	s.db.View(func(tx *bolt.Tx) error {
		_, _, r, err := locateRecord(tx, id)
		if err != nil || r.Layout != layoutZstdChunks || r.Chunks != len(st.chunks) {
			t.Errorf("record %+v, %v; want layout %q with %d chunks", r, err, layoutZstdChunks, len(st.chunks))
		}
		_, _, r, _ = locateRecord(tx, uidOf(t, s, a.ID, "small").MsgID)
		if r.Layout != layoutZstd {
			t.Errorf("small message has layout %q, want %q", r.Layout, layoutZstd)
		}
		return nil
	})
	raw, err := s.Raw(id)
	if err != nil || !bytes.Equal(raw, big.Raw) {
		t.Fatalf("Raw of the chunked message: %d bytes, %v", len(raw), err)
	}
	if n, _ := s.Count(a.ID); n != 2 {
		t.Errorf("Count = %d", n)
	}

	if err := s.DeleteMessage(id); err != nil {
		t.Fatal(err)
	}
	if st := stateIn(t, s.db, a.ID); len(st.chunks) != 0 {
		t.Errorf("%d chunks left after DeleteMessage", len(st.chunks))
	}
	commit(t, s, a.ID, bigMsg("big2", largeRaw+1, 2))
	if err := s.RemoveAccount("Work"); err != nil {
		t.Fatal(err)
	}
	s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketAcct).Bucket(u64(mustUint(t, a.ID))) != nil {
			t.Error("the removed account's buckets are still there")
		}
		return nil
	})
}

// TestChunkedDamage: a flipped bit in one chunk, or a chunk gone, is a
// damaged message, as for a message in one value.
func TestChunkedDamage(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(a acct, gid []byte) error
	}{
		{"bit flipped in a chunk", func(a acct, gid []byte) error {
			b := a.chunks.Bucket(chunkKey(gid, 1))
			v := copyBytes(b.Get(chunkValueKey))
			v[100] ^= 0x10
			return b.Put(chunkValueKey, v)
		}},
		{"chunk missing", func(a acct, gid []byte) error { return a.chunks.DeleteBucket(chunkKey(gid, 2)) }},
		{"chunk count wrong", editRecord(func(r *msgRecord) { r.Chunks-- })},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := testPath(t)
			s := openTest(t, path)
			a := addAccount(t, s, "Work")
			commit(t, s, a.ID, bigMsg("big", largeRaw+2*rawChunk, 1))
			id := uidOf(t, s, a.ID, "big").MsgID
			s.Close()
			editMessage(t, path, id, func(a acct, k []byte) error {
				if strings.HasPrefix(c.name, "chunk count") {
					return c.edit(a, k)
				}
				return c.edit(a, k[8:16])
			})
			s = openTest(t, path)
			raw, err := s.Raw(id)
			var de *DamagedError
			if raw != nil || !errors.As(err, &de) || de.MessageID != id {
				t.Fatalf("Raw = %d bytes, %v; want a DamagedError for message %s", len(raw), err, id)
			}
		})
	}
}

// TestChunkedDuplicates: a big message already stored (or twice in one
// batch) is a duplicate as before, and leaves no chunks behind.
func TestChunkedDuplicates(t *testing.T) {
	s := newStore(t)
	a := addAccount(t, s, "Work")
	m := bigMsg("one", largeRaw+rawChunk, 1)
	commit(t, s, a.ID, m)
	before := stateIn(t, s.db, a.ID)
	again := m
	again.UID = "two"
	if dups := commit(t, s, a.ID, again); dups != 1 {
		t.Errorf("duplicates = %d, want 1", dups)
	}
	third, fourth := bigMsg("three", largeRaw+1, 7), bigMsg("four", largeRaw+1, 7)
	if dups := commit(t, s, a.ID, third, fourth); dups != 1 {
		t.Errorf("duplicates in one batch = %d, want 1", dups)
	}
	after := stateIn(t, s.db, a.ID)
	if after.messages() != before.messages()+1 || len(after.chunks) != len(before.chunks)+chunksOf(len(third.Raw)) || len(after.pending) != 0 {
		t.Errorf("chunks of %d -> %d messages (want one more, three), %d -> %d chunks, pending %d",
			before.messages(), after.messages(), len(before.chunks), len(after.chunks), len(after.pending))
	}
	if uidOf(t, s, a.ID, "two").MsgID != uidOf(t, s, a.ID, "one").MsgID || uidOf(t, s, a.ID, "four").MsgID != uidOf(t, s, a.ID, "three").MsgID {
		t.Error("duplicates do not point at the stored message")
	}
}

// TestChunkedCommitFails: when the batch's transaction fails (a UID
// already stored), nothing of the batch is stored, the chunks written
// before it included.
func TestChunkedCommitFails(t *testing.T) {
	s := newStore(t)
	a := addAccount(t, s, "Work")
	commit(t, s, a.ID, newMsg("taken", time.Now(), "x"))
	_, err := s.Commit(a.ID, []mail.NewMessage{bigMsg("big", largeRaw+rawChunk, 1), newMsg("taken", time.Now(), "again")})
	if err == nil {
		t.Fatal("Commit with a stored UID succeeded")
	}
	st := stateIn(t, s.db, a.ID)
	if len(st.chunks) != 0 || len(st.pending) != 0 {
		t.Errorf("after a failed Commit: %d chunks, %d pending", len(st.chunks), len(st.pending))
	}
	if n, _ := s.Count(a.ID); n != 1 {
		t.Errorf("Count = %d, want 1", n)
	}
}

// killEnv makes the test binary a child that commits a big message and
// stops for ever between its chunk transactions and the batch's, waiting
// to be killed (see TestChunkedCommitKilled).
const killEnv = "POPBOX_TEST_KILL_COMMIT"

func killedCommit(path string) int {
	s, err := Open(path, Options{PolicyFile: path + ".nopolicy"})
	if err != nil {
		os.Stdout.WriteString("error: " + err.Error() + "\n")
		return 1
	}
	accts, err := s.Accounts()
	if err != nil || len(accts) != 1 {
		os.Stdout.WriteString("error: no account\n")
		return 1
	}
	testHookChunksWritten = func() {
		os.Stdout.WriteString("chunks written\n")
		select {}
	}
	_, err = s.Commit(accts[0].ID, []mail.NewMessage{bigMsg("big", largeRaw+2*rawChunk+5, 3)})
	os.Stdout.WriteString("commit returned: " + errString(err) + "\n")
	return 1
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

// TestChunkedCommitKilled: popbox killed (kill -9) after writing the chunks
// of a big message and before the batch's transaction leaves no visible
// message; the chunks left over are removed at the next Open, and the
// message can be committed again.
func TestChunkedCommitKilled(t *testing.T) {
	path := testPath(t)
	s := openTest(t, path)
	a := addAccount(t, s, "Work")
	commit(t, s, a.ID, newMsg("small", time.Now(), "small"))
	s.Close()

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = append(os.Environ(), killEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line <- sc.Text()
		}
		close(line)
	}()
	select {
	case l := <-line:
		if l != "chunks written" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child said %q", l)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the child did not reach the point between the chunks and the batch")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	// The chunks are in the file, registered as pending.
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	left := stateIn(t, db, a.ID)
	db.Close()
	if want := chunksOf(largeRaw + 2*rawChunk + 5); len(left.chunks) != want || len(left.pending) != 1 {
		t.Fatalf("after the kill: %d chunks, %d pending; want %d and 1", len(left.chunks), len(left.pending), want)
	}

	s = openTest(t, path)
	if n, _ := s.Count(a.ID); n != 1 {
		t.Errorf("Count = %d after the kill, want 1", n)
	}
	if recs, _ := s.UIDRecords(a.ID); len(recs) != 1 {
		t.Errorf("UID records after the kill: %v", recs)
	}
	if msgs, _ := s.Page(a.ID, 0, 10); len(msgs) != 1 {
		t.Errorf("Page after the kill: %d messages", len(msgs))
	}
	if st := stateIn(t, s.db, a.ID); len(st.chunks) != 0 || len(st.pending) != 0 {
		t.Errorf("after Open: %d chunks, %d pending; want both cleaned", len(st.chunks), len(st.pending))
	}
	m := bigMsg("big", largeRaw+2*rawChunk+5, 3)
	commit(t, s, a.ID, m)
	if raw, err := s.Raw(uidOf(t, s, a.ID, "big").MsgID); err != nil || !bytes.Equal(raw, m.Raw) {
		t.Errorf("Raw after committing again: %d bytes, %v", len(raw), err)
	}
}

// TestPendingCleanedAtCommit: chunks of a Commit that could not clean up
// after itself are removed by the next Commit, and those of a Commit still
// writing are left alone.
func TestPendingCleanedAtCommit(t *testing.T) {
	s := newStore(t)
	a := addAccount(t, s, "Work")
	// A leftover, as a failed clean-up leaves it.
	c, err := s.writeRawChunks(a.ID, hugeRaw(largeRaw+1))
	if err != nil {
		t.Fatal(err)
	}
	s.doneChunks(map[int]chunkedRaw{0: c})
	// One still being written.
	busy, err := s.writeRawChunks(a.ID, hugeRaw(largeRaw+1))
	if err != nil {
		t.Fatal(err)
	}
	if st := stateIn(t, s.db, a.ID); st.messages() != 2 || len(st.pending) != 2 {
		t.Fatalf("before: chunks of %d messages, %d pending", st.messages(), len(st.pending))
	}
	commit(t, s, a.ID, bigMsg("big", largeRaw+1, 9))
	st := stateIn(t, s.db, a.ID)
	if st.messages() != 2 || len(st.pending) != 1 || !bytes.Equal(st.pending[0], u64(busy.gid)) {
		t.Errorf("after: chunks of %d messages, pending %x; want 2 (the busy one and big) and the busy one", st.messages(), st.pending)
	}
	s.dropChunks(map[int]chunkedRaw{0: busy})
	if st := stateIn(t, s.db, a.ID); st.messages() != 1 || len(st.pending) != 0 {
		t.Errorf("after dropping: chunks of %d messages, %d pending", st.messages(), len(st.pending))
	}
}

// TestSalvageChunked: repair copies a chunked message, checked against its
// digest and chunked again in the new file; one with a damaged chunk is
// lost and counted; chunks a crash left (still pending) are not copied.
func TestSalvageChunked(t *testing.T) {
	path := testPath(t)
	s := openTest(t, path)
	a := addAccount(t, s, "Work")
	good, bad := bigMsg("good", largeRaw+rawChunk+77, 1), bigMsg("bad", largeRaw+5, 2)
	commit(t, s, a.ID, newMsg("small", time.Now(), "small"), good, bad)
	badID := uidOf(t, s, a.ID, "bad").MsgID
	// A crash's leftover.
	if _, err := s.writeRawChunks(a.ID, hugeRaw(largeRaw+1)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	editMessage(t, path, badID, func(a acct, k []byte) error {
		b := a.chunks.Bucket(chunkKey(k[8:16], 2))
		v := copyBytes(b.Get(chunkValueKey))
		v[0] ^= 0x01
		return b.Put(chunkValueKey, v)
	})

	dst := filepath.Join(t.TempDir(), "new.db")
	rep, err := Salvage(path, dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Messages != 2 || rep.Lost != 1 || !rep.Damaged || rep.LostUnknown {
		t.Errorf("report %+v; want 2 messages copied, 1 lost", rep)
	}
	out := openTest(t, dst)
	goodID := uidOf(t, out, a.ID, "good").MsgID
	if raw, err := out.Raw(goodID); err != nil || !bytes.Equal(raw, good.Raw) {
		t.Errorf("Raw of the copied chunked message: %d bytes, %v", len(raw), err)
	}
	st := stateIn(t, out.db, a.ID)
	if st.messages() != 1 || len(st.chunks) != chunksOf(len(good.Raw)) || len(st.pending) != 0 || st.raw != 1 {
		t.Errorf("the copy holds chunks of %d messages (%d chunks), %d pending, %d raw values; want 1 (%d), 0, 1",
			st.messages(), len(st.chunks), len(st.pending), st.raw, chunksOf(len(good.Raw)))
	}
	out.db.View(func(tx *bolt.Tx) error {
		_, _, r, err := locateRecord(tx, goodID)
		if err != nil || r.Layout != layoutZstdChunks || r.Chunks != chunksOf(len(good.Raw)) {
			t.Errorf("copied record %+v, %v", r, err)
		}
		return nil
	})
}

// TestSalvageSchema1: repair reads a database of the first schema, which
// has no chunks or pending bucket.
func TestSalvageSchema1(t *testing.T) {
	path := testPath(t)
	id, raw := v1Database(t, path)
	dst := filepath.Join(t.TempDir(), "new.db")
	rep, err := Salvage(path, dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep != (SalvageReport{Accounts: 1, Messages: 1}) {
		t.Errorf("report %+v", rep)
	}
	out := openTest(t, dst)
	if got, err := out.Raw(uidOf(t, out, id, "u1").MsgID); err != nil || !bytes.Equal(got, raw) {
		t.Errorf("Raw of the copied message = %q, %v", got, err)
	}
	if v := schemaOf1(t, out); v != currentSchema() {
		t.Errorf("the copy has schema %d", v)
	}
}
