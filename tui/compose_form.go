package tui

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	gomail "github.com/emersion/go-message/mail"

	"popbox/mail"
	"popbox/mail/compose"
	"popbox/store"
)

// composeKind is what a message being written answers.
type composeKind string

const (
	composeNew      composeKind = "new"
	composeReply    composeKind = "reply"
	composeReplyAll composeKind = "reply-all"
	composeForward  composeKind = "forward"
	composeForwardA composeKind = "forward-attached"
)

// composeForm is a message as the screen writes it, and as the outbox
// keeps a draft (store.SaveDraft): the text the editor shows, headers
// first, then what the text cannot hold.
type composeForm struct {
	Kind composeKind `json:"kind"`
	// Text is the editor's file: From, To, Cc, Bcc, Subject and Attach
	// lines, an empty line, the body.
	Text       string   `json:"text"`
	InReplyTo  string   `json:"in_reply_to,omitempty"`
	References []string `json:"references,omitempty"`
	JIS        bool     `json:"iso_2022_jp,omitempty"`
	Flowed     bool     `json:"flowed,omitempty"`
	// Attached are parts that come with the message and are no file: the
	// original of a forward as an attachment.
	Attached []compose.Attachment `json:"attached,omitempty"`
}

// maxAttachTotal bounds what may be attached to one message; most servers
// refuse more than 25 MB, and base64 makes 4 bytes of 3.
const maxAttachTotal = 25 << 20

// The header lines of the form, in the order the text shows them.
var formHeaders = []string{"From", "To", "Cc", "Bcc", "Subject", "Attach"}

// formFromDraft writes d as a form of kind k.
func formFromDraft(k composeKind, d compose.Draft) composeForm {
	var b strings.Builder
	line := func(name, value string) { b.WriteString(name + ": " + value + "\n") }
	line("From", formatAddresses([]mail.Address{d.From}))
	line("To", formatAddresses(d.To))
	line("Cc", formatAddresses(d.Cc))
	line("Bcc", formatAddresses(d.Bcc))
	line("Subject", d.Subject)
	var fixed []compose.Attachment
	for _, a := range d.Attachments {
		if a.Data == nil && a.Path != "" {
			line("Attach", a.Path)
		} else {
			fixed = append(fixed, a)
		}
	}
	b.WriteString("\n")
	b.WriteString(d.Body)
	return composeForm{Kind: k, Text: b.String(), InReplyTo: d.InReplyTo, References: d.References,
		JIS: d.Charset == compose.ISO2022JP, Flowed: d.Flowed, Attached: fixed}
}

// encode is the form as the outbox keeps it.
func (f composeForm) encode() []byte {
	b, _ := json.Marshal(f)
	return b
}

// decodeForm reads a form the outbox kept.
func decodeForm(b []byte) (composeForm, error) {
	var f composeForm
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("read the draft: %w", err)
	}
	return f, nil
}

// formProblem is what is wrong with a form, in the catalog's words: key
// and its arguments.
type formProblem struct {
	key  string
	args []any
}

func (p formProblem) text(l lang) string { return l.tr(p.key, p.args...) }

// parseForm reads the form's text into a draft from account a. What stops
// it from being sent (no recipient, an address that is not one, a file
// that is not there, a From that is not the account's) comes back as
// problems; the draft holds what could be read.
func parseForm(f composeForm, a mail.Account) (compose.Draft, []formProblem) {
	d := compose.Draft{From: mail.Address{Address: a.Email}, InReplyTo: f.InReplyTo, References: f.References, Flowed: f.Flowed}
	if f.JIS {
		d.Charset = compose.ISO2022JP
	}
	var problems []formProblem
	text := strings.ReplaceAll(f.Text, "\r\n", "\n")
	head, body, found := strings.Cut(text, "\n\n")
	if !found {
		// No empty line: all of it is headers when every line reads as
		// one, else all of it is the body.
		head, body = text, ""
	}
	d.Body = body
	var fields [][2]string
	for _, ln := range strings.Split(head, "\n") {
		if strings.TrimSpace(ln) == "" {
			continue
		}
		if (ln[0] == ' ' || ln[0] == '\t') && len(fields) > 0 {
			fields[len(fields)-1][1] += " " + strings.TrimSpace(ln)
			continue
		}
		name, value, ok := strings.Cut(ln, ":")
		if !ok || !knownHeader(name) {
			problems = append(problems, formProblem{"compose.badLine", []any{mail.SafeLine(ln)}})
			continue
		}
		fields = append(fields, [2]string{canonicalHeader(name), strings.TrimSpace(value)})
	}
	total := 0
	for _, a := range f.Attached {
		total += len(a.Data)
	}
	d.Attachments = append(d.Attachments, f.Attached...)
	for _, fv := range fields {
		name, value := fv[0], fv[1]
		switch name {
		case "From":
			if value == "" {
				continue
			}
			l, err := gomail.ParseAddressList(value)
			if err != nil || len(l) != 1 {
				problems = append(problems, formProblem{"compose.badAddress", []any{"From", mail.SafeLine(value)}})
				continue
			}
			if !ownsAddress(a, l[0].Address) {
				problems = append(problems, formProblem{"compose.notOwnFrom", []any{mail.SafeLine(l[0].Address), strings.Join(accountAddresses(a), ", ")}})
				continue
			}
			d.From = mail.Address{Name: l[0].Name, Address: l[0].Address}
		case "To", "Cc", "Bcc":
			if strings.Trim(value, " ,") == "" {
				continue
			}
			l, err := gomail.ParseAddressList(strings.Trim(value, " ,"))
			if err != nil {
				problems = append(problems, formProblem{"compose.badAddress", []any{name, mail.SafeLine(value)}})
				continue
			}
			var as []mail.Address
			for _, x := range l {
				as = append(as, mail.Address{Name: x.Name, Address: x.Address})
			}
			switch name {
			case "To":
				d.To = append(d.To, as...)
			case "Cc":
				d.Cc = append(d.Cc, as...)
			default:
				d.Bcc = append(d.Bcc, as...)
			}
		case "Subject":
			d.Subject = value
		case "Attach":
			if value == "" {
				continue
			}
			path := attachPath(value)
			fi, err := os.Stat(path)
			switch {
			case err != nil:
				problems = append(problems, formProblem{"compose.noFile", []any{mail.SafeLine(value)}})
				continue
			case fi.IsDir():
				problems = append(problems, formProblem{"compose.isDir", []any{mail.SafeLine(value)}})
				continue
			}
			total += int(fi.Size())
			d.Attachments = append(d.Attachments, compose.Attachment{Path: path})
		}
	}
	if len(d.To)+len(d.Cc)+len(d.Bcc) == 0 {
		problems = append(problems, formProblem{"compose.noRecipient", nil})
	}
	if total > maxAttachTotal {
		problems = append(problems, formProblem{"compose.tooLarge", []any{mail.FormatSizeShort(int64(total)), mail.FormatSizeShort(maxAttachTotal)}})
	}
	return d, problems
}

func knownHeader(name string) bool { return canonicalHeader(name) != "" }

func canonicalHeader(name string) string {
	for _, h := range formHeaders {
		if strings.EqualFold(strings.TrimSpace(name), h) {
			return h
		}
	}
	return ""
}

// attachPath is an Attach line's path: a leading ~/ is the home folder, a
// relative path is taken from where popbox runs.
func attachPath(p string) string {
	p = expandHome(p)
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// accountAddresses are the addresses account a sends from: its own and
// its other addresses (mail.Account.Aliases).
func accountAddresses(a mail.Account) []string {
	return append([]string{a.Email}, a.AliasList()...)
}

func ownsAddress(a mail.Account, addr string) bool {
	for _, x := range accountAddresses(a) {
		if strings.EqualFold(x, addr) {
			return true
		}
	}
	return false
}

// outgoingOf is what the outbox lists of a draft: its recipients and subject.
func outgoingOf(d compose.Draft) store.Outgoing {
	o := store.Outgoing{From: d.From.Address, Subject: d.Subject}
	for _, l := range [][]mail.Address{d.To, d.Cc, d.Bcc} {
		for _, a := range l {
			o.To = append(o.To, a.Address)
		}
	}
	return o
}

// errEmptyForm: the editor left nothing to keep.
var errEmptyForm = errors.New("empty message")
