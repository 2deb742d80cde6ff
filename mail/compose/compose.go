// Package compose builds outgoing messages: a Draft (new, a reply or a
// forward) becomes RFC 5322 bytes with go-message's writer, in UTF-8 or,
// for Japanese, in ISO-2022-JP (RFC 1468) when every character fits.
package compose

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	stdmime "mime"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
	"golang.org/x/text/encoding/japanese"

	"popbox/mail"
)

// Charset is the character set a Draft is written in.
type Charset int

// The character sets of a Draft.
const (
	UTF8 Charset = iota
	ISO2022JP
)

func (c Charset) String() string {
	if c == ISO2022JP {
		return "ISO-2022-JP"
	}
	return "UTF-8"
}

// Attachment is a file attached to a Draft: read from Path when Data is
// nil. Name defaults to Path's base name, ContentType to one guessed from
// the name (application/octet-stream when unknown).
type Attachment struct {
	Path        string
	Name        string
	ContentType string
	Data        []byte
}

// Draft is a message being written.
type Draft struct {
	From        mail.Address
	To, Cc, Bcc []mail.Address
	Subject     string
	Body        string
	Attachments []Attachment
	InReplyTo   string   // Message-ID with angle brackets, or ""
	References  []string // Message-IDs with angle brackets, oldest first
	Charset     Charset
	Flowed      bool // format=flowed (RFC 3676)
	// Date and MessageID are set by Build when zero.
	Date      time.Time
	MessageID string
}

// Built is a Draft as bytes, with what sending needs.
type Built struct {
	Raw       []byte
	MessageID string
	// Recipients are the bare addresses of To, Cc and Bcc, each once: the
	// SMTP RCPT list. Bcc is in no header.
	Recipients []string
	// Charset is what was written: UTF8 when ISO-2022-JP was asked for and
	// the text holds characters it cannot (FellBack is then set).
	Charset  Charset
	FellBack bool
}

// ErrNoRecipient: the draft has no To, Cc or Bcc.
var ErrNoRecipient = errors.New("no recipient")

// Build writes d as an RFC 5322 message.
func Build(d Draft) (Built, error) {
	var out Built
	for _, l := range [][]mail.Address{d.To, d.Cc, d.Bcc} {
		for _, a := range l {
			if a.Address != "" && !contains(out.Recipients, a.Address) {
				out.Recipients = append(out.Recipients, a.Address)
			}
		}
	}
	if len(out.Recipients) == 0 {
		return out, ErrNoRecipient
	}
	cs := d.Charset
	if cs == ISO2022JP && !fitsJIS(d) {
		cs, out.FellBack = UTF8, true
	}
	out.Charset = cs
	if d.Date.IsZero() {
		d.Date = time.Now()
	}
	if d.MessageID == "" {
		d.MessageID = NewMessageID(d.From.Address)
	}
	out.MessageID = d.MessageID

	var h message.Header
	h.Set("Date", d.Date.Format(time.RFC1123Z))
	h.Set("From", formatAddresses([]mail.Address{d.From}, cs))
	if len(d.To) > 0 {
		h.Set("To", formatAddresses(d.To, cs))
	}
	if len(d.Cc) > 0 {
		h.Set("Cc", formatAddresses(d.Cc, cs))
	}
	h.Set("Subject", encodeText(d.Subject, cs))
	h.Set("Message-ID", d.MessageID)
	if d.InReplyTo != "" {
		h.Set("In-Reply-To", d.InReplyTo)
	}
	if len(d.References) > 0 {
		h.Set("References", strings.Join(d.References, " "))
	}
	h.Set("MIME-Version", "1.0")

	text, textHeader, err := textPart(d.Body, cs, d.Flowed)
	if err != nil {
		return out, err
	}
	// go-message's message.Writer refuses any charset but UTF-8 and
	// US-ASCII, so the parts are written with its textproto layer (header
	// folding, multipart boundaries) and encoded here.
	var b bytes.Buffer
	if len(d.Attachments) == 0 {
		for f := textHeader.Fields(); f.Next(); {
			h.Set(f.Key(), f.Value())
		}
		if err := writeEntity(&b, h, text); err != nil {
			return out, err
		}
		out.Raw = b.Bytes()
		return out, nil
	}
	type part struct {
		h    message.Header
		data []byte
	}
	parts := []part{{textHeader, text}}
	for _, a := range d.Attachments {
		ph, data, err := attachmentPart(a)
		if err != nil {
			return out, err
		}
		parts = append(parts, part{ph, data})
	}
	mw := textproto.NewMultipartWriter(&b)
	h.SetContentType("multipart/mixed", map[string]string{"boundary": mw.Boundary()})
	if err := textproto.WriteHeader(&b, h.Header); err != nil {
		return out, err
	}
	for _, p := range parts {
		pw, err := mw.CreatePart(p.h.Header)
		if err != nil {
			return out, err
		}
		if err := writeBody(pw, p.h, p.data); err != nil {
			return out, err
		}
	}
	if err := mw.Close(); err != nil {
		return out, err
	}
	out.Raw = b.Bytes()
	return out, nil
}

// writeEntity writes header h and data encoded by h's
// Content-Transfer-Encoding.
func writeEntity(w io.Writer, h message.Header, data []byte) error {
	if err := textproto.WriteHeader(w, h.Header); err != nil {
		return err
	}
	return writeBody(w, h, data)
}

// writeBody writes data encoded by h's Content-Transfer-Encoding.
func writeBody(w io.Writer, h message.Header, data []byte) error {
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "base64":
		enc := base64.StdEncoding.EncodeToString(data)
		for len(enc) > 76 {
			if _, err := io.WriteString(w, enc[:76]+"\r\n"); err != nil {
				return err
			}
			enc = enc[76:]
		}
		if enc != "" {
			_, err := io.WriteString(w, enc+"\r\n")
			return err
		}
		return nil
	case "quoted-printable":
		qw := quotedprintable.NewWriter(w)
		if _, err := qw.Write(data); err != nil {
			return err
		}
		return qw.Close()
	}
	_, err := w.Write(data)
	return err
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// NewMessageID is a random Message-ID at the domain of from ("localhost"
// when from has none).
func NewMessageID(from string) string {
	domain := "localhost"
	if i := strings.LastIndexByte(from, '@'); i >= 0 && i+1 < len(from) {
		domain = from[i+1:]
	}
	var r [16]byte
	rand.Read(r[:])
	return "<" + hex.EncodeToString(r[:]) + "@" + domain + ">"
}

// fitsJIS says whether every text of d can be written in ISO-2022-JP.
func fitsJIS(d Draft) bool {
	texts := []string{d.Subject, d.Body, d.From.Name}
	for _, l := range [][]mail.Address{d.To, d.Cc} {
		for _, a := range l {
			texts = append(texts, a.Name)
		}
	}
	for _, s := range texts {
		if _, err := toJIS(s); err != nil {
			return false
		}
	}
	return true
}

// toJIS encodes s in ISO-2022-JP. Half-width katakana (JIS X 0201, not
// in RFC 1468) counts as not fitting.
func toJIS(s string) ([]byte, error) {
	for _, r := range s {
		if r >= 0xFF61 && r <= 0xFF9F {
			return nil, fmt.Errorf("half-width katakana %q", r)
		}
	}
	b, err := japanese.ISO2022JP.NewEncoder().Bytes([]byte(s))
	if err != nil {
		return nil, err
	}
	return b, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// encodeText is s as a header's unstructured text: as it is when ASCII,
// else RFC 2047 encoded words in the charset.
func encodeText(s string, cs Charset) string {
	s = strings.Join(strings.Fields(s), " ")
	if isASCII(s) {
		return s
	}
	return encodedWords(s, cs)
}

// maxWord is the longest encoded word written: RFC 2047 allows 75, but
// go-message folds a header only at spaces and gives up on a first word
// that does not fit beside the field name within 76 columns.
const maxWord = 60

// encodedWords encodes s as "B" encoded words in the charset, each a run
// of whole characters (for ISO-2022-JP ending back in ASCII, RFC 1468) of
// at most maxWord octets.
func encodedWords(s string, cs Charset) string {
	prefix := "=?UTF-8?B?"
	enc := func(r []rune) []byte { return []byte(string(r)) }
	if cs == ISO2022JP {
		prefix = "=?ISO-2022-JP?B?"
		enc = func(r []rune) []byte { b, _ := toJIS(string(r)); return b }
	}
	room := maxWord - len(prefix) - len("?=")
	var words []string
	var run []rune
	flush := func() {
		if len(run) > 0 {
			words = append(words, prefix+base64.StdEncoding.EncodeToString(enc(run))+"?=")
			run = run[:0]
		}
	}
	for _, r := range s {
		if base64.StdEncoding.EncodedLen(len(enc(append(run, r)))) > room {
			flush()
		}
		run = append(run, r)
	}
	flush()
	return strings.Join(words, " ")
}

// formatAddresses is an address list header value.
func formatAddresses(l []mail.Address, cs Charset) string {
	var out []string
	for _, a := range l {
		switch {
		case a.Name == "":
			out = append(out, a.Address)
		case isASCII(a.Name):
			out = append(out, quotePhrase(a.Name)+" <"+a.Address+">")
		default:
			out = append(out, encodeText(a.Name, cs)+" <"+a.Address+">")
		}
	}
	return strings.Join(out, ", ")
}

// quotePhrase quotes a display name unless it is atoms only.
func quotePhrase(s string) string {
	for _, r := range s {
		if !(r == ' ' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r)) {
			return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
		}
	}
	return s
}

// textPart is the body as bytes (line ends CRLF) and its header.
func textPart(body string, cs Charset, flowed bool) ([]byte, message.Header, error) {
	body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\r", "\n")
	if flowed {
		body = flow(body)
	}
	if body != "" && !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	var h message.Header
	params := map[string]string{"charset": strings.ToLower(cs.String())}
	if cs == ISO2022JP {
		params["charset"] = "ISO-2022-JP"
	}
	if flowed {
		params["format"] = "flowed"
	}
	h.SetContentType("text/plain", params)
	text := []byte(strings.ReplaceAll(body, "\n", "\r\n"))
	switch {
	case cs == ISO2022JP:
		b, err := toJIS(string(text))
		if err != nil {
			return nil, h, err
		}
		text = b
		h.Set("Content-Transfer-Encoding", "7bit")
	case isASCII(body) && !longLines(body):
		h.Set("Content-Transfer-Encoding", "7bit")
	default:
		h.Set("Content-Transfer-Encoding", "quoted-printable")
	}
	return text, h, nil
}

func longLines(s string) bool {
	for _, l := range strings.Split(s, "\n") {
		if len(l) > 998 {
			return true
		}
	}
	return false
}

// flow writes body as format=flowed (RFC 3676): lines longer than 78
// characters are broken after a space, the space left at the end of the
// line as the soft break; trailing spaces of the text's own lines are
// removed (they would join lines), and lines starting with a space or
// "From " are space-stuffed.
func flow(body string) string {
	var b strings.Builder
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		if l != "-- " {
			l = strings.TrimRight(l, " ")
		}
		quote := ""
		for strings.HasPrefix(l[len(quote):], ">") {
			quote += ">"
		}
		rest := l[len(quote):]
		if quote == "" && (strings.HasPrefix(rest, " ") || strings.HasPrefix(rest, "From ")) {
			rest = " " + rest
		} else if quote != "" && strings.HasPrefix(rest, " ") {
			// "> text": the space after the quote marks stays stuffed.
			rest = " " + strings.TrimPrefix(rest, " ")
		}
		for utf8.RuneCountInString(rest) > 78 {
			cut := breakAt(rest, 78)
			if cut <= 0 {
				break
			}
			b.WriteString(quote + rest[:cut] + "\n")
			rest = rest[cut:]
			if quote == "" && (strings.HasPrefix(rest, " ") || strings.HasPrefix(rest, "From ")) {
				rest = " " + rest
			}
		}
		b.WriteString(quote + rest)
		if i < len(lines)-1 {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// breakAt is the byte offset just after the last space within the first
// n characters of s, or 0 when there is none.
func breakAt(s string, n int) int {
	last, count := 0, 0
	for i, r := range s {
		if count == n {
			break
		}
		count++
		if r == ' ' && i > 0 {
			last = i + 1
		}
	}
	return last
}

// attachmentPart is an attachment's header and bytes. The file name goes
// into the Content-Disposition by RFC 2231 (mime.FormatMediaType), not as
// an RFC 2047 word in quotes as go-message's SetFilename writes it.
func attachmentPart(a Attachment) (message.Header, []byte, error) {
	data := a.Data
	if data == nil {
		var err error
		if data, err = os.ReadFile(a.Path); err != nil {
			return message.Header{}, nil, fmt.Errorf("attach %s: %w", a.Path, err)
		}
	}
	name := a.Name
	if name == "" {
		name = filepath.Base(a.Path)
	}
	ct := a.ContentType
	if ct == "" {
		ct = stdmime.TypeByExtension(strings.ToLower(filepath.Ext(name)))
		if ct == "" {
			ct = "application/octet-stream"
		}
	}
	var h message.Header
	mt, _, _ := stdmime.ParseMediaType(ct)
	if mt == "" {
		mt = "application/octet-stream"
	}
	if strings.EqualFold(mt, "message/rfc822") {
		h.Set("Content-Type", "message/rfc822")
		if bytes.IndexFunc(data, func(r rune) bool { return r >= 0x80 }) >= 0 {
			h.Set("Content-Transfer-Encoding", "8bit")
		} else {
			h.Set("Content-Transfer-Encoding", "7bit")
		}
	} else {
		h.Set("Content-Type", stdmime.FormatMediaType(mt, map[string]string{"name": name}))
		h.Set("Content-Transfer-Encoding", "base64")
	}
	h.Set("Content-Disposition", stdmime.FormatMediaType("attachment", map[string]string{"filename": name}))
	return h, data, nil
}
