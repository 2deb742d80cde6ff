package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"popbox/mail"
)

// salvageFixture is a database worth repairing: two accounts with sealed
// passwords, a thousand messages with distinct bodies (some sharing a date),
// duplicates by digest (also lists), tombstones and seen flags.
type salvageFixture struct {
	path       string
	work, home mail.Account
	// raw holds the bytes retrieved under every UID, duplicates included,
	// by account ID: what a copied message must equal.
	raw   map[string]map[string][]byte
	total int // messages stored
}

func buildSalvageFixture(t testing.TB) salvageFixture {
	t.Helper()
	fx := salvageFixture{path: filepath.Join(t.TempDir(), "popbox.db"), raw: map[string]map[string][]byte{}}
	s, err := Open(fx.path, testOptions(fx.path))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fx.work, fx.home = addAccount(t, s, "Work"), addAccount(t, s, "Home")
	r := rand.New(rand.NewPCG(7, 11))
	base := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	msg := func(a mail.Account, uid string, i int, raw []byte) mail.NewMessage {
		subject := fmt.Sprintf("%s report %04d beta", a.Name, i)
		if i%5 == 0 {
			subject = fmt.Sprintf("%s report %04d alpha", a.Name, i)
		}
		// Three messages share each date: ties are ordered by arrival.
		m := withRaw(newMsg(uid, base.Add(time.Duration(i/3)*time.Minute), subject), string(raw))
		fx.raw[a.ID][uid] = m.Raw
		return m
	}
	for _, c := range []struct {
		a mail.Account
		n int
	}{{fx.work, 600}, {fx.home, 400}} {
		fx.raw[c.a.ID] = map[string][]byte{}
		for b := 0; b < c.n; b += 100 {
			var batch []mail.NewMessage
			for i := b; i < b+100; i++ {
				body := make([]byte, 200+r.IntN(3000))
				for j := range body {
					body[j] = byte('a' + r.IntN(26))
				}
				raw := []byte(fmt.Sprintf("From: Taro <taro@example.com>\r\nSubject: %d\r\n\r\n%s\r\n", i, body))
				batch = append(batch, msg(c.a, fmt.Sprintf("%s-%04d", c.a.Name, i), i, raw))
			}
			commit(t, s, c.a.ID, batch...)
			fx.total += len(batch)
		}
	}
	// Duplicates: the same bytes again under new UIDs, some twice.
	for i := 0; i < 40; i++ {
		n := 7 * i
		for _, a := range []mail.Account{fx.work, fx.home} {
			orig := fx.raw[a.ID][fmt.Sprintf("%s-%04d", a.Name, n)]
			dups := 1 + i%2
			for d := 0; d < dups; d++ {
				if commit(t, s, a.ID, msg(a, fmt.Sprintf("%s-dup%d-%04d", a.Name, d, n), n, orig)) != 1 {
					t.Fatalf("duplicate %d of %s not recognised", n, a.Name)
				}
			}
		}
	}
	// Tombstones, some of messages with duplicates, and seen flags.
	for _, a := range []mail.Account{fx.work, fx.home} {
		recs, err := s.UIDRecords(a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 300; i += 11 {
			id := recs[fmt.Sprintf("%s-%04d", a.Name, i)].MsgID
			if err := s.DeleteMessage(id); err != nil {
				t.Fatal(err)
			}
			fx.total--
		}
		for i := 1; i < 400; i += 4 {
			if rec, ok := recs[fmt.Sprintf("%s-%04d", a.Name, i)]; ok && i%11 != 0 {
				if err := s.MarkSeen(rec.MsgID, true); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return fx
}

// storeView is everything a user sees of a database, to compare two.
type storeView struct {
	Accounts  []mail.Account
	Passwords map[string][2]string
	Active    string
	Counts    map[string]int
	Pages     map[string][]Message
	Middle    map[string][]Message
	Raw       map[string][]byte
	UIDs      map[string]map[string]mail.UIDRecord
	Tombs     map[string][]string
	Search    map[string][]Message
	Found     map[string]int
}

func viewOf(t *testing.T, s *Store) storeView {
	t.Helper()
	v := storeView{
		Passwords: map[string][2]string{}, Counts: map[string]int{}, Pages: map[string][]Message{},
		Middle: map[string][]Message{}, Raw: map[string][]byte{}, UIDs: map[string]map[string]mail.UIDRecord{},
		Tombs: map[string][]string{}, Search: map[string][]Message{}, Found: map[string]int{},
	}
	var err error
	if v.Accounts, err = s.Accounts(); err != nil {
		t.Fatal(err)
	}
	if v.Active, err = s.ActiveID(); err != nil {
		t.Fatal(err)
	}
	for _, a := range v.Accounts {
		full, err := s.Account(a.ID)
		if err != nil {
			t.Fatalf("Account(%s): %v", a.Name, err)
		}
		v.Passwords[a.ID] = [2]string{full.Incoming.Password, full.Outgoing.Password}
		if v.Counts[a.ID], err = s.Count(a.ID); err != nil {
			t.Fatal(err)
		}
		if v.Pages[a.ID], err = s.Page(a.ID, 0, 1<<20); err != nil {
			t.Fatal(err)
		}
		if v.Middle[a.ID], err = s.Page(a.ID, 123, 45); err != nil {
			t.Fatal(err)
		}
		for _, m := range v.Pages[a.ID] {
			if v.Raw[m.ID], err = s.Raw(m.ID); err != nil {
				t.Fatal(err)
			}
		}
		if v.UIDs[a.ID], err = s.UIDRecords(a.ID); err != nil {
			t.Fatal(err)
		}
		v.Tombs[a.ID] = tombstones(t, s, a.ID)
		if v.Search[a.ID], v.Found[a.ID], err = s.Search(a.ID, "ALPHA", 3, 20); err != nil {
			t.Fatal(err)
		}
	}
	return v
}

func openSalvaged(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path, testOptions(path))
	if err != nil {
		t.Fatalf("Open of the salvaged database: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// metaCounter reads a counter of meta from a closed database.
func metaCounter(t *testing.T, path string, key []byte) uint64 {
	t.Helper()
	s := openTest(t, path)
	defer s.Close()
	var n uint64
	s.db.View(func(tx *bolt.Tx) error {
		n = binary.BigEndian.Uint64(tx.Bucket(bucketMeta).Get(key))
		return nil
	})
	return n
}

// TestSalvageUndamaged: an intact database comes through whole: the same
// accounts, passwords, pages, bytes, UID records and search results, and
// the copy goes on working like the original.
func TestSalvageUndamaged(t *testing.T) {
	fx := buildSalvageFixture(t)
	before := fileSum(t, fx.path)
	nextMessage := metaCounter(t, fx.path, keyNextMessage)
	nextAccount := metaCounter(t, fx.path, keyNextAccount)
	dst := filepath.Join(filepath.Dir(fx.path), "new", "popbox.db")

	rep, err := Salvage(fx.path, dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := (SalvageReport{Accounts: 2, Messages: fx.total}); rep != want {
		t.Errorf("report %+v, want %+v", rep, want)
	}
	if fileSum(t, fx.path) != before {
		t.Error("Salvage changed the file it read")
	}
	for _, p := range []string{dst, dst + ".key"} {
		if m := mode(t, p); m != 0o600 {
			t.Errorf("%s has mode %o, want 600", p, m)
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(dst)); len(entries) != 2 {
		t.Errorf("the new folder holds %v, want the database and its key only", entries)
	}
	checkSalvaged(t, dst, fx)

	src, out := openTest(t, fx.path), openSalvaged(t, dst)
	want, got := viewOf(t, src), viewOf(t, out)
	if len(want.Pages[fx.work.ID]) == 0 || len(want.Tombs[fx.work.ID]) == 0 || want.Found[fx.home.ID] == 0 {
		t.Fatal("the fixture lacks messages, tombstones or search hits")
	}
	if !reflect.DeepEqual(got, want) {
		for _, f := range reflect.VisibleFields(reflect.TypeOf(want)) {
			if !reflect.DeepEqual(reflect.ValueOf(got).FieldByIndex(f.Index).Interface(), reflect.ValueOf(want).FieldByIndex(f.Index).Interface()) {
				t.Errorf("%s differs after Salvage", f.Name)
			}
		}
	}
	if got.Passwords[fx.work.ID] != [2]string{"in-Work", "out-Work"} {
		t.Errorf("passwords of Work after Salvage: %q", got.Passwords[fx.work.ID])
	}

	// New mail gets the next ID of the old file, never an old one, and a
	// copy of a kept message is recognised as a duplicate.
	fresh := withRaw(newMsg("fresh", time.Now(), "fresh"), "fresh bytes")
	if commit(t, out, fx.work.ID, fresh) != 0 {
		t.Error("a new message counted as a duplicate")
	}
	if id := uidOf(t, out, fx.work.ID, "fresh").MsgID; id != strconv.FormatUint(nextMessage+1, 10) {
		t.Errorf("new message got ID %s, want %d", id, nextMessage+1)
	}
	kept := want.Pages[fx.work.ID][10]
	// The same bytes come with the same summary, which is made from them;
	// duplicates are looked up by its date and their digest (digestKey).
	again := withRaw(newMsg("again", time.Now(), "again"), string(want.Raw[kept.ID]))
	again.Summary = kept.Summary
	if commit(t, out, fx.work.ID, again) != 1 {
		t.Error("a copy of a salvaged message was not recognised as a duplicate")
	}
	if r := uidOf(t, out, fx.work.ID, "again"); r.MsgID != kept.ID {
		t.Errorf("duplicate points at %s, want %s", r.MsgID, kept.ID)
	}
	if n, _ := out.Count(fx.work.ID); n != want.Counts[fx.work.ID]+1 {
		t.Errorf("Count after two commits = %d, want %d", n, want.Counts[fx.work.ID]+1)
	}
	a := testAccount("Third")
	added, err := out.AddAccount(a)
	if err != nil {
		t.Fatal(err)
	}
	if added.ID != strconv.FormatUint(nextAccount+1, 10) {
		t.Errorf("new account got ID %s, want %d", added.ID, nextAccount+1)
	}
}

// checkSalvaged opens a salvaged database and walks all of it: bbolt's own
// check, then every cross-reference popbox relies on, and every message's
// bytes against what was first stored. It returns the number of messages.
func checkSalvaged(t *testing.T, path string, fx salvageFixture) int {
	t.Helper()
	s := openSalvaged(t, path)
	defer s.Close()
	total := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			t.Errorf("bbolt check: %v", err)
		}
		ids := tx.Bucket(bucketIDs)
		nIDs := 0
		ids.ForEach(func(k, v []byte) error {
			nIDs++
			if len(k) != 8 || len(v) != 24 {
				t.Errorf("ids entry %x -> %x", k, v)
				return nil
			}
			root := tx.Bucket(bucketAcct).Bucket(v[:8])
			if root == nil || root.Bucket(bucketMsgs).Get(v[8:]) == nil {
				t.Errorf("ids entry %d points at no message", binary.BigEndian.Uint64(k))
			}
			return nil
		})
		return tx.Bucket(bucketAccounts).ForEach(func(key, _ []byte) error {
			id := accountIDOf(key)
			a, err := openAcctKey(tx, key, id)
			if err != nil {
				t.Errorf("account %s: %v", id, err)
				return nil
			}
			n := 0
			a.msgs.ForEach(func(k, v []byte) error {
				n++
				rec, err := decodeRecord(v)
				if err != nil {
					t.Errorf("account %s: %v", id, err)
					return nil
				}
				if rec.Layout != layoutZstd && rec.Layout != layoutZstdChunks {
					t.Errorf("message %x: layout %q in the copy", k, rec.Layout)
				}
				raw, err := readRaw(a, k, rec)
				if sum := sha256.Sum256(raw); err != nil || raw == nil || !bytes.Equal(sum[:], rec.Digest) {
					t.Errorf("message %x: raw bytes missing or not its digest", k)
				}
				if want, ok := fx.raw[id][rec.UID]; !ok || !bytes.Equal(raw, want) {
					t.Errorf("message %x (uid %s) is not the original", k, rec.UID)
				}
				for _, uid := range rec.Also {
					if !bytes.Equal(raw, fx.raw[id][uid]) {
						t.Errorf("message %x: also-UID %s had other bytes", k, uid)
					}
				}
				if !bytes.Equal(a.index.Get(k), indexText(rec.Summary)) {
					t.Errorf("message %x: index entry wrong", k)
				}
				if !bytes.Equal(ids.Get(k[8:]), append(append([]byte{}, key...), k...)) {
					t.Errorf("message %x: ids entry wrong", k)
				}
				if !bytes.Equal(a.digest.Get(digestKey(rec.Summary, rec.Digest)), k[8:]) {
					t.Errorf("message %x: digest entry wrong", k)
				}
				if binary.BigEndian.Uint64(k[:8]) != dateNanos(rec.Summary.Date) {
					t.Errorf("message %x: key does not match its date", k)
				}
				return nil
			})
			if a.count() != n {
				t.Errorf("account %s: count %d, %d messages", id, a.count(), n)
			}
			total += n
			a.uids.ForEach(func(k, v []byte) error {
				r, err := decodeUID(k, v)
				if err != nil {
					t.Errorf("uid %s: %v", k, err)
					return nil
				}
				if r.State == mail.UIDDeletedLocally {
					if a.tombs.Get(k) == nil {
						t.Errorf("uid %s deleted locally without a tombstone", k)
					}
					return nil
				}
				loc := ids.Get(u64(r.MsgID))
				if len(loc) != 24 || !bytes.Equal(loc[:8], key) {
					t.Errorf("uid %s points at %d, not a message of account %s", k, r.MsgID, id)
					return nil
				}
				rec, err := decodeRecord(a.msgs.Get(loc[8:]))
				if err != nil || (rec.UID != string(k) && !slices.Contains(rec.Also, string(k))) {
					t.Errorf("uid %s points at message %d, which does not list it", k, r.MsgID)
				}
				return nil
			})
			a.tombs.ForEach(func(k, _ []byte) error {
				r, err := decodeUID(k, a.uids.Get(k))
				if err != nil || r.State != mail.UIDDeletedLocally {
					t.Errorf("tombstone %s without a deleted-locally record", k)
				}
				return nil
			})
			a.digest.ForEach(func(d, gid []byte) error {
				loc := ids.Get(gid)
				if len(loc) != 24 || !bytes.Equal(loc[:8], key) {
					t.Errorf("digest %x points at no message of account %s", d, id)
				}
				return nil
			})
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	// And through the API, as popbox uses it.
	accts, err := s.Accounts()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accts {
		if _, err := s.Page(a.ID, 0, 1<<20); err != nil {
			t.Error(err)
		}
		if _, err := s.UIDRecords(a.ID); err != nil {
			t.Error(err)
		}
		if _, _, err := s.Search(a.ID, "alpha", 0, 10); err != nil {
			t.Error(err)
		}
	}
	return total
}

func mustUint(t *testing.T, s string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Errorf("ID %q: %v", s, err)
	}
	return n
}

// boltFile reads the B+tree of a closed bbolt file by hand (the layout of
// bbolt v1.5.0, see store.go), so that a test can damage a chosen page:
// bbolt has no API that names the pages of a bucket.
type boltFile struct {
	data     []byte
	pageSize int
}

func readBoltFile(t *testing.T, path string) boltFile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return boltFile{data: data, pageSize: int(binary.NativeEndian.Uint32(data[boltPageHeaderSize+8:]))}
}

func (f boltFile) page(id uint64) []byte { return f.data[int(id)*f.pageSize:] }

// root is the root bucket's page, from the newer meta page.
func (f boltFile) root() []byte {
	var root, txid uint64
	for i := 0; i < 2; i++ {
		m := f.page(uint64(i))[boltPageHeaderSize:]
		if tx := binary.NativeEndian.Uint64(m[48:]); i == 0 || tx > txid {
			root, txid = binary.NativeEndian.Uint64(m[16:]), tx
		}
	}
	return f.page(root)
}

// elems lists a page's keys with, on a leaf, the values and, on a branch,
// the child pages.
func elems(p []byte) (keys, vals [][]byte, kids []uint64, leaf bool) {
	leaf = binary.NativeEndian.Uint16(p[8:])&0x02 != 0
	for i := 0; i < int(binary.NativeEndian.Uint16(p[10:])); i++ {
		e := p[boltPageHeaderSize+16*i:]
		if leaf {
			pos, ks, vs := binary.NativeEndian.Uint32(e[4:]), binary.NativeEndian.Uint32(e[8:]), binary.NativeEndian.Uint32(e[12:])
			keys = append(keys, e[pos:pos+ks])
			vals = append(vals, e[pos+ks:pos+ks+vs])
			continue
		}
		pos, ks := binary.NativeEndian.Uint32(e[0:]), binary.NativeEndian.Uint32(e[4:])
		keys = append(keys, e[pos:pos+ks])
		kids = append(kids, binary.NativeEndian.Uint64(e[8:]))
	}
	return keys, vals, kids, leaf
}

// bucket returns the root page of the bucket reached from p by names.
func (f boltFile) bucket(p []byte, names ...[]byte) []byte {
	for _, name := range names {
		for {
			keys, vals, kids, leaf := elems(p)
			if leaf {
				i := slices.IndexFunc(keys, func(k []byte) bool { return bytes.Equal(k, name) })
				v := vals[i]
				if root := binary.NativeEndian.Uint64(v); root != 0 {
					p = f.page(root)
				} else {
					p = v[16:] // an inline bucket
				}
				break
			}
			child := kids[0]
			for i, k := range keys {
				if bytes.Compare(k, name) <= 0 {
					child = kids[i]
				}
			}
			p = f.page(child)
		}
	}
	return p
}

// leafPage is one leaf of a bucket: its page and keys.
type leafPage struct {
	id   uint64
	keys [][]byte
}

// leaves lists the leaves under p in key order.
func (f boltFile) leaves(p []byte) []leafPage {
	keys, _, kids, leaf := elems(p)
	if leaf {
		return []leafPage{{id: binary.NativeEndian.Uint64(p), keys: keys}}
	}
	var out []leafPage
	for _, c := range kids {
		out = append(out, f.leaves(f.page(c))...)
	}
	return out
}

// smash overwrites the header of page id with junk that names another page.
func smash(t *testing.T, path string, ids ...uint64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ps := readBoltFile(t, path).pageSize
	for _, id := range ids {
		if _, err := f.WriteAt(bytes.Repeat([]byte{0xee}, boltPageHeaderSize), int64(id)*int64(ps)); err != nil {
			t.Fatal(err)
		}
	}
}

// storedUIDs returns the UID records of an account that point at a message
// (not tombstones), by message ID.
func storedUIDs(t *testing.T, path, accountID string) map[string][]string {
	t.Helper()
	s := openTest(t, path)
	defer s.Close()
	recs, err := s.UIDRecords(accountID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for uid, r := range recs {
		if r.State == mail.UIDStored {
			out[r.MsgID] = append(out[r.MsgID], uid)
		}
	}
	return out
}

func msgIDs(msgs []Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.ID)
	}
	sort.Strings(out)
	return out
}

// TestSalvageDamagedPages damages chosen pages and checks that exactly what
// they held is lost: the walk steps over a damaged leaf and goes on after
// it, a damaged raw page loses only its messages, and UID records of lost
// messages are dropped so that the server copies are fetched again.
func TestSalvageDamagedPages(t *testing.T) {
	fx := buildSalvageFixture(t)
	orig, err := os.ReadFile(fx.path)
	if err != nil {
		t.Fatal(err)
	}
	bf := readBoltFile(t, fx.path)
	acctRoot := func(a mail.Account, name []byte) []byte {
		k, _ := accountKey(a.ID)
		return bf.bucket(bf.root(), bucketAcct, k, name)
	}
	pageID := func(p []byte) uint64 { return binary.NativeEndian.Uint64(p) }
	src := openTest(t, fx.path)
	before := viewOf(t, src)
	src.Close()
	uids := map[string]map[string][]string{
		fx.work.ID: storedUIDs(t, fx.path, fx.work.ID),
		fx.home.ID: storedUIDs(t, fx.path, fx.home.ID),
	}
	// A msg key ends in the message ID; raw is keyed by the ID alone.
	idOf := func(k []byte) string { return strconv.FormatUint(binary.BigEndian.Uint64(k[len(k)-8:]), 10) }

	msgLeaves := bf.leaves(acctRoot(fx.work, bucketMsgs))
	rawLeaves := bf.leaves(acctRoot(fx.work, bucketRaw))
	uidLeaves := bf.leaves(acctRoot(fx.home, bucketUIDs))
	if len(msgLeaves) < 5 || len(rawLeaves) < 5 || len(uidLeaves) < 3 {
		t.Fatalf("fixture too small: %d msgs, %d raw, %d uids leaves", len(msgLeaves), len(rawLeaves), len(uidLeaves))
	}
	// The messages on some leaves of Work, by ID.
	onLeaves := func(ls ...leafPage) []string {
		var out []string
		for _, l := range ls {
			for _, k := range l.keys {
				out = append(out, idOf(k))
			}
		}
		return out
	}

	cases := []struct {
		name  string
		pages []uint64
		lost  []string // IDs of Work's messages that must be lost
		// uidsLost: Home's UID records on the damaged uids page
		uidsLost bool
	}{
		{"a leaf of messages", []uint64{msgLeaves[len(msgLeaves)/2].id}, onLeaves(msgLeaves[len(msgLeaves)/2]), false},
		{"the first and last leaves", []uint64{msgLeaves[0].id, msgLeaves[len(msgLeaves)-1].id}, onLeaves(msgLeaves[0], msgLeaves[len(msgLeaves)-1]), false},
		{"two leaves in a row", []uint64{msgLeaves[2].id, msgLeaves[3].id}, onLeaves(msgLeaves[2], msgLeaves[3]), false},
		{"the root of the messages", []uint64{pageID(acctRoot(fx.work, bucketMsgs))}, msgIDs(before.Pages[fx.work.ID]), false},
		{"a leaf of raw bytes", []uint64{rawLeaves[len(rawLeaves)/3].id}, onLeaves(rawLeaves[len(rawLeaves)/3]), false},
		{"a leaf of UID records", []uint64{uidLeaves[1].id}, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "popbox.db")
			if err := os.WriteFile(path, orig, 0o600); err != nil {
				t.Fatal(err)
			}
			keyFile, _ := os.ReadFile(fx.path + ".key")
			os.WriteFile(path+".key", keyFile, 0o600)
			smash(t, path, c.pages...)
			dst := filepath.Join(dir, "new.db")
			rep, err := Salvage(path, dst, Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%+v", rep)
			if !rep.Damaged {
				t.Error("report does not say the file was damaged")
			}
			if n := checkSalvaged(t, dst, fx); n != rep.Messages {
				t.Errorf("report says %d messages, the file holds %d", rep.Messages, n)
			}
			if rep.Accounts != 2 || rep.Lost != len(c.lost) || rep.Messages != fx.total-len(c.lost) {
				t.Errorf("report %+v, want 2 accounts, %d messages, %d lost", rep, fx.total-len(c.lost), len(c.lost))
			}
			var dropped []string
			for _, id := range c.lost {
				dropped = append(dropped, uids[fx.work.ID][id]...)
			}
			if !c.uidsLost && rep.UIDsDropped != len(dropped) {
				t.Errorf("%d UID records dropped, want %d", rep.UIDsDropped, len(dropped))
			}

			out := openSalvaged(t, dst)
			got := viewOf(t, out)
			var want []string
			for _, id := range msgIDs(before.Pages[fx.work.ID]) {
				if !slices.Contains(c.lost, id) {
					want = append(want, id)
				}
			}
			if g := msgIDs(got.Pages[fx.work.ID]); !slices.Equal(g, want) {
				t.Errorf("Work holds %d messages, want %d", len(g), len(want))
			}
			if !reflect.DeepEqual(got.Pages[fx.home.ID], before.Pages[fx.home.ID]) {
				t.Error("Home's messages changed")
			}
			if got.Passwords[fx.work.ID] != [2]string{"in-Work", "out-Work"} {
				t.Errorf("passwords: %q", got.Passwords[fx.work.ID])
			}
			// A lost message's UIDs are gone, so a fetch brings it back;
			// tombstones all stay.
			for _, id := range c.lost {
				for _, uid := range uids[fx.work.ID][id] {
					if _, ok := got.UIDs[fx.work.ID][uid]; ok {
						t.Errorf("UID %s of lost message %s kept", uid, id)
					}
				}
			}
			if !c.uidsLost && !slices.Equal(got.Tombs[fx.work.ID], before.Tombs[fx.work.ID]) {
				t.Error("tombstones of Work changed")
			}
			if c.uidsLost {
				var onPage []string
				for _, k := range uidLeaves[1].keys {
					onPage = append(onPage, string(k))
				}
				for uid := range before.UIDs[fx.home.ID] {
					_, kept := got.UIDs[fx.home.ID][uid]
					if kept == slices.Contains(onPage, uid) {
						t.Errorf("UID %s kept=%v, on the damaged page=%v", uid, kept, !kept)
					}
				}
			}
		})
	}
}

// salvageCopy writes data as a damaged database (with the key of the
// fixture), salvages it and checks the result; false when Salvage found
// nothing to copy.
func salvageCopy(t *testing.T, fx salvageFixture, data, key []byte) (SalvageReport, bool) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "popbox.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".key", key, 0o600); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "new.db")
	rep, err := Salvage(path, dst, Options{})
	if sum := sha256.Sum256(data); fileSum(t, path) != sum {
		t.Error("Salvage changed the damaged file")
	}
	if err != nil {
		if !errors.Is(err, ErrDamaged) && !errors.Is(err, ErrNotDatabase) {
			t.Fatalf("Salvage: %v", err)
		}
		if _, serr := os.Stat(dst); !errors.Is(serr, os.ErrNotExist) {
			t.Errorf("failed Salvage left %s", dst)
		}
		t.Logf("nothing salvaged: %v", err)
		return rep, false
	}
	t.Logf("%+v", rep)
	if got := checkSalvaged(t, dst, fx); got != rep.Messages {
		t.Errorf("report says %d messages, the file holds %d", rep.Messages, got)
	}
	if rep.Messages+rep.Lost > fx.total || rep.Messages < 0 || rep.Lost < 0 {
		t.Errorf("report %+v for %d messages", rep, fx.total)
	}
	return rep, true
}

// TestSalvageRandomDamage: with the headers of random pages overwritten, or
// the file cut short, Salvage never panics (nor faults on a page past the
// end of the file), and what it makes opens cleanly, passes a full
// consistency walk and holds only messages identical to the originals.
func TestSalvageRandomDamage(t *testing.T) {
	fx := buildSalvageFixture(t)
	orig, err := os.ReadFile(fx.path)
	if err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(fx.path + ".key")
	if err != nil {
		t.Fatal(err)
	}
	pageSize := readBoltFile(t, fx.path).pageSize
	pages := len(orig) / pageSize
	salvaged := 0
	for seed := uint64(1); seed <= 8; seed++ {
		// Odd seeds: a quarter of the pages (as TestDamagedPages); even:
		// a few, as a bad sector would.
		n := pages / 4
		if seed%2 == 0 {
			n = 1 + pages/100
		}
		t.Run(fmt.Sprintf("seed %d, %d pages", seed, n), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 3))
			data := bytes.Clone(orig)
			for i := 0; i < n; i++ {
				junk := make([]byte, boltPageHeaderSize)
				for j := range junk {
					junk[j] = byte(r.IntN(256))
				}
				copy(data[(2+r.IntN(pages-2))*pageSize:], junk)
			}
			if rep, ok := salvageCopy(t, fx, data, key); ok && rep.Messages > 0 {
				salvaged++
			}
		})
	}
	if salvaged == 0 {
		t.Error("no seed salvaged a single message")
	}
	// A file cut short: bbolt maps more than the file holds, and a page
	// past its end faults instead of panicking.
	for _, percent := range []int{50, 20, 15, 5} {
		t.Run(fmt.Sprintf("cut to %d%%", percent), func(t *testing.T) {
			salvageCopy(t, fx, orig[:len(orig)*percent/100/pageSize*pageSize], key)
		})
	}
}

// TestSalvageRefusals: Salvage never overwrites, never waits long for a
// database in use, and says why it cannot start.
func TestSalvageRefusals(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "popbox.db")
	s := openTest(t, path)
	addAccount(t, s, "Work")

	// In use: ErrLocked, within the usual time and in the usual words.
	start := time.Now()
	_, err := Salvage(path, filepath.Join(dir, "new.db"), Options{})
	checkLocked(t, err, path, time.Since(start))
	s.Close()

	for _, name := range []string{"taken.db", "keyed.db"} {
		dst := filepath.Join(dir, name)
		existing := dst
		if name == "keyed.db" {
			existing = dst + ".key"
		}
		if err := os.WriteFile(existing, []byte("mine"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Salvage(path, dst, Options{})
		if !errors.Is(err, os.ErrExist) || !strings.Contains(err.Error(), existing) {
			t.Errorf("Salvage into an existing %s: %v", existing, err)
		}
		if b, _ := os.ReadFile(existing); string(b) != "mine" {
			t.Errorf("%s was changed", existing)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "taken.db.key")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a refused Salvage wrote a key file")
	}

	notDB := filepath.Join(dir, "notes.txt")
	os.WriteFile(notDB, bytes.Repeat([]byte("not a database\n"), 500), 0o600)
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o600)
	for _, c := range []struct {
		src  string
		want error
	}{
		{filepath.Join(dir, "missing.db"), os.ErrNotExist},
		{notDB, ErrNotDatabase},
		{empty, ErrNotDatabase},
		{dir, ErrNotDatabase},
	} {
		_, err := Salvage(c.src, filepath.Join(dir, "out.db"), Options{})
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.src) {
			t.Errorf("Salvage(%s): %v, want %v naming the file", c.src, err, c.want)
		}
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, "*out.db*")); len(entries) != 0 {
		t.Errorf("refused Salvages left %v", entries)
	}

	// Both meta pages gone: a clear sentence, nothing made.
	ps := readBoltFile(t, path).pageSize
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int{0, ps} {
		f.WriteAt(bytes.Repeat([]byte{0xee}, 256), int64(off))
	}
	f.Close()
	_, err = Salvage(path, filepath.Join(dir, "out.db"), Options{})
	if !errors.Is(err, ErrNotDatabase) || !strings.Contains(err.Error(), "header pages") {
		t.Errorf("Salvage of a file without meta pages: %v", err)
	}
}

// TestSalvageRootDamaged: when not even the account list can be read, there
// is nothing to copy and no new file.
func TestSalvageRootDamaged(t *testing.T) {
	fx := buildSalvageFixture(t)
	bf := readBoltFile(t, fx.path)
	smash(t, fx.path, binary.NativeEndian.Uint64(bf.root()))
	dst := fx.path + ".repaired"
	_, err := Salvage(fx.path, dst, Options{})
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "no account") {
		t.Fatalf("Salvage with the root page damaged: %v", err)
	}
	if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
		t.Error("a new file was made")
	}
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(dst), ".*repair*")); len(m) != 0 {
		t.Errorf("work files left: %v", m)
	}
}

// TestDamagedErrorPointsAtRepair: the message of a damaged database says
// which command copies out what is left.
func TestDamagedErrorPointsAtRepair(t *testing.T) {
	err := &DamagedError{Path: "/home/taro/my mail/popbox.db", Detail: "page 7 unreadable"}
	want := "popbox --db '/home/taro/my mail/popbox.db' repair"
	if !strings.Contains(said(err), want) {
		t.Errorf("%q does not say %q", err, want)
	}
}

// TestSalvageDropsMailboxPicture: the copy may lack UID records of messages
// that could not be read, so the picture of the mailbox the last fetch left
// (which lets the next fetch skip the listing) is not copied: the next fetch
// lists the mailbox and fetches what was lost.
func TestSalvageDropsMailboxPicture(t *testing.T) {
	fx := buildSalvageFixture(t)
	s := openTest(t, fx.path)
	h := fx.work.Hints
	h.Mailbox = &mail.MailboxState{Server: "pop.example.com:995/ann", Retention: "keep", Count: 3, Octets: 300, LastUID: "u3"}
	if err := s.SaveHints(fx.work.ID, h); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Account(fx.work.ID); a.Hints.Mailbox == nil {
		t.Fatal("the picture was not saved")
	}
	s.Close()
	dst := filepath.Join(filepath.Dir(fx.path), "new", "popbox.db")
	if _, err := Salvage(fx.path, dst, Options{}); err != nil {
		t.Fatal(err)
	}
	out := openSalvaged(t, dst)
	a, err := out.Account(fx.work.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Hints.Mailbox != nil {
		t.Errorf("the repaired copy kept the picture %+v", a.Hints.Mailbox)
	}
	if a.Hints.ExpireDays != h.ExpireDays || a.Name != fx.work.Name {
		t.Errorf("the rest of the account changed: %+v", a)
	}
}
