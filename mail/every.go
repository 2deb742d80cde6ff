package mail

// Fetching on its own: how often the screen fetches an account (Every),
// and what happens when a fetch brings new mail (Account.OnNew, Bell).

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Every is the time between automatic fetches of an account; 0 is off.
// It reads and writes as "10m", "1h30m" or "off".
type Every time.Duration

// Bounds of Every when it is on: the screen fetches at most once a
// minute, at least once a day.
const (
	MinEvery = Every(time.Minute)
	MaxEvery = Every(24 * time.Hour)
)

// ParseEvery reads "off", "0", a number of minutes ("15") or a Go
// duration ("10m", "1h30m", "90s" is refused by Validate, not here).
func ParseEvery(s string) (Every, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "", "off", "0", "none", "never":
		return 0, nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 {
			return 0, fmt.Errorf("fetch interval %q is negative", s)
		}
		return Every(time.Duration(n) * time.Minute), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("fetch interval %q is not a time such as 10m or 1h", s)
	}
	return Every(d), nil
}

// String is "off" or the shortest form: "10m", "1h30m", "2h".
func (e Every) String() string {
	if e <= 0 {
		return "off"
	}
	d := time.Duration(e)
	var b strings.Builder
	if h := d / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m := d % time.Hour / time.Minute; m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if s := d % time.Minute; s > 0 {
		fmt.Fprintf(&b, "%gs", s.Seconds())
	}
	return b.String()
}

// MarshalText writes String.
func (e Every) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// UnmarshalText reads what MarshalText wrote.
func (e *Every) UnmarshalText(b []byte) error {
	v, err := ParseEvery(string(b))
	if err != nil {
		return err
	}
	*e = v
	return nil
}

// FetchDue is when an account whose last fetch began at last is due
// again: last plus its interval, at least the server's LOGIN-DELAY, and
// doubled for each failed fetch in a row (fails), up to 32 times or an
// hour, whichever is longer. ok is false when the account has no interval.
func FetchDue(every Every, loginDelay time.Duration, last time.Time, fails int) (due time.Time, ok bool) {
	if every <= 0 {
		return time.Time{}, false
	}
	d := time.Duration(every)
	d = max(d, loginDelay)
	if fails > 0 {
		backed := d << min(fails, 5)
		d = min(backed, max(d, time.Hour))
	}
	return last.Add(d), true
}

// RunOnNew runs the account's new-mail command, when it has one, after a
// fetch that brought n new messages: with sh -c, POPBOX_ACCOUNT (its
// name), POPBOX_EMAIL and POPBOX_NEW (n) in the environment, nothing on
// stdin, within a minute. Nothing from the messages is put on its command
// line. out and errw take its output (nil: discarded).
func RunOnNew(ctx context.Context, a Account, n int, out, errw io.Writer) error {
	cmdline := strings.TrimSpace(a.OnNew)
	if cmdline == "" || n <= 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", cmdline)
	cmd.Env = append(os.Environ(), "POPBOX_ACCOUNT="+a.Name, "POPBOX_EMAIL="+a.Email, "POPBOX_NEW="+strconv.Itoa(n))
	if out == nil {
		out = io.Discard
	}
	if errw == nil {
		errw = io.Discard
	}
	cmd.Stdout, cmd.Stderr = out, errw
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%w: %q: %v", ErrOnNew, cmdline, err)
	}
	return nil
}
