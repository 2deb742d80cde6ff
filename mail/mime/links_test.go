package mime

import (
	"reflect"
	"strings"
	"testing"
)

const linksMail = "From: a@example.com\r\n" +
	"Subject: links\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=\"m\"\r\n" +
	"\r\n" +
	"--m\r\n" +
	"Content-Type: multipart/alternative; boundary=\"a\"\r\n" +
	"\r\n" +
	"--a\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"\r\n" +
	"See https://example.com/docs. Or (https://example.com/x_(y)) and\r\n" +
	"https://example.jp/ページ and <https://example.com/docs> again,\r\n" +
	"mail mailto:ann@example.com, ftp://nope.example.com\r\n" +
	"--a\r\n" +
	"Content-Type: text/html; charset=ISO-8859-1\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"<p><a href=3D\"https://example.com/docs\">The  docs</a>\r\n" +
	"<a href=3D\"javascript:alert(1)\">Caf=E9</a>\r\n" +
	"<a href=3D\"mailto:bob@example.com\">Bob</a> <a href=3D\"#top\">top</a></p>\r\n" +
	"--a--\r\n" +
	"--m\r\n" +
	"Content-Type: text/html; name=\"a.html\"\r\n" +
	"Content-Disposition: attachment; filename=\"a.html\"\r\n" +
	"\r\n" +
	"<a href=\"https://attached.example.com/\">not the body</a>\r\n" +
	"--m--\r\n"

func TestLinks(t *testing.T) {
	got := Links([]byte(linksMail))
	want := []Link{
		{URL: "https://example.com/docs", Text: "The docs"},
		{URL: "https://example.com/x_(y)"},
		{URL: "https://example.jp/"},
		{URL: "mailto:ann@example.com"},
		{URL: "javascript:alert(1)", Text: "Café"},
		{URL: "mailto:bob@example.com", Text: "Bob"},
		{URL: "#top", Text: "top"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Links:\n got %q\nwant %q", got, want)
	}
}

func TestHTML(t *testing.T) {
	s, ok := HTML([]byte(linksMail))
	if !ok || !strings.Contains(s, ">Café</a>") || strings.Contains(s, "attached.example.com") {
		t.Fatalf("HTML = %q, %v", s, ok)
	}
	if _, ok := HTML([]byte("Subject: x\r\n\r\nplain https://example.com\r\n")); ok {
		t.Error("a plain message has an HTML part")
	}
}

func TestHTMLFile(t *testing.T) {
	tests := []struct{ name, in, prefix string }{
		{"doctype first", "<!DOCTYPE html><html><meta charset=\"shift_jis\">x", "\ufeff<!DOCTYPE html>\n<meta charset=\"utf-8\">"},
		{"no doctype", "  <html>x", "\ufeff<meta charset=\"utf-8\">"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := string(HTMLFile(tc.in))
			if !strings.HasPrefix(got, tc.prefix) || !strings.Contains(got, "script-src 'none'") {
				t.Errorf("HTMLFile = %q", got)
			}
		})
	}
}
