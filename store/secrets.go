package store

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/crypto/chacha20poly1305"
)

// Passwords are sealed with XChaCha20-Poly1305 under a random 32-byte key
// kept in a separate 0600 file (Options.KeyFile), so a copy of the database
// alone reveals nothing. The nonce is random per seal and stored in front of
// the box; the additional data is "accountID/side", so a sealed value moved
// to another account or side fails to open.

// ErrKeyFile: the key file that seals passwords is missing, damaged or does
// not match the stored passwords (they must be set again), or its path
// holds something other than a regular file.
var ErrKeyFile = errors.New("key file unusable")

// KeyProblem is what is wrong with the key file.
type KeyProblem int

const (
	KeyMissing    KeyProblem = iota // there is no key file
	KeyUnreadable                   // it cannot be read (Detail: the system's error)
	KeyDamaged                      // it is not a key (Detail: its size)
	KeyMismatch                     // it does not open a stored password
)

// KeyFileError says what is wrong with the key file: the stored passwords
// cannot be opened and must be set again. Account and Side name the
// password that did not open (KeyMismatch).
type KeyFileError struct {
	Path    string
	Problem KeyProblem
	Detail  string
	Account string // the account's display name
	Side    string // "incoming" or "outgoing"
}

func (e *KeyFileError) Error() string {
	switch e.Problem {
	case KeyMissing:
		return fmt.Sprintf("the key file %s is missing; the passwords must be set again", e.Path)
	case KeyUnreadable:
		return fmt.Sprintf("the key file %s cannot be read (%s); the passwords must be set again", e.Path, e.Detail)
	case KeyDamaged:
		return fmt.Sprintf("the key file %s is damaged (%s); the passwords must be set again", e.Path, e.Detail)
	}
	return fmt.Sprintf("the key file %s does not open the stored %s password of %s (the file was replaced, or the database copied without it)", e.Path, e.Side, e.Account)
}

// Unwrap returns ErrKeyFile.
func (e *KeyFileError) Unwrap() error { return ErrKeyFile }

const (
	sideIncoming = "incoming"
	sideOutgoing = "outgoing"
)

func side(outgoing bool) string {
	if outgoing {
		return sideOutgoing
	}
	return sideIncoming
}

func secretKey(accountID, side string) []byte {
	return []byte(accountID + "/" + side)
}

// loadKey returns the sealing key. With create set, a missing key file is
// made (folder 0700, file 0600); otherwise it is an ErrKeyFile. A key file
// or folder that fails the checks of safety.go is an ErrUnsafe, before
// anything is read from it or sealed with it.
func (s *Store) loadKey(create bool) ([]byte, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.key != nil {
		return s.key, nil
	}
	if err := checkSafeFolder(s.keyFile, true); err != nil {
		return nil, err
	}
	b, err := readKeyFile(s.keyFile)
	var oe *OpenError
	switch {
	case errors.As(err, &oe):
		return nil, err
	case errors.Is(err, os.ErrNotExist):
		if !create {
			return nil, &KeyFileError{Path: s.keyFile, Problem: KeyMissing}
		}
		key, err := newKeyFile(s.keyFile)
		if err != nil {
			return nil, err
		}
		s.key = key
		return key, nil
	case err != nil:
		return nil, &KeyFileError{Path: s.keyFile, Problem: KeyUnreadable, Detail: err.Error()}
	case len(b) != chacha20poly1305.KeySize:
		return nil, &KeyFileError{Path: s.keyFile, Problem: KeyDamaged, Detail: fmt.Sprintf("%d bytes, not %d", len(b), chacha20poly1305.KeySize)}
	}
	s.key = b
	return b, nil
}

// newKeyFile writes a fresh random key. O_EXCL keeps an existing key safe
// from being overwritten.
func newKeyFile(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create key file folder: %w", err)
	}
	if err := checkSafeFolder(path, true); err != nil {
		return nil, err
	}
	key := make([]byte, chacha20poly1305.KeySize)
	if _, err := io.ReadFull(rand.Reader, key); err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create key file %s: %w", path, err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("write key file %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("write key file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("write key file %s: %w", path, err)
	}
	return key, nil
}

// seal encrypts a password for one side of one account.
func seal(key []byte, accountID, side, password string) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("seal password: %w", err)
	}
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+len(password)+aead.Overhead())
	if _, err := io.ReadFull(rand.Reader, out); err != nil {
		return nil, fmt.Errorf("seal password: %w", err)
	}
	return aead.Seal(out, out, []byte(password), secretKey(accountID, side)), nil
}

// unseal is the inverse of seal; a wrong key or a value moved from another
// account fails authentication.
func unseal(key []byte, accountID, side string, sealed []byte) (string, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return "", fmt.Errorf("unseal password: %w", err)
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return "", errors.New("unseal password: sealed value too short")
	}
	nonce, box := sealed[:aead.NonceSize()], sealed[aead.NonceSize():]
	plain, err := aead.Open(nil, nonce, box, secretKey(accountID, side))
	if err != nil {
		return "", fmt.Errorf("unseal password: %w", err)
	}
	return string(plain), nil
}
