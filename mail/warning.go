package mail

import (
	"fmt"
	"strconv"
	"time"
)

// WarningKind says what a Warning is about.
type WarningKind int

// The warnings of a fetch. Each names the fields of Warning it fills.
const (
	WarnNotStored        WarningKind = iota // UID, Unfaithful: a reply not taken as the message
	WarnNotRetrieved                        // UID, Text: RETR failed (the server's words)
	WarnMoreFailed                          // N: more messages failed than were listed one by one
	WarnLoginRefusedMore                    // Host: more mail may wait, the next login was refused
	WarnHintsNotSaved                       // Text: the server's hints could not be saved
	WarnUIDLLine                            // Host, Text: an odd line of UIDL
	WarnUIDLTwice                           // Host, N: a message number twice in UIDL
	WarnLISTLine                            // Host, Text: an odd line of LIST
	WarnLISTTwice                           // Host, N: a message number twice in LIST
	WarnListingMore                         // more odd lines of a listing
	WarnDeleRefused                         // Host, N, Text: DELE answered -ERR
	WarnNoUID                               // Host, N: messages listed without a UID
	WarnDuplicateUID                        // Host, UID: one UID for several messages
	WarnTooLarge                            // UID, Size, Limit: over the account's limit
	WarnOddUID                              // Host, N, UID: a UID POP3 does not allow, renamed
	WarnMoreLater                           // Host, Delay: more mail, after the login delay
	WarnExpire                              // Host, N (days), Retention: the server deletes on its own
	WarnDeliveryWaiting                     // N, Text, Delivery: messages still waiting for delivery
)

// Warning is something a fetch could not do, or found odd, and went on
// after: a message left on the server, a line of a listing it could not
// read. Kind says which; the other fields are what a sentence needs
// (tui/i18n makes it, in the user's language). Text from the server is
// made safe to print and quoted short.
type Warning struct {
	Kind        WarningKind
	Host        string
	UID         string // the message: its UID, or "#N" without one
	N           int
	Size, Limit int64
	Delay       time.Duration
	Text        string
	Retention   Retention
	Unfaithful  *UnfaithfulError
	Delivery    *DeliveryError
}

// String is the warning in English, for logs and tests.
func (w Warning) String() string {
	switch w.Kind {
	case WarnNotStored:
		return fmt.Sprintf("Message %s was not stored and stays on the server: %v.", w.UID, w.Unfaithful)
	case WarnNotRetrieved:
		return fmt.Sprintf("Message %s was not retrieved and stays on the server: %s.", w.UID, w.Text)
	case WarnMoreFailed:
		return fmt.Sprintf("%d more messages could not be retrieved.", w.N)
	case WarnLoginRefusedMore:
		return fmt.Sprintf("%s may hold more new mail, but it refused another login so soon; fetch again later.", w.Host)
	case WarnHintsNotSaved:
		return fmt.Sprintf("The server's hints could not be saved: %s.", w.Text)
	case WarnUIDLLine:
		return fmt.Sprintf("%s listed %s in UIDL, which is not a message number and a UID", w.Host, w.Text)
	case WarnUIDLTwice:
		return fmt.Sprintf("%s listed message %d twice in UIDL; the second entry was ignored", w.Host, w.N)
	case WarnLISTLine:
		return fmt.Sprintf("%s listed %s in LIST, which is not a message number and a size", w.Host, w.Text)
	case WarnLISTTwice:
		return fmt.Sprintf("%s listed message %d twice in LIST", w.Host, w.N)
	case WarnListingMore:
		return "More lines of the listing could not be read."
	case WarnDeleRefused:
		return fmt.Sprintf("%s did not delete message %d: -ERR %s", w.Host, w.N, w.Text)
	case WarnNoUID:
		return fmt.Sprintf("%s left %d of the messages it lists out of UIDL; popbox fetches them each time and knows them by their content", w.Host, w.N)
	case WarnDuplicateUID:
		return fmt.Sprintf("%s gave the UID %q to more than one message; one copy is fetched and none is deleted from the server.", w.Host, w.UID)
	case WarnTooLarge:
		return fmt.Sprintf("Message %s is %s, larger than the account's limit of %s, and stays on the server; raise the account's limit to fetch it.",
			w.UID, FormatSize(w.Size), FormatSize(w.Limit))
	case WarnOddUID:
		return fmt.Sprintf("%s gave message %d a UID that POP3 does not allow (more than %d characters, or characters other than visible ASCII); popbox knows it as %s.",
			w.Host, w.N, maxUID, w.UID)
	case WarnMoreLater:
		return fmt.Sprintf("%s may hold more new mail than it offered in one session, and it asks for %v between logins; fetch again after that.", w.Host, w.Delay)
	case WarnDeliveryWaiting:
		return fmt.Sprintf("%d messages are waiting for delivery and stay on the server: %s.", w.N, w.Text)
	case WarnExpire:
		when := fmt.Sprintf("%d days after it is retrieved", w.N)
		if w.N == 0 {
			when = "as soon as it is retrieved"
		}
		var expects string
		switch w.Retention.Kind {
		case RetainKeep:
			expects = "expects it to stay on the server"
		case RetainMirror:
			expects = "expects it to stay until you delete it in popbox"
		default:
			expects = "expects it to stay " + strconv.Itoa(w.Retention.Days) + " days"
		}
		return fmt.Sprintf("%s deletes mail on its own %s (CAPA EXPIRE %d), while retention %s %s; popbox keeps its own copy of what it fetched.",
			w.Host, when, w.N, w.Retention, expects)
	}
	return fmt.Sprintf("warning %d", w.Kind)
}
