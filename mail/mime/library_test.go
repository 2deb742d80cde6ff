package mime

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	stdmime "mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset"
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/japanese"
)

// The tests in this file say why package mime keeps its own code for a job
// where go-message or the standard library has a function for it. Each
// case shows what the library does with a message from the wild and what
// popbox does instead. When a library changes so that a case no longer
// holds, the test fails: then the own code may be able to go.
//
// Where the libraries are used: html.go reads markup with
// golang.org/x/net/html, params.go reads well-formed parameters with
// mime.ParseMediaType, address.go reads well-formed address lists with
// net/mail, encodings.go decodes well-formed base64 with encoding/base64,
// charset.go decodes with golang.org/x/text (japanese.go around it).

// TestLibraryHeader: go-message's textproto.ReadHeader refuses a header as
// soon as a line is not a field, and with it the whole message; popbox
// reads the fields it can, notes the damage and shows the rest as text.
func TestLibraryHeader(t *testing.T) {
	tests := []struct {
		name, raw string
		check     func(s Summary) bool
	}{
		{"mbox From line", "From alice@example.com Tue Mar 12 10:00:00 2024\r\nFrom: alice@example.com\r\nSubject: s\r\n\r\nbody\r\n",
			func(s Summary) bool { return s.From.Address == "alice@example.com" && s.Subject == "s" }},
		{"no blank line after the header", "From: a@example.com\r\nSubject: s\r\nthe body starts here\r\n",
			func(s Summary) bool { return s.Subject == "s" && s.Preview == "the body starts here" }},
		{"a line that is no field", "From: a@example.com\r\n<garbage>\r\nSubject: s\r\n\r\nbody\r\n",
			func(s Summary) bool { return s.From.Address == "a@example.com" && s.Preview != "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := textproto.ReadHeader(bufio.NewReader(strings.NewReader(tt.raw))); err == nil {
				t.Errorf("textproto.ReadHeader read it")
			}
			if s := Summarize([]byte(tt.raw), msgFetched); !tt.check(s) {
				t.Errorf("Summarize = %#v", s)
			}
		})
	}
}

// TestLibraryTree: go-message's Entity.Walk stops at the first part whose
// header it cannot read, losing the parts after it, and walks any depth.
// popbox's tree (tree.go) reads on and stops at maxMIMEDepth.
func TestLibraryTree(t *testing.T) {
	raw := "Content-Type: multipart/mixed; boundary=u\r\n\r\n--u\r\nbroken header line\r\n\r\nfirst\r\n--u\r\n\r\nsecond\r\n--u--\r\n"
	e, err := message.Read(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Walk(func([]int, *message.Entity, error) error { return nil }); err == nil {
		t.Errorf("Walk read the broken part")
	}
	if m := Parse([]byte("From: a@example.com\r\nSubject: s\r\n"+raw), msgFetched); !strings.Contains(m.Body, "second") {
		t.Errorf("Body = %q", m.Body)
	}

	var b strings.Builder
	const n = 40
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("\r\ndeep\r\n")
	for i := n - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	e, _ = message.Read(strings.NewReader(b.String()))
	depth := 0
	e.Walk(func(path []int, _ *message.Entity, _ error) error { depth = max(depth, len(path)); return nil })
	if depth != n {
		t.Errorf("Walk went %d levels deep", depth)
	}
	if m := Parse([]byte(b.String()), msgFetched); !msgHasNote(m.Notes, "nested more than 20 levels") {
		t.Errorf("notes %q", m.Notes)
	}
}

// TestLibraryEncodedWords: go-message decodes header text (Header.Text,
// the same for address names and file names) with the standard
// mime.WordDecoder and go-message's charset table. It reads ISO-8859-1
// itself as Latin-1 (curly quotes from Windows become control characters,
// UTF-8 mislabelled as ISO-8859-1 becomes mojibake), refuses a charset
// with an RFC 2231 language or one the table lacks (and leaves the whole
// field encoded), decodes each word alone (a character split across two
// words is lost), and leaves a word undecoded for 8-bit bytes or missing
// base64 padding. popbox's decodeWords does what mail readers do.
func TestLibraryEncodedWords(t *testing.T) {
	sjis, _ := japanese.ShiftJIS.NewEncoder().Bytes([]byte("日本"))
	split := "=?shift_jis?B?" + base64.StdEncoding.EncodeToString(sjis[:1]) + "?= =?shift_jis?B?" + base64.StdEncoding.EncodeToString(sjis[1:]) + "?="
	tests := []struct {
		name, in, library, popbox string
	}{
		{"windows-1252 quotes labelled iso-8859-1", "=?iso-8859-1?q?=93quoted=94?=", "\u0093quoted\u0094", "“quoted”"},
		{"utf-8 labelled iso-8859-1", "=?iso-8859-1?q?J=C3=B6rg?=", "JÃ¶rg", "Jörg"},
		{"language", "=?UTF-8*ja?B?6KiA6Kqe?=", "=?UTF-8*ja?B?6KiA6Kqe?=", "言語"},
		{"cp932", "=?cp932?B?gUA=?=", "=?cp932?B?gUA=?=", "\u3000"},
		{"unknown charset", "=?x-unknown?Q?caf=C3=A9?=", "=?x-unknown?Q?caf=C3=A9?=", "café"},
		{"8-bit byte in a Q word", "=?utf-8?q?caf\xc3\xa9_au_lait?=", "=?utf-8?q?caf\xc3\xa9_au_lait?=", "café au lait"},
		{"base64 without padding", "=?utf-8?b?w6k?=", "=?utf-8?b?w6k?=", "é"},
		{"character split across words", split, "\uFFFD坙{", "日本"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h message.Header
			h.Set("Subject", tt.in)
			got, _ := h.Text("Subject")
			if got != tt.library {
				t.Errorf("go-message Header.Text = %q, the test expects %q", got, tt.library)
			}
			var notes noteList
			if got := decodeWords(tt.in, "the Subject header", noCarrier, &notes); got != tt.popbox {
				t.Errorf("decodeWords = %q, want %q", got, tt.popbox)
			}
		})
	}
}

// TestLibraryAddress: net/mail (which go-message's mail.ParseAddressList
// wraps) refuses address lists mail carries, and decodes the encoded words
// of names as TestLibraryEncodedWords shows, not inside quotes; popbox's
// own reader takes those (address.go).
func TestLibraryAddress(t *testing.T) {
	tests := []struct {
		name, in string
		library  string // what go-message gives: names and addresses, or the error
		popbox   []Address
	}{
		{"unquoted comma in the name", "Doe, John <john@example.com>", "error", []Address{{"Doe, John", "john@example.com"}}},
		{"name only", "Mailer Daemon", "error", []Address{{"Mailer Daemon", ""}}},
		{"source route", "<@relay.example:user@example.com>", "error", []Address{{"", "user@example.com"}}},
		{"address as name", "john@example.com <john@example.com>", "error", []Address{{"", "john@example.com"}}},
		{"space in the address", "John <john @ example.com>", "error", []Address{{"John", "john@example.com"}}},
		{"encoded word in quotes", `"=?UTF-8?B?6Yi05pyo?=" <suzuki@example.jp>`, "=?UTF-8?B?6Yi05pyo?= <suzuki@example.jp>", []Address{{"鈴木", "suzuki@example.jp"}}},
		{"windows-1252 name labelled iso-8859-1", "=?iso-8859-1?q?=93Al=94?= <al@example.com>", "\u0093Al\u0094 <al@example.com>", []Address{{"“Al”", "al@example.com"}}},
		{"cp932 name", msgWord(t, "cp932", japanese.ShiftJIS, "津本") + " <t@example.jp>", "error", []Address{{"津本", "t@example.jp"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := gomail.ParseAddressList(tt.in)
			got := "error"
			if err == nil {
				var parts []string
				for _, a := range list {
					parts = append(parts, a.Name+" <"+a.Address+">")
				}
				got = strings.Join(parts, ", ")
			}
			if got != tt.library {
				t.Errorf("go-message ParseAddressList = %s, the test expects %s", got, tt.library)
			}
			raw := msgCRLF("From: x@example.com\nTo: " + tt.in + "\nSubject: s\nDate: Tue, 12 Mar 2024 10:00:00 +0000\n\nbody\n")
			if s := Summarize(raw, msgFetched); fmt.Sprint(s.To) != fmt.Sprint(tt.popbox) {
				t.Errorf("To = %#v, want %#v", s.To, tt.popbox)
			}
		})
	}
}

// TestLibraryDate: net/mail's ParseDate (go-message's Header.Date) reads a
// named zone by the abbreviations of the machine's own zone, so "JST" is
// +0000 anywhere but in Japan; it reads two-digit years 50 to 68 as
// 2050-2068 where RFC 5322 section 4.3 says 1950-1968; and it refuses the
// obsolete and broken forms date.go reads.
func TestLibraryDate(t *testing.T) {
	jstOffset := 0 // what time.Parse gives JST: the local zone's, if it has one
	for _, m := range []time.Month{time.January, time.July} {
		if name, off := time.Date(2024, m, 1, 0, 0, 0, 0, time.Local).Zone(); name == "JST" {
			jstOffset = off
		}
	}
	tests := []struct {
		in      string
		library string // time in RFC 3339, or "error"
		popbox  string
	}{
		{"Tue, 12 Mar 2024 10:00:00 JST", time.Date(2024, 3, 12, 10, 0, 0, 0, time.FixedZone("", jstOffset)).Format(time.RFC3339), "2024-03-12T10:00:00+09:00"},
		{"Sat, 12 Mar 55 10:00:00 +0000", "2055-03-12T10:00:00Z", "1955-03-12T10:00:00Z"},
		{"Tue, 12 Mar 2024 10:00:00 (JST)", "error", "2024-03-12T10:00:00+09:00"},
		{"Tue, 12 Mar 2024 10:00:00", "error", "2024-03-12T10:00:00Z"},
		{"tue, 12 mar 2024 10:00:00 gmt", "error", "2024-03-12T10:00:00Z"},
		{"Sat, 31 Dec 2016 23:59:60 +0000", "error", "2016-12-31T23:59:59Z"},
		{"2024-03-12T10:00:00+09:00", "error", "2024-03-12T10:00:00+09:00"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var h gomail.Header
			h.Set("Date", tt.in)
			got := "error"
			if d, err := h.Date(); err == nil {
				got = d.Format(time.RFC3339)
			}
			if got != tt.library {
				t.Errorf("go-message Header.Date = %s, the test expects %s", got, tt.library)
			}
			if d, ok := parseMailDate(tt.in); !ok || d.Format(time.RFC3339) != tt.popbox {
				t.Errorf("parseMailDate = %v, %v; want %s", d, ok, tt.popbox)
			}
		})
	}
}

// TestLibraryParams: mime.ParseMediaType (go-message's ContentType,
// ContentDisposition and AttachmentHeader.Filename) refuses a whole value
// for one flaw, and drops an RFC 2231 file name in any character set but
// UTF-8 and US-ASCII without a word. params.go gives it the well-formed
// values and reads the rest itself.
func TestLibraryParams(t *testing.T) {
	tests := []struct {
		name, in  string
		key, want string // what popbox reads
	}{
		{"rfc 2231 in iso-2022-jp", "attachment; filename*=iso-2022-jp''%1B%24B%3C%4C%3F%3F%1B%28B.png", "filename", "写真.png"},
		{"repeated parameter", "attachment; filename=\"x.txt\"; filename=\"y.txt\"", "filename", "x.txt"},
		{"unquoted boundary", "multipart/alternative; boundary=----=_Part_1", "boundary", "----=_Part_1"},
		{"unquoted space", "attachment; filename=my file.pdf", "filename", "my file.pdf"},
		{"no type", "filename=a.pdf", "filename", "a.pdf"},
		{"double semicolon", "text/plain;; charset=utf-8", "charset", "utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h gomail.AttachmentHeader
			h.Set("Content-Disposition", tt.in)
			_, ps, err := h.ContentDisposition()
			if err == nil && ps[tt.key] == tt.want {
				t.Errorf("go-message read %s = %q", tt.key, ps[tt.key])
			}
			if name, _ := h.Filename(); tt.key == "filename" && name == tt.want {
				t.Errorf("go-message Filename = %q", name)
			}
			var notes noteList
			if _, ps := parseMediaValue(tt.in, &notes); ps.get(tt.key) != tt.want {
				t.Errorf("parseMediaValue: %s = %q, want %q", tt.key, ps.get(tt.key), tt.want)
			}
		})
	}
}

// TestLibraryCharset: go-message's charset table looks a label up in the
// IANA MIME names first, so ISO-8859-1 is Latin-1 and the Windows-1252
// characters mail labelled so carries (curly quotes, the euro) become
// control characters; it lacks cp932, the label Windows gives Shift_JIS;
// and it reads text labelled US-ASCII with 8-bit bytes as replacement
// characters. charset.go looks labels up as browsers do (WHATWG) first,
// knows the Japanese labels mail uses, and reads what a label gets wrong.
func TestLibraryCharset(t *testing.T) {
	sjis, _ := japanese.ShiftJIS.NewEncoder().Bytes([]byte("日本語"))
	tests := []struct {
		label   string
		in      []byte
		library string // "error" when go-message knows no such charset
		popbox  string
	}{
		{"iso-8859-1", []byte("\x93Hi\x94 \x80"), "\u0093Hi\u0094 \u0080", "“Hi” €"},
		{"cp932", sjis, "error", "日本語"},
		{"us-ascii", []byte("na\xc3\xafve"), "na\uFFFD\uFFFDve", "naïve"},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			got := "error"
			if r, err := charset.Reader(tt.label, bytes.NewReader(tt.in)); err == nil {
				b, _ := io.ReadAll(r)
				got = string(b)
			}
			if got != tt.library {
				t.Errorf("go-message charset.Reader = %q, the test expects %q", got, tt.library)
			}
			var notes noteList
			if got := convertCharset(tt.in, tt.label, textSource{what: "the text"}, &notes); got != tt.popbox {
				t.Errorf("convertCharset = %q, want %q", got, tt.popbox)
			}
		})
	}
}

// TestLibraryJapanese: golang.org/x/text reads Shift_JIS and ISO-2022-JP
// as the WHATWG Encoding Standard does, which leaves out what Japanese
// mobile mail carries: a carrier's emoji becomes U+FFFD, and ISO-2022-JP's
// shift-out katakana and KDDI's emoji rows are not read. It knows no
// UTF-7 (ianaindex names it but gives no decoder). japanese.go and
// utf7.go read those and hand the standard characters to x/text.
func TestLibraryJapanese(t *testing.T) {
	tests := []struct {
		name    string
		library func() string
		in      []byte
		label   string
		popbox  string
	}{
		{"docomo emoji in shift_jis", func() string {
			b, _ := japanese.ShiftJIS.NewDecoder().Bytes([]byte("\x82\xa0\xf8\x9f"))
			return string(b)
		}, []byte("\x82\xa0\xf8\x9f"), "shift_jis", "あ☀"},
		{"shift-out katakana and an au emoji in iso-2022-jp", func() string {
			b, _ := japanese.ISO2022JP.NewDecoder().Bytes([]byte("\x0e\x36\x40\x0f\x1b$B\x75\x41\x1b(B"))
			return string(b)
		}, []byte("\x0e\x36\x40\x0f\x1b$B\x75\x41\x1b(B"), "iso-2022-jp", "ｶﾀ☀"},
		{"utf-7", func() string {
			if e, err := ianaindex.MIME.Encoding("utf-7"); e != nil || err != nil {
				return "a decoder"
			}
			return "none"
		}, []byte("Fr+APY-sche"), "utf-7", "Frösche"},
	}
	want := []string{"\u3042\uFFFD", "\x0e6@\x0f\uFFFD", "none"}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.library(); got != want[i] {
				t.Errorf("x/text gives %q, the test expects %q", got, want[i])
			}
			var notes noteList
			if got := convertCharset(tt.in, tt.label, textSource{what: "the text"}, &notes); got != tt.popbox || len(notes.items) > 0 {
				t.Errorf("convertCharset = %q (notes %q), want %q", got, notes.items, tt.popbox)
			}
		})
	}
}

// TestLibraryTransferEncodings: mime/quotedprintable (go-message's
// decoder) stops at the first control byte in a body and loses the rest;
// encoding/base64 stops at the first byte outside the alphabet.
// encodings.go uses encoding/base64 first and decodes what it refuses
// leniently, and decodes quoted-printable itself (also for speed: see
// BenchmarkLibrary).
func TestLibraryTransferEncodings(t *testing.T) {
	qp := "caf=C3=A9 \x1b[1m bold =E2=82=AC\r\n"
	got, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(qp)))
	if err == nil || string(got) != "café " {
		t.Errorf("quotedprintable = %q, %v", got, err)
	}
	if got := decodeQP([]byte(qp)); string(got) != "café \x1b[1m bold €\r\n" {
		t.Errorf("decodeQP = %q", got)
	}
	b64 := "SGVs*bG8="
	if _, err := base64.StdEncoding.DecodeString(b64); err == nil {
		t.Errorf("encoding/base64 read %q", b64)
	}
	if got, damaged := decodeBase64([]byte(b64), false); string(got) != "Hello" || !damaged {
		t.Errorf("decodeBase64 = %q, %v", got, damaged)
	}
}

// BenchmarkLibrary compares the cost of the library functions popbox
// does not use on the hot path of a fetch with the own code that does the
// job, on the fields of an ordinary message (msgPlain).
func BenchmarkLibrary(b *testing.B) {
	raw := msgPlain(4 << 10)
	head := raw[:bytes.Index(raw, []byte("\r\n\r\n"))+4]
	b.Run("header/go-message", func(b *testing.B) {
		br := bufio.NewReader(nil)
		for b.Loop() {
			br.Reset(bytes.NewReader(head))
			h, _ := textproto.ReadHeader(br)
			for _, k := range []string{"From", "To", "Subject", "Date", "Message-Id", "Content-Type", "Content-Transfer-Encoding"} {
				h.Get(k)
			}
		}
	})
	b.Run("header/own", func(b *testing.B) {
		var notes noteList
		for b.Loop() {
			h, _ := parseMIMEHeader(head, &notes, true)
			for _, k := range []string{"From", "To", "Subject", "Date", "Message-ID", "Content-Type", "Content-Transfer-Encoding"} {
				if v, ok := h.value(k); ok {
					_ = string(v)
				}
			}
		}
	})
	const date = "Mon, 08 Jan 2024 09:07:00 +0000"
	b.Run("date/net-mail", func(b *testing.B) {
		for b.Loop() {
			netmail.ParseDate(date)
		}
	})
	b.Run("date/own", func(b *testing.B) {
		for b.Loop() {
			parseMailDate(date)
		}
	})
	qp := bytes.Repeat([]byte("La r=C3=A9union de mardi est d=C3=A9plac=C3=A9e =C3=A0 10 h. Ceci est une ligne tr=C3=A8s longue coup=\r\n=C3=A9e.\r\n"), 32)
	b.Run("quoted-printable/std", func(b *testing.B) {
		b.SetBytes(int64(len(qp)))
		var out bytes.Buffer
		for b.Loop() {
			out.Reset()
			io.Copy(&out, quotedprintable.NewReader(bytes.NewReader(qp)))
		}
	})
	b.Run("quoted-printable/own", func(b *testing.B) {
		b.SetBytes(int64(len(qp)))
		for b.Loop() {
			decodeQP(qp)
		}
	})
	const ct = "text/plain; charset=utf-8"
	b.Run("media-type/std", func(b *testing.B) {
		for b.Loop() {
			stdmime.ParseMediaType(ct)
		}
	})
	b.Run("media-type/own", func(b *testing.B) {
		var notes noteList
		for b.Loop() {
			parseOwnMediaValue(ct, &notes)
		}
	})
}
