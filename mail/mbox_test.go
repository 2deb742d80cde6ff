package mail

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	gombox "github.com/emersion/go-mbox"
)

// mboxCases are messages whose bytes an mbox round trip must keep.
var mboxCases = []struct{ name, raw string }{
	{"crlf", "Subject: a\r\n\r\nbody\r\n"},
	{"from lines", "Subject: b\r\n\r\nFrom here\r\n>From there\r\n>>From far\r\nFromage\r\n> From not\r\n"},
	{"bare lf", "Subject: c\n\nbody\nmore\n"},
	{"mixed", "Subject: d\r\n\r\nline\nline\r\n"},
	{"no final newline crlf", "Subject: e\r\n\r\nlast"},
	{"no final newline lf", "Subject: e\n\nlast"},
	{"cr before crlf", "Subject: f\r\n\r\nx\r\r\n"},
	{"cr at end", "Subject: g\r\n\r\nx\r"},
	{"lone cr", "Subject: h\r\n\r\na\rb\r\n"},
	{"blank lines at end", "Subject: i\r\n\r\nbody\r\n\r\n\r\n"},
	{"blank lines at end lf", "Subject: i\n\nbody\n\n\n"},
	{"empty", ""},
	{"only newline", "\n"},
	{"only crlf", "\r\n"},
	{"starts with From", "From x\r\n\r\n"},
	{"8-bit", "Subject: \xe3\x81\x82\r\n\r\n\xff\xfe\x00\r\n"},
	{"ends with lf cr lf", "Subject: j\r\n\r\nx\n\r\n"},
}

func mboxRoundTrip(t *testing.T, raws [][]byte) {
	t.Helper()
	var buf bytes.Buffer
	w := NewMboxWriter(&buf)
	date := time.Date(2024, 3, 5, 1, 2, 3, 0, time.UTC)
	for _, raw := range raws {
		if err := w.Write(raw, "a@example.test", date); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	r := NewMboxReader(bytes.NewReader(buf.Bytes()), 1<<30)
	for i, raw := range raws {
		m, err := r.Next()
		if err != nil {
			t.Fatalf("message %d: %v\nfile: %q", i, err, buf.String())
		}
		if !bytes.Equal(m.Raw, raw) {
			t.Fatalf("message %d: got %q, want %q\nfile: %q", i, m.Raw, raw, buf.String())
		}
	}
	if m, err := r.Next(); err != io.EOF {
		t.Fatalf("after the last message: %q, %v; want io.EOF\nfile: %q", m.Raw, err, buf.String())
	}
}

func TestMboxRoundTrip(t *testing.T) {
	var all [][]byte
	for _, c := range mboxCases {
		t.Run(c.name, func(t *testing.T) { mboxRoundTrip(t, [][]byte{[]byte(c.raw)}) })
		all = append(all, []byte(c.raw))
	}
	t.Run("all in one file", func(t *testing.T) { mboxRoundTrip(t, all) })
	t.Run("long lines", func(t *testing.T) {
		long := "Subject: k\r\n\r\n" + strings.Repeat(">", 70000) + "From x\r\n" + strings.Repeat("y", 200000) + "\r\nFrom z\r\n"
		mboxRoundTrip(t, [][]byte{[]byte(long), []byte("From \r\n")})
	})
}

func TestMboxFileForm(t *testing.T) {
	var buf bytes.Buffer
	w := NewMboxWriter(&buf)
	date := time.Date(2024, 3, 5, 1, 2, 3, 0, time.FixedZone("JST", 9*3600))
	w.Write([]byte("Subject: a\r\n\r\nFrom here\r\n>From there\r\n"), "ann@example.test", date)
	w.Write([]byte("Subject: b\n\nx"), "", date)
	w.Flush()
	want := "From ann@example.test Mon Mar  4 16:02:03 2024\nSubject: a\n\n>From here\n>>From there\n\n" +
		"From MAILER-DAEMON Mon Mar  4 16:02:03 2024 popbox=asis,noeol\nSubject: b\n\nx\n\n"
	if buf.String() != want {
		t.Fatalf("got\n%q\nwant\n%q", buf.String(), want)
	}
}

// TestMboxForeign reads an mbox of another program: LF line ends become
// CRLF, a ">From " line loses its '>', a file that is no mbox is refused.
func TestMboxForeign(t *testing.T) {
	in := "\nFrom a@b Thu Jan  1 00:00:00 2024\nSubject: x\n\n>From y\n\nFrom c@d Thu Jan  1 00:00:00 2024 remote from e\r\nSubject: z\r\n\r\nw\r\n"
	r := NewMboxReader(strings.NewReader(in), 1<<20)
	for _, want := range []string{"Subject: x\r\n\r\nFrom y\r\n", "Subject: z\r\n\r\nw\r\n"} {
		m, err := r.Next()
		if err != nil || string(m.Raw) != want {
			t.Fatalf("got %q, %v; want %q", m.Raw, err, want)
		}
	}
	if _, err := NewMboxReader(strings.NewReader("Subject: x\n\nbody\n"), 1<<20).Next(); err != ErrNotMbox {
		t.Fatalf("a message is no mbox: got %v", err)
	}
	if _, err := NewMboxReader(strings.NewReader(""), 1<<20).Next(); err != io.EOF {
		t.Fatalf("an empty file: got %v, want io.EOF", err)
	}
}

func TestMboxTooLarge(t *testing.T) {
	var buf bytes.Buffer
	w := NewMboxWriter(&buf)
	w.Write([]byte(strings.Repeat("x\r\n", 1000)), "", time.Unix(0, 0))
	w.Write([]byte("small\r\n"), "", time.Unix(0, 0))
	w.Flush()
	r := NewMboxReader(&buf, 100)
	if m, err := r.Next(); err != nil || !m.TooLarge || m.Raw != nil {
		t.Fatalf("large: %+v, %v", m, err)
	}
	if m, err := r.Next(); err != nil || string(m.Raw) != "small\r\n" {
		t.Fatalf("after the large one: %q, %v", m.Raw, err)
	}
}

func TestEnvelopeSender(t *testing.T) {
	for _, c := range []struct{ raw, from, want string }{
		{"Return-Path: <bounce@x.test>\r\nFrom: a@b\r\n\r\n", "a@b", "bounce@x.test"},
		{"return-path:<>\r\n\r\n", "a@b", "MAILER-DAEMON"},
		{"From: a@b\r\n\r\nReturn-Path: <no@x>\r\n", "a@b", "a@b"},
		{"Subject: x\r\n\r\n", "", "MAILER-DAEMON"},
		{"Return-Path: <a b@c>\r\n\r\n", "x@y", "MAILER-DAEMON"},
	} {
		if got := EnvelopeSender([]byte(c.raw), c.from); got != c.want {
			t.Errorf("EnvelopeSender(%q, %q) = %q, want %q", c.raw, c.from, got, c.want)
		}
	}
}

// TestGoMboxNotReversible pins why popbox has its own mbox writer and
// reader: go-mbox v1.0.4 loses a '>' of a ">From " line (it writes mboxo),
// and it changes the line ends of a message with both kinds.
func TestGoMboxNotReversible(t *testing.T) {
	for _, raw := range []string{
		"Subject: a\r\n\r\n>From there\r\n",
		"Subject: b\r\n\r\nline\nline\r\n",
	} {
		var buf bytes.Buffer
		w := gombox.NewWriter(&buf)
		mw, _ := w.CreateMessage("a@b", time.Unix(0, 0))
		mw.Write([]byte(raw))
		w.Close()
		r := gombox.NewReader(&buf)
		mr, err := r.NextMessage()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(mr)
		if string(got) == raw {
			t.Errorf("go-mbox kept %q: popbox's own mbox code may no longer be needed", raw)
		}
	}
}

func FuzzMboxRoundTrip(f *testing.F) {
	for _, c := range mboxCases {
		f.Add([]byte(c.raw), []byte("Subject: 2\r\n\r\nx\r\n"))
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		mboxRoundTrip(t, [][]byte{a, b})
	})
}
