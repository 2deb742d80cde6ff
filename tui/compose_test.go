package tui

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"golang.org/x/text/encoding/japanese"

	"popbox/mail"
	"popbox/mail/compose"
	"popbox/store"
	"popbox/store/send"
)

// fakeSender stands in for the outgoing server: it goes through the
// outbox's states as a real send does, and fails, or loses the answer,
// when told to.
type fakeSender struct {
	st      *store.Store
	mu      sync.Mutex
	fail    bool // the server cannot be reached
	unknown bool // the answer to DATA does not come
	sent    []string
	forced  []bool
	pending int
}

func (f *fakeSender) One(_ context.Context, acct mail.Account, id string, force bool) (store.Outgoing, error) {
	f.mu.Lock()
	fail, unknown := f.fail, f.unknown
	f.mu.Unlock()
	if fail {
		o, err := f.st.MarkFailed(acct.ID, id, "The outgoing server smtp.example.com could not be reached", false)
		if err != nil {
			return o, err
		}
		return o, &send.Failure{State: store.OutFailed, Reason: o.Reason, Err: mail.ErrUnreachable}
	}
	if _, err := f.st.BeginSending(acct.ID, id, force); err != nil {
		return store.Outgoing{}, err
	}
	f.mu.Lock()
	f.sent = append(f.sent, id)
	f.forced = append(f.forced, force)
	f.mu.Unlock()
	if unknown {
		o, _ := f.st.EndSending(acct.ID, id, store.OutUnknown, "no answer", false)
		return o, &send.Failure{State: store.OutUnknown, Reason: "no answer", Err: mail.ErrDeliveryUnknown}
	}
	return f.st.EndSending(acct.ID, id, store.OutSent, "", false)
}

func (f *fakeSender) Pending(ctx context.Context, acct mail.Account) (send.Result, error) {
	f.mu.Lock()
	f.pending++
	f.mu.Unlock()
	var res send.Result
	list, err := f.st.Outbox(acct.ID)
	if err != nil {
		return res, err
	}
	for _, o := range list {
		if o.State != store.OutQueued && (o.State != store.OutFailed || o.Refused) {
			continue
		}
		got, err := f.One(ctx, acct, o.ID, false)
		var fl *send.Failure
		switch {
		case err == nil:
			res.Sent = append(res.Sent, got)
		case errors.As(err, &fl):
			res.Failed = append(res.Failed, fl)
		}
	}
	return res, nil
}

// jisMessage is a Japanese message in ISO-2022-JP, as Japanese business
// mail still comes, sent to the account's alias.
func jisMessage(t *testing.T) []byte {
	t.Helper()
	enc := func(s string) string {
		b, err := japanese.ISO2022JP.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	word := func(s string) string {
		return "=?ISO-2022-JP?B?" + base64.StdEncoding.EncodeToString([]byte(enc(s))) + "?="
	}
	return []byte("From: " + word("山田太郎") + " <yamada@example.jp>\r\n" +
		"To: sales@example.com\r\n" +
		"Subject: " + word("会議の件") + "\r\n" +
		"Date: Fri, 4 Dec 2026 10:00:00 +0900\r\n" +
		"Message-ID: <orig-1@example.jp>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=ISO-2022-JP\r\n" +
		"Content-Transfer-Encoding: 7bit\r\n\r\n" +
		enc("来週の会議について、ご都合をお知らせください。") + "\r\n")
}

// composeApp is the root on a real store with one account (aliases
// sales@example.com, ISO-2022-JP replies on) holding jisMessage, a fake
// sender, and no editor: the screen's own editor is used.
func composeApp(t *testing.T, l lang) (*loop, *store.Store, mail.Account, *fakeSender) {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "popbox.db"), store.Options{PolicyFile: filepath.Join(dir, "no-policy.json")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	acct := testAccounts()[0]
	acct.ID, acct.Incoming.Password = "", "secret"
	acct.Aliases, acct.ReplyJIS = "sales@example.com", true
	a, err := st.AddAccount(acct)
	if err != nil {
		t.Fatal(err)
	}
	raw := jisMessage(t)
	if _, err := st.Commit(a.ID, []mail.NewMessage{{UID: "u1", Raw: raw, Summary: mail.Summarize(raw, appNow), Digest: sha256.Sum256(raw)}}); err != nil {
		t.Fatal(err)
	}
	d := testDeps(l)
	d.getenv = func(string) string { return "" }
	m := newApp(d, st, appConfig{version: "test", saveDir: t.TempDir(), getenv: d.getenv})
	m.after = noTimer
	fs := &fakeSender{st: st}
	m.sender = fs
	m, _ = m.update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m = settle(t, m, m.Init())
	return newLoop(t, m), st, a, fs
}

// TestComposeReplyJapanese: r on an ISO-2022-JP message sent to the
// account's alias opens a reply from that alias, to the sender, "Re:"
// once, quoted under the Japanese attribution, in ISO-2022-JP; the
// preview shows it decoded; y sends it; it is in Sent with its thread
// headers, and S shows it and opens it in the reader.
func TestComposeReplyJapanese(t *testing.T) {
	l, st, a, fs := composeApp(t, langJA)
	l.key("r")
	if l.m.screen != screenCompose || l.m.compose.stage != composeEdit {
		t.Fatalf("r: screen %d stage %d, want the compose screen's own editor", l.m.screen, l.m.compose.stage)
	}
	text := l.m.compose.ta.Value()
	for _, want := range []string{"From: sales@example.com\n", "To: 山田太郎 <yamada@example.jp>\n", "Subject: Re: 会議の件\n",
		"2026/12/04 10:00、山田太郎 さんは書きました:", "> 来週の会議について、ご都合をお知らせください。"} {
		if !strings.Contains(text, want) {
			t.Errorf("the reply's text lacks %q:\n%s", want, text)
		}
	}
	if !l.m.compose.form.JIS {
		t.Error("a reply to ISO-2022-JP mail is not set to ISO-2022-JP (Account.ReplyJIS)")
	}
	// The draft exists from the start.
	if drafts, _ := st.Drafts(a.ID); len(drafts) != 1 {
		t.Fatalf("drafts while writing: %+v", drafts)
	}
	// The cursor waits on the line above the quote.
	if line := l.m.compose.ta.Line(); line != 6 {
		t.Errorf("the cursor is on line %d of a reply, want 6 (the first of the text)", line)
	}
	head, body, _ := strings.Cut(text, "\n\n")
	l.m.compose.ta.SetValue(head + "\n\n承知しました。月曜日でお願いします。\n" + body)
	l.key("ctrl+s")
	if l.m.compose.stage != composePreview {
		t.Fatalf("ctrl+s: stage %d, want the preview; note %q", l.m.compose.stage, l.m.compose.note)
	}
	v := screenText(l.m)
	for _, want := range []string{"プレビュー", "ISO-2022-JP", "Re: 会議の件", "承知しました。月曜日でお願いします。", "yamada@example.jp"} {
		if !strings.Contains(v, want) {
			t.Errorf("the preview lacks %q:\n%s", want, v)
		}
	}
	checkScreen(t, v, 100, 30)
	l.key("y")
	if l.m.screen != screenList {
		t.Fatalf("after y: screen %d, want the list", l.m.screen)
	}
	if len(fs.sent) != 1 {
		t.Fatalf("sent %v, want one message", fs.sent)
	}
	sent, _ := st.Sent(a.ID)
	if len(sent) != 1 || sent[0].Subject != "Re: 会議の件" || len(sent[0].To) != 1 || sent[0].To[0] != "yamada@example.jp" {
		t.Fatalf("Sent: %+v", sent)
	}
	if drafts, _ := st.Drafts(a.ID); len(drafts) != 0 {
		t.Errorf("a draft is left after sending: %+v", drafts)
	}
	_, raw, _ := st.OutgoingMessage(a.ID, sent[0].ID)
	for _, want := range []string{"In-Reply-To: <orig-1@example.jp>", "References: <orig-1@example.jp>", "Subject: =?ISO-2022-JP?B?", "From: sales@example.com", "charset=ISO-2022-JP"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the sent message lacks %q:\n%s", want, raw)
		}
	}
	if !strings.Contains(screenText(l.m), "yamada@example.jp に送信しました") {
		t.Errorf("no word that it was sent:\n%s", screenText(l.m))
	}

	l.key("S")
	if l.m.screen != screenFolder || l.m.folder.kind != folderSent {
		t.Fatalf("S: screen %d", l.m.screen)
	}
	v = screenText(l.m)
	if !strings.Contains(v, "送信済み (1)") || !strings.Contains(v, "Re: 会議の件") {
		t.Errorf("the Sent view:\n%s", v)
	}
	checkScreen(t, v, 100, 30)
	l.key("enter")
	if l.m.screen != screenReader || !l.m.readerSent {
		t.Fatalf("enter in Sent: screen %d", l.m.screen)
	}
	if v := screenText(l.m); !strings.Contains(v, "承知しました。月曜日でお願いします。") || !strings.Contains(v, "> 来週の会議") {
		t.Errorf("the sent message in the reader:\n%s", v)
	}
	l.key("d") // nothing to delete from the reader here
	if s, _ := st.Sent(a.ID); len(s) != 1 {
		t.Fatal("d in a sent message's reader deleted something")
	}
	l.key("q")
	if l.m.screen != screenFolder {
		t.Fatalf("q from a sent message: screen %d, want Sent", l.m.screen)
	}
	l.key("q")
	if l.m.screen != screenList {
		t.Fatalf("q from Sent: screen %d, want the list", l.m.screen)
	}
}

// TestComposeDraftKeptAndReopened: what is written is a draft when the
// screen is left; D lists it, enter opens it with the same text; a
// message with no recipient cannot be sent and says why; x throws the
// draft away after a question.
func TestComposeDraftKeptAndReopened(t *testing.T) {
	l, st, a, fs := composeApp(t, langEN)
	l.key("c")
	if l.m.screen != screenCompose {
		t.Fatalf("c: screen %d", l.m.screen)
	}
	// The cursor waits on the empty To line; the text goes five lines down.
	if line := l.m.compose.ta.Line(); line != 1 {
		t.Fatalf("the cursor is on line %d of a new message, want 1 (To)", line)
	}
	for _, k := range keyMsgs("down", "down", "down", "down", "down", "=Dear all, the build is green.") {
		l.m, _ = l.m.update(k)
	}
	if !strings.HasSuffix(l.m.compose.ta.Value(), "\n\nDear all, the build is green.") {
		t.Fatalf("typed into the wrong place: %q", l.m.compose.ta.Value())
	}
	l.key("esc")
	if l.m.screen != screenList || !strings.Contains(screenText(l.m), "Kept in Drafts") {
		t.Fatalf("esc: screen %d\n%s", l.m.screen, screenText(l.m))
	}
	drafts, _ := st.Drafts(a.ID)
	if len(drafts) != 1 {
		t.Fatalf("drafts: %+v", drafts)
	}
	l.key("D")
	v := screenText(l.m)
	if l.m.screen != screenFolder || !strings.Contains(v, "draft") || !strings.Contains(v, "Drafts & outbox (1)") {
		t.Fatalf("D:\n%s", v)
	}
	checkScreen(t, v, 100, 30)
	l.key("enter")
	if l.m.screen != screenCompose || !strings.Contains(l.m.compose.ta.Value(), "Dear all, the build is green.") {
		t.Fatalf("enter on a draft: screen %d, text %q", l.m.screen, l.m.compose.ta.Value())
	}
	l.key("ctrl+s")
	v = screenText(l.m)
	if !strings.Contains(v, "no recipient") {
		t.Errorf("the preview does not say the message has no recipient:\n%s", v)
	}
	l.key("y")
	if len(fs.sent) != 0 || l.m.screen != screenCompose || !strings.Contains(screenText(l.m), "Fix what is marked") {
		t.Fatalf("y with a problem: sent %v, screen %d\n%s", fs.sent, l.m.screen, screenText(l.m))
	}
	l.key("x")
	if !strings.Contains(screenText(l.m), "Throw this draft away? y/n") {
		t.Fatalf("x does not ask:\n%s", screenText(l.m))
	}
	l.key("y")
	if l.m.screen != screenFolder {
		t.Fatalf("after throwing away: screen %d, want the outbox view", l.m.screen)
	}
	if drafts, _ := st.Drafts(a.ID); len(drafts) != 0 {
		t.Fatalf("drafts after x y: %+v", drafts)
	}
	if v := screenText(l.m); !strings.Contains(v, "No drafts") {
		t.Errorf("the outbox view after x y:\n%s", v)
	}
}

// TestComposeFailedSendStaysAndRetries: a send the server could not take
// says why and where the message is; the outbox shows it failed with the
// reason; s sends it again; the next fetch sends what waits; a message
// whose delivery is unknown is sent again only after a question.
func TestComposeFailedSendStaysAndRetries(t *testing.T) {
	l, st, a, fs := composeApp(t, langEN)
	fs.fail = true
	l.key("c")
	l.m.compose.ta.SetValue("To: bob@example.org\nSubject: status\n\nAll good.\n")
	l.key("ctrl+s")
	l.key("y")
	v := screenText(l.m)
	if !strings.Contains(v, "“status” was not sent") || !strings.Contains(v, "could not be reached") || !strings.Contains(v, "outbox (D)") {
		t.Fatalf("the failed send's banner:\n%s", v)
	}
	box, _ := st.Outbox(a.ID)
	if len(box) != 1 || box[0].State != store.OutFailed {
		t.Fatalf("outbox after a failed send: %+v", box)
	}
	l.key("D")
	v = screenText(l.m)
	if !strings.Contains(v, "failed") || !strings.Contains(v, "could not be reached") {
		t.Errorf("the outbox view does not show the failure and its reason:\n%s", v)
	}
	fs.fail = false
	l.key("s")
	if sent, _ := st.Sent(a.ID); len(sent) != 1 {
		t.Fatalf("s did not send the failed message: %+v", sent)
	}

	// Queued while offline, sent by the next fetch.
	fs.fail = true
	l.key("c")
	l.m.compose.ta.SetValue("To: bob@example.org\nSubject: second\n\nMore.\n")
	l.key("ctrl+s")
	l.key("y")
	fs.fail = false
	l.m.syncFn = func(context.Context, mail.Account, mail.Cache, mail.SyncOptions, func(mail.Progress)) (mail.SyncResult, error) {
		return mail.SyncResult{}, nil
	}
	fetchAll(t, l)
	l.idle()
	if fs.pending != 1 {
		t.Errorf("the fetch sent the outbox %d times, want 1", fs.pending)
	}
	if sent, _ := st.Sent(a.ID); len(sent) != 2 {
		t.Fatalf("the fetch did not send the waiting message: %+v", sent)
	}
	if v := screenText(l.m); !strings.Contains(v, "Sent 1 waiting message") {
		t.Errorf("no word of the waiting message sent:\n%s", v)
	}

	// Delivery unknown: s asks first, and y sends with force.
	fs.unknown = true
	l.key("c")
	l.m.compose.ta.SetValue("To: bob@example.org\nSubject: third\n\nOnce.\n")
	l.key("ctrl+s")
	l.key("y")
	if v := screenText(l.m); !strings.Contains(v, "may have been sent") {
		t.Fatalf("the unknown send's banner:\n%s", v)
	}
	fs.unknown = false
	n := len(fs.sent)
	if l.m.screen != screenFolder || l.m.folder.kind != folderOutbox {
		l.key("D")
	}
	l.key("s")
	if !strings.Contains(screenText(l.m), "may have been delivered already") || len(fs.sent) != n {
		t.Fatalf("s on an unknown message sent at once, or did not ask:\n%s", screenText(l.m))
	}
	l.key("y")
	if len(fs.sent) != n+1 || !fs.forced[n] {
		t.Fatalf("y did not send it again with force: %v %v", fs.sent, fs.forced)
	}
}

// TestComposeForward: F asks inline or attached; a attaches the original
// whole; i quotes it in the text.
func TestComposeForward(t *testing.T) {
	l, _, _, _ := composeApp(t, langEN)
	l.key("F")
	if !l.m.forwardAsk || !strings.Contains(screenText(l.m), "as an attachment (a)") {
		t.Fatalf("F does not ask:\n%s", screenText(l.m))
	}
	l.key("a")
	if l.m.screen != screenCompose || len(l.m.compose.form.Attached) != 1 || l.m.compose.form.Attached[0].ContentType != "message/rfc822" {
		t.Fatalf("F a: %+v", l.m.compose.form.Attached)
	}
	l.m.compose.ta.SetValue(strings.Replace(l.m.compose.ta.Value(), "To: \n", "To: bob@example.org\n", 1))
	l.key("ctrl+s")
	v := screenText(l.m)
	if !strings.Contains(v, "forwarded.eml") || !strings.Contains(v, "Fwd: 会議の件") {
		t.Errorf("the preview of a forward as attachment:\n%s", v)
	}
	l.key("q")
	l.key("F")
	l.key("i")
	if text := l.m.compose.ta.Value(); !strings.Contains(text, "Forwarded message") || !strings.Contains(text, "来週の会議について") {
		t.Errorf("F i: %q", text)
	}
}

// TestComposeQuitKeepsText: quitting popbox while the screen's own editor
// is open keeps what was typed as the draft.
func TestComposeQuitKeepsText(t *testing.T) {
	l, st, a, _ := composeApp(t, langEN)
	l.key("c")
	l.m.compose.ta.SetValue("To: bob@example.org\nSubject: unsaved\n\nTyped but not saved.\n")
	l.m, _ = l.m.update(keyMsg("ctrl+c"))
	if err := l.m.shutdown(); err != nil {
		t.Fatal(err)
	}
	drafts, _ := st.Drafts(a.ID)
	if len(drafts) != 1 || drafts[0].Subject != "unsaved" {
		t.Fatalf("drafts after quitting: %+v", drafts)
	}
	_, form, _ := st.OutgoingForm(a.ID, drafts[0].ID)
	f, err := decodeForm(form)
	if err != nil || !strings.Contains(f.Text, "Typed but not saved.") {
		t.Fatalf("the draft's text: %q %v", f.Text, err)
	}
}

// TestParseForm: the editor's text read back, and what keeps it from
// being sent, each said.
func TestParseForm(t *testing.T) {
	acct := mail.Account{Email: "ann@example.com", Aliases: "sales@example.com"}
	file := filepath.Join(t.TempDir(), "見積書.pdf")
	os.WriteFile(file, []byte("%PDF-1.4"), 0o600)
	d := compose.Draft{From: mail.Address{Address: "ann@example.com"}, To: []mail.Address{{Name: "山田 太郎", Address: "yamada@example.jp"}},
		Cc: []mail.Address{{Address: "b@example.org"}, {Address: "c@example.org"}}, Bcc: []mail.Address{{Address: "boss@example.com"}},
		Subject: "見積書の件", Body: "本文です。\n\n> 引用\n", Attachments: []compose.Attachment{{Path: file}}, InReplyTo: "<x@y>"}
	f := formFromDraft(composeReply, d)
	got, problems := parseForm(f, acct)
	if len(problems) != 0 {
		t.Fatalf("problems: %v", problems)
	}
	if got.Subject != d.Subject || got.Body != d.Body || len(got.To) != 1 || got.To[0] != d.To[0] || len(got.Cc) != 2 ||
		len(got.Bcc) != 1 || len(got.Attachments) != 1 || got.Attachments[0].Path != file || got.InReplyTo != "<x@y>" {
		t.Fatalf("round trip:\n%+v\n%+v", d, got)
	}
	f.Text = strings.Replace(f.Text, "From: ann@example.com", "From: Sales <sales@example.com>", 1)
	if got, _ := parseForm(f, acct); got.From.Address != "sales@example.com" || got.From.Name != "Sales" {
		t.Errorf("From an alias: %+v", got.From)
	}
	for _, c := range []struct{ text, key string }{
		{"From: mallory@evil.example\nTo: a@b.c\n\nx", "compose.notOwnFrom"},
		{"To: not an address@@\n\nx", "compose.badAddress"},
		{"To: a@b.c\nX-Mailer: mine\n\nx", "compose.badLine"},
		{"To: a@b.c\nAttach: /no/such/file.pdf\n\nx", "compose.noFile"},
		{"To: a@b.c\nAttach: " + filepath.Dir(file) + "\n\nx", "compose.isDir"},
		{"Subject: nobody\n\nx", "compose.noRecipient"},
	} {
		_, problems := parseForm(composeForm{Text: c.text}, acct)
		found := false
		for _, p := range problems {
			found = found || p.key == c.key
			if txt := p.text(langEN); txt == "" || strings.Contains(txt, "%!") {
				t.Errorf("%s: bad sentence %q", c.key, txt)
			}
		}
		if !found {
			t.Errorf("%q: problems %v, want %s", c.text, problems, c.key)
		}
	}
	// Folded header lines and CRLF from a Windows editor.
	got, problems = parseForm(composeForm{Text: "To: a@b.c,\r\n  d@e.f\r\nSubject: hi\r\n\r\nbody\r\n"}, acct)
	if len(problems) != 0 || len(got.To) != 2 || got.Body != "body\n" {
		t.Errorf("folded: %+v %v", got, problems)
	}
}

// TestFolderRowsAlign: with colours (the selected row in reverse, no
// mark), every row's columns start where the heads do, wide characters
// counted two cells; a long subject is cut to the width.
func TestFolderRowsAlign(t *testing.T) {
	d := testDeps(langJA)
	d.plain = false
	f := folderModel{d: &d, k: defaultFolderKeys(d.lang), kind: folderOutbox, acct: "1"}
	f = f.setSize(80, 10)
	items := []store.Outgoing{
		{ID: "2", State: store.OutFailed, To: []string{"yamada@example.jp"}, Subject: "見積書の件  について", Updated: appNow, Reason: "接続できません"},
		{ID: "1", State: store.OutDraft, To: []string{"b@example.org"}, Subject: strings.Repeat("長い件名", 20), Updated: appNow.Add(-48 * time.Hour)},
	}
	f = f.loadedList(folderLoadedMsg{kind: folderOutbox, acct: "1", items: items})
	lines := strings.Split(ansi.Strip(f.view()), "\n")
	if len(lines) != 10 {
		t.Fatalf("%d lines, want 10", len(lines))
	}
	col := func(line, text string) int {
		i := strings.Index(line, text)
		if i < 0 {
			t.Fatalf("%q not in %q", text, line)
		}
		return ansi.StringWidth(line[:i])
	}
	head := lines[1]
	if a, b := col(head, "宛先"), col(lines[2], "yamada@"); a != b {
		t.Errorf("the selected row's To starts at cell %d, its head at %d:\n%s\n%s", b, a, head, lines[2])
	}
	if a, b := col(head, "宛先"), col(lines[3], "b@example.org"); a != b {
		t.Errorf("a row's To starts at cell %d, its head at %d", b, a)
	}
	if a, b := col(head, "件名"), col(lines[2], "見積書の件"); a != b {
		t.Errorf("the selected row's subject starts at cell %d, its head at %d", b, a)
	}
	for i, ln := range lines {
		if w := ansi.StringWidth(ln); w > 80 {
			t.Errorf("line %d is %d cells wide", i, w)
		}
	}
	if !strings.Contains(lines[9], "接続できません") {
		t.Errorf("the selected failed message's reason is not shown: %q", lines[9])
	}
}

// TestComposeAutosave: the screen's own editor keeps its text as the draft
// while it is written (its timer), without leaving the editor; a ctrl+s
// while an autosave runs waits for it, so the later text is the one kept.
func TestComposeAutosave(t *testing.T) {
	l, st, a, _ := composeApp(t, langEN)
	l.key("c")
	seq, gen := l.m.compose.seq, l.m.compose.timerGen
	l.m.compose.ta.SetValue("To: bob@example.org\nSubject: autosaved\n\nWork in progress.\n")
	if m2, _ := l.m.update(composeAutosaveMsg{seq: seq, gen: gen - 1}); m2.compose.autosaving {
		t.Fatal("an old timer's autosave ran")
	}
	var c tea.Cmd
	l.m, c = l.m.update(composeAutosaveMsg{seq: seq, gen: gen})
	l.start(c)
	l.idle()
	if l.m.screen != screenCompose || l.m.compose.stage != composeEdit {
		t.Fatalf("an autosave left the editor: screen %d stage %d", l.m.screen, l.m.compose.stage)
	}
	if d, _ := st.Drafts(a.ID); len(d) != 1 || d[0].Subject != "autosaved" {
		t.Fatalf("drafts after an autosave: %+v", d)
	}
	// Nothing changed: the next timer writes nothing.
	l.m, c = l.m.update(composeAutosaveMsg{seq: seq, gen: gen})
	if l.m.compose.autosaving {
		t.Error("an autosave of unchanged text")
	}

	l.m.compose.ta.SetValue("To: bob@example.org\nSubject: second\n\nMore.\n")
	l.m, c = l.m.update(composeAutosaveMsg{seq: seq, gen: gen})
	l.m.compose.ta.SetValue("To: bob@example.org\nSubject: finished\n\nDone.\n")
	var c2 tea.Cmd
	l.m, c2 = l.m.update(keyMsg("ctrl+s"))
	if c2 != nil || !l.m.compose.pending {
		t.Fatal("ctrl+s saved while an autosave ran")
	}
	l.start(c)
	l.idle()
	if l.m.compose.stage != composePreview {
		t.Fatalf("after the autosave and ctrl+s: stage %d", l.m.compose.stage)
	}
	if d, _ := st.Drafts(a.ID); len(d) != 1 || d[0].Subject != "finished" {
		t.Fatalf("the draft kept: %+v", d)
	}
}

// TestSendAgainFailedStaysUnknown: a forced send of a delivery-unknown
// message that fails before anything goes out says so, not that the
// connection ended after the message went out.
func TestSendAgainFailedStaysUnknown(t *testing.T) {
	l, _, a, _ := composeApp(t, langEN)
	f := &send.Failure{State: store.OutUnknown, Reason: "The outgoing server could not be reached.", Err: mail.ErrUnreachable}
	l.m, _ = l.m.update(sendDoneMsg{acct: a, out: store.Outgoing{ID: "3", Subject: "report"}, err: f})
	v := screenText(l.m)
	if !strings.Contains(v, "“report” was not sent again: The outgoing server could not be reached") || strings.Contains(v, "may have been sent") {
		t.Errorf("the banner:\n%s", v)
	}
}

// TestEditorFileFails: when the file for the editor cannot be written,
// the text goes on in the screen's own editor, and the screen says why.
func TestEditorFileFails(t *testing.T) {
	l, _, _, _ := composeApp(t, langEN)
	l.key("c")
	l.m.compose.stage = composeWait
	l.m, _ = l.m.update(editorFileMsg{seq: l.m.compose.seq, err: errors.New("disk full")})
	if l.m.compose.stage != composeEdit || !strings.Contains(screenText(l.m), "Could not write the file for the editor") {
		t.Fatalf("stage %d\n%s", l.m.compose.stage, screenText(l.m))
	}
}
