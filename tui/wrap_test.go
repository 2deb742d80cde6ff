package tui

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"popbox/store"
)

// wrapCorpus is a mail body as Japanese users write them: paragraphs of
// Japanese without spaces, English, quoted lines, a URL, an indented block.
var wrapCorpus = []string{
	"お世話になっております。山田です。",
	"先日の打ち合わせ（11月30日）の件で、ご連絡しました。「プロジェクト計画書」を添付いたしますので、ちょっとだけ確認していただけますでしょうか？急ぎではありません！",
	"",
	"Please find the updated proposal attached. The server logs are at https://logs.example.com/projects/popbox/2024/11/30/build-1234.txt if you need them.",
	"> 10時～12時の会議は【重要】です。Gmail ・ Outlook ・ Thunderbird で読めます。",
	"> On Fri, Nov 29, 2024 at 10:00 AM Hanako Sato <hanako@example.com> wrote:",
	"    インデントされた行：キャッシュ、ジャッジ、ウィッシュリスト。",
	"『吾輩は猫である』は、夏目漱石の小説です。“こんにちは”と彼は言った。",
	"",
}

// mixedBody repeats wrapCorpus to about n bytes.
func mixedBody(n int) string {
	var b strings.Builder
	for b.Len() < n {
		for _, p := range wrapCorpus {
			b.WriteString(p)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func TestWrapLines(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		width int
		want  []string
	}{
		{"words", "the quick brown fox", 9, []string{"the quick", "brown fox"}},
		{"exact fit", "the quick brown fox", 19, []string{"the quick brown fox"}},
		{"spaces at a break go", "one   two", 4, []string{"one", "two"}},
		{"spaces inside a line stay", "a  b", 10, []string{"a  b"}},
		{"trailing spaces go", "end   ", 10, []string{"end"}},
		{"indentation stays", "  indented line", 20, []string{"  indented line"}},
		{"indentation on the first line only", "    one two three", 10, []string{"    one", "two three"}},
		{"indentation without room goes", "      abcde", 8, []string{"abcde"}},
		{"quoted line", "> quoted text here", 10, []string{"> quoted", "text here"}},
		{"long word is cut", "abcdefghijkl", 5, []string{"abcde", "fghij", "kl"}},
		{"long word starts a line", "see abcdefghijkl", 8, []string{"see", "abcdefgh", "ijkl"}},
		{"long url starts a line unless a slash fits", "logs at https://example.com/abcdefghij", 12, []string{"logs at", "https://", "example.com/", "abcdefghij"}},
		{"url breaks after slashes", "see https://example.com/a/very/long/path now", 12, []string{"see https://", "example.com/", "a/very/long/", "path now"}},
		{"command that fits stays whole", "Run popbox --db /tmp/x/popbox.db repair now", 20, []string{"Run popbox --db", "/tmp/x/popbox.db", "repair now"}},
		{"long url is cut after a slash", "see https://example.com/abcdefghij/klm", 14, []string{"see https://", "example.com/", "abcdefghij/klm"}},
		{"long hyphenated word is cut after the hyphen", "a well-known fact", 7, []string{"a well-", "known", "fact"}},
		{"newlines are kept", "para one\n\npara two", 20, []string{"para one", "", "para two"}},
		{"trailing newline", "a\n", 5, []string{"a", ""}},
		{"only a newline", "\n", 5, []string{"", ""}},
		{"crlf", "one\r\ntwo", 10, []string{"one", "two"}},
		{"line of spaces", "a\n   \nb", 5, []string{"a", "", "b"}},
		{"empty", "", 5, []string{""}},
		{"japanese breaks between characters", "日本語の文章です", 6, []string{"日本語", "の文章", "です"}},
		{"comma stays with its word", "これは、テストです。", 8, []string{"これは、", "テストで", "す。"}},
		{"full stop takes a character along", "あいう。えお", 6, []string{"あい", "う。え", "お"}},
		{"closing bracket takes a character along", "あいう」えお", 6, []string{"あい", "う」え", "お"}},
		{"opening bracket goes to the next line", "あいう「えお」", 8, []string{"あいう", "「えお」"}},
		{"small tsu", "あいうっえ", 6, []string{"あい", "うっえ"}},
		{"small ya and yu", "ちょっとキャッシュ", 10, []string{"ちょっと", "キャッシュ"}},
		{"long vowel mark", "サーバー", 4, []string{"サー", "バー"}},
		{"question and exclamation marks", "本当ですか？はい！", 8, []string{"本当です", "か？は", "い！"}},
		{"wave dash", "10時～12時", 4, []string{"10", "時～", "12時"}},
		{"middle dot after a space", "aaaa bbbb ・ cc", 10, []string{"aaaa", "bbbb ・ cc"}},
		{"closing bracket in a cut word", "abcdefgh」ij", 8, []string{"abcdefg", "h」ij"}},
		{"mixed", "mixed 日本語 text", 8, []string{"mixed 日", "本語", "text"}},
		{"mixed without spaces", "popboxはPOP3のメールクライアントです。", 12, []string{"popboxはPOP3", "のメールクラ", "イアントで", "す。"}},
		{"width 1", "ab c", 1, []string{"a", "b", "c"}},
		{"width 1 wide characters", "日本", 1, []string{"日", "本"}},
		{"width 2 full stop", "あ。い", 2, []string{"あ", "。", "い"}},
		{"width 0 leaves the text", "a b\nc", 0, []string{"a b", "c"}},
		{"negative width", "a b", -1, []string{"a b"}},
		// The wizard's cases, from when it had a wrapper of its own.
		{"wizard words", "one two three", 7, []string{"one two", "three"}},
		{"wizard long word is cut", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"wizard japanese", "受信サーバーを入力", 8, []string{"受信サー", "バーを入", "力"}},
		{"wizard mixed", "Gmail のサーバー設定", 10, []string{"Gmail の", "サーバー設", "定"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := wrapLines(tc.in, tc.width)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("wrapLines(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
			}
			checkWrapped(t, tc.in, tc.width, got)
		})
	}
}

// gyoto and gyomatsu are what a wrapped line must not start and end with.
const (
	gyoto    = "、。，．・：；！？）」』】〕〉》ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々ゝゞヽヾ…～〜"
	gyomatsu = "「『（【〔〈《“"
)

// TestWrapKinsoku wraps Japanese mail text at every width from 8 (the
// widest unit that cannot be broken) to 60: no line but a paragraph's
// first starts with closing punctuation, none but its last ends with an
// opening bracket.
func TestWrapKinsoku(t *testing.T) {
	for _, para := range wrapCorpus {
		for width := 8; width <= 60; width++ {
			lines := wrapLines(para, width)
			for i, ln := range lines {
				if ln == "" {
					continue
				}
				first, _ := utf8.DecodeRuneInString(ln)
				last, _ := utf8.DecodeLastRuneInString(ln)
				if i > 0 && strings.ContainsRune(gyoto, first) {
					t.Errorf("width %d: line %d %q starts with %q\n%q", width, i, ln, first, lines)
				}
				if i < len(lines)-1 && strings.ContainsRune(gyomatsu, last) {
					t.Errorf("width %d: line %d %q ends with %q\n%q", width, i, ln, last, lines)
				}
			}
			checkWrapped(t, para, width, lines)
		}
	}
}

// TestWrapWidths wraps the corpus, and text whose characters are of odd
// widths, at every width from 1 to 60 and checks what checkWrapped checks.
func TestWrapWidths(t *testing.T) {
	for _, s := range []string{
		mixedBody(1),
		"Café ☕ résumé naïve e\u0301 👍🏽 👨\u200d👩\u200d👧 🇯🇵🇺🇸 ｶﾀｶﾅｰﾄﾞ 한국어 텍스트 ＦＵＬＬ　ＷＩＤＴＨ",
		"ーーーーーーーーーーーー「」「」「」「」。。。。。。",
		strings.Repeat("x", 100) + " " + strings.Repeat("日本", 50),
	} {
		for width := 1; width <= 60; width++ {
			checkWrapped(t, s, width, wrapLines(s, width))
		}
	}
}

// checkWrapped checks lines, s wrapped to width: no line is wider than
// width (but a single character wider than the line), none ends in a space,
// and only spaces were dropped.
func checkWrapped(t *testing.T, s string, width int, lines []string) {
	t.Helper()
	if width < 1 {
		return
	}
	for i, ln := range lines {
		if w := ansi.StringWidth(ln); w > width {
			if c, _ := ansi.FirstGraphemeCluster(ln, ansi.GraphemeWidth); c != ln {
				t.Errorf("width %d: line %d %q is %d cells", width, i, ln, w)
			}
		}
		if strings.HasSuffix(ln, " ") {
			t.Errorf("width %d: line %d %q ends in a space", width, i, ln)
		}
	}
	squeeze := func(s string) string { return strings.NewReplacer(" ", "", "\r", "", "\n", "").Replace(s) }
	if got, want := squeeze(strings.Join(lines, "")), squeeze(s); got != want {
		t.Errorf("width %d: the text changed:\n got %q\nwant %q", width, got, want)
	}
	if want := strings.Count(s, "\n") + 1; len(lines) < want {
		t.Errorf("width %d: %d lines for %d paragraphs", width, len(lines), want)
	}
}

func BenchmarkWrap(b *testing.B) {
	body := mixedBody(10 << 10)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		wrapLines(body, 80)
	}
}

// BenchmarkReaderOpen is the reader showing a 1 MB body: open wraps it
// for the window, resize for a new width.
func BenchmarkReaderOpen(b *testing.B) {
	body := mixedBody(1 << 20)
	msg := store.Message{ID: "m1", AccountID: "1"}
	open := func() readerModel {
		m, _ := newReader(testDeps(langEN), newMemStore(), msg, 1, "")
		m = m.setSize(80, 24)
		m, _ = m.update(readerLoadedMsg{id: "m1", seq: 1, body: body})
		return m
	}
	b.Run("open", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			open()
		}
	})
	b.Run("resize", func(b *testing.B) {
		m := open()
		b.SetBytes(int64(len(body)))
		w := 80
		for b.Loop() {
			w = 200 - w // 80, 120, 80, ...: clear the cache so each one wraps
			clear(m.wrapped)
			m = m.setSize(w, 24)
		}
	})
}
