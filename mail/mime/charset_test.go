package mime

import (
	"encoding/base64"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"
)

// The carriers' codes used below, with the Unicode EmojiSources.txt gives
// them (KDDI's JIS codes are its mail codes, from KDDI's published table):
//
//	docomo   F89F sun ☀ U+2600; F991 heart ❤ U+2764; F98B keycap 5
//	KDDI     F660 sun ☀, JIS 7541; F340 fallen leaf 🍂 U+1F342, JIS 7921;
//	         F748 "MobileQ", JIS 7729, no Unicode equivalent
//	SoftBank F98B sun ☀; F991 tiger 🐯 U+1F42F; F962 heart ❤;
//	         FB41 disappointed but relieved face 😥 U+1F625

// msgJIS gives the JIS X 0208 bytes of s, without the escapes around them.
func msgJIS(t testing.TB, s string) string {
	t.Helper()
	e := msgEnc(t, japanese.ISO2022JP, s)
	return strings.TrimSuffix(strings.TrimPrefix(e, "\x1b$B"), "\x1b(B")
}

// msgWordBytes builds an RFC 2047 B encoded word of raw bytes.
func msgWordBytes(label, b string) string {
	return "=?" + label + "?B?" + base64.StdEncoding.EncodeToString([]byte(b)) + "?="
}

// msgFrom builds a small message from the address from.
func msgFrom(from, rest string) []byte {
	return msgCRLF("From: " + from + "\nTo: b@example.com\nDate: Tue, 12 Mar 2024 10:00:00 +0900\n" + rest)
}

func TestCarrierEmojiSubject(t *testing.T) {
	sjis := func(s string) string { return msgEnc(t, japanese.ShiftJIS, s) }
	tests := []struct {
		name, from, subject string
		want                string
		wantNote            string // "" means no notes
	}{
		{"au emoji in iso-2022-jp", "a@example.com",
			msgWordBytes("ISO-2022-JP", "\x1b$B"+msgJIS(t, "今日は晴れ")+"\x75\x41"+msgJIS(t, "です")+"\x1b(B"), "今日は晴れ☀です", ""},
		{"au emoji in the rows of IBM kanji, from au", "taro@ezweb.ne.jp",
			msgWordBytes("ISO-2022-JP", "\x1b$B"+msgJIS(t, "紅葉")+"\x79\x21\x1b(B"), "紅葉🍂", ""},
		{"those rows are IBM kanji from anyone else", "taro@example.jp",
			msgWordBytes("ISO-2022-JP", "\x1b$B"+msgJIS(t, "紅葉")+"\x79\x21\x1b(B"), "紅葉纊", ""},
		{"au emoji Unicode lacks", "taro@ezweb.ne.jp",
			msgWordBytes("ISO-2022-JP", "\x1b$B"+msgJIS(t, "質問")+"\x77\x29"+msgJIS(t, "です")+"\x1b(B"), "質問\uFFFDです", "no match"},
		{"raw iso-2022-jp with an au emoji", "a@example.com",
			"\x1b$B" + msgJIS(t, "件名") + "\x75\x41\x1b(B", "件名☀", ""},
		{"docomo emoji in shift_jis", "hanako@docomo.ne.jp",
			msgWordBytes("Shift_JIS", sjis("ありがとう")+"\xf9\x91"), "ありがとう❤", ""},
		{"the same code from softbank", "hanako@i.softbank.jp",
			msgWordBytes("Shift_JIS", sjis("ありがとう")+"\xf9\x91"), "ありがとう🐯", ""},
		{"a docomo-only code tells", "a@example.com",
			msgWordBytes("Shift_JIS", "\xf8\x9f"+sjis("と")+"\xf9\x91"), "☀と❤", ""},
		{"a softbank-only code tells", "a@example.com",
			msgWordBytes("Shift_JIS", "\xf9\x62"+sjis("と")+"\xf9\x91"), "❤と🐯", ""},
		{"a shared code alone is guessed", "a@example.com",
			msgWordBytes("Shift_JIS", sjis("ありがとう")+"\xf9\x91"), "ありがとう❤", "read as docomo's"},
		{"raw shift_jis from docomo", "hanako@docomo.ne.jp",
			sjis("晴れ") + "\xf8\x9f", "晴れ☀", "read as Shift_JIS"},
		{"nec row 13 in iso-2022-jp", "a@example.com",
			msgWordBytes("ISO-2022-JP", "\x1b$B\x2d\x21\x2d\x6a\x1b(B"), "①㈱", ""},
		{"half-width katakana by shift-out", "a@example.com",
			msgWordBytes("ISO-2022-JP", "\x1b$B"+msgJIS(t, "全角")+"\x1b(B\x0e\x36\x40\x36\x45\x0f"), "全角ｶﾀｶﾅ", ""},
		{"unknown escape in iso-2022-jp", "a@example.com",
			msgWordBytes("ISO-2022-JP", "\x1b$B"+msgJIS(t, "日本")+"\x1b$A\x30\x21\x1b(B!"), "日本\uFFFD!", `could not be read as "ISO-2022-JP"`},
		{"utf-7", "a@example.com", "=?utf-7?Q?Fr+APY-sche?=", "Frösche", ""},
		{"utf-7 by its other label", "a@example.com", "=?UNICODE-1-1-UTF-7?Q?Hi_Mom_-+Jjo--!?=", "Hi Mom -☺-!", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize(msgFrom(tt.from, "Subject: "+tt.subject+"\n\nbody\n"), msgFetched)
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

func TestCarrierEmojiBody(t *testing.T) {
	sjis := func(s string) string { return msgEnc(t, japanese.ShiftJIS, s) }
	tests := []struct {
		name, from, head, body string
		want                   string
		wantNote               string // "" means no notes
	}{
		{"docomo emoji in shift_jis", "hanako@docomo.ne.jp", "Content-Type: text/plain; charset=Shift_JIS\nContent-Transfer-Encoding: 8bit",
			sjis("今日は") + "\xf8\x9f" + sjis("です") + "\xf9\x91", "今日は☀です❤", ""},
		{"docomo emoji after text that reads as windows-1252", "hanako@docomo.ne.jp", "Content-Type: text/plain; charset=Shift_JIS",
			sjis("テストです") + "\xf8\x9f", "テストです☀", ""},
		{"docomo emoji, sender unknown", "a@example.com", "Content-Type: text/plain; charset=shift_jis",
			sjis("今日は") + "\xf8\x9f" + sjis("です") + "\xf9\x91", "今日は☀です❤", ""},
		{"softbank emoji in shift_jis", "jiro@i.softbank.jp", "Content-Type: text/plain; charset=Shift_JIS\nContent-Transfer-Encoding: base64",
			msgB64(sjis("晴れ") + "\xf9\x8b" + sjis("、ほっとした") + "\xfb\x41"), "晴れ☀、ほっとした😥", ""},
		{"an fb code from anyone else is an IBM kanji", "a@example.com", "Content-Type: text/plain; charset=Shift_JIS",
			sjis("晴れ") + "\xfb\x41", "晴れ涬", ""},
		{"emoji Unicode lacks", "hanako@docomo.ne.jp", "Content-Type: text/plain; charset=Shift_JIS",
			sjis("文字") + "\xf9\xb1" + sjis("です"), "文字\uFFFDです", "no match"},
		{"nec, ibm and half-width katakana with an emoji", "hanako@docomo.ne.jp", "Content-Type: text/plain; charset=windows-31j",
			"\x87\x40\x87\x8a\xfa\x40\xb6\xc0\xb6\xc5\xf8\x9f", "①㈱ⅰｶﾀｶﾅ☀", ""},
		{"unlabelled shift_jis with an emoji", "hanako@docomo.ne.jp", "Content-Type: text/plain",
			sjis("ラベルなし") + "\xf8\x9f", "ラベルなし☀", "it was read as Shift_JIS"},
		{"au emoji in iso-2022-jp", "taro@ezweb.ne.jp", "Content-Type: text/plain; charset=ISO-2022-JP",
			"\x1b$B" + msgJIS(t, "お元気ですか") + "\x75\x41\x79\x21\x1b(B", "お元気ですか☀🍂", ""},
		{"au emoji in iso-2022-jp without a charset", "a@example.com", "",
			"\x1b$B" + msgJIS(t, "お元気ですか") + "\x75\x41\x1b(B", "お元気ですか☀", ""},
		{"docomo emoji bytes inside iso-2022-jp", "hanako@docomo.ne.jp", "Content-Type: text/plain; charset=ISO-2022-JP",
			"\x1b$B" + msgJIS(t, "晴れ") + "\x1b(B\xf8\x9f", "晴れ☀", ""},
		{"nec row 13 and half-width katakana in iso-2022-jp", "a@example.com", "Content-Type: text/plain; charset=iso-2022-jp",
			"\x1b$B\x2d\x21\x2d\x6a\x1b(I\x36\x40\x1b(B and \x0e\x36\x45\x0f", "①㈱ｶﾀ and ｶﾅ", ""},
		{"shift_jis with one stray byte stays shift_jis", "a@example.com", "Content-Type: text/plain; charset=Shift_JIS",
			sjis("テストですテストです") + "\xa0" + sjis("テストです"), "テストですテストです\uFFFDテストです", `could not be read as "Shift_JIS"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := msgFrom(tt.from, "Subject: s\n"+tt.head+"\n\n"+tt.body+"\n")
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

func TestUTF7Body(t *testing.T) {
	text := "Hi Mom -+Jjo--!\n+ZeVnLIqe-\nA+ImIDkQ.\n1 +- 1 = 2 +2D3eAA-"
	tests := []struct {
		name, head, body string
		want             string
		wantNote         string
	}{
		{"8bit", "Content-Type: text/plain; charset=utf-7", text, "Hi Mom -☺-!\n日本語\nA≢Α.\n1 + 1 = 2 😀", ""},
		{"base64", "Content-Type: text/plain; charset=\"UTF-7\"\nContent-Transfer-Encoding: base64", msgB64(text), "Hi Mom -☺-!\n日本語\nA≢Α.\n1 + 1 = 2 😀", ""},
		{"half a character", "Content-Type: text/plain; charset=utf-7", "Fr+APY-sche +AP-!", "Frösche \uFFFD!", `could not be read as "utf-7"`},
		{"a surrogate alone", "Content-Type: text/plain; charset=utf-7", "a+2D0-b", "a\uFFFDb", `could not be read as "utf-7"`},
		{"8-bit bytes are not utf-7", "Content-Type: text/plain; charset=utf-7", "Fr\xc3\xb6sche", "Frösche", `marked as "utf-7" but is not; it was read as UTF-8`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Parse(msgFrom("a@example.com", "Subject: s\n"+tt.head+"\n\n"+tt.body+"\n"), msgFetched)
			if m.Body != tt.want {
				t.Errorf("Body =\n%q\nwant\n%q", m.Body, tt.want)
			}
			if tt.wantNote == "" && len(m.Notes) > 0 {
				t.Errorf("unexpected notes %q", m.Notes)
			}
			if tt.wantNote != "" && !msgHasNote(m.Notes, tt.wantNote) {
				t.Errorf("notes %q lack %q", m.Notes, tt.wantNote)
			}
		})
	}
}

// TestDamagedBase64Tail: base64 that ends early or in garbage loses its
// last characters, not its character set.
func TestDamagedBase64Tail(t *testing.T) {
	fi := msgB64("Hyvää yötä!\nKiitos kaikesta, äiti.") // SHl2w6TDpCB5w7Z0w6QhCktpaXRvcyBrYWlrZXN0YSwgw6RpdGku
	sjis := msgB64(msgEnc(t, japanese.ShiftJIS, "日本語のテキストです"))
	jis := msgB64("\x1b$B" + msgJIS(t, "日本語のテキスト") + "\x1b(B")
	tests := []struct {
		name, charset, body string
		want                string
		wantNote            string
	}{
		{"cut inside a character", "utf-8", fi[:len(fi)-6], "Hyvää yötä!\nKiitos kaikesta, \uFFFD", "end of the text could not be read"},
		{"cut between characters", "utf-8", fi[:len(fi)-4], "Hyvää yötä!\nKiitos kaikesta, äi", ""},
		{"garbage after the padding", "utf-8", msgB64("Hyvää yötä") + "\n////", "Hyvää yötä\uFFFD", "end of the text could not be read"},
		{"garbage characters", "utf-8", fi + "\n!!!!", "Hyvää yötä!\nKiitos kaikesta, äiti.", "base64 data of the text/plain part is damaged"},
		{"a dangling character", "utf-8", msgB64("Hyvää yötä!") + "\nQ", "Hyvää yötä!", "base64 data of the text/plain part is damaged"},
		{"dangling after a cut character", "utf-8", fi[:len(fi)-6] + "!", "Hyvää yötä!\nKiitos kaikesta, \uFFFD", "base64 data of the text/plain part is damaged"},
		{"shift_jis cut inside a character", "shift_jis", sjis[:len(sjis)-5], "日本語のテキスト\uFFFD", "end of the text could not be read"},
		{"iso-2022-jp cut inside a character", "iso-2022-jp", jis[:len(jis)-8], "日本語のテキス\uFFFD", "end of the text could not be read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := msgFrom("a@example.com", "Subject: s\nContent-Type: text/plain; charset="+tt.charset+"\nContent-Transfer-Encoding: base64\n\n"+tt.body+"\n")
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

// TestCarrierEmojiPreview: a preview cut inside an emoji or a character
// drops it quietly, as for any text.
func TestCarrierEmojiPreview(t *testing.T) {
	body := strings.Repeat(msgEnc(t, japanese.ShiftJIS, "テスト")+"\xf8\x9f", 300)
	jis := strings.Repeat("\x1b$B"+msgJIS(t, "テスト")+"\x75\x41\x1b(B", 300)
	for _, tt := range []struct{ name, head, body string }{
		{"shift_jis", "Content-Type: text/plain; charset=Shift_JIS", body},
		{"shift_jis base64", "Content-Type: text/plain; charset=Shift_JIS\nContent-Transfer-Encoding: base64", msgB64Lines([]byte(body))},
		{"iso-2022-jp", "Content-Type: text/plain; charset=ISO-2022-JP", jis},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize(msgFrom("hanako@docomo.ne.jp", "Subject: s\n"+tt.head+"\n\n"+tt.body+"\n"), msgFetched)
			// The lines are long on purpose (the whole body is one line
			// for the 8-bit ones); only that may be noted.
			if !strings.HasPrefix(s.Preview, "テスト☀テスト☀") || strings.Contains(s.Preview, "\uFFFD") || len(s.Notes) > 1 || (len(s.Notes) == 1 && !msgHasNote(s.Notes, "longer than")) {
				t.Errorf("Preview %q, Notes %q", s.Preview, s.Notes)
			}
		})
	}
}

// TestUTF7Reader: the UTF-7 decoder works as an x/text decoder too, fed a
// byte at a time.
func TestUTF7Reader(t *testing.T) {
	r := transform.NewReader(iotest.OneByteReader(strings.NewReader("Hi Mom -+Jjo--! +2D3eAA- +-")), utf7.NewDecoder())
	got, err := io.ReadAll(r)
	if err != nil || string(got) != "Hi Mom -☺-! 😀 +" {
		t.Errorf("got %q, %v", got, err)
	}
}

// msgCarrier is a message of about size bytes from a docomo phone: Shift_JIS
// text with an emoji on every line, or from an au phone: ISO-2022-JP with
// KDDI's emoji rows.
func msgCarrier(t testing.TB, size int, iso bool) []byte {
	var b strings.Builder
	for b.Len() < size {
		if iso {
			b.WriteString("\x1b$B" + msgJIS(t, "今日はいい天気ですね。紅葉がきれいです") + "\x75\x41\x79\x21\x1b(B\n")
		} else {
			b.WriteString(msgEnc(t, japanese.ShiftJIS, "今日はいい天気ですね。紅葉がきれいです") + "\xf8\x9f\xf9\x91\n")
		}
	}
	if iso {
		return msgFrom("taro@ezweb.ne.jp", "Subject: s\nContent-Type: text/plain; charset=ISO-2022-JP\n\n"+b.String())
	}
	return msgFrom("hanako@docomo.ne.jp", "Subject: s\nContent-Type: text/plain; charset=Shift_JIS\nContent-Transfer-Encoding: 8bit\n\n"+b.String())
}

func BenchmarkParseCarrier(b *testing.B) {
	for _, iso := range []bool{false, true} {
		name := "shift_jis"
		if iso {
			name = "iso-2022-jp"
		}
		b.Run(name, func(b *testing.B) {
			raw := msgCarrier(b, 8<<10, iso)
			if m := Parse(raw, msgFetched); len(m.Notes) > 0 || !strings.Contains(m.Body, "☀") {
				b.Fatalf("notes %q, body %.100q", m.Notes, m.Body)
			}
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				Parse(raw, msgFetched)
			}
		})
	}
}
