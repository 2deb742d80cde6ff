package tui

import (
	"fmt"
	"os"
	"strings"
)

// lang is the language of the UI.
type lang int

const (
	langEN lang = iota
	langJA
)

// detectLang picks the language from the locale variables in POSIX order:
// LC_ALL, then LC_MESSAGES, then LANG; a value starting with "ja" gives
// Japanese, anything else English.
func detectLang(getenv func(string) string) lang {
	if getenv == nil {
		getenv = os.Getenv
	}
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			if strings.HasPrefix(strings.ToLower(v), "ja") {
				return langJA
			}
			return langEN
		}
	}
	return langEN
}

// catalog is the one message table of the UI: key -> {English, Japanese}.
// Every screen adds its entries with addMessages from an init function in
// its own file; a test checks that every entry has both languages and that
// the format verbs agree.
var catalog = map[string][2]string{}

func addMessages(m map[string][2]string) {
	for k, v := range m {
		if _, dup := catalog[k]; dup {
			panic("tui: message key defined twice: " + k)
		}
		catalog[k] = v
	}
}

// tr translates key into l, formatting args with fmt.Sprintf when given.
// A missing key shows as the key itself, which the catalog test forbids.
func (l lang) tr(key string, args ...any) string {
	v, ok := catalog[key]
	if !ok {
		return key
	}
	s := v[0]
	if l == langJA && v[1] != "" {
		s = v[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}
