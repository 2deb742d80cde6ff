// Content transfer encodings (RFC 2045 section 6): base64 and
// quoted-printable.

package mime

import (
	"bytes"
	"encoding/base64"
)

// decode undoes the transfer encoding. With limit > 0 only about the first
// limit bytes of the encoded body are read, cut at a line end; cut reports
// that. The last tail bytes of data may be broken: base64 that is damaged
// there, or that ends early or mid-character (a message cut short).
func (p *mimePart) decode(limit int, notes *noteList) (data []byte, cut bool, tail int) {
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
		return src, cut, 0
	case "base64":
		out, sound, damaged := decodeBase64Sound(src, cut)
		if damaged {
			notes.add("The base64 data of %s is damaged; the damaged bytes were skipped.", p.describe())
		}
		// A line of base64 holds whole characters only by chance: a body
		// cut at a line end may end inside one.
		return out, cut, len(out) - sound + min(3, sound)
	case "quoted-printable":
		return decodeQP(src), cut, 0
	}
	notes.add("%s uses the unknown transfer encoding %s; it is shown undecoded.", upperFirst(p.describe()), quoteForNote(p.cte))
	return src, cut, 0
}

// decodedSize is the size of the decoded body, decoding only when the
// transfer encoding requires it.
func (p *mimePart) decodedSize(notes *noteList) int64 {
	switch p.cte {
	case "base64", "quoted-printable":
		data, _, _ := p.decode(0, notes)
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
	out, _, damaged := decodeBase64Sound(src, partial)
	return out, damaged
}

// decodeBase64Sound is decodeBase64 that also says how much of its output
// is sound: the bytes decoded before the first damage, before a last
// group of base64 that lacks its padding (the data ends early), or before
// data after padding.
func decodeBase64Sound(src []byte, partial bool) (out []byte, sound int, damaged bool) {
	dst := make([]byte, len(src)/4*3+3)
	if n, err := base64.StdEncoding.Decode(dst, src); err == nil {
		return dst[:n], n, false
	}
	n, q := 0, 0
	sound = -1
	var acc uint32
	unsound := func() {
		if sound < 0 {
			sound = n
		}
	}
	flush := func() {
		switch q {
		case 1:
			if !partial {
				unsound()
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
	padded := false
	for _, c := range src {
		v := base64Values[c]
		if v == 0xff {
			switch c {
			case ' ', '\t', '\r', '\n':
			case '=':
				flush()
				padded = true
			default:
				unsound()
				damaged = true
			}
			continue
		}
		if padded {
			unsound()
			padded = false
		}
		acc = acc<<6 | uint32(v)
		q++
		if q == 4 {
			dst[n], dst[n+1], dst[n+2] = byte(acc>>16), byte(acc>>8), byte(acc)
			n += 3
			q, acc = 0, 0
		}
	}
	if q > 1 && !partial {
		unsound()
	}
	flush()
	if sound < 0 {
		sound = n
	}
	return dst[:n], sound, damaged
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
