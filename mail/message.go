package mail

import (
	"time"

	"popbox/mail/mime"
)

// Message decoding lives in popbox/mail/mime. The names below are the
// transition: they keep store, tui, cmd and the fetch engine compiling
// unchanged, and callers may move to package mime directly; new code
// should.

// Summary is mime.Summary: what the list view needs of a message, computed
// once when the message is stored.
type Summary = mime.Summary

// Address is mime.Address: one mailbox of a header.
type Address = mime.Address

// Message is mime.Message: a decoded, readable message.
type Message = mime.Message

// HeaderLine is mime.HeaderLine: one decoded header field for display.
type HeaderLine = mime.HeaderLine

// Attachment is mime.Attachment: one attached (or inline) file.
type Attachment = mime.Attachment

// ErrNoAttachment is mime.ErrNoAttachment.
var ErrNoAttachment = mime.ErrNoAttachment

// Summarize is mime.Summarize: the Summary of raw, never failing.
func Summarize(raw []byte, fetched time.Time) Summary { return mime.Summarize(raw, fetched) }

// Parse is mime.Parse: raw decoded into a readable Message, never failing.
func Parse(raw []byte, fetched time.Time) *Message { return mime.Parse(raw, fetched) }

// AttachmentData is mime.AttachmentData: the decoded bytes of attachment n.
func AttachmentData(raw []byte, n int) (Attachment, []byte, error) {
	return mime.AttachmentData(raw, n)
}

// SafeFilename is mime.SafeFilename: an attachment name made safe to save.
func SafeFilename(name string, n int) string { return mime.SafeFilename(name, n) }

// Link is mime.Link: one link of a message.
type Link = mime.Link
