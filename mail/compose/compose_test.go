package compose

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"popbox/mail"
	"popbox/mail/mime"
)

var acct = mail.Account{Name: "Work", Email: "taro@example.jp"}

func build(t *testing.T, d Draft) Built {
	t.Helper()
	b, err := Build(d)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return b
}

// header is the raw (undecoded) value of the first field named k.
func header(raw []byte, k string) string {
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	var out string
	found := false
	for _, l := range strings.Split(string(head), "\r\n") {
		switch {
		case found && (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")):
			out += l
		case found:
			return out
		case strings.HasPrefix(strings.ToLower(l), strings.ToLower(k)+":"):
			found, out = true, strings.TrimSpace(l[len(k)+1:])
		}
	}
	return out
}

func TestISO2022JPDecodesBack(t *testing.T) {
	subject := "会議の件について、来週の予定を確認させてください（長い件名で折り返しを確かめる）"
	body := "田中様\n\nお世話になっております。\n資料を送ります。\n"
	b := build(t, Draft{
		From:    mail.Address{Name: "山田 太郎", Address: "taro@example.jp"},
		To:      []mail.Address{{Name: "田中 花子", Address: "hanako@example.com"}},
		Subject: subject, Body: body, Charset: ISO2022JP,
	})
	if b.FellBack || b.Charset != ISO2022JP {
		t.Fatalf("fell back to %v", b.Charset)
	}
	for _, c := range b.Raw {
		if c >= 0x80 {
			t.Fatalf("8-bit byte in an ISO-2022-JP message:\n%s", b.Raw)
		}
	}
	if !bytes.Contains(b.Raw, []byte("charset=ISO-2022-JP")) || !strings.Contains(header(b.Raw, "Subject"), "=?ISO-2022-JP?B?") {
		t.Fatalf("not ISO-2022-JP:\n%s", b.Raw)
	}
	for _, l := range strings.Split(string(b.Raw), "\r\n") {
		if len(l) > 78 {
			t.Errorf("line longer than 78: %q", l)
		}
	}
	m := mime.Parse(b.Raw, time.Now())
	if m.Summary.Subject != subject {
		t.Errorf("subject %q, want %q", m.Summary.Subject, subject)
	}
	if m.Summary.From.Name != "山田 太郎" || m.Summary.To[0].Name != "田中 花子" {
		t.Errorf("names %+v %+v", m.Summary.From, m.Summary.To)
	}
	if strings.TrimRight(m.Body, "\n") != strings.TrimRight(body, "\n") {
		t.Errorf("body %q, want %q", m.Body, body)
	}
	if len(m.Notes) > 0 {
		t.Errorf("notes: %v", m.Notes)
	}
}

func TestISO2022JPFallsBack(t *testing.T) {
	b := build(t, Draft{From: mail.Address{Address: "a@x.jp"}, To: []mail.Address{{Address: "b@y.jp"}},
		Subject: "絵文字 😀", Body: "ｶﾀｶﾅ と 😀\n", Charset: ISO2022JP})
	if !b.FellBack || b.Charset != UTF8 || !bytes.Contains(b.Raw, []byte("charset=utf-8")) {
		t.Fatalf("no fallback: %v\n%s", b.Charset, b.Raw)
	}
	m := mime.Parse(b.Raw, time.Now())
	if m.Summary.Subject != "絵文字 😀" || !strings.Contains(m.Body, "ｶﾀｶﾅ と 😀") {
		t.Fatalf("decoded %q %q", m.Summary.Subject, m.Body)
	}
}

func TestUTF8Defaults(t *testing.T) {
	b := build(t, Draft{From: mail.Address{Name: "Jörg", Address: "j@example.de"},
		To: []mail.Address{{Address: "b@y.de"}}, Bcc: []mail.Address{{Name: "Hidden", Address: "secret@z.de"}},
		Subject: "Grüße", Body: "Schöne Grüße\n"})
	for _, k := range []string{"Date", "Message-ID", "MIME-Version", "From", "To", "Subject"} {
		if header(b.Raw, k) == "" {
			t.Errorf("no %s header", k)
		}
	}
	if !strings.HasSuffix(header(b.Raw, "Message-ID"), "@example.de>") || b.MessageID != header(b.Raw, "Message-ID") {
		t.Errorf("Message-ID %q", header(b.Raw, "Message-ID"))
	}
	if bytes.Contains(bytes.ToLower(b.Raw), []byte("bcc")) || bytes.Contains(b.Raw, []byte("secret@z.de")) || bytes.Contains(b.Raw, []byte("Hidden")) {
		t.Errorf("Bcc in the bytes:\n%s", b.Raw)
	}
	if strings.Join(b.Recipients, ",") != "b@y.de,secret@z.de" {
		t.Errorf("recipients %v", b.Recipients)
	}
	m := mime.Parse(b.Raw, time.Now())
	if m.Summary.Subject != "Grüße" || m.Summary.From.Name != "Jörg" || strings.TrimSpace(m.Body) != "Schöne Grüße" {
		t.Errorf("decoded %+v %q", m.Summary, m.Body)
	}
	if _, err := Build(Draft{Subject: "x"}); err != ErrNoRecipient {
		t.Errorf("no recipient: %v", err)
	}
}

func TestAttachmentRFC2231(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "見積書 2024.pdf")
	os.WriteFile(p, []byte("%PDF-1.4 data"), 0o600)
	b := build(t, Draft{From: mail.Address{Address: "a@x.jp"}, To: []mail.Address{{Address: "b@y.jp"}},
		Subject: "資料", Body: "添付します。\n", Attachments: []Attachment{{Path: p}}, Charset: ISO2022JP})
	if !bytes.Contains(b.Raw, []byte("filename*=utf-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8%202024.pdf")) {
		t.Fatalf("no RFC 2231 filename:\n%s", b.Raw)
	}
	if bytes.Contains(b.Raw, []byte(`filename="=?`)) {
		t.Fatalf("RFC 2047 word in quotes:\n%s", b.Raw)
	}
	m := mime.Parse(b.Raw, time.Now())
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "見積書 2024.pdf" || !strings.Contains(m.Body, "添付します。") {
		t.Fatalf("decoded %+v %q", m.Attachments, m.Body)
	}
	_, data, err := mime.AttachmentData(b.Raw, 1)
	if err != nil || string(data) != "%PDF-1.4 data" {
		t.Fatalf("attachment %q %v", data, err)
	}
}

func TestFlowed(t *testing.T) {
	long := strings.Repeat("word ", 40)
	b := build(t, Draft{From: mail.Address{Address: "a@x"}, To: []mail.Address{{Address: "b@y"}}, Subject: "f", Body: long + "\nFrom here\n", Flowed: true})
	if !bytes.Contains(b.Raw, []byte("format=flowed")) {
		t.Fatalf("no format=flowed:\n%s", b.Raw)
	}
	_, body, _ := bytes.Cut(b.Raw, []byte("\r\n\r\n"))
	for _, l := range strings.Split(string(body), "\r\n") {
		if len(l) > 79 {
			t.Errorf("line %q longer than 79", l)
		}
	}
	if !bytes.Contains(body, []byte("\r\n From here")) {
		t.Errorf("From line not space-stuffed:\n%s", body)
	}
}

const origMsg = "From: Hanako Tanaka <hanako@example.com>\r\n" +
	"To: taro@example.jp, Jiro <jiro@example.com>\r\n" +
	"Cc: TARO@example.jp, saburo@example.com\r\n" +
	"Reply-To: list@example.com\r\n" +
	"Subject: Re: RE: Re[2]: plan\r\n" +
	"Date: Tue, 02 Jan 2024 10:30:00 +0900\r\n" +
	"Message-ID: <m2@example.com>\r\n" +
	"References: <m0@example.com> <m1@example.com>\r\n" +
	"\r\n" +
	"Line one\r\n> earlier\r\n\r\nLine three\r\n"

func TestReply(t *testing.T) {
	cases := []struct {
		name          string
		all           bool
		lang          Lang
		to, cc        string
		attributionIs string
	}{
		{"sender en", false, English, "list@example.com", "", "On Tue, 2 Jan 2024 at 10:30, Hanako Tanaka wrote:"},
		{"all ja", true, Japanese, "list@example.com,jiro@example.com", "saburo@example.com", "2024/01/02 10:30、Hanako Tanaka さんは書きました:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Reply([]byte(origMsg), c.all, acct, c.lang)
			if d.Subject != "Re: plan" {
				t.Errorf("subject %q", d.Subject)
			}
			if got := addrs(d.To); got != c.to {
				t.Errorf("To %s, want %s", got, c.to)
			}
			if got := addrs(d.Cc); got != c.cc {
				t.Errorf("Cc %s, want %s", got, c.cc)
			}
			if d.From.Address != "taro@example.jp" || d.InReplyTo != "<m2@example.com>" ||
				strings.Join(d.References, " ") != "<m0@example.com> <m1@example.com> <m2@example.com>" {
				t.Errorf("threading %+v", d)
			}
			want := c.attributionIs + "\n> Line one\n>> earlier\n>\n> Line three\n"
			if !strings.HasSuffix(d.Body, want) {
				t.Errorf("body %q, want it to end %q", d.Body, want)
			}
			b := build(t, d)
			if header(b.Raw, "In-Reply-To") != "<m2@example.com>" || !strings.Contains(header(b.Raw, "References"), "<m1@example.com> <m2@example.com>") {
				t.Errorf("headers:\n%s", b.Raw)
			}
		})
	}
	// Without Reply-To, to the sender.
	noRT := strings.Replace(origMsg, "Reply-To: list@example.com\r\n", "", 1)
	if d := Reply([]byte(noRT), false, acct, English); addrs(d.To) != "hanako@example.com" {
		t.Errorf("To without Reply-To: %s", addrs(d.To))
	}
}

func addrs(l []mail.Address) string {
	var s []string
	for _, a := range l {
		s = append(s, a.Address)
	}
	return strings.Join(s, ",")
}

func TestForward(t *testing.T) {
	d := Forward([]byte(origMsg), true, acct, Japanese)
	if d.Subject != "Fwd: Re: RE: Re[2]: plan" {
		t.Errorf("subject %q", d.Subject)
	}
	if !strings.Contains(d.Body, "---------- 転送メッセージ ----------\n差出人: Hanako Tanaka <hanako@example.com>\n") ||
		!strings.Contains(d.Body, "件名: Re: RE: Re[2]: plan\n") || !strings.Contains(d.Body, "Line one\n> earlier\n") {
		t.Errorf("inline body %q", d.Body)
	}
	if Forward([]byte("Subject: Fwd: x\r\n\r\nx\r\n"), true, acct, English).Subject != "Fwd: x" {
		t.Error("Fwd: twice")
	}
	d = Forward([]byte(origMsg), false, acct, English)
	d.To = []mail.Address{{Address: "z@example.com"}}
	b := build(t, d)
	if !bytes.Contains(b.Raw, []byte("Content-Type: message/rfc822")) || !bytes.Contains(b.Raw, []byte(origMsg)) {
		t.Fatalf("not attached whole:\n%s", b.Raw)
	}
	if m := mime.Parse(b.Raw, time.Now()); m.Summary.Subject != "Fwd: Re: RE: Re[2]: plan" {
		t.Errorf("subject %q", m.Summary.Subject)
	}
}

// TestReplyFromAlias: an answer goes out from the account's address the
// message was sent to (To, Cc, then Delivered-To), else the account's
// own; reply-all leaves every address of the account out; IsJIS sees an
// ISO-2022-JP message.
func TestReplyFromAlias(t *testing.T) {
	acct := mail.Account{Email: "ann@example.com", Aliases: "sales@example.com, info@example.com"}
	for _, c := range []struct{ head, want string }{
		{"To: Sales <SALES@example.com>\r\n", "SALES@example.com"},
		{"To: x@example.org\r\nCc: info@example.com\r\n", "info@example.com"},
		{"To: list@example.org\r\nDelivered-To: sales@example.com\r\n", "sales@example.com"},
		{"To: list@example.org\r\n", "ann@example.com"},
	} {
		raw := []byte("From: bob@example.org\r\n" + c.head + "Subject: hi\r\n\r\nbody\r\n")
		if d := Reply(raw, false, acct, English); d.From.Address != c.want {
			t.Errorf("%q: From %q, want %q", c.head, d.From.Address, c.want)
		}
		if d := Forward(raw, true, acct, English); d.From.Address != c.want {
			t.Errorf("forward %q: From %q, want %q", c.head, d.From.Address, c.want)
		}
	}
	raw := []byte("From: bob@example.org\r\nTo: sales@example.com, carol@example.org\r\nCc: ann@example.com, info@example.com\r\nSubject: hi\r\n\r\nbody\r\n")
	d := Reply(raw, true, acct, English)
	if len(d.To) != 2 || d.To[0].Address != "bob@example.org" || d.To[1].Address != "carol@example.org" || len(d.Cc) != 0 {
		t.Errorf("reply-all: To %v Cc %v", d.To, d.Cc)
	}
	if !IsJIS([]byte("Content-Type: text/plain; charset=\"ISO-2022-JP\"\r\n\r\n")) || IsJIS(raw) {
		t.Error("IsJIS")
	}
}
