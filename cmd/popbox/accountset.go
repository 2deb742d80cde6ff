package main

// account set, and the flags of fetching on its own that account add
// shares with it: --fetch-every, --on-new, --bell.

import (
	"fmt"
	"strings"

	"popbox/mail"
	"popbox/store"
)

// everyFlags are the flags of fetching on its own.
type everyFlags struct {
	every, onNew, bell *string
}

func addEveryFlags(fs *flags) *everyFlags {
	return &everyFlags{
		every: fs.String("fetch-every", "", "fetch this account on its own every `TIME` while the screen is open, as in 10m or 1h; off by default"),
		onNew: fs.String("on-new", "", "`COMMAND` run by the shell after a fetch brings new mail (POPBOX_ACCOUNT, POPBOX_EMAIL and POPBOX_NEW in its environment); \"\" for none"),
		bell:  fs.String("bell", "", "on or off: ring the terminal's bell when the screen's automatic fetch brings new mail"),
	}
}

// any reports whether one of the flags was given.
func (f *everyFlags) any(fs *flags) bool {
	return given(fs, "fetch-every") || given(fs, "on-new") || given(fs, "bell")
}

// apply sets what was given on a.
func (f *everyFlags) apply(fs *flags, a *mail.Account) error {
	if given(fs, "fetch-every") {
		e, err := mail.ParseEvery(*f.every)
		if err != nil {
			return fs.bad("cli.use.fetchEvery", *f.every)
		}
		a.FetchEvery = e
	}
	if given(fs, "on-new") {
		a.OnNew = strings.TrimSpace(*f.onNew)
	}
	if given(fs, "bell") {
		switch strings.ToLower(strings.TrimSpace(*f.bell)) {
		case "on", "yes", "true":
			a.Bell = true
		case "off", "no", "false":
			a.Bell = false
		default:
			return fs.bad("cli.use.bell", *f.bell)
		}
	}
	return nil
}

// cmdAccountSet changes settings of an account that need no login test:
// the largest message, and fetching on its own.
func cmdAccountSet(db string, args []string, e env) error {
	fs := newFlags("account set", "account set NAME ([--max-size SIZE] [--fetch-every TIME|off] [--on-new CMD] [--bell on|off] [--aliases A,B] [--reply-iso-2022-jp on|off] | --deliver maildir:DIR|mda:CMD|none)", e)
	maxSize := fs.String("max-size", "", "largest message to fetch, a `SIZE` as in 512M; 0 for the default (256M)")
	aliases := fs.String("aliases", "", "the account's other `ADDRESSES`, comma-separated (\"\" for none): mail to one is answered from it")
	replyJIS := fs.String("reply-iso-2022-jp", "", "on or off: answer ISO-2022-JP mail in ISO-2022-JP (when every character fits)")
	deliver := fs.String("deliver", "", deliverFlagHelp+", or none")
	ef := addEveryFlags(fs)
	name, err := parseOneName(fs, args)
	if err != nil {
		return err
	}
	writing := given(fs, "aliases") || given(fs, "reply-iso-2022-jp")
	if !given(fs, "max-size") && !ef.any(fs) && !writing && *deliver == "" {
		return fs.bad("cli.use.setNeeds")
	}
	if *deliver != "" && (given(fs, "max-size") || ef.any(fs) || writing) {
		return fs.bad("cli.use.either", "--deliver", "--max-size, --fetch-every, --on-new, --bell, --aliases, --reply-iso-2022-jp")
	}
	var jis bool
	if given(fs, "reply-iso-2022-jp") {
		switch strings.ToLower(strings.TrimSpace(*replyJIS)) {
		case "on", "yes", "true":
			jis = true
		case "off", "no", "false":
		default:
			return fs.bad("cli.use.onOff", "--reply-iso-2022-jp", *replyJIS)
		}
	}
	var size int64
	if given(fs, "max-size") {
		if size, err = mail.ParseSize(*maxSize); err != nil {
			return fs.bad("cli.use.maxSize", *maxSize)
		}
	}
	st, err := openExisting(db, e)
	if err != nil {
		return noData(err, &store.NotFoundError{Kind: store.ErrNoAccount, Name: name})
	}
	defer st.Close()
	a, err := st.Account(name)
	if err != nil {
		return err
	}
	if *deliver != "" {
		target, err := parseDeliverFlag(fs, *deliver, a)
		if err != nil {
			return err
		}
		return setDeliver(st, a, target, e)
	}
	if given(fs, "max-size") {
		a.MaxMessageSize = size
	}
	if err := ef.apply(fs, &a); err != nil {
		return err
	}
	if given(fs, "aliases") {
		// The wizard's rule (mail.Account.Validate): bare addresses, not
		// the account's own; a bad one is bad usage and changes nothing.
		a.Aliases = mail.NormalizeAliases(*aliases)
		if fe, ok := a.Validate(nil).Errors().For(mail.FieldAliases); ok {
			return fs.badValue(fe, *aliases, a)
		}
	}
	if given(fs, "reply-iso-2022-jp") {
		a.ReplyJIS = jis
	}
	for _, fe := range a.Validate(nil).Errors() {
		switch fe.Field {
		case mail.FieldMaxSize, mail.FieldFetchEvery, mail.FieldOnNew:
			return accountError{err: mail.FieldErrors{fe}, acct: a}
		}
	}
	if err := st.UpdateAccount(a); err != nil {
		return err
	}
	name = mail.SafeLine(a.Name)
	if given(fs, "max-size") {
		fmt.Fprintf(e.stdout, "%s now fetches messages up to %s; larger ones stay on the server.\n", a.Name, mail.FormatSize(a.MessageSizeLimit()))
	}
	if given(fs, "fetch-every") {
		if a.FetchEvery > 0 {
			fmt.Fprintln(e.stdout, e.lang.Tr("cli.everySet", name, a.FetchEvery.String()))
		} else {
			fmt.Fprintln(e.stdout, e.lang.Tr("cli.everyOff", name))
		}
	}
	if given(fs, "on-new") {
		if a.OnNew != "" {
			fmt.Fprintln(e.stdout, e.lang.Tr("cli.onNewSet", name, mail.SafeLine(a.OnNew)))
		} else {
			fmt.Fprintln(e.stdout, e.lang.Tr("cli.onNewOff", name))
		}
	}
	if given(fs, "bell") {
		if a.Bell {
			fmt.Fprintln(e.stdout, e.lang.Tr("cli.bellSet", name))
		} else {
			fmt.Fprintln(e.stdout, e.lang.Tr("cli.bellOff", name))
		}
	}
	if given(fs, "aliases") {
		if a.Aliases != "" {
			fmt.Fprintln(e.stdout, e.lang.Tr("cli.aliasesSet", name, mail.SafeLine(a.Aliases)))
		} else {
			fmt.Fprintln(e.stdout, e.lang.Tr("cli.aliasesOff", name))
		}
	}
	if given(fs, "reply-iso-2022-jp") {
		if a.ReplyJIS {
			fmt.Fprintln(e.stdout, e.lang.Tr("cli.replyJISOn", name))
		} else {
			fmt.Fprintln(e.stdout, e.lang.Tr("cli.replyJISOff", name))
		}
	}
	return nil
}
