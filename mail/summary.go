package mail

import "time"

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
