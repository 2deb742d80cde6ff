package discover

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"popbox/mail"
)

// autoconfigURLs are the two places of an autoconfig file, in the order
// they are tried: the domain's autoconfig host (which may serve a file made
// for the address), then the domain's well-known path.
func autoconfigURLs(addr address) []string {
	return []string{
		"https://autoconfig." + addr.domain + "/mail/config-v1.1.xml?emailaddress=" + url.QueryEscape(addr.full),
		"https://" + addr.domain + "/.well-known/autoconfig/mail/config-v1.1.xml",
	}
}

// autoconfig fetches both places at once and proposes from the first, in
// their order, that holds a usable POP3 server.
func autoconfig(ctx context.Context, c *http.Client, max int64, addr address) found {
	urls := autoconfigURLs(addr)
	outs := make([]found, len(urls))
	done := make(chan int, len(urls))
	for i, u := range urls {
		go func() {
			outs[i] = autoconfigAt(ctx, c, max, u, addr)
			done <- i
		}()
	}
	for range urls {
		<-done
	}
	var f found
	for _, o := range outs {
		f.refused = append(f.refused, o.refused...)
		if f.proposal == nil {
			f.proposal = o.proposal
		}
	}
	return f
}

// autoconfigAt fetches and reads the file at u.
func autoconfigAt(ctx context.Context, c *http.Client, max int64, u string, addr address) found {
	detail, _, _ := strings.Cut(u, "?")
	refuse := func(err error) found {
		return found{refused: []Refusal{{Source: SourceAutoconfig, Detail: detail, Err: err}}}
	}
	body, err := fetch(ctx, c, max, u)
	if err != nil {
		return refuse(err)
	}
	p, refused, err := parseClientConfig(body, addr)
	for i := range refused {
		refused[i].Detail = detail
	}
	if err != nil {
		return found{refused: append(refused, Refusal{Source: SourceAutoconfig, Detail: detail, Err: err})}
	}
	p.Detail = detail
	return found{proposal: &p, refused: refused}
}

// fetch gets u over HTTPS, reading at most max bytes of the body.
func fetch(ctx context.Context, c *http.Client, max int64, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoFile, err)
	}
	req.Header.Set("Accept", "application/xml, text/xml")
	resp, err := c.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ErrTimedOut
		}
		if errors.Is(err, ErrNoFile) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", ErrNoFile, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: HTTP status %d", ErrNoFile, resp.StatusCode)
	}
	if resp.Request != nil && resp.Request.URL.Scheme != "https" {
		return nil, fmt.Errorf("%w: not HTTPS", ErrNoFile)
	}
	if resp.ContentLength > max {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrTooLarge, resp.ContentLength, max)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ErrTimedOut
		}
		return nil, fmt.Errorf("%w: %v", ErrNoFile, err)
	}
	if int64(len(body)) > max {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return body, nil
}

// clientConfig is the part of Mozilla's autoconfig format
// (https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat)
// that popbox reads.
type clientConfig struct {
	XMLName   xml.Name        `xml:"clientConfig"`
	Providers []emailProvider `xml:"emailProvider"`
}

type emailProvider struct {
	ID          string      `xml:"id,attr"`
	DisplayName string      `xml:"displayName"`
	Incoming    []configSrv `xml:"incomingServer"`
	Outgoing    []configSrv `xml:"outgoingServer"`
}

type configSrv struct {
	Type       string `xml:"type,attr"`
	Hostname   string `xml:"hostname"`
	Port       string `xml:"port"`
	SocketType string `xml:"socketType"`
	Username   string `xml:"username"`
}

// parseClientConfig reads an autoconfig file: the first usable pop3
// incoming server and the first usable smtp outgoing server, in the
// file's order (which is the provider's preference). The refusals are
// the servers it skipped; the error says why there is no proposal.
func parseClientConfig(body []byte, addr address) (Proposal, []Refusal, error) {
	var cc clientConfig
	dec := xml.NewDecoder(bytes.NewReader(body))
	// encoding/xml expands no entities of a DTD, so a hostile file cannot
	// blow up; a charset other than UTF-8 is refused as malformed.
	if err := dec.Decode(&cc); err != nil {
		return Proposal{}, nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(cc.Providers) == 0 {
		return Proposal{}, nil, fmt.Errorf("%w: no emailProvider", ErrMalformed)
	}
	ep := cc.Providers[0]
	p := Proposal{Source: SourceAutoconfig, Provider: displayName(ep.DisplayName)}
	var refused []Refusal
	pop3 := false
	for _, s := range ep.Incoming {
		if !strings.EqualFold(strings.TrimSpace(s.Type), "pop3") {
			continue
		}
		pop3 = true
		srv, err := s.server(addr, false)
		if err != nil {
			refused = append(refused, Refusal{Source: SourceAutoconfig, Err: err})
			continue
		}
		p.Incoming = srv
		break
	}
	if p.Incoming.Host == "" {
		if !pop3 {
			return Proposal{}, refused, ErrNoPOP3
		}
		return Proposal{}, refused, fmt.Errorf("%w: every POP3 server was refused", ErrNoPOP3)
	}
	for _, s := range ep.Outgoing {
		if !strings.EqualFold(strings.TrimSpace(s.Type), "smtp") {
			continue
		}
		srv, err := s.server(addr, true)
		if err != nil {
			refused = append(refused, Refusal{Source: SourceAutoconfig, Err: err})
			continue
		}
		p.Outgoing = srv
		break
	}
	p.UserIsEmail = p.Incoming.User == addr.full
	knownSignIn(&p)
	return p, refused, nil
}

// server turns one server of the file into a mail.Server for addr, or
// says why it cannot be used.
func (s configSrv) server(addr address, outgoing bool) (mail.Server, error) {
	host := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(substitute(s.Hostname, addr)), "."))
	port, err := strconv.Atoi(strings.TrimSpace(s.Port))
	if err != nil {
		return mail.Server{}, fmt.Errorf("%w: port %q", ErrBadServer, mail.SafeLine(s.Port))
	}
	var sec mail.Security
	switch st := strings.ToLower(strings.TrimSpace(s.SocketType)); st {
	case "ssl", "tls":
		sec = mail.SecuritySSL
	case "starttls":
		sec = mail.SecurityStartTLS
	case "plain", "":
		// The format's default is plain: no socketType is no TLS.
		return mail.Server{}, fmt.Errorf("%w: %s:%d (socketType %q)", ErrPlainText, mail.SafeLine(host), port, st)
	default:
		return mail.Server{}, fmt.Errorf("%w: socketType %q", ErrMalformed, mail.SafeLine(st))
	}
	if err := checkServer(host, port, sec, outgoing); err != nil {
		return mail.Server{}, err
	}
	user := substitute(strings.TrimSpace(s.Username), addr)
	if strings.Contains(user, "%") || strings.ContainsAny(user, "\r\n\t") {
		// A placeholder popbox does not know (or none at all to fill in):
		// the user types the name.
		user = ""
	}
	return mail.Server{Host: host, Port: port, Security: sec, User: user}, nil
}

// substitute fills in the format's placeholders for addr.
func substitute(s string, addr address) string {
	return strings.NewReplacer(
		"%EMAILADDRESS%", addr.full,
		"%EMAILLOCALPART%", addr.local,
		"%EMAILDOMAIN%", addr.domain,
	).Replace(s)
}

// displayName is a provider's name from a file: safe for the terminal and
// at most 64 characters.
func displayName(s string) string {
	s = strings.TrimSpace(mail.SafeLine(s))
	if utf8.RuneCountInString(s) > 64 {
		s = string([]rune(s)[:64]) + "..."
	}
	return s
}
