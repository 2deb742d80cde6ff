package mime

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParse feeds arbitrary bytes to Summarize, Parse and AttachmentData.
// Besides not panicking, the output must stay valid UTF-8, free of control
// characters, proportional to the input, and consistent between the three.
// Seeds: every file under testdata/messages plus the corpus in
// testdata/fuzz/FuzzParse (crashers found earlier are kept there).
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "messages", "*", "*.eml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		// Large files slow every fuzzing round; their start is what matters.
		f.Add(raw[:min(len(raw), 16<<10)])
	}
	f.Add([]byte("Subject: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=\r\n\r\nbody"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: message/rfc822\r\n\r\nContent-Type: multipart/alternative; boundary=a-\r\n\r\n--a-\r\n\r\nx\r\n--a---\r\n--a--\r\n"))
	f.Add([]byte("Content-Type: text/html\r\n\r\n<ol start=9><li><a href=x>y</a><blockquote><pre>\r\n a</pre>&#x80;&amp&bogus;<script>"))

	fetched := time.Date(2024, 4, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw []byte) {
		keepPanics.Store(true)
		defer keepPanics.Store(false)

		// A hang would stall the fuzzer without a report; crash instead,
		// with every goroutine's stack, so the input is saved.
		watchdog := time.AfterFunc(10*time.Second, func() {
			buf := make([]byte, 1<<20)
			panic("FuzzParse hung:\n" + string(buf[:runtime.Stack(buf, true)]))
		})
		defer watchdog.Stop()

		start := time.Now()
		s := Summarize(raw, fetched)
		m := Parse(raw, fetched)
		// Work must stay about linear in the input; fuzz inputs are small,
		// so a second means something went quadratic.
		if d := time.Since(start); d > time.Second {
			t.Fatalf("Summarize and Parse took %v for %d bytes", d, len(raw))
		}
		if s.Size != int64(len(raw)) {
			t.Fatalf("Size = %d, want %d", s.Size, len(raw))
		}
		if !reflect.DeepEqual(m.Summary, s) {
			t.Fatalf("Parse(raw).Summary differs from Summarize(raw):\n%#v\n%#v", m.Summary, s)
		}
		if s.DateMissing && !s.Date.Equal(fetched) {
			t.Fatalf("DateMissing but Date = %v", s.Date)
		}
		if n := utf8.RuneCountInString(s.Preview); n > previewRunes {
			t.Fatalf("Preview has %d runes", n)
		}
		fuzzLine(t, "Subject", s.Subject)
		fuzzLine(t, "Preview", s.Preview)
		fuzzLine(t, "MessageID", s.MessageID)
		for _, a := range append(append([]Address{s.From}, s.To...), s.Cc...) {
			fuzzLine(t, "address name", a.Name)
			fuzzLine(t, "address", a.Address)
		}
		for _, h := range m.Headers {
			fuzzLine(t, h.Name, h.Value)
		}
		if len(m.Notes) > maxNotes+1 || len(s.Notes) > maxNotes+1 {
			t.Fatalf("%d notes", len(m.Notes))
		}
		for _, n := range m.Notes {
			fuzzLine(t, "note", n)
		}
		if !utf8.ValidString(m.Body) {
			t.Fatalf("Body is not valid UTF-8")
		}
		for _, r := range m.Body {
			if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				t.Fatalf("Body has control character %U", r)
			}
		}
		if limit := 32*len(raw) + 4096; len(m.Body) > limit {
			t.Fatalf("Body is %d bytes for %d bytes of input", len(m.Body), len(raw))
		}
		if len(m.Attachments) > maxMIMEParts {
			t.Fatalf("%d attachments", len(m.Attachments))
		}
		if s.Attachments && len(m.Attachments) == 0 {
			t.Fatalf("Summary.Attachments = %v with %d attachments", s.Attachments, len(m.Attachments))
		}
		for i, a := range m.Attachments {
			if a.Index != i+1 {
				t.Fatalf("attachment %d has Index %d", i+1, a.Index)
			}
			fuzzLine(t, "filename", a.Filename)
			fuzzLine(t, "type", a.Type)
			if a.Type == "" || strings.ContainsAny(a.Type, " ;\"") || strings.ToLower(a.Type) != a.Type {
				t.Fatalf("attachment type %q", a.Type)
			}
			safe := SafeFilename(a.Filename, a.Index)
			if safe == "" || strings.ContainsAny(safe, `/\`) || strings.Contains(safe, "..") || !utf8.ValidString(safe) {
				t.Fatalf("SafeFilename(%q) = %q", a.Filename, safe)
			}
			if i >= 3 {
				continue // AttachmentData parses again; a few are enough
			}
			got, data, err := AttachmentData(raw, a.Index)
			if err != nil {
				t.Fatalf("AttachmentData(%d): %v", a.Index, err)
			}
			if got != a || int64(len(data)) != a.Size {
				t.Fatalf("AttachmentData(%d) = %+v with %d bytes, Parse says %+v", a.Index, got, len(data), a)
			}
		}
		if _, _, err := AttachmentData(raw, len(m.Attachments)+1); err == nil {
			t.Fatalf("AttachmentData past the last attachment did not fail")
		}
	})
}

// fuzzLine checks a one-line display string.
func fuzzLine(t *testing.T, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%s is not valid UTF-8: %q", what, s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || IsHiddenFormat(r) {
			t.Fatalf("%s has control character %U: %q", what, r, s)
		}
	}
}
