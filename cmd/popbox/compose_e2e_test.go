package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"popbox/mail/mailtest"
)

// TestComposeE2E is the "done means", with the real binary in
// tmux and real servers: alice reads an ISO-2022-JP message from bob,
// replies in her editor (EDITOR is a script that writes a line above the
// quote), sees the preview, sends, finds it in Sent and reads it there;
// then forwards the message as an attachment, the editor filling in To.
// Dovecot's submission hands both to its LMTP for bob's mailbox; bob's
// popbox fetches them back over POP3: the reply's bytes are what alice's
// outbox holds, its Japanese subject and names decode, it is threaded
// under the original, in ISO-2022-JP as alice's account asks for.
func TestComposeE2E(t *testing.T) {
	srv, bob := startRelay(t)
	alice := newCLI(t, srv)
	addSender(alice, srv, srv.SubmissionPort)
	alice.ok("", "account", "set", "alice", "--reply-iso-2022-jp", "on")

	jis := func(s string) string {
		b, err := japanese.ISO2022JP.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	word := func(s string) string {
		return "=?ISO-2022-JP?B?" + base64.StdEncoding.EncodeToString([]byte(jis(s))) + "?="
	}
	srv.Deliver(t, "alice", []byte("From: "+word("山田ボブ")+" <bob@example.test>\r\n"+
		"To: alice@example.test\r\n"+
		"Subject: "+word("会議の件")+"\r\n"+
		"Date: Fri, 4 Dec 2026 10:00:00 +0900\r\n"+
		"Message-ID: <kaigi-1@example.test>\r\n"+
		"MIME-Version: 1.0\r\n"+
		"Content-Type: text/plain; charset=ISO-2022-JP\r\n"+
		"Content-Transfer-Encoding: 7bit\r\n\r\n"+
		jis("来週の会議について、ご都合をお知らせください。")+"\r\n"))

	// The editor: keeps a copy of the file it was given, writes a line
	// at the top of the text, and fills in an empty To.
	dir := t.TempDir()
	editor := filepath.Join(dir, "editor.sh")
	script := "#!/bin/sh\n" +
		"n=$(ls " + shellQuote(dir) + " | grep -c '\\.given$')\n" +
		"cp \"$1\" " + shellQuote(dir) + "/$n.given\n" +
		"awk 'BEGIN{done=0} { if ($0 == \"To: \") $0 = \"To: bob@example.test\"; print; if (!done && $0 == \"\") { print \"承知しました。月曜日でお願いします。\"; done=1 } }' \"$1\" > \"$1.new\" && mv \"$1.new\" \"$1\"\n"
	if err := os.WriteFile(editor, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}

	tm := startTerm(t, alice, 110, 32, []string{"LANG=ja_JP.UTF-8", "EDITOR=" + editor, "VISUAL="})
	tm.waitFor(10*time.Second, "alice")
	tm.keys("f")
	tm.waitFor(30*time.Second, "会議の件")
	tm.keys("Enter")
	tm.waitFor(10*time.Second, "来週の会議について")

	tm.keys("r")
	s := tm.waitFor(20*time.Second, "プレビュー", "ISO-2022-JP", "Re: 会議の件", "承知しました。月曜日でお願いします。")
	if !strings.Contains(s, "山田ボブ") {
		t.Errorf("the preview does not name the recipient:\n%s", s)
	}
	given, err := os.ReadFile(filepath.Join(dir, "0.given"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"From: alice@example.test\n", "To: 山田ボブ <bob@example.test>\n", "Cc: \n", "Bcc: \n", "Subject: Re: 会議の件\n",
		"2026/12/04 10:00、山田ボブ さんは書きました:\n> 来週の会議について、ご都合をお知らせください。"} {
		if !strings.Contains(string(given), want) {
			t.Errorf("the editor's file lacks %q:\n%s", want, given)
		}
	}
	tm.keys("y")
	tm.waitFor(30*time.Second, "bob@example.test に送信しました")

	tm.keys("S")
	tm.waitFor(10*time.Second, "送信済み (1)", "Re: 会議の件")
	tm.keys("Enter")
	tm.waitFor(10*time.Second, "承知しました。月曜日でお願いします。", "> 来週の会議について")
	tm.keys("q")
	tm.waitFor(10*time.Second, "送信済み (1)")
	tm.keys("q")
	tm.waitGone(10*time.Second, "送信済み (1)")

	// Forward as an attachment; the editor fills in To.
	tm.keys("F")
	tm.waitFor(10*time.Second, "添付して転送 (a)")
	tm.keys("a")
	tm.waitFor(20*time.Second, "プレビュー", "Fwd: 会議の件", "forwarded.eml")
	tm.keys("y")
	tm.waitFor(30*time.Second, "bob@example.test に送信しました")
	tm.keys("C-c")
	tm.waitFor(15*time.Second, "[popbox exited 0]")

	// Bob fetches both back over POP3.
	bob.ok("", "fetch")
	list := bob.list("bob")
	if len(list) != 2 {
		t.Fatalf("bob has %d messages, want the reply and the forward: %+v", len(list), list)
	}
	var sent []struct {
		ID        string `json:"id"`
		MessageID string `json:"message_id"`
		Subject   string `json:"subject"`
	}
	if err := json.Unmarshal([]byte(alice.ok("", "outbox", "sent", "--json")), &sent); err != nil || len(sent) != 2 {
		t.Fatalf("alice's Sent: %+v %v", sent, err)
	}
	var reply, fwd string
	for _, m := range list {
		switch m.Subject {
		case "Re: 会議の件":
			reply = m.ID
		case "Fwd: 会議の件":
			fwd = m.ID
		}
	}
	if reply == "" || fwd == "" {
		t.Fatalf("bob's subjects: %+v", list)
	}
	raw := bob.ok("", "show", "--raw", reply)
	_, body := mailtest.SplitDelivery([]byte(raw))
	var replySent []byte
	for _, o := range sent {
		if o.Subject == "Re: 会議の件" {
			replySent = outboxBytes(t, alice, "alice", o.ID)
		}
	}
	if string(body) != string(replySent) {
		t.Errorf("bob's copy differs from alice's outbox:\n%q\n%q", body, replySent)
	}
	for _, re := range []string{`(?m)^Subject: =\?ISO-2022-JP\?B\?`, `(?m)^In-Reply-To: <kaigi-1@example\.test>`, `(?m)^References: <kaigi-1@example\.test>`,
		`(?m)^To: =\?ISO-2022-JP\?B\?[^ ]+ <bob@example\.test>`, `charset="?ISO-2022-JP`} {
		if !regexp.MustCompile(re).MatchString(raw) {
			t.Errorf("the reply lacks %s:\n%s", re, raw)
		}
	}
	shown := bob.ok("", "show", reply)
	for _, want := range []string{"承知しました。月曜日でお願いします。", "> 来週の会議について、ご都合をお知らせください。", "山田ボブ"} {
		if !strings.Contains(shown, want) {
			t.Errorf("bob's popbox shows the reply without %q:\n%s", want, shown)
		}
	}
	if fraw := bob.ok("", "show", "--raw", fwd); !strings.Contains(fraw, "message/rfc822") || !strings.Contains(fraw, "Message-ID: <kaigi-1@example.test>") {
		t.Errorf("the forward does not carry the original:\n%s", fraw)
	}
}
