// Package i18n is popbox's one message catalog, in English and Japanese,
// for both front ends: the TUI's screens register their texts here, and
// the errors and warnings of packages mail and store become sentences here
// (problems.go) for the TUI and the CLI alike.
//
// mail and store return kinds (sentinel errors and small typed errors with
// the host, port, side, field or path), never sentences with advice; the
// catalog turns a kind into what happened and what to do, in the user's
// language, with the advice of the front end that shows it (a command for
// the CLI, a key for the TUI). Adding an error kind is one entry here, in
// both languages; a test fails when a language is missing.
package i18n

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Lang is the language of the user's messages.
type Lang int

// The languages popbox speaks.
const (
	EN Lang = iota
	JA
)

// Detect picks the language from the locale variables in POSIX order:
// LC_ALL, then LC_MESSAGES, then LANG; a value starting with "ja" gives
// Japanese, anything else English. getenv nil reads the process's.
func Detect(getenv func(string) string) Lang {
	if getenv == nil {
		getenv = os.Getenv
	}
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			if strings.HasPrefix(strings.ToLower(v), "ja") {
				return JA
			}
			return EN
		}
	}
	return EN
}

// catalog is the one message table: key -> {English, Japanese}. It is
// filled by init functions only, so reading it needs no lock.
var catalog = map[string][2]string{}

// Add registers entries: key -> {English, Japanese}. Each part of the
// program adds its own from an init function (and only there); a key
// defined twice panics.
func Add(m map[string][2]string) {
	for k, v := range m {
		if _, dup := catalog[k]; dup {
			panic("i18n: message key defined twice: " + k)
		}
		catalog[k] = v
	}
}

// Has says whether key is in the catalog.
func Has(key string) bool {
	_, ok := catalog[key]
	return ok
}

// Table is the catalog itself, for the tests that check every entry.
func Table() map[string][2]string { return catalog }

// Tr translates key into l, formatting args with fmt.Sprintf when given.
// A missing key shows as the key itself, which the catalog tests forbid.
func (l Lang) Tr(key string, args ...any) string {
	v, ok := catalog[key]
	if !ok {
		return key
	}
	s := v[0]
	if l == JA && v[1] != "" {
		s = v[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// CheckEntry says what is wrong with a catalog entry ("" for nothing):
// a language missing, or format verbs that differ between the two (in
// order, unless every verb names its argument, as in %[2]s).
func CheckEntry(en, ja string) string {
	if en == "" || ja == "" {
		return fmt.Sprintf("empty text (en %q, ja %q)", en, ja)
	}
	ve, vj := verbsOf(en), verbsOf(ja)
	if slices.Equal(ve, vj) {
		return ""
	}
	for _, x := range append(slices.Clone(ve), vj...) {
		if x[1] != '[' {
			return fmt.Sprintf("format verbs differ: en %v, ja %v", ve, vj)
		}
	}
	se, sj := slices.Clone(ve), slices.Clone(vj)
	slices.Sort(se)
	slices.Sort(sj)
	if !slices.Equal(se, sj) {
		return fmt.Sprintf("format verbs differ: en %v, ja %v", ve, vj)
	}
	return ""
}

// fmtVerb matches a format verb, with an optional explicit argument index.
var fmtVerb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*(\d+|\*)?(\.(\d+|\*)?)?[a-zA-Z%]`)

func verbsOf(s string) []string {
	var out []string
	for _, v := range fmtVerb.FindAllString(s, -1) {
		if v != "%%" {
			out = append(out, v)
		}
	}
	return out
}

// counts writes numbers with the thousands separators both languages use.
var counts = message.NewPrinter(language.English)

// Count writes n with thousands separators: 100,000 (in Japanese too).
func Count(n int) string { return counts.Sprint(n) }
