package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"popbox/mail"
)

// Policy is the administrator's rule for Account.Sharing, read from a JSON
// file such as {"sharing": "private"}.
type Policy int

// The three policies. Without a policy file the user chooses.
const (
	PolicyUserChoice Policy = iota // each account says private or public
	PolicyPrivate                  // every account is private
	PolicyPublic                   // every account is public
)

// String gives the value used in the policy file: user-choice, private or public.
func (p Policy) String() string {
	switch p {
	case PolicyPrivate:
		return "private"
	case PolicyPublic:
		return "public"
	}
	return "user-choice"
}

// Forced returns the sharing every account gets under p, and false when the
// user chooses (the wizard then shows the field).
func (p Policy) Forced() (mail.Sharing, bool) {
	switch p {
	case PolicyPrivate:
		return mail.SharingPrivate, true
	case PolicyPublic:
		return mail.SharingPublic, true
	}
	return 0, false
}

// apply returns a with its sharing forced by p.
func (p Policy) apply(a mail.Account) mail.Account {
	if s, ok := p.Forced(); ok {
		a.Sharing = s
	}
	return a
}

// ErrPolicy: the administrator's policy file exists but cannot be used.
var ErrPolicy = errors.New("sharing policy file unusable")

// PolicyError names the policy file and says what is wrong with it.
type PolicyError struct {
	Path, Why string
}

func (e *PolicyError) Error() string {
	return fmt.Sprintf("the sharing policy file %s cannot be used (%s)", e.Path, e.Why)
}

// Unwrap returns ErrPolicy.
func (e *PolicyError) Unwrap() error { return ErrPolicy }

// SharingPolicy reads the administrator's policy file. An absent file means
// PolicyUserChoice; an unreadable or invalid one is an error wrapping ErrPolicy.
func (s *Store) SharingPolicy() (Policy, error) {
	return readPolicy(s.policyFile)
}

func readPolicy(path string) (Policy, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return PolicyUserChoice, nil
	}
	if err != nil {
		return 0, &PolicyError{Path: path, Why: err.Error()}
	}
	var doc struct {
		Sharing *string `json:"sharing"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		return 0, &PolicyError{Path: path, Why: "not valid JSON: " + err.Error()}
	}
	if dec.More() {
		return 0, &PolicyError{Path: path, Why: "more than one JSON value"}
	}
	if doc.Sharing == nil {
		return 0, &PolicyError{Path: path, Why: "no \"sharing\" entry"}
	}
	switch strings.ToLower(strings.TrimSpace(*doc.Sharing)) {
	case "private":
		return PolicyPrivate, nil
	case "public":
		return PolicyPublic, nil
	case "user-choice":
		return PolicyUserChoice, nil
	}
	return 0, &PolicyError{Path: path, Why: fmt.Sprintf("sharing %q is not private, public or user-choice", *doc.Sharing)}
}
