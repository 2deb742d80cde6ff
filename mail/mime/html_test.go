package mime

import (
	"math/rand"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestHTMLToText(t *testing.T) {
	tests := []struct {
		name string
		html string
		want string
	}{
		{"paragraphs", "<p>One</p><p>Two</p>", "One\n\nTwo"},
		{"line breaks", "a<br>b<br/>c<BR >d", "a\nb\nc\nd"},
		{"blank line from two breaks", "a<br><br><br><br>b", "a\n\nb"},
		{"white space collapsed", "  Hello \n\t  world  ", "Hello world"},
		{"divs", "<div>a</div><div>b</div>", "a\nb"},
		{"empty elements leave no blank lines", "<div></div><p></p><div><p></p></div>x", "x"},
		{"headings", "<h1>Title</h1>Text", "Title\n\nText"},
		{"unordered list", "<ul><li>one</li><li>two</li></ul>", "- one\n- two"},
		{"ordered list", "<ol><li>one<li>two</ol>", "1. one\n2. two"},
		{"ordered list start", "<ol start=\"4\"><li>four</li><li>five</li></ol>", "4. four\n5. five"},
		{"nested lists", "<ul><li>a<ul><li>a1</li><li>a2</li></ul></li><li>b</li></ul>", "- a\n  - a1\n  - a2\n- b"},
		{"list item without list", "<li>stray</li>", "- stray"},
		{"links listed at the end", "See <a href=\"https://a.example/x\">this</a> and <a href='https://b.example'>that</a>.", "See this [1] and that [2].\n\n[1] https://a.example/x\n[2] https://b.example"},
		{"same link once", "<a href=\"https://a.example\">one</a> <a href=\"https://a.example\">two</a>", "one [1] two [1]\n\n[1] https://a.example"},
		{"link that is its own text", "<a href=\"https://a.example/\">https://a.example</a>", "https://a.example"},
		{"mailto link with address text", "<a href=\"mailto:bob@example.com\">bob@example.com</a>", "bob@example.com"},
		{"useless links skipped", "<a href=\"#top\">top</a> <a href=\"javascript:void(0)\">js</a> <a>none</a>", "top js none"},
		{"entity in href", "<a href=\"https://a.example/?a=1&amp;b=2\">q</a>", "q [1]\n\n[1] https://a.example/?a=1&b=2"},
		{"script style title removed", "<html><head><title>T</title><style>p{color:red}</style><script>var a = '<p>';</script></head><body>Body</body></html>", "Body"},
		{"script with odd case", "<SCRIPT type=x>alert('</p>')</ScRiPt >after", "after"},
		{"comments removed", "a<!-- hidden <p>x</p> -->b<!---->c", "abc"},
		{"doctype and processing", "<!DOCTYPE html><?xml version=\"1.0\"?>x", "x"},
		{"named entities", "&lt;tag&gt; &amp; &quot;q&quot; &copy; caf&eacute; &hellip;", "<tag> & \"q\" © café …"},
		{"numeric entities", "&#65;&#x42;&#X43; &#233; &#x1F600;", "ABC é 😀"},
		{"windows-1252 numeric entities", "&#147;quoted&#148; &#128;", "“quoted” €"},
		{"legacy entity without semicolon", "fish &amp chips&nbspnow", "fish & chips now"},
		{"unknown entity kept", "&bogus; & &; &#;", "&bogus; & &; &#;"},
		{"invalid code points", "&#0;&#xD800;&#x110000;", "\uFFFD\uFFFD\uFFFD"},
		{"nbsp kept as space", "a&nbsp;&nbsp;b", "a  b"},
		{"nbsp spacer paragraphs", "<p>a</p><p>&nbsp;</p><p class=x><span>&nbsp;</span></p><p>b</p>", "a\n\nb"},
		{"pre keeps layout", "<p>x</p><pre>  a  b\n    c\n</pre><p>y</p>", "x\n\n  a  b\n    c\n\ny"},
		{"blockquote", "<p>Reply</p><blockquote><p>Quoted line</p><p>Second</p></blockquote>End", "Reply\n\n> Quoted line\n>\n> Second\n\nEnd"},
		{"nested blockquote", "<blockquote>a<blockquote>b</blockquote></blockquote>", "> a\n>\n> > b"},
		{"table cells", "<table><tr><td>Name</td><td>Value</td></tr><tr><td>a</td><td>1</td></tr></table>", "Name Value\na 1"},
		{"image alt", "Logo: <img src=x.png alt=\"ACME\"> done <img src=y.png>", "Logo: ACME done"},
		{"japanese", "<p>こんにちは</p><p>世界</p>", "こんにちは\n\n世界"},
		{"gt inside attribute", "<a href=\"https://a.example/?x=>\">go</a>", "go [1]\n\n[1] https://a.example/?x=>"},
		{"stray less-than", "1 < 2 and 3 <4", "1 < 2 and 3 <4"},
		{"unclosed tag at end", "text <b", "text"},
		{"unclosed comment", "text <!-- never closed", "text"},
		{"unclosed script", "text<script>var x", "text"},
		{"unclosed attribute quote", "a <a href=\"x>b", "a"},
		{"end tag without start", "a</div></ul></a></blockquote>b", "a\nb"},
		{"control characters dropped", "a\x1b[31mb&#27;c", "a[31mbc"},
		{"self-closing and odd attributes", "<br/><img/alt=x><p =bad a b=c>text</p>", "x\n\ntext"},
		{"empty", "", ""},
		// The character references, comments and end tags below follow
		// HTML5 as browsers read it (golang.org/x/net/html); the old
		// tokenizer knew 150 references and read these cases otherwise.
		{"every named reference", "&hArr; &cent; &Oacute; &check; &NotEqual;", "⇔ ¢ Ó ✓ ≠"},
		{"legacy references without semicolon", "x&eacute y&cent &acute", "xé y¢ ´"},
		{"references in attributes kept before = and letters", "<a href=\"https://a.example/?a=1&copy=2&reg=3&amp;b=4\">q</a>", "q [1]\n\n[1] https://a.example/?a=1&copy=2&reg=3&b=4"},
		{"end tag without a name is a comment", "a</ b>c</>d</4>e", "acde"},
		{"empty comments", "a<!-->b<!--->c", "abc"},
		{"carriage return in pre", "<pre>a\rb\r\nc</pre>", "a\nb\nc"},
		{"tag name up to white space", "<template<>shown</template>", "shown"},
		{"self-closing script", "a<script/>var x = 1;</script>b", "ab"},
		{"repeated attributes: the first counts", "<ol start=3 start=7><li>c</ol><a href=\"https://one.example\" href=\"https://two.example\">x</a>", "3. c\n\nx [1]\n\n[1] https://one.example"},
		{"noscript and textarea read as markup", "<noscript><p>a</p></noscript><textarea><b>b</b> c</textarea>", "a\n\nb c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := htmlToText(tt.html, true, 0); got != tt.want {
				t.Errorf("htmlToText(%q) =\n%q\nwant\n%q", tt.html, got, tt.want)
			}
		})
	}
}

func TestHTMLToTextWithoutLinks(t *testing.T) {
	got := htmlToText("<p>See <a href=\"https://a.example\">this</a></p>", false, 0)
	if got != "See this" {
		t.Errorf("htmlToText without links = %q", got)
	}
}

// TestHTMLToTextBounded checks that deep nesting and many breaks give text
// proportional to the input.
func TestHTMLToTextBounded(t *testing.T) {
	inputs := []string{
		strings.Repeat("<blockquote>", 500) + strings.Repeat("<br>x", 500),
		strings.Repeat("<ul><li>", 500) + "x",
		strings.Repeat("<a href=\"https://example.com/long/path\">", 300) + strings.Repeat("</a>", 300),
		strings.Repeat("<p>", 10000),
	}
	for i, in := range inputs {
		if out := htmlToText(in, true, 0); len(out) > 16*len(in) {
			t.Errorf("input %d: %d bytes of text for %d bytes of HTML", i, len(out), len(in))
		}
	}
}

// TestHTMLToTextLimit checks that stopping at a limit, as previews do,
// gives the start of the full text, so a preview reads what the reader
// shows.
func TestHTMLToTextLimit(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	pieces := []string{"<p>", "</p>", "<br>", "<div>", "<blockquote>", "</blockquote>", "<ul><li>", "<ol start=3><li>", "</li>", "</ul>", "<pre>", "</pre>",
		"<a href=\"https://a.example/\">", "</a>", "<script>x</script>", "<style>p{}</style>", "<!-- c -->", "&nbsp;", "&amp;", "café ", "会議 ",
		"word ", "longer words here ", "\n", "  ", "<td>", "<tr>", "<img alt=\"logo\">", "&#8212;"}
	for i := 0; i < 500; i++ {
		var b strings.Builder
		for n := r.Intn(600); n > 0; n-- {
			b.WriteString(pieces[r.Intn(len(pieces))])
		}
		full := htmlToText(b.String(), false, 0)
		for _, limit := range []int{1, 100, previewEnough} {
			cut := htmlToText(b.String(), false, limit)
			if !strings.HasPrefix(full, cut) {
				t.Fatalf("limit %d: %q is not the start of %q", limit, cut, full)
			}
		}
		if p, q := makePreview(cleanText(htmlToText(b.String(), false, previewEnough))), makePreview(cleanText(full)); p != q {
			t.Fatalf("preview %q, from the full text %q", p, q)
		}
	}
}

// TestTagName checks tagName against the tokenizer's own TagName.
func TestTagName(t *testing.T) {
	src := "<p><BR/><a\thref=x></A ><o:p></o:p><Template<><x\x00y><" + strings.Repeat("h", 20) + "></ b></p/><img/alt=x><DIV\nclass=c>"
	z := html.NewTokenizer(strings.NewReader(src))
	var buf [16]byte
	n := 0
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		if tt != html.StartTagToken && tt != html.EndTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		got := string(tagName(z.Raw(), &buf))
		want, _ := z.TagName()
		if w := strings.ReplaceAll(string(want), "\uFFFD", "\x00"); got != w && !(got == "" && len(w) > len(buf)) {
			t.Errorf("tagName(%q) = %q, TagName = %q", z.Raw(), got, want)
		}
		n++
	}
	if n != 12 {
		t.Errorf("%d tags", n)
	}
}
