package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"popbox/mail/mailtest"
)

// exchangeMail are messages an export and import must give back byte for
// byte, delivered to Dovecot and fetched: mbox "From " lines in the body
// (plain, quoted once, quoted twice), a large attachment (stored in
// chunks), and tricky's dots, long lines, 8-bit, no final line end,
// ISO-2022-JP and LF-only (Dovecot sends every one with CRLF).
func exchangeMail() [][]byte {
	big := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("attachment bytes \x00\xff "), 9<<20/20))
	var b strings.Builder
	for i := 0; i < len(big); i += 76 {
		b.WriteString(big[i:min(i+76, len(big))] + "\r\n")
	}
	return append(tricky(),
		[]byte("From: Ann <ann@example.test>\r\nReturn-Path: <bounces@example.test>\r\nSubject: mbox from lines\r\nDate: Mon, 3 Jun 2024 09:00:00 +0000\r\n\r\nFrom here\r\n>From there\r\n>>From far\r\nFrom\r\n"),
		[]byte("From: b@example.test\r\nSubject: big attachment\r\nDate: Sat, 1 Jan 2022 00:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--B\r\nContent-Type: application/octet-stream; name=big.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n"+b.String()+"--B--\r\n"),
	)
}

// oddFiles are Maildir files no POP3 server sends: a bare LF among CRLF,
// no line end at the end, a CR before a CRLF, LF only without a final line
// end; imported first, so that they go through the mbox export too.
var oddFiles = map[string]string{
	"1.odd:2,S": "From: c@example.test\r\nSubject: odd mixed\r\nDate: Tue, 4 Jun 2024 09:00:00 +0000\r\n\r\none\ntwo\r\nFrom three\n",
	"2.odd:2,":  "From: c@example.test\r\nSubject: odd no eol\r\nDate: Wed, 1 Jan 2020 00:00:00 +0000\r\n\r\n>From last",
	"3.odd":     "From: c@example.test\r\nSubject: odd cr crlf\r\n\r\nx\r\r\ny\r\n",
	"4.odd:2,S": "From: c@example.test\nSubject: odd lf\n\n\n",
	"5.odd:2,":  "Subject: odd lf no eol\n\nlast",
}

// writeMaildir makes a Maildir with files (in cur, or in new when the name
// has no info) and returns its path.
func writeMaildir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "md")
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for name, raw := range files {
		sub := "cur"
		if !strings.Contains(name, ":2,") {
			sub = "new"
		}
		if err := os.WriteFile(filepath.Join(dir, sub, name), []byte(raw), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// stored is every message of the account: SHA-256 (of show --raw, which
// the store checks against the digest it keeps) -> raw bytes, and the
// subjects of those seen.
func (c *cli) stored(account string) (map[string]string, []string) {
	c.t.Helper()
	out := map[string]string{}
	var seen []string
	for _, m := range c.list(account) {
		raw := c.ok("", "show", m.ID, "--raw")
		sum := sha256.Sum256([]byte(raw))
		out[hex.EncodeToString(sum[:])] = raw
	}
	seen = c.listSeen(account)
	slices.Sort(seen)
	return out, seen
}

// listSeen is the subjects of the account's seen messages.
func (c *cli) listSeen(account string) []string {
	c.t.Helper()
	var l []struct {
		Subject string `json:"subject"`
		Seen    bool   `json:"seen"`
	}
	if err := json.Unmarshal([]byte(c.ok("", "list", "--account", account, "--json")), &l); err != nil {
		c.t.Fatal(err)
	}
	var subjects []string
	for _, m := range l {
		if m.Seen {
			subjects = append(subjects, m.Subject)
		}
	}
	return subjects
}

// addLocal adds an account that no test fetches with (no login check).
func (c *cli) addLocal(name string) {
	c.t.Helper()
	c.ok("secret\n", "account", "add", "--name", name, "--email", "me@example.test", "--host", "pop.example.test",
		"--port", "995", "--security", "ssl", "--user", "me", "--password-stdin", "--retention", "keep", "--no-check")
}

func sameMessages(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for sum, raw := range want {
		g, ok := got[sum]
		if !ok {
			t.Errorf("%s: message %s... missing (%d bytes, %q...)", what, sum[:12], len(raw), head(raw))
		} else if g != raw {
			t.Errorf("%s: message %s... differs", what, sum[:12])
		}
	}
	for sum, raw := range got {
		if _, ok := want[sum]; !ok {
			t.Errorf("%s: message %s... was not there before (%q...)", what, sum[:12], head(raw))
		}
	}
}

// TestExportImportRoundTrip fetches tricky mail from Dovecot (and imports
// odd files no server sends), exports it to an mbox file and to a
// Maildir, imports each into a new database, and compares: the same
// SHA-256 set and the same bytes from show --raw; the seen flag through
// the Maildir. Importing again stores nothing; so does importing what was
// fetched into the database it came from.
func TestExportImportRoundTrip(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	for _, m := range exchangeMail() {
		srv.Deliver(t, "alice", m)
	}
	c := newCLI(t, srv)
	c.addAccount(srv, "box", "alice", "secret", "ssl", "keep")
	c.ok("", "fetch")
	odd := writeMaildir(t, oddFiles)
	if out := c.ok("", "import", "--maildir", odd); out != "Imported 5 messages (0 already there).\n" {
		t.Fatalf("import of the odd files: %q", out)
	}
	want, wantSeen := c.stored("box")
	if n := len(exchangeMail()) + len(oddFiles); len(want) != n {
		t.Fatalf("%d messages stored, want %d", len(want), n)
	}
	if strings.Join(wantSeen, ",") != "odd lf,odd mixed" {
		t.Fatalf("seen after the Maildir import: %q", wantSeen)
	}

	dir := t.TempDir()
	mbox := filepath.Join(dir, "out.mbox")
	md := filepath.Join(dir, "out.maildir")
	if out := c.ok("", "export", "--mbox", mbox); out != fmt.Sprintf("Exported %d messages to %s.\n", len(want), mbox) {
		t.Fatalf("export --mbox: %q", out)
	}
	if out := c.ok("", "export", "--maildir", md, "--account", "box"); out != fmt.Sprintf("Exported %d messages to %s.\n", len(want), md) {
		t.Fatalf("export --maildir: %q", out)
	}
	file, err := os.ReadFile(mbox)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"\n>From here\n>>From there\n>>>From far\nFrom\n", "\nFrom bounces@example.test Mon Jun  3 09:00:00 2024\n", " popbox=asis\n", " popbox=noeol\n", " popbox=asis,noeol\n", "\n>>From last\n\n"} {
		if !bytes.Contains(file, []byte(line)) {
			t.Errorf("the mbox file does not hold %q", line)
		}
	}
	if bytes.Contains(file, []byte("Subject: dots\r\n")) {
		t.Error("a message of CRLF lines kept its CRs in the mbox file")
	}
	if fi, err := os.Stat(mbox); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the mbox file: %v, %v; want mode 0600", fi.Mode(), err)
	}

	for _, tc := range []struct{ name, flag, path string }{{"mbox", "--mbox", mbox}, {"maildir", "--maildir", md}} {
		t.Run(tc.name, func(t *testing.T) {
			c2 := newCLI(t, nil)
			c2.addLocal("copy")
			out := c2.ok("", "import", tc.flag, tc.path)
			if out != fmt.Sprintf("Imported %d messages (0 already there).\n", len(want)) {
				t.Fatalf("import: %q", out)
			}
			got, gotSeen := c2.stored("copy")
			sameMessages(t, "after import", got, want)
			if tc.name == "maildir" && strings.Join(gotSeen, ",") != strings.Join(wantSeen, ",") {
				t.Errorf("seen through the Maildir: %q, want %q", gotSeen, wantSeen)
			}
			if out := c2.ok("", "import", tc.flag, tc.path); out != fmt.Sprintf("Imported 0 messages (%d already there).\n", len(want)) {
				t.Errorf("second import: %q", out)
			}
			if n := len(c2.list("copy")); n != len(want) {
				t.Errorf("%d messages after the second import, want %d", n, len(want))
			}
			// The database it came from: everything already there.
			if out := c.ok("", "import", tc.flag, tc.path); out != fmt.Sprintf("Imported 0 messages (%d already there).\n", len(want)) {
				t.Errorf("import into the source database: %q", out)
			}
		})
	}
	if n := len(c.list("box")); n != len(want) {
		t.Errorf("%d messages in the source database after importing its export, want %d", n, len(want))
	}

	// Imported messages are never planned for DELE: an account with
	// retention delete imports the export, then fetches the same mail from
	// the server. The server's copies are deleted (they are stored), and
	// every message stays here.
	c3 := newCLI(t, srv)
	c3.addAccount(srv, "del", "alice", "secret", "ssl", "delete")
	c3.ok("", "import", "--mbox", mbox)
	out := c3.ok("", "fetch")
	if !strings.Contains(out, fmt.Sprintf("del: 0 new, %d deleted on server", len(exchangeMail()))) {
		t.Errorf("fetch after the import: %q", out)
	}
	got, _ := c3.stored("del")
	sameMessages(t, "after the fetch with retention delete", got, want)
}

// TestExportSince exports only the messages dated on or after a day.
func TestExportSince(t *testing.T) {
	c := newCLI(t, nil)
	c.addLocal("box")
	c.ok("", "import", "--maildir", writeMaildir(t, map[string]string{
		"a:2,": "Subject: old\r\nDate: Sun, 31 Dec 2023 12:00:00 +0000\r\n\r\nx\r\n",
		"b:2,": "Subject: new\r\nDate: Tue, 2 Jan 2024 12:00:00 +0000\r\n\r\nx\r\n",
		"c:2,": "Subject: newer\r\nDate: Wed, 5 Jun 2024 12:00:00 +0000\r\n\r\nx\r\n",
	}))
	mbox := filepath.Join(t.TempDir(), "since.mbox")
	if out := c.ok("", "export", "--mbox", mbox, "--since", "2024-01-01"); out != "Exported 2 messages to "+mbox+".\n" {
		t.Fatalf("export --since: %q", out)
	}
	b, _ := os.ReadFile(mbox)
	if bytes.Contains(b, []byte("Subject: old")) || !bytes.Contains(b, []byte("Subject: new\n")) || !bytes.Contains(b, []byte("Subject: newer\n")) {
		t.Errorf("export --since 2024-01-01:\n%s", b)
	}
	// Oldest first.
	if bytes.Index(b, []byte("Subject: new\n")) > bytes.Index(b, []byte("Subject: newer\n")) {
		t.Errorf("not oldest first:\n%s", b)
	}
	// The file exists now: never overwritten.
	_, errs, code := c.run("", "export", "--mbox", mbox)
	if code != 1 || !strings.Contains(errs, mbox+" already exists") {
		t.Errorf("export over an existing file: exit %d, %q", code, errs)
	}
	for _, args := range [][]string{
		{"export", "--since", "2024-13-01", "--mbox", filepath.Join(t.TempDir(), "x")},
		{"export"},
		{"import", "--mbox", "a", "--maildir", "b"},
		{"import", "file.mbox"},
	} {
		if _, errs, code := c.run("", args...); code != 2 || !strings.Contains(errs, "popbox: ") {
			t.Errorf("popbox %v: exit %d, %q; want bad usage", args, code, errs)
		}
	}
	_, errs, code = c.run("", "import", "--mbox", filepath.Join(t.TempDir(), "missing.mbox"))
	if code != 1 || !strings.Contains(errs, "missing.mbox") {
		t.Errorf("import of a missing file: exit %d, %q", code, errs)
	}
	notMbox := filepath.Join(t.TempDir(), "msg.eml")
	os.WriteFile(notMbox, []byte("Subject: x\r\n\r\nbody\r\n"), 0o600)
	if _, errs, code := c.run("", "import", "--mbox", notMbox); code != 1 || !strings.Contains(errs, "is not an mbox file") {
		t.Errorf("import of a message as mbox: exit %d, %q", code, errs)
	}
}

// TestExportDamagedMessage: a message whose bytes no longer match their
// SHA-256 is left out with a warning naming it; the others are exported,
// and the export exits 1 with the count.
func TestExportDamagedMessage(t *testing.T) {
	c := newCLI(t, nil)
	const marker = "Q7-damaged-message-body-Z3"
	raw := []byte("From: a@example.test\r\nSubject: will break\r\n\r\n" + marker + strings.Repeat(" filler", 20) + "\r\n")
	id := seedMessage(t, c, raw)
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1),
		zstd.WithEncoderCRC(false), zstd.WithLowerEncoderMem(true))
	if err != nil {
		t.Fatal(err)
	}
	frame := enc.EncodeAll(raw, nil)
	flipIn(t, c.db, frame[len(frame)/2-8:len(frame)/2+8])
	// Damaged first: the import's commit rewrites the page, leaving a
	// copy of the bytes behind where bbolt freed it.
	c.ok("", "import", "--maildir", writeMaildir(t, map[string]string{"a:2,": "Subject: fine\r\n\r\nx\r\n"}))
	for _, to := range []string{"--mbox", "--maildir"} {
		path := filepath.Join(t.TempDir(), "out")
		out, errs, code := c.run("", "export", to, path)
		if code != 1 || out != "Exported 1 message to "+path+".\n" {
			t.Errorf("export %s: exit %d, stdout %q", to, code, out)
		}
		for _, want := range []string{"Message " + id + " in the database " + c.db + " is damaged", "it was not exported", "1 of the messages could not be read"} {
			if !strings.Contains(errs, want) {
				t.Errorf("export %s: stderr %q does not say %q", to, errs, want)
			}
		}
	}
}

// TestImportResumedAfterKill kills an import of a large mbox after its
// second batch (the test hook POPBOX_TEST_IMPORT_KILL_AFTER, since an
// import holds the database and cannot be watched from outside), then runs
// it again: it stores the rest, nothing twice. The database's export is
// then the very file imported (the messages have dates of their own, so
// the order is the same).
func TestImportResumedAfterKill(t *testing.T) {
	src := newCLI(t, nil)
	src.addLocal("src")
	const n = 1200
	files := map[string]string{}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		files[fmt.Sprintf("%05d:2,", i)] = fmt.Sprintf("From: a@example.test\r\nSubject: message %d\r\nDate: %s\r\n\r\nFrom the body of %d\r\n%s\r\n",
			i, base.Add(time.Duration(i)*time.Minute).Format(time.RFC1123Z), i, strings.Repeat("x", 1000))
	}
	src.ok("", "import", "--maildir", writeMaildir(t, files))
	mbox := filepath.Join(t.TempDir(), "big.mbox")
	src.ok("", "export", "--mbox", mbox)

	c := newCLI(t, nil)
	c.addLocal("box")
	cmd := c.cmd("", "import", "--mbox", mbox)
	cmd.Env = append(cmd.Env, "POPBOX_TEST_IMPORT_KILL_AFTER=2")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != -1 {
		t.Fatalf("the import was not killed: %v\n%s", err, out)
	}
	if got := len(c.list("box")); got != 2*256 {
		t.Fatalf("%d messages after the kill, want the 2 batches committed (%d)", got, 2*256)
	}
	if out := c.ok("", "import", "--mbox", mbox); out != fmt.Sprintf("Imported %d messages (%d already there).\n", n-2*256, 2*256) {
		t.Fatalf("the import run again: %q", out)
	}
	again := filepath.Join(t.TempDir(), "again.mbox")
	c.ok("", "export", "--mbox", again)
	a, _ := os.ReadFile(mbox)
	b, _ := os.ReadFile(again)
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatalf("the export after the resumed import (%d bytes) is not the file imported (%d bytes)", len(b), len(a))
	}
}

// TestExchangeProgressLine: on a terminal, export and import draw a
// self-overwriting progress line on stderr and clear it at the end; off a
// terminal stderr stays empty. stdout has the one summary line either way.
func TestExchangeProgressLine(t *testing.T) {
	for _, tty := range []bool{true, false} {
		c := newCLI(t, nil)
		c.addLocal("box")
		md := writeMaildir(t, map[string]string{"a:2,": "Subject: a\r\n\r\nx\r\n", "b:2,": "Subject: b\r\n\r\nx\r\n", "c": "Subject: c\r\n\r\nx\r\n"})
		out := filepath.Join(t.TempDir(), "out.mbox")
		for _, tc := range []struct {
			args       []string
			stdout, pr string
		}{
			{[]string{"import", "--maildir", md}, "Imported 3 messages (0 already there).\n", "\x1b[2K\rbox: importing [" + strings.Repeat("#", 8) + strings.Repeat(".", 16) + "] 1/3 messages"},
			{[]string{"import", "--mbox", os.DevNull}, "Imported 0 messages (0 already there).\n", ""},
			{[]string{"export", "--mbox", out}, "Exported 3 messages to " + out + ".\n", "\x1b[2K\rbox: exporting [" + strings.Repeat("#", 8) + strings.Repeat(".", 16) + "] 1/3 messages"},
		} {
			var stdout, stderr bytes.Buffer
			code := run(append([]string{"--db", c.db}, tc.args...), env{
				stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr,
				getenv:    func(k string) string { return map[string]string{"POPBOX_POLICY": c.db + ".nopolicy"}[k] },
				stderrTTY: tty,
			})
			if code != 0 || stdout.String() != tc.stdout {
				t.Fatalf("tty %v: popbox %v: exit %d, stdout %q, stderr %q", tty, tc.args, code, stdout.String(), stderr.String())
			}
			errs := stderr.String()
			switch {
			case !tty && errs != "":
				t.Errorf("popbox %v off a terminal: stderr %q, want nothing", tc.args, errs)
			case tty && (!strings.Contains(errs, tc.pr) || !strings.HasSuffix(errs, "\x1b[2K\r")):
				t.Errorf("popbox %v on a terminal: stderr %q, want %q and the line cleared", tc.args, errs, tc.pr)
			}
		}
	}
}
