package tui

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"popbox/mail"
)

// openMail has links in a plain text and an HTML alternative (one
// target in both, a mailto, a javascript: link) and attachments whose
// names are hostile: a shell command, a path out of the folder, a
// launcher file.
var openMail = "From: Ann <ann@example.com>\r\n" +
	"To: bob@example.com\r\n" +
	"Subject: links and files\r\n" +
	"Date: Wed, 26 Nov 2025 09:15:00 +0000\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=\"m\"\r\n" +
	"\r\n" +
	"--m\r\n" +
	"Content-Type: multipart/alternative; boundary=\"a\"\r\n" +
	"\r\n" +
	"--a\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"\r\n" +
	"The plan: https://example.com/plan. Write to mailto:ann@example.com\r\n" +
	"or see https://example.org/faq?q=1&x=2 (or https://example.com/plan again).\r\n" +
	"--a\r\n" +
	"Content-Type: text/html; charset=UTF-8\r\n" +
	"\r\n" +
	"<p>The <a href=\"https://example.com/plan\">plan</a>.\r\n" +
	"<a href=\"javascript:alert(document.cookie)\">Click</a>\r\n" +
	"<a href=\"file:///etc/passwd\">passwords</a>\r\n" +
	"<a href=\"mailto:ann@example.com\">Ann</a></p>\r\n" +
	"--a--\r\n" +
	"--m\r\n" +
	"Content-Type: application/pdf; name=\"; rm -rf ~\"\r\n" +
	"Content-Disposition: attachment; filename=\"; rm -rf ~\"\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	base64.StdEncoding.EncodeToString(openPDF) + "\r\n" +
	"--m\r\n" +
	"Content-Type: application/octet-stream; name=\"../../x.pdf\"\r\n" +
	"Content-Disposition: attachment; filename=\"../../x.pdf\"\r\n" +
	"\r\n" +
	"second\r\n" +
	"--m\r\n" +
	"Content-Type: application/x-desktop; name=\"run.desktop\"\r\n" +
	"Content-Disposition: attachment; filename=\"run.desktop\"\r\n" +
	"\r\n" +
	"[Desktop Entry]\r\n" +
	"--m--\r\n"

var openPDF = []byte("%PDF-1.4\n\x00\x01\xff binary\r\n%%EOF\n")

// openerCalls records what a fake opener was given.
type openerCalls struct{ got []string }

func (o *openerCalls) open(target string) error {
	o.got = append(o.got, target)
	return nil
}

// openReader is a reader of raw whose opener is calls and whose opened
// files go below base.
func openReader(t *testing.T, raw string, l lang, calls *openerCalls, base string) readerModel {
	t.Helper()
	st := newMemStore(testAccounts()...)
	msg := putMail(st, "1", "m1", raw, false)
	d := testDeps(l)
	d.opener = calls.open
	d.files = &openFiles{base: base}
	m, cmd := newReader(d, st, msg, 1, t.TempDir())
	m = m.setSize(80, 24)
	return settleModel(m, readerModel.update, cmd)
}

// TestReaderLinks: L lists the links of both parts, each once, numbered,
// with their text; only http, https and mailto are opened; a number or
// enter opens one; esc closes the list.
func TestReaderLinks(t *testing.T) {
	for _, l := range []lang{langEN, langJA} {
		t.Run(langName(l), func(t *testing.T) {
			calls := &openerCalls{}
			m := openReader(t, openMail, l, calls, t.TempDir())
			m = press(t, m, "L")
			if !m.typing() || !m.links.shown {
				t.Fatal("L did not show the list")
			}
			want := []linkItem{
				{url: "https://example.com/plan", text: "plan", ok: true},
				{url: "mailto:ann@example.com", text: "Ann", ok: true},
				{url: "https://example.org/faq?q=1&x=2", ok: true},
				{url: "javascript:alert(document.cookie)", text: "Click"},
				{url: "file:///etc/passwd", text: "passwords"},
			}
			if !reflect.DeepEqual(m.links.items, want) {
				t.Fatalf("links:\n got %+v\nwant %+v", m.links.items, want)
			}
			v := ansi.Strip(m.view())
			for _, s := range []string{l.tr("reader.linksTitle", 5), "1  plan  https://example.com/plan", "4  " + l.tr("reader.linkNotOpenable") + " Click  javascript:"} {
				if !strings.Contains(v, s) {
					t.Errorf("the list has no %q:\n%s", s, v)
				}
			}
			checkScreen(t, m.view(), 80, 24)
			if len(calls.got) != 0 {
				t.Fatalf("opened before a choice: %q", calls.got)
			}

			// javascript: and file: are not opened.
			m = press(t, m, "4")
			m = press(t, m, "down", "enter")
			if len(calls.got) != 0 || !m.noteErr || m.note != l.tr("reader.linkNotOpened") {
				t.Fatalf("a javascript: or file: link: opened %q, note %q", calls.got, m.note)
			}
			// A number opens its link; enter the one chosen.
			m = press(t, m, "3")
			m = press(t, m, "up", "enter")
			m = press(t, m, "g", "enter")
			wantOpened := []string{"https://example.org/faq?q=1&x=2", "mailto:ann@example.com", "https://example.com/plan"}
			if !reflect.DeepEqual(calls.got, wantOpened) {
				t.Fatalf("opened %q, want %q", calls.got, wantOpened)
			}
			if m.note != l.tr("reader.opened", "https://example.com/plan") {
				t.Errorf("note %q", m.note)
			}
			m = press(t, m, "esc")
			if m.typing() || strings.Contains(ansi.Strip(m.view()), l.tr("reader.linksTitle", 5)) {
				t.Fatal("esc did not close the list")
			}
		})
	}
}

// TestReaderNoLinks: a message without links says so, and L opens
// nothing.
func TestReaderNoLinks(t *testing.T) {
	calls := &openerCalls{}
	m := openReader(t, "From: a@example.com\r\nSubject: x\r\n\r\nNo links here.\r\n", langEN, calls, t.TempDir())
	m = press(t, m, "L", "enter", "1")
	if m.links.shown || m.note != langEN.tr("reader.noLinks") || len(calls.got) != 0 {
		t.Fatalf("shown %v note %q opened %q", m.links.shown, m.note, calls.got)
	}
}

// TestReaderOpenAttachment: o and a number writes the attachment's exact
// bytes (0600, in a 0700 folder) under a name popbox makes, never the
// sender's, and hands that path to the opener.
func TestReaderOpenAttachment(t *testing.T) {
	raw := []byte(openMail)
	tests := []struct {
		n        int
		wantName string
	}{
		{1, "attachment-1.pdf"},
		{2, "attachment-2.pdf"}, // octet-stream: the sender's .pdf, from the table
		{3, "attachment-3.bin"}, // .desktop is not in the table
	}
	for _, tc := range tests {
		t.Run(tc.wantName, func(t *testing.T) {
			calls := &openerCalls{}
			base := t.TempDir()
			m := openReader(t, openMail, langEN, calls, base)
			m = press(t, m, "o")
			if !m.opening {
				t.Fatal("o did not ask for the number")
			}
			m = press(t, m, string(rune('0'+tc.n)))
			if len(calls.got) != 1 {
				t.Fatalf("opener calls %q (note %q)", calls.got, m.note)
			}
			path := calls.got[0]
			if filepath.Base(path) != tc.wantName {
				t.Errorf("base name %q, want %q", filepath.Base(path), tc.wantName)
			}
			for _, bad := range []string{"rm", "..", "desktop", ";", "~"} {
				if strings.Contains(path, bad) {
					t.Errorf("the path %q holds %q from the message", path, bad)
				}
			}
			if !strings.HasPrefix(path, base+string(filepath.Separator)) {
				t.Errorf("%q is not below %q", path, base)
			}
			_, want, err := mail.AttachmentData(raw, tc.n)
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("the file holds %q (%v), want %q", got, err, want)
			}
			if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("file mode %v (%v), want 0600", fi.Mode().Perm(), err)
			}
			for dir := filepath.Dir(path); dir != base; dir = filepath.Dir(dir) {
				if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
					t.Errorf("%s: mode %v (%v), want 0700", dir, fi.Mode().Perm(), err)
				}
			}
			if m.note != langEN.tr("reader.opened", displayName(m.attachments()[tc.n-1], tc.n)) || m.noteErr {
				t.Errorf("note %q", m.note)
			}
			if err := m.d.files.remove(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the file is still there after remove: %v", err)
			}
		})
	}
}

// TestReaderOpenEsc: esc at the number prompt opens nothing.
func TestReaderOpenEsc(t *testing.T) {
	calls := &openerCalls{}
	m := openReader(t, openMail, langEN, calls, t.TempDir())
	m = press(t, m, "o", "esc", "1")
	if m.opening || len(calls.got) != 0 {
		t.Fatalf("opening %v, calls %q", m.opening, calls.got)
	}
}

// TestReaderOpenHTML: H writes the HTML part as a UTF-8 page named by
// popbox and opens it; a message without HTML says so.
func TestReaderOpenHTML(t *testing.T) {
	calls := &openerCalls{}
	m := openReader(t, openMail, langJA, calls, t.TempDir())
	m = press(t, m, "H")
	if len(calls.got) != 1 || filepath.Base(calls.got[0]) != "message.html" {
		t.Fatalf("opened %q (note %q)", calls.got, m.note)
	}
	b, err := os.ReadFile(calls.got[0])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\ufeff<meta charset=\"utf-8\">")) || !bytes.Contains(b, []byte(`<a href="mailto:ann@example.com">Ann</a>`)) {
		t.Errorf("the page: %q", b)
	}

	calls = &openerCalls{}
	m = openReader(t, "From: a@example.com\r\nSubject: x\r\n\r\nplain\r\n", langEN, calls, t.TempDir())
	m = press(t, m, "H")
	if len(calls.got) != 0 || m.note != langEN.tr("reader.noHTML") {
		t.Fatalf("opened %q, note %q", calls.got, m.note)
	}
}

// TestReaderNoOpener: with no program to open files, the reader says
// what to do.
func TestReaderNoOpener(t *testing.T) {
	st := newMemStore(testAccounts()...)
	msg := putMail(st, "1", "m1", openMail, false)
	d := testDeps(langEN)
	d.opener = func(string) error { return ErrNoOpener }
	d.files = &openFiles{base: t.TempDir()}
	m, cmd := newReader(d, st, msg, 1, t.TempDir())
	m = settleModel(m.setSize(80, 24), readerModel.update, cmd)
	m = press(t, m, "o", "1")
	if m.note != "No program to open files: set POPBOX_OPENER or install xdg-utils; s saves the attachment instead." {
		t.Errorf("an attachment: %q", m.note)
	}
	m = press(t, m, "L", "1")
	if m.note != langEN.tr("reader.noLinkOpener") {
		t.Errorf("a link: %q", m.note)
	}
}

// TestOpenerCommand: POPBOX_OPENER first, else xdg-open or open on
// PATH, else ErrNoOpener.
func TestOpenerCommand(t *testing.T) {
	empty := t.TempDir()
	t.Setenv("PATH", empty)
	if _, err := openerCommand(func(string) string { return "" }); !errors.Is(err, ErrNoOpener) {
		t.Errorf("nothing on PATH: %v", err)
	}
	if _, err := openerCommand(func(string) string { return "/no/such/opener" }); err == nil {
		t.Error("a POPBOX_OPENER that does not exist was taken")
	}
	if runtime.GOOS == "windows" {
		return
	}
	xdg := filepath.Join(empty, "xdg-open")
	if err := os.WriteFile(xdg, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := openerCommand(func(string) string { return "" }); err != nil || got != xdg {
		t.Errorf("xdg-open on PATH: %q, %v", got, err)
	}
}

// TestRunOpener: the opener gets the target as its one argument, with no
// shell between: a target that reads as a command runs nothing.
func TestRunOpener(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("a shell script opener")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "args")
	script := filepath.Join(dir, "opener")
	body := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + out + "\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	pwned := filepath.Join(dir, "pwned")
	target := "x; touch " + pwned + " $(touch " + pwned + ")"
	err := runOpener(func(k string) string {
		if k == OpenerEnv {
			return script
		}
		return ""
	}, target)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil || string(got) != target+"\n" {
		t.Errorf("the opener got %q (%v), want the one argument %q", got, err, target)
	}
	if _, err := os.Stat(pwned); err == nil {
		t.Error("the target was run by a shell")
	}

	// An opener that fails at once is reported.
	fail := filepath.Join(dir, "fail")
	if err := os.WriteFile(fail, []byte("#!/bin/sh\necho noise\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	err = runOpener(func(k string) string { return map[string]string{OpenerEnv: fail}[k] }, "x")
	if err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("a failing opener: %v", err)
	}
}

// TestOpenName: the name on disk is attachment-N and an extension from
// the table, whatever the sender called the file.
func TestOpenName(t *testing.T) {
	tests := []struct {
		typ, name, want string
	}{
		{"application/pdf", "; rm -rf ~", "attachment-1.pdf"},
		{"IMAGE/PNG", "../../x", "attachment-1.png"},
		{"application/octet-stream", "report.PDF", "attachment-1.pdf"},
		{"application/octet-stream", "setup.exe", "attachment-1.bin"},
		{"application/x-desktop", "a.desktop", "attachment-1.bin"},
		{"application/java-archive", "a.jar", "attachment-1.bin"},
		{"text/plain", "", "attachment-1.txt"},
	}
	for _, tc := range tests {
		if got := openName(mail.Attachment{Type: tc.typ, Filename: tc.name}, 1); got != tc.want {
			t.Errorf("%s %q: %q, want %q", tc.typ, tc.name, got, tc.want)
		}
	}
}

// TestOpenFilesBase: the folder goes under XDG_RUNTIME_DIR when that is a
// folder, else the temporary folder.
func TestOpenFilesBase(t *testing.T) {
	run := t.TempDir()
	f := newOpenFiles(func(k string) string { return map[string]string{"XDG_RUNTIME_DIR": run}[k] })
	path, err := f.write("message.html", []byte("x"))
	if err != nil || !strings.HasPrefix(path, run+string(filepath.Separator)+"popbox-open-") {
		t.Errorf("%q, %v: not below %s", path, err, run)
	}
	if err := f.remove(); err != nil {
		t.Fatal(err)
	}
	g := newOpenFiles(func(string) string { return "relative" })
	if got := g.baseDir(); got != os.TempDir() {
		t.Errorf("a relative XDG_RUNTIME_DIR: %q", got)
	}
}

// TestReaderOpenIntents: o, H and L are the reader's, and are nothing
// while a prompt or the list has the keys.
func TestReaderOpenIntents(t *testing.T) {
	calls := &openerCalls{}
	m := openReader(t, openMail, langEN, calls, t.TempDir())
	for k, want := range map[string]readerIntent{"o": readerOpen, "H": readerOpenHTML, "L": readerLinks} {
		if got := m.intent(keyMsg(k)); got != want {
			t.Errorf("%s: %v, want %v", k, got, want)
		}
	}
	m = press(t, m, "L")
	for _, k := range []string{"o", "H", "L", "s", "d", "n"} {
		if got := m.intent(keyMsg(k)); got != readerNone {
			t.Errorf("%s with the list open: %v", k, got)
		}
	}
}
