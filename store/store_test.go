package store

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"popbox/mail"
)

// holdEnv makes the test binary a second process that holds a database
// open until its stdin closes (see TestLockHeldByAnotherProcess).
const holdEnv = "POPBOX_TEST_HOLD_DB"

func TestMain(m *testing.M) {
	if path := os.Getenv(holdEnv); path != "" {
		os.Exit(holdLock(path))
	}
	if dir := os.Getenv(hugeEnv); dir != "" {
		os.Exit(hugeCommit(dir))
	}
	if path := os.Getenv(killEnv); path != "" {
		os.Exit(killedCommit(path))
	}
	if arg := os.Getenv(upgradeKillEnv); arg != "" {
		os.Exit(killedUpgrade(arg))
	}
	if arg := os.Getenv(scaleEnv); arg != "" {
		os.Exit(scaleChild(arg))
	}
	code := m.Run()
	cleanupFixtures()
	os.Exit(code)
}

func holdLock(path string) int {
	s, err := Open(path, Options{PolicyFile: path + ".nopolicy"})
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println("locked")
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := s.Close(); err != nil {
		return 1
	}
	return 0
}

// testPath is a database path in a fresh folder.
func testPath(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "popbox.db")
}

// testOptions keep the tests away from /etc/popbox and $POPBOX_POLICY.
func testOptions(path string) Options {
	return Options{PolicyFile: filepath.Join(filepath.Dir(path), "policy.json")}
}

func openTest(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(path, testOptions(path))
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newStore(t testing.TB) *Store {
	t.Helper()
	return openTest(t, testPath(t))
}

func testAccount(name string) mail.Account {
	return mail.Account{
		Name:  name,
		Email: "taro@example.com",
		Incoming: mail.Server{
			Host: "pop.example.com", Port: 995, Security: mail.SecuritySSL,
			User: "taro@example.com", Password: "in-" + name,
		},
		Outgoing: mail.Server{
			Host: "smtp.example.com", Port: 465, Security: mail.SecuritySSL,
			User: "taro@example.com", Password: "out-" + name,
		},
		Retention: mail.Retention{Kind: mail.RetainKeep},
	}
}

func addAccount(t testing.TB, s *Store, name string) mail.Account {
	t.Helper()
	a, err := s.AddAccount(testAccount(name))
	if err != nil {
		t.Fatalf("AddAccount(%s): %v", name, err)
	}
	return a
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestOpenCreatesWithModes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data", "popbox", "popbox.db")
	keyFile := filepath.Join(dir, "keys", "deep", "popbox.key")
	s, err := Open(path, Options{KeyFile: keyFile, PolicyFile: filepath.Join(dir, "none.json")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	if _, err := os.Stat(keyFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("key file made before any password: %v", err)
	}
	addAccount(t, s, "Work")

	for _, c := range []struct {
		path string
		want os.FileMode
	}{
		{path, 0o600},
		{filepath.Dir(path), 0o700},
		{filepath.Join(dir, "data"), 0o700},
		{keyFile, 0o600},
		{filepath.Dir(keyFile), 0o700},
	} {
		if got := mode(t, c.path); got != c.want {
			t.Errorf("mode of %s = %o, want %o", c.path, got, c.want)
		}
	}
	// No temporary file is left beside the database.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %v, want only popbox.db", names)
	}
}

func TestDefaultKeyFileBesideDatabase(t *testing.T) {
	path := testPath(t)
	s := openTest(t, path)
	addAccount(t, s, "Work")
	if got := mode(t, path+".key"); got != 0o600 {
		t.Errorf("key file mode %o, want 600", got)
	}
}

func TestReopenKeepsData(t *testing.T) {
	path := testPath(t)
	s, err := Open(path, testOptions(path))
	if err != nil {
		t.Fatal(err)
	}
	a := addAccount(t, s, "Work")
	b := addAccount(t, s, "Home")
	if err := s.Use(b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit(a.ID, []mail.NewMessage{newMsg("u1", time.Unix(1000, 0), "hello")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openTest(t, path)
	accts, err := s.Accounts()
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 2 || accts[0].Name != "Work" || accts[1].Name != "Home" {
		t.Fatalf("accounts after reopen: %+v", accts)
	}
	if id, _ := s.ActiveID(); id != b.ID {
		t.Errorf("active after reopen = %q, want %q", id, b.ID)
	}
	got, err := s.Account("work")
	if err != nil {
		t.Fatal(err)
	}
	if got.Incoming.Password != "in-Work" || got.Outgoing.Password != "out-Work" {
		t.Errorf("passwords after reopen: %q %q", got.Incoming.Password, got.Outgoing.Password)
	}
	if n, _ := s.Count(a.ID); n != 1 {
		t.Errorf("Count after reopen = %d, want 1", n)
	}
	recs, _ := s.UIDRecords(a.ID)
	if _, ok := recs["u1"]; !ok {
		t.Errorf("UID record lost on reopen: %v", recs)
	}
}

func TestLockSameProcess(t *testing.T) {
	path := testPath(t)
	openTest(t, path)
	start := time.Now()
	s2, err := Open(path, testOptions(path))
	elapsed := time.Since(start)
	if err == nil {
		s2.Close()
		t.Fatal("second Open succeeded")
	}
	checkLocked(t, err, path, elapsed)
}

func TestLockHeldByAnotherProcess(t *testing.T) {
	path := testPath(t)
	// Create it here so the child only opens it.
	s, err := Open(path, testOptions(path))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdEnv+"="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("holder process: %v", err)
		}
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "locked" {
		t.Fatalf("holder said %q, %v", line, err)
	}

	start := time.Now()
	s2, err := Open(path, testOptions(path))
	elapsed := time.Since(start)
	if err == nil {
		s2.Close()
		t.Fatal("Open succeeded while another process holds the database")
	}
	checkLocked(t, err, path, elapsed)
}

func checkLocked(t *testing.T, err error, path string, elapsed time.Duration) {
	t.Helper()
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("error %v is not ErrLocked", err)
	}
	if elapsed > 2*time.Second {
		t.Errorf("Open took %v to give up, want < 2s", elapsed)
	}
	want := "popbox is already running with this database (" + path + "); close the other popbox first"
	if said(err) != want {
		t.Errorf("message %q, want %q", said(err), want)
	}
}

func TestOpenTimeoutOption(t *testing.T) {
	path := testPath(t)
	openTest(t, path)
	opts := testOptions(path)
	opts.Timeout = 200 * time.Millisecond
	start := time.Now()
	_, err := Open(path, opts)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("err = %v, want ErrLocked", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v with a 200ms timeout", d)
	}
}

// writeBolt makes a bbolt file with whatever fill puts in it.
func writeBolt(t *testing.T, path string, fill func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fill != nil {
		if err := db.Update(fill); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestBadFilesRefusedAndUnchanged(t *testing.T) {
	random := make([]byte, 64<<10)
	if _, err := rand.Read(random); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		make   func(t *testing.T, path string)
		want   error
		reason string
	}{
		{"random bytes", func(t *testing.T, path string) {
			os.WriteFile(path, random, 0o600)
		}, ErrNotDatabase, "no bbolt signature"},
		{"short text", func(t *testing.T, path string) {
			os.WriteFile(path, []byte("hello\n"), 0o600)
		}, ErrNotDatabase, "no bbolt signature"},
		{"empty file", func(t *testing.T, path string) {
			os.WriteFile(path, nil, 0o600)
		}, ErrNotDatabase, "empty"},
		{"foreign bbolt", func(t *testing.T, path string) {
			writeBolt(t, path, func(tx *bolt.Tx) error {
				b, err := tx.CreateBucket([]byte("settings"))
				if err != nil {
					return err
				}
				return b.Put([]byte("theme"), []byte("dark"))
			})
		}, ErrNotDatabase, "without the popbox marker"},
		{"empty bbolt", func(t *testing.T, path string) {
			writeBolt(t, path, nil)
		}, ErrNotDatabase, "without the popbox marker"},
		{"bbolt with a foreign meta bucket", func(t *testing.T, path string) {
			writeBolt(t, path, func(tx *bolt.Tx) error {
				b, err := tx.CreateBucket(bucketMeta)
				if err != nil {
					return err
				}
				return b.Put(keyMagic, []byte("other"))
			})
		}, ErrNotDatabase, "without the popbox marker"},
		{"marker without schema", func(t *testing.T, path string) {
			writeBolt(t, path, func(tx *bolt.Tx) error {
				b, err := tx.CreateBucket(bucketMeta)
				if err != nil {
					return err
				}
				return b.Put(keyMagic, magicValue)
			})
		}, ErrNotDatabase, "schema version is missing"},
		{"newer schema", func(t *testing.T, path string) {
			s, err := Open(path, testOptions(path))
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			writeBolt(t, path, func(tx *bolt.Tx) error {
				return tx.Bucket(bucketMeta).Put(keySchema, u64(currentSchema()+1))
			})
		}, ErrNewerSchema, ""},
		{"bbolt magic, damaged meta", func(t *testing.T, path string) {
			writeBolt(t, path, nil)
			b, _ := os.ReadFile(path)
			for _, off := range []int{40, 4096 + 40} { // root pgid of both metas
				b[off] ^= 0xff
			}
			os.WriteFile(path, b, 0o600)
		}, ErrNotDatabase, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := testPath(t)
			c.make(t, path)
			before := fileSum(t, path)
			s, err := Open(path, testOptions(path))
			if err == nil {
				s.Close()
				t.Fatal("Open accepted the file")
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			msg := said(err)
			if !strings.Contains(msg, path) {
				t.Errorf("message %q does not name the path", msg)
			}
			if !strings.Contains(msg, c.reason) {
				t.Errorf("message %q does not say %q", msg, c.reason)
			}
			switch c.want {
			case ErrNotDatabase:
				if !strings.HasSuffix(msg, "; move it away or choose another file with --db") {
					t.Errorf("message %q does not say what to do", msg)
				}
			case ErrNewerSchema:
				want := fmt.Sprintf("%s was written by a newer popbox (schema %d); use that version", path, currentSchema()+1)
				if msg != want {
					t.Errorf("message %q, want %q", msg, want)
				}
			}
			if after := fileSum(t, path); after != before {
				t.Error("the refused file was modified")
			}
			if _, err := os.Stat(path + ".key"); !errors.Is(err, os.ErrNotExist) {
				t.Error("a key file was made for a refused database")
			}
		})
	}
}

func TestOpenFolderRefused(t *testing.T) {
	path := testPath(t)
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path, testOptions(path))
	if !errors.Is(err, ErrNotDatabase) {
		t.Fatalf("err = %v, want ErrNotDatabase", err)
	}
}

func TestCheckSignaturePageOneFallback(t *testing.T) {
	// A torn meta page 0 still leaves page 1; bbolt opens such a file, so
	// the hand check must accept it too.
	// The creation commit (txid 2) lands in meta page 0, AddAccount (txid 3)
	// in page 1; spoiling page 0 leaves bbolt the newer page 1.
	path := testPath(t)
	s, err := Open(path, testOptions(path))
	if err != nil {
		t.Fatal(err)
	}
	addAccount(t, s, "Work")
	s.Close()
	b, _ := os.ReadFile(path)
	copy(b[16:20], []byte{0, 0, 0, 0})
	os.WriteFile(path, b, 0o600)
	if _, err := checkSignature(path); err != nil {
		t.Fatalf("checkSignature: %v", err)
	}
	s = openTest(t, path)
	if list, err := s.Accounts(); err != nil || len(list) != 1 {
		t.Fatalf("Accounts = %v, %v", list, err)
	}
}

func TestDefaultAndResolvePath(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip("no home directory")
	}
	cases := []struct {
		name, xdg, env, flag, want string
	}{
		{"xdg", "/data", "", "", "/data/popbox/popbox.db"},
		{"no xdg", "", "", "", filepath.Join(home, ".local/share/popbox/popbox.db")},
		{"relative xdg ignored", "rel/dir", "", "", filepath.Join(home, ".local/share/popbox/popbox.db")},
		{"env", "/data", "/env/p.db", "", "/env/p.db"},
		{"flag wins", "/data", "/env/p.db", "/flag/p.db", "/flag/p.db"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("XDG_DATA_HOME", c.xdg)
			t.Setenv("POPBOX_DB", c.env)
			got, err := ResolvePath(c.flag)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("ResolvePath(%q) = %q, want %q", c.flag, got, c.want)
			}
			if c.env == "" && c.flag == "" {
				d, _ := DefaultPath()
				if d != c.want {
					t.Errorf("DefaultPath() = %q, want %q", d, c.want)
				}
			}
		})
	}
}
