// UTF-7 (RFC 2152), the charset some old Outlook versions send: ASCII as
// itself, anything else as base64 of UTF-16 between "+" and "-".

package mime

import (
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/transform"
)

// utf7 is UTF-7 in the charset table. golang.org/x/text has no UTF-7.
var utf7 encoding.Encoding = utf7Encoding{}

type utf7Encoding struct{}

func (utf7Encoding) NewDecoder() *encoding.Decoder {
	return &encoding.Decoder{Transformer: new(utf7Decoder)}
}

// NewEncoder gives an encoder that refuses everything: popbox only reads
// UTF-7.
func (utf7Encoding) NewEncoder() *encoding.Encoder {
	return &encoding.Encoder{Transformer: utf7NoEncoder{}}
}

type utf7NoEncoder struct{ transform.NopResetter }

func (utf7NoEncoder) Transform(dst, src []byte, atEOF bool) (int, int, error) {
	if len(src) == 0 {
		return 0, 0, nil
	}
	return 0, 0, encoding.ErrInvalidUTF8
}

// utf7Decoder decodes UTF-7 leniently: a "+" that starts no base64 stays a
// "+", and a base64 section that does not end on a whole UTF-16 unit, or
// with a surrogate alone, gives U+FFFD for the bad part and counts it in
// bad. The rest of the text reads on.
type utf7Decoder struct {
	inBase64 bool
	first    bool   // the "+" was the last byte: "+-" is a plus sign
	acc      uint32 // base64 bits not yet used, n of them
	n        uint
	high     rune // a high surrogate waiting for its low half
	bad      int
}

func (d *utf7Decoder) Reset() { *d = utf7Decoder{} }

func (d *utf7Decoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	put := func(r rune) { nDst += utf8.EncodeRune(dst[nDst:], r) }
	bad := func() { put(utf8.RuneError); d.bad++ }
	for ; nSrc < len(src); nSrc++ {
		if len(dst)-nDst < 2*utf8.UTFMax {
			return nDst, nSrc, transform.ErrShortDst
		}
		c := src[nSrc]
		if d.inBase64 {
			if v := base64Values[c]; v != 0xff {
				d.acc = d.acc<<6 | uint32(v)
				d.n += 6
				d.first = false
				if d.n >= 16 {
					d.n -= 16
					u := rune(d.acc >> d.n & 0xffff)
					d.acc &= 1<<d.n - 1
					d.unit(u, put, bad)
				}
				continue
			}
			plus := d.first
			d.endBase64(put, bad)
			if c == '-' {
				if plus {
					put('+')
				}
				continue
			}
			if plus {
				// "+" before something base64 cannot start: a plain
				// plus sign, written carelessly.
				put('+')
			}
		}
		switch {
		case c == '+':
			d.inBase64, d.first = true, true
		case c >= 0x80:
			bad()
		default:
			put(rune(c))
		}
	}
	if atEOF && d.inBase64 {
		if len(dst)-nDst < 2*utf8.UTFMax {
			return nDst, nSrc, transform.ErrShortDst
		}
		if d.first {
			put('+')
		}
		d.endBase64(put, bad)
	}
	return nDst, nSrc, nil
}

// unit takes one UTF-16 code unit.
func (d *utf7Decoder) unit(u rune, put func(rune), bad func()) {
	switch {
	case utf16.IsSurrogate(u) && u < 0xdc00:
		if d.high != 0 {
			bad()
		}
		d.high = u
	case utf16.IsSurrogate(u):
		if d.high == 0 {
			bad()
			return
		}
		put(utf16.DecodeRune(d.high, u))
		d.high = 0
	default:
		if d.high != 0 {
			bad()
			d.high = 0
		}
		put(u)
	}
}

// endBase64 ends a base64 section: fewer than six bits may be left, all
// zero (RFC 2152), and no surrogate may wait for its other half.
func (d *utf7Decoder) endBase64(put func(rune), bad func()) {
	if d.n >= 6 || d.acc != 0 || d.high != 0 {
		bad()
	}
	d.inBase64, d.first, d.acc, d.n, d.high = false, false, 0, 0, 0
}

// decodeUTF7 decodes b as UTF-7. The bytes from soundEnd on may be damaged;
// cut leaves an unended base64 section at the end unread, as a preview
// cuts it.
func decodeUTF7(b []byte, soundEnd int, cut bool) (string, textStats) {
	d := new(utf7Decoder)
	out := appendTransform(nil, d, b[:soundEnd], false)
	st := textStats{bad: d.bad}
	out = appendTransform(out, d, b[soundEnd:], !cut)
	st.badTail = d.bad - st.bad
	return string(out), st
}
