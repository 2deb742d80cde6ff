package mail

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// msgSource is the messages retrieve asks for, in order.
type msgSource interface {
	Len() int
	At(i int) ServerMsg
	// NumSize is At(i).Num and At(i).Size, without making its UID.
	NumSize(i int) (int, int64)
}

// serverMsgs is a msgSource over a slice.
type serverMsgs []ServerMsg

func (l serverMsgs) Len() int                   { return len(l) }
func (l serverMsgs) At(i int) ServerMsg         { return l[i] }
func (l serverMsgs) NumSize(i int) (int, int64) { return l[i].Num, l[i].Size }

// ErrOutOfStep: a reply could not be a faithful copy of the message asked
// for (far shorter or longer than LIST said), so what follows in the
// session may belong to another reply. The session ends without QUIT, so
// nothing is deleted, and the message stays on the server.
var errOutOfStep = errors.New("the server's replies are out of step")

// UnfaithfulError is a reply popbox did not take as the message asked for:
// far from the size LIST announced, or cut off where it ran far past it.
// The message stays on the server.
type UnfaithfulError struct {
	Num       int
	Announced int64 // LIST's size; 0 when unknown
	Got       int64 // bytes received (when CutOff, where reading stopped)
	CutOff    bool  // the reply ran past Limit and was not read to its end
	Limit     int64
}

// Error says what was wrong with the reply.
func (e *UnfaithfulError) Error() string {
	if e.CutOff {
		if e.Announced > 0 {
			return fmt.Sprintf("its reply ran past %s although the server announced %s, so popbox stopped reading it", FormatSize(e.Limit), FormatSize(e.Announced))
		}
		return fmt.Sprintf("it is larger than the account's limit of %s, so popbox stopped reading it", FormatSize(e.Limit))
	}
	return fmt.Sprintf("its reply held %s where the server announced %s, so it cannot be a faithful copy", FormatSize(e.Got), FormatSize(e.Announced))
}

// Unwrap makes errors.Is(err, ErrProtocol) true.
func (e *UnfaithfulError) Unwrap() error { return ErrProtocol }

// retrieve sends RETR for each message and hands each one's bytes to got,
// in order. got receives a per-message error (the server answered -ERR)
// with nil bytes, and the session goes on after it. A reply that cannot be
// the message asked for (see replyBound, tooShort) is handed to got as an
// *UnfaithfulError, and retrieve then ends with errOutOfStep: the rest of
// the stream cannot be trusted to line up with the commands. An error
// returned by got, or one that breaks the session, ends retrieve too.
// limit is the account's largest message; tick is passed to readBody.
func (s *session) retrieve(msgs msgSource, limit int64, got func(m ServerMsg, raw []byte, err error) error, tick func(int)) (err error) {
	// A last net: a reply that trips a bug here must not take the process
	// down with the messages already read; those are committed by the caller.
	defer func() {
		if keepPanics.Load() {
			return // the fuzz targets want to see every panic
		}
		if r := recover(); r != nil {
			err = fmt.Errorf("RETR: internal error reading a reply from %s (%v): %w", s.addr, r, errOutOfStep)
		}
	}()
	n := msgs.Len()
	w := s.newWindow("RETR", n, msgs.NumSize)
	for i := 0; i < n; i++ {
		if err := s.ctx.Err(); err != nil {
			return fmt.Errorf("RETR: %w", err)
		}
		m := msgs.At(i)
		ok, text, err := w.next()
		if err != nil {
			return fmt.Errorf("message %d: %w", m.Num, err)
		}
		if !ok {
			if err := got(m, nil, fmt.Errorf("RETR %d: %s answered -ERR %s", m.Num, s.host, serverText(text))); err != nil {
				return err
			}
			continue
		}
		bound := replyBound(m.Size, limit)
		s.tcp.setBound(retrBound(m.Size, s.tcp.idle))
		raw, err := s.readBody("RETR", getBuf(prealloc(m.Size, bound)), bound, tick)
		s.tcp.setBound(0)
		var unfaithful *UnfaithfulError
		switch {
		case errors.Is(err, errTooLarge):
			unfaithful = &UnfaithfulError{Num: m.Num, Announced: m.Size, Got: bound, CutOff: true, Limit: bound}
		case err != nil:
			return fmt.Errorf("message %d: %w", m.Num, err)
		case tooShort(m.Size, int64(len(raw))):
			unfaithful = &UnfaithfulError{Num: m.Num, Announced: m.Size, Got: int64(len(raw))}
		}
		if unfaithful != nil {
			if err := got(m, nil, unfaithful); err != nil {
				return err
			}
			return fmt.Errorf("message %d: %w", m.Num, errOutOfStep)
		}
		if err := got(m, raw, nil); err != nil {
			return err
		}
	}
	return nil
}

// DefaultMaxMessageSize is the largest message an account fetches unless
// it sets its own limit (Account.MaxMessageSize): larger ones stay on the
// server, with a warning. Providers cap mail at 25-150 MB; the bound keeps
// a server from choosing how much memory popbox uses.
const DefaultMaxMessageSize = 256 << 20

// replySlack is how far a reply may be from its announced size before it
// counts as "far": LIST sizes are often a little off (a server that counts
// LF line ends sends CRLF; Exchange gives estimates), never by much.
const replySlack = 64 << 10

// replyBound is the most a reply to RETR may hold: twice the announced size
// plus replySlack, and never more than the account's limit. Past it the
// reply is cut off (readBody stops reading), so a server streaming without
// end costs neither memory nor time.
func replyBound(size, limit int64) int64 {
	if size <= 0 {
		return limit
	}
	return min(satAdd(satAdd(size, size), replySlack), limit)
}

// tooShort reports a reply far shorter than announced: less than half of
// it, less replySlack. A message cut short by a stray terminator is not a
// faithful copy, and what follows it is not the next reply.
func tooShort(size, got int64) bool {
	return size > 0 && got < size/2-replySlack
}

// prealloc is the buffer for a reply announced at size bytes: that much and
// a little more, within bound; 4 KiB when the size is unknown.
func prealloc(size, bound int64) int {
	if size <= 0 {
		return 4 << 10
	}
	return int(min(satAdd(size, size/64+512), bound))
}

// satAdd adds two non-negative sizes, saturating at the largest int64.
func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// retrBound is the most one message may take: a few idle periods plus its
// announced size at minTransferRate.
func retrBound(size int64, idle time.Duration) time.Duration {
	secs := max(size, 0) / minTransferRate
	if secs > int64(24*time.Hour/time.Second) {
		secs = int64(24 * time.Hour / time.Second)
	}
	return 4*idle + time.Duration(secs)*time.Second
}

// dele marks messages for deletion (applied only by QUIT), pipelined like
// RETR. It returns the numbers the server accepted; a -ERR for one (already
// gone) becomes a warning.
func (s *session) dele(nums []int) (accepted []int, warns []Warning, err error) {
	w := s.newWindow("DELE", len(nums), func(i int) (int, int64) { return nums[i], 0 })
	for _, n := range nums {
		if err := s.ctx.Err(); err != nil {
			return accepted, warns, fmt.Errorf("DELE: %w", err)
		}
		ok, text, err := w.next()
		if err != nil {
			return accepted, warns, err
		}
		if !ok {
			warns = append(warns, Warning{Kind: WarnDeleRefused, Host: s.host, N: n, Text: serverText(text)})
			continue
		}
		accepted = append(accepted, n)
	}
	return accepted, warns, nil
}
