package mail

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// UIDState is what popbox did with a server UID locally.
type UIDState int

// UID states.
const (
	// UIDStored: the message is in the local store.
	UIDStored UIDState = iota
	// UIDDeletedLocally: the user deleted the message in popbox. The record
	// stays so the message is not fetched again; under the mirror policy it
	// is a tombstone: the next fetch deletes the server copy.
	UIDDeletedLocally
)

// String names the state for JSON and logs.
func (s UIDState) String() string {
	switch s {
	case UIDStored:
		return "stored"
	case UIDDeletedLocally:
		return "deleted-locally"
	}
	return fmt.Sprintf("uidstate(%d)", int(s))
}

// UIDRecord is the store's memory of one server UID of one account.
type UIDRecord struct {
	UID string
	// FirstSeen is when popbox first retrieved this UID: the clock of
	// "delete after N days".
	FirstSeen time.Time
	// MsgID is the local message ID the UID led to (for a duplicate found by
	// digest, the ID of the message already stored).
	MsgID string
	State UIDState
	// PendingDelivery: the message waits for delivery to the account's
	// Maildir or MDA; its server copy is not deleted until it is delivered.
	PendingDelivery bool
}

// NewMessage is one retrieved message ready to be committed.
type NewMessage struct {
	UID       string
	Raw       []byte // exact bytes: dot-stuffing undone, CRLF kept
	Summary   Summary
	Digest    [32]byte // SHA-256 of Raw
	FirstSeen time.Time
	// Packed is the cache's own encoding of Raw (the store compresses it),
	// made by Cache.Prepare off the commit path; mail never reads it.
	Packed []byte
	// PendingDelivery asks Commit to mark the message as waiting for
	// delivery, in the same transaction (a duplicate of a stored message
	// is not marked: its bytes are delivered, or waiting, already).
	PendingDelivery bool
}

// Cache is the storage the fetch engine needs; package store implements it.
// Every method is safe to call from one goroutine at a time per account.
type Cache interface {
	// LookupUIDs finds the records of uids (as many as the caller likes in
	// one call; the fetch engine sends a few thousand at a time) in one read
	// of the store and calls fn, in the order of uids, with each one's index,
	// record and whether there is one. It never loads the records of UIDs it
	// was not asked about, so its cost does not grow with the mailbox.
	LookupUIDs(accountID string, uids []string, fn func(i int, rec UIDRecord, ok bool)) error
	// Tombstones counts the account's UIDs deleted locally and not yet on
	// the server (their state is UIDDeletedLocally and a tombstone is kept).
	Tombstones(accountID string) (int, error)
	// Prepare does for a batch about to be committed the work that needs
	// no transaction (the store compresses the raw bytes into Packed), so
	// that the fetch engine can run it while the batch before commits.
	// Commit works without it.
	Prepare(batch []NewMessage)
	// Commit writes a batch in one transaction: for each message its raw
	// bytes, summary and UID record together. A message whose Digest (and
	// so whose summary date, made from the same bytes) equals one already
	// stored for the account (the same mail under a new UID, after a server
	// migration) only gets a UID record pointing at the stored message. It
	// returns how many were such duplicates. When Commit returns an error
	// nothing of the batch is stored. Commit keeps no reference to the
	// messages' Raw bytes once it has returned.
	Commit(accountID string, batch []NewMessage) (duplicates int, err error)
	// ForgetUIDs drops the records (and tombstones) of UIDs that the server
	// deleted at our request in a session that ended with QUIT +OK.
	ForgetUIDs(accountID string, uids []string) error
	// SaveHints keeps what the server said about itself (LOGIN-DELAY, EXPIRE).
	SaveHints(accountID string, h ServerHints) error
}

// ResolvePassword returns the password, running PasswordCmd with sh -c when
// it is set (the first line of its output, without the line end).
func (s Server) ResolvePassword(ctx context.Context) (string, error) {
	if strings.TrimSpace(s.PasswordCmd) == "" {
		return s.Password, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "sh", "-c", s.PasswordCmd).Output()
	if err != nil {
		return "", fmt.Errorf("%w: %q: %v", ErrPasswordCmd, s.PasswordCmd, err)
	}
	line, _, _ := strings.Cut(string(out), "\n")
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return "", fmt.Errorf("%w: %q printed nothing", ErrPasswordCmd, s.PasswordCmd)
	}
	return line, nil
}
