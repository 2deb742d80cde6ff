package mime

import (
	"strings"
	"testing"
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := htmlToText(tt.html, true); got != tt.want {
				t.Errorf("htmlToText(%q) =\n%q\nwant\n%q", tt.html, got, tt.want)
			}
		})
	}
}

func TestHTMLToTextWithoutLinks(t *testing.T) {
	got := htmlToText("<p>See <a href=\"https://a.example\">this</a></p>", false)
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
		if out := htmlToText(in, true); len(out) > 16*len(in) {
			t.Errorf("input %d: %d bytes of text for %d bytes of HTML", i, len(out), len(in))
		}
	}
}
