package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"

	"popbox/mail"
)

// ErrNoAccount: no account has that name or ID, or none is set up yet.
// The error returned is a *NotFoundError naming what was asked for.
var ErrNoAccount = errors.New("no such account")

// Errors of SetPassword.
var (
	// ErrPasswordEmpty: the new password is empty.
	ErrPasswordEmpty = errors.New("the new password is empty")
	// ErrPasswordChars: the new password holds a line break or another
	// control character.
	ErrPasswordChars = errors.New("the password must not contain line breaks or control characters")
	// ErrSameCredentials: the outgoing password of an account that sends
	// with its incoming credentials; the error is a *SameCredentialsError.
	ErrSameCredentials = errors.New("the outgoing server uses the incoming password")
)

// SameCredentialsError: the outgoing password of Account was to be set, but
// the account sends with its incoming credentials.
type SameCredentialsError struct{ Account string }

func (e *SameCredentialsError) Error() string {
	return fmt.Sprintf("account %s uses its incoming password for the outgoing server", e.Account)
}

// Unwrap returns ErrSameCredentials.
func (e *SameCredentialsError) Unwrap() error { return ErrSameCredentials }

// NotFoundError is an account or message that is not there: Kind is
// ErrNoAccount or ErrNoMessage, and Name or ID what was asked for (neither:
// no account is set up yet). It says what is missing, not what to do; the
// front ends add that (tui/i18n).
type NotFoundError struct {
	Kind error
	Name string // the account name asked for
	ID   string // the account or message ID asked for
}

func (e *NotFoundError) Error() string {
	switch {
	case e.Kind == ErrNoMessage:
		return fmt.Sprintf("no message with ID %s", e.ID)
	case e.Name != "":
		return fmt.Sprintf("no account named %q", e.Name)
	case e.ID != "":
		return fmt.Sprintf("no account with ID %q", e.ID)
	}
	return "no account is set up yet"
}

// Unwrap returns Kind, for errors.Is.
func (e *NotFoundError) Unwrap() error { return e.Kind }

// wrap adds context to an internal error and leaves a sentence meant for
// the user (no account, no message) as it is.
func wrap(context string, err error) error {
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return err
	}
	return fmt.Errorf("%s: %w", context, err)
}

func noAccount(nameOrID string) error {
	return &NotFoundError{Kind: ErrNoAccount, Name: nameOrID}
}

func noAccountID(id string) error {
	return &NotFoundError{Kind: ErrNoAccount, ID: id}
}

func noActiveAccount() error {
	return &NotFoundError{Kind: ErrNoAccount}
}

// accountKey is the 8-byte key of a decimal account ID.
func accountKey(id string) ([]byte, bool) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || n == 0 || strconv.FormatUint(n, 10) != id {
		return nil, false
	}
	return u64(n), true
}

func accountIDOf(key []byte) string {
	return strconv.FormatUint(binary.BigEndian.Uint64(key), 10)
}

func decodeAccount(v []byte) (mail.Account, error) {
	var a mail.Account
	if err := json.Unmarshal(v, &a); err != nil {
		return mail.Account{}, fmt.Errorf("decode account: %w: %v", errCorrupt, err)
	}
	return a, nil
}

func putAccount(tx *bolt.Tx, key []byte, a mail.Account) error {
	// Passwords and certificates accepted for one connection are
	// json:"-"; clearing them too keeps that true even if the tag ever
	// changes.
	a.Incoming.Password, a.Outgoing.Password = "", ""
	a.Incoming.AcceptCert, a.Outgoing.AcceptCert = "", ""
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encode account %s: %w", a.ID, err)
	}
	if err := tx.Bucket(bucketAccounts).Put(key, b); err != nil {
		return fmt.Errorf("write account %s: %w", a.ID, err)
	}
	return nil
}

// allAccounts lists the stored accounts in creation order.
func allAccounts(tx *bolt.Tx) ([]mail.Account, error) {
	var out []mail.Account
	c := tx.Bucket(bucketAccounts).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		a, err := decodeAccount(v)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// findAccount matches a display name (case-insensitive, as Validate keeps
// them unique) first, then an ID: the CLI passes what a user typed, the TUI
// passes IDs.
func findAccount(tx *bolt.Tx, nameOrID string) (mail.Account, []byte, error) {
	all, err := allAccounts(tx)
	if err != nil {
		return mail.Account{}, nil, err
	}
	want := strings.TrimSpace(nameOrID)
	for _, a := range all {
		if strings.EqualFold(strings.TrimSpace(a.Name), want) {
			k, _ := accountKey(a.ID)
			return a, k, nil
		}
	}
	if k, ok := accountKey(nameOrID); ok {
		if v := tx.Bucket(bucketAccounts).Get(k); v != nil {
			a, err := decodeAccount(v)
			return a, k, err
		}
	}
	return mail.Account{}, nil, noAccount(nameOrID)
}

// accountByID looks an account up by its exact ID.
func accountByID(tx *bolt.Tx, id string) (mail.Account, []byte, error) {
	k, ok := accountKey(id)
	if !ok {
		return mail.Account{}, nil, noAccountID(id)
	}
	v := tx.Bucket(bucketAccounts).Get(k)
	if v == nil {
		return mail.Account{}, nil, noAccountID(id)
	}
	a, err := decodeAccount(v)
	return a, k, err
}

// Accounts lists every account in creation order, without passwords, with
// Sharing as the administrator's policy forces it.
func (s *Store) Accounts() ([]mail.Account, error) {
	pol, err := s.SharingPolicy()
	if err != nil {
		return nil, err
	}
	var out []mail.Account
	err = s.view(func(tx *bolt.Tx) error {
		out, err = allAccounts(tx)
		return err
	})
	if err != nil {
		return nil, wrap("list accounts", err)
	}
	for i := range out {
		out[i] = pol.apply(out[i])
	}
	return out, nil
}

// sealed holds an account's sealed passwords, copied out of a transaction.
type sealed struct {
	incoming, outgoing []byte
}

func readSealed(tx *bolt.Tx, id string) sealed {
	b := tx.Bucket(bucketSecrets)
	return sealed{
		incoming: copyBytes(b.Get(secretKey(id, sideIncoming))),
		outgoing: copyBytes(b.Get(secretKey(id, sideOutgoing))),
	}
}

func copyBytes(v []byte) []byte {
	if v == nil {
		return nil
	}
	out := make([]byte, len(v))
	copy(out, v)
	return out
}

// Account returns one account by display name (case-insensitive) or ID,
// with its passwords unsealed into Incoming.Password and Outgoing.Password.
func (s *Store) Account(nameOrID string) (mail.Account, error) {
	return s.account(func(tx *bolt.Tx) (mail.Account, error) {
		a, _, err := findAccount(tx, nameOrID)
		return a, err
	})
}

// Active returns the active account with its passwords, or an error
// wrapping ErrNoAccount when there is none.
func (s *Store) Active() (mail.Account, error) {
	return s.account(func(tx *bolt.Tx) (mail.Account, error) {
		id := activeID(tx)
		if id == "" {
			return mail.Account{}, noActiveAccount()
		}
		a, _, err := accountByID(tx, id)
		return a, err
	})
}

func (s *Store) account(find func(tx *bolt.Tx) (mail.Account, error)) (mail.Account, error) {
	pol, err := s.SharingPolicy()
	if err != nil {
		return mail.Account{}, err
	}
	var (
		a  mail.Account
		sv sealed
	)
	err = s.view(func(tx *bolt.Tx) error {
		var err error
		if a, err = find(tx); err != nil {
			return err
		}
		sv = readSealed(tx, a.ID)
		return nil
	})
	if err != nil {
		return mail.Account{}, err
	}
	if a.Incoming.Password, err = s.open(a, sideIncoming, sv.incoming); err != nil {
		return mail.Account{}, err
	}
	if a.Outgoing.Password, err = s.open(a, sideOutgoing, sv.outgoing); err != nil {
		return mail.Account{}, err
	}
	return pol.apply(a), nil
}

// open unseals one stored password ("" when none is stored).
func (s *Store) open(a mail.Account, side string, box []byte) (string, error) {
	if box == nil {
		return "", nil
	}
	key, err := s.loadKey(false)
	if err != nil {
		var ke *KeyFileError
		if errors.As(err, &ke) {
			ke.Account, ke.Side = a.Name, side
		}
		return "", err
	}
	pw, err := unseal(key, a.ID, side, box)
	if err != nil {
		return "", &KeyFileError{Path: s.keyFile, Problem: KeyMismatch, Account: a.Name, Side: side}
	}
	return pw, nil
}

func activeID(tx *bolt.Tx) string {
	return string(tx.Bucket(bucketMeta).Get(keyActive))
}

// ActiveID returns the ID of the active account, "" when there is none.
func (s *Store) ActiveID() (string, error) {
	var id string
	err := s.view(func(tx *bolt.Tx) error {
		id = activeID(tx)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("read active account: %w", err)
	}
	return id, nil
}

// namesExcept lists the display names of every account but id.
func namesExcept(tx *bolt.Tx, id string) ([]string, error) {
	all, err := allAccounts(tx)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, a := range all {
		if a.ID != id {
			names = append(names, a.Name)
		}
	}
	return names, nil
}

// keyFor loads (creating when needed) the sealing key if any password is to
// be sealed; nil otherwise, so an account with only a password command never
// makes a key file.
func (s *Store) keyFor(passwords ...string) ([]byte, error) {
	for _, p := range passwords {
		if p != "" {
			return s.loadKey(true)
		}
	}
	return nil, nil
}

func putSecret(tx *bolt.Tx, key []byte, id, side, password string) error {
	box, err := seal(key, id, side, password)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketSecrets).Put(secretKey(id, side), box); err != nil {
		return fmt.Errorf("write %s password: %w", side, err)
	}
	return nil
}

// outgoingPassword is the outgoing password that is stored: none when the
// account shares the incoming one.
func outgoingPassword(a mail.Account) string {
	if a.SMTPSame {
		return ""
	}
	return a.Outgoing.Password
}

// AddAccount validates a against the other accounts' names and stores it.
// When Validate finds a blocking problem the error is the mail.FieldErrors
// (warnings included; use errors.As). The store assigns the ID, forces
// Sharing to the administrator's policy, seals the passwords, and makes the
// first account active. It returns the account as stored, passwords kept.
func (s *Store) AddAccount(a mail.Account) (mail.Account, error) {
	pol, err := s.SharingPolicy()
	if err != nil {
		return mail.Account{}, err
	}
	a = pol.apply(a)
	a.Name = strings.TrimSpace(a.Name)
	a.ID = ""
	err = s.update(func(tx *bolt.Tx) error {
		taken, err := namesExcept(tx, "")
		if err != nil {
			return err
		}
		if fe := a.Validate(taken); len(fe.Errors()) > 0 {
			return fe
		}
		key, err := s.keyFor(a.Incoming.Password, outgoingPassword(a))
		if err != nil {
			return err
		}
		n, err := nextCounter(tx, keyNextAccount)
		if err != nil {
			return err
		}
		a.ID = strconv.FormatUint(n, 10)
		k := u64(n)
		if err := putAccount(tx, k, a); err != nil {
			return err
		}
		if a.Incoming.Password != "" {
			if err := putSecret(tx, key, a.ID, sideIncoming, a.Incoming.Password); err != nil {
				return err
			}
		}
		if p := outgoingPassword(a); p != "" {
			if err := putSecret(tx, key, a.ID, sideOutgoing, p); err != nil {
				return err
			}
		}
		if err := createAccountBuckets(tx, k); err != nil {
			return err
		}
		if activeID(tx) == "" {
			if err := tx.Bucket(bucketMeta).Put(keyActive, []byte(a.ID)); err != nil {
				return fmt.Errorf("set active account: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		var fe mail.FieldErrors
		if errors.As(err, &fe) {
			return mail.Account{}, fe
		}
		if errors.Is(err, ErrKeyFile) || errors.Is(err, ErrUnsafe) {
			return mail.Account{}, err
		}
		return mail.Account{}, fmt.Errorf("add account %s: %w", a.Name, err)
	}
	return a, nil
}

// UpdateAccount replaces the settings of the account a.ID. The name must
// stay unique among the other accounts (a blocking problem returns the
// mail.FieldErrors). A password left "" keeps the stored one; with SMTPSame
// the stored outgoing password is dropped, as the incoming one is used.
// Server hints are kept unless the incoming server changed.
func (s *Store) UpdateAccount(a mail.Account) error {
	pol, err := s.SharingPolicy()
	if err != nil {
		return err
	}
	a = pol.apply(a)
	a.Name = strings.TrimSpace(a.Name)
	err = s.update(func(tx *bolt.Tx) error {
		old, k, err := accountByID(tx, a.ID)
		if err != nil {
			return err
		}
		taken, err := namesExcept(tx, a.ID)
		if err != nil {
			return err
		}
		stored := readSealed(tx, a.ID)
		check := a
		// Validate wants a password or a command; a kept password counts.
		if check.Incoming.Password == "" && stored.incoming != nil {
			check.Incoming.Password = "kept"
		}
		if !check.SMTPSame && check.Outgoing.Password == "" && stored.outgoing != nil {
			check.Outgoing.Password = "kept"
		}
		if fe := check.Validate(taken); len(fe.Errors()) > 0 {
			return fe
		}
		key, err := s.keyFor(a.Incoming.Password, outgoingPassword(a))
		if err != nil {
			return err
		}
		a.Hints = old.Hints
		if !strings.EqualFold(old.Incoming.Host, a.Incoming.Host) || old.Incoming.Port != a.Incoming.Port {
			a.Hints = mail.ServerHints{}
		}
		if err := putAccount(tx, k, a); err != nil {
			return err
		}
		if a.Incoming.Password != "" {
			if err := putSecret(tx, key, a.ID, sideIncoming, a.Incoming.Password); err != nil {
				return err
			}
		}
		if a.SMTPSame {
			if err := tx.Bucket(bucketSecrets).Delete(secretKey(a.ID, sideOutgoing)); err != nil {
				return fmt.Errorf("drop outgoing password: %w", err)
			}
		} else if a.Outgoing.Password != "" {
			if err := putSecret(tx, key, a.ID, sideOutgoing, a.Outgoing.Password); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		var fe mail.FieldErrors
		if errors.As(err, &fe) || errors.Is(err, ErrNoAccount) || errors.Is(err, ErrKeyFile) || errors.Is(err, ErrUnsafe) {
			return err
		}
		return fmt.Errorf("update account %s: %w", a.Name, err)
	}
	return nil
}

// SetPassword replaces the stored password of one side of an account and
// leaves the other side alone. An account using the incoming credentials
// for the outgoing server (SMTPSame) has no outgoing password of its own.
func (s *Store) SetPassword(nameOrID string, outgoing bool, password string) error {
	if password == "" {
		return ErrPasswordEmpty
	}
	if strings.ContainsFunc(password, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return ErrPasswordChars
	}
	key, err := s.loadKey(true)
	if err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		a, _, err := findAccount(tx, nameOrID)
		if err != nil {
			return err
		}
		if outgoing && a.SMTPSame {
			return &SameCredentialsError{Account: a.Name}
		}
		return putSecret(tx, key, a.ID, side(outgoing), password)
	})
}

// Use makes an account the active one.
func (s *Store) Use(nameOrID string) error {
	return s.update(func(tx *bolt.Tx) error {
		a, _, err := findAccount(tx, nameOrID)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketMeta).Put(keyActive, []byte(a.ID)); err != nil {
			return fmt.Errorf("set active account: %w", err)
		}
		return nil
	})
}

// RemoveAccount deletes an account with its passwords, messages and UID
// records. When it was active, the first remaining account (in creation
// order) becomes active, or none.
func (s *Store) RemoveAccount(nameOrID string) error {
	return s.update(func(tx *bolt.Tx) error {
		a, k, err := findAccount(tx, nameOrID)
		if err != nil {
			return err
		}
		if root := tx.Bucket(bucketAcct).Bucket(k); root != nil {
			// The global ID is the second half of every msg key.
			ids := tx.Bucket(bucketIDs)
			c := root.Bucket(bucketMsgs).Cursor()
			for mk, _ := c.First(); mk != nil; mk, _ = c.Next() {
				if err := ids.Delete(mk[8:16]); err != nil {
					return fmt.Errorf("remove message ids: %w", err)
				}
			}
			if err := tx.Bucket(bucketAcct).DeleteBucket(k); err != nil {
				return fmt.Errorf("remove messages: %w", err)
			}
		}
		secrets := tx.Bucket(bucketSecrets)
		for _, side := range secretSides {
			if err := secrets.Delete(secretKey(a.ID, side)); err != nil {
				return fmt.Errorf("remove password: %w", err)
			}
		}
		accounts := tx.Bucket(bucketAccounts)
		if err := accounts.Delete(k); err != nil {
			return fmt.Errorf("remove account: %w", err)
		}
		if activeID(tx) != a.ID {
			return nil
		}
		meta := tx.Bucket(bucketMeta)
		if first, _ := accounts.Cursor().First(); first != nil {
			return meta.Put(keyActive, []byte(accountIDOf(first)))
		}
		return meta.Delete(keyActive)
	})
}

// SaveHints keeps what the server said about itself (LOGIN-DELAY, EXPIRE)
// with the account. It is part of mail.Cache.
func (s *Store) SaveHints(accountID string, h mail.ServerHints) error {
	return s.update(func(tx *bolt.Tx) error {
		a, k, err := accountByID(tx, accountID)
		if err != nil {
			return err
		}
		a.Hints = h
		return putAccount(tx, k, a)
	})
}
