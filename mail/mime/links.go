// The links of a message and its HTML as received, for the reader's link
// list and for opening the HTML part in a browser.

package mime

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Link is one link of a message.
type Link struct {
	// URL is the target as written, made safe to show (SafeLine) with
	// its white space taken out, as browsers do. It may be relative, or
	// of any scheme: which are fit to open is the caller's choice.
	URL string
	// Text is what the link was shown as in HTML, on one line; "" for an
	// address written out in plain text.
	Text string
}

// Bounds of Links.
const (
	maxLinks    = 1000 // links listed of one message
	maxLinkText = 200  // runes of a link's text
)

// plainURL finds http, https and mailto addresses written out in text:
// ASCII only, so Japanese text right after an address is not taken in.
var plainURL = regexp.MustCompile(`(?i)\b(?:https?://|mailto:)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+`)

// Links lists the links of raw's readable parts (those not attachments,
// a forwarded message's too) in order of appearance, each target once:
// the <a href> of HTML parts with their text, and the http, https and
// mailto addresses written out in plain text parts. A target listed
// without text takes the text of a later anchor to it. It never fails.
func Links(raw []byte) (links []Link) {
	if !keepPanics.Load() {
		defer func() {
			if recover() != nil {
				links = nil
			}
		}()
	}
	pm := parseMessage(raw)
	index := map[string]int{}
	add := func(l Link) {
		if l.URL == "" || len(l.URL) > maxLinkLength {
			return
		}
		if i, ok := index[l.URL]; ok {
			if links[i].Text == "" {
				links[i].Text = l.Text
			}
			return
		}
		if len(links) == maxLinks {
			return
		}
		index[l.URL] = len(links)
		links = append(links, l)
	}
	walkText(pm.root, func(p *mimePart) {
		s := partText(p, pm.hint)
		if p.typ == "text/html" {
			var found []Link
			c := htmlConverter{found: &found}
			c.run(s, 0)
			for _, l := range found {
				add(l)
			}
			return
		}
		for _, u := range plainURL.FindAllString(s, -1) {
			add(Link{URL: trimURL(u)})
		}
	})
	return links
}

// HTML returns the first HTML part of raw that is not an attachment (the
// HTML alternative of the body), decoded and in UTF-8: its charset read
// from the part's header or from its own <meta> tag. ok is false when raw
// has none.
func HTML(raw []byte) (s string, ok bool) {
	if !keepPanics.Load() {
		defer func() {
			if recover() != nil {
				s, ok = "", false
			}
		}()
	}
	pm := parseMessage(raw)
	walkText(pm.root, func(p *mimePart) {
		if !ok && p.typ == "text/html" {
			s, ok = partText(p, pm.hint), true
		}
	})
	return s, ok
}

// walkText calls fn for every text/plain and text/html part of p that
// is not an attachment, in order, entering attached messages shown in
// the body.
func walkText(p *mimePart, fn func(*mimePart)) {
	switch {
	case p.isMultipart():
		for _, c := range p.children {
			walkText(c, fn)
		}
	case p.isMessage():
		if p.inner != nil && !p.isAttachment() {
			walkText(p.inner, fn)
		}
	case p.isAttachment():
	case p.typ == "text/plain" || p.typ == "text/html":
		fn(p)
	}
}

// partText is a text part decoded and converted to UTF-8.
func partText(p *mimePart, hint textHint) string {
	var notes noteList
	data, _, tail := p.decode(0, &notes)
	label := p.params.get("charset")
	if label == "" && p.typ == "text/html" {
		label = sniffHTMLCharset(data)
	}
	return convertCharset(data, label, textSource{what: "the text", sender: hint.sender, tail: tail}, &notes)
}

// collect keeps a closed anchor with a target for Links.
func (c *htmlConverter) collect(a htmlAnchor) {
	href := strings.Join(strings.Fields(SafeLine(a.href)), "")
	if href == "" {
		return
	}
	text := ""
	if a.start <= c.w.b.Len() {
		text = strings.Join(strings.Fields(SafeLine(c.w.b.String()[a.start:])), " ")
	}
	if utf8.RuneCountInString(text) > maxLinkText {
		text = string([]rune(text)[:maxLinkText-1]) + "…"
	}
	*c.found = append(*c.found, Link{URL: href, Text: text})
}

// trimURL takes off what ends a sentence rather than an address: a full
// stop, a comma, a quote, a closing bracket with no opening one.
func trimURL(u string) string {
	for u != "" {
		last := u[len(u)-1]
		switch {
		case strings.IndexByte(".,;:!?'", last) >= 0:
		case last == ')' && strings.Count(u, "(") < strings.Count(u, ")"):
		case last == ']' && strings.Count(u, "[") < strings.Count(u, "]"):
		default:
			return u
		}
		u = u[:len(u)-1]
	}
	return u
}

// HTMLFile is the HTML part s (from HTML) made into a file a browser
// reads as UTF-8, whatever its own <meta> says: a byte order mark, which
// comes before any other sign of the encoding, and a <meta charset> line
// after the doctype (before it would put the page in quirks mode). A
// Content-Security-Policy line stops scripts and plug-ins; remote images
// still load.
func HTMLFile(s string) []byte {
	const head = "<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'none'; object-src 'none'\">\n"
	var b bytes.Buffer
	b.WriteString("\ufeff")
	s = strings.TrimPrefix(s, "\ufeff")
	rest := strings.TrimLeft(s, " \t\r\n")
	if len(rest) >= 9 && strings.EqualFold(rest[:9], "<!doctype") {
		if end := strings.IndexByte(rest, '>'); end >= 0 {
			b.WriteString(rest[:end+1])
			b.WriteString("\n")
			rest = rest[end+1:]
		}
	}
	b.WriteString(head)
	b.WriteString(rest)
	return b.Bytes()
}
