// HTML turned into plain text for reading.

package mime

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Bounds that keep the text of hostile HTML proportional to its size.
const (
	maxHTMLIndent = 10   // list levels and quote levels that still indent
	maxLinkLength = 2048 // longer link targets are left out of the list
)

// htmlToText turns an HTML document or fragment into readable plain text:
// paragraphs and line breaks, lists as "- item" and "1. item", quotes with
// "> ", no tags, no script or style text, entities decoded. With links set,
// link targets are numbered after their text ("text [1]") and listed at the
// end. It is a small tolerant tokenizer, not a full HTML parser: malformed
// markup gives the best text it can, never a panic.
func htmlToText(src string, links bool) string {
	c := htmlConverter{links: links}
	c.run(src)
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
}

// htmlTag is a start tag with the few attributes the converter uses.
type htmlTag struct {
	name  string
	href  string
	alt   string
	start string
	hasHref,
	hasAlt bool
}

func (c *htmlConverter) run(s string) {
	i := 0
	for i < len(s) {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			c.text(s[i:])
			return
		}
		if lt > 0 {
			c.text(s[i : i+lt])
		}
		i += lt
		rest := s[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			end := strings.Index(rest[4:], "-->")
			if end < 0 {
				return
			}
			i += 4 + end + 3
		case len(rest) > 1 && (rest[1] == '!' || rest[1] == '?'):
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				return
			}
			i += end + 1
		case len(rest) > 2 && rest[1] == '/' && isASCIILetter(rest[2]):
			name := tagName(rest[2:])
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				return
			}
			c.endTag(name)
			i += end + 1
		case len(rest) > 1 && isASCIILetter(rest[1]):
			t, n, ok := parseStartTag(rest)
			if !ok {
				return
			}
			i += n
			switch t.name {
			case "script", "style", "title", "template", "xmp", "iframe", "object", "noembed", "noframes":
				// Raw text: nothing inside is shown, up to the end tag.
				k := indexEndTag(s[i:], t.name)
				if k < 0 {
					return
				}
				i += k
				continue
			}
			c.startTag(t)
		default:
			c.text("<")
			i++
		}
	}
}

func isASCIILetter(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

func isTagNameByte(c byte) bool {
	return isASCIILetter(c) || isDigit(c) || c == '-' || c == ':' || c == '_' || c == '.'
}

func tagName(s string) string {
	n := 0
	for n < len(s) && isTagNameByte(s[n]) {
		n++
	}
	return strings.ToLower(s[:n])
}

// indexEndTag returns the index just past "</name ...>" in s, or -1.
func indexEndTag(s, name string) int {
	for off := 0; off < len(s); {
		k := strings.Index(s[off:], "</")
		if k < 0 {
			return -1
		}
		k += off
		e := k + 2 + len(name)
		if e <= len(s) && strings.EqualFold(s[k+2:e], name) && (e == len(s) || !isTagNameByte(s[e])) {
			gt := strings.IndexByte(s[e:], '>')
			if gt < 0 {
				return -1
			}
			return e + gt + 1
		}
		off = k + 2
	}
	return -1
}

// parseStartTag reads "<name attr=value ...>" at the start of s and returns
// the tag and the bytes it took. ok is false when the tag never closes.
func parseStartTag(s string) (htmlTag, int, bool) {
	var t htmlTag
	j := 1
	for j < len(s) && isTagNameByte(s[j]) {
		j++
	}
	t.name = strings.ToLower(s[1:j])
	for {
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r' || s[j] == '\f' || s[j] == '/') {
			j++
		}
		if j >= len(s) {
			return t, 0, false
		}
		if s[j] == '>' {
			return t, j + 1, true
		}
		ns := j
		j++ // an attribute name has at least one byte, even a stray "="
		for j < len(s) && s[j] != '=' && s[j] != '>' && s[j] != '/' && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && s[j] != '\r' && s[j] != '\f' {
			j++
		}
		attr := strings.ToLower(s[ns:j])
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r' || s[j] == '\f') {
			j++
		}
		val := ""
		if j < len(s) && s[j] == '=' {
			j++
			for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r' || s[j] == '\f') {
				j++
			}
			if j < len(s) && (s[j] == '"' || s[j] == '\'') {
				q := s[j]
				end := strings.IndexByte(s[j+1:], q)
				if end < 0 {
					return t, 0, false
				}
				val = s[j+1 : j+1+end]
				j += end + 2
			} else {
				vs := j
				for j < len(s) && s[j] != '>' && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && s[j] != '\r' && s[j] != '\f' {
					j++
				}
				val = s[vs:j]
			}
		}
		switch attr {
		case "href":
			if !t.hasHref {
				t.href, t.hasHref = decodeEntities(val), true
			}
		case "alt":
			if !t.hasAlt {
				t.alt, t.hasAlt = decodeEntities(val), true
			}
		case "start":
			t.start = val
		}
	}
}

func (c *htmlConverter) text(s string) {
	s = decodeEntities(s)
	if c.pre > 0 {
		c.w.pre(s)
		return
	}
	c.w.text(s)
}

func (c *htmlConverter) startTag(t htmlTag) {
	w := &c.w
	switch t.name {
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
		l := htmlList{ordered: t.name == "ol"}
		if n, err := strconv.Atoi(strings.TrimSpace(t.start)); err == nil && n > -1000000 && n < 1000000 {
			l.n = n - 1
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
		c.anchors = append(c.anchors, htmlAnchor{href: t.href, start: w.b.Len()})
	case "img":
		if alt := strings.TrimSpace(t.alt); alt != "" {
			w.space = true
			w.text(alt)
			w.space = true
		}
	}
}

func (c *htmlConverter) endTag(name string) {
	w := &c.w
	switch name {
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
	c.w.text("[" + strconv.Itoa(n) + "]")
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
func (w *htmlWriter) text(s string) {
	for _, r := range s {
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
func (w *htmlWriter) pre(s string) {
	for len(s) > 0 {
		line := s
		nl := strings.IndexByte(s, '\n')
		if nl >= 0 {
			line, s = s[:nl], s[nl+1:]
		} else {
			s = ""
		}
		line = strings.TrimRight(line, "\r")
		if line != "" {
			w.begin()
			for _, r := range line {
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

// htmlEntities are the named character references mail HTML uses; others
// are left as written.
var htmlEntities = map[string]string{
	"amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u00a0",
	"copy": "©", "reg": "®", "trade": "™", "hellip": "…", "mdash": "—", "ndash": "–",
	"lsquo": "‘", "rsquo": "’", "sbquo": "‚", "ldquo": "“", "rdquo": "”", "bdquo": "„",
	"laquo": "«", "raquo": "»", "lsaquo": "‹", "rsaquo": "›", "bull": "•", "middot": "·",
	"euro": "€", "pound": "£", "yen": "¥", "cent": "¢", "curren": "¤", "sect": "§", "para": "¶",
	"deg": "°", "plusmn": "±", "times": "×", "divide": "÷", "micro": "µ", "frac12": "½",
	"frac14": "¼", "frac34": "¾", "sup1": "¹", "sup2": "²", "sup3": "³", "iexcl": "¡",
	"iquest": "¿", "shy": "\u00ad", "zwnj": "\u200c", "zwj": "\u200d", "ensp": "\u2002",
	"emsp": "\u2003", "thinsp": "\u2009", "dagger": "†", "Dagger": "‡", "permil": "‰",
	"larr": "←", "rarr": "→", "uarr": "↑", "darr": "↓", "harr": "↔", "hearts": "♥",
	"check": "✓", "star": "☆", "prime": "′", "Prime": "″", "oline": "‾", "ordf": "ª", "ordm": "º",
	"not": "¬", "macr": "¯", "acute": "´", "cedil": "¸", "uml": "¨", "brvbar": "¦",
	"Agrave": "À", "Aacute": "Á", "Acirc": "Â", "Atilde": "Ã", "Auml": "Ä", "Aring": "Å", "AElig": "Æ",
	"Ccedil": "Ç", "Egrave": "È", "Eacute": "É", "Ecirc": "Ê", "Euml": "Ë", "Igrave": "Ì",
	"Iacute": "Í", "Icirc": "Î", "Iuml": "Ï", "ETH": "Ð", "Ntilde": "Ñ", "Ograve": "Ò",
	"Oacute": "Ó", "Ocirc": "Ô", "Otilde": "Õ", "Ouml": "Ö", "Oslash": "Ø", "Ugrave": "Ù",
	"Uacute": "Ú", "Ucirc": "Û", "Uuml": "Ü", "Yacute": "Ý", "THORN": "Þ", "szlig": "ß",
	"agrave": "à", "aacute": "á", "acirc": "â", "atilde": "ã", "auml": "ä", "aring": "å", "aelig": "æ",
	"ccedil": "ç", "egrave": "è", "eacute": "é", "ecirc": "ê", "euml": "ë", "igrave": "ì",
	"iacute": "í", "icirc": "î", "iuml": "ï", "eth": "ð", "ntilde": "ñ", "ograve": "ò",
	"oacute": "ó", "ocirc": "ô", "otilde": "õ", "ouml": "ö", "oslash": "ø", "ugrave": "ù",
	"uacute": "ú", "ucirc": "û", "uuml": "ü", "yacute": "ý", "thorn": "þ", "yuml": "ÿ",
	"OElig": "Œ", "oelig": "œ", "Scaron": "Š", "scaron": "š", "Yuml": "Ÿ", "fnof": "ƒ",
	"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "pi": "π", "sigma": "σ", "mu": "μ",
	"Omega": "Ω", "omega": "ω", "infin": "∞", "ne": "≠", "le": "≤", "ge": "≥", "minus": "−",
}

// htmlLegacyEntities may appear without the closing semicolon.
var htmlLegacyEntities = map[string]bool{"amp": true, "lt": true, "gt": true, "quot": true, "nbsp": true, "copy": true, "reg": true}

// htmlC1 maps numeric references 0x80-0x9F to the Windows-1252 characters
// browsers show for them.
var htmlC1 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8d, 'Ž', 0x8f,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9d, 'ž', 'Ÿ',
}

// decodeEntities replaces character references in HTML text.
func decodeEntities(s string) string {
	amp := strings.IndexByte(s, '&')
	if amp < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:amp])
	i := amp
	for i < len(s) {
		if s[i] != '&' {
			next := strings.IndexByte(s[i:], '&')
			if next < 0 {
				b.WriteString(s[i:])
				break
			}
			b.WriteString(s[i : i+next])
			i += next
			continue
		}
		r, n := entityAt(s[i:])
		if n == 0 {
			b.WriteByte('&')
			i++
			continue
		}
		b.WriteString(r)
		i += n
	}
	return b.String()
}

// entityAt decodes the reference at the start of s ("&amp;", "&#233;",
// "&#xE9;"), returning its text and length, or n == 0.
func entityAt(s string) (string, int) {
	if len(s) < 3 {
		return "", 0
	}
	if s[1] == '#' {
		j := 2
		base := 10
		if j < len(s) && (s[j] == 'x' || s[j] == 'X') {
			base = 16
			j++
		}
		ds := j
		for j < len(s) && j-ds < 8 && (isDigit(s[j]) || (base == 16 && isHex(s[j]))) {
			j++
		}
		if j == ds {
			return "", 0
		}
		v, err := strconv.ParseInt(s[ds:j], base, 32)
		if j < len(s) && s[j] == ';' {
			j++
		}
		switch {
		case err != nil || v <= 0 || v > utf8.MaxRune || (v >= 0xd800 && v <= 0xdfff):
			return "\uFFFD", j
		case v >= 0x80 && v <= 0x9f:
			return string(htmlC1[v-0x80]), j
		}
		return string(rune(v)), j
	}
	j := 1
	for j < len(s) && j <= 32 && (isASCIILetter(s[j]) || isDigit(s[j])) {
		j++
	}
	name := s[1:j]
	if name == "" {
		return "", 0
	}
	if j < len(s) && s[j] == ';' {
		if r, ok := htmlEntities[name]; ok {
			return r, j + 1
		}
		return "", 0
	}
	// Browsers accept a few old names without the semicolon, even when
	// letters follow ("&nbspnow").
	for k := len(name); k >= 2; k-- {
		if htmlLegacyEntities[name[:k]] {
			return htmlEntities[name[:k]], 1 + k
		}
	}
	return "", 0
}
