// Content-Type and Content-Disposition values and their parameters
// (RFC 2045, RFC 2183, RFC 2231).

package mime

import (
	stdmime "mime"
	"sort"
	"strconv"
	"strings"
)

type mediaParam struct {
	key   string // lower case, without RFC 2231 decorations
	value string
	ext   bool // from an RFC 2231 extended parameter: already UTF-8
}

type mediaParams []mediaParam

func (ps mediaParams) lookup(key string) (string, bool, bool) {
	for _, p := range ps {
		if p.key == key {
			return p.value, p.ext, true
		}
	}
	return "", false, false
}

func (ps mediaParams) get(key string) string {
	v, _, _ := ps.lookup(key)
	return v
}

// parseMediaValue reads a Content-Type or Content-Disposition value: the
// lower-case type and its parameters. The standard library's
// mime.ParseMediaType reads it when it can; what it refuses, and RFC 2231
// extended values (it drops those in any character set but UTF-8 and
// US-ASCII, and gives their bytes unchecked), go to popbox's own lenient
// parser, parseOwnMediaValue.
func parseMediaValue(v string, notes *noteList) (string, mediaParams) {
	if !strings.Contains(v, "*=") {
		if t, m, err := stdmime.ParseMediaType(v); err == nil && len(m) <= maxParams {
			ps := make(mediaParams, 0, len(m))
			for k, val := range m {
				ps = append(ps, mediaParam{key: k, value: val})
			}
			return t, ps
		}
	}
	return parseOwnMediaValue(v, notes)
}

// parseOwnMediaValue reads what mime.ParseMediaType refuses: a value
// without its type ("filename=a.pdf"), a type with stray bytes, unquoted
// values with spaces or separators, repeated parameters (the first counts),
// stray semicolons and comments; and RFC 2231 extended values in any
// character set.
func parseOwnMediaValue(v string, notes *noteList) (string, mediaParams) {
	head, rest := v, ""
	if i := strings.IndexByte(v, ';'); i >= 0 {
		head, rest = v[:i], v[i+1:]
	}
	if strings.IndexByte(head, '=') >= 0 {
		// "Content-Disposition: filename=a.pdf", the type left out.
		return "", parseParams(v, notes)
	}
	if i := strings.IndexByte(head, '('); i >= 0 {
		head = head[:i]
	}
	head = strings.Trim(strings.TrimSpace(head), `"`)
	if f := strings.Fields(head); len(f) > 0 {
		head = f[0]
	} else {
		head = ""
	}
	return mediaToken(head), parseParams(rest, notes)
}

// mediaToken lower-cases a media or disposition type and drops what RFC
// 2045 does not allow in it (control bytes, 8-bit bytes, separators), so
// that it is safe to show.
func mediaToken(s string) string {
	ok := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"[]?=`, c) >= 0 || ('A' <= c && c <= 'Z') {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"[]?=`, c) >= 0 {
			continue
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}

type paramSegment struct {
	key   string
	index int
	value string
	ext   bool
}

// parseParams reads "; key=value" parameters leniently (missing quotes,
// spaces around "=", stray semicolons) and joins RFC 2231 continuations and
// extended values (filename*0*=UTF-8'ja'%E3%81%82).
func parseParams(s string, notes *noteList) mediaParams {
	var out mediaParams
	var segs []paramSegment
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ';' || s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
			i++
		}
		start := i
		for i < len(s) && s[i] != '=' && s[i] != ';' && s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n' {
			i++
		}
		key := strings.ToLower(s[start:i])
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= len(s) || s[i] != '=' {
			continue
		}
		i++
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		var val string
		if i < len(s) && s[i] == '"' {
			i++
			vs := i
			escaped := false
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' && i+1 < len(s) {
					escaped = true
					i++
				}
				i++
			}
			val = s[vs:i]
			if escaped {
				// As mime.ParseMediaType reads it: a backslash escapes a
				// special character; before any other it is itself, as in
				// the Windows paths some mailers send unescaped
				// ("C:\temp\a.doc").
				var b strings.Builder
				for k := 0; k < len(val); k++ {
					if val[k] == '\\' && k+1 < len(val) && strings.IndexByte(`()<>@,;:\"/[]?=`, val[k+1]) >= 0 {
						k++
					}
					b.WriteByte(val[k])
				}
				val = b.String()
			}
			if i < len(s) {
				i++
			}
		} else {
			vs := i
			for i < len(s) && s[i] != ';' {
				i++
			}
			val = strings.TrimRight(s[vs:i], " \t\r\n")
		}
		if key == "" {
			continue
		}
		ext := strings.HasSuffix(key, "*")
		key = strings.TrimSuffix(key, "*")
		index := -1
		if star := strings.LastIndexByte(key, '*'); star >= 0 && allDigits(key[star+1:]) && len(key)-star <= 6 {
			index, _ = strconv.Atoi(key[star+1:])
			key = key[:star]
		}
		if !ext && index < 0 {
			// Real headers carry a handful of parameters; the bound keeps
			// the duplicate check cheap for hostile ones.
			if _, _, dup := out.lookup(key); !dup && len(out) < maxParams {
				out = append(out, mediaParam{key: key, value: val})
			}
			continue
		}
		if len(segs) < maxParams*10 {
			segs = append(segs, paramSegment{key: key, index: index, value: val, ext: ext})
		}
	}
	if len(segs) == 0 {
		return out
	}
	done := map[string]bool{}
	for _, sg := range segs {
		if done[sg.key] {
			continue
		}
		done[sg.key] = true
		val, isExt, ok := joinExtended(sg.key, segs, notes)
		if !ok {
			continue
		}
		replaced := false
		for k := range out {
			if out[k].key == sg.key {
				out[k] = mediaParam{key: sg.key, value: val, ext: isExt}
				replaced = true
			}
		}
		if !replaced {
			out = append(out, mediaParam{key: sg.key, value: val, ext: isExt})
		}
	}
	return out
}

// joinExtended builds the value of parameter key from its RFC 2231 pieces:
// a single "key*=" value wins; otherwise continuations key*0, key*1 ... are
// joined in order as far as they go.
func joinExtended(key string, segs []paramSegment, notes *noteList) (string, bool, bool) {
	for _, sg := range segs {
		if sg.key == key && sg.index < 0 && sg.ext {
			cs, data := splitExtended(sg.value)
			return convertCharset(data, cs, textSource{what: "the file name"}, notes), true, true
		}
	}
	var parts []paramSegment
	for _, sg := range segs {
		if sg.key == key && sg.index >= 0 {
			parts = append(parts, sg)
		}
	}
	sort.SliceStable(parts, func(a, b int) bool { return parts[a].index < parts[b].index })
	var data []byte
	cs := ""
	anyExt := false
	next := 0
	for _, sg := range parts {
		if sg.index != next {
			if sg.index < next {
				continue // a repeated piece
			}
			break
		}
		next++
		if !sg.ext {
			data = append(data, sg.value...)
			continue
		}
		anyExt = true
		v := sg.value
		if sg.index == 0 {
			var d []byte
			cs, d = splitExtended(v)
			data = append(data, d...)
			continue
		}
		data = append(data, percentDecode(v)...)
	}
	if next == 0 {
		return "", false, false
	}
	if !anyExt {
		return string(data), false, true
	}
	return convertCharset(data, cs, textSource{what: "the file name"}, notes), true, true
}

// splitExtended splits "charset'language'%XX..." into the charset and the
// decoded bytes.
func splitExtended(v string) (string, []byte) {
	first := strings.IndexByte(v, '\'')
	if first < 0 {
		return "", percentDecode(v)
	}
	second := strings.IndexByte(v[first+1:], '\'')
	if second < 0 {
		return "", percentDecode(v)
	}
	return v[:first], percentDecode(v[first+1+second+1:])
}

func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}
