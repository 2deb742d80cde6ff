package i18n

import (
	"slices"
	"testing"
)

// TestCatalogComplete checks every entry this package adds: both languages
// present, and the same format verbs in both (in the same order, unless
// every verb names its argument, as in %[2]s). The TUI's test checks the
// whole table again with the screens' entries.
func TestCatalogComplete(t *testing.T) {
	if len(catalog) == 0 {
		t.Fatal("the catalog is empty")
	}
	for key, v := range catalog {
		if problem := CheckEntry(v[0], v[1]); problem != "" {
			t.Errorf("%s: %s", key, problem)
		}
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want Lang
	}{
		{nil, EN},
		{map[string]string{"LANG": "ja_JP.UTF-8"}, JA},
		{map[string]string{"LANG": "ja_JP.UTF-8", "LC_MESSAGES": "C"}, EN},
		{map[string]string{"LANG": "C", "LC_ALL": "ja_JP.eucJP"}, JA},
		{map[string]string{"LC_MESSAGES": "JA_jp"}, JA},
	}
	for _, tc := range tests {
		if got := Detect(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("Detect(%v) = %v, want %v", tc.env, got, tc.want)
		}
	}
}

func TestVerbs(t *testing.T) {
	verbs := verbsOf
	tests := []struct {
		in   string
		want []string
	}{
		{"plain", nil},
		{"%s and %d", []string{"%s", "%d"}},
		{"100%% sure %q", []string{"%q"}},
		{"%[2]s %-5d %.2f %v", []string{"%[2]s", "%-5d", "%.2f", "%v"}},
	}
	for _, tc := range tests {
		if got := verbs(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("verbs(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestShell(t *testing.T) {
	for in, want := range map[string]string{
		"Work":                     "Work",
		"/home/taro/popbox.db":     "/home/taro/popbox.db",
		"/home/taro/my mail/pb.db": "'/home/taro/my mail/pb.db'",
		"it's":                     `'it'\''s'`,
		"$(rm -rf ~)":              "'$(rm -rf ~)'",
		"":                         "''",
		"仕事":                       "'仕事'",
	} {
		if got := Shell(in); got != want {
			t.Errorf("Shell(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 100000: "100,000", 1234567: "1,234,567"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}
