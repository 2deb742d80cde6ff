package mail

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"popbox/mail/mime"
)

// isHiddenFormat is mime.IsHiddenFormat, for the terminal-safety checks of
// this package's tests.
func isHiddenFormat(r rune) bool { return mime.IsHiddenFormat(r) }

// TestDecodingAliases checks that the transition names in message.go give
// what package mime gives.
func TestDecodingAliases(t *testing.T) {
	raw := []byte("From: Ann <ann@example.com>\r\nSubject: Hello\r\nDate: Tue, 12 Mar 2024 10:00:00 +0900\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nHi\r\n--b\r\nContent-Type: text/plain; name=\"../a\x1b.txt\"\r\n\r\nx\r\n--b--\r\n")
	fetched := time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
	if got, want := Summarize(raw, fetched), mime.Summarize(raw, fetched); !reflect.DeepEqual(got, want) {
		t.Errorf("Summarize = %#v, want %#v", got, want)
	}
	if got, want := Parse(raw, fetched), mime.Parse(raw, fetched); !reflect.DeepEqual(got, want) {
		t.Errorf("Parse = %#v, want %#v", got, want)
	}
	a, data, err := AttachmentData(raw, 1)
	if a.Filename != "../a.txt" || string(data) != "x" || err != nil {
		t.Errorf("AttachmentData = %+v, %q, %v", a, data, err)
	}
	if _, _, err := AttachmentData(raw, 2); err == nil || !errors.Is(err, ErrNoAttachment) {
		t.Errorf("AttachmentData(2) error = %v", err)
	}
	if got := SafeFilename(a.Filename, 1); got != "a.txt" {
		t.Errorf("SafeFilename = %q", got)
	}
	if got := SafeLine("a\x1b[2J\u202eb\r\n"); got != "a[2Jb" {
		t.Errorf("SafeLine = %q", got)
	}
}
