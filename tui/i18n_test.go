package tui

import (
	"testing"

	"popbox/tui/i18n"
)

// TestCatalogComplete checks every entry of the message table: both
// languages present, and the same format verbs in both (in the same order,
// unless every verb names its argument, as in %[2]s).
func TestCatalogComplete(t *testing.T) {
	if len(catalog) == 0 {
		t.Fatal("the catalog is empty")
	}
	for key, v := range catalog {
		if problem := i18n.CheckEntry(v[0], v[1]); problem != "" {
			t.Errorf("%s: %s", key, problem)
		}
	}
}

func TestI18nTranslate(t *testing.T) {
	if got := langEN.tr("wizard.step", 2, 5, "x"); got != "Step 2 of 5 · x" {
		t.Errorf("en: %q", got)
	}
	if got := langJA.tr("wizard.step", 2, 5, "x"); got != "ステップ 2/5・x" {
		t.Errorf("ja: %q", got)
	}
	if got := langJA.tr("no.such.key"); got != "no.such.key" {
		t.Errorf("missing key: %q", got)
	}
}

func TestDetectLang(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want lang
	}{
		{"nothing set", nil, langEN},
		{"LANG ja", map[string]string{"LANG": "ja_JP.UTF-8"}, langJA},
		{"LANG en", map[string]string{"LANG": "en_US.UTF-8"}, langEN},
		{"LC_MESSAGES over LANG", map[string]string{"LC_MESSAGES": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}, langJA},
		{"LC_ALL over all", map[string]string{"LC_ALL": "C", "LC_MESSAGES": "ja_JP.UTF-8", "LANG": "ja_JP.UTF-8"}, langEN},
		{"LC_ALL ja", map[string]string{"LC_ALL": "ja", "LANG": "en_US.UTF-8"}, langJA},
		{"upper case", map[string]string{"LANG": "JA_JP.eucJP"}, langJA},
		{"empty LC_ALL is skipped", map[string]string{"LC_ALL": "", "LANG": "ja_JP.UTF-8"}, langJA},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := detectLang(func(k string) string { return tc.env[k] }); got != tc.want {
				t.Errorf("detectLang = %v, want %v", got, tc.want)
			}
		})
	}
}
