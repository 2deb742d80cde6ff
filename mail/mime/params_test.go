package mime

import (
	"reflect"
	"testing"
)

// TestMediaValue covers both readers of Content-Type and
// Content-Disposition values: mime.ParseMediaType for the well-formed ones,
// parseOwnMediaValue for the rest; both give the same shape.
func TestMediaValue(t *testing.T) {
	tests := []struct {
		name, in string
		typ      string
		params   map[string]string
	}{
		{"plain", "text/plain; charset=utf-8", "text/plain", map[string]string{"charset": "utf-8"}},
		{"case and quotes", "TEXT/Plain; Charset=\"UTF-8\"; FORMAT=flowed", "text/plain", map[string]string{"charset": "UTF-8", "format": "flowed"}},
		{"folded", "multipart/mixed;\t boundary=\"b1\"", "multipart/mixed", map[string]string{"boundary": "b1"}},
		{"continuations", "attachment; filename*1=\"def.txt\"; filename*0=\"abc\"", "attachment", map[string]string{"filename": "abcdef.txt"}},
		{"escaped quote", `attachment; filename="say \"hi\".txt"`, "attachment", map[string]string{"filename": `say "hi".txt`}},
		{"windows path", `attachment; filename="C:\temp\a.doc"`, "attachment", map[string]string{"filename": `C:\temp\a.doc`}},
		{"trailing semicolon", "text/html;", "text/html", map[string]string{}},
		// What mime.ParseMediaType refuses:
		{"unquoted separators", "multipart/alternative; boundary=----=_Part_1", "multipart/alternative", map[string]string{"boundary": "----=_Part_1"}},
		{"repeated parameter", "text/plain; charset=utf-8; charset=latin1", "text/plain", map[string]string{"charset": "utf-8"}},
		{"windows path, repeated parameter", `attachment; filename="C:\temp\a.doc"; filename=b`, "attachment", map[string]string{"filename": `C:\temp\a.doc`}},
		{"unquoted spaces", "attachment; filename=my file.pdf", "attachment", map[string]string{"filename": "my file.pdf"}},
		{"no type", "filename=a.pdf", "", map[string]string{"filename": "a.pdf"}},
		{"double semicolon", "text/plain;; format=flowed", "text/plain", map[string]string{"format": "flowed"}},
		{"comment", "application/x-zip (compressed); name=a.zip", "application/x-zip", map[string]string{"name": "a.zip"}},
		{"stray byte in type", "Image/\x01PNG; name=a.png", "image/png", map[string]string{"name": "a.png"}},
		{"spaces around =", "text/plain; charset = utf-8", "text/plain", map[string]string{"charset": "utf-8"}},
		{"unclosed quote", "text/plain; name=\"a b", "text/plain", map[string]string{"name": "a b"}},
		{"rfc 2231 in iso-2022-jp", "attachment; filename*=iso-2022-jp''%1B%24B%3C%4C%3F%3F%1B%28B.png", "attachment", map[string]string{"filename": "写真.png"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var notes noteList
			typ, ps := parseMediaValue(tt.in, &notes)
			got := map[string]string{}
			for _, p := range ps {
				got[p.key] = p.value
			}
			if typ != tt.typ || !reflect.DeepEqual(got, tt.params) || len(notes.items) > 0 {
				t.Errorf("parseMediaValue(%q) = %q, %v, notes %q; want %q, %v", tt.in, typ, got, notes.items, tt.typ, tt.params)
			}
		})
	}
}
