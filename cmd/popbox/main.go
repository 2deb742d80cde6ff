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
	"time"

	"popbox/mail"
	"popbox/tui/i18n"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0"

// accountUsage is the account subcommands' part of usage, which
// popbox account --help prints.
const accountUsage = `  popbox account add --name N --email E (--host H --port P
        --security ssl|starttls|none | --discover) --user U (--password-stdin | --password-cmd CMD)
        --retention keep|delete|days:N|mirror
        [--smtp-same | --smtp-host H --smtp-port P --smtp-security S --smtp-user U]
        [--sharing private|public] [--ca-file F] [--trust SHA256] [--max-size SIZE] [--no-check]
        [--fetch-every TIME] [--on-new CMD] [--bell on|off]
        [--deliver maildir:DIR|mda:COMMAND]
        [--auth oauth2 (--oauth-provider microsoft|google|custom [--oauth-client-id ID]
         [--oauth-client-secret S] [--oauth-tenant T] [--oauth-device-url U
         --oauth-auth-url U --oauth-token-url U] [--oauth-scopes S] [--device|--browser]
         | --token-cmd CMD)]
  popbox account use NAME                 make NAME the active account
  popbox account set NAME [--max-size SIZE] [--fetch-every TIME|off] [--on-new CMD] [--bell on|off]
        [--aliases A,B] [--reply-iso-2022-jp on|off]
                                        largest message (default 256M), fetching on its own,
                                        other addresses, ISO-2022-JP replies
  popbox account set NAME --deliver maildir:DIR|mda:COMMAND|none
                                        deliver each fetched message there
  popbox account passwd NAME --incoming|--outgoing [--password-stdin]
  popbox account login NAME [--device|--browser] [--outgoing]   sign in again (OAuth2)
  popbox account trust NAME SHA256 [--outgoing]    trust a certificate that does not verify
                                          (self-signed, private CA), pinned to its host:port
  popbox account remove NAME
`

const usage = `popbox: a terminal mail client for POP3 accounts.

Usage:
  popbox [--db PATH]                      the TUI (the setup wizard on first run)
  popbox accounts [--json]                list accounts; the active one is marked *
` + accountUsage + `  popbox check [NAME] [--ca-file F]       log in to the incoming and outgoing servers
  popbox fetch [--account NAME] [--dry-run [--json]] [--quiet] [--force] [--ca-file F]
                                          (then sends what waits in the outbox)
  popbox fetch --deliver-only [--account NAME] [--quiet]
                                          deliver what waits for delivery, logging in nowhere
  popbox list [--account NAME] [--json]   cached messages, newest first
  popbox show ID [--raw]                  a readable message, or its exact bytes
  popbox save ID N --to DIR               save attachment N of message ID into DIR
  popbox export --mbox FILE | --maildir DIR [--account NAME] [--since YYYY-MM-DD]
                                          write the account's messages to a new mbox
                                          file or into a Maildir
  popbox import --mbox FILE | --maildir DIR [--account NAME]
                                          store the messages of an mbox or Maildir;
                                          none twice, and run again after a stop
  popbox send [--account NAME] --to A [--to A] [--cc A] [--bcc A] --subject S
        [--attach FILE]... [--iso-2022-jp] [--flowed] < body
  popbox send [--account NAME] --raw < message
                                          send through the account's outgoing server;
                                          exit 0 only when the server took it
  popbox outbox [--account NAME] [--json] messages not sent: drafts, queued, failed, unknown
  popbox outbox retry [--account NAME] (ID | --all) [--force]
                                          send again (--force: also a message whose
                                          delivery is unknown)
  popbox outbox sent [--account NAME] [--json]
                                          sent messages, newest first
  popbox repair [--to NEWPATH]            copy what a damaged database still holds
                                          into NEWPATH (default: PATH.repaired)

Global flags (before or after the subcommand):
  --db PATH     the database (default $XDG_DATA_HOME/popbox/popbox.db, or $POPBOX_DB)
  --version     print the version
  --help        this text; "popbox COMMAND --help" for one command

Exit status: 0 on success, 1 on an error, 2 on bad usage.
`

// usageError is bad usage: exit status 2. cmd is the command it concerns
// ("fetch", "account add"), which the hint names; "" for popbox itself.
type usageError struct{ msg, cmd string }

func (e usageError) Error() string { return e.msg }

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
	// wait is how long the command waits for another popbox command to
	// let go of the database (0: the store's one second); fetch waits
	// longer, so that cron runs that overlap do not fail.
	wait time.Duration
	// srv is set for a command that the running TUI serves to a popbox
	// on the command line (serve.go); nil otherwise.
	srv *served
}

// badUsage is bad usage said by the catalog's entry key.
func (e env) badUsage(key string, args ...any) error {
	return usageError{msg: e.lang.Tr(key, args...)}
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
	db, rest, err := extractGlobal(args, e)
	if err == nil && len(rest) > 0 {
		switch rest[0] {
		case "--version", "-version", "version":
			fmt.Fprintln(e.stdout, "popbox "+version)
			return 0
		case "--help", "-help", "-h", "help":
			fmt.Fprint(e.stdout, usage)
			return 0
		}
	}
	if err == nil && e.srv == nil && len(rest) > 0 {
		// A TUI that has the database open runs the command for us.
		if code, ok := forward(db, rest, e); ok {
			return code
		}
	}
	if err == nil {
		in := &touchReader{r: e.stdin}
		e.stdin = in
		err = dispatch(db, rest, e)
		var le lockedError
		if errors.As(err, &le) {
			// A TUI took the database while the command waited for it.
			err = le.err
			if le.tui && !in.touched {
				if code, ok := forward(db, rest, e); ok {
					return code
				}
			}
		}
	}
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(e.stderr, "popbox: "+ue.msg)
		if ue.cmd != "" {
			fmt.Fprintln(e.stderr, e.lang.Tr("cli.usageHintCmd", ue.cmd))
		} else {
			fmt.Fprintln(e.stderr, e.lang.Tr("cli.usageHint"))
		}
		return 2
	}
	fmt.Fprintln(e.stderr, "popbox: "+sentence(e.lang, err))
	printCertDetails(e.stderr, e, err, "  ")
	return 1
}

// extractGlobal takes --db PATH / --db=PATH out of args wherever it stands.
func extractGlobal(args []string, e env) (db string, rest []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			rest = append(rest, args[i:]...)
			return db, rest, nil
		case a == "--db" || a == "-db":
			if i+1 >= len(args) {
				return "", nil, e.badUsage("cli.use.dbPath")
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
	if cmd == "account" && len(rest) > 0 {
		switch rest[0] {
		case "--help", "-help", "-h", "help":
			fmt.Fprint(e.stdout, "Usage:\n"+accountUsage+"\n\"popbox account COMMAND --help\" for one command.\n")
			return nil
		}
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	if cmd == "fetch" {
		e.wait = fetchLockWait
	}
	run, ok := commands[cmd]
	if !ok {
		switch {
		case cmd == "account":
			return usageError{msg: e.lang.Tr("cli.use.accountSub"), cmd: "account"}
		case strings.HasPrefix(cmd, "account "):
			return usageError{msg: e.lang.Tr("cli.use.unknownAccountSub", strings.TrimPrefix(cmd, "account ")), cmd: "account"}
		case strings.HasPrefix(cmd, "-"):
			return e.badUsage("cli.use.unknownFlag", "--"+strings.TrimLeft(flagName(cmd), "-"))
		}
		return e.badUsage("cli.use.unknownCommand", cmd)
	}
	err := run(db, rest, e)
	var ue usageError
	if errors.As(err, &ue) && ue.cmd == "" {
		ue.cmd = cmd
		return ue
	}
	return err
}

// commands are the subcommands by name.
var commands = map[string]func(db string, args []string, e env) error{
	"accounts":         cmdAccounts,
	"account add":      cmdAccountAdd,
	"account use":      cmdAccountUse,
	"account set":      cmdAccountSet,
	"account passwd":   cmdAccountPasswd,
	"account password": cmdAccountPasswd,
	"account remove":   cmdAccountRemove,
	"account login":    cmdAccountLogin,
	"account trust":    cmdAccountTrust,
	"account rm":       cmdAccountRemove,
	"check":            cmdCheck,
	"fetch":            cmdFetch,
	"list":             cmdList,
	"show":             cmdShow,
	"save":             cmdSave,
	"repair":           cmdRepair,
	"export":           cmdExport,
	"import":           cmdImport,
	"send":             cmdSend,
	"outbox":           cmdOutbox,
}

// flagName is the flag of an argument, without its value: --x=1 is --x.
func flagName(arg string) string {
	name, _, _ := strings.Cut(arg, "=")
	return name
}

// flags is a subcommand's flag set: its errors become usage errors in the
// catalog's words, and --help prints its usage, once, to stdout.
type flags struct {
	*flag.FlagSet
	synopsis string
	e        env
}

func newFlags(name, synopsis string, e env) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	// The flag package calls Usage on every error too: parse prints the
	// usage itself, for --help only.
	fs.Usage = func() {}
	return &flags{FlagSet: fs, synopsis: synopsis, e: e}
}

// usage prints the command's synopsis and its flags.
func (fs *flags) usage() {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: popbox %s\n", fs.synopsis)
	fs.VisitAll(func(f *flag.Flag) {
		name, text := flag.UnquoteUsage(f)
		if name != "" {
			name = " " + name
		}
		if f.DefValue != "" && f.DefValue != "false" {
			text += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(&b, "  --%s%s\n        %s\n", f.Name, name, text)
	})
	fmt.Fprint(fs.e.stdout, b.String())
}

// bad is bad usage of this command, said by the catalog's entry key.
func (fs *flags) bad(key string, args ...any) error {
	return usageError{msg: fs.e.lang.Tr(key, args...), cmd: fs.Name()}
}

// given says whether the flag name was given on the command line.
func given(fs *flags, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

// badValue is bad usage: the value given for a flag cannot be read (a
// port that is not a number from 1 to 65535), said in the catalog's words
// for the field's problem.
func (fs *flags) badValue(fe mail.FieldError, value string, a mail.Account) error {
	return usageError{msg: fmt.Sprintf("--%s %q: %s", fe.Field, value, fs.e.lang.Field(fe, a, i18n.CLI)), cmd: fs.Name()}
}

// parse parses flags that may stand before, between or after positional
// arguments, and returns the positional ones.
func parse(fs *flags, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.usage()
				return nil, flag.ErrHelp
			}
			return nil, fs.flagError(err)
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

// flagError says a flag package error in the catalog's words: the flag
// package names a flag with one dash; popbox's usage with two.
func (fs *flags) flagError(err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return fs.bad("cli.use.unknownFlagFor", "--"+name, fs.Name())
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return fs.bad("cli.use.flagValue", "--"+name)
	}
	return fs.bad("cli.use.flagBad", strings.ReplaceAll(msg, " -", " --"))
}
