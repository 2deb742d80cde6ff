// The MIME tree (RFC 2046): entities, multipart bodies, attached messages,
// and which parts are attachments.

package mime

import (
	"bytes"
	"strings"
)

// mimePart is one entity of a message: the message itself, a body part, or
// the message inside a message/rfc822 part. Bodies are slices of the raw
// bytes; nothing is decoded until asked for.
type mimePart struct {
	hdr          mimeHeader
	typ          string // lower-case media type
	params       mediaParams
	disp         string // lower-case disposition type, "" when none
	dparams      mediaParams
	cte          string // lower-case transfer encoding
	body         []byte
	children     []*mimePart
	inner        *mimePart // the message inside a message/rfc822 part
	top          bool      // a message's own entity rather than a body part
	relatedRoot  bool      // the part of a multipart/related shown as its text
	relatedExtra bool      // another part of a multipart/related: an inline resource
	rootIndex    int
}

func (p *mimePart) isMultipart() bool { return strings.HasPrefix(p.typ, "multipart/") }

func (p *mimePart) isMessage() bool {
	return p.typ == "message/rfc822" || p.typ == "message/global"
}

// readableType lists the media types shown as text.
func readableType(t string) bool {
	switch t {
	case "text/plain", "text/html", "text/rfc822-headers", "message/delivery-status",
		"message/disposition-notification", "message/feedback-report":
		return true
	}
	return false
}

// isAttachment decides what is listed as an attachment: anything marked so,
// resources of an HTML body, named text parts after the body, and every part
// that is not text.
func (p *mimePart) isAttachment() bool {
	switch {
	case p.isMultipart():
		return false
	case p.isMessage():
		return p.disp == "attachment"
	case p.disp != "" && p.disp != "inline":
		// RFC 2183 section 2.8: unknown dispositions are treated as attachment.
		return true
	case p.relatedExtra:
		return true
	case readableType(p.typ):
		return !p.top && p.disp == "" && p.hasName()
	}
	return true
}

func (p *mimePart) hasName() bool {
	return p.dparams.get("filename") != "" || p.params.get("name") != ""
}

// attachments lists the attachment parts in order of appearance.
func (p *mimePart) attachments() []*mimePart {
	var list []*mimePart
	var walk func(q *mimePart)
	walk = func(q *mimePart) {
		if q.isAttachment() {
			list = append(list, q)
		}
		for _, c := range q.children {
			walk(c)
		}
		if q.inner != nil {
			walk(q.inner)
		}
	}
	walk(p)
	return list
}

func (p *mimePart) filename(hint textHint, notes *noteList) string {
	v, ext, ok := p.dparams.lookup("filename")
	if !ok || v == "" {
		v, ext, _ = p.params.lookup("name")
	}
	if v == "" {
		return ""
	}
	if !ext {
		v = decodeWords(headerText([]byte(v), hint, "the file name", notes), "the file name", hint.sender, notes)
	}
	return SafeLine(v)
}

func (p *mimePart) attachmentInfo(n int, hint textHint, notes *noteList) Attachment {
	return Attachment{
		Index:    n,
		Filename: p.filename(hint, notes),
		Type:     p.typ,
		Inline:   p.disp == "inline" || (p.disp == "" && p.relatedExtra),
	}
}

// describe names the part in a note.
func (p *mimePart) describe() string {
	var scratch noteList
	if name := p.filename(textHint{}, &scratch); name != "" {
		return "the attachment " + quoteForNote(name)
	}
	return "the " + p.typ + " part"
}

// mimeParser builds the MIME tree within the depth and part limits.
type mimeParser struct {
	notes  *noteList
	parts  int
	capped bool
}

func (ps *mimeParser) entity(b []byte, depth int, defType string, top bool) *mimePart {
	ps.parts++
	hdr, body := parseMIMEHeader(b, ps.notes, top)
	p := &mimePart{hdr: hdr, body: body, top: top}
	if v, ok := hdr.valueCapped("Content-Type", ps.notes); ok {
		p.typ, p.params = parseMediaValue(string(v), ps.notes)
	}
	switch {
	case p.typ == "":
		p.typ = defType
	case !completeMediaType(p.typ):
		major, _, _ := strings.Cut(p.typ, "/")
		switch major {
		case "text":
			p.typ = "text/plain"
		case "multipart":
			p.typ = "multipart/mixed"
		default:
			ps.notes.add("A part has the incomplete media type %s; it is treated as a file.", quoteForNote(p.typ))
			p.typ = "application/octet-stream"
		}
	}
	if v, ok := hdr.valueCapped("Content-Transfer-Encoding", ps.notes); ok {
		cte := strings.ToLower(strings.Trim(strings.TrimSpace(string(v)), `"`))
		if f := strings.Fields(cte); len(f) > 0 {
			cte = f[0]
		}
		p.cte = cte
	}
	if v, ok := hdr.valueCapped("Content-Disposition", ps.notes); ok {
		p.disp, p.dparams = parseMediaValue(string(v), ps.notes)
	}
	switch {
	case p.isMultipart():
		ps.multipart(p, depth)
	case p.isMessage():
		if depth+1 > maxMIMEDepth {
			ps.noteDepth()
			break
		}
		inner := p.body
		if p.cte == "base64" || p.cte == "quoted-printable" {
			inner, _, _ = p.decode(0, ps.notes)
		}
		p.inner = ps.entity(inner, depth+1, "text/plain", true)
	}
	return p
}

// completeMediaType reports a "type/subtype" with both halves present.
func completeMediaType(t string) bool {
	i := strings.IndexByte(t, '/')
	return i > 0 && i < len(t)-1
}

func (ps *mimeParser) noteDepth() {
	ps.notes.add("Parts nested more than %d levels deep were skipped.", maxMIMEDepth)
}

func (ps *mimeParser) multipart(p *mimePart, depth int) {
	boundary := p.params.get("boundary")
	if boundary == "" {
		ps.notes.add("A multipart section has no boundary; it is shown as plain text.")
		p.typ, p.params = "text/plain", nil
		return
	}
	if depth+1 > maxMIMEDepth {
		ps.noteDepth()
		return
	}
	bodies, closed := splitMultipart(p.body, boundary, maxMIMEParts-ps.parts+1)
	if len(bodies) == 0 {
		ps.notes.add("A multipart section has no parts with its boundary; it is shown as plain text.")
		p.typ, p.params = "text/plain", nil
		return
	}
	if !closed {
		ps.notes.add("A multipart section is not closed; its last part runs to the end of the message.")
	}
	defType := "text/plain"
	if p.typ == "multipart/digest" {
		defType = "message/rfc822"
	}
	for _, b := range bodies {
		if ps.parts >= maxMIMEParts {
			if !ps.capped {
				ps.capped = true
				ps.notes.add("The message has more than %d parts; the rest were skipped.", maxMIMEParts)
			}
			break
		}
		p.children = append(p.children, ps.entity(b, depth+1, defType, false))
	}
	if p.typ == "multipart/related" && len(p.children) > 0 {
		if start := trimAngles(p.params.get("start")); start != "" {
			for i, c := range p.children {
				if id, ok := c.hdr.value("Content-ID"); ok && trimAngles(string(id)) == start {
					p.rootIndex = i
					break
				}
			}
		}
		for i, c := range p.children {
			c.relatedRoot = i == p.rootIndex
			c.relatedExtra = i != p.rootIndex
		}
	}
}

func trimAngles(s string) string {
	return strings.Trim(strings.TrimSpace(s), "<>")
}

// splitMultipart returns the bodies between the delimiter lines of boundary
// (RFC 2046 section 5.1.1), at most max of them, and whether the closing
// delimiter was found. A delimiter is a line holding "--" and the boundary,
// then "--" for the last one, then only white space; the line break before
// it belongs to the delimiter.
func splitMultipart(body []byte, boundary string, max int) (parts [][]byte, closed bool) {
	delim := []byte("--" + boundary)
	start := -1
	pos := 0
	for pos < len(body) {
		i := bytes.Index(body[pos:], delim)
		if i < 0 {
			break
		}
		i += pos
		if i > 0 && body[i-1] != '\n' {
			pos = i + 1
			continue
		}
		j := i + len(delim)
		closing := false
		if j+1 < len(body) && body[j] == '-' && body[j+1] == '-' {
			closing = true
			j += 2
		} else if j+1 == len(body) && body[j] == '-' {
			pos = i + 1
			continue
		}
		for j < len(body) && (body[j] == ' ' || body[j] == '\t') {
			j++
		}
		next := j
		switch {
		case j == len(body):
		case body[j] == '\n':
			next = j + 1
		case body[j] == '\r' && (j+1 == len(body) || body[j+1] == '\n'):
			next = min(j+2, len(body))
		default:
			pos = i + 1
			continue
		}
		if start >= 0 {
			end := i
			if end > start && body[end-1] == '\n' {
				end--
				if end > start && body[end-1] == '\r' {
					end--
				}
			}
			parts = append(parts, body[start:end])
			if len(parts) >= max {
				return parts, true
			}
		}
		if closing {
			return parts, true
		}
		start, pos = next, next
	}
	if start >= 0 {
		parts = append(parts, body[start:])
	}
	return parts, false
}

// charsetHint finds the first character set declared by a text part, used
// for header text that has 8-bit bytes and no encoded words.
func charsetHint(root *mimePart) string {
	var found string
	var walk func(p *mimePart) bool
	walk = func(p *mimePart) bool {
		if cs := p.params.get("charset"); cs != "" && strings.HasPrefix(p.typ, "text/") {
			l := cleanCharsetLabel(cs)
			if !isASCIILabel(l) && l != "utf-8" && l != "utf8" && lookupCharset(l) != nil {
				found = cs
				return true
			}
		}
		for _, c := range p.children {
			if walk(c) {
				return true
			}
		}
		return false
	}
	walk(root)
	return found
}
