// HTML turned into plain text for reading. golang.org/x/net/html reads the
// markup (tags, attributes, comments, raw text, character references); the
// layout of the text is popbox's.

package mime

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Bounds that keep the text of hostile HTML proportional to its size.
const (
	maxHTMLIndent = 10   // list levels and quote levels that still indent
	maxLinkLength = 2048 // longer link targets are left out of the list
)

// htmlToText turns an HTML document or fragment into readable plain text:
// paragraphs and line breaks, lists as "- item" and "1. item", quotes with
// "> ", no tags, no script or style text, character references decoded.
// With links set, link targets are numbered after their text ("text [1]")
// and listed at the end. With limit > 0 it stops once it has written about
// that many bytes, which is all a preview needs. It reads the markup with
// the tokenizer of golang.org/x/net/html, which takes any input (malformed
// markup gives the best text it can, never an error) in time linear in its
// size; it does not build the document tree, which would cost more and
// change nothing in the text.
func htmlToText(src string, links bool, limit int) string {
	c := htmlConverter{links: links}
	c.run(src, limit)
	return c.finish()
}

type htmlList struct {
	ordered bool
	n       int
}

type htmlAnchor struct {
	href  string
	start int // length of the output when the anchor opened
}

type htmlConverter struct {
	w       htmlWriter
	links   bool
	hrefs   []string
	numbers map[string]int
	anchors []htmlAnchor
	lists   []htmlList
	pre     int
	// found, when set, gets every closed anchor: its target and text
	// (Links).
	found *[]Link
}

// htmlHidden reports the elements whose content is not text for the
// reader: scripts, style sheets, the title (shown elsewhere by mail
// clients, if at all), templates and embedded objects.
func htmlHidden(name []byte) bool {
	switch string(name) {
	case "script", "style", "title", "template", "xmp", "iframe", "object", "noembed", "noframes":
		return true
	}
	return false
}

func (c *htmlConverter) run(src string, limit int) {
	z := html.NewTokenizer(strings.NewReader(src))
	hidden := "" // the hidden element being skipped, up to its end tag
	var buf [16]byte
	for limit <= 0 || c.w.b.Len() < limit {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			// The end of the input; a tag cut off by it is dropped.
			return
		case html.TextToken:
			if hidden == "" {
				c.text(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			if hidden != "" {
				continue
			}
			// A self-closing tag is a start tag here, as in a browser:
			// "<br/>" is a line break, and "<script/>" starts a script.
			name := tagName(z.Raw(), &buf)
			if htmlHidden(name) {
				hidden = string(name)
				continue
			}
			switch string(name) {
			case "noscript", "textarea", "plaintext":
				// The tokenizer reads these as raw text, as a browser
				// would; what they hold is for the reader, and markup in
				// it is read as markup.
				z.NextIsNotRawText()
			}
			c.startTag(name, z)
		case html.EndTagToken:
			name := tagName(z.Raw(), &buf)
			if hidden != "" {
				if string(name) == hidden {
					hidden = ""
				}
				continue
			}
			c.endTag(name)
		}
	}
}

// tagName returns the lower-cased name of the tag whose raw bytes are
// raw, in buf: what z.TagName gives, without the copy it makes of every
// name (a third of the allocations of a newsletter). Names longer than buf
// are none the converter knows; they come back empty.
func tagName(raw []byte, buf *[16]byte) []byte {
	i := 1 // after "<"
	if i < len(raw) && raw[i] == '/' {
		i++
	}
	n := 0
	for ; i < len(raw); i++ {
		c := raw[i]
		switch c {
		case ' ', '\t', '\n', '\r', '\f', '/', '>':
			return buf[:n]
		}
		if n == len(buf) {
			return nil
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	return buf[:n]
}

// attr returns the value of attribute key of the start tag z is at, the
// first one when the tag repeats it (as browsers read it), with its
// character references decoded.
func attr(z *html.Tokenizer, key string) (string, bool) {
	for more := true; more; {
		var k, v []byte
		k, v, more = z.TagAttr()
		if string(k) == key {
			return string(v), true
		}
	}
	return "", false
}

// text writes a run of text, its character references already decoded.
func (c *htmlConverter) text(b []byte) {
	if c.pre > 0 {
		c.w.pre(b)
		return
	}
	c.w.text(b)
}

// startTag lays out what a start tag means for the text; z is at the tag.
func (c *htmlConverter) startTag(name []byte, z *html.Tokenizer) {
	w := &c.w
	switch string(name) {
	case "br":
		w.lineBreak()
	case "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "dl", "hr", "figure", "address":
		w.blockBreak(2)
	case "div", "section", "article", "header", "footer", "nav", "aside", "main", "form",
		"fieldset", "tr", "dt", "dd", "caption", "figcaption", "center", "details", "summary":
		w.blockBreak(1)
	case "td", "th":
		w.space = true
	case "blockquote":
		w.blockBreak(2)
		w.quote++
	case "pre":
		w.blockBreak(2)
		c.pre++
	case "ul", "ol":
		if len(c.lists) == 0 {
			w.blockBreak(2)
		} else {
			w.blockBreak(1)
		}
		l := htmlList{ordered: string(name) == "ol"}
		if start, ok := attr(z, "start"); ok && l.ordered {
			if n, err := strconv.Atoi(strings.TrimSpace(start)); err == nil && n > -1000000 && n < 1000000 {
				l.n = n - 1
			}
		}
		c.lists = append(c.lists, l)
	case "li":
		depth := max(len(c.lists), 1)
		marker := "- "
		if len(c.lists) > 0 && c.lists[len(c.lists)-1].ordered {
			c.lists[len(c.lists)-1].n++
			marker = strconv.Itoa(c.lists[len(c.lists)-1].n) + ". "
		}
		w.marker(marker, depth)
	case "a":
		href, _ := attr(z, "href")
		c.anchors = append(c.anchors, htmlAnchor{href: href, start: w.b.Len()})
	case "img":
		alt, _ := attr(z, "alt")
		if alt = strings.TrimSpace(alt); alt != "" {
			w.space = true
			w.text([]byte(alt))
			w.space = true
		}
	}
}

// endTag lays out what an end tag means for the text.
func (c *htmlConverter) endTag(name []byte) {
	w := &c.w
	switch string(name) {
	case "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "dl", "figure", "address":
		w.blockBreak(2)
	case "div", "section", "article", "header", "footer", "nav", "aside", "main", "form",
		"fieldset", "tr", "dt", "dd", "caption", "figcaption", "center", "details", "summary", "li":
		w.blockBreak(1)
	case "td", "th":
		w.space = true
	case "blockquote":
		if w.quote > 0 {
			w.blockBreak(2)
			w.quote--
		}
	case "pre":
		if c.pre > 0 {
			w.blockBreak(2)
			c.pre--
		}
	case "ul", "ol":
		if len(c.lists) == 0 {
			return
		}
		c.lists = c.lists[:len(c.lists)-1]
		w.indent = min(len(c.lists), maxHTMLIndent)
		if len(c.lists) == 0 {
			w.blockBreak(2)
		} else {
			w.blockBreak(1)
		}
	case "a":
		if len(c.anchors) == 0 {
			return
		}
		a := c.anchors[len(c.anchors)-1]
		c.anchors = c.anchors[:len(c.anchors)-1]
		if c.found != nil {
			c.collect(a)
		}
		c.linkRef(a)
	}
}

// linkRef numbers the target of a closed anchor after its text, unless the
// text already is the target or the target leads nowhere useful.
func (c *htmlConverter) linkRef(a htmlAnchor) {
	if !c.links {
		return
	}
	href := strings.Join(strings.Fields(SafeLine(a.href)), "")
	lower := strings.ToLower(href)
	if href == "" || len(href) > maxLinkLength || strings.HasPrefix(lower, "#") ||
		strings.HasPrefix(lower, "javascript:") || strings.HasPrefix(lower, "data:") {
		return
	}
	shown := ""
	if a.start <= c.w.b.Len() {
		shown = strings.TrimSpace(c.w.b.String()[a.start:])
	}
	if shown == href || strings.TrimSuffix(href, "/") == shown || (strings.HasPrefix(href, "mailto:") && href[len("mailto:"):] == shown) {
		return
	}
	n, ok := c.numbers[href]
	if !ok {
		if c.numbers == nil {
			c.numbers = map[string]int{}
		}
		c.hrefs = append(c.hrefs, href)
		n = len(c.hrefs)
		c.numbers[href] = n
	}
	c.w.space = shown != ""
	c.w.text([]byte("[" + strconv.Itoa(n) + "]"))
}

func (c *htmlConverter) finish() string {
	s := strings.TrimRight(c.w.b.String(), " \t\n")
	if len(c.hrefs) == 0 {
		return s
	}
	var b strings.Builder
	b.WriteString(s)
	if s != "" {
		b.WriteString("\n\n")
	}
	for i, h := range c.hrefs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("[" + strconv.Itoa(i+1) + "] " + h)
	}
	return b.String()
}

// htmlWriter lays out text: white space collapsed, line breaks owed until
// the next visible text (so empty elements leave no blank lines), and a
// prefix of "> " per quote level and two spaces per list level.
type htmlWriter struct {
	b       strings.Builder
	nl      int  // line breaks owed before the next text, at most 2
	space   bool // a space owed before the next text
	midLine bool // text has been written on the current line
	quote   int
	indent  int
	// lineQuote is the quote level of the last line written: a blank line
	// between two quote levels takes the lower one.
	lineQuote int
}

func (w *htmlWriter) blockBreak(n int) {
	if n > w.nl {
		w.nl = n
	}
	w.space = false
}

func (w *htmlWriter) lineBreak() {
	if w.nl < 2 {
		w.nl++
	}
	w.space = false
}

// begin writes the owed line breaks, line prefix or space before text.
func (w *htmlWriter) begin() {
	if w.nl > 0 && w.b.Len() > 0 {
		n := w.nl
		if !w.midLine {
			n-- // already at the start of a line
		}
		for i := 0; i < n; i++ {
			if i > 0 || !w.midLine {
				if q := min(w.quote, w.lineQuote, maxHTMLIndent); q > 0 {
					w.b.WriteString(strings.Repeat(">", q))
				}
			}
			w.b.WriteByte('\n')
		}
		w.midLine = false
	}
	w.nl = 0
	if !w.midLine {
		if w.quote > 0 {
			w.b.WriteString(strings.Repeat("> ", min(w.quote, maxHTMLIndent)))
		}
		w.lineQuote = w.quote
		if w.indent > 0 {
			w.b.WriteString(strings.Repeat("  ", min(w.indent, maxHTMLIndent)))
		}
		w.midLine = true
		w.space = false
	}
	if w.space {
		w.b.WriteByte(' ')
		w.space = false
	}
}

// marker starts a list item line: "- " or "3. " indented for its depth.
func (w *htmlWriter) marker(m string, depth int) {
	w.blockBreak(1)
	w.indent = min(depth-1, maxHTMLIndent)
	w.begin()
	w.b.WriteString(m)
	w.indent = min(depth, maxHTMLIndent)
}

// text writes normal HTML text: runs of white space become one space.
func (w *htmlWriter) text(s []byte) {
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		s = s[size:]
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f':
			w.space = true
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		case r == 0xa0 && (!w.midLine || w.nl > 0):
			// No-break spaces starting a line are spacers ("<p>&nbsp;</p>"
			// from Outlook); dropping them keeps blank lines single.
		default:
			w.begin()
			if r == 0xa0 {
				r = ' '
			}
			w.writeRune(r)
		}
	}
}

// pre writes preformatted text, keeping its spaces and line breaks.
func (w *htmlWriter) pre(s []byte) {
	for len(s) > 0 {
		line := s
		nl := bytes.IndexByte(s, '\n')
		if nl >= 0 {
			line, s = s[:nl], s[nl+1:]
		} else {
			s = nil
		}
		line = bytes.TrimRight(line, "\r")
		if len(line) > 0 {
			w.begin()
			for _, r := range string(line) {
				if r == '\t' || r >= 0x20 && r != 0x7f && (r < 0x80 || r >= 0xa0) {
					w.writeRune(r)
				}
			}
		}
		// A line break owed by the enclosing block swallows the ones that
		// open the preformatted text.
		if nl >= 0 && w.nl == 0 && w.b.Len() > 0 {
			w.b.WriteByte('\n')
			w.midLine = false
		}
	}
}

func (w *htmlWriter) writeRune(r rune) {
	if r < utf8.RuneSelf {
		w.b.WriteByte(byte(r))
		return
	}
	w.b.WriteRune(r)
}
