package tui

import "popbox/tui/i18n"

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
