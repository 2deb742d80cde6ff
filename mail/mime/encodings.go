// Content transfer encodings (RFC 2045 section 6): base64 and
// quoted-printable.

package mime

import (
	"bytes"
	"encoding/base64"
)

// decode undoes the transfer encoding. With limit > 0 only about the first
// limit bytes of the encoded body are read, cut at a line end; cut reports
// that.
func (p *mimePart) decode(limit int, notes *noteList) (data []byte, cut bool) {
	src := p.body
	if limit > 0 && len(src) > limit {
		src = src[:limit]
		if i := bytes.LastIndexByte(src, '\n'); i > 0 {
			src = src[:i+1]
		}
		cut = true
	}
	switch p.cte {
	case "", "7bit", "8bit", "binary":
		return src, cut
	case "base64":
		out, damaged := decodeBase64(src, cut)
		if damaged {
			notes.add("The base64 data of %s is damaged; the damaged bytes were skipped.", p.describe())
		}
		return out, cut
	case "quoted-printable":
		return decodeQP(src), cut
	}
	notes.add("%s uses the unknown transfer encoding %s; it is shown undecoded.", upperFirst(p.describe()), quoteForNote(p.cte))
	return src, cut
}

// decodedSize is the size of the decoded body, decoding only when the
// transfer encoding requires it.
func (p *mimePart) decodedSize(notes *noteList) int64 {
	switch p.cte {
	case "base64", "quoted-printable":
		data, _ := p.decode(0, notes)
		return int64(len(data))
	}
	return int64(len(p.body))
}

var base64Values = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" {
		t[c] = byte(i)
	}
	return t
}()

// decodeBase64 decodes base64 with line breaks, tolerating missing padding,
// white space and data after padding. Other bytes are skipped and reported
// as damage. partial says the input was cut short on purpose, so a dangling
// last character is not damage.
func decodeBase64(src []byte, partial bool) ([]byte, bool) {
	dst := make([]byte, len(src)/4*3+3)
	if n, err := base64.StdEncoding.Decode(dst, src); err == nil {
		return dst[:n], false
	}
	n, q := 0, 0
	var acc uint32
	damaged := false
	flush := func() {
		switch q {
		case 1:
			if !partial {
				damaged = true
			}
		case 2:
			dst[n] = byte(acc >> 4)
			n++
		case 3:
			dst[n], dst[n+1] = byte(acc>>10), byte(acc>>2)
			n += 2
		}
		q, acc = 0, 0
	}
	for _, c := range src {
		v := base64Values[c]
		if v == 0xff {
			switch c {
			case ' ', '\t', '\r', '\n':
			case '=':
				flush()
			default:
				damaged = true
			}
			continue
		}
		acc = acc<<6 | uint32(v)
		q++
		if q == 4 {
			dst[n], dst[n+1], dst[n+2] = byte(acc>>16), byte(acc>>8), byte(acc)
			n += 3
			q, acc = 0, 0
		}
	}
	flush()
	return dst[:n], damaged
}

// decodeQP decodes quoted-printable (RFC 2045 section 6.7) leniently: an "="
// not followed by two hex digits is kept as it is, and trailing white space
// is dropped as the RFC asks.
func decodeQP(src []byte) []byte {
	out := make([]byte, 0, len(src))
	for len(src) > 0 {
		line := src
		hasNL := false
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			line, src, hasNL = src[:i], src[i+1:], true
		} else {
			src = nil
		}
		line = bytes.TrimRight(line, " \t\r")
		soft := false
		if len(line) > 0 && line[len(line)-1] == '=' {
			soft = true
			line = line[:len(line)-1]
		}
		for len(line) > 0 {
			i := bytes.IndexByte(line, '=')
			if i < 0 {
				out = append(out, line...)
				break
			}
			out = append(out, line[:i]...)
			if i+2 < len(line) && isHex(line[i+1]) && isHex(line[i+2]) {
				out = append(out, unhex(line[i+1])<<4|unhex(line[i+2]))
				line = line[i+3:]
			} else {
				out = append(out, '=')
				line = line[i+1:]
			}
		}
		if hasNL && !soft {
			out = append(out, '\r', '\n')
		}
	}
	return out
}
