// Package mime decodes mail messages for popbox: the raw bytes a POP3
// server sends become a Summary for the message list (Summarize), a
// readable Message for the reader (Parse), and the bytes of an attachment
// for saving (AttachmentData).
//
// The contract popbox keeps on top of the RFCs:
//
//   - Summarize, Parse and AttachmentData never panic, and Summarize and
//     Parse never fail. What could not be read (a wrong character set,
//     damaged base64, an unclosed boundary) becomes a plain sentence in
//     Notes, and the best text there is is shown anyway.
//   - The work is bounded whatever the bytes: nesting depth, number of
//     parts, header fields and their size, addresses, parameters and notes
//     all have limits.
//   - Summarize reads the headers, the structure and the start of the
//     first readable text; it never decodes an attachment, so it stays
//     cheap for large messages.
//   - Text comes out safe for a terminal: valid UTF-8 without control
//     characters but newline and tab in the body; one line, without
//     bidirectional overrides or other hidden format characters, in
//     headers, names and notes (SafeLine); file names safe to save under
//     (SafeFilename).
//
// One file per job: header.go (header sections, RFC 2047), envelope.go,
// address.go, date.go, params.go (RFC 2045 and 2231 parameters), tree.go
// (RFC 2046 structure), encodings.go (base64, quoted-printable),
// charset.go, japanese.go (Shift_JIS as CP932, ISO-2022-JP with its
// extensions), emoji.go (the mobile carriers' emoji), utf7.go, body.go,
// html.go, summary.go (the Summary and its preview), safetext.go and
// notes.go.
//
// The libraries do the work where they read mail as popbox must, and fast
// enough for a fetch of many thousands of messages: golang.org/x/net/html
// reads HTML, the standard library's net/mail well-formed address lists,
// mime.ParseMediaType well-formed parameters, encoding/base64 well-formed
// base64, and golang.org/x/text converts character sets (with popbox's
// own code for what Japanese mobile mail adds: carrier emoji, CP932 and
// CP50221 extensions, and UTF-7). Where go-message or the standard library
// refuses what mail carries, reads it wrongly or costs too much (headers
// and structure, encoded words, dates, the character set table,
// quoted-printable), the code is popbox's own; library_test.go shows why,
// case by case, and fails when a library changes so that a case no longer
// holds.
package mime

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"
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
	data, _, _ = p.decode(0, &notes)
	a = p.attachmentInfo(n, messageHint(root), &notes)
	a.Size = int64(len(data))
	return a, data, nil
}

func brokenSummary(raw []byte, fetched time.Time) Summary {
	return Summary{Date: fetched, DateMissing: true, Size: int64(len(raw)), Notes: []string{internalErrorNote}}
}
