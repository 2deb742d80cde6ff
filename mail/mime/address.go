// Address lists (RFC 5322 section 3.4).

package mime

import "strings"

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

// parseMailboxList reads an address list (RFC 5322 section 3.4) leniently:
// groups are flattened, unquoted display names with commas are rejoined,
// "addr (Name)" comments give the name, and encoded words in names are
// decoded.
func parseMailboxList(s, what string, notes *noteList) []Address {
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
		a, ok := parseMailbox(p, what, notes)
		if !ok {
			continue
		}
		if len(out) >= maxAddresses {
			notes.add("%s lists more than %d addresses; only the first %d are kept.", upperFirst(what), maxAddresses, maxAddresses)
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

func parseMailbox(p, what string, notes *noteList) (Address, bool) {
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
	addr = strings.Join(strings.Fields(SafeLine(addr)), "")
	if strings.HasPrefix(addr, "@") {
		// An obsolete source route: "<@relay.example:user@example.com>".
		if k := strings.LastIndexByte(addr, ':'); k >= 0 {
			addr = addr[k+1:]
		}
	}
	display = strings.Join(strings.Fields(SafeLine(decodeWords(display, what, notes))), " ")
	if strings.EqualFold(display, addr) {
		display = ""
	}
	if display == "" && addr == "" {
		return Address{}, false
	}
	return Address{Name: display, Address: addr}, true
}
