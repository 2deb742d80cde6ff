package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"popbox/mail"
)

// truncFixture is a database of about 2,000 small messages (about 5 KiB
// each, committed in batches of 100 as a fetch does) in one account, as
// bytes, with the raw bytes of each message by UID.
type truncFixture struct {
	data    []byte
	account string
	raw     map[string][]byte
	used    int // pgid * page size of the newer meta: how much of the file bbolt uses
	// low is data after one more write that put the pages from the root to
	// the account's messages at the lowest free pages (bbolt's array free
	// list): a cut then leaves the top of the tree and loses leaves only.
	low     []byte
	lowUsed int
}

// The fixture commits 2,000 messages and deletes ten.
const (
	truncDeleted  = 40
	truncMessages = 2000 - truncDeleted
)

func deleteUID(s *Store, accountID, uid string) error {
	recs, err := s.UIDRecords(accountID)
	if err != nil {
		return err
	}
	return s.DeleteMessage(recs[uid].MsgID)
}

var (
	truncOnce sync.Once
	truncFx   truncFixture
	truncErr  error
)

func truncatedFixture(t *testing.T) truncFixture {
	t.Helper()
	truncOnce.Do(func() {
		dir, err := os.MkdirTemp("", "popbox-trunc-")
		if err != nil {
			truncErr = err
			return
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "popbox.db")
		s, err := Open(path, testOptions(path))
		if err != nil {
			truncErr = err
			return
		}
		a, err := s.AddAccount(testAccount("Work"))
		if err != nil {
			truncErr = err
			return
		}
		fx := truncFixture{account: a.ID, raw: map[string][]byte{}}
		for b := 0; b < 20; b++ {
			var batch []mail.NewMessage
			for i := 0; i < 100; i++ {
				n := b*100 + i
				uid := fmt.Sprintf("u%04d", n)
				// Lines that do not repeat: the raw bytes are stored
				// compressed, and the file must stay mostly pages in use
				// for a cut at 20 % to fall among them.
				var body strings.Builder
				for l := range 200 {
					sum := sha256.Sum256(fmt.Appendf(nil, "%d/%d", n, l))
					fmt.Fprintf(&body, "line %d of message %d %x\r\n", l, n, sum)
				}
				m := withRaw(newMsg(uid, time.Unix(int64(1_700_000_000+n*60), 0), fmt.Sprintf("report %d", n)),
					fmt.Sprintf("Subject: report %d\r\n\r\n%s\r\n", n, body.String()))
				fx.raw[uid] = m.Raw
				batch = append(batch, m)
			}
			if _, err := s.Commit(a.ID, batch); err != nil {
				truncErr = err
				return
			}
		}
		// Forty of the oldest deleted (every third): their pages, at the start
		// of the file, are free for rewriteLow; with only ten, the free list
		// bbolt used for the deletes sometimes left too few low pages for the
		// tree and a cut at 20 % kept no account (1 run in 6).
		for i := 0; i < truncDeleted; i++ {
			uid := fmt.Sprintf("u%04d", i*3)
			if truncErr = deleteUID(s, a.ID, uid); truncErr != nil {
				return
			}
			delete(fx.raw, uid)
		}
		if err := s.Close(); err != nil {
			truncErr = err
			return
		}
		if fx.data, err = os.ReadFile(path); err != nil {
			truncErr = err
			return
		}
		h, ok := readHeader(bytes.NewReader(fx.data), int64(len(fx.data)))
		if !ok {
			truncErr = errors.New("no valid meta page in the fixture")
			return
		}
		fx.used = int(h.size())
		if truncErr = rewriteLow(path, fx.account); truncErr != nil {
			return
		}
		if fx.low, err = os.ReadFile(path); err != nil {
			truncErr = err
			return
		}
		h, _ = readHeader(bytes.NewReader(fx.low), int64(len(fx.low)))
		fx.lowUsed = int(h.size())
		truncFx = fx
	})
	if truncErr != nil {
		t.Fatal(truncErr)
	}
	return truncFx
}

// rewriteLow stores the last entry of each of the account's buckets and of
// the ids bucket again, and the active account, in one transaction of a
// bbolt using the array free list, which takes the lowest free pages: the
// root, meta, the accounts and the branch pages of every bucket move to the
// start of the file, the leaves stay where they are.
func rewriteLow(path, accountID string) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{FreelistType: bolt.FreelistArrayType})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		for _, b := range []*bolt.Bucket{a.msgs, a.raw, a.index, a.uids, a.digest, tx.Bucket(bucketIDs)} {
			k, v := b.Cursor().Last()
			if err := b.Put(copyBytes(k), copyBytes(v)); err != nil {
				return err
			}
		}
		if err := a.setCount(a.count()); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keyActive, []byte(accountID))
	})
}

// cutTo writes the first pct % of the fixture (data, or low) to a new file
// and returns its path; the cut must fall inside what bbolt uses, or the
// test means nothing.
func (fx truncFixture) cutTo(t *testing.T, pct int, low bool) string {
	t.Helper()
	data, used := fx.data, fx.used
	if low {
		data, used = fx.low, fx.lowUsed
	}
	cut := len(data) * pct / 100
	if cut >= used {
		t.Fatalf("a cut at %d %% (%d bytes) leaves all %d bytes bbolt uses", pct, cut, used)
	}
	path := filepath.Join(t.TempDir(), "popbox.db")
	if err := os.WriteFile(path, data[:cut], 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

var truncPercents = []int{20, 35, 50}

// TestOpenTruncated: a database cut to 20-50 % of its size is refused at
// Open with the damaged sentence (shorter than its header says; run
// repair), never a crash from bbolt reading past the end of the file, and
// is left as it was.
func TestOpenTruncated(t *testing.T) {
	fx := truncatedFixture(t)
	for _, pct := range truncPercents {
		t.Run(fmt.Sprintf("%d%%", pct), func(t *testing.T) {
			path := fx.cutTo(t, pct, false)
			before := fileSum(t, path)
			s, err := Open(path, testOptions(path))
			if err == nil {
				s.Close()
				t.Fatal("Open accepted a truncated database")
			}
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("err = %v, want ErrDamaged", err)
			}
			msg := said(err)
			for _, want := range []string{"the database " + path + " is damaged", "shorter than", "its own header says", "popbox --db " + path + " repair"} {
				if !strings.Contains(msg, want) {
					t.Errorf("%q does not say %q", msg, want)
				}
			}
			if fileSum(t, path) != before {
				t.Error("the truncated file was changed")
			}
		})
	}
}

// TestReadHeader: the meta pages are read as bbolt reads them: the valid
// one with the higher transaction ID wins, a torn one is passed over.
func TestReadHeader(t *testing.T) {
	path := testPath(t)
	s := openTest(t, path)
	addAccount(t, s, "Work")
	s.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, ok := readHeader(bytes.NewReader(data), int64(len(data)))
	if !ok || h.pageSize != 4096 || h.pgid < 4 || h.size() > int64(len(data)) {
		t.Fatalf("readHeader = %+v, %v", h, ok)
	}
	// Spoil the checksum of the newer meta: the older one is used.
	newer := int(h.txid%2) * int(h.pageSize)
	bad := bytes.Clone(data)
	bad[newer+boltPageHeaderSize+56] ^= 0xff
	h2, ok := readHeader(bytes.NewReader(bad), int64(len(bad)))
	if !ok || h2.txid != h.txid-1 {
		t.Errorf("with the newer meta torn: %+v, %v; want txid %d", h2, ok, h.txid-1)
	}
	// Both torn: nothing.
	bad[int(1-h.txid%2)*int(h.pageSize)+boltPageHeaderSize+56] ^= 0xff
	if h3, ok := readHeader(bytes.NewReader(bad), int64(len(bad))); ok {
		t.Errorf("with both metas torn: %+v", h3)
	}
	if binary.NativeEndian.Uint32(data[boltPageHeaderSize+8:]) != h.pageSize {
		t.Error("page size differs from meta page 0")
	}
}

// checkHonest checks a repair of a database that held truncMessages
// messages: every copied message is exact, and the report never claims
// less loss than there was.
func checkHonest(t *testing.T, fx truncFixture, dst string, rep SalvageReport) {
	t.Helper()
	if !rep.Damaged {
		t.Error("report says the file is undamaged")
	}
	lost := truncMessages - rep.Messages
	switch {
	case rep.LostUnknown:
		if rep.Lost > lost {
			t.Errorf("at least %d lost, but only %d were not copied", rep.Lost, lost)
		}
		if rep.MaxMessages != 0 && rep.MaxMessages < truncMessages {
			t.Errorf("at most %d messages, but the file held %d", rep.MaxMessages, truncMessages)
		}
	case rep.Lost != lost:
		t.Errorf("report: %d copied and %d lost, known exactly; the file held %d", rep.Messages, rep.Lost, truncMessages)
	}
	if rep.Messages == 0 {
		return
	}
	s := openTest(t, dst)
	defer s.Close()
	recs, err := s.UIDRecords(fx.account)
	if err != nil {
		t.Fatal(err)
	}
	stored := 0
	for uid, r := range recs {
		if r.State == mail.UIDDeletedLocally {
			if _, ok := fx.raw[uid]; ok {
				t.Errorf("UID %s of a stored message copied as deleted", uid)
			}
			continue
		}
		stored++
		raw, err := s.Raw(r.MsgID)
		if err != nil || !bytes.Equal(raw, fx.raw[uid]) {
			t.Errorf("copied message %s (%s) differs: %v", r.MsgID, uid, err)
		}
	}
	// UID records on pages past the cut are lost with them (the next
	// fetch finds those messages by digest).
	if stored > rep.Messages {
		t.Errorf("%d UID records of stored messages for %d messages copied", stored, rep.Messages)
	}
	if n, err := s.Count(fx.account); err != nil || n != rep.Messages {
		t.Errorf("the copy counts %d messages (%v), the report %d", n, err, rep.Messages)
	}
	msgs, err := s.Page(fx.account, 0, truncMessages)
	if err != nil || len(msgs) != rep.Messages {
		t.Fatalf("the copy lists %d messages (%v), the report %d", len(msgs), err, rep.Messages)
	}
	for _, m := range msgs {
		raw, err := s.Raw(m.ID)
		if err != nil || !bytes.Equal(raw, fx.raw[m.UID]) {
			t.Errorf("copied message %s (%s) differs: %v", m.ID, m.UID, err)
		}
	}
}

// TestSalvageTruncated: repair of a database cut to 20-50 % does not
// crash, copies what can still be read, and says truthfully what it could
// not copy, or that it cannot tell how much that is. As fetched, the top of
// the tree often lies near the end of the file and nothing can be reached;
// after a write that moved it to the start, what the surviving branch pages
// lead to is copied and the count says exactly how many were lost.
func TestSalvageTruncated(t *testing.T) {
	fx := truncatedFixture(t)
	for _, low := range []bool{false, true} {
		for _, pct := range truncPercents {
			name := fmt.Sprintf("as fetched/%d%%", pct)
			if low {
				name = fmt.Sprintf("tree at the start/%d%%", pct)
			}
			t.Run(name, func(t *testing.T) {
				path := fx.cutTo(t, pct, low)
				dst := filepath.Join(t.TempDir(), "new.db")
				rep, err := Salvage(path, dst, Options{})
				if err != nil {
					if low {
						t.Fatalf("Salvage: %v", err)
					}
					// Nothing of the tree is left before the cut.
					if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "no account can be read") || !strings.Contains(err.Error(), "it was cut short") {
						t.Fatalf("Salvage: %v", err)
					}
					return
				}
				t.Logf("Salvage: %+v", rep)
				if !rep.Truncated {
					t.Error("report does not say the file was cut short")
				}
				// How many messages are copied depends on where bbolt's
				// map free list put the branch pages; the count, moved to
				// the start, is always read.
				if low && (rep.Accounts != 1 || rep.Messages == truncMessages || rep.LostUnknown) {
					t.Errorf("report %+v; want the account copied and the loss known", rep)
				}
				checkHonest(t, fx, dst, rep)
			})
		}
	}
}

// TestSalvageCountUnknown: when the damage takes the account's message
// count, its messages and the ids bucket (as a cut through the file does),
// repair copies the account and says that it cannot tell how many messages
// were lost, with the message counter as the bound; it never says that no
// message is known to be lost.
func TestSalvageCountUnknown(t *testing.T) {
	fx := truncatedFixture(t)
	path := filepath.Join(t.TempDir(), "popbox.db")
	if err := os.WriteFile(path, fx.data, 0o600); err != nil {
		t.Fatal(err)
	}
	f := readBoltFile(t, path)
	acctRoot := f.bucket(f.root(), bucketAcct, u64(mustUint(t, fx.account)))
	var pages []uint64
	pages = append(pages, binary.NativeEndian.Uint64(acctRoot))
	for _, l := range f.leaves(f.bucket(f.root(), bucketIDs)) {
		pages = append(pages, l.id)
	}
	smash(t, path, pages...)

	dst := filepath.Join(t.TempDir(), "new.db")
	rep, err := Salvage(path, dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accounts != 1 || rep.Messages != 0 || !rep.LostUnknown || rep.MaxMessages != truncMessages+truncDeleted || !rep.Damaged {
		t.Errorf("report %+v; want 1 account, 0 messages, an unknown loss of at most %d", rep, truncMessages+truncDeleted)
	}
	checkHonest(t, fx, dst, rep)
}

// TestFaultBecomesDamage: a page number that points past the end of the
// file (the file's header is fine, a branch page is not) makes bbolt read
// outside the file; the fault is a DamagedError, not the end of the
// process.
func TestFaultBecomesDamage(t *testing.T) {
	fx := truncatedFixture(t)
	path := filepath.Join(t.TempDir(), "popbox.db")
	if err := os.WriteFile(path, fx.data, 0o600); err != nil {
		t.Fatal(err)
	}
	f := readBoltFile(t, path)
	branch := f.bucket(f.root(), bucketAcct, u64(mustUint(t, fx.account)), bucketMsgs)
	if _, _, kids, leaf := elems(branch); leaf || len(kids) < 2 {
		t.Fatal("the msgs bucket has no branch page")
	}
	// The second child of the branch: a page far past the end of the file
	// but inside bbolt's 1 GiB map.
	e := branch[boltPageHeaderSize+16:]
	binary.NativeEndian.PutUint64(e[8:], uint64(len(fx.data)/f.pageSize+1000))
	if err := os.WriteFile(path, f.data, 0o600); err != nil {
		t.Fatal(err)
	}

	s := openTest(t, path)
	var damaged error
	for off := 0; off < truncMessages; off += 100 {
		if _, err := s.Page(fx.account, off, 100); err != nil {
			damaged = err
			break
		}
	}
	if !errors.Is(damaged, ErrDamaged) || !strings.Contains(said(damaged), "popbox --db "+path+" repair") {
		t.Fatalf("reading the messages: %v, want a DamagedError", damaged)
	}
}
