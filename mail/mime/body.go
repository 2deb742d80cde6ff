// The readable body: which parts are shown and how (alternatives, related
// parts, forwarded messages, format=flowed).

package mime

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// bodyRenderer walks the MIME tree and writes the readable text. In preview
// mode it reads only the start of each text part and stops once it has
// enough for Summary.Preview.
type bodyRenderer struct {
	b       strings.Builder
	notes   *noteList
	hint    textHint
	preview bool
}

func (r *bodyRenderer) done() bool { return r.preview && r.b.Len() >= previewEnough }

// block appends a paragraph of text, separated from what is there by a
// blank line.
func (r *bodyRenderer) block(s string) {
	s = strings.Trim(s, "\n")
	if strings.TrimSpace(s) == "" {
		return
	}
	if r.b.Len() > 0 {
		r.b.WriteString("\n\n")
	}
	r.b.WriteString(s)
}

func (r *bodyRenderer) part(p *mimePart) {
	if r.done() {
		return
	}
	switch {
	case p.isMultipart():
		switch p.typ {
		case "multipart/alternative":
			r.alternative(p)
		case "multipart/related":
			if p.rootIndex < len(p.children) {
				r.part(p.children[p.rootIndex])
			}
		case "multipart/encrypted":
			// RFC 1847: the parts are a control part and the cipher text,
			// both listed as attachments.
			r.notes.add("The message is encrypted (%s); popbox cannot decrypt it, but its parts can be saved.", quoteForNote(p.params.get("protocol")))
		default:
			for _, c := range p.children {
				r.part(c)
			}
		}
	case p.isMessage():
		if p.inner != nil {
			r.forwarded(p.inner)
		}
	case p.isAttachment():
	case readableType(p.typ):
		r.text(p)
	}
}

// alternative shows one alternative: plain text first, then HTML, the later
// of equals first (RFC 2046 section 5.1.4 puts the best last), skipping any
// that turn out empty.
func (r *bodyRenderer) alternative(p *mimePart) {
	type cand struct{ i, score int }
	var cands []cand
	for i, c := range p.children {
		if s := alternativeScore(c); s > 0 {
			cands = append(cands, cand{i, s})
		}
	}
	slices.SortFunc(cands, func(a, b cand) int {
		if a.score != b.score {
			return b.score - a.score
		}
		return b.i - a.i
	})
	for _, c := range cands {
		sub := bodyRenderer{notes: &noteList{}, hint: r.hint, preview: r.preview}
		sub.part(p.children[c.i])
		if strings.TrimSpace(sub.b.String()) != "" {
			r.block(sub.b.String())
			r.notes.merge(sub.notes)
			return
		}
	}
}

func alternativeScore(c *mimePart) int {
	switch {
	case c.isMultipart():
		switch {
		case containsText(c, "text/plain", 0):
			return 3
		case containsText(c, "text/html", 0):
			return 2
		}
		return 1
	case c.isMessage():
		return 1
	case c.isAttachment():
		return 0
	case c.typ == "text/plain":
		return 4
	case c.typ == "text/html":
		return 2
	case readableType(c.typ):
		return 1
	}
	return 0
}

func containsText(p *mimePart, typ string, depth int) bool {
	if depth > maxMIMEDepth {
		return false
	}
	if p.typ == typ && !p.isAttachment() {
		return true
	}
	for _, c := range p.children {
		if containsText(c, typ, depth+1) {
			return true
		}
	}
	return false
}

// forwarded shows an attached message inline, under a header block like the
// one mail clients write when forwarding.
func (r *bodyRenderer) forwarded(inner *mimePart) {
	hint := messageHint(inner)
	env := readEnvelope(&inner.hdr, hint, r.notes, false)
	var b strings.Builder
	b.WriteString("---------- Forwarded message ----------")
	lines := env.headerLines()
	for _, name := range []string{"From", "Date", "Subject", "To", "Cc"} {
		for _, l := range lines {
			if l.Name == name {
				b.WriteString("\n" + l.Name + ": " + l.Value)
			}
		}
	}
	r.block(b.String())
	saved := r.hint
	if hint.charset == "" {
		hint.charset = saved.charset
	}
	r.hint = hint
	r.part(inner)
	r.hint = saved
}

func (r *bodyRenderer) text(p *mimePart) {
	html := p.typ == "text/html"
	limit := 0
	if r.preview {
		limit = previewTextRead
		if html {
			limit = previewHTMLRead
		} else if s, ok := r.quickText(p); ok {
			r.block(s)
			return
		}
	}
	data, cut, tail := p.decode(limit, r.notes)
	label := p.params.get("charset")
	if label == "" && html {
		label = sniffHTMLCharset(data)
	}
	s := convertCharset(data, label, textSource{what: "the text", sender: r.hint.sender, cut: cut, tail: tail}, r.notes)
	switch {
	case html:
		limit := 0
		if r.preview {
			limit = previewEnough
		}
		s = htmlToText(s, !r.preview, limit)
	case strings.EqualFold(p.params.get("format"), "flowed"):
		s = unflow(s, strings.EqualFold(p.params.get("delsp"), "yes"))
	}
	r.block(cleanText(s))
}

// quickText renders the first previewTextFirst bytes of a plain text part
// for a preview, and says whether that was enough: most messages open with
// a few hundred characters of text, and reading 4 KiB of each was a third
// of the cost of a fetch. A part whose start holds too little text, one
// that needs a charset guessed, or one of format=flowed is read as before.
func (r *bodyRenderer) quickText(p *mimePart) (string, bool) {
	label := p.params.get("charset")
	if len(p.body) <= previewTextFirst || label == "" || strings.EqualFold(p.params.get("format"), "flowed") {
		return "", false
	}
	notes := &noteList{}
	data, cut, tail := p.decode(previewTextFirst, notes)
	if len(notes.items) > 0 {
		return "", false
	}
	s := cleanText(convertCharset(data, label, textSource{what: "the text", sender: r.hint.sender, cut: cut, tail: tail}, notes))
	if len(notes.items) > 0 || utf8.RuneCountInString(s) < 3*previewRunes {
		return "", false
	}
	return s, true
}

// unflow joins the soft-broken lines of format=flowed text (RFC 3676).
func unflow(s string, delsp bool) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	var b strings.Builder
	b.Grow(len(s))
	open := false // the previous line was flowed and its paragraph goes on
	openDepth := 0
	for _, line := range lines {
		depth := 0
		for depth < len(line) && line[depth] == '>' {
			depth++
		}
		text := line[depth:]
		text = strings.TrimPrefix(text, " ") // space-stuffing
		if open && depth != openDepth {
			b.WriteByte('\n')
			open = false
		}
		if !open {
			if depth > 0 {
				b.WriteString(strings.Repeat(">", depth) + " ")
			}
		}
		flowed := strings.HasSuffix(text, " ") && text != "-- "
		if flowed && delsp {
			text = text[:len(text)-1]
		}
		b.WriteString(text)
		if flowed {
			open, openDepth = true, depth
			continue
		}
		b.WriteByte('\n')
		open = false
	}
	return b.String()
}
