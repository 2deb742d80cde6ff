package store

// said is the sentence the CLI prints for err, with its advice; the
// catalog that makes it (popbox/tui/i18n) imports store, so it is set by
// the external test package (said_test.go).
var said = func(err error) string { return err.Error() }

// SetSaid lets the external test package set said.
func SetSaid(fn func(error) string) { said = fn }
