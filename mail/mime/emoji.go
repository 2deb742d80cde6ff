// Emoji of the Japanese mobile carriers: which carrier a code belongs to,
// and its Unicode equivalent from EmojiSources.txt.
//
// docomo, KDDI (au) and SoftBank phones send emoji as codes in the
// user-defined area of Shift_JIS (lead bytes F0-F9) and, KDDI and SoftBank,
// in IBM extension rows (ED, EE, FB). The ranges overlap: F991 is docomo's
// heart and SoftBank's tiger. Which carrier a text's codes belong to is
// read from the codes themselves where they tell (F8 is docomo's alone),
// else from the sender's address, else guessed with a note.
//
// EmojiSources.txt is a verbatim copy of the file of that name in the
// Unicode Character Database (see EmojiSources.LICENSE): for each emoji
// Unicode has an equivalent for, the Shift_JIS code of each carrier that
// has it. A carrier code it does not list becomes one U+FFFD.

package mime

import (
	"bytes"
	_ "embed"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// carrier is a Japanese mobile carrier whose phones send emoji in codes of
// its own.
type carrier uint8

const (
	noCarrier carrier = iota
	docomo
	kddi
	softbank
)

func (c carrier) String() string {
	switch c {
	case docomo:
		return "docomo"
	case kddi:
		return "au"
	case softbank:
		return "SoftBank"
	}
	return "no carrier"
}

// carrierSet is a set of carriers, one bit each.
type carrierSet uint8

const allCarriers = carrierSet(1<<docomo | 1<<kddi | 1<<softbank)

func (s carrierSet) has(c carrier) bool { return c != noCarrier && s&(1<<c) != 0 }

// only returns the one carrier in s, or noCarrier.
func (s carrierSet) only() carrier {
	for _, c := range []carrier{docomo, kddi, softbank} {
		if s == 1<<c {
			return c
		}
	}
	return noCarrier
}

// carrierDomains are the mail domains of the carriers' phones.
var carrierDomains = []struct {
	domain string
	c      carrier
}{
	{"docomo.ne.jp", docomo},
	{"ezweb.ne.jp", kddi},
	{"au.com", kddi},
	{"ido.ne.jp", kddi},
	{"softbank.ne.jp", softbank},
	{"i.softbank.jp", softbank},
	{"vodafone.ne.jp", softbank},
	{"disney.ne.jp", softbank},
}

// senderCarrier finds the carrier of the first address in a raw From
// header: whose emoji codes the text of the message uses.
func senderCarrier(from []byte) carrier {
	at := bytes.IndexByte(from, '@')
	if at < 0 {
		return noCarrier
	}
	end := at + 1
	for end < len(from) && (from[end] == '.' || from[end] == '-' || isDigit(from[end]) || ('a' <= from[end]|0x20 && from[end]|0x20 <= 'z')) {
		end++
	}
	domain := from[at+1 : end]
	for _, d := range carrierDomains {
		n := len(d.domain)
		if len(domain) >= n && bytes.EqualFold(domain[len(domain)-n:], []byte(d.domain)) &&
			(len(domain) == n || domain[len(domain)-n-1] == '.') {
			return d.c
		}
	}
	return noCarrier
}

// sjisCarriers is the set of carriers whose emoji ranges hold the
// Shift_JIS code (lead<<8 | trail), counting only the ranges outside
// CP932's own characters: the user-defined area F040-F9FC and KDDI's mail
// codes in rows EB and EC. ED, EE and FB hold CP932 kanji as well and are
// read as emoji only once the carrier is known.
func sjisCarriers(code uint16) carrierSet {
	lead, trail := byte(code>>8), byte(code)
	var s carrierSet
	switch lead {
	case 0xf8:
		if trail >= 0x9f {
			s |= 1 << docomo
		}
	case 0xf9:
		if trail <= 0x49 || trail >= 0x72 {
			s |= 1 << docomo
		}
		if (trail >= 0x41 && trail <= 0x9b) || (trail >= 0xa1 && trail <= 0xed) {
			s |= 1 << softbank
		}
	case 0xf7:
		s |= 1 << kddi
		if (trail >= 0x41 && trail <= 0x9b) || (trail >= 0xa1 && trail <= 0xf3) {
			s |= 1 << softbank
		}
	case 0xf3, 0xf6, 0xeb, 0xec:
		s |= 1 << kddi
	case 0xf4:
		if trail <= 0x93 {
			s |= 1 << kddi
		}
	}
	return s
}

// kddiWebLead maps the lead byte of KDDI's mail codes (EB-EE, the
// Shift_JIS form of the JIS rows 0x75-0x7C its ISO-2022-JP mail uses) to
// that of its web codes (F6, F7, F3, F4), which EmojiSources.txt lists:
// KDDI's published emoji table gives each emoji both, with the same trail
// byte (emoji 1 is F659, EB59 and JIS 753A).
func kddiWebLead(lead byte) byte {
	switch lead {
	case 0xeb:
		return 0xf6
	case 0xec:
		return 0xf7
	case 0xed:
		return 0xf3
	case 0xee:
		return 0xf4
	}
	return lead
}

// softbankFB reports SoftBank's emoji codes in row FB.
func softbankFB(trail byte) bool {
	return (trail >= 0x41 && trail <= 0x9b) || (trail >= 0xa1 && trail <= 0xd7)
}

//go:embed EmojiSources.txt
var emojiSources string

// emojiTables maps each carrier's Shift_JIS codes to Unicode, read from
// EmojiSources.txt the first time an emoji is met.
var emojiTables = sync.OnceValue(func() (t [softbank + 1]map[uint16]string) {
	for c := docomo; c <= softbank; c++ {
		t[c] = make(map[uint16]string, 640)
	}
	for line := range strings.Lines(emojiSources) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, ";")
		if len(f) < 4 {
			continue
		}
		var u []byte
		for _, cp := range strings.Fields(f[0]) {
			r, err := strconv.ParseUint(cp, 16, 32)
			if err != nil || !utf8.ValidRune(rune(r)) {
				u = nil
				break
			}
			u = utf8.AppendRune(u, rune(r))
		}
		if u == nil {
			continue
		}
		for c := docomo; c <= softbank; c++ {
			if code, err := strconv.ParseUint(strings.TrimSpace(f[c]), 16, 16); err == nil {
				t[c][uint16(code)] = string(u)
			}
		}
	}
	return t
})

// carrierEmoji returns the Unicode text of carrier c's Shift_JIS code, and
// false when Unicode has no equivalent.
func carrierEmoji(c carrier, code uint16) (string, bool) {
	if c == noCarrier {
		return "", false
	}
	s, ok := emojiTables()[c][code]
	return s, ok
}
