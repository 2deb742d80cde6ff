// Dates (RFC 5322 section 3.3 and the obsolete and broken forms real mail
// carries).

package mime

import (
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

var mailMonths = [...]string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}

// mailZones maps the zone names real mail carries to their offsets in
// minutes. RFC 5322 section 4.3 names the North American ones; the rest are
// common in the wild. Single military letters are treated as UTC, as that
// section recommends.
var mailZones = map[string]int{
	"UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0,
	"EST": -5 * 60, "EDT": -4 * 60, "CST": -6 * 60, "CDT": -5 * 60,
	"MST": -7 * 60, "MDT": -6 * 60, "PST": -8 * 60, "PDT": -7 * 60,
	"AKST": -9 * 60, "AKDT": -8 * 60, "HST": -10 * 60,
	"JST": 9 * 60, "KST": 9 * 60, "HKT": 8 * 60, "SGT": 8 * 60, "AWST": 8 * 60, "IST": 5*60 + 30,
	"CET": 60, "CEST": 2 * 60, "MET": 60, "MEST": 2 * 60, "MEZ": 60, "MESZ": 2 * 60,
	"EET": 2 * 60, "EEST": 3 * 60, "WEST": 60, "BST": 60, "MSK": 3 * 60,
	"ACST": 9*60 + 30, "AEST": 10 * 60, "AEDT": 11 * 60, "NZST": 12 * 60, "NZDT": 13 * 60,
}

// parseMailDate reads a Date header in RFC 5322 form and the obsolete and
// broken forms real mail carries: no weekday, no seconds, two- or
// three-digit years, named zones, zones only in a comment ("(JST)"), extra
// spaces and commas, asctime order, ISO 8601.
func parseMailDate(s string) (time.Time, bool) {
	text := s
	commentZone := ""
	if strings.IndexByte(s, '(') >= 0 {
		var b strings.Builder
		depth, cstart := 0, 0
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case c == '(':
				if depth == 0 {
					cstart = i + 1
				}
				depth++
			case c == ')' && depth > 0:
				depth--
				if depth == 0 {
					if name, _, ok := zoneByName(strings.TrimSpace(s[cstart:i])); ok && commentZone == "" {
						commentZone = name
					}
					b.WriteByte(' ')
				}
			case depth > 0:
			default:
				b.WriteByte(c)
			}
		}
		text = b.String()
	}
	d := dateParts{day: -1, month: -1, year: -1}
	for n := 0; ; n++ {
		// The words of the date, split at white space and commas.
		i := 0
		for i < len(text) && isDateSeparator(text[i]) {
			i++
		}
		j := i
		for j < len(text) && !isDateSeparator(text[j]) {
			j++
		}
		tok := text[i:j]
		text = text[j:]
		if tok == "" {
			break
		}
		if n == 16 {
			return time.Time{}, false
		}
		// ISO 8601: "2024-03-12T10:00:00+09:00".
		if len(tok) > 11 && (tok[10] == 'T' || tok[10] == 't') && allDigits(tok[:4]) {
			if !d.token(tok[:10]) || !d.token(tok[11:]) {
				return time.Time{}, false
			}
			continue
		}
		if !d.token(tok) {
			return time.Time{}, false
		}
	}
	if d.day < 0 || d.month < 0 || d.year < 0 {
		return time.Time{}, false
	}
	switch {
	case d.yearDigits <= 2 && d.year < 50:
		d.year += 2000
	case d.yearDigits <= 2:
		d.year += 1900
	case d.yearDigits == 3:
		d.year += 1900
	}
	if d.year < 1900 || d.year > 9999 {
		return time.Time{}, false
	}
	if d.day < 1 || d.day > time.Date(d.year, time.Month(d.month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return time.Time{}, false
	}
	if d.pm && d.hour < 12 {
		d.hour += 12
	} else if d.am && d.hour == 12 {
		d.hour = 0
	}
	if d.hour > 23 || d.min > 59 || d.sec > 60 {
		return time.Time{}, false
	}
	if d.sec == 60 {
		d.sec = 59 // a leap second
	}
	if !d.zoneSet && commentZone != "" {
		d.zoneSet, d.zoneName, d.offset = true, commentZone, mailZones[commentZone]
	}
	return time.Date(d.year, time.Month(d.month), d.day, d.hour, d.min, d.sec, 0, zoneLocation(d.zoneName, d.offset)), true
}

func isDateSeparator(c byte) bool {
	return c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n'
}

// zoneByName looks a zone name up in mailZones in any ASCII case. It does
// not allocate for a word that is no zone, a weekday say.
func zoneByName(word string) (name string, offset int, ok bool) {
	var buf [4]byte // the longest name in mailZones
	if word == "" || len(word) > len(buf) {
		return "", 0, false
	}
	for i := 0; i < len(word); i++ {
		c := word[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
	}
	if offset, ok = mailZones[string(buf[:len(word)])]; !ok {
		return "", 0, false
	}
	return string(buf[:len(word)]), offset, true
}

// Locations of the zones dates are read in, made once: a date read does
// not allocate its location.
var (
	namedZones = func() map[string]*time.Location {
		m := map[string]*time.Location{}
		for name, off := range mailZones {
			m[name] = time.FixedZone(name, off*60)
		}
		return m
	}()
	numericZones [2*24*60 - 1]atomic.Pointer[time.Location] // by minutes east of UTC, -23:59 to +23:59
)

// zoneLocation gives the location of a date read with the zone name
// (from mailZones, or "" for a numeric zone) and offset in minutes: UTC
// for an offset of zero, as before.
func zoneLocation(name string, offset int) *time.Location {
	switch {
	case offset == 0:
		return time.UTC
	case name != "":
		return namedZones[name]
	}
	p := &numericZones[offset+24*60-1]
	if loc := p.Load(); loc != nil {
		return loc
	}
	loc := time.FixedZone("", offset*60)
	p.Store(loc)
	return loc
}

type dateParts struct {
	day, month, year, yearDigits int
	hour, min, sec               int
	hasTime, zoneSet, am, pm     bool
	offset                       int // minutes east of UTC
	zoneName                     string
}

// token takes one word of a date. It returns false for a word that makes the
// date unreadable (a broken time, say); words it does not know are skipped.
func (d *dateParts) token(tok string) bool {
	switch {
	case tok == "":
		return true
	case strings.IndexByte(tok, ':') >= 0:
		end := 0
		for end < len(tok) && (isDigit(tok[end]) || tok[end] == ':' || tok[end] == '.') {
			end++
		}
		if d.hasTime || !d.clock(tok[:end]) {
			return false
		}
		if end < len(tok) {
			d.zone(tok[end:])
		}
		return true
	case tok[0] == '+' || tok[0] == '-':
		d.zone(tok)
		return true
	case isDigit(tok[0]) && strings.ContainsAny(tok, "-/."):
		return d.compound(tok)
	case allDigits(tok):
		n, _ := strconv.Atoi(tok)
		if len(tok) > 4 {
			return true
		}
		switch {
		case len(tok) >= 3:
			if d.year < 0 {
				d.year, d.yearDigits = n, len(tok)
			}
		case d.day < 0 && n >= 1 && n <= 31:
			d.day = n
		case d.year < 0:
			d.year, d.yearDigits = n, len(tok)
		}
		return true
	}
	word := strings.TrimRight(tok, ".")
	if m := monthNumber(word); m > 0 {
		if d.month < 0 {
			d.month = m
		}
		return true
	}
	switch {
	case asciiEqualFold(word, "AM"):
		d.am = true
		return true
	case asciiEqualFold(word, "PM"):
		d.pm = true
		return true
	}
	if name, off, ok := zoneByName(word); ok {
		if !d.zoneSet {
			d.zoneSet, d.zoneName, d.offset = true, name, off
		}
		return true
	}
	if len(word) == 1 && isASCIILetter(word[0]) && !d.zoneSet {
		d.zoneSet = true
		return true
	}
	for _, prefix := range []string{"GMT", "UTC", "UT"} {
		if len(word) > len(prefix) && asciiEqualFold(word[:len(prefix)], prefix) && (word[len(prefix)] == '+' || word[len(prefix)] == '-') {
			d.zone(word[len(prefix):])
			return true
		}
	}
	return true // a weekday or an unknown word
}

// clock reads "10:00" or "10:00:00", seconds perhaps with a fraction.
func (d *dateParts) clock(s string) bool {
	var v [3]int
	n := 0
	for more := true; more; n++ {
		if n == len(v) {
			return false
		}
		p := s
		if i := strings.IndexByte(s, ':'); i >= 0 {
			p, s = s[:i], s[i+1:]
		} else {
			more = false
		}
		if dot := strings.IndexByte(p, '.'); dot >= 0 && n == 2 {
			p = p[:dot]
		}
		if len(p) == 0 || len(p) > 2 || !allDigits(p) {
			return false
		}
		v[n], _ = strconv.Atoi(p)
	}
	if n < 2 {
		return false
	}
	d.hour, d.min, d.sec, d.hasTime = v[0], v[1], v[2], true
	return true
}

// zone reads a numeric zone: "+0900", "+09:00", "+09", "-0000", "Z".
func (d *dateParts) zone(s string) {
	if s == "Z" || s == "z" {
		if !d.zoneSet {
			d.zoneSet = true
		}
		return
	}
	if len(s) < 2 || (s[0] != '+' && s[0] != '-') || d.zoneSet {
		return
	}
	digits := strings.ReplaceAll(s[1:], ":", "")
	if !allDigits(digits) {
		return
	}
	var h, m int
	switch len(digits) {
	case 1, 2:
		h, _ = strconv.Atoi(digits)
	case 3:
		h, _ = strconv.Atoi(digits[:1])
		m, _ = strconv.Atoi(digits[1:])
	case 4:
		h, _ = strconv.Atoi(digits[:2])
		m, _ = strconv.Atoi(digits[2:])
	default:
		return
	}
	if h > 23 || m > 59 {
		return
	}
	off := h*60 + m
	if s[0] == '-' {
		off = -off
	}
	d.zoneSet, d.offset = true, off
}

// compound reads "12-Mar-2024", "2024-03-12" and "2024/3/12".
func (d *dateParts) compound(tok string) bool {
	parts := strings.FieldsFunc(tok, func(r rune) bool { return r == '-' || r == '/' || r == '.' })
	if len(parts) != 3 {
		return false
	}
	num := func(s string) int {
		if !allDigits(s) || len(s) > 4 {
			return -1
		}
		n, _ := strconv.Atoi(s)
		return n
	}
	if len(parts[0]) == 4 && num(parts[0]) >= 0 {
		m := num(parts[1])
		if m < 0 {
			m = monthNumber(parts[1])
		}
		if m < 1 || m > 12 || num(parts[2]) < 0 {
			return false
		}
		d.year, d.yearDigits, d.month, d.day = num(parts[0]), 4, m, num(parts[2])
		return true
	}
	if m := monthNumber(parts[1]); m > 0 && num(parts[0]) >= 0 && num(parts[2]) >= 0 {
		d.day, d.month, d.year, d.yearDigits = num(parts[0]), m, num(parts[2]), len(parts[2])
		return true
	}
	return false
}

// monthNumber recognises month names and their abbreviations ("Mar",
// "march", "Sept"), in any ASCII case, returning 1..12 or 0.
func monthNumber(word string) int {
	if len(word) < 3 {
		return 0
	}
	for i, m := range mailMonths {
		if len(word) <= len(m) && asciiEqualFold(m[:len(word)], word) {
			return i + 1
		}
	}
	return 0
}

// asciiEqualFold is strings.EqualFold for ASCII letters only: "K" is not
// the Kelvin sign here.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isASCIILetter(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
