package mail

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// Sentinel errors that carry meaning to the edge (CLI, status bar, wizard),
// where they become one sentence with what to do. Wrap them with %w and
// check them with errors.Is.
var (
	// ErrAuth: the server refused the user name or password.
	ErrAuth = errors.New("login refused")
	// ErrUnreachable: the host name does not resolve or nothing answers on the port.
	ErrUnreachable = errors.New("server unreachable")
	// ErrTimeout: the server stopped answering within the deadline.
	ErrTimeout = errors.New("server timed out")
	// ErrTLSMismatch: one side spoke TLS and the other did not (wrong port or SSL setting).
	ErrTLSMismatch = errors.New("TLS does not match the port")
	// ErrCertificate: the server's certificate is not trusted or not for this host.
	ErrCertificate = errors.New("certificate not trusted")
	// ErrNoSTARTTLS: security starttls was asked for but the server does not offer it.
	ErrNoSTARTTLS = errors.New("server does not offer STARTTLS")
	// ErrNoUIDL: the server has no UIDL, so only the delete policy can work.
	ErrNoUIDL = errors.New("server does not support UIDL")
	// ErrProtocol: the server answered something that is not POP3/SMTP.
	ErrProtocol = errors.New("protocol error")
	// ErrMailbox: the mailbox could not be opened (locked, in use, gone).
	ErrMailbox = errors.New("mailbox unavailable")
	// ErrPasswordCmd: the password command failed or printed nothing.
	ErrPasswordCmd = errors.New("password command failed")
	// ErrQuitRefused: the server answered -ERR to QUIT, so it may not have
	// deleted what it was asked to (RFC 1939 section 6); nothing was lost.
	ErrQuitRefused = errors.New("server refused to end the session")
	// ErrLoginDelay: the server asks for more time between logins.
	ErrLoginDelay = errors.New("too soon after the last login")
	// ErrNoFolder: the folder to save into does not exist or is not a folder.
	ErrNoFolder = errors.New("no such folder")
	// ErrTokenRefused: the server refused the OAuth2 access token (expired,
	// revoked or never valid); get a fresh one and try once more. The
	// typed form is TokenError.
	ErrTokenRefused = errors.New("access token refused")
	// ErrTokenCmd: the token command failed or printed no usable token.
	ErrTokenCmd = errors.New("token command failed")
	// ErrOnNew: the new-mail command (Account.OnNew) failed; the mail is stored.
	ErrOnNew = errors.New("new-mail command failed")
	// ErrNoToken: an OAuth2 account has no way to get an access token yet
	// (no token command, not signed in).
	ErrNoToken = errors.New("no access token")
	// ErrNoOAuthMech: the server offers neither OAUTHBEARER nor XOAUTH2.
	ErrNoOAuthMech = errors.New("server offers no OAuth2 login")
	// ErrRejected: the outgoing server refused the message (a sender,
	// recipient or the data); it was not sent.
	ErrRejected = errors.New("message refused by the server")
	// ErrDeliveryUnknown: the connection ended after the whole message
	// went out and before the server said whether it took it, so it may
	// have been sent or not. Sending it again could deliver it twice.
	ErrDeliveryUnknown = errors.New("delivery unknown")
)

// keepPanics, when set, stops the POP3 session from turning an internal
// panic into an error (see retrieve). Only the fuzz targets set it, so that
// they see every panic. Message decoding has its own switch in package mime.
var keepPanics atomic.Bool

// LoginDelayError: popbox did not log in, because the server's LOGIN-DELAY
// (RFC 2449) has not passed since the last login at Last; Next is the
// first time it may. It unwraps to ErrLoginDelay.
type LoginDelayError struct {
	Host       string
	Delay      time.Duration
	Last, Next time.Time
}

func (e *LoginDelayError) Error() string {
	return fmt.Sprintf("%s: %s allows one login every %v and the last was at %s; the next may be at %s", ErrLoginDelay, e.Host, e.Delay, e.Last.Local().Format("15:04:05"), e.Next.Local().Format("15:04:05"))
}

// Unwrap returns ErrLoginDelay.
func (e *LoginDelayError) Unwrap() error { return ErrLoginDelay }
