package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"

	"popbox/store"
)

func isTerminal(f *os.File) bool { return term.IsTerminal(f.Fd()) }

// promptPassword asks on the terminal without echo.
func promptPassword(e env, prompt string) (string, error) {
	fmt.Fprint(e.stderr, prompt)
	b, err := term.ReadPassword(os.Stdin.Fd())
	fmt.Fprintln(e.stderr)
	if err != nil {
		return "", errors.New(e.lang.Tr("cli.readPassword", err))
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// tableWriter prints `popbox list` rows with columns measured in terminal
// cells, so Japanese senders and subjects line up.
type tableWriter struct {
	w    io.Writer
	rows []string
}

func newTableWriter(w io.Writer) *tableWriter { return &tableWriter{w: w} }

func (t *tableWriter) row(m store.Message) {
	seen := "*" // unread; * and + are the TUI list's marks too
	if m.Seen {
		seen = " "
	}
	date := "                "
	if !m.Summary.Date.IsZero() {
		date = m.Summary.Date.Local().Format("2006-01-02 15:04")
	}
	att := " "
	if m.Summary.Attachments {
		att = "+"
	}
	from := fit(m.Summary.From.String(), 22)
	t.rows = append(t.rows, fmt.Sprintf("%6s %s %s %s %s %s", m.ID, seen, date, from, att, ansi.Truncate(oneLine(m.Summary.Subject), 60, "…")))
}

func (t *tableWriter) flush() error {
	if len(t.rows) == 0 {
		_, err := fmt.Fprintln(t.w, "No messages. Fetch with popbox fetch.")
		return err
	}
	_, err := fmt.Fprintln(t.w, strings.Join(t.rows, "\n"))
	return err
}

// fit truncates or pads s to exactly w cells.
func fit(s string, w int) string {
	s = ansi.Truncate(oneLine(s), w, "…")
	return s + strings.Repeat(" ", w-ansi.StringWidth(s))
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
