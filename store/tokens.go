package store

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// OAuth2 refresh tokens are sealed exactly like passwords (secrets.go):
// with the key file's key, in the secrets bucket, bound to the account and
// the side, so that a sealed token copied to another account or side does
// not open. Access tokens are never stored: they live minutes and are
// asked for again with the refresh token.
const (
	sideIncomingToken = "incoming-oauth2"
	sideOutgoingToken = "outgoing-oauth2"
)

// secretSides are every secret an account may have, for removal and repair.
var secretSides = []string{sideIncoming, sideOutgoing, sideIncomingToken, sideOutgoingToken}

func tokenSide(outgoing bool) string {
	if outgoing {
		return sideOutgoingToken
	}
	return sideIncomingToken
}

// ErrNoToken: the account has no refresh token for that side: it has not
// signed in yet, or signed out.
var ErrNoToken = errors.New("no refresh token")

// SetRefreshToken seals token as the refresh token of the account's
// incoming or outgoing side, replacing the one before (servers may rotate
// refresh tokens: the new one must be kept at once). An empty token
// removes it.
func (s *Store) SetRefreshToken(nameOrID string, outgoing bool, token string) error {
	var key []byte
	if token != "" {
		var err error
		if key, err = s.loadKey(true); err != nil {
			return err
		}
	}
	return s.update(func(tx *bolt.Tx) error {
		a, _, err := findAccount(tx, nameOrID)
		if err != nil {
			return err
		}
		b := tx.Bucket(bucketSecrets)
		side := tokenSide(outgoing)
		if token == "" {
			return b.Delete(secretKey(a.ID, side))
		}
		box, err := seal(key, a.ID, side, token)
		if err != nil {
			return err
		}
		if err := b.Put(secretKey(a.ID, side), box); err != nil {
			return fmt.Errorf("write the %s refresh token: %w", side, err)
		}
		return nil
	})
}

// RefreshToken opens the refresh token of the account's incoming or
// outgoing side; ErrNoToken when there is none.
func (s *Store) RefreshToken(nameOrID string, outgoing bool) (string, error) {
	var (
		id  string
		box []byte
	)
	err := s.view(func(tx *bolt.Tx) error {
		a, _, err := findAccount(tx, nameOrID)
		if err != nil {
			return err
		}
		id = a.ID
		box = copyBytes(tx.Bucket(bucketSecrets).Get(secretKey(a.ID, tokenSide(outgoing))))
		return nil
	})
	if err != nil {
		return "", err
	}
	if box == nil {
		return "", ErrNoToken
	}
	key, err := s.loadKey(false)
	if err != nil {
		return "", err
	}
	tok, err := unseal(key, id, tokenSide(outgoing), box)
	if err != nil {
		return "", &KeyFileError{Path: s.keyFile, Problem: KeyMismatch, Account: nameOrID, Side: tokenSide(outgoing)}
	}
	return tok, nil
}
