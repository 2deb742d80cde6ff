package i18n

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"unicode"
	"unicode/utf8"

	"popbox/mail"
)

// lettersAccount is an account whose names are plain words, the ones a
// careless capital would change: a host named localhost, an account box.
var lettersAccount = mail.Account{
	Name:     "box",
	Email:    "alice@localhost",
	Incoming: mail.Server{Host: "localhost", Port: 995, Security: mail.SecuritySSL, User: "alice"},
	Outgoing: mail.Server{Host: "mailhost", Port: 465, Security: mail.SecuritySSL, User: "alice"},
}

// TestCLINamesAsGiven: a CLI sentence starts with a capital only where its
// first word is the catalog's own; a host, an account or a file named in
// plain letters comes first as it was given (issue 13: "Localhost",
// "Victim.txt").
func TestCLINamesAsGiven(t *testing.T) {
	names := map[string]bool{"localhost": true, "mailhost": true, "box": true}
	for name, err := range kinds() {
		for _, out := range []bool{false, true} {
			sc := Scene{Front: CLI, Account: lettersAccount, Outgoing: out}
			s := EN.Error(err, sc)
			r, _ := utf8.DecodeRuneInString(s)
			if !unicode.IsLower(r) {
				continue
			}
			first := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ':' })[0]
			if !names[first] {
				t.Errorf("%s (outgoing %v): starts with %q, neither a capital nor a name: %q", name, out, first, s)
			}
		}
	}
	for _, raw := range []string{"localhost: connection refused", "victim.txt already exists", "box is gone"} {
		if got := EN.Error(errors.New(raw), Scene{Front: CLI}); got != raw+"." {
			t.Errorf("an error of no known kind: got %q, want %q", got, raw+".")
		}
	}
}

// TestCLIOutgoingTidy: the outgoing check's sentences quote the cause, not
// the chain of wrapped errors (issue 13), and never call the outgoing
// server POP3.
func TestCLIOutgoingTidy(t *testing.T) {
	sc := Scene{Front: CLI, Account: sampleAccount, Outgoing: true}
	refused := fmt.Errorf("dial tcp 127.0.0.1:1: connect: %w", syscall.ECONNREFUSED)
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("smtp %s: %s: %w: %w", "smtp.example.jp:465", "connect", mail.ErrUnreachable, refused),
			"Cannot reach smtp.example.jp:465 (connection refused). Check the server name and port."},
		{fmt.Errorf("smtp %s: %s: %w: %s: %w", "smtp.example.jp:465", "connect", mail.ErrUnreachable, "no answer before the deadline", refused),
			"Cannot reach smtp.example.jp:465 (connection refused). Check the server name and port."},
		{fmt.Errorf("smtp %s: %s: %w: %w", "smtp.example.jp:465", "greeting", mail.ErrProtocol, errors.New(`invalid response code: "+OK Dovecot ready."`)),
			`smtp.example.jp:465 answered something that is not SMTP (invalid response code: "+OK Dovecot ready."). Check the server name and port.`},
	}
	for _, tc := range tests {
		if got := EN.Error(tc.err, sc); got != tc.want {
			t.Errorf("got  %q\nwant %q", got, tc.want)
		}
		if ja := JA.Error(tc.err, sc); strings.Contains(ja, "smtp smtp.example.jp") || !hasJapanese(ja) {
			t.Errorf("ja: %q", ja)
		}
	}
	long := fmt.Errorf("smtp x: greeting: %w: %w", mail.ErrProtocol, errors.New(strings.Repeat("é", 300)))
	if got := EN.Error(long, sc); len(got) > 400 || !strings.Contains(got, "…") {
		t.Errorf("a long cause is not cut: %d bytes: %q", len(got), got)
	}
	for name, err := range kinds() {
		if s := EN.Error(err, sc); strings.Contains(s, "POP3") {
			t.Errorf("%s: the outgoing sentence names POP3: %q", name, s)
		}
	}
}

// TestCLIAddNotSaved (issue 13): account add's login test failed, so the
// account was not saved: the sentence says so and never advises a command
// on the account it just said does not exist.
func TestCLIAddNotSaved(t *testing.T) {
	sc := Scene{Front: CLI, Task: TaskTest, Account: lettersAccount}
	auth := fmt.Errorf("x: %w", mail.ErrAuth)
	want := "localhost refused the password for alice. Nothing was saved; check the password and run popbox account add again, or add --no-check to save the account without the login test."
	if got := EN.Error(auth, sc); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got := JA.Error(auth, sc); !strings.Contains(got, "何も保存していません") || !strings.Contains(got, "popbox account add") {
		t.Errorf("ja: %q", got)
	}
	for name, err := range kinds() {
		for _, l := range []Lang{EN, JA} {
			s := l.Error(err, sc)
			if (strings.Contains(s, "account passwd "+lettersAccount.Name) || strings.Contains(s, "account passwd box")) && name != "key missing" && name != "key mismatch" {
				t.Errorf("%s: advises a command on the unsaved account: %q", name, s)
			}
			if isMailKind(err) && !strings.Contains(s, "--no-check") {
				t.Errorf("%s: does not say how to save anyway: %q", name, s)
			}
		}
	}
}

// isMailKind says whether err is one of mail's kinds (a failure of a server).
func isMailKind(err error) bool {
	for _, k := range []error{mail.ErrAuth, mail.ErrTLSMismatch, mail.ErrCertificate, mail.ErrNoSTARTTLS, mail.ErrTimeout,
		mail.ErrUnreachable, mail.ErrNoUIDL, mail.ErrQuitRefused, mail.ErrMailbox, mail.ErrPasswordCmd, mail.ErrLoginDelay, mail.ErrProtocol} {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}

// TestCLIAdviceFlagsExist (issue 13, part 6): the CLI's advice names only
// flags that work where the sentence is shown. After a fetch or a check
// that is --ca-file (both take it) and the global --db; a flag of another
// command comes with its command (popbox account passwd NAME --incoming).
// In account add's login test, account add's own flags.
func TestCLIAdviceFlagsExist(t *testing.T) {
	withCommand := regexp.MustCompile(`popbox [^.;(（。]*`)
	flagRE := regexp.MustCompile(`--[a-z][a-z-]*`)
	runTime := map[string]bool{"--ca-file": true, "--db": true}
	add := map[string]bool{"--ca-file": true, "--db": true, "--no-check": true, "--security": true, "--port": true,
		"--retention": true, "--password-stdin": true, "--password-cmd": true, "--host": true, "--user": true, "--trust": true}
	for name, err := range kinds() {
		for sname, sc := range scenes {
			if sc.Front != CLI {
				continue
			}
			allowed := runTime
			if sc.Task == TaskTest {
				allowed = add
			}
			for _, l := range []Lang{EN, JA} {
				s := l.Error(err, sc)
				for _, f := range flagRE.FindAllString(withCommand.ReplaceAllString(s, ""), -1) {
					// A field error is said by account add or set, about their flags.
					if !allowed[f] && !strings.HasPrefix(name, "field ") {
						t.Errorf("%s, %s: advises %s, which does not work there: %q", name, sname, f, s)
					}
				}
			}
		}
	}
}
