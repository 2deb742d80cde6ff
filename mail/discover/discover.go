// Package discover proposes the incoming (POP3) and outgoing (SMTP)
// servers for an email address, for the company domains popbox has no
// preset for (taro@their-company.co.jp), much as Thunderbird does.
//
// Lookup looks in this order, and the first source that gives a usable
// proposal wins (Result.Best); the others are kept (Result.All), and those
// that name another incoming server are listed as conflicts:
//
//  1. popbox's presets (mail.PresetFor). A preset is never overridden:
//     when one matches, nothing is looked up on the network at all.
//  2. An autoconfig file in Mozilla's format (a clientConfig, version
//     1.1), over HTTPS with a verified certificate only (no plain HTTP
//     fallback, no redirect to http): first
//     https://autoconfig.DOMAIN/mail/config-v1.1.xml?emailaddress=ADDRESS,
//     then https://DOMAIN/.well-known/autoconfig/mail/config-v1.1.xml. It
//     comes first among the network's answers because the domain's owner
//     wrote it for mail clients and TLS vouches that it came from the
//     domain.
//  3. RFC 6186 SRV records: _pop3s._tcp (implicit TLS) and _pop3._tcp
//     (used with STARTTLS only) for the incoming side, _submissions._tcp
//     (implicit TLS, RFC 8314) and _submission._tcp (STARTTLS) for the
//     outgoing one. The domain's owner publishes them for this purpose too,
//     but DNS answers are unsigned.
//  4. MX records that point at a hosted service popbox knows: Google
//     Workspace (*.google.com, *.googlemail.com), Microsoft 365
//     (*.mail.protection.outlook.com) and Zoho Mail (mx.zoho.eu and the
//     like, whose data centre picks the servers). This is an inference
//     from where the domain's mail is delivered, so it comes last.
//
// Rules every network answer obeys:
//   - It never overrides a preset (see 1).
//   - It never proposes a server without TLS: socketType plain, and a port
//     whose usual security contradicts the one stated (SSL on 110,
//     STARTTLS on 995: mail.SecurityForPort), are refused and listed in
//     Result.Refused with the reason.
//   - The whole lookup is bounded by Options.Timeout: Lookup returns by
//     then with what it has, and lists the sources that did not answer.
//
// Lookup is safe to call from any goroutine (the TUI runs it in a
// tea.Cmd); it shares nothing between calls.
package discover

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/idna"

	"popbox/mail"
)

// Source is where a proposal came from.
type Source int

// The sources, in the order Lookup prefers them.
const (
	SourcePreset     Source = iota + 1 // popbox's built-in presets
	SourceAutoconfig                   // an autoconfig file over HTTPS
	SourceSRV                          // RFC 6186 SRV records
	SourceMX                           // MX records of a known hosted service
)

// String gives the source's short name: preset, autoconfig, srv or mx.
func (s Source) String() string {
	switch s {
	case SourcePreset:
		return "preset"
	case SourceAutoconfig:
		return "autoconfig"
	case SourceSRV:
		return "srv"
	case SourceMX:
		return "mx"
	}
	return fmt.Sprintf("source(%d)", int(s))
}

// Proposal is one source's idea of an account's servers.
type Proposal struct {
	Source Source
	// Detail says where within the source: the preset's domain, the
	// autoconfig file's URL (without its query), the SRV record's name,
	// the MX host.
	Detail string
	// Provider is a display name ("Microsoft 365", "Zoho Mail EU
	// (organisation)", an autoconfig file's displayName made safe), or ""
	// when the source names none (SRV records).
	Provider string
	// Incoming is the POP3 server: Host, Port, Security, and User when the
	// source says what it is (else "").
	Incoming mail.Server
	// Outgoing is the SMTP server: Host, Port, Security and User, or the
	// zero Server when the source named none.
	Outgoing mail.Server
	// UserIsEmail: the user name is the full address.
	UserIsEmail bool
	// SignIn, SignInFirst and Hints are as in mail.Preset: the OAuth2
	// provider the account can sign in with, whether a password no longer
	// works, and the advice the wizard shows.
	SignIn      string
	SignInFirst bool
	Hints       []mail.Hint
}

// sameIncoming reports whether two proposals name the same POP3 server.
func (p Proposal) sameIncoming(q Proposal) bool {
	return strings.EqualFold(p.Incoming.Host, q.Incoming.Host) &&
		p.Incoming.Port == q.Incoming.Port && p.Incoming.Security == q.Incoming.Security
}

// Refusal is something a source offered that Lookup did not take, or a
// source that gave nothing it could use, and why.
type Refusal struct {
	Source Source
	Detail string // the URL, the record's name, the MX host
	// Err is the reason: one of the Err kinds below (errors.Is), wrapped
	// with the particulars.
	Err error
}

// Result is what Lookup found for an address.
type Result struct {
	Email string
	// Best is the proposal to use: the first source's, in the order of
	// the package doc. Its Source is 0 when nothing was found.
	Best Proposal
	// All are every usable proposal, Best first, in the order of the
	// sources.
	All []Proposal
	// Conflicts are the proposals of later sources that name another
	// incoming server than Best (Best won, by the order).
	Conflicts []Proposal
	// Refused says what was offered and not taken, and which sources did
	// not answer in time.
	Refused []Refusal
}

// Found says whether Lookup found a usable proposal.
func (r Result) Found() bool { return r.Best.Source != 0 }

// The kinds of Lookup's errors and of Refusal.Err.
var (
	// ErrBadAddress: the address has no domain to look up.
	ErrBadAddress = errors.New("not an email address with a domain")
	// ErrNotFound: no source gave a usable proposal (see Result.Refused).
	ErrNotFound = errors.New("no servers found")
	// ErrPlainText: the server would be reached without TLS.
	ErrPlainText = errors.New("server without TLS")
	// ErrPortSecurity: the port's usual security contradicts the one stated.
	ErrPortSecurity = errors.New("port and security disagree")
	// ErrBadServer: no usable host name or port.
	ErrBadServer = errors.New("unusable host or port")
	// ErrNoFile: no autoconfig file at that address (not there, refused,
	// not HTTPS, unreachable).
	ErrNoFile = errors.New("no autoconfig file")
	// ErrMalformed: the autoconfig file is not a well-formed clientConfig.
	ErrMalformed = errors.New("malformed autoconfig file")
	// ErrTooLarge: the autoconfig file is larger than Options.MaxBody.
	ErrTooLarge = errors.New("autoconfig file too large")
	// ErrNoPOP3: the source offers no POP3 server (IMAP only, say).
	ErrNoPOP3 = errors.New("no POP3 server offered")
	// ErrNotOffered: an SRV record says the service is not offered
	// (target ".").
	ErrNotOffered = errors.New("service not offered")
	// ErrUnknownServers: the MX records name a hosted service whose
	// servers for this kind of account popbox does not know.
	ErrUnknownServers = errors.New("servers of the hosted service not known")
	// ErrTimedOut: the source did not answer within the timeout.
	ErrTimedOut = errors.New("no answer in time")
	// ErrLookup: the DNS lookup failed for another reason.
	ErrLookup = errors.New("lookup failed")
)

// Resolver is the DNS that Lookup asks; *net.Resolver is one.
type Resolver interface {
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error)
}

// Defaults of Options.
const (
	DefaultTimeout = 5 * time.Second
	DefaultMaxBody = 64 << 10
)

// Options are what Lookup uses of the outside world; the zero value works.
type Options struct {
	// Resolver answers MX and SRV queries; nil is net.DefaultResolver.
	Resolver Resolver
	// HTTPClient fetches autoconfig files; nil is a client of its own with
	// the system's roots. Its certificate checks are kept; Lookup only
	// adds that a redirect must stay on HTTPS.
	HTTPClient *http.Client
	// Timeout bounds the whole lookup; 0 is DefaultTimeout.
	Timeout time.Duration
	// MaxBody is the largest autoconfig file read; 0 is DefaultMaxBody.
	MaxBody int64
}

// address is the parts of the address Lookup works with.
type address struct {
	full, local string // as given (white space trimmed)
	domain      string // in ASCII (punycode), lower case
}

// parseAddress splits an address into its local part and its domain, and
// checks that the domain is a DNS name worth asking about.
func parseAddress(email string) (address, error) {
	email = strings.TrimSpace(email)
	at := strings.LastIndexByte(email, '@')
	if at <= 0 || at == len(email)-1 || strings.ContainsAny(email, " \t\r\n<>\"") {
		return address{}, ErrBadAddress
	}
	d, err := idna.Lookup.ToASCII(strings.TrimSuffix(email[at+1:], "."))
	if err != nil || !isHostName(d) || !strings.Contains(d, ".") {
		return address{}, ErrBadAddress
	}
	return address{full: email, local: email[:at], domain: strings.ToLower(d)}, nil
}

// isHostName reports whether h is a DNS host name: labels of letters,
// digits and hyphens (underscores refused), none empty or over 63 bytes,
// not starting or ending with a hyphen.
func isHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// found is what one network source gave.
type found struct {
	proposal *Proposal
	refused  []Refusal
}

// Lookup proposes servers for email, looking in the order of the package
// doc, and returns within opts.Timeout (or ctx's deadline, if sooner) with
// what it found by then. The error is ErrBadAddress when email has no
// domain to look up, ErrNotFound when no source gave a usable proposal
// (the Result still says what was refused), else nil.
func Lookup(ctx context.Context, email string, opts Options) (Result, error) {
	res := Result{Email: strings.TrimSpace(email)}
	addr, err := parseAddress(email)
	if err != nil {
		return res, err
	}
	if p, ok := mail.PresetFor(addr.full); ok {
		pr := fromPreset(SourcePreset, addr.domain, p, addr)
		res.Best, res.All = pr, []Proposal{pr}
		return res, nil
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r := opts.Resolver
	if r == nil {
		r = net.DefaultResolver
	}

	sources := []struct {
		src  Source
		what string
		run  func(context.Context) found
	}{
		{SourceAutoconfig, "https://autoconfig." + addr.domain, func(ctx context.Context) found {
			return autoconfig(ctx, opts.client(), opts.maxBody(), addr)
		}},
		{SourceSRV, "_pop3s._tcp." + addr.domain, func(ctx context.Context) found { return lookupSRV(ctx, r, addr) }},
		{SourceMX, addr.domain, func(ctx context.Context) found { return lookupMX(ctx, r, addr) }},
	}
	var (
		mu   sync.Mutex
		outs = make([]*found, len(sources))
		wg   sync.WaitGroup
	)
	for i, s := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := s.run(ctx)
			mu.Lock()
			outs[i] = &f
			mu.Unlock()
		}()
	}
	all := make(chan struct{})
	go func() { wg.Wait(); close(all) }()
	select {
	case <-all:
	case <-ctx.Done():
		// The sources see the same context and stop soon; what they
		// return from now on is not waited for.
	}
	mu.Lock()
	got := append([]*found(nil), outs...)
	mu.Unlock()

	for i, f := range got {
		if f == nil {
			res.Refused = append(res.Refused, Refusal{Source: sources[i].src, Detail: sources[i].what, Err: ErrTimedOut})
			continue
		}
		res.Refused = append(res.Refused, f.refused...)
		if f.proposal != nil {
			res.All = append(res.All, *f.proposal)
		}
	}
	if len(res.All) == 0 {
		return res, ErrNotFound
	}
	res.Best = res.All[0]
	for _, p := range res.All[1:] {
		if !p.sameIncoming(res.Best) {
			res.Conflicts = append(res.Conflicts, p)
		}
	}
	return res, nil
}

func (o Options) maxBody() int64 {
	if o.MaxBody > 0 {
		return o.MaxBody
	}
	return DefaultMaxBody
}

// client is the HTTP client for autoconfig files: the one given, or one
// of Lookup's own, and in either case one whose redirects stay on HTTPS.
func (o Options) client() *http.Client {
	var c http.Client
	if o.HTTPClient != nil {
		c = *o.HTTPClient
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != "https" {
			return fmt.Errorf("%w: redirected to %s, not HTTPS", ErrNoFile, req.URL.Redacted())
		}
		if len(via) >= 3 {
			return fmt.Errorf("%w: too many redirects", ErrNoFile)
		}
		return nil
	}
	return &c
}

// fromPreset is the proposal a preset (or a hosted service's preset) makes
// for addr.
func fromPreset(src Source, detail string, p mail.Preset, addr address) Proposal {
	pr := Proposal{
		Source: src, Detail: detail, Provider: p.Provider,
		Incoming: p.Incoming, Outgoing: p.Outgoing, UserIsEmail: p.UserIsEmail,
		SignIn: p.SignIn, SignInFirst: p.SignInFirst, Hints: p.Hints,
	}
	if p.UserIsEmail {
		pr.Incoming.User, pr.Outgoing.User = addr.full, addr.full
	}
	return pr
}

// checkServer says why a server a network source offered cannot be taken
// (nil when it can): it must have a host name and a port, use TLS, and
// its port must not imply another security than the one stated.
func checkServer(host string, port int, sec mail.Security, outgoing bool) error {
	if !isHostName(host) {
		return fmt.Errorf("%w: host %q", ErrBadServer, mail.SafeLine(host))
	}
	if port < 1 || port > 65535 {
		return fmt.Errorf("%w: port %d", ErrBadServer, port)
	}
	if sec != mail.SecuritySSL && sec != mail.SecurityStartTLS {
		return fmt.Errorf("%w: %s:%d", ErrPlainText, host, port)
	}
	if implied := mail.SecurityForPort(port, outgoing, sec); implied != sec {
		return fmt.Errorf("%w: %s on port %d, which means %s", ErrPortSecurity, sec, port, implied)
	}
	return nil
}

// knownSignIn completes a proposal that names the servers of a hosted
// service popbox knows (an autoconfig file or SRV records pointing at
// outlook.office365.com): its sign-in, hints and name.
func knownSignIn(p *Proposal) {
	for _, hp := range []mail.Preset{mail.Microsoft365Preset(), mail.GoogleWorkspacePreset()} {
		if !strings.EqualFold(p.Incoming.Host, hp.Incoming.Host) {
			continue
		}
		p.SignIn, p.SignInFirst = hp.SignIn, hp.SignInFirst
		if len(p.Hints) == 0 {
			p.Hints = hp.Hints
		}
		if p.Provider == "" {
			p.Provider = hp.Provider
		}
		return
	}
}
