// Package mail is popbox's domain: accounts and their rules, provider presets,
// the POP3 fetch engine, the retention plan and message decoding. It knows
// nothing of bbolt or Bubble Tea; storage is reached through the Cache
// interface, which package store implements.
package mail

import (
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Security is how a connection to a server is protected.
type Security int

// The three ways to talk to a server.
const (
	SecuritySSL      Security = iota // implicit TLS from the first byte (995, 465)
	SecurityStartTLS                 // plain connection upgraded with STLS / STARTTLS
	SecurityNone                     // no encryption; passwords travel in clear text
)

// String gives the CLI value: ssl, starttls or none.
func (s Security) String() string {
	switch s {
	case SecuritySSL:
		return "ssl"
	case SecurityStartTLS:
		return "starttls"
	case SecurityNone:
		return "none"
	}
	return "security(" + strconv.Itoa(int(s)) + ")"
}

// ParseSecurity reads a CLI value (ssl, tls, starttls, stls, none, plain).
func ParseSecurity(s string) (Security, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "ssl", "tls":
		return SecuritySSL, nil
	case "starttls", "stls":
		return SecurityStartTLS, nil
	case "none", "plain":
		return SecurityNone, nil
	}
	return 0, fmt.Errorf("security %q is not one of ssl, starttls, none", s)
}

// MarshalText makes Security read well in JSON.
func (s Security) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText is the inverse of MarshalText.
func (s *Security) UnmarshalText(b []byte) error {
	v, err := ParseSecurity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Server is one side of an account: where to connect and who to log in as.
// Password is held only in memory; the store seals it separately and never
// writes it in plain text (hence no JSON name).
type Server struct {
	Host     string   `json:"host"`
	Port     int      `json:"port"`
	Security Security `json:"security"`
	User     string   `json:"user"`
	Password string   `json:"-"`
	// PasswordCmd, when set, is run by the shell at connect time and the
	// first line of its output is the password (like mpop's passwordeval).
	PasswordCmd string `json:"password_cmd,omitempty"`
	// Auth is how popbox logs in: a password (the zero value) or an
	// OAuth2 access token (see auth.go).
	Auth AuthKind `json:"auth,omitempty"`
	// TokenCmd, for AuthOAuth2, is run by the shell at connect time and
	// the first line of its output is the access token (oama,
	// mutt_oauth2.py and the like).
	TokenCmd string `json:"token_cmd,omitempty"`
	// SASL, for AuthOAuth2, forces XOAUTH2 or OAUTHBEARER; empty lets the
	// server's offer decide (OAUTHBEARER first).
	SASL string `json:"sasl,omitempty"`
	// Token, when set, gives the access token of an AuthOAuth2 server and
	// takes precedence over TokenCmd: the sign-in flows plug in here. It
	// is never stored.
	Token TokenSource `json:"-"`
	// TrustedCert pins a certificate that does not verify (self-signed,
	// from a private CA, for another name, expired): "host:port" and its
	// SHA-256 fingerprint, as PinFor writes it. It applies only while the
	// server's host and port are the ones it names, and only to a
	// certificate that fails normal verification (see trust.go).
	TrustedCert string `json:"trusted_cert,omitempty"`
	// AcceptCert is like TrustedCert for the connections of this value
	// only ("accept once"): it is never stored. It wins over a
	// TrustedCert that differs.
	AcceptCert string `json:"-"`
}

// Address is host:port for dialing.
func (s Server) Address() string {
	return joinHostPort(s.Host, s.Port)
}

func joinHostPort(host string, port int) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + strconv.Itoa(port)
	}
	return host + ":" + strconv.Itoa(port)
}

// RetentionKind is which of the four retention policies applies.
type RetentionKind int

// The four "standard message settings" of the setup screen.
const (
	RetainKeep   RetentionKind = iota // keep on server
	RetainDelete                      // delete on receipt
	RetainDays                        // delete N days after popbox first saw it
	RetainMirror                      // delete on the server when deleted in popbox
)

// MaxRetentionDays is the upper bound of "delete after N days".
const MaxRetentionDays = 3650

// Retention is a policy and, for RetainDays, its number of days.
type Retention struct {
	Kind RetentionKind
	Days int
}

// String gives the CLI value: keep, delete, days:N or mirror.
func (r Retention) String() string {
	switch r.Kind {
	case RetainKeep:
		return "keep"
	case RetainDelete:
		return "delete"
	case RetainDays:
		return "days:" + strconv.Itoa(r.Days)
	case RetainMirror:
		return "mirror"
	}
	return "retention(" + strconv.Itoa(int(r.Kind)) + ")"
}

// ParseRetention reads keep, delete, days:N or mirror. The range of N is
// checked by Validate, so that the error can name the field.
func ParseRetention(s string) (Retention, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "keep":
		return Retention{Kind: RetainKeep}, nil
	case "delete":
		return Retention{Kind: RetainDelete}, nil
	case "mirror":
		return Retention{Kind: RetainMirror}, nil
	}
	if rest, ok := strings.CutPrefix(s, "days:"); ok {
		n, err := strconv.Atoi(rest)
		if err != nil {
			return Retention{}, fmt.Errorf("retention %q: the number of days must be a whole number, as in days:30", s)
		}
		return Retention{Kind: RetainDays, Days: n}, nil
	}
	return Retention{}, fmt.Errorf("retention %q is not one of keep, delete, days:N, mirror", s)
}

// MarshalText makes Retention read well in JSON.
func (r Retention) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText is the inverse of MarshalText.
func (r *Retention) UnmarshalText(b []byte) error {
	v, err := ParseRetention(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Sharing is who else in the organisation may see the account's mail.
type Sharing int

// The sharing settings (メール共有の権限).
const (
	SharingPrivate Sharing = iota
	SharingPublic
)

// String gives the CLI value: private or public.
func (s Sharing) String() string {
	if s == SharingPublic {
		return "public"
	}
	return "private"
}

// ParseSharing reads private or public.
func ParseSharing(s string) (Sharing, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "private":
		return SharingPrivate, nil
	case "public":
		return SharingPublic, nil
	}
	return 0, fmt.Errorf("sharing %q is not one of private, public", s)
}

// MarshalText makes Sharing read well in JSON.
func (s Sharing) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText is the inverse of MarshalText.
func (s *Sharing) UnmarshalText(b []byte) error {
	v, err := ParseSharing(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ServerHints are what the POP3 server said about itself in CAPA, kept with
// the account between fetches.
type ServerHints struct {
	// LoginDelay is CAPA LOGIN-DELAY: the least time between two logins.
	LoginDelay time.Duration `json:"login_delay,omitempty"`
	// ExpireDays is CAPA EXPIRE in days: -1 when the server never deletes
	// on its own (EXPIRE NEVER or no EXPIRE), 0 when it deletes at once.
	ExpireDays int `json:"expire_days"`
	// ExpireWarned is set once the user was told about a short EXPIRE.
	ExpireWarned bool `json:"expire_warned,omitempty"`
	// LastLogin is the end of the last successful session.
	LastLogin time.Time `json:"last_login,omitzero"`
	// Mailbox is the mailbox as the last complete fetch left it, for the
	// next fetch's quick look (see MailboxState); nil when unknown.
	Mailbox *MailboxState `json:"mailbox,omitempty"`
}

// MailboxState is what a fetch that did all it had to (every listed message
// stored, nothing deleted, nothing failed) saw of the mailbox. When STAT
// gives the same count and size, the last message the same UID, and the
// account the same server, retention and size limit, nothing can have
// arrived (new mail is added at the end) and nothing is due: the next fetch
// needs no listing. Repair and any other change that can lose UID records
// drop it.
type MailboxState struct {
	Server    string    `json:"server"` // host:port/user
	Retention string    `json:"retention"`
	Limit     int64     `json:"limit"`
	Count     int       `json:"count"`
	Octets    int64     `json:"octets"`
	LastUID   string    `json:"last_uid,omitempty"`
	DueAt     time.Time `json:"due_at,omitzero"` // days:N: when the first listed message falls due
}

// Account is one POP3 mailbox and the SMTP server that sends for it.
type Account struct {
	// ID is assigned by the store and never changes, even on rename.
	ID string `json:"id"`
	// Name is the display name (表示名), unique among accounts.
	Name  string `json:"name"`
	Email string `json:"email"`
	// Aliases are the account's other addresses, comma-separated (a
	// string, so that accounts compare with ==; AliasList splits it): mail
	// sent to one of them is answered from it, and it may be the From of a
	// message.
	Aliases string `json:"aliases,omitempty"`
	// ReplyJIS writes a reply to ISO-2022-JP mail in ISO-2022-JP (when
	// every character fits), as many Japanese business readers expect.
	ReplyJIS bool   `json:"reply_iso_2022_jp,omitempty"`
	Incoming Server `json:"incoming"`
	// SMTPSame is "use the same credentials for the outgoing server": the
	// outgoing side is derived (see OutgoingServerFor) and shares the password.
	SMTPSame  bool      `json:"smtp_same"`
	Outgoing  Server    `json:"outgoing"`
	Retention Retention `json:"retention"`
	Sharing   Sharing   `json:"sharing"`
	// CAFile is an extra PEM bundle of CAs to trust for this account.
	CAFile string `json:"ca_file,omitempty"`
	// MaxMessageSize is the largest message fetched, in bytes; larger ones
	// stay on the server with a warning. 0: DefaultMaxMessageSize.
	MaxMessageSize int64       `json:"max_message_size,omitempty"`
	Hints          ServerHints `json:"hints"`
	// OAuth is where an AuthOAuth2 account signs in (auth.go); the zero
	// value for a password account or one whose token comes from TokenCmd.
	OAuth OAuthProfile `json:"oauth,omitzero"`
	// FetchEvery is the time between the screen's automatic fetches of
	// this account; 0 is off (every.go).
	FetchEvery Every `json:"fetch_every,omitempty"`
	// OnNew, when set, is run by the shell after a fetch that brought new
	// mail (RunOnNew); off by default.
	OnNew string `json:"on_new,omitempty"`
	// Bell rings the terminal's bell when the screen's automatic fetch
	// brings new mail; off by default.
	Bell bool `json:"bell,omitempty"`
	// Deliver is where each fetched message is delivered once stored:
	// "maildir:DIR" or "mda:COMMAND" (deliver.go); empty: nowhere.
	Deliver string `json:"deliver,omitempty"`
}

// Bounds of Account.MaxMessageSize when it is set.
const (
	MinMessageSizeLimit = 1 << 20
	MaxMessageSizeLimit = 16 << 30
)

// MessageSizeLimit is the largest message the account fetches.
func (a Account) MessageSizeLimit() int64 {
	if a.MaxMessageSize > 0 {
		return a.MaxMessageSize
	}
	return DefaultMaxMessageSize
}

// SMTP is the outgoing server as it is used: OutgoingServerFor the incoming
// side (host from the preset or pop.x -> smtp.x, the same user without
// recent:, the same password) when SMTPSame is set, else Outgoing.
func (a Account) SMTP() Server {
	if !a.SMTPSame {
		return a.Outgoing
	}
	s := OutgoingServerFor(a.Email, a.Incoming)
	if a.Outgoing.Host != "" {
		// The wizard may have let the user adjust the derived host/port.
		s.Host, s.Port, s.Security = a.Outgoing.Host, a.Outgoing.Port, a.Outgoing.Security
	}
	// The outgoing side's own pin: it names the derived host and port.
	s.TrustedCert, s.AcceptCert = a.Outgoing.TrustedCert, a.Outgoing.AcceptCert
	return s
}

// GmailRecentPrefix is Gmail's "recent mode" user-name prefix: every client
// sees the last 30 days of mail, so the server copy must be kept. Gmail
// takes it in any case; test for it with HasRecentPrefix.
const GmailRecentPrefix = "recent:"

// HasRecentPrefix reports whether user starts with Gmail's recent: prefix,
// in any case (recent:, Recent:, RECENT:), white space around it ignored.
// Such an account must keep its mail on the server (see Validate).
func HasRecentPrefix(user string) bool {
	u := strings.TrimSpace(user)
	return len(u) >= len(GmailRecentPrefix) && strings.EqualFold(u[:len(GmailRecentPrefix)], GmailRecentPrefix)
}

// WithoutRecentPrefix is user without Gmail's recent: prefix (in any case)
// and without white space around it: the user name the outgoing server
// wants, which never carries the prefix.
func WithoutRecentPrefix(user string) string {
	u := strings.TrimSpace(user)
	if HasRecentPrefix(u) {
		return u[len(GmailRecentPrefix):]
	}
	return u
}

// SecurityForPort is the security a port implies on one side: SSL on 995
// (465 when outgoing), STARTTLS on 110 (587 or 25 when outgoing). Any other
// port implies nothing, so current stays.
func SecurityForPort(port int, outgoing bool, current Security) Security {
	switch {
	case !outgoing && port == 995, outgoing && port == 465:
		return SecuritySSL
	case !outgoing && port == 110, outgoing && (port == 587 || port == 25):
		return SecurityStartTLS
	}
	return current
}

// DefaultPort is the usual port for a security on one side: 995 with SSL,
// else 110 for POP3; 465 with SSL, else 587 (submission) for SMTP.
func DefaultPort(s Security, outgoing bool) int {
	switch {
	case outgoing && s == SecuritySSL:
		return 465
	case outgoing:
		return 587
	case s == SecuritySSL:
		return 995
	}
	return 110
}

// OutgoingServerFor is the outgoing server that "same credentials for the
// outgoing server" fills in for an address and its incoming server: the
// provider's host, port and security (PresetFor), or else the incoming host
// with a leading pop./pop3. replaced by smtp. (a host without one gets smtp.
// in front only when it has a dot after the first label) on the SSL port;
// the incoming user without recent: (WithoutRecentPrefix), and the incoming
// password and password command.
func OutgoingServerFor(email string, incoming Server) Server {
	s := Server{
		User:        WithoutRecentPrefix(incoming.User),
		Password:    incoming.Password,
		PasswordCmd: incoming.PasswordCmd,
		// One sign-in serves both sides (the scopes are asked together).
		Auth:     incoming.Auth,
		TokenCmd: incoming.TokenCmd,
		SASL:     incoming.SASL,
		Token:    incoming.Token,
	}
	if p, ok := PresetFor(email); ok {
		s.Host, s.Port, s.Security = p.Outgoing.Host, p.Outgoing.Port, p.Outgoing.Security
		return s
	}
	h := strings.ToLower(strings.TrimSpace(incoming.Host))
	switch {
	case strings.HasPrefix(h, "pop3."):
		h = "smtp." + h[len("pop3."):]
	case strings.HasPrefix(h, "pop."):
		h = "smtp." + h[len("pop."):]
	case h == "" || h == "localhost" || isIPLiteral(h):
		// An address or a bare name: the same machine most likely sends too.
	default:
		if !strings.HasPrefix(h, "smtp.") && !strings.HasPrefix(h, "mail.") {
			if strings.Count(h, ".") >= 2 {
				h = "smtp." + h[strings.IndexByte(h, '.')+1:]
			} else {
				h = "smtp." + h
			}
		}
	}
	s.Host, s.Port, s.Security = h, DefaultPort(SecuritySSL, true), SecuritySSL
	return s
}

func isIPLiteral(h string) bool {
	if strings.Contains(h, ":") {
		return true
	}
	for _, r := range h {
		if r != '.' && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// The field names of FieldError.Field: the CLI flag stems and the wizard's
// field keys.
const (
	FieldName         = "name"
	FieldEmail        = "email"
	FieldHost         = "host"
	FieldPort         = "port"
	FieldSecurity     = "security"
	FieldUser         = "user"
	FieldPassword     = "password"
	FieldSMTPHost     = "smtp-host"
	FieldSMTPPort     = "smtp-port"
	FieldSMTPSecurity = "smtp-security"
	FieldSMTPUser     = "smtp-user"
	FieldSMTPPassword = "smtp-password"
	FieldRetention    = "retention"
	FieldSharing      = "sharing"
	FieldCAFile       = "ca-file"
	FieldMaxSize      = "max-size"
	FieldFetchEvery   = "fetch-every"
	FieldOnNew        = "on-new"
	FieldDeliver      = "deliver"
	FieldAliases      = "aliases"
)

// Codes of FieldError: stable identifiers the TUI translates.
const (
	CodeRequired      = "required"
	CodeBadEmail      = "bad-email"
	CodeHostScheme    = "host-scheme"
	CodeHostInvalid   = "host-invalid"
	CodePortRange     = "port-range"
	CodePortNumber    = "port-number"
	CodePlainOnTLS    = "plain-on-tls-port"  // warning
	CodeTLSOnPlain    = "tls-on-plain-port"  // warning
	CodePlainPassword = "plain-password"     // warning
	CodeRecentKeep    = "recent-needs-keep"  // Gmail recent: requires keep
	CodeDaysRange     = "days-range"         // 1..3650
	CodeDuplicateName = "duplicate-name"     // name taken
	CodeBadChars      = "control-characters" // CR, LF, NUL ...
	CodeBadRetention  = "bad-retention"
	CodeSizeRange     = "size-range"  // MaxMessageSize out of bounds
	CodeEveryRange    = "every-range" // FetchEvery out of bounds
	CodeBadDeliver    = "bad-deliver" // Deliver is not maildir:DIR or mda:COMMAND
	CodeBadAlias      = "bad-alias"   // one of Aliases is not a bare address
	CodeOwnAlias      = "own-alias"   // one of Aliases is the account's own address
)

// FieldError is one problem with one field, in a sentence a user can act on.
// A Warning does not stop the account from being saved.
type FieldError struct {
	Field   string
	Code    string
	Message string
	Warning bool
}

// Error gives the field and the sentence.
func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// FieldErrors is what Validate returns: every problem found, in field order.
type FieldErrors []FieldError

// Errors returns only the problems that block saving.
func (fe FieldErrors) Errors() FieldErrors {
	var out FieldErrors
	for _, e := range fe {
		if !e.Warning {
			out = append(out, e)
		}
	}
	return out
}

// Warnings returns only the warnings.
func (fe FieldErrors) Warnings() FieldErrors {
	var out FieldErrors
	for _, e := range fe {
		if e.Warning {
			out = append(out, e)
		}
	}
	return out
}

// For returns the first problem with field, if any (errors before warnings).
func (fe FieldErrors) For(field string) (FieldError, bool) {
	var warn *FieldError
	for i, e := range fe {
		if e.Field != field {
			continue
		}
		if !e.Warning {
			return e, true
		}
		if warn == nil {
			warn = &fe[i]
		}
	}
	if warn != nil {
		return *warn, true
	}
	return FieldError{}, false
}

// Error joins the blocking problems in one line.
func (fe FieldErrors) Error() string {
	var parts []string
	for _, e := range fe.Errors() {
		parts = append(parts, e.Error())
	}
	return strings.Join(parts, "; ")
}

// Validate checks every rule of the setup screen. taken holds the names of
// the other accounts (a duplicate name is refused). The result is nil when
// there is nothing to say; Errors() of it must be empty to save.
func (a Account) Validate(taken []string) FieldErrors {
	var fe FieldErrors
	add := func(field, code, msg string) {
		fe = append(fe, FieldError{Field: field, Code: code, Message: msg})
	}
	warn := func(field, code, msg string) {
		fe = append(fe, FieldError{Field: field, Code: code, Message: msg, Warning: true})
	}

	name := strings.TrimSpace(a.Name)
	switch {
	case name == "":
		add(FieldName, CodeRequired, "Enter a display name for the account, as in \"Work\".")
	case hasControl(a.Name):
		add(FieldName, CodeBadChars, "The display name must not contain control characters; type it again.")
	default:
		for _, t := range taken {
			if strings.EqualFold(strings.TrimSpace(t), name) {
				add(FieldName, CodeDuplicateName, fmt.Sprintf("An account named %q already exists; choose another name.", name))
				break
			}
		}
	}

	if strings.TrimSpace(a.Email) == "" {
		add(FieldEmail, CodeRequired, "Enter the email address of the account, as in taro@example.com.")
	} else if !ValidEmail(a.Email) {
		add(FieldEmail, CodeBadEmail, fmt.Sprintf("%q is not an email address; it should look like taro@example.com.", a.Email))
	}

	validateServer(&fe, a.Incoming, false, add, warn)
	if !a.SMTPSame {
		validateServer(&fe, a.Outgoing, true, add, warn)
	} else if a.Outgoing.Host != "" {
		// Derived but adjusted by the user: the host and port still have to be right.
		o := a.Outgoing
		o.User, o.Password, o.PasswordCmd = "x", "x", ""
		validateServer(&fe, o, true, add, warn)
	}

	switch a.Retention.Kind {
	case RetainKeep, RetainDelete, RetainMirror:
	case RetainDays:
		if a.Retention.Days < 1 || a.Retention.Days > MaxRetentionDays {
			add(FieldRetention, CodeDaysRange, fmt.Sprintf("Delete after N days needs N from 1 to %d; %d is out of range.", MaxRetentionDays, a.Retention.Days))
		}
	default:
		add(FieldRetention, CodeBadRetention, "Choose keep, delete, days:N or mirror.")
	}
	if HasRecentPrefix(a.Incoming.User) && a.Retention.Kind != RetainKeep {
		add(FieldRetention, CodeRecentKeep, "A user name starting with recent: (Gmail's recent mode, read by several clients) needs retention keep on server; choose keep, or remove the recent: prefix.")
	}
	if a.Sharing != SharingPrivate && a.Sharing != SharingPublic {
		add(FieldSharing, CodeRequired, "Choose private or public sharing.")
	}
	if n := a.MaxMessageSize; n != 0 && (n < MinMessageSizeLimit || n > MaxMessageSizeLimit) {
		add(FieldMaxSize, CodeSizeRange, fmt.Sprintf("The largest message to fetch must be from %s to %s; %s is not.",
			FormatSize(MinMessageSizeLimit), FormatSize(MaxMessageSizeLimit), FormatSize(n)))
	}
	if e := a.FetchEvery; e != 0 && (e < MinEvery || e > MaxEvery) {
		add(FieldFetchEvery, CodeEveryRange, fmt.Sprintf("Fetch every must be from %s to %s, or off; %s is not.", MinEvery, MaxEvery, e))
	}
	if hasControl(a.Aliases) {
		add(FieldAliases, CodeBadChars, "The other addresses must not contain line breaks or control characters.")
	} else if x, code := a.BadAlias(); code == CodeBadAlias {
		add(FieldAliases, code, fmt.Sprintf("%q is not an email address on its own; give the other addresses without names, separated by commas, as in sales@example.com, info@example.com.", x))
	} else if code == CodeOwnAlias {
		add(FieldAliases, code, fmt.Sprintf("%s is the account's own address; leave it out of the other addresses.", x))
	}
	if hasControl(a.OnNew) {
		add(FieldOnNew, CodeBadChars, "The new-mail command must not contain line breaks or control characters.")
	}
	if _, e := ParseDeliver(a.Deliver); e != nil {
		fe = append(fe, *e)
	}
	return fe
}

func validateServer(fe *FieldErrors, s Server, smtp bool, add, warn func(field, code, msg string)) {
	fHost, fPort, fSec, fUser, fPass := FieldHost, FieldPort, FieldSecurity, FieldUser, FieldPassword
	side, example := "incoming (POP3)", "pop.example.com"
	if smtp {
		fHost, fPort, fSec, fUser, fPass = FieldSMTPHost, FieldSMTPPort, FieldSMTPSecurity, FieldSMTPUser, FieldSMTPPassword
		side, example = "outgoing (SMTP)", "smtp.example.com"
	}
	tlsPort, plainPort := DefaultPort(SecuritySSL, smtp), DefaultPort(SecurityStartTLS, smtp)
	if msg, code := checkHost(s.Host, side, example); msg != "" {
		add(fHost, code, msg)
	}
	if s.Port < 1 || s.Port > 65535 {
		add(fPort, CodePortRange, fmt.Sprintf("The %s port must be a number from 1 to 65535 (usually %d with SSL, %d without); %d is not.", side, tlsPort, plainPort, s.Port))
	}
	implied := SecurityForPort(s.Port, smtp, s.Security)
	switch s.Security {
	case SecuritySSL:
		// 25 is SMTP's port, on either side never SSL from the start.
		if implied == SecurityStartTLS || s.Port == 25 {
			warn(fSec, CodeTLSOnPlain, fmt.Sprintf("Port %d usually expects STARTTLS, not SSL from the start; choose starttls or port %d if the connection fails.", s.Port, tlsPort))
		}
	case SecurityStartTLS:
		if implied == SecuritySSL {
			warn(fSec, CodePlainOnTLS, fmt.Sprintf("Port %d usually expects SSL from the start; choose ssl if the connection fails.", s.Port))
		}
	case SecurityNone:
		if implied == SecuritySSL {
			warn(fSec, CodePlainOnTLS, fmt.Sprintf("Port %d expects SSL; without it the connection will most likely fail. Choose ssl.", s.Port))
		} else {
			warn(fSec, CodePlainPassword, "Without SSL or STARTTLS the password is sent in clear text; use it only on a network you trust.")
		}
	default:
		add(fSec, CodeRequired, "Choose ssl, starttls or none.")
	}
	if strings.TrimSpace(s.User) == "" {
		add(fUser, CodeRequired, fmt.Sprintf("Enter the user name for the %s server (often the full email address).", side))
	} else if hasControl(s.User) {
		add(fUser, CodeBadChars, "The user name must not contain line breaks or control characters.")
	}
	if s.Auth == AuthOAuth2 {
		// The token comes from TokenCmd, Token or a stored sign-in, which
		// the front end checks; no password is asked.
		if hasControl(s.TokenCmd) {
			add(fPass, CodeBadChars, "The token command must not contain line breaks or control characters.")
		}
	} else if s.Password == "" && strings.TrimSpace(s.PasswordCmd) == "" {
		add(fPass, CodeRequired, fmt.Sprintf("Enter the password for the %s server (with 2-step verification, an app password).", side))
	} else if hasControl(s.Password) {
		add(fPass, CodeBadChars, "The password must not contain line breaks or control characters.")
	}
}

// checkHost returns a message and code when host is not a plain host name or
// address.
func checkHost(host, side, example string) (string, string) {
	h := strings.TrimSpace(host)
	if h == "" {
		return fmt.Sprintf("Enter the %s server, as in %s (ask your administrator if unsure).", side, example), CodeRequired
	}
	if strings.Contains(h, "://") {
		return fmt.Sprintf("Enter the server name only, without %q; as in %s.", h[:strings.Index(h, "://")+3], example), CodeHostScheme
	}
	if h != host || strings.ContainsAny(h, " \t/\\@?#") || hasControl(h) {
		return fmt.Sprintf("%q is not a server name: no spaces, slashes or @; as in %s.", host, example), CodeHostInvalid
	}
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
	}
	if strings.Count(h, ":") >= 2 {
		return "", "" // an IPv6 literal
	}
	if strings.Contains(h, ":") {
		return fmt.Sprintf("Put the port in the port field, not in the server name (%q).", host), CodeHostInvalid
	}
	if len(h) > 253 {
		return "The server name is longer than 253 characters.", CodeHostInvalid
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return fmt.Sprintf("%q is not a server name; as in %s.", host, example), CodeHostInvalid
		}
		for _, r := range label {
			if !(r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
				return fmt.Sprintf("%q is not a server name; as in %s.", host, example), CodeHostInvalid
			}
		}
	}
	return "", ""
}

// ParsePort reads a port typed by a user. The error names the field.
func ParsePort(field, s string) (int, *FieldError) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, &FieldError{Field: field, Code: CodePortNumber, Message: fmt.Sprintf("The port must be a number from 1 to 65535 (995 with SSL, 110 without); %q is not a number.", s)}
	}
	if n < 1 || n > 65535 {
		return n, &FieldError{Field: field, Code: CodePortRange, Message: fmt.Sprintf("The port must be a number from 1 to 65535 (995 with SSL, 110 without); %d is out of range.", n)}
	}
	return n, nil
}

// ValidEmail reports whether s is a single bare address with a dotted or
// local domain, as typed into the address field.
func ValidEmail(s string) bool {
	if s != strings.TrimSpace(s) || hasControl(s) || strings.ContainsAny(s, " <>,") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return false
	}
	domain := s[at+1:]
	return !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") && !strings.Contains(domain, "..")
}

// hasControl reports CR, LF, NUL and other control characters, which would
// let a value smuggle a second protocol command.
func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}

// Domain returns the part of an address after the last @, lower-cased.
func Domain(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(email[at+1:]))
}

// NormalizeAliases is a list of addresses as Aliases keeps it: each one
// trimmed, empty ones dropped, separated by a comma and a space.
func NormalizeAliases(s string) string {
	return strings.Join(Account{Aliases: s}.AliasList(), ", ")
}

// BadAlias is the first of the account's other addresses (AliasList) that
// Validate refuses, and why: CodeBadAlias when it is not one bare address
// as the address field takes it (ValidEmail: no name, no <>),
// CodeOwnAlias when it is the account's own address (in any case).
// Both are "" when every one is fine.
func (a Account) BadAlias() (alias, code string) {
	for _, x := range a.AliasList() {
		switch {
		case !ValidEmail(x):
			return x, CodeBadAlias
		case strings.EqualFold(x, strings.TrimSpace(a.Email)):
			return x, CodeOwnAlias
		}
	}
	return "", ""
}

// AliasList is the account's other addresses (Aliases), one by one.
func (a Account) AliasList() []string {
	var out []string
	for _, x := range strings.Split(a.Aliases, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
