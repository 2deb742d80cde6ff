// The values message decoding produces: Summary (persisted as JSON by the
// store, so its shape is fixed), Address, Message, HeaderLine, Attachment.

package mime

import "time"

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
	Name  string // "From", "To", "Cc", "Date" or "Subject"
	Value string // decoded and terminal-safe
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

// Address is one mailbox of a header: a display name (decoded) and an address.
type Address struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

// String formats a for a list column: the name when there is one, else the address.
func (a Address) String() string {
	if a.Name != "" {
		return a.Name
	}
	return a.Address
}

// Summary is what the list view needs of a message. It is computed once, when
// the message is stored, so the list never parses raw mail.
type Summary struct {
	From    Address   `json:"from"`
	To      []Address `json:"to,omitempty"`
	Cc      []Address `json:"cc,omitempty"`
	Subject string    `json:"subject"`
	// Date is the Date header; when that is missing or unreadable it is the
	// fetch time and DateMissing is set.
	Date        time.Time `json:"date"`
	DateMissing bool      `json:"date_missing,omitempty"`
	MessageID   string    `json:"message_id,omitempty"`
	Size        int64     `json:"size"`
	Attachments bool      `json:"attachments"`
	Preview     string    `json:"preview,omitempty"`
	// Notes lists what was wrong with the message while parsing it (a bad
	// charset, an unclosed boundary ...); empty for a clean message.
	Notes []string `json:"notes,omitempty"`
}
