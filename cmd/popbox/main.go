// Command popbox is a terminal mail client for POP3 accounts: a setup
// wizard, a fetch engine that never loses or duplicates mail, a local bbolt
// cache and a list view and reader. Run without arguments for the TUI; the
// subcommands are for scripts and cron (see usage).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"popbox/tui/i18n"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0"

const usage = `popbox: a terminal mail client for POP3 accounts.

Usage:
  popbox [--db PATH]                      the TUI (the setup wizard on first run)
  popbox accounts [--json]                list accounts; the active one is marked *
  popbox account add --name N --email E --host H --port P
        --security ssl|starttls|none --user U (--password-stdin | --password-cmd CMD)
        --retention keep|delete|days:N|mirror
        [--smtp-same | --smtp-host H --smtp-port P --smtp-security S --smtp-user U]
        [--sharing private|public] [--ca-file F] [--max-size SIZE] [--no-check]
  popbox account use NAME                 make NAME the active account
  popbox account set NAME --max-size SIZE largest message to fetch (default 256M)
  popbox account passwd NAME --incoming|--outgoing [--password-stdin]
  popbox account remove NAME
  popbox check [NAME]                     log in to the incoming and outgoing servers
  popbox fetch [--account NAME] [--dry-run [--json]] [--quiet] [--force]
  popbox list [--account NAME] [--json]   cached messages, newest first
  popbox show ID [--raw]                  a readable message, or its exact bytes
  popbox save ID N --to DIR               save attachment N of message ID into DIR
  popbox repair [--to NEWPATH]            copy what a damaged database still holds
                                          into NEWPATH (default: PATH.repaired)

Global flags (before or after the subcommand):
  --db PATH     the database (default $XDG_DATA_HOME/popbox/popbox.db, or $POPBOX_DB)
  --version     print the version
  --help        this text; "popbox COMMAND --help" for one command

Exit status: 0 on success, 1 on an error, 2 on bad usage.
`

// usageError is bad usage: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

// env is what a command sees of the outside world; tests replace it.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// stderrTTY says whether progress lines may be drawn on stderr.
	stderrTTY bool
	stdinTTY  bool
	stdoutTTY bool
	// lang is the language of messages, from the locale (set by run).
	lang i18n.Lang
}

func main() {
	os.Exit(run(os.Args[1:], env{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv,
		stderrTTY: isTerminal(os.Stderr), stdinTTY: isTerminal(os.Stdin), stdoutTTY: isTerminal(os.Stdout),
	}))
}

// run is main without os.Exit: it returns the exit status.
func run(args []string, e env) int {
	e.lang = i18n.Detect(e.getenv)
	db, rest, err := extractGlobal(args)
	if err != nil {
		fmt.Fprintln(e.stderr, "popbox: "+err.Error())
		return 2
	}
	if len(rest) > 0 {
		switch rest[0] {
		case "--version", "-version", "version":
			fmt.Fprintln(e.stdout, "popbox "+version)
			return 0
		case "--help", "-help", "-h", "help":
			fmt.Fprint(e.stdout, usage)
			return 0
		}
	}
	err = dispatch(db, rest, e)
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(e.stderr, "popbox: "+ue.msg)
		fmt.Fprintln(e.stderr, e.lang.Tr("cli.usageHint"))
		return 2
	}
	fmt.Fprintln(e.stderr, "popbox: "+sentence(e.lang, err))
	return 1
}

// extractGlobal takes --db PATH / --db=PATH out of args wherever it stands.
func extractGlobal(args []string) (db string, rest []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			rest = append(rest, args[i:]...)
			return db, rest, nil
		case a == "--db" || a == "-db":
			if i+1 >= len(args) {
				return "", nil, errors.New("--db needs a path")
			}
			db = args[i+1]
			i++
		case strings.HasPrefix(a, "--db=") || strings.HasPrefix(a, "-db="):
			db = a[strings.IndexByte(a, '=')+1:]
		default:
			rest = append(rest, a)
		}
	}
	return db, rest, nil
}

func dispatch(db string, args []string, e env) error {
	if len(args) == 0 {
		return cmdTUI(db, e)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "accounts":
		return cmdAccounts(db, rest, e)
	case "account":
		if len(rest) == 0 {
			return usagef("account needs a subcommand: add, use, set, passwd or remove")
		}
		switch rest[0] {
		case "add":
			return cmdAccountAdd(db, rest[1:], e)
		case "use":
			return cmdAccountUse(db, rest[1:], e)
		case "set":
			return cmdAccountSet(db, rest[1:], e)
		case "passwd", "password":
			return cmdAccountPasswd(db, rest[1:], e)
		case "remove", "rm":
			return cmdAccountRemove(db, rest[1:], e)
		case "--help", "-h", "help":
			fmt.Fprint(e.stdout, usage)
			return nil
		}
		return usagef("unknown account subcommand %q: use add, use, set, passwd or remove", rest[0])
	case "check":
		return cmdCheck(db, rest, e)
	case "fetch":
		return cmdFetch(db, rest, e)
	case "list":
		return cmdList(db, rest, e)
	case "show":
		return cmdShow(db, rest, e)
	case "save":
		return cmdSave(db, rest, e)
	case "repair":
		return cmdRepair(db, rest, e)
	}
	return usagef("unknown command %q", cmd)
}

// newFlags makes a flag set whose errors become usage errors and whose
// --help prints the command's usage to stdout.
func newFlags(name, synopsis string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: popbox %s\n", synopsis)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parse parses flags that may stand before, between or after positional
// arguments, and returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.Usage()
				return nil, flag.ErrHelp
			}
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
