package tui

import (
	"errors"
	"strings"

	"popbox/store"
	"popbox/tui/i18n"
)

// lang is the language of the UI; the catalog and its rules are package
// i18n's, shared with the CLI.
type lang i18n.Lang

const (
	langEN = lang(i18n.EN)
	langJA = lang(i18n.JA)
)

// detectLang picks the language from the locale (i18n.Detect).
func detectLang(getenv func(string) string) lang { return lang(i18n.Detect(getenv)) }

// catalog is the one message table (i18n's): every screen adds its entries
// with addMessages from an init function in its own file.
var catalog = i18n.Table()

func addMessages(m map[string][2]string) { i18n.Add(m) }

// tr translates key into l (i18n.Lang.Tr).
func (l lang) tr(key string, args ...any) string { return i18n.Lang(l).Tr(key, args...) }

// i18n is l as package i18n's language, for its sentences of errors.
func (l lang) i18n() i18n.Lang { return i18n.Lang(l) }

// errText is err as a sentence of the catalog for the screen, with the
// advice for task.
func (l lang) errText(err error, task i18n.Task) string {
	return i18n.Lang(l).Error(err, i18n.Scene{Front: i18n.Screen, Task: task})
}

// failText says that what failed (a catalog key with one %s for the
// cause) because of err. An error that is a sentence of its own, with what
// to do (a broken policy file, a damaged database, the key file), is said
// alone: "Could not read the accounts" would hide that the administrator's
// file is what is broken.
func (l lang) failText(what string, err error) string {
	var (
		de *store.DamagedError
		ke *store.KeyFileError
		oe *store.OpenError
	)
	if errors.Is(err, store.ErrPolicy) || errors.As(err, &de) || errors.As(err, &ke) || errors.As(err, &oe) {
		s := l.errText(err, i18n.TaskOther)
		switch {
		case strings.HasSuffix(s, ".") || strings.HasSuffix(s, "。"):
		case l == langJA:
			s += "。"
		default:
			s += "."
		}
		return s
	}
	return l.tr(what, l.errText(err, i18n.TaskOther))
}
