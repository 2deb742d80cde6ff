package compose

import (
	"bufio"
	"bytes"
	"regexp"
	"strings"
	"time"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"popbox/mail"
	"popbox/mail/mime"
)

// Lang is the language of the lines Reply and Forward write (the
// attribution, the forwarded-message rule).
type Lang int

// The languages of Reply and Forward.
const (
	English Lang = iota
	Japanese
)

// original is what a reply or forward reads of the message it answers.
type original struct {
	sum        mime.Summary
	body       string
	replyTo    []mail.Address
	references []string
	messageID  string
	// deliveredTo: the Delivered-To and X-Original-To addresses.
	deliveredTo []mail.Address
}

func readOriginal(raw []byte) original {
	m := mime.Parse(raw, time.Now())
	o := original{sum: m.Summary, body: m.Body}
	// mime.Summary has no Reply-To or References: read them from the
	// header with go-message, best effort.
	th, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err == nil || th.Len() > 0 {
		h := gomail.Header{Header: message.Header{Header: th}}
		if l, err := h.AddressList("Reply-To"); err == nil {
			for _, a := range l {
				o.replyTo = append(o.replyTo, mail.Address{Name: a.Name, Address: a.Address})
			}
		}
		for _, k := range []string{"Delivered-To", "X-Original-To"} {
			for _, v := range th.Values(k) {
				if a, ok := bareAddress(v); ok {
					o.deliveredTo = append(o.deliveredTo, a)
				}
			}
		}
		o.references = msgIDs.FindAllString(th.Get("References"), -1)
		if ids := msgIDs.FindAllString(th.Get("Message-Id"), 1); len(ids) == 1 {
			o.messageID = ids[0]
		}
	}
	if o.messageID == "" && o.sum.MessageID != "" {
		o.messageID = "<" + strings.Trim(o.sum.MessageID, "<> ") + ">"
	}
	return o
}

var msgIDs = regexp.MustCompile(`<[^<>\s]+>`)

// bareAddress reads one address of a Delivered-To style field.
func bareAddress(v string) (mail.Address, bool) {
	v = strings.Trim(strings.TrimSpace(v), "<>")
	if v == "" || !strings.Contains(v, "@") || strings.ContainsAny(v, " \t<>,") {
		return mail.Address{}, false
	}
	return mail.Address{Address: v}, true
}

// prefixed is subject with prefix added once: earlier "Re:" (or "Fwd:")
// prefixes, in any case and with or without a space, are folded into it.
func prefixed(subject, prefix string, strip *regexp.Regexp) string {
	s := strings.TrimSpace(subject)
	for {
		t := strip.ReplaceAllString(s, "")
		if t == s {
			break
		}
		s = strings.TrimSpace(t)
	}
	return prefix + " " + s
}

var (
	rePrefix  = regexp.MustCompile(`(?i)^(re|aw|sv)\s*(\[\d+\])?\s*[:：]`)
	fwdPrefix = regexp.MustCompile(`(?i)^(fwd?|wg|tr)\s*[:：]`)
)

// ownAddress says whether a is one of the account's addresses.
func ownAddress(a mail.Address, acct mail.Account) bool {
	if strings.EqualFold(a.Address, acct.Email) {
		return true
	}
	for _, x := range acct.AliasList() {
		if strings.EqualFold(a.Address, x) {
			return true
		}
	}
	return false
}

// fromAccount is the address an answer to o goes out from: the one of the
// account's addresses (its own and its aliases) that o was sent to, in
// To, then Cc, then Delivered-To or X-Original-To; else the account's own.
// The account's name is what the user calls the account ("Work"), not a
// name to sign with, so the address goes alone.
func fromAccount(acct mail.Account, o original) mail.Address {
	for _, l := range [][]mail.Address{o.sum.To, o.sum.Cc, o.deliveredTo} {
		for _, a := range l {
			if ownAddress(a, acct) {
				return mail.Address{Address: a.Address}
			}
		}
	}
	return mail.Address{Address: acct.Email}
}

// jisCharset finds a charset=ISO-2022-JP parameter in a message.
var jisCharset = regexp.MustCompile(`(?i)charset\s*=\s*"?iso-2022-jp\b`)

// IsJIS reports whether the message raw is written in ISO-2022-JP (its
// text declares that charset): a reply to it may then be written the
// same way.
func IsJIS(raw []byte) bool {
	return jisCharset.Match(raw[:min(len(raw), 256<<10)])
}

// Reply is a draft answering the message raw: "Re:" once before its
// subject, To its Reply-To (else From); with all, also its To and Cc
// without the account's own address. In-Reply-To and References thread
// it, and its text is quoted with "> " under an attribution line in lang.
// From is the account's address (an account has one).
func Reply(raw []byte, all bool, acct mail.Account, lang Lang) Draft {
	o := readOriginal(raw)
	d := Draft{From: fromAccount(acct, o), Subject: prefixed(o.sum.Subject, "Re:", rePrefix)}
	seen := map[string]bool{}
	add := func(list *[]mail.Address, l []mail.Address) {
		for _, a := range l {
			k := strings.ToLower(a.Address)
			if a.Address == "" || seen[k] || ownAddress(a, acct) {
				continue
			}
			seen[k] = true
			*list = append(*list, a)
		}
	}
	if len(o.replyTo) > 0 {
		add(&d.To, o.replyTo)
	} else {
		add(&d.To, []mail.Address{o.sum.From})
	}
	if all {
		add(&d.To, o.sum.To)
		add(&d.Cc, o.sum.Cc)
	}
	if len(d.To) == 0 && o.sum.From.Address != "" {
		// A reply to one's own message goes to its recipients, or back to oneself.
		if all || len(o.sum.To) == 0 {
			d.To = []mail.Address{o.sum.From}
		} else {
			add(&d.To, o.sum.To)
			if len(d.To) == 0 {
				d.To = []mail.Address{o.sum.From}
			}
		}
	}
	if o.messageID != "" {
		d.InReplyTo = o.messageID
		d.References = append(append([]string(nil), o.references...), o.messageID)
	}
	d.Body = "\n\n" + attribution(o.sum, lang) + "\n" + quote(o.body)
	return d
}

// attribution is the line above the quoted text.
func attribution(s mime.Summary, lang Lang) string {
	name := s.From.Name
	if name == "" {
		name = s.From.Address
	}
	if lang == Japanese {
		return s.Date.Format("2006/01/02 15:04") + "、" + name + " さんは書きました:"
	}
	return "On " + s.Date.Format("Mon, 2 Jan 2006 at 15:04") + ", " + name + " wrote:"
}

// quote puts "> " before every line of text (">" alone before a line
// that is already quoted or empty).
func quote(text string) string {
	text = strings.TrimRight(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var b strings.Builder
	for _, l := range strings.Split(text, "\n") {
		switch {
		case l == "":
			b.WriteString(">\n")
		case strings.HasPrefix(l, ">"):
			b.WriteString(">" + l + "\n")
		default:
			b.WriteString("> " + l + "\n")
		}
	}
	return b.String()
}

// Forward is a draft passing the message raw on: "Fwd:" once before its
// subject; inline, its headers and text follow a rule in the body;
// otherwise it is attached whole as message/rfc822. To is left empty.
func Forward(raw []byte, inline bool, acct mail.Account, lang Lang) Draft {
	o := readOriginal(raw)
	d := Draft{From: fromAccount(acct, o), Subject: prefixed(o.sum.Subject, "Fwd:", fwdPrefix)}
	if !inline {
		d.Attachments = []Attachment{{Name: "forwarded.eml", ContentType: "message/rfc822", Data: raw}}
		return d
	}
	rule, from, date, subject, to, cc := "---------- Forwarded message ----------", "From", "Date", "Subject", "To", "Cc"
	if lang == Japanese {
		rule, from, date, subject, to, cc = "---------- 転送メッセージ ----------", "差出人", "日付", "件名", "宛先", "Cc"
	}
	var b strings.Builder
	b.WriteString("\n\n" + rule + "\n")
	b.WriteString(from + ": " + formatPlain([]mail.Address{o.sum.From}) + "\n")
	if !o.sum.DateMissing {
		b.WriteString(date + ": " + o.sum.Date.Format(time.RFC1123Z) + "\n")
	}
	b.WriteString(subject + ": " + o.sum.Subject + "\n")
	if len(o.sum.To) > 0 {
		b.WriteString(to + ": " + formatPlain(o.sum.To) + "\n")
	}
	if len(o.sum.Cc) > 0 {
		b.WriteString(cc + ": " + formatPlain(o.sum.Cc) + "\n")
	}
	b.WriteString("\n" + strings.TrimRight(o.body, "\n") + "\n")
	d.Body = b.String()
	return d
}

// formatPlain is an address list for reading, not for a header.
func formatPlain(l []mail.Address) string {
	var out []string
	for _, a := range l {
		if a.Name == "" {
			out = append(out, a.Address)
		} else {
			out = append(out, a.Name+" <"+a.Address+">")
		}
	}
	return strings.Join(out, ", ")
}
