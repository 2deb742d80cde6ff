// The envelope: From, To, Cc, Subject, Date and Message-ID as the list
// and the reader show them.

package mime

import (
	"bytes"
	"strings"
	"time"
)

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
func readEnvelope(h *mimeHeader, hint textHint, notes *noteList, top bool) msgEnvelope {
	var e msgEnvelope
	from, ok := h.valueCapped("From", notes)
	if !ok || len(from) == 0 {
		from, ok = h.valueCapped("Sender", notes)
	}
	if ok && len(from) > 0 {
		e.hasFrom = true
		text := headerText(from, hint, "the From header", notes)
		e.from = parseAddressList(text, "the From header", hint.sender, notes)
		if len(e.from) == 0 {
			e.fromText = SafeLine(decodeWords(text, "the From header", hint.sender, notes))
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
		if e.to = parseAddressList(text, "the To header", hint.sender, notes); len(e.to) == 0 {
			e.toText = SafeLine(decodeWords(text, "the To header", hint.sender, notes))
		}
	}
	if v, ok := h.valueCapped("Cc", notes); ok && len(v) > 0 {
		e.hasCc = true
		text := headerText(v, hint, "the Cc header", notes)
		if e.cc = parseAddressList(text, "the Cc header", hint.sender, notes); len(e.cc) == 0 {
			e.ccText = SafeLine(decodeWords(text, "the Cc header", hint.sender, notes))
		}
	}
	if v, ok := h.valueCapped("Subject", notes); ok {
		e.hasSubject = true
		e.subject = SafeLine(decodeWords(headerText(v, hint, "the Subject header", notes), "the Subject header", hint.sender, notes))
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
