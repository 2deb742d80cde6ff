package tui

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"popbox/mail"
	"popbox/store"
)

// readerMail is a Japanese message with a long body line, a PDF and a
// picture with a Japanese file name, as a mail client in Japan sends it.
const readerMail = "From: =?UTF-8?B?5bGx55Sw5aSq6YOO?= <taro@example.jp>\r\n" +
	"To: Ann Example <ann@example.com>, =?UTF-8?B?6Yi05pyo6Iqx5a2Q?= <hanako@example.jp>\r\n" +
	"Cc: team@example.jp\r\n" +
	"Subject: =?UTF-8?B?5LyB55S75pu444Gu44GU56K66KqN44Gu44GK6aGY44GE?=\r\n" +
	"Date: Wed, 26 Nov 2025 09:15:00 +0000\r\n" +
	"Message-ID: <1@example.jp>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=\"b1\"\r\n" +
	"\r\n" +
	"--b1\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: 8bit\r\n" +
	"\r\n" +
	"アンさん\r\n" +
	"\r\n" +
	"お疲れさまです。山田です。来週の打ち合わせで使う企画書を添付しますので、内容をご確認いただけますでしょうか。特に予算の部分について、ご意見をいただけると助かります。\r\n" +
	"\r\n" +
	"The figures in section 3 are from the October report; the ones for November will follow by Friday.\r\n" +
	"\r\n" +
	"よろしくお願いいたします。\r\n" +
	"山田\r\n" +
	"--b1\r\n" +
	"Content-Type: application/pdf; name=\"plan.pdf\"\r\n" +
	"Content-Disposition: attachment; filename=\"plan.pdf\"\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoKdHJhaWxlcgo8PC9Sb290IDEgMCBSPj4KJSVFT0YK\r\n" +
	"--b1\r\n" +
	"Content-Type: image/png\r\n" +
	"Content-Disposition: attachment; filename*=UTF-8''%E4%BC%9A%E5%A0%B4%E3%81%AE%E5%9C%B0%E5%9B%B3.png\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\r\n" +
	"--b1--\r\n"

// putMail stores raw as the newest message of account acct.
func putMail(st *memStore, acct, id string, raw string, seen bool) store.Message {
	st.mu.Lock()
	defer st.mu.Unlock()
	m := store.Message{ID: id, AccountID: acct, UID: "u" + id, Summary: mail.Summarize([]byte(raw), appNow), Seen: seen, Received: appNow}
	st.msgs[acct] = append([]store.Message{m}, st.msgs[acct]...)
	st.raw[id] = []byte(raw)
	return m
}

// testReader opens msg of st in a reader sized w x h, loaded.
func testReader(t *testing.T, st *memStore, msg store.Message, l lang, w, h int) readerModel {
	t.Helper()
	m, cmd := newReader(testDeps(l), st, msg, 1, t.TempDir())
	m = m.setSize(w, h)
	return settleModel(m, readerModel.update, cmd)
}

func TestReaderIntent(t *testing.T) {
	tests := []struct {
		key    string
		saving bool
		want   readerIntent
	}{
		{"j", false, readerScroll},
		{"down", false, readerScroll},
		{"k", false, readerScroll},
		{"pgdown", false, readerScroll},
		{" ", false, readerScroll},
		{"b", false, readerScroll},
		{"ctrl+d", false, readerScroll},
		{"g", false, readerTop},
		{"G", false, readerBottom},
		{"n", false, readerNext},
		{"p", false, readerPrev},
		{"s", false, readerSave},
		{"d", false, readerDelete},
		{"u", false, readerUndo},
		{"q", false, readerBack},
		{"esc", false, readerBack},
		{"backspace", false, readerBack},
		{"x", false, readerNone},
		{"q", true, readerNone},
		{"1", true, readerNone},
	}
	for _, tc := range tests {
		m, _ := newReader(testDeps(langEN), newMemStore(), store.Message{}, 1, "")
		m.saving = tc.saving
		if got := m.intent(keyMsg(tc.key)); got != tc.want {
			t.Errorf("%q saving=%v: %v, want %v", tc.key, tc.saving, got, tc.want)
		}
	}
}

func TestReaderShowsMessage(t *testing.T) {
	st := newMemStore(testAccounts()...)
	msg := putMail(st, "1", "m1", readerMail, false)
	m := testReader(t, st, msg, langEN, 80, 20)
	out := ansi.Strip(m.view())
	for _, want := range []string{
		"From         山田太郎 <taro@example.jp>",
		"To           Ann Example <ann@example.com>, 鈴木花子 <hanako@example.jp>",
		"Cc           team@example.jp",
		"Date         Wed, 26 Nov 2025 09:15",
		"Subject      企画書のご確認のお願い",
		"Attachments  [1] plan.pdf (application/pdf, 78B)  [2] 会場の地図.png (image/png,",
		"お疲れさまです。山田です。",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("view lacks %q:\n%s", want, out)
		}
	}
	checkScreen(t, m.view(), 80, 20)
}

func TestReaderWrapsPerWidth(t *testing.T) {
	st := newMemStore(testAccounts()...)
	msg := putMail(st, "1", "m1", readerMail, false)
	m := testReader(t, st, msg, langEN, 80, 30)
	for _, w := range []int{30, 50, 80, 120, 50} {
		m = m.setSize(w, 30)
		checkScreen(t, m.view(), w, 30)
		for _, line := range strings.Split(m.wrapped[w], "\n") {
			if ansi.StringWidth(line) > w {
				t.Errorf("width %d: body line of %d cells: %q", w, ansi.StringWidth(line), line)
			}
		}
	}
	if len(m.wrapped) != 4 {
		t.Errorf("wrapped for %d widths, want 4 (one per width)", len(m.wrapped))
	}
	// Scrolling keeps working after a resize.
	m = m.setSize(30, 12)
	m = press(t, m, "G")
	if !m.vp.AtBottom() {
		t.Error("G did not scroll to the end")
	}
	m = press(t, m, "g")
	if !m.vp.AtTop() {
		t.Error("g did not scroll to the top")
	}
}

func TestReaderSaveAttachment(t *testing.T) {
	st := newMemStore(testAccounts()...)
	msg := putMail(st, "1", "m1", readerMail, false)
	m := testReader(t, st, msg, langEN, 80, 24)
	dir := m.saveDir

	m = press(t, m, "s")
	if !m.saving || !strings.Contains(ansi.Strip(m.view()), "Save attachment number (1-2; enter saves, esc cancels): ") {
		t.Fatalf("s did not ask for the number:\n%s", ansi.Strip(m.view()))
	}
	m = press(t, m, "2")
	if m.saving {
		t.Fatal("2 of 2 did not save at once")
	}
	// The folder is asked for, the one given first: enter takes it.
	m = press(t, m, "enter")
	want := filepath.Join(dir, "会場の地図.png")
	if !strings.Contains(m.note, "Saved to "+want) {
		t.Errorf("note %q", m.note)
	}
	b, err := os.ReadFile(want)
	if err != nil || !strings.HasPrefix(string(b), "\x89PNG") {
		t.Fatalf("saved file: %v %q", err, b)
	}
	// Saving again never overwrites.
	m = press(t, m, "s", "2", "enter")
	m = press(t, m, "s", "2", "enter")
	m = press(t, m, "s", "1", "enter")
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	wantNames := []string{"plan.pdf", "会場の地図 (1).png", "会場の地図 (2).png", "会場の地図.png"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("files %q, want %q", names, wantNames)
	}
	// Out of range and cancel.
	m = press(t, m, "s", "7", "9", "esc")
	if m.saving {
		t.Error("esc did not cancel")
	}
	m = press(t, m, "s", "enter")
	if !strings.Contains(m.note, "Type a number from 1 to 2.") {
		t.Errorf("enter without a number: note %q", m.note)
	}
	checkScreen(t, m.view(), 80, 24)
}

func TestReaderNoAttachments(t *testing.T) {
	st := newMemStore(testAccounts()...)
	st.fill("1", 1, englishSubject)
	m := testReader(t, st, st.msgs["1"][0], langEN, 80, 24)
	m = press(t, m, "s")
	if m.saving || m.note != "This message has no attachments." {
		t.Errorf("s without attachments: saving %v note %q", m.saving, m.note)
	}
}

func TestReaderManyAttachmentsNumber(t *testing.T) {
	// With 12 attachments, 1 waits for a second digit, 2 does not.
	m, _ := newReader(testDeps(langEN), newMemStore(), store.Message{ID: "x"}, 1, t.TempDir())
	m.loaded = true
	m.parsed = &mail.Message{}
	for i := 1; i <= 12; i++ {
		m.parsed.Attachments = append(m.parsed.Attachments, mail.Attachment{Index: i, Filename: "f", Type: "text/plain"})
	}
	m = m.setSize(80, 24)
	m, _ = m.update(keyMsg("s"))
	m, _ = m.update(keyMsg("1"))
	if !m.saving || m.number != "1" {
		t.Fatalf("1 of 12: saving %v number %q", m.saving, m.number)
	}
	m, _ = m.update(keyMsg("2"))
	m, cmd := m.update(keyMsg("enter")) // the folder
	if m.saving || cmd == nil {
		t.Fatalf("12 of 12 did not save")
	}
	m, _ = m.update(keyMsg("s"))
	m, _ = m.update(keyMsg("3"))
	m, cmd = m.update(keyMsg("enter"))
	if m.saving || cmd == nil {
		t.Fatalf("3 of 12 did not save at once")
	}
}

func TestReaderHostileBody(t *testing.T) {
	raw := "From: x@example.com\r\nSubject: hi\x1b[2J\r\n\r\nline\x1b]52;c;Zm9v\x07 one\r\n\tindented\r\n"
	st := newMemStore(testAccounts()...)
	msg := putMail(st, "1", "h", raw, true)
	m := testReader(t, st, msg, langEN, 80, 24)
	v := m.view()
	checkNoControls(t, v)
	if !strings.Contains(ansi.Strip(v), "        indented") {
		t.Errorf("tab not expanded:\n%s", ansi.Strip(v))
	}
}

func TestReaderLoadError(t *testing.T) {
	st := newMemStore(testAccounts()...)
	m := testReader(t, st, store.Message{ID: "gone", Summary: mail.Summary{Subject: "gone"}}, langEN, 80, 24)
	if !strings.Contains(ansi.Strip(m.view()), "Could not read the message: no such message") {
		t.Errorf("error not shown:\n%s", ansi.Strip(m.view()))
	}
}

func TestReaderStaleLoadDropped(t *testing.T) {
	st := newMemStore(testAccounts()...)
	msg := putMail(st, "1", "m1", readerMail, false)
	m, _ := newReader(testDeps(langEN), st, msg, 5, "")
	m, _ = m.update(readerLoadedMsg{id: "m1", seq: 4, msg: &mail.Message{Body: "old"}, body: "old"})
	if m.loaded {
		t.Error("a load of an earlier open was taken")
	}
}

func TestReaderGolden(t *testing.T) {
	cases := []goldenCase{
		{name: "reader/80x24", lang: langEN, w: 80, h: 24, keys: []string{"enter"}, wait: "よろしく"},
		{name: "reader/120x40", lang: langEN, w: 120, h: 40, keys: []string{"enter"}, wait: "よろしく"},
		{name: "reader/ja-80x24", lang: langJA, w: 80, h: 24, keys: []string{"enter"}, wait: "よろしく"},
		{name: "reader/ja-120x40", lang: langJA, w: 120, h: 40, keys: []string{"enter", "wait:よろしく", "s"}, wait: "保存する添付"},
	}
	for _, g := range cases {
		t.Run(g.name, func(t *testing.T) {
			st := newMemStore(testAccounts()...)
			st.fill("1", 20, englishSubject)
			putMail(st, "1", "m1", readerMail, false)
			g.ready = "企画書"
			runGolden(t, st, g)
		})
	}
}

func TestWrapText(t *testing.T) {
	tests := []struct {
		in   string
		w    int
		want string
	}{
		{"the quick brown fox", 9, "the quick\nbrown fox"},
		{"the quick brown fox", 10, "the quick\nbrown fox"},
		{"  indented line", 20, "  indented line"},
		{"abcdefghijkl", 5, "abcde\nfghij\nkl"},
		{"see https://example.com/a/very/long/path now", 12, "see https://\nexample.com/\na/very/long/\npath now"},
		{"日本語の文章です", 6, "日本語\nの文章\nです"},
		{"これは、テストです。", 8, "これは、\nテストで\nす。"},
		{"あいう。えお", 6, "あい\nう。え\nお"},
		{"mixed 日本語 text", 8, "mixed 日\n本語\ntext"},
		{"para one\n\npara two", 20, "para one\n\npara two"},
		{"", 10, ""},
	}
	for _, tc := range tests {
		got := wrapText(tc.in, tc.w)
		if got != tc.want {
			t.Errorf("wrapText(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.want)
		}
		for _, line := range strings.Split(got, "\n") {
			if ansi.StringWidth(line) > tc.w {
				t.Errorf("wrapText(%q, %d): line %q is wider", tc.in, tc.w, line)
			}
		}
	}
}

// TestReaderDamagedMessage: a message whose bytes were changed on disk is
// not shown; the reader shows the store's whole sentence instead (which
// message, and the repair command), wrapped to the width.
func TestReaderDamagedMessage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "popbox.db")
	st, err := store.Open(path, store.Options{PolicyFile: filepath.Join(dir, "no-policy.json")})
	if err != nil {
		t.Fatal(err)
	}
	acct := testAccounts()[0]
	acct.ID, acct.Incoming.Password = "", "secret"
	a, err := st.AddAccount(acct)
	if err != nil {
		t.Fatal(err)
	}
	const marker = "Rk4-unique-body-text-of-the-damaged-mail"
	raw := []byte("From: hr@example.jp\r\nSubject: pay\r\n\r\n" + marker + "\r\n")
	if _, err := st.Commit(a.ID, []mail.NewMessage{{UID: "u1", Raw: raw, Summary: mail.Summarize(raw, appNow), Digest: sha256.Sum256(raw)}}); err != nil {
		t.Fatal(err)
	}
	msgs, err := st.Page(a.ID, 0, 1)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("Page = %v, %v", msgs, err)
	}
	st.Close()

	// One bit of the raw bytes (the record's preview has the marker
	// without the line end).
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(b, []byte(marker+"\r\n"))
	if at < 0 {
		t.Fatal("marker not in the file")
	}
	b[at+3] ^= 0x01
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(path, store.Options{PolicyFile: filepath.Join(dir, "no-policy.json")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	m, cmd := newReader(testDeps(langEN), st, msgs[0], 1, t.TempDir())
	m = m.setSize(80, 24)
	m = settleModel(m, readerModel.update, cmd)
	v := ansi.Strip(m.view())
	if strings.Contains(v, marker[4:]) || strings.Contains(v, "unique-body") {
		t.Errorf("the damaged text is shown:\n%s", v)
	}
	flat := strings.Join(strings.Fields(v), " ")
	for _, want := range []string{"Could not read the message: Message " + msgs[0].ID + " in the database " + path + " is damaged", "popbox --db " + path + " repair"} {
		if !strings.Contains(flat, want) {
			t.Errorf("view does not say %q:\n%s", want, v)
		}
	}
	checkScreen(t, v, 80, 24)
}
