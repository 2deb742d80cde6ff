package mail

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	// The charset package registers every character set golang.org/x/text
	// knows with go-message, so its readers and ours agree on names.
	_ "github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/japanese"
	xunicode "golang.org/x/text/encoding/unicode"
)

// Limits that bound the work done on one message, whatever its bytes.
const (
	maxMIMEDepth     = 20        // nesting of multiparts and attached messages
	maxMIMEParts     = 1000      // body parts of one message
	maxHeaderFields  = 10000     // fields of one header section
	maxHeaderValue   = 64 << 10  // bytes of one unfolded header field
	maxAddresses     = 1000      // mailboxes kept from one address header
	maxParams        = 100       // parameters kept from one Content-Type or Content-Disposition
	maxNotes         = 50        // notes kept for one message
	maxLineLength    = 998       // RFC 5322 section 2.1.1
	previewRunes     = 120       // length of Summary.Preview
	previewTextRead  = 4 << 10   // encoded bytes of a text part read for the preview
	previewTextFirst = 1 << 10   // read first: enough for most (see quickText)
	previewHTMLRead  = 128 << 10 // the same for HTML, which often opens with a long style sheet
	previewEnough    = 2 << 10   // rendered bytes after which the preview stops reading parts
)

// Message is a decoded, readable message: what the reader view shows.
type Message struct {
	// Summary is what Summarize gives for the same bytes.
	Summary Summary
	// Headers are the decoded From, To, Cc, Date and Subject for display, in
	// that order; absent or empty ones are left out.
	Headers []HeaderLine
	// Body is the readable text: text/plain when there is one, else HTML
	// turned into text. Lines end in "\n"; there are no control characters
	// other than newline and tab.
	Body string
	// Attachments are numbered from 1 in order of appearance.
	Attachments []Attachment
	// Notes says in plain sentences what could not be read (a wrong
	// character set, damaged base64, an unclosed boundary ...). It holds the
	// Summary's notes and those found while decoding the whole body.
	Notes []string
}

// HeaderLine is one decoded header field for display.
type HeaderLine struct {
	Name  string
	Value string
}

// Attachment describes one attached (or inline) file of a message.
type Attachment struct {
	// Index is the 1-based number of the attachment in order of appearance.
	Index int
	// Filename is the decoded file name (RFC 2231 and RFC 2047); "" when the
	// part has none. Pass it through SafeFilename before saving.
	Filename string
	// Type is the lower-case media type, e.g. image/png.
	Type string
	// Size is the decoded size in bytes.
	Size int64
	// Inline is set for parts meant to be shown within the text, such as
	// images referenced from an HTML body.
	Inline bool
}

// ErrNoAttachment is returned by AttachmentData for a number the message
// has no attachment for.
var ErrNoAttachment = errors.New("no such attachment")

// keepPanics, when set, stops Summarize, Parse and AttachmentData from
// turning an internal panic into a note. Only the fuzz target sets it, so
// that it sees every panic.
var keepPanics atomic.Bool

const internalErrorNote = "The message could not be read because of an internal error; its raw bytes are kept unchanged."

// Summarize parses raw (the exact bytes from the server, CRLF line ends) and
// returns its Summary. fetched is the time used when the Date header is
// missing or unreadable (then DateMissing is set). It never fails and never
// panics; problems go into Summary.Notes. It reads only the headers, the MIME
// structure and the start of the first readable text part, so it stays cheap
// for messages with large attachments.
func Summarize(raw []byte, fetched time.Time) (s Summary) {
	if !keepPanics.Load() {
		defer func() {
			if recover() != nil {
				s = brokenSummary(raw, fetched)
			}
		}()
	}
	return parseMessage(raw).summary(fetched)
}

// Parse decodes raw into a readable Message. It never fails and never panics;
// what could not be read is described in Message.Notes.
func Parse(raw []byte, fetched time.Time) (m *Message) {
	if !keepPanics.Load() {
		defer func() {
			if recover() != nil {
				m = &Message{Summary: brokenSummary(raw, fetched), Notes: []string{internalErrorNote}}
			}
		}()
	}
	pm := parseMessage(raw)
	sum := pm.summary(fetched)
	notes := noteList{items: append([]string(nil), sum.Notes...)}
	r := bodyRenderer{notes: &notes, hint: pm.hint}
	r.part(pm.root)
	m = &Message{
		Summary: sum,
		Headers: pm.env.headerLines(),
		Body:    r.b.String(),
	}
	for i, p := range pm.root.attachments() {
		a := p.attachmentInfo(i+1, pm.hint, &notes)
		a.Size = p.decodedSize(&notes)
		m.Attachments = append(m.Attachments, a)
	}
	m.Notes = notes.result()
	return m
}

// AttachmentData returns the decoded bytes of attachment n (1-based, as in
// Message.Attachments). Damaged base64 is decoded as far as it goes; Parse
// notes the damage. The error wraps ErrNoAttachment when there is no
// attachment n.
func AttachmentData(raw []byte, n int) (a Attachment, data []byte, err error) {
	if !keepPanics.Load() {
		defer func() {
			if recover() != nil {
				a, data, err = Attachment{}, nil, fmt.Errorf("attachment %d: the message could not be read because of an internal error", n)
			}
		}()
	}
	var notes noteList
	ps := mimeParser{notes: &notes}
	root := ps.entity(raw, 0, "text/plain", true)
	list := root.attachments()
	if n < 1 || n > len(list) {
		return Attachment{}, nil, fmt.Errorf("attachment %d: %w (the message has %d)", n, ErrNoAttachment, len(list))
	}
	p := list[n-1]
	data, _ = p.decode(0, &notes)
	a = p.attachmentInfo(n, charsetHint(root), &notes)
	a.Size = int64(len(data))
	return a, data, nil
}

// SafeFilename turns an attachment name into a safe base name for saving: no
// path separators, no "..", no control or bidirectional-override
// characters, no characters Windows refuses, not empty (the fallback is
// "attachment-N"). Japanese and other non-ASCII letters are kept.
func SafeFilename(name string, n int) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	lastDot := false
	for _, r := range name {
		switch {
		case unicode.IsSpace(r):
			r = ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || isHiddenFormat(r):
			continue
		case strings.ContainsRune(`<>:"|?*`, r):
			r = '_'
		}
		if r == '.' && lastDot {
			continue
		}
		lastDot = r == '.'
		b.WriteRune(r)
	}
	s := strings.Trim(b.String(), " .")
	if s == "" {
		return fmt.Sprintf("attachment-%d", n)
	}
	stem := s
	if i := strings.IndexByte(s, '.'); i >= 0 {
		stem = s[:i]
	}
	switch strings.ToUpper(strings.TrimSpace(stem)) {
	case "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9":
		s = "_" + s
	}
	// Most file systems allow 255 bytes in a name; keep the extension.
	const maxName = 240
	if len(s) > maxName {
		ext := ""
		if i := strings.LastIndexByte(s, '.'); i > 0 && len(s)-i <= 16 {
			ext = s[i:]
		}
		cut := maxName - len(ext)
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = strings.TrimRight(s[:cut], " .") + ext
	}
	return s
}

func brokenSummary(raw []byte, fetched time.Time) Summary {
	return Summary{Date: fetched, DateMissing: true, Size: int64(len(raw)), Notes: []string{internalErrorNote}}
}

// noteList collects notes in order, without repeats and up to maxNotes.
type noteList struct {
	items []string
	full  bool
}

func (n *noteList) add(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	for _, x := range n.items {
		if x == s {
			return
		}
	}
	if len(n.items) >= maxNotes {
		if !n.full {
			n.full = true
			n.items = append(n.items, "More problems were found than are listed here.")
		}
		return
	}
	n.items = append(n.items, s)
}

func (n *noteList) merge(o *noteList) {
	for _, s := range o.items {
		n.add("%s", s)
	}
}

// result returns a copy of the notes, nil when there are none.
func (n *noteList) result() []string {
	if len(n.items) == 0 {
		return nil
	}
	return append([]string(nil), n.items...)
}

// upperFirst capitalises the first letter of a note that starts with a
// description such as "the text".
func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// quoteForNote shows a value from the message inside a note: cleaned and
// short.
func quoteForNote(s string) string {
	s = SafeLine(s)
	if utf8.RuneCountInString(s) > 60 {
		r := []rune(s)
		s = string(r[:59]) + "…"
	}
	return `"` + s + `"`
}

// parsedMessage is a message split into its MIME tree, with its envelope
// headers decoded.
type parsedMessage struct {
	raw   []byte
	root  *mimePart
	env   msgEnvelope
	hint  string // character set for 8-bit header text that declares none
	notes noteList
}

func parseMessage(raw []byte) *parsedMessage {
	pm := &parsedMessage{raw: raw}
	var tree noteList
	ps := mimeParser{notes: &tree}
	pm.root = ps.entity(raw, 0, "text/plain", true)
	pm.hint = charsetHint(pm.root)
	pm.env = readEnvelope(&pm.root.hdr, pm.hint, &pm.notes, true)
	pm.notes.merge(&tree)
	pm.checkBytes()
	return pm
}

// checkBytes notes line ends, line lengths and NUL bytes that break the
// rules of RFC 5322. One pass over the bytes, without copying.
func (pm *parsedMessage) checkBytes() {
	raw := pm.raw
	if bytes.IndexByte(raw, 0) >= 0 {
		pm.notes.add("The message contains NUL bytes; they were left out.")
	}
	longest, crlf, bare := 0, 0, 0
	for start := 0; start < len(raw); {
		i := bytes.IndexByte(raw[start:], '\n')
		if i < 0 {
			longest = max(longest, len(raw)-start)
			break
		}
		n := i
		if i > 0 && raw[start+i-1] == '\r' {
			crlf++
			n--
		} else {
			bare++
		}
		longest = max(longest, n)
		start += i + 1
	}
	if bare > 0 && crlf == 0 {
		pm.notes.add("The message uses LF line ends instead of CRLF.")
	}
	if longest > maxLineLength {
		pm.notes.add("The message has a line of %d bytes, longer than the %d allowed; it was read anyway.", longest, maxLineLength)
	}
}

func (pm *parsedMessage) summary(fetched time.Time) Summary {
	notes := noteList{items: append([]string(nil), pm.notes.items...), full: pm.notes.full}
	e := &pm.env
	s := Summary{
		To:        e.to,
		Cc:        e.cc,
		Subject:   e.subject,
		MessageID: e.messageID,
		Size:      int64(len(pm.raw)),
		Date:      e.date,
	}
	if len(e.from) > 0 {
		s.From = e.from[0]
	}
	if !e.dateOK {
		s.Date = fetched
		s.DateMissing = true
	}
	for _, p := range pm.root.attachments() {
		if !(p.relatedExtra && p.disp != "attachment") {
			s.Attachments = true
			break
		}
	}
	r := bodyRenderer{notes: &notes, hint: pm.hint, preview: true}
	r.part(pm.root)
	s.Preview = makePreview(r.b.String())
	s.Notes = notes.result()
	return s
}

// makePreview collapses whitespace and keeps the first previewRunes runes.
func makePreview(s string) string {
	var b strings.Builder
	n := 0
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = n > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
		if n > previewRunes {
			break
		}
	}
	if n <= previewRunes {
		return b.String()
	}
	rs := []rune(b.String())
	return strings.TrimRight(string(rs[:previewRunes-1]), " ") + "…"
}

// ---- Header sections -------------------------------------------------------

// mimeField is one header field; its value stays in the source bytes until
// asked for.
type mimeField struct {
	name       []byte
	start, end int // value bytes in src, after the colon, folded lines included
	folded     bool
}

// mimeHeader is a parsed header section.
type mimeHeader struct {
	src    []byte
	fields []mimeField
}

// value returns the unfolded value of the first field called name, with
// surrounding whitespace removed.
func (h *mimeHeader) value(name string) ([]byte, bool) {
	for _, f := range h.fields {
		if string(f.name) == name || bytes.EqualFold(f.name, []byte(name)) {
			v := h.src[f.start:f.end]
			if f.folded {
				// RFC 5322 section 2.2.3: unfolding removes the line breaks
				// and keeps the white space that starts each continuation.
				u := make([]byte, 0, len(v))
				for _, c := range v {
					if c != '\r' && c != '\n' {
						u = append(u, c)
					}
				}
				v = u
			}
			return bytes.Trim(v, " \t\r\n"), true
		}
	}
	return nil, false
}

// valueCapped is value with the length bounded to maxHeaderValue.
func (h *mimeHeader) valueCapped(name string, notes *noteList) ([]byte, bool) {
	v, ok := h.value(name)
	if len(v) > maxHeaderValue {
		notes.add("The %s header is %d bytes long; only the first %d were read.", name, len(v), maxHeaderValue)
		v = v[:maxHeaderValue]
	}
	return v, ok
}

// parseMIMEHeader splits b into its header section and body. It stops at the
// first empty line, or, for broken messages, at the first line that is
// neither a field nor a continuation.
func parseMIMEHeader(b []byte, notes *noteList, top bool) (mimeHeader, []byte) {
	h := mimeHeader{src: b}
	pos := 0
	tooMany := false
	for pos < len(b) {
		lineEnd, next := len(b), len(b)
		if i := bytes.IndexByte(b[pos:], '\n'); i >= 0 {
			lineEnd, next = pos+i, pos+i+1
		}
		end := lineEnd
		if end > pos && b[end-1] == '\r' {
			end--
		}
		line := b[pos:end]
		if len(line) == 0 {
			return h, b[next:]
		}
		if line[0] == ' ' || line[0] == '\t' {
			if n := len(h.fields); n > 0 {
				if !tooMany {
					h.fields[n-1].end = end
					h.fields[n-1].folded = true
				}
				pos = next
				continue
			}
			if len(bytes.TrimSpace(line)) == 0 {
				pos = next
				continue
			}
		} else if colon := headerNameEnd(line); colon > 0 {
			if len(h.fields) >= maxHeaderFields {
				if !tooMany {
					tooMany = true
					notes.add("The header has more than %d fields; the rest were ignored.", maxHeaderFields)
				}
			} else {
				h.fields = append(h.fields, mimeField{
					name:  bytes.TrimRight(line[:colon], " \t"),
					start: pos + colon + 1,
					end:   end,
				})
			}
			pos = next
			continue
		} else if pos == 0 && top && bytes.HasPrefix(line, []byte("From ")) {
			// An mbox "From " line left in front of the message.
			pos = next
			continue
		}
		if top {
			notes.add("The message has no blank line after its header; the body may start too early.")
		} else {
			notes.add("A part has no blank line after its header; its first line was read as text.")
		}
		return h, b[pos:]
	}
	return h, nil
}

// headerNameEnd returns the index of the colon ending a field name at the
// start of line, or -1 when the line does not start with a field name.
func headerNameEnd(line []byte) int {
	i := 0
	for i < len(line) && line[i] > ' ' && line[i] < 0x7f && line[i] != ':' {
		i++
	}
	if i == 0 {
		return -1
	}
	// Obsolete syntax allows white space before the colon (RFC 5322 4.5).
	j := i
	for j < len(line) && (line[j] == ' ' || line[j] == '\t') {
		j++
	}
	if j < len(line) && line[j] == ':' {
		return j
	}
	return -1
}

// ---- The envelope: From, To, Cc, Subject, Date, Message-ID ----------------

type msgEnvelope struct {
	from, to, cc                  []Address
	hasFrom, hasTo, hasCc         bool
	fromText                      string // the cleaned From value, for display when it holds no address
	subject                       string
	date                          time.Time
	dateOK                        bool
	dateText                      string
	messageID                     string
	toText, ccText                string
	hasSubject, hasDate, hasMsgID bool
}

// readEnvelope decodes the fields the list and the reader show. top is set
// for the message itself (missing fields are then noted), not for a
// forwarded message inside it.
func readEnvelope(h *mimeHeader, hint string, notes *noteList, top bool) msgEnvelope {
	var e msgEnvelope
	from, ok := h.valueCapped("From", notes)
	if !ok || len(from) == 0 {
		from, ok = h.valueCapped("Sender", notes)
	}
	if ok && len(from) > 0 {
		e.hasFrom = true
		text := headerText(from, hint, "the From header", notes)
		e.from = parseMailboxList(text, "the From header", notes)
		if len(e.from) == 0 {
			e.fromText = SafeLine(decodeWords(text, "the From header", notes))
			if top {
				notes.add("The From header has no address.")
			}
		}
	} else if top {
		notes.add("The message has no From header.")
	}
	if v, ok := h.valueCapped("To", notes); ok && len(v) > 0 {
		e.hasTo = true
		text := headerText(v, hint, "the To header", notes)
		if e.to = parseMailboxList(text, "the To header", notes); len(e.to) == 0 {
			e.toText = SafeLine(decodeWords(text, "the To header", notes))
		}
	}
	if v, ok := h.valueCapped("Cc", notes); ok && len(v) > 0 {
		e.hasCc = true
		text := headerText(v, hint, "the Cc header", notes)
		if e.cc = parseMailboxList(text, "the Cc header", notes); len(e.cc) == 0 {
			e.ccText = SafeLine(decodeWords(text, "the Cc header", notes))
		}
	}
	if v, ok := h.valueCapped("Subject", notes); ok {
		e.hasSubject = true
		e.subject = SafeLine(decodeWords(headerText(v, hint, "the Subject header", notes), "the Subject header", notes))
	} else if top {
		notes.add("The message has no Subject header.")
	}
	if v, ok := h.valueCapped("Date", notes); ok && len(bytes.TrimSpace(v)) > 0 {
		e.hasDate = true
		e.dateText = SafeLine(headerText(v, hint, "the Date header", notes))
		e.date, e.dateOK = parseMailDate(e.dateText)
		if !e.dateOK && top {
			notes.add("The Date header %s could not be read; the time the message was fetched is shown instead.", quoteForNote(e.dateText))
		}
	} else if top {
		notes.add("The message has no Date header; the time it was fetched is shown instead.")
	}
	if v, ok := h.valueCapped("Message-ID", notes); ok {
		id := SafeLine(string(v))
		if i := strings.IndexByte(id, '<'); i >= 0 {
			if j := strings.IndexByte(id[i:], '>'); j > 0 {
				id = id[i+1 : i+j]
			}
		}
		e.messageID = strings.Join(strings.Fields(id), "")
	}
	return e
}

// headerLines gives the header fields for display.
func (e *msgEnvelope) headerLines() []HeaderLine {
	var out []HeaderLine
	add := func(name, value string) {
		if value != "" {
			out = append(out, HeaderLine{Name: name, Value: value})
		}
	}
	if e.hasFrom {
		add("From", formatAddresses(e.from, e.fromText))
	}
	if e.hasTo {
		add("To", formatAddresses(e.to, e.toText))
	}
	if e.hasCc {
		add("Cc", formatAddresses(e.cc, e.ccText))
	}
	if e.hasDate {
		add("Date", e.displayDate())
	}
	if e.hasSubject {
		add("Subject", e.subject)
	}
	return out
}

func (e *msgEnvelope) displayDate() string {
	if e.dateOK {
		return e.date.Format("Mon, 2 Jan 2006 15:04:05 -0700")
	}
	return e.dateText
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

// ---- Header text and RFC 2047 encoded words --------------------------------

// headerText turns raw header bytes into UTF-8 before any structure is read:
// raw ISO-2022-JP (common in older Japanese mail) and unlabelled 8-bit text
// would otherwise confuse the address parser. Encoded words are left alone.
func headerText(v []byte, hint, what string, notes *noteList) string {
	if isASCII(v) {
		if bytes.IndexByte(v, 0x1b) >= 0 && looksISO2022JP(v) {
			if s, ok := decodeClean(japanese.ISO2022JP, v, false); ok {
				return s
			}
		}
		return string(v)
	}
	if utf8.Valid(v) {
		// RFC 6532 allows UTF-8 in header fields.
		return string(v)
	}
	if hint != "" {
		if enc := lookupCharset(hint); enc != nil && enc != xunicode.UTF8 {
			if s, ok := decodeClean(enc, v, false); ok {
				notes.add("%s has 8-bit text without a character set; it was read as %s.", upperFirst(what), quoteForNote(hint))
				return s
			}
		}
	}
	s, name := guessCharset(v, false)
	notes.add("%s has 8-bit text without a character set; it was read as %s.", upperFirst(what), name)
	return s
}

// decodeWords decodes the RFC 2047 encoded words in s. It is lenient the way
// mail readers must be: words are found anywhere (also inside quoted strings
// and glued to other text), white space between adjacent words is dropped,
// and adjacent words in one character set are decoded together so that a
// character split across two words survives.
func decodeWords(s, what string, notes *noteList) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	var out strings.Builder
	var run []byte
	runCharset := ""
	flush := func() {
		if runCharset != "" {
			out.WriteString(convertCharset(run, runCharset, what, notes, false))
			run = run[:0]
			runCharset = ""
		}
	}
	pos, search := 0, 0
	prevWord := false
	for {
		j := strings.Index(s[search:], "=?")
		if j < 0 {
			break
		}
		j += search
		cs, data, end, ok := parseEncodedWord(s, j)
		if !ok {
			search = j + 2
			continue
		}
		lit := s[pos:j]
		if !(prevWord && strings.TrimLeft(lit, " \t\r\n") == "") {
			flush()
			out.WriteString(lit)
		}
		if runCharset != "" && !strings.EqualFold(runCharset, cs) {
			flush()
		}
		runCharset = cs
		run = append(run, data...)
		prevWord = true
		pos, search = end, end
	}
	flush()
	out.WriteString(s[pos:])
	return out.String()
}

// parseEncodedWord reads "=?charset?enc?text?=" at s[i:]. It returns the
// charset (without an RFC 2231 language suffix), the decoded bytes and the
// index after the word.
func parseEncodedWord(s string, i int) (charset string, data []byte, end int, ok bool) {
	p := i + 2
	q := strings.IndexByte(s[p:], '?')
	if q <= 0 || q > 64 {
		return "", nil, 0, false
	}
	charset = s[p : p+q]
	if strings.ContainsAny(charset, " \t\r\n=") {
		return "", nil, 0, false
	}
	if star := strings.IndexByte(charset, '*'); star >= 0 {
		charset = charset[:star]
	}
	p += q + 1
	if p+2 > len(s) || s[p+1] != '?' {
		return "", nil, 0, false
	}
	enc := s[p] | 0x20
	if enc != 'b' && enc != 'q' {
		return "", nil, 0, false
	}
	p += 2
	t := p
	for ; t < len(s); t++ {
		c := s[t]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			return "", nil, 0, false
		}
		if c == '?' {
			if t+1 < len(s) && s[t+1] == '=' {
				break
			}
			return "", nil, 0, false
		}
	}
	if t >= len(s) {
		return "", nil, 0, false
	}
	text := s[p:t]
	if enc == 'b' {
		data = decodeWordBase64(text)
	} else {
		data = decodeWordQ(text)
	}
	if charset == "" {
		charset = "utf-8"
	}
	return charset, data, t + 2, true
}

func decodeWordBase64(text string) []byte {
	if b, err := base64.StdEncoding.DecodeString(text); err == nil {
		return b
	}
	if b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(text, "=")); err == nil {
		return b
	}
	b, _ := decodeBase64([]byte(text), true)
	return b
}

func decodeWordQ(text string) []byte {
	out := make([]byte, 0, len(text))
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '_':
			out = append(out, ' ')
		case c == '=' && i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]):
			out = append(out, unhex(text[i+1])<<4|unhex(text[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return out
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// cleanText makes body text safe for a terminal: valid UTF-8, "\n" line
// ends, no control characters but newline and tab, no trailing white space
// on lines, no blank lines at either end.
func cleanText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	pending := 0 // spaces and tabs not written yet: dropped at a line end
	pendStart := 0
	flush := func(i int) {
		if pending > 0 {
			for _, c := range []byte(s[pendStart:i]) {
				if c == ' ' || c == '\t' {
					b.WriteByte(c)
				}
			}
			pending = 0
		}
	}
	for i := 0; i < len(s); {
		if c := s[i]; c > ' ' && c < 0x7f {
			// A run of visible ASCII, the bulk of most text, goes as is.
			j := i + 1
			for j < len(s) && s[j] > ' ' && s[j] < 0x7f {
				j++
			}
			flush(i)
			b.WriteString(s[i:j])
			i = j
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == ' ' || r == '\t':
			if pending == 0 {
				pendStart = i
			}
			pending++
		case r == '\r' || r == '\n':
			pending = 0
			if r == '\r' && i+1 < len(s) && s[i+1] == '\n' {
				size = 2
			}
			b.WriteByte('\n')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		default:
			flush(i)
			if r == utf8.RuneError && size == 1 {
				b.WriteString("\uFFFD")
			} else {
				b.WriteString(s[i : i+size])
			}
		}
		i += size
	}
	return strings.Trim(b.String(), "\n")
}

// ---- Addresses ---------------------------------------------------------------

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

// ---- Dates -------------------------------------------------------------------

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
	var text strings.Builder
	commentZone := ""
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
				if _, ok := mailZones[strings.ToUpper(strings.TrimSpace(s[cstart:i]))]; ok && commentZone == "" {
					commentZone = strings.ToUpper(strings.TrimSpace(s[cstart:i]))
				}
				text.WriteByte(' ')
			}
		case depth > 0:
		default:
			text.WriteByte(c)
		}
	}
	fields := strings.FieldsFunc(text.String(), func(r rune) bool {
		return r == ' ' || r == '\t' || r == ',' || r == '\r' || r == '\n'
	})
	if len(fields) > 16 {
		return time.Time{}, false
	}
	d := dateParts{day: -1, month: -1, year: -1}
	for _, tok := range fields {
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
	loc := time.UTC
	switch {
	case d.zoneName != "" && d.offset != 0:
		loc = time.FixedZone(d.zoneName, d.offset*60)
	case d.offset != 0:
		loc = time.FixedZone("", d.offset*60)
	}
	return time.Date(d.year, time.Month(d.month), d.day, d.hour, d.min, d.sec, 0, loc), true
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
	word := strings.ToLower(strings.TrimRight(tok, "."))
	if m := monthNumber(word); m > 0 {
		if d.month < 0 {
			d.month = m
		}
		return true
	}
	upper := strings.ToUpper(word)
	switch upper {
	case "AM":
		d.am = true
		return true
	case "PM":
		d.pm = true
		return true
	}
	if off, ok := mailZones[upper]; ok {
		if !d.zoneSet {
			d.zoneSet, d.zoneName, d.offset = true, upper, off
		}
		return true
	}
	if len(upper) == 1 && upper[0] >= 'A' && upper[0] <= 'Z' && !d.zoneSet {
		d.zoneSet = true
		return true
	}
	for _, prefix := range []string{"GMT", "UTC", "UT"} {
		if strings.HasPrefix(upper, prefix) && len(upper) > len(prefix) && (upper[len(prefix)] == '+' || upper[len(prefix)] == '-') {
			d.zone(upper[len(prefix):])
			return true
		}
	}
	return true // a weekday or an unknown word
}

func (d *dateParts) clock(s string) bool {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	if len(parts) == 3 {
		if dot := strings.IndexByte(parts[2], '.'); dot >= 0 {
			parts[2] = parts[2][:dot]
		}
	}
	var v [3]int
	for i, p := range parts {
		if len(p) == 0 || len(p) > 2 || !allDigits(p) {
			return false
		}
		v[i], _ = strconv.Atoi(p)
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
			m = monthNumber(strings.ToLower(parts[1]))
		}
		if m < 1 || m > 12 || num(parts[2]) < 0 {
			return false
		}
		d.year, d.yearDigits, d.month, d.day = num(parts[0]), 4, m, num(parts[2])
		return true
	}
	if m := monthNumber(strings.ToLower(parts[1])); m > 0 && num(parts[0]) >= 0 && num(parts[2]) >= 0 {
		d.day, d.month, d.year, d.yearDigits = num(parts[0]), m, num(parts[2]), len(parts[2])
		return true
	}
	return false
}

// monthNumber recognises month names and their abbreviations ("Mar",
// "March", "Sept"), returning 1..12 or 0.
func monthNumber(word string) int {
	if len(word) < 3 {
		return 0
	}
	for i, m := range mailMonths {
		if strings.HasPrefix(m, word) {
			return i + 1
		}
	}
	return 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

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

// ---- Content-Type and Content-Disposition parameters ---------------------

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
// lower-case type and its parameters.
func parseMediaValue(v string, notes *noteList) (string, mediaParams) {
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
				var b strings.Builder
				for k := 0; k < len(val); k++ {
					if val[k] == '\\' && k+1 < len(val) {
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
			return convertCharset(data, cs, "the file name", notes, false), true, true
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
	return convertCharset(data, cs, "the file name", notes, false), true, true
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

// ---- The MIME tree -----------------------------------------------------------

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

func (p *mimePart) filename(hint string, notes *noteList) string {
	v, ext, ok := p.dparams.lookup("filename")
	if !ok || v == "" {
		v, ext, _ = p.params.lookup("name")
	}
	if v == "" {
		return ""
	}
	if !ext {
		v = decodeWords(headerText([]byte(v), hint, "the file name", notes), "the file name", notes)
	}
	return SafeLine(v)
}

func (p *mimePart) attachmentInfo(n int, hint string, notes *noteList) Attachment {
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
	if name := p.filename("", &scratch); name != "" {
		return "the attachment " + quoteForNote(name)
	}
	return "the " + p.typ + " part"
}

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
			inner, _ = p.decode(0, ps.notes)
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

// ---- Transfer encodings ------------------------------------------------------

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
		for i := 0; i < len(line); i++ {
			c := line[i]
			if c == '=' && i+2 < len(line) && isHex(line[i+1]) && isHex(line[i+2]) {
				out = append(out, unhex(line[i+1])<<4|unhex(line[i+2]))
				i += 2
				continue
			}
			out = append(out, c)
		}
		if hasNL && !soft {
			out = append(out, '\r', '\n')
		}
	}
	return out
}

// ---- Character sets ----------------------------------------------------------

// charsetAliases holds labels mail uses that the WHATWG and IANA tables do
// not know, or map to something less useful.
var charsetAliases = map[string]encoding.Encoding{
	"cp932":          japanese.ShiftJIS,
	"ms932":          japanese.ShiftJIS,
	"x-ms-cp932":     japanese.ShiftJIS,
	"windows-932":    japanese.ShiftJIS,
	"sjis":           japanese.ShiftJIS,
	"x-sjis":         japanese.ShiftJIS,
	"shift-jis":      japanese.ShiftJIS,
	"csshiftjis":     japanese.ShiftJIS,
	"iso-2022-jp-1":  japanese.ISO2022JP,
	"iso-2022-jp-2":  japanese.ISO2022JP,
	"iso-2022-jp-3":  japanese.ISO2022JP,
	"iso-2022-jp-ms": japanese.ISO2022JP,
	"csiso2022jp":    japanese.ISO2022JP,
	"csiso2022jp2":   japanese.ISO2022JP,
	"cp50220":        japanese.ISO2022JP,
	"cp50221":        japanese.ISO2022JP,
	"cp50222":        japanese.ISO2022JP,
	"eucjp":          japanese.EUCJP,
	"x-euc-jp":       japanese.EUCJP,
	"x-euc":          japanese.EUCJP,
	"euc_jp":         japanese.EUCJP,
	"cp51932":        japanese.EUCJP,
	"eucjp-ms":       japanese.EUCJP,
}

func cleanCharsetLabel(label string) string {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"' `))
	if i := strings.IndexByte(label, '*'); i >= 0 {
		label = label[:i]
	}
	return label
}

func isASCIILabel(l string) bool {
	switch l {
	case "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "csascii", "iso-ir-6", "646", "cp367", "ibm367":
		return true
	}
	return false
}

// lookupCharset finds the decoder for a charset label, or nil.
func lookupCharset(label string) encoding.Encoding {
	label = cleanCharsetLabel(label)
	if label == "" {
		return nil
	}
	if e, ok := charsetAliases[label]; ok {
		return e
	}
	if e, err := htmlindex.Get(label); err == nil && e != nil && e != encoding.Replacement {
		return e
	}
	if e, err := ianaindex.MIME.Encoding(label); err == nil && e != nil {
		return e
	}
	if e, err := ianaindex.IANA.Encoding(label); err == nil && e != nil {
		return e
	}
	return nil
}

// statefulLabel reports charsets whose pure-ASCII bytes may not mean ASCII.
func statefulLabel(l string) bool {
	for _, p := range []string{"utf-16", "utf-32", "ucs-2", "ucs-4", "utf-7", "hz-gb", "iso-2022", "csiso2022", "cp5022", "unicode"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// convertCharset turns b, declared to be in charset label, into UTF-8. what
// names the text in notes ("the text", "the Subject header"). cut says b was
// cut short for a preview, so a broken last character is expected. It never
// fails: an unknown or wrong label gives the best guess and a note.
func convertCharset(b []byte, label, what string, notes *noteList, cut bool) string {
	l := cleanCharsetLabel(label)
	if l == "" || isASCIILabel(l) {
		return convertUnlabelled(b, l, what, notes, cut)
	}
	enc := lookupCharset(l)
	if enc == xunicode.UTF8 || l == "utf8" {
		return convertUnlabelled(b, "utf-8", what, notes, cut)
	}
	if enc == nil {
		s, name := guessCharset(b, cut)
		notes.add("%s uses the unknown character set %s; it was read as %s.", upperFirst(what), quoteForNote(label), name)
		return s
	}
	if !statefulLabel(l) && isASCII(b) {
		return string(b)
	}
	out, err := enc.NewDecoder().Bytes(b)
	s := string(out)
	if cut {
		s = strings.TrimRight(s, "\uFFFD")
	}
	if err != nil || (strings.Contains(s, "\uFFFD") && !bytes.Contains(b, []byte("\uFFFD"))) {
		if g, name := guessCharset(b, cut); !strings.Contains(g, "\uFFFD") && lookupCharset(name) != enc {
			notes.add("%s is marked as %s but is not; it was read as %s.", upperFirst(what), quoteForNote(label), name)
			return g
		}
		if err != nil {
			s = strings.ToValidUTF8(string(b), "\uFFFD")
		}
		notes.add("Some characters of %s could not be read as %s.", what, quoteForNote(label))
		return s
	}
	if _, single := enc.(*charmap.Charmap); single && utf8.Valid(b) {
		// Bytes that are valid UTF-8 with multi-byte characters are almost
		// never meant as a single-byte charset: the label is wrong.
		notes.add("%s is marked as %s but is UTF-8; it was read as UTF-8.", upperFirst(what), quoteForNote(label))
		return string(b)
	}
	return s
}

// convertUnlabelled handles text with no charset, US-ASCII or UTF-8: valid
// UTF-8 stays, ISO-2022-JP escapes are honoured (older Japanese mail often
// declares nothing), and anything else is guessed with a note.
func convertUnlabelled(b []byte, label, what string, notes *noteList, cut bool) string {
	if bytes.IndexByte(b, 0x1b) >= 0 && looksISO2022JP(b) {
		if s, ok := decodeClean(japanese.ISO2022JP, b, cut); ok {
			if label == "utf-8" {
				notes.add("%s is marked as UTF-8 but is not; it was read as ISO-2022-JP.", upperFirst(what))
			}
			return s
		}
	}
	t := b
	if cut {
		t = trimPartialUTF8(b)
	}
	if utf8.Valid(t) {
		return string(t)
	}
	s, name := guessCharset(b, cut)
	switch label {
	case "":
		notes.add("%s has 8-bit characters but no character set; it was read as %s.", upperFirst(what), name)
	case "utf-8":
		notes.add("%s is marked as UTF-8 but is not; it was read as %s.", upperFirst(what), name)
	default:
		notes.add("%s is marked as US-ASCII but has 8-bit characters; it was read as %s.", upperFirst(what), name)
	}
	return s
}

// guessCharset decodes text of unknown charset: ISO-2022-JP when it has
// its escapes, UTF-8 when valid, EUC-JP or Shift_JIS when the bytes fit and
// look Japanese, else Windows-1252 (a superset of Latin-1 that never fails).
func guessCharset(b []byte, cut bool) (string, string) {
	if bytes.IndexByte(b, 0x1b) >= 0 && looksISO2022JP(b) {
		if s, ok := decodeClean(japanese.ISO2022JP, b, cut); ok {
			return s, "ISO-2022-JP"
		}
	}
	t := b
	if cut {
		t = trimPartialUTF8(b)
	}
	if utf8.Valid(t) {
		return string(t), "UTF-8"
	}
	if looksEUCJP(b, cut) {
		if s, ok := decodeClean(japanese.EUCJP, b, cut); ok {
			return s, "EUC-JP"
		}
	}
	if looksShiftJIS(b, cut) {
		if s, ok := decodeClean(japanese.ShiftJIS, b, cut); ok {
			return s, "Shift_JIS"
		}
	}
	out, _ := charmap.Windows1252.NewDecoder().Bytes(b)
	return string(out), "Windows-1252"
}

func decodeClean(enc encoding.Encoding, b []byte, cut bool) (string, bool) {
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return "", false
	}
	s := string(out)
	if cut {
		s = strings.TrimRight(s, "\uFFFD")
	}
	return s, !strings.Contains(s, "\uFFFD")
}

// trimPartialUTF8 drops an incomplete UTF-8 sequence at the end of b.
func trimPartialUTF8(b []byte) []byte {
	for i := 1; i <= 3 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < 0x80 {
			return b
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			return b
		}
	}
	return b
}

// looksISO2022JP reports 7-bit text with the escapes ISO-2022-JP uses to
// switch to JIS X 0208 or back.
func looksISO2022JP(b []byte) bool {
	for _, esc := range []string{"\x1b$B", "\x1b$@", "\x1b(J", "\x1b(I", "\x1b$(D"} {
		if bytes.Contains(b, []byte(esc)) {
			return isASCII(b)
		}
	}
	return false
}

// looksEUCJP reports bytes that are well-formed EUC-JP and contain kana or
// Japanese punctuation (rows 1, 4 and 5), which Latin-1 text almost never
// produces.
func looksEUCJP(b []byte, cut bool) bool {
	japanesey := false
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c < 0x80:
			i++
		case c == 0x8e:
			if i+1 >= len(b) {
				return cut
			}
			if b[i+1] < 0xa1 || b[i+1] > 0xdf {
				return false
			}
			i += 2
		case c == 0x8f:
			if i+2 >= len(b) {
				return cut
			}
			if b[i+1] < 0xa1 || b[i+1] > 0xfe || b[i+2] < 0xa1 || b[i+2] > 0xfe {
				return false
			}
			i += 3
		case c >= 0xa1 && c <= 0xfe:
			if i+1 >= len(b) {
				return cut && japanesey
			}
			if b[i+1] < 0xa1 || b[i+1] > 0xfe {
				return false
			}
			if c == 0xa1 || c == 0xa4 || c == 0xa5 {
				japanesey = true
			}
			i += 2
		default:
			return false
		}
	}
	return japanesey
}

// looksShiftJIS reports bytes that are well-formed Shift_JIS with at least
// one lead byte in 0x81-0x9F, where kana, punctuation and common kanji live
// and where Latin-1 letters never are.
func looksShiftJIS(b []byte, cut bool) bool {
	japanesey := false
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c < 0x80 || (c >= 0xa1 && c <= 0xdf):
			i++
		case (c >= 0x81 && c <= 0x9f) || (c >= 0xe0 && c <= 0xfc):
			if i+1 >= len(b) {
				return cut && japanesey
			}
			t := b[i+1]
			if t < 0x40 || t == 0x7f || t > 0xfc {
				return false
			}
			if c <= 0x9f {
				japanesey = true
			}
			i += 2
		default:
			return false
		}
	}
	return japanesey
}

// sniffHTMLCharset finds a <meta> charset declaration near the start of an
// HTML part that has no charset parameter.
func sniffHTMLCharset(b []byte) string {
	head := b[:min(len(b), 4096)]
	i := bytes.Index(bytes.ToLower(head), []byte("charset="))
	if i < 0 {
		return ""
	}
	rest := head[i+len("charset="):]
	rest = bytes.TrimLeft(rest, `"' `)
	end := 0
	for end < len(rest) && end < 40 {
		c := rest[end]
		if !(c == '-' || c == '_' || c == '.' || c == ':' || isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'z')) {
			break
		}
		end++
	}
	return string(rest[:end])
}

// ---- Rendering the readable body ---------------------------------------------

// bodyRenderer walks the MIME tree and writes the readable text. In preview
// mode it reads only the start of each text part and stops once it has
// enough for Summary.Preview.
type bodyRenderer struct {
	b       strings.Builder
	notes   *noteList
	hint    string
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
	sort.SliceStable(cands, func(a, b int) bool {
		if cands[a].score != cands[b].score {
			return cands[a].score > cands[b].score
		}
		return cands[a].i > cands[b].i
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
	hint := charsetHint(inner)
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
	if hint != "" {
		r.hint = hint
	}
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
	data, cut := p.decode(limit, r.notes)
	label := p.params.get("charset")
	if label == "" && html {
		label = sniffHTMLCharset(data)
	}
	s := convertCharset(data, label, "the text", r.notes, cut)
	switch {
	case html:
		s = htmlToText(s, !r.preview)
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
	data, cut := p.decode(previewTextFirst, notes)
	if len(notes.items) > 0 {
		return "", false
	}
	s := cleanText(convertCharset(data, label, "the text", notes, cut))
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
