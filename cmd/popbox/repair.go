package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"popbox/store"
	"popbox/tui/i18n"
)

// cmdRepair copies what can still be read of a damaged database into a new
// file and says how to put that in place. It never changes the damaged file:
// the user swaps the files, so that the old one is kept whatever happens.
func cmdRepair(db string, args []string, e env) error {
	fs := newFlags("repair", "repair [--to NEWPATH]", e)
	to := fs.String("to", "", "the new database to write, `NEWPATH` (default: the database path + .repaired)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fs.bad("cli.use.repairArgs", pos[0])
	}
	path, err := store.ResolvePath(db)
	if err != nil {
		return err
	}
	if *to == "" {
		*to = path + ".repaired"
	}
	if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		return errors.New(e.lang.Tr("cli.repairNoDatabase", path))
	}
	rep, err := store.Salvage(path, *to, store.Options{})
	if err != nil {
		return salvageRefusal{err: err, names: []string{path, *to, *to + ".key"}}
	}
	_, keyErr := os.Stat(*to + ".key")
	fmt.Fprintln(e.stdout, repairSummary(path, *to, rep, keyErr == nil))
	return nil
}

// repairSummary is the one line repair prints: what was copied, what was
// lost, and the commands that put the new file in place. Each file moves
// with its key, so the damaged one can still be read later.
func repairSummary(path, to string, rep store.SalvageReport, withKey bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Copied %s and %s into %s; ", howMany(rep.Accounts, "account"), howMany(rep.Messages, "message"), to)
	if rep.Truncated {
		b.WriteString("the file was cut short, so what lay past its end is gone, and ")
	}
	switch {
	case rep.LostUnknown:
		// Never "nothing lost" when the count itself was lost: say what is
		// known, the bounds.
		b.WriteString("an unknown number of messages could not be read and were left out, as the damage also hid how many the file held")
		var bounds []string
		if rep.Lost > 0 {
			bounds = append(bounds, "at least "+i18n.Count(rep.Lost))
		}
		if hi := rep.MaxMessages - rep.Messages; rep.MaxMessages > 0 && hi >= 0 {
			bounds = append(bounds, fmt.Sprintf("at most %s, as it had handed out %s", i18n.Count(hi), howMany(rep.MaxMessages, "message ID")))
		}
		if len(bounds) > 0 {
			b.WriteString(" (" + strings.Join(bounds, "; ") + ")")
		}
		b.WriteString("; those still on the server come back with the next fetch. ")
	case rep.Lost > 0:
		verb := "were"
		if rep.Lost == 1 {
			verb = "was"
		}
		fmt.Fprintf(&b, "%s could not be read and %s left out (those still on the server come back with the next fetch). ", howMany(rep.Lost, "message"), verb)
	case rep.Damaged:
		b.WriteString("some damaged records could not be read, but no message is known to be lost. ")
	default:
		b.WriteString("no damage was found. ")
	}
	p, n, aside := i18n.Shell(path), i18n.Shell(to), asideName(path)
	cmd := fmt.Sprintf("mv %s %s && mv %s %s", p, i18n.Shell(aside), n, p)
	if withKey {
		cmd = fmt.Sprintf("mv %s %s && mv %s %s && mv %s %s && mv %s %s",
			p, i18n.Shell(aside), i18n.Shell(path+".key"), i18n.Shell(aside+".key"),
			n, p, i18n.Shell(to+".key"), i18n.Shell(path+".key"))
	}
	b.WriteString("Keep the old file, and put the new one in its place: " + cmd)
	return b.String()
}

// asideName is where the damaged file goes: PATH.damaged, or PATH.damaged-2
// and so on when an earlier repair left one there, since mv would silently
// replace it.
func asideName(path string) string {
	name := path + ".damaged"
	for i := 2; ; i++ {
		_, err := os.Lstat(name)
		_, kerr := os.Lstat(name + ".key")
		if os.IsNotExist(err) && os.IsNotExist(kerr) {
			return name
		}
		name = fmt.Sprintf("%s.damaged-%d", path, i)
	}
}

// howMany says "1 message", "9,812 messages".
func howMany(n int, noun string) string {
	if n != 1 {
		noun += "s"
	}
	return i18n.Count(n) + " " + noun
}

// salvageRefusal is a refusal of store.Salvage as the CLI says it. Kinds
// the catalog knows (a locked or unsafe file) are said by the catalog; the
// others are store's own sentences, which start with a path, printed as it
// was given, or with store's words, which get the capital here.
type salvageRefusal struct {
	err   error
	names []string
}

func (r salvageRefusal) Unwrap() error { return r.err }

func (r salvageRefusal) Error() string {
	s := r.err.Error()
	for _, n := range r.names {
		if strings.HasPrefix(s, n) {
			return s
		}
	}
	c, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(c)) + s[size:]
}
