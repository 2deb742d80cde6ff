package mime

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

var msgFetched = time.Date(2024, 4, 1, 12, 0, 0, 0, time.UTC)

// msgCRLF turns "\n" line ends into the CRLF a POP3 server sends.
func msgCRLF(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

// msgEnc encodes s in a legacy charset, as a sending mail program would.
func msgEnc(t testing.TB, e encoding.Encoding, s string) string {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encoding %q: %v", s, err)
	}
	return string(b)
}

func msgB64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// msgWord builds an RFC 2047 B encoded word of s in charset e.
func msgWord(t testing.TB, label string, e encoding.Encoding, s string) string {
	t.Helper()
	return "=?" + label + "?B?" + msgB64(msgEnc(t, e, s)) + "?="
}

// msgWithHeader builds a small message around one header field.
func msgWithHeader(field string) []byte {
	return msgCRLF("From: a@example.com\nTo: b@example.com\nDate: Tue, 12 Mar 2024 10:00:00 +0000\n" + field + "\n\nbody\n")
}

func msgHasNote(notes []string, part string) bool {
	for _, n := range notes {
		if strings.Contains(n, part) {
			return true
		}
	}
	return false
}

func TestSummarizeSubject(t *testing.T) {
	utf8Nihon := []byte("日本")
	tests := []struct {
		name     string
		field    string
		want     string
		wantNote string // a part of a note that must be there; "" means no notes
	}{
		{"iso-2022-jp B", "Subject: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=", "テスト", ""},
		{"iso-2022-jp built", "Subject: " + msgWord(t, "iso-2022-jp", japanese.ISO2022JP, "会議のお知らせ（再送）"), "会議のお知らせ（再送）", ""},
		{"iso-2022-jp Q", "Subject: =?iso-2022-jp?q?=1B$B$3$s$K$A$O=1B(B?=", "こんにちは", ""},
		{"iso-2022-jp two words folded", "Subject: " + msgWord(t, "ISO-2022-JP", japanese.ISO2022JP, "資料送付") + "\n\t" + msgWord(t, "ISO-2022-JP", japanese.ISO2022JP, "のお願い"), "資料送付のお願い", ""},
		{"shift_jis", "Subject: " + msgWord(t, "Shift_JIS", japanese.ShiftJIS, "ソフト開発"), "ソフト開発", ""},
		{"cp932 label", "Subject: " + msgWord(t, "cp932", japanese.ShiftJIS, "①番"), "①番", ""},
		{"euc-jp", "Subject: " + msgWord(t, "EUC-JP", japanese.EUCJP, "日本語の件名"), "日本語の件名", ""},
		{"utf-8 character split across words", "Subject: =?UTF-8?B?" + base64.StdEncoding.EncodeToString(utf8Nihon[:4]) + "?=\n =?UTF-8?B?" + base64.StdEncoding.EncodeToString(utf8Nihon[4:]) + "?=", "日本", ""},
		{"utf-8 Q with underscores", "Subject: =?utf-8?Q?Caf=C3=A9_au_lait?=", "Café au lait", ""},
		{"utf-8 with language", "Subject: =?UTF-8*ja?B?" + msgB64("言語") + "?=", "言語", ""},
		{"lower-case b", "Subject: =?utf-8?b?" + msgB64("ok") + "?=", "ok", ""},
		{"iso-8859-1", "Subject: =?ISO-8859-1?Q?Gr=FC=DFe?=", "Grüße", ""},
		{"iso-8859-15 euro", "Subject: =?iso-8859-15?q?5_=A4?=", "5 €", ""},
		{"windows-1252 quotes", "Subject: =?windows-1252?Q?=93quoted=94?=", "“quoted”", ""},
		{"windows-1251", "Subject: " + msgWord(t, "windows-1251", charmap.Windows1251, "Привет"), "Привет", ""},
		{"koi8-r", "Subject: " + msgWord(t, "KOI8-R", charmap.KOI8R, "Привет"), "Привет", ""},
		{"gb2312", "Subject: " + msgWord(t, "GB2312", simplifiedchinese.GBK, "你好"), "你好", ""},
		{"big5", "Subject: " + msgWord(t, "Big5", traditionalchinese.Big5, "中文"), "中文", ""},
		{"euc-kr", "Subject: " + msgWord(t, "EUC-KR", korean.EUCKR, "안녕"), "안녕", ""},
		{"space between words dropped", "Subject: =?UTF-8?Q?a?= =?UTF-8?Q?b?=", "ab", ""},
		{"space before text kept", "Subject: Re: =?UTF-8?Q?caf=C3=A9?= time", "Re: café time", ""},
		{"word glued to text", "Subject: Re:=?UTF-8?B?" + msgB64("件名") + "?=", "Re:件名", ""},
		{"mixed charsets", "Subject: " + msgWord(t, "ISO-2022-JP", japanese.ISO2022JP, "日本") + " " + "=?UTF-8?Q?=C3=A9t=C3=A9?=", "日本été", ""},
		{"broken word left as it is", "Subject: =?utf-8?x?abc?= and =?utf-8?q?open", "=?utf-8?x?abc?= and =?utf-8?q?open", ""},
		{"raw utf-8", "Subject: 生のUTF-8件名", "生のUTF-8件名", ""},
		{"raw iso-2022-jp", "Subject: " + msgEnc(t, japanese.ISO2022JP, "生のJIS件名"), "生のJIS件名", ""},
		{"raw shift_jis", "Subject: " + msgEnc(t, japanese.ShiftJIS, "生のシフトJIS"), "生のシフトJIS", "it was read as Shift_JIS"},
		{"raw latin-1", "Subject: caf\xe9 cr\xe8me", "café crème", "it was read as Windows-1252"},
		{"control characters removed", "Subject: a\tb \x1b[31mred\x1b[0m\x07", "a b [31mred[0m", ""},
		{"empty", "Subject:", "", ""},
		{"unknown charset", "Subject: =?x-unknown?Q?caf=C3=A9?=", "café", `unknown character set "x-unknown"`},
		{"long folded", "Subject: one\n two\n\tthree", "one two three", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize(msgWithHeader(tt.field), msgFetched)
			if s.Subject != tt.want {
				t.Errorf("Subject = %q, want %q", s.Subject, tt.want)
			}
			if tt.wantNote == "" && len(s.Notes) > 0 {
				t.Errorf("unexpected notes %q", s.Notes)
			}
			if tt.wantNote != "" && !msgHasNote(s.Notes, tt.wantNote) {
				t.Errorf("notes %q lack %q", s.Notes, tt.wantNote)
			}
		})
	}
}

func TestSummarizeAddresses(t *testing.T) {
	tests := []struct {
		name  string
		field string
		want  []Address
	}{
		{"name and address", "To: John Doe <john@example.com>", []Address{{"John Doe", "john@example.com"}}},
		{"quoted name with comma", `To: "Doe, John" <john@example.com>`, []Address{{"Doe, John", "john@example.com"}}},
		{"unquoted comma rejoined", "To: Doe, John <john@example.com>", []Address{{"Doe, John", "john@example.com"}}},
		{"bare address", "To: john@example.com", []Address{{"", "john@example.com"}}},
		{"angle only", "To: <john@example.com>", []Address{{"", "john@example.com"}}},
		{"comment as name", "To: john@example.com (John Doe)", []Address{{"John Doe", "john@example.com"}}},
		{"list", "To: a@example.com, B <b@example.com>,\n\t\"C\" <c@example.com>", []Address{{"", "a@example.com"}, {"B", "b@example.com"}, {"C", "c@example.com"}}},
		{"iso-2022-jp name", "To: " + msgWord(t, "ISO-2022-JP", japanese.ISO2022JP, "山田太郎") + " <taro@example.jp>", []Address{{"山田太郎", "taro@example.jp"}}},
		{"encoded word inside quotes", `To: "` + msgWord(t, "UTF-8", encoding.Nop, "鈴木") + `" <suzuki@example.jp>`, []Address{{"鈴木", "suzuki@example.jp"}}},
		{"two words in a name", "To: =?UTF-8?Q?Ren=C3=A9e?= =?UTF-8?Q?_Dupont?= <r@example.fr>", []Address{{"Renée Dupont", "r@example.fr"}}},
		{"raw utf-8 name", "To: 高橋 一郎 <t@example.jp>", []Address{{"高橋 一郎", "t@example.jp"}}},
		{"raw iso-2022-jp name", "To: " + msgEnc(t, japanese.ISO2022JP, "（株）見本") + " <m@example.jp>", []Address{{"（株）見本", "m@example.jp"}}},
		{"escaped quotes", `To: "John \"JJ\" Doe" <j@example.com>`, []Address{{`John "JJ" Doe`, "j@example.com"}}},
		{"group", "To: Team: a@example.com, B <b@example.com>;, c@example.com", []Address{{"", "a@example.com"}, {"B", "b@example.com"}, {"", "c@example.com"}}},
		{"empty group", "To: undisclosed-recipients:;", nil},
		{"source route", "To: <@relay.example:user@example.com>", []Address{{"", "user@example.com"}}},
		{"name same as address", "To: john@example.com <john@example.com>", []Address{{"", "john@example.com"}}},
		{"no address", "To: Mailer Daemon", []Address{{"Mailer Daemon", ""}}},
		// A quoted local part keeps its quotes and its space, whichever
		// reader takes it (net/mail, or the own one for what net/mail
		// refuses). Words of a name are joined by one space, as net/mail
		// reads a phrase, also where the sender wrote none before a
		// quoted word.
		{"quoted local part", `To: "john doe"@example.com, John <"j.\"d\""@example.com>`, []Address{{"", `"john doe"@example.com`}, {"John", `"j.\"d\""@example.com`}}},
		{"quoted local part, own reader", `To: Doe, John <"john doe"@example.com>`, []Address{{"Doe, John", `"john doe"@example.com`}}},
		{"folded address", "To: John <john\n @ example.com>", []Address{{"John", "john@example.com"}}},
		{"no-break spaces in the address", "To: john\u00a0@example.com, Ann <ann@\u00a0example.com>", []Address{{"", "john@example.com"}, {"Ann", "ann@example.com"}}},
		{"quoted word glued to a word", `To: Hello"q" <n@example.com>`, []Address{{"Hello q", "n@example.com"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := msgCRLF("From: x@example.com\nDate: Tue, 12 Mar 2024 10:00:00 +0000\nSubject: s\n" + tt.field + "\n\nbody\n")
			s := Summarize(raw, msgFetched)
			if !reflect.DeepEqual(s.To, tt.want) {
				t.Errorf("To = %#v, want %#v", s.To, tt.want)
			}
		})
	}
}

func TestSummarizeFrom(t *testing.T) {
	tests := []struct {
		name     string
		header   string
		want     Address
		wantNote string
	}{
		{"plain", "From: Alice <alice@example.com>\n", Address{"Alice", "alice@example.com"}, ""},
		{"iso-2022-jp", "From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.jp>\n", Address{"山田", "yamada@example.jp"}, ""},
		{"first of several", "From: a@example.com, b@example.com\n", Address{"", "a@example.com"}, ""},
		{"sender when no from", "Sender: list@example.com\n", Address{"", "list@example.com"}, ""},
		{"missing", "", Address{}, "no From header"},
		{"empty", "From: \n", Address{}, "no From header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := msgCRLF(tt.header + "To: b@example.com\nDate: Tue, 12 Mar 2024 10:00:00 +0000\nSubject: s\n\nbody\n")
			s := Summarize(raw, msgFetched)
			if s.From != tt.want {
				t.Errorf("From = %#v, want %#v", s.From, tt.want)
			}
			if tt.wantNote == "" && len(s.Notes) > 0 {
				t.Errorf("unexpected notes %q", s.Notes)
			}
			if tt.wantNote != "" && !msgHasNote(s.Notes, tt.wantNote) {
				t.Errorf("notes %q lack %q", s.Notes, tt.wantNote)
			}
		})
	}
}

func TestSummarizeDate(t *testing.T) {
	jst := time.FixedZone("JST", 9*3600)
	tests := []struct {
		name   string
		date   string
		want   time.Time // zero: unreadable
		offset int       // seconds east of UTC
	}{
		{"rfc 5322", "Tue, 12 Mar 2024 10:00:00 +0900", time.Date(2024, 3, 12, 10, 0, 0, 0, jst), 9 * 3600},
		{"no weekday", "12 Mar 2024 10:00:00 +0900", time.Date(2024, 3, 12, 10, 0, 0, 0, jst), 9 * 3600},
		{"no seconds", "Tue, 12 Mar 2024 10:00 +0900", time.Date(2024, 3, 12, 10, 0, 0, 0, jst), 9 * 3600},
		{"two-digit year 2000s", "Tue, 12 Mar 24 10:00:00 +0000", time.Date(2024, 3, 12, 10, 0, 0, 0, time.UTC), 0},
		{"two-digit year 1900s", "Fri, 12 Mar 99 10:00:00 GMT", time.Date(1999, 3, 12, 10, 0, 0, 0, time.UTC), 0},
		{"three-digit year", "12 Mar 124 10:00:00 +0000", time.Date(2024, 3, 12, 10, 0, 0, 0, time.UTC), 0},
		{"JST", "Tue, 12 Mar 2024 10:00:00 JST", time.Date(2024, 3, 12, 10, 0, 0, 0, jst), 9 * 3600},
		{"EST", "Tue, 12 Mar 2024 10:00:00 EST", time.Date(2024, 3, 12, 15, 0, 0, 0, time.UTC), -5 * 3600},
		{"EDT", "Tue, 12 Mar 2024 10:00:00 EDT", time.Date(2024, 3, 12, 14, 0, 0, 0, time.UTC), -4 * 3600},
		{"PST", "Tue, 12 Mar 2024 10:00:00 PST", time.Date(2024, 3, 12, 18, 0, 0, 0, time.UTC), -8 * 3600},
		{"GMT", "Tue, 12 Mar 2024 10:00:00 GMT", time.Date(2024, 3, 12, 10, 0, 0, 0, time.UTC), 0},
		{"UT", "Tue, 12 Mar 2024 10:00:00 UT", time.Date(2024, 3, 12, 10, 0, 0, 0, time.UTC), 0},
		{"UTC", "Tue, 12 Mar 2024 10:00:00 UTC", time.Date(2024, 3, 12, 10, 0, 0, 0, time.UTC), 0},
		{"minus zero", "Tue, 12 Mar 2024 10:00:00 -0000", time.Date(2024, 3, 12, 10, 0, 0, 0, time.UTC), 0},
		{"half-hour zone", "Tue, 12 Mar 2024 10:00:00 +0530", time.Date(2024, 3, 12, 4, 30, 0, 0, time.UTC), 5*3600 + 1800},
		{"extra spaces", "Tue,  12   Mar  2024   10:00:00   +0900 ", time.Date(2024, 3, 12, 10, 0, 0, 0, jst), 9 * 3600},
		{"trailing comment", "Tue, 12 Mar 2024 10:00:00 +0900 (JST)", time.Date(2024, 3, 12, 10, 0, 0, 0, jst), 9 * 3600},
		{"zone only in comment", "Tue, 12 Mar 2024 10:00:00 (JST)", time.Date(2024, 3, 12, 10, 0, 0, 0, jst), 9 * 3600},
		{"comment that is no zone", "Tue, 12 Mar 2024 10:00:00 -0500 (Eastern Standard Time)", time.Date(2024, 3, 12, 15, 0, 0, 0, time.UTC), -5 * 3600},
		{"no zone", "Tue, 12 Mar 2024 10:00:00", time.Date(2024, 3, 12, 10, 0, 0, 0, time.UTC), 0},
		{"full names", "Tuesday, 12 March 2024 10:00:00 +0900", time.Date(2024, 3, 12, 10, 0, 0, 0, jst), 9 * 3600},
		{"single-digit day and hour", "Tue, 5 Mar 2024 9:05:07 +0000", time.Date(2024, 3, 5, 9, 5, 7, 0, time.UTC), 0},
		{"dashed date", "Tue, 12-Mar-2024 10:00:00 +0900", time.Date(2024, 3, 12, 10, 0, 0, 0, jst), 9 * 3600},
		{"asctime", "Tue Mar 12 10:00:00 2024", time.Date(2024, 3, 12, 10, 0, 0, 0, time.UTC), 0},
		{"iso 8601", "2024-03-12T10:00:00+09:00", time.Date(2024, 3, 12, 10, 0, 0, 0, jst), 9 * 3600},
		{"pm", "Tue, 12 Mar 2024 09:05 PM +0000", time.Date(2024, 3, 12, 21, 5, 0, 0, time.UTC), 0},
		{"leap second", "Sat, 31 Dec 2016 23:59:60 +0000", time.Date(2016, 12, 31, 23, 59, 59, 0, time.UTC), 0},
		{"lower case", "tue, 12 mar 2024 10:00:00 gmt", time.Date(2024, 3, 12, 10, 0, 0, 0, time.UTC), 0},
		{"garbage", "the day after tomorrow", time.Time{}, 0},
		{"no year", "Tue, 12 Mar 10:00:00 +0000", time.Time{}, 0},
		{"no such day", "Sat, 31 Feb 2024 10:00:00 +0000", time.Time{}, 0},
		{"bad month", "Tue, 12 Foo 2024 10:00:00 +0000", time.Time{}, 0},
		{"bad hour", "Tue, 12 Mar 2024 25:00:00 +0000", time.Time{}, 0},
		{"broken time", "Tue, 12 Mar 2024 10:xx:00 +0000", time.Time{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize(msgCRLF("From: a@example.com\nSubject: s\nDate: "+tt.date+"\n\nbody\n"), msgFetched)
			if tt.want.IsZero() {
				if !s.DateMissing || !s.Date.Equal(msgFetched) {
					t.Errorf("Date = %v, DateMissing = %v; want the fetch time and DateMissing", s.Date, s.DateMissing)
				}
				if !msgHasNote(s.Notes, "could not be read") {
					t.Errorf("notes %q lack the unreadable date", s.Notes)
				}
				return
			}
			if s.DateMissing || !s.Date.Equal(tt.want) {
				t.Errorf("Date = %v (missing %v), want %v", s.Date, s.DateMissing, tt.want)
			}
			if _, off := s.Date.Zone(); off != tt.offset {
				t.Errorf("zone offset = %d, want %d", off, tt.offset)
			}
			if len(s.Notes) > 0 {
				t.Errorf("unexpected notes %q", s.Notes)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		s := Summarize(msgCRLF("From: a@example.com\nSubject: s\n\nbody\n"), msgFetched)
		if !s.DateMissing || !s.Date.Equal(msgFetched) || !msgHasNote(s.Notes, "no Date header") {
			t.Errorf("Date = %v, DateMissing = %v, notes %q", s.Date, s.DateMissing, s.Notes)
		}
	})
}

func TestSummarizeFields(t *testing.T) {
	long := strings.Repeat("word ", 100)
	tests := []struct {
		name    string
		raw     string
		check   func(t *testing.T, s Summary)
		noNotes bool
	}{
		{
			name: "message id and size",
			raw:  "From: a@example.com\nSubject: s\nDate: Tue, 12 Mar 2024 10:00:00 +0000\nMessage-ID:\n <abc.123@example.com>\n\nbody\n",
			check: func(t *testing.T, s Summary) {
				if s.MessageID != "abc.123@example.com" {
					t.Errorf("MessageID = %q", s.MessageID)
				}
				if s.Size != 117 { // the raw bytes, CRLF line ends included
					t.Errorf("Size = %d, want 117", s.Size)
				}
			},
			noNotes: true,
		},
		{
			name: "preview collapses white space",
			raw:  "From: a@example.com\nSubject: s\nDate: Tue, 12 Mar 2024 10:00:00 +0000\n\n  Hello,\n\n\tthis   is\na test.  \n",
			check: func(t *testing.T, s Summary) {
				if s.Preview != "Hello, this is a test." {
					t.Errorf("Preview = %q", s.Preview)
				}
			},
			noNotes: true,
		},
		{
			name: "preview is cut at 120 runes",
			raw:  "From: a@example.com\nSubject: s\nDate: Tue, 12 Mar 2024 10:00:00 +0000\n\n" + long + "\n",
			check: func(t *testing.T, s Summary) {
				want := strings.TrimSpace(long[:119]) + "…"
				if s.Preview != want {
					t.Errorf("Preview = %q, want %q", s.Preview, want)
				}
			},
			noNotes: true,
		},
		{
			name: "japanese preview counts runes",
			raw:  "From: a@example.com\nSubject: s\nDate: Tue, 12 Mar 2024 10:00:00 +0000\nContent-Type: text/plain; charset=utf-8\n\n" + strings.Repeat("あ", 200) + "\n",
			check: func(t *testing.T, s Summary) {
				if s.Preview != strings.Repeat("あ", 119)+"…" {
					t.Errorf("Preview = %q (%d runes)", s.Preview, utf8.RuneCountInString(s.Preview))
				}
			},
			noNotes: true,
		},
		{
			name: "preview drops bidirectional overrides and marks",
			raw:  "From: a@example.com\nSubject: s\nDate: Tue, 12 Mar 2024 10:00:00 +0000\nContent-Type: text/plain; charset=utf-8\n\n\ufeffinvoice\u202egpj.exe \u200f\u2066x\u2069\u061c\n",
			check: func(t *testing.T, s Summary) {
				if s.Preview != "invoicegpj.exe x" {
					t.Errorf("Preview = %q", s.Preview)
				}
			},
			noNotes: true,
		},
		{
			name: "html preview has no tags or link numbers",
			raw:  "From: a@example.com\nSubject: s\nDate: Tue, 12 Mar 2024 10:00:00 +0000\nContent-Type: text/html\n\n<style>p{}</style><p>Hi <a href=\"https://x.example\">there</a></p>\n",
			check: func(t *testing.T, s Summary) {
				if s.Preview != "Hi there" {
					t.Errorf("Preview = %q", s.Preview)
				}
			},
			noNotes: true,
		},
		{
			name: "attachment flag",
			raw:  "From: a@example.com\nSubject: s\nDate: Tue, 12 Mar 2024 10:00:00 +0000\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\ntext\n--b\nContent-Type: application/pdf\n\n%PDF\n--b--\n",
			check: func(t *testing.T, s Summary) {
				if !s.Attachments || s.Preview != "text" {
					t.Errorf("Attachments = %v, Preview = %q", s.Attachments, s.Preview)
				}
			},
			noNotes: true,
		},
		{
			name: "inline image of an html body is no attachment",
			raw:  "From: a@example.com\nSubject: s\nDate: Tue, 12 Mar 2024 10:00:00 +0000\nContent-Type: multipart/related; boundary=b\n\n--b\nContent-Type: text/html\n\n<img src=cid:x>hi\n--b\nContent-Type: image/png\nContent-ID: <x>\n\nPNG\n--b--\n",
			check: func(t *testing.T, s Summary) {
				if s.Attachments {
					t.Errorf("Attachments = true for an inline image")
				}
			},
			noNotes: true,
		},
		{
			name: "raw 8-bit header read with the body charset",
			raw:  "From: a@example.com\nSubject: " + msgEnc(t, japanese.EUCJP, "ご案内") + "\nDate: Tue, 12 Mar 2024 10:00:00 +0000\nContent-Type: text/plain; charset=euc-jp\n\nbody\n",
			check: func(t *testing.T, s Summary) {
				if s.Subject != "ご案内" || !msgHasNote(s.Notes, `read as "euc-jp"`) {
					t.Errorf("Subject = %q, notes %q", s.Subject, s.Notes)
				}
			},
		},
		{
			name: "mbox From line is skipped",
			raw:  "From alice@example.com Tue Mar 12 10:00:00 2024\nFrom: alice@example.com\nSubject: s\nDate: Tue, 12 Mar 2024 10:00:00 +0000\n\nbody\n",
			check: func(t *testing.T, s Summary) {
				if s.From.Address != "alice@example.com" || s.Subject != "s" {
					t.Errorf("From = %#v, Subject = %q", s.From, s.Subject)
				}
			},
			noNotes: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize(msgCRLF(tt.raw), msgFetched)
			tt.check(t, s)
			if tt.noNotes && len(s.Notes) > 0 {
				t.Errorf("unexpected notes %q", s.Notes)
			}
		})
	}
}

func TestParseBody(t *testing.T) {
	jisBody := msgEnc(t, japanese.ISO2022JP, "山田様\nいつもお世話になっております。\n会議は十時からです。")
	tests := []struct {
		name     string
		raw      string
		want     string
		wantNote string // "" means no notes
	}{
		{
			name: "iso-2022-jp 7bit",
			raw:  "Subject: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=\nContent-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n" + jisBody + "\n",
			want: "山田様\nいつもお世話になっております。\n会議は十時からです。",
		},
		{
			name: "iso-2022-jp base64",
			raw:  "Content-Type: text/plain; charset=\"iso-2022-jp\"\nContent-Transfer-Encoding: base64\n\n" + msgB64(jisBody) + "\n",
			want: "山田様\nいつもお世話になっております。\n会議は十時からです。",
		},
		{
			name: "iso-2022-jp without any MIME header",
			raw:  "Subject: old\n\n" + jisBody + "\n",
			want: "山田様\nいつもお世話になっております。\n会議は十時からです。",
		},
		{
			name: "shift_jis quoted-printable",
			raw:  "Content-Type: text/plain; charset=Shift_JIS\nContent-Transfer-Encoding: quoted-printable\n\n" + msgQP(msgEnc(t, japanese.ShiftJIS, "表示テスト（機種依存文字①）")) + "\n",
			want: "表示テスト（機種依存文字①）",
		},
		{
			name: "euc-jp 8bit",
			raw:  "Content-Type: text/plain; charset=EUC-JP\nContent-Transfer-Encoding: 8bit\n\n" + msgEnc(t, japanese.EUCJP, "半角ｶﾀｶﾅと全角カタカナ") + "\n",
			want: "半角ｶﾀｶﾅと全角カタカナ",
		},
		{
			name: "utf-8 quoted-printable soft breaks",
			raw:  "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nCaf=C3=A9 =3D tr=\n=C3=A8s bon   \nsecond=20line\n",
			want: "Café = très bon\nsecond line",
		},
		{
			name: "latin-1 8bit",
			raw:  "Content-Type: text/plain; charset=iso-8859-1\n\nGr\xfc\xdfe\n",
			want: "Grüße",
		},
		{
			name: "windows-1252 base64",
			raw:  "Content-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: base64\n\n" + msgB64("\x93Hi\x94 \x80 5") + "\n",
			want: "“Hi” € 5",
		},
		{
			name: "us-ascii label with utf-8 text",
			raw:  "Content-Type: text/plain; charset=us-ascii\n\nnaïve\n",
			want: "naïve",
		},
		{
			name: "alternative prefers plain text",
			raw:  "Content-Type: multipart/alternative; boundary=\"b\"\n\n--b\nContent-Type: text/html\n\n<p>html</p>\n--b\nContent-Type: text/plain\n\nplain\n--b--\n",
			want: "plain",
		},
		{
			name: "alternative with empty plain text uses html",
			raw:  "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\n \n--b\nContent-Type: text/html\n\n<p>from <i>html</i></p>\n--b--\n",
			want: "from html",
		},
		{
			name: "html only",
			raw:  "Content-Type: text/html; charset=utf-8\n\n<html><head><title>T</title><style>body{}</style></head><body><p>One</p><p>Two<br>Three</p><ul><li>a</li><li>b</li></ul><p><a href=\"https://example.com/x\">link</a></p></body></html>\n",
			want: "One\n\nTwo\nThree\n\n- a\n- b\n\nlink [1]\n\n[1] https://example.com/x",
		},
		{
			name: "html charset from meta",
			raw:  "Content-Type: text/html\n\n<meta charset=\"shift_jis\"><p>" + msgEnc(t, japanese.ShiftJIS, "ようこそ") + "</p>\n",
			want: "ようこそ",
		},
		{
			name: "nested mixed alternative related",
			raw: "Content-Type: multipart/mixed; boundary=\"o\"\n\n--o\nContent-Type: multipart/alternative; boundary=\"o-a\"\n\n--o-a\nContent-Type: text/plain\n\nnested plain\n--o-a\n" +
				"Content-Type: multipart/related; boundary=\"o-a-r\"\n\n--o-a-r\nContent-Type: text/html\n\n<p>nested html</p>\n--o-a-r\nContent-Type: image/gif\n\nGIF\n--o-a-r--\n--o-a--\n--o\nContent-Type: text/plain\n\nfooter\n--o--\n",
			want: "nested plain\n\nfooter",
		},
		{
			name: "related shows its start part",
			raw:  "Content-Type: multipart/related; boundary=r; start=\"<root@x>\"\n\n--r\nContent-Type: image/png\nContent-ID: <img@x>\n\nPNG\n--r\nContent-Type: text/html\nContent-ID: <root@x>\n\n<p>root</p>\n--r--\n",
			want: "root",
		},
		{
			name: "forwarded message inline",
			raw: "Content-Type: multipart/mixed; boundary=f\n\n--f\nContent-Type: text/plain\n\nFYI\n--f\nContent-Type: message/rfc822\n\nFrom: " + msgWord(t, "ISO-2022-JP", japanese.ISO2022JP, "佐藤") + " <sato@example.jp>\nTo: a@example.com\nDate: Mon, 11 Mar 2024 09:00:00 +0900\nSubject: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=\n" +
				"Content-Type: text/plain; charset=iso-2022-jp\n\n" + msgEnc(t, japanese.ISO2022JP, "転送された本文") + "\n--f--\n",
			want: "FYI\n\n---------- Forwarded message ----------\nFrom: 佐藤 <sato@example.jp>\nDate: Mon, 11 Mar 2024 09:00:00 +0900\nSubject: テスト\nTo: a@example.com\n\n転送された本文",
		},
		{
			name: "digest parts default to messages",
			raw:  "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: first\n\none\n--d\n\nSubject: second\n\ntwo\n--d--\n",
			want: "---------- Forwarded message ----------\nSubject: first\n\none\n\n---------- Forwarded message ----------\nSubject: second\n\ntwo",
		},
		{
			name: "delivery report",
			raw:  "Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n--r\nContent-Type: text/plain\n\nDelivery failed.\n--r\nContent-Type: message/delivery-status\n\nAction: failed\nStatus: 5.1.1\n--r--\n",
			want: "Delivery failed.\n\nAction: failed\nStatus: 5.1.1",
		},
		{
			name: "format flowed",
			raw:  "Content-Type: text/plain; charset=utf-8; format=flowed\n\nA paragraph \nwrapped by the sender.\n>> quoted \n>> and wrapped\n> less quoted\n \n-- \nsig\n",
			want: "A paragraph wrapped by the sender.\n>> quoted and wrapped\n> less quoted\n\n--\nsig",
		},
		{
			name: "format flowed delsp",
			raw:  "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\n\n" + "日本語の長い \n行です。\n",
			want: "日本語の長い行です。",
		},
		{
			name:     "unknown charset, valid utf-8",
			raw:      "Content-Type: text/plain; charset=x-mystery\n\nrésumé\n",
			want:     "résumé",
			wantNote: `unknown character set "x-mystery"; it was read as UTF-8`,
		},
		{
			name:     "unknown charset, shift_jis bytes",
			raw:      "Content-Type: text/plain; charset=x-mystery\n\n" + msgEnc(t, japanese.ShiftJIS, "推測できる文字") + "\n",
			want:     "推測できる文字",
			wantNote: "it was read as Shift_JIS",
		},
		{
			name:     "shift_jis labelled iso-2022-jp",
			raw:      "Content-Type: text/plain; charset=iso-2022-jp\n\n" + msgEnc(t, japanese.ShiftJIS, "ラベル違い") + "\n",
			want:     "ラベル違い",
			wantNote: `marked as "iso-2022-jp" but is not; it was read as Shift_JIS`,
		},
		{
			name:     "latin-1 labelled utf-8",
			raw:      "Content-Type: text/plain; charset=utf-8\n\ncaf\xe9\n",
			want:     "café",
			wantNote: "marked as UTF-8 but is not; it was read as Windows-1252",
		},
		{
			name:     "utf-8 labelled latin-1",
			raw:      "Content-Type: text/plain; charset=iso-8859-1\n\nüber\n",
			want:     "über",
			wantNote: "is UTF-8; it was read as UTF-8",
		},
		{
			name:     "euc-jp without a charset",
			raw:      "Content-Type: text/plain\n\n" + msgEnc(t, japanese.EUCJP, "文字コードなし") + "\n",
			want:     "文字コードなし",
			wantNote: "no character set; it was read as EUC-JP",
		},
		{
			name:     "invalid base64",
			raw:      "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\nSGVs*bG8=\n",
			want:     "Hello",
			wantNote: "base64 data of the text/plain part is damaged",
		},
		{
			name:     "unknown transfer encoding",
			raw:      "Content-Type: text/plain\nContent-Transfer-Encoding: x-rot13\n\nuryyb\n",
			want:     "uryyb",
			wantNote: `unknown transfer encoding "x-rot13"`,
		},
		{
			name:     "unclosed boundary",
			raw:      "Content-Type: multipart/mixed; boundary=u\n\n--u\n\nfirst\n--u\n\nsecond runs on\n",
			want:     "first\n\nsecond runs on",
			wantNote: "not closed",
		},
		{
			name:     "terminal escapes and carriage returns removed",
			raw:      "Content-Type: text/plain\n\nred \x1b[31malert\x1b[0m\rnext\x00\n",
			want:     "red [31malert[0m\nnext",
			wantNote: "NUL bytes",
		},
		{
			name:     "encrypted",
			raw:      "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=e\n\n--e\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n--e\nContent-Type: application/octet-stream\n\n-----BEGIN PGP MESSAGE-----\n--e--\n",
			want:     "",
			wantNote: `encrypted ("application/pgp-encrypted")`,
		},
		{
			name: "boundary that prefixes another",
			raw:  "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/alternative; boundary=b-x\n\n--b-x\n\ninner\n--b-x--\n--b\n\nouter\n--b--\n",
			want: "inner\n\nouter",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head := "From: a@example.com\nDate: Tue, 12 Mar 2024 10:00:00 +0000\n"
			if !strings.HasPrefix(tt.raw, "Subject:") {
				head += "Subject: s\n"
			}
			raw := msgCRLF(head + tt.raw)
			m := Parse(raw, msgFetched)
			if m.Body != tt.want {
				t.Errorf("Body =\n%q\nwant\n%q", m.Body, tt.want)
			}
			if tt.wantNote == "" && len(m.Notes) > 0 {
				t.Errorf("unexpected notes %q", m.Notes)
			}
			if tt.wantNote != "" && !msgHasNote(m.Notes, tt.wantNote) {
				t.Errorf("notes %q lack %q", m.Notes, tt.wantNote)
			}
			if s := Summarize(raw, msgFetched); !reflect.DeepEqual(s, m.Summary) {
				t.Errorf("Parse(raw).Summary = %#v\nSummarize(raw) = %#v", m.Summary, s)
			}
		})
	}
}

// msgQP quoted-printable encodes s (lines kept, 8-bit bytes and "=" escaped).
func msgQP(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c == '=' {
			fmt.Fprintf(&b, "=%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func TestParseHeaders(t *testing.T) {
	raw := msgCRLF("Subject: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=\nCc: \"Doe, Dan\" <dan@example.org>\nDate: Tue, 12 Mar 2024 10:00 +0900 (JST)\nTo: Bob <bob@example.net>, carol@example.net\nFrom: =?UTF-8?B?5bGx55Sw?= <yamada@example.jp>\nX-Other: ignored\n\nbody\n")
	want := []HeaderLine{
		{"From", "山田 <yamada@example.jp>"},
		{"To", "Bob <bob@example.net>, carol@example.net"},
		{"Cc", "Doe, Dan <dan@example.org>"},
		{"Date", "Tue, 12 Mar 2024 10:00:00 +0900"},
		{"Subject", "テスト"},
	}
	if got := Parse(raw, msgFetched).Headers; !reflect.DeepEqual(got, want) {
		t.Errorf("Headers = %q, want %q", got, want)
	}
	t.Run("unreadable date shown as written", func(t *testing.T) {
		m := Parse(msgCRLF("From: a@example.com\nDate: someday\n\nx\n"), msgFetched)
		want := []HeaderLine{{"From", "a@example.com"}, {"Date", "someday"}}
		if !reflect.DeepEqual(m.Headers, want) {
			t.Errorf("Headers = %q, want %q", m.Headers, want)
		}
	})
}

func TestParseAttachments(t *testing.T) {
	png := "\x89PNG\r\n\x1a\nfake image"
	jisName := "=?ISO-2022-JP?B?" + msgB64(msgEnc(t, japanese.ISO2022JP, "写真")) + "?="
	inner := "Subject: inner\nContent-Type: multipart/mixed; boundary=i\n\n--i\n\ninner text\n--i\nContent-Type: application/pdf; name=inner.pdf\n\n%PDF\n--i--"
	tests := []struct {
		name string
		raw  string
		want []Attachment
		note string // a part of a note that must be there; "" means no notes
	}{
		{
			name: "rfc 2231 utf-8",
			raw:  "Content-Type: application/pdf\nContent-Disposition: attachment; filename*=UTF-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8.pdf\n\n%PDF",
			want: []Attachment{{1, "見積書.pdf", "application/pdf", 4, false}},
		},
		{
			name: "rfc 2231 continuations",
			raw:  "Content-Type: application/octet-stream\nContent-Disposition: attachment;\n filename*0*=UTF-8'ja'%E3%81%A8%E3%81%A6%E3%82%82;\n filename*1*=%E9%95%B7%E3%81%84;\n filename*2=\"-name.txt\"\n\nabc",
			want: []Attachment{{1, "とても長い-name.txt", "application/octet-stream", 3, false}},
		},
		{
			name: "rfc 2231 continuations out of order",
			raw:  "Content-Type: text/plain\nContent-Disposition: attachment; filename*1=\"def.txt\"; filename*0=\"abc\"\n\nx",
			want: []Attachment{{1, "abcdef.txt", "text/plain", 1, false}},
		},
		{
			name: "rfc 2231 iso-2022-jp",
			raw:  "Content-Type: image/png\nContent-Disposition: attachment; filename*=iso-2022-jp''" + msgPercent(msgEnc(t, japanese.ISO2022JP, "画像")) + ".png\nContent-Transfer-Encoding: base64\n\n" + msgB64(png) + "\n",
			want: []Attachment{{1, "画像.png", "image/png", int64(len(png)), false}},
		},
		{
			name: "extended value wins over plain",
			raw:  "Content-Type: text/plain\nContent-Disposition: attachment; filename=\"plain.txt\"; filename*=UTF-8''%C3%A9t%C3%A9.txt\n\nx",
			want: []Attachment{{1, "été.txt", "text/plain", 1, false}},
		},
		{
			name: "rfc 2047 iso-2022-jp in name",
			raw:  "Content-Type: image/png; name=\"" + jisName + ".png\"\nContent-Disposition: attachment\nContent-Transfer-Encoding: base64\n\n" + msgB64(png) + "\n",
			want: []Attachment{{1, "写真.png", "image/png", int64(len(png)), false}},
		},
		{
			name: "rfc 2047 utf-8 split over words in filename",
			raw:  "Content-Type: application/pdf\nContent-Disposition: attachment; filename=\"=?UTF-8?B?" + msgB64("請求") + "?= =?UTF-8?B?" + msgB64("書.pdf") + "?=\"\n\n%PDF",
			want: []Attachment{{1, "請求書.pdf", "application/pdf", 4, false}},
		},
		{
			name: "raw shift_jis file name",
			raw:  "Content-Type: application/pdf; name=\"" + msgEnc(t, japanese.ShiftJIS, "報告書") + ".pdf\"\nContent-Disposition: attachment\n\n%PDF",
			want: []Attachment{{1, "報告書.pdf", "application/pdf", 4, false}},
			note: "The file name has 8-bit text without a character set; it was read as Shift_JIS.",
		},
		{
			name: "windows path as the name",
			raw:  "Content-Type: application/msword\nContent-Disposition: attachment; filename=\"C:\\temp\\a.doc\"\n\nDOC",
			want: []Attachment{{1, `C:\temp\a.doc`, "application/msword", 3, false}},
		},
		{
			name: "no name",
			raw:  "Content-Type: application/zip\nContent-Transfer-Encoding: base64\n\nUEsDBA==\n",
			want: []Attachment{{1, "", "application/zip", 4, false}},
		},
		{
			name: "quoted-printable size is decoded size",
			raw:  "Content-Type: text/csv\nContent-Disposition: attachment; filename=a.csv\nContent-Transfer-Encoding: quoted-printable\n\na=3Db=",
			want: []Attachment{{1, "a.csv", "text/csv", 3, false}},
		},
		{
			name: "multipart in order",
			raw: "Content-Type: multipart/mixed; boundary=m\n\n--m\n\nbody text\n--m\nContent-Type: image/jpeg; name=one.jpg\nContent-Disposition: inline; filename=one.jpg\nContent-Transfer-Encoding: base64\n\n/9j/\n" +
				"--m\nContent-Type: text/plain; name=notes.txt\n\nnotes\n--m\nContent-Type: text/calendar; method=REQUEST\n\nBEGIN:VCALENDAR\n--m--\n",
			want: []Attachment{{1, "one.jpg", "image/jpeg", 3, true}, {2, "notes.txt", "text/plain", 5, false}, {3, "", "text/calendar", 15, false}},
		},
		{
			name: "inline image of an html body",
			raw:  "Content-Type: multipart/related; boundary=r\n\n--r\nContent-Type: text/html\n\n<img src=\"cid:p\">\n--r\nContent-Type: image/png\nContent-ID: <p>\nContent-Transfer-Encoding: base64\n\n" + msgB64(png) + "\n--r--\n",
			want: []Attachment{{1, "", "image/png", int64(len(png)), true}},
		},
		{
			name: "attached message and what it holds",
			raw: "Content-Type: multipart/mixed; boundary=o\n\n--o\n\nsee attached\n--o\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename=\"fwd.eml\"\n\n" +
				inner + "\n--o--\n",
			want: []Attachment{{1, "fwd.eml", "message/rfc822", int64(len(msgCRLF(inner))), false}, {2, "inner.pdf", "application/pdf", 4, false}},
		},
		{
			name: "incomplete media types",
			raw:  "Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: text/\n\ntext\n--m\nContent-Type: Image/\x01PNG; name=a.png\n\nPNG\n--m\nContent-Type: /\n\n?\n--m--\n",
			want: []Attachment{{1, "a.png", "image/png", 3, false}, {2, "", "application/octet-stream", 1, false}},
			note: `incomplete media type "/"`,
		},
		{
			name: "unknown disposition counts as attachment",
			raw:  "Content-Type: multipart/mixed; boundary=m\n\n--m\n\ntext\n--m\nContent-Type: text/plain\nContent-Disposition: x-special; filename=s.txt\n\ns\n--m--\n",
			want: []Attachment{{1, "s.txt", "text/plain", 1, false}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := msgCRLF("From: a@example.com\nSubject: s\nDate: Tue, 12 Mar 2024 10:00:00 +0000\n" + tt.raw)
			m := Parse(raw, msgFetched)
			if !reflect.DeepEqual(m.Attachments, tt.want) {
				t.Errorf("Attachments =\n%+v\nwant\n%+v", m.Attachments, tt.want)
			}
			if (tt.note == "" && len(m.Notes) > 0) || (tt.note != "" && !msgHasNote(m.Notes, tt.note)) {
				t.Errorf("notes %q, want %q", m.Notes, tt.note)
			}
			for _, a := range tt.want {
				got, data, err := AttachmentData(raw, a.Index)
				if err != nil || got != a || int64(len(data)) != a.Size {
					t.Errorf("AttachmentData(%d) = %+v, %d bytes, %v; want %+v", a.Index, got, len(data), err, a)
				}
			}
		})
	}
}

// msgPercent percent-encodes every byte, as RFC 2231 values are written.
func msgPercent(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

func TestAttachmentData(t *testing.T) {
	payload := bytes.Repeat([]byte{0, 1, 2, 0xfe, 0xff}, 100)
	raw := msgCRLF("From: a@example.com\nSubject: s\nDate: Tue, 12 Mar 2024 10:00:00 +0000\nContent-Type: multipart/mixed; boundary=m\n\n--m\n\ntext\n--m\n" +
		"Content-Type: application/octet-stream; name=\"data.bin\"\nContent-Transfer-Encoding: base64\n\n" + msgB64Lines(payload) + "--m\n" +
		"Content-Type: text/plain; name=\"crlf.txt\"\nContent-Disposition: attachment\n\nline one\nline two\n--m\n" +
		"Content-Type: application/octet-stream; name=\"bad.bin\"\nContent-Transfer-Encoding: base64\n\nAAEC!!AwQF\n--m--\n")
	t.Run("binary", func(t *testing.T) {
		a, data, err := AttachmentData(raw, 1)
		if err != nil || !bytes.Equal(data, payload) || a.Filename != "data.bin" || a.Size != int64(len(payload)) {
			t.Errorf("AttachmentData(1) = %+v, %d bytes, %v", a, len(data), err)
		}
	})
	t.Run("text keeps its bytes", func(t *testing.T) {
		_, data, err := AttachmentData(raw, 2)
		if err != nil || string(data) != "line one\r\nline two" {
			t.Errorf("AttachmentData(2) = %q, %v", data, err)
		}
	})
	t.Run("damaged base64 decodes what it can", func(t *testing.T) {
		_, data, err := AttachmentData(raw, 3)
		if err != nil || !bytes.Equal(data, []byte{0, 1, 2, 3, 4, 5}) {
			t.Errorf("AttachmentData(3) = %v, %v", data, err)
		}
		if m := Parse(raw, msgFetched); !msgHasNote(m.Notes, `the attachment "bad.bin" is damaged`) {
			t.Errorf("notes %q lack the damaged attachment", m.Notes)
		}
	})
	for _, n := range []int{0, 4, -1} {
		t.Run(fmt.Sprintf("no attachment %d", n), func(t *testing.T) {
			if _, _, err := AttachmentData(raw, n); !errors.Is(err, ErrNoAttachment) {
				t.Errorf("AttachmentData(%d) error = %v, want ErrNoAttachment", n, err)
			}
		})
	}
}

func msgB64Lines(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + "\n")
		s = s[76:]
	}
	return out.String() + s + "\n"
}

func TestAttachmentSafeFilename(t *testing.T) {
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"plain", "report.pdf", 1, "report.pdf"},
		{"japanese kept", "見積書（最終版）.xlsx", 1, "見積書（最終版）.xlsx"},
		{"unix path", "../../etc/passwd", 2, "passwd"},
		{"windows path", `C:\Users\me\file.txt`, 1, "file.txt"},
		{"dot dot only", "..", 3, "attachment-3"},
		{"empty", "", 4, "attachment-4"},
		{"spaces only", "   ", 5, "attachment-5"},
		{"leading dots", ".hidden", 1, "hidden"},
		{"double dots inside", "a..b...txt", 1, "a.b.txt"},
		{"control characters", "a\x00b\x1b[1mc\n.txt", 1, "ab[1mc .txt"},
		{"tab becomes space", "a\tb.txt", 1, "a b.txt"},
		{"bidi override", "invoice\u202egpj.exe", 1, "invoicegpj.exe"},
		{"windows reserved characters", `a<b>c:d"e|f?g*h.txt`, 1, "a_b_c_d_e_f_g_h.txt"},
		{"windows device name", "con.txt", 1, "_con.txt"},
		{"trailing dot and space", "name. ", 1, "name"},
		{"invalid utf-8", "a\xffb.txt", 1, "ab.txt"},
		{"long name keeps extension", strings.Repeat("あ", 100) + ".pdf", 1, strings.Repeat("あ", 78) + ".pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SafeFilename(tt.in, tt.n); got != tt.want {
				t.Errorf("SafeFilename(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
		})
	}
}

// TestMessageFiles reads every sample under testdata/messages: each must
// give a Summary, and Parse must agree with Summarize. Valid samples must
// give no notes, malformed ones at least one (and the expected one).
func TestMessageFiles(t *testing.T) {
	wantNotes := map[string]string{
		"bad-base64.eml":             "base64 data",
		"bad-charset.eml":            "unknown character set",
		"bad-date.eml":               "Date header",
		"deep-nesting.eml":           "nested more than 20 levels",
		"folded-many-times.eml":      "Subject header is",
		"garbage.eml":                "no From header",
		"lf-only.eml":                "LF line ends",
		"long-line.eml":              "line of 70000 bytes",
		"long-subject.eml":           "line of 2009 bytes",
		"many-parts.eml":             "more than 1000 parts",
		"missing-headers.eml":        "no Subject header",
		"no-boundary.eml":            "no boundary",
		"no-separator.eml":           "no blank line",
		"nul-bytes.eml":              "NUL bytes",
		"raw-shift_jis-header.eml":   "read as Shift_JIS",
		"unclosed-boundary.eml":      "not closed",
		"iso-2022-jp.eml":            "",
		"iso-2022-jp-attachment.eml": "",

		// A broken tail or one unknown set spoils only what it holds.
		"base64-damaged-tail.eml":        "end of the text could not be read",
		"iso-2022-jp-unknown-escape.eml": `could not be read as "ISO-2022-JP"`,
	}
	for _, kind := range []string{"valid", "malformed"} {
		files, err := filepath.Glob(filepath.Join("testdata", "messages", kind, "*"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no samples in testdata/messages/%s: %v", kind, err)
		}
		for _, file := range files {
			name := filepath.Base(file)
			t.Run(kind+"/"+name, func(t *testing.T) {
				raw, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				s := Summarize(raw, msgFetched)
				m := Parse(raw, msgFetched)
				if s.Size != int64(len(raw)) || (s.Subject == "" && s.From == Address{} && s.Preview == "" && len(s.Notes) == 0) {
					t.Errorf("empty summary: %#v", s)
				}
				if !reflect.DeepEqual(s, m.Summary) {
					t.Errorf("Parse(raw).Summary = %#v\nSummarize(raw) = %#v", m.Summary, s)
				}
				switch kind {
				case "valid":
					if len(m.Notes) > 0 || s.DateMissing || s.Subject == "" || s.From.Address == "" || m.Body == "" {
						t.Errorf("valid sample: notes %q, DateMissing %v, Subject %q, From %#v, Body %q", m.Notes, s.DateMissing, s.Subject, s.From, m.Body)
					}
				case "malformed":
					if len(m.Notes) == 0 || len(s.Notes) == 0 {
						t.Errorf("malformed sample gave no notes (Summary %q, Message %q)", s.Notes, m.Notes)
					}
					if want, ok := wantNotes[name]; ok && !msgHasNote(m.Notes, want) {
						t.Errorf("notes %q lack %q", m.Notes, want)
					}
				}
			})
		}
	}
}

// TestMessageSamples pins the decoded text of the samples that matter most.
func TestMessageSamples(t *testing.T) {
	tests := []struct {
		file    string
		subject string
		from    Address
		body    string
		atts    []Attachment
	}{
		{"valid/iso-2022-jp.eml", "テスト", Address{"山田太郎", "taro@example.jp"}, "鈴木さん\nこんにちは。テストのメールです。\nよろしくお願いします。", nil},
		{"valid/shift_jis-base64.eml", "会議の件", Address{"佐藤", "sato@example.jp"}, "田中様\n明日の会議は十時からです。\n佐藤", nil},
		{"valid/euc-jp-qp.eml", "お知らせ", Address{"", "info@example.jp"}, "メンテナンスのお知らせです。", nil},
		{"valid/utf8-qp.eml", "Réunion de mardi", Address{"Renée Dupont", "renee@example.fr"}, "La réunion de mardi est déplacée à 10 h. Ceci est une ligne très longue coupée par un saut doux.", nil},
		{"valid/latin1.eml", "„Grüße“ aus Köln", Address{"Jörg Müller", "joerg@example.de"}, "Schöne Grüße aus Köln!", nil},
		{"valid/iso-2022-jp-attachment.eml", "資料送付のお願い", Address{"山田", "yamada@example.jp"}, "資料を添付します。", []Attachment{{1, "資料.pdf", "application/pdf", 30, false}}},
		{"valid/attachments.eml", "Files", Address{"Alice", "alice@example.com"}, "Three files attached.", []Attachment{
			{1, "report.pdf", "application/pdf", 30, false},
			{2, "見積書.xlsx", "application/octet-stream", 10, false},
			{3, "写真.png", "image/png", 21, false},
		}},
		{"valid/docomo-shift_jis-emoji.eml", "お誕生日おめでとう❤", Address{"花子", "hanako@docomo.ne.jp"}, "今日は☀です。\n①ケーキ、②プレゼント\nｶﾝﾊﾟｲ!❤", nil},
		{"valid/au-iso-2022-jp-emoji.eml", "晴れ☀と紅葉🍂", Address{"太郎", "taro@ezweb.ne.jp"}, "今日は晴れ☀です。\n紅葉がきれい🍂\n①㈱ｶﾀｶﾅ", nil},
		{"valid/softbank-shift_jis-emoji.eml", "トラ年🐯", Address{"", "jiro@i.softbank.jp"}, "晴れ☀、ほっとした😥", nil},
		{"valid/utf-7.eml", "Frösche", Address{"Outlook User", "user@example.com"}, "Hi Mom -☺-!\nGrüße aus Köln, 1 + 1 = 2.", nil},
		{"malformed/base64-damaged-tail.eml", "Cut short", Address{"", "a@example.fi"}, "Hyvää yötä!\nKiitos kaikesta, \uFFFD", nil},
		{"valid/related-inline-image.eml", "Newsletter with a picture", Address{"Alice", "alice@example.com"}, "Look at this:\n\nOur logo\n\nBye", []Attachment{{1, "logo.png", "image/png", 21, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "messages", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			m := Parse(raw, msgFetched)
			if m.Summary.Subject != tt.subject || m.Summary.From != tt.from || m.Body != tt.body || !reflect.DeepEqual(m.Attachments, tt.atts) {
				t.Errorf("got subject %q, from %#v, body %q, attachments %+v\nwant subject %q, from %#v, body %q, attachments %+v",
					m.Summary.Subject, m.Summary.From, m.Body, m.Attachments, tt.subject, tt.from, tt.body, tt.atts)
			}
		})
	}
}

// TestSummarizeLargeAttachment checks that Summarize leaves a large
// attachment alone: the preview comes from the text, and a damaged tail
// in the attachment (which only a full decode would see) is not noted.
func TestSummarizeLargeAttachment(t *testing.T) {
	raw := msgLarge(2 << 20)
	raw = append(raw[:len(raw)-20], []byte("!!!!\r\n--big--\r\n")...)
	s := Summarize(raw, msgFetched)
	if s.Preview != "Please find the archive attached." || !s.Attachments || len(s.Notes) > 0 {
		t.Errorf("Preview %q, Attachments %v, Notes %q", s.Preview, s.Attachments, s.Notes)
	}
	if m := Parse(raw, msgFetched); !msgHasNote(m.Notes, "damaged") {
		t.Errorf("Parse notes %q lack the damaged attachment", m.Notes)
	}
}

// msgTypical is an ~8 KiB message as a mailing list or a colleague sends
// it: a long header, an ISO-2022-JP subject, plain and HTML alternatives.
func msgTypical(t testing.TB) []byte {
	var b strings.Builder
	for i := 0; i < 8; i++ {
		fmt.Fprintf(&b, "Received: from relay%d.example.net (relay%d.example.net [192.0.2.%d])\n\tby mx.example.com with ESMTPS id %08x\n\tfor <bob@example.com>; Tue, 12 Mar 2024 10:00:%02d +0000\n", i, i, i, i*7919, i)
	}
	b.WriteString("DKIM-Signature: v=1; a=rsa-sha256; d=example.jp; s=sel; h=from:to:subject:date;\n\tb=" + strings.Repeat("AbCdEfGhIj", 34) + "\n")
	b.WriteString("From: " + msgWord(t, "ISO-2022-JP", japanese.ISO2022JP, "山田太郎") + " <taro@example.jp>\n")
	b.WriteString("To: Bob <bob@example.com>, \"Doe, Dan\" <dan@example.org>\nCc: team@example.com\n")
	b.WriteString("Subject: " + msgWord(t, "ISO-2022-JP", japanese.ISO2022JP, "来週の打ち合わせについて") + "\n")
	b.WriteString("Date: Tue, 12 Mar 2024 19:00:00 +0900 (JST)\nMessage-ID: <20240312190000.abc@example.jp>\nMIME-Version: 1.0\n")
	b.WriteString("Content-Type: multipart/alternative; boundary=\"----=_Part_1\"\n\n------=_Part_1\nContent-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n")
	text := strings.Repeat("お世話になっております。来週の打ち合わせの件でご連絡しました。\n", 14)
	b.WriteString(msgEnc(t, japanese.ISO2022JP, text))
	b.WriteString("\n------=_Part_1\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n<html><body>")
	b.WriteString(msgQP(strings.ReplaceAll(text, "\n", "<br>=\n")))
	b.WriteString("</body></html>\n------=_Part_1--\n")
	return msgCRLF(b.String())
}

// msgLarge is a message of about size bytes, nearly all of it one base64
// attachment.
func msgLarge(size int) []byte {
	payload := make([]byte, size*3/4)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	head := "From: a@example.com\nTo: b@example.com\nSubject: Archive\nDate: Tue, 12 Mar 2024 10:00:00 +0000\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=big\n\n" +
		"--big\nContent-Type: text/plain; charset=utf-8\n\nPlease find the archive attached.\n--big\nContent-Type: application/zip; name=\"archive.zip\"\nContent-Disposition: attachment; filename=\"archive.zip\"\nContent-Transfer-Encoding: base64\n\n"
	return msgCRLF(head + msgB64Lines(payload) + "--big--\n")
}

func BenchmarkSummarizeTypical(b *testing.B) {
	raw := msgTypical(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		Summarize(raw, msgFetched)
	}
}

func BenchmarkSummarizeLarge(b *testing.B) {
	raw := msgLarge(10 << 20)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		Summarize(raw, msgFetched)
	}
}

func BenchmarkParseTypical(b *testing.B) {
	raw := msgTypical(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		Parse(raw, msgFetched)
	}
}

func BenchmarkParseLarge(b *testing.B) {
	raw := msgLarge(10 << 20)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		Parse(raw, msgFetched)
	}
}

func TestMessageTypicalSize(t *testing.T) {
	raw := msgTypical(t)
	if len(raw) < 7<<10 || len(raw) > 9<<10 {
		t.Errorf("typical message is %d bytes, want about 8 KiB", len(raw))
	}
	s := Summarize(raw, msgFetched)
	if s.Subject != "来週の打ち合わせについて" || s.From.Name != "山田太郎" || !strings.HasPrefix(s.Preview, "お世話になっております。") || len(s.Notes) > 0 {
		t.Errorf("Summary = %#v", s)
	}
}

// msgPlain is an ordinary text message of about size bytes, the shape the
// fetch benchmarks deliver: a short header and UTF-8 text lines.
func msgPlain(size int) []byte {
	var b strings.Builder
	b.WriteString("From: Sender 7 <s7@example.test>\nTo: alice@example.test\nSubject: [7] message number 7\n" +
		"Date: Mon, 08 Jan 2024 09:07:00 +0000\nMessage-ID: <7.bench@example.test>\nMIME-Version: 1.0\n" +
		"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n")
	words := []string{"mail", "server", "fetch", "the", "popbox", "message", "line", "of", "text", "quarterly", "report"}
	for n := 0; b.Len() < size; n++ {
		for w := 0; w < 3+(n*7)%12; w++ {
			b.WriteString(words[(n+w)%len(words)])
			b.WriteByte(' ')
		}
		b.WriteByte('\n')
	}
	return msgCRLF(b.String())
}

// msgHTML is an HTML-only newsletter of about size bytes: a style sheet,
// nested tables, links, images and entities, quoted-printable.
func msgHTML(size int) []byte {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>News</title><style>")
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, ".c%d{color:#%06x;padding:%dpx}\n", i, i*4099, i%9)
	}
	b.WriteString("</style></head><body><table width=\"100%\"><tr><td>")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "<table class=\"c%d\"><tr><td><h2>Story %d &ndash; caf&eacute; news</h2>"+
			"<p>Readers&nbsp;wrote &ldquo;more&rdquo; about item %d &amp; its price of &euro;%d.</p>"+
			"<p><a href=\"https://news.example/story/%d?utm_source=mail&amp;utm_medium=html\">Read more</a>"+
			"<img src=\"https://news.example/p/%d.png\" alt=\"\"></p></td></tr></table>\n", i%40, i, i, i*3, i, i)
	}
	b.WriteString("</td></tr></table></body></html>\n")
	return msgCRLF("From: News <news@example.com>\nTo: bob@example.com\nSubject: Weekly news\n" +
		"Date: Mon, 08 Jan 2024 09:07:00 +0000\nMIME-Version: 1.0\n" +
		"Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n" + msgQPLines(b.String()))
}

// msgQPLines quoted-printable encodes s with soft line breaks.
func msgQPLines(s string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\n' {
			b.WriteByte('\n')
			n = 0
			continue
		}
		if n >= 72 {
			b.WriteString("=\n")
			n = 0
		}
		if c >= 0x80 || c == '=' {
			fmt.Fprintf(&b, "=%02X", c)
			n += 3
		} else {
			b.WriteByte(c)
			n++
		}
	}
	return b.String()
}

func BenchmarkSummarizePlain4K(b *testing.B) {
	raw := msgPlain(4 << 10)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		Summarize(raw, msgFetched)
	}
}

func BenchmarkSummarizeHTML(b *testing.B) {
	raw := msgHTML(40 << 10)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		Summarize(raw, msgFetched)
	}
}

func BenchmarkParseHTML(b *testing.B) {
	raw := msgHTML(40 << 10)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		Parse(raw, msgFetched)
	}
}

// TestMessageBenchShapes checks that the benchmark messages read cleanly.
func TestMessageBenchShapes(t *testing.T) {
	if s := Summarize(msgPlain(4<<10), msgFetched); len(s.Notes) > 0 || !strings.HasPrefix(s.Preview, "mail server fetch") {
		t.Errorf("plain: %#v", s)
	}
	m := Parse(msgHTML(40<<10), msgFetched)
	if len(m.Notes) > 0 || !strings.HasPrefix(m.Summary.Preview, "Story 0 – café news Readers wrote “more”") || !strings.Contains(m.Body, "[1] https://news.example/story/0?utm_source=mail&utm_medium=html") {
		t.Errorf("html: notes %q, preview %q, body %.300q", m.Notes, m.Summary.Preview, m.Body)
	}
}
