package main

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"popbox/mail"
	"popbox/store"
)

// seedMessage makes the database of c with one account and one stored
// message, raw, and returns the message's ID.
func seedMessage(t *testing.T, c *cli, raw []byte) string {
	t.Helper()
	st, err := store.Open(c.db, store.Options{PolicyFile: filepath.Join(t.TempDir(), "no-policy.json")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := st.AddAccount(mail.Account{
		Name: "box", Email: "alice@example.test",
		Incoming:  mail.Server{Host: "pop.example.test", Port: 995, Security: mail.SecuritySSL, User: "alice", Password: "secret"},
		SMTPSame:  true,
		Retention: mail.Retention{Kind: mail.RetainKeep},
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	m := mail.NewMessage{UID: "u1", Raw: raw, Summary: mail.Summarize(raw, now), Digest: sha256.Sum256(raw), FirstSeen: now}
	if _, err := st.Commit(a.ID, []mail.NewMessage{m}); err != nil {
		t.Fatal(err)
	}
	recs, err := st.UIDRecords(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return recs["u1"].MsgID
}

// flipIn flips one bit in the middle of the one place marker is found in
// the file.
func flipIn(t *testing.T, path string, marker []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(b, marker); n != 1 {
		t.Fatalf("the marker is %d times in %s, want once", n, path)
	}
	b[bytes.Index(b, marker)+len(marker)/2] ^= 0x01
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestDamagedMessageNotShown: a message whose stored bytes were changed on
// disk is neither printed by show (raw or decoded) nor saved from: each
// exits 1 with the sentence that names the message and the repair command,
// and prints nothing of the message.
func TestDamagedMessageNotShown(t *testing.T) {
	c := newCLI(t, nil)
	const marker = "Q7-unique-salary-figure-Z3"
	raw := []byte("From: hr@example.test\r\nSubject: pay slip\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nYour figure: " + marker + "\r\n" +
		"--XX\r\nContent-Type: text/plain; name=\"slip.txt\"\r\nContent-Disposition: attachment; filename=\"slip.txt\"\r\n\r\n" +
		"the attachment\r\n--XX--\r\n")
	id := seedMessage(t, c, raw)
	// Undamaged, all three work.
	if out := c.ok("", "show", id, "--raw"); out != string(raw) {
		t.Fatalf("show --raw before the damage: %q", out)
	}
	dir := t.TempDir()
	c.ok("", "save", id, "1", "--to", dir)
	if err := os.Remove(filepath.Join(dir, "slip.txt")); err != nil {
		t.Fatal(err)
	}

	// The store keeps the raw bytes as one zstd frame (store/compress.go:
	// fastest level, no checksum), so the bit is flipped in the middle of
	// that frame, made here with the same settings.
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1),
		zstd.WithEncoderCRC(false), zstd.WithLowerEncoderMem(true))
	if err != nil {
		t.Fatal(err)
	}
	frame := enc.EncodeAll(raw, nil)
	flipIn(t, c.db, frame[len(frame)/2-8:len(frame)/2+8])
	for _, args := range [][]string{{"show", id, "--raw"}, {"show", id}, {"save", id, "1", "--to", dir}} {
		out, errs, code := c.run("", args...)
		if code != 1 {
			t.Errorf("popbox %v: exit %d, want 1", args, code)
		}
		if out != "" {
			t.Errorf("popbox %v printed %q", args, out)
		}
		for _, want := range []string{"Message " + id + " in the database " + c.db + " is damaged", "popbox --db " + c.db + " repair"} {
			if !strings.Contains(errs, want) {
				t.Errorf("popbox %v: stderr %q does not say %q", args, errs, want)
			}
		}
		if strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("popbox %v: stderr is not one line: %q", args, errs)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("save wrote %v", entries)
	}
}
