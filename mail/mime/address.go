// Address lists (RFC 5322 section 3.4).

package mime

import (
	netmail "net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// parseAddressList reads the address list of a From, To or Cc field. The
// standard library's net/mail (the parser go-message's
// mail.ParseAddressList wraps) reads the well-formed ones. A list it
// refuses goes to popbox's own lenient reader, parseMailboxList; so does a
// list with RFC 2047 encoded words, because net/mail decodes those with
// the standard mime.WordDecoder, which reads ISO-8859-1 as Latin-1 (not
// Windows-1252), takes UTF-8 bytes unchecked, decodes each word alone and
// leaves words in quoted names undecoded (see library_test.go); the own
// reader decodes them as the Subject is decoded.
func parseAddressList(s, what string, sender carrier, notes *noteList) []Address {
	if !strings.Contains(s, "=?") {
		if list, err := netmail.ParseAddressList(s); err == nil {
			var out []Address
			for _, a := range list {
				if len(out) >= maxAddresses {
					noteTooMany(what, notes)
					break
				}
				if a, ok := mailbox(a.Name, quoteLocal(a)); ok {
					out = append(out, a)
				}
			}
			return out
		}
	}
	return parseMailboxList(s, what, sender, notes)
}

// quoteLocal gives the address net/mail read, its local part quoted again
// when it was a quoted string: net/mail hands `"john doe"@example.com` over
// as john doe@example.com.
func quoteLocal(a *netmail.Address) string {
	at := strings.LastIndexByte(a.Address, '@')
	if at < 0 {
		return a.Address
	}
	local := a.Address[:at]
	if !strings.ContainsAny(local, " \t\"(),:;<>@[\\]") && !strings.HasPrefix(local, ".") &&
		!strings.HasSuffix(local, ".") && !strings.Contains(local, "..") {
		return a.Address
	}
	// Address.String quotes as needed and adds the angle brackets.
	return strings.TrimSuffix(strings.TrimPrefix((&netmail.Address{Address: a.Address}).String(), "<"), ">")
}

// mailbox makes an Address of a display name and an address as read:
// terminal-safe, white space squeezed (none left in the address outside
// quotes), and no name when it only repeats the address.
func mailbox(name, addr string) (Address, bool) {
	addr = squeezeAddress(SafeLine(addr))
	name = squeezeSpaces(SafeLine(name))
	if strings.EqualFold(name, addr) {
		name = ""
	}
	return Address{Name: name, Address: addr}, name != "" || addr != ""
}

// squeezeAddress drops the white space that folding or a sloppy sender
// left in an address ("john @ example.com"), any Unicode white space as
// strings.Fields would, but not inside a quoted local part
// ("\"john doe\"@example.com"), where it belongs to the address.
func squeezeAddress(s string) string {
	plain := true
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' || s[i] >= utf8.RuneSelf {
			plain = false
			break
		}
	}
	if plain {
		return s // SafeLine turned tabs and line breaks into spaces
	}
	b := make([]byte, 0, len(s))
	quoted := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"':
			quoted = !quoted
		case r == '\\' && quoted && i+1 < len(s):
			b = append(b, '\\')
			i++
			r, size = utf8.DecodeRuneInString(s[i:])
		case unicode.IsSpace(r) && !quoted:
			i += size
			continue
		}
		b = append(b, s[i:i+size]...)
		i += size
	}
	return string(b)
}

// squeezeSpaces is strings.Join(strings.Fields(s), " "), without the
// allocations for the ASCII text with single spaces most names are.
func squeezeSpaces(s string) string {
	space := true // at the start: a leading space needs squeezing
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || c < ' ' || (c == ' ' && space) {
			return strings.Join(strings.Fields(s), " ")
		}
		space = c == ' '
	}
	if space && s != "" {
		return strings.Join(strings.Fields(s), " ")
	}
	return s
}

func noteTooMany(what string, notes *noteList) {
	notes.add("%s lists more than %d addresses; only the first %d are kept.", upperFirst(what), maxAddresses, maxAddresses)
}

func formatAddresses(list []Address, fallback string) string {
	if len(list) == 0 {
		return fallback
	}
	var b strings.Builder
	for i, a := range list {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(formatAddress(a))
	}
	return b.String()
}

func formatAddress(a Address) string {
	switch {
	case a.Name != "" && a.Address != "":
		return a.Name + " <" + a.Address + ">"
	case a.Name != "":
		return a.Name
	}
	return a.Address
}

// parseMailboxList reads an address list leniently, as net/mail will not:
// groups are flattened, unquoted display names with commas are rejoined,
// "addr (Name)" comments give the name, a bare name or a source route is
// taken, and encoded words in names are decoded, also in quoted names.
func parseMailboxList(s, what string, sender carrier, notes *noteList) []Address {
	pieces := splitAddressList(s)
	var out []Address
	for i := 0; i < len(pieces); i++ {
		p := pieces[i]
		// "Doe, John <john@example.com>" with the comma unquoted.
		for i+1 < len(pieces) && !strings.ContainsAny(p, "@<\"") && strings.TrimSpace(p) != "" &&
			strings.Contains(pieces[i+1], "<") && !strings.Contains(strings.SplitN(pieces[i+1], "<", 2)[0], "@") {
			p = p + "," + pieces[i+1]
			i++
		}
		a, ok := parseMailbox(p, what, sender, notes)
		if !ok {
			continue
		}
		if len(out) >= maxAddresses {
			noteTooMany(what, notes)
			break
		}
		out = append(out, a)
	}
	return out
}

// splitAddressList splits at commas and group-ending semicolons outside
// quoted strings, comments and angle brackets.
func splitAddressList(s string) []string {
	var out []string
	start, comment := 0, 0
	inQuote, inAngle := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote:
			if c == '\\' {
				i++
			} else if c == '"' {
				inQuote = false
			}
		case comment > 0:
			if c == '\\' {
				i++
			} else if c == '(' {
				comment++
			} else if c == ')' {
				comment--
			}
		case c == '"':
			inQuote = true
		case c == '(':
			comment++
		case c == '<':
			inAngle = true
		case c == '>':
			inAngle = false
		case (c == ',' || c == ';') && !inAngle:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func parseMailbox(p, what string, sender carrier, notes *noteList) (Address, bool) {
	var name strings.Builder
	var comment, addr string
	hasAngle := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(p) && p[j] != '"' {
				if p[j] == '\\' && j+1 < len(p) {
					j++
				}
				name.WriteByte(p[j])
				j++
			}
			i = j
		case c == '(':
			depth := 1
			j := i + 1
			for j < len(p) && depth > 0 {
				switch p[j] {
				case '\\':
					j++
				case '(':
					depth++
				case ')':
					depth--
				}
				j++
			}
			if comment == "" {
				comment = strings.TrimSuffix(p[i+1:min(j, len(p))], ")")
			}
			i = j - 1
			name.WriteByte(' ')
		case c == '<' && !hasAngle:
			j := strings.IndexByte(p[i:], '>')
			if j < 0 {
				addr = p[i+1:]
				i = len(p)
			} else {
				addr = p[i+1 : i+j]
				i += j
			}
			hasAngle = true
		case c == ':' && !hasAngle && !strings.Contains(name.String(), "@"):
			// A group: "Friends: a@example.com, b@example.com;".
			name.Reset()
		default:
			if !hasAngle || c == ' ' {
				name.WriteByte(c)
			}
		}
	}
	display := name.String()
	if !hasAngle {
		text := strings.TrimSpace(display)
		if strings.Contains(text, "@") {
			addr = text
			display = comment
		} else if text == "" {
			display = comment
		} else if !strings.ContainsAny(text, " \t") && comment == "" {
			addr, display = text, ""
		}
	}
	addr = squeezeAddress(SafeLine(addr))
	if strings.HasPrefix(addr, "@") {
		// An obsolete source route: "<@relay.example:user@example.com>".
		if k := strings.LastIndexByte(addr, ':'); k >= 0 {
			addr = addr[k+1:]
		}
	}
	return mailbox(decodeWords(display, what, sender, notes), addr)
}
