package tui

import "github.com/charmbracelet/bubbles/key"

// wizardKeys are the bindings of the account setup wizard. Which of them are
// enabled depends on where the wizard is (see wizardModel.keys), so the help
// bar only shows keys that do something now.
type wizardKeys struct {
	Next       key.Binding // next field (tab, enter)
	Prev       key.Binding // previous field; on the review, back to the form
	Up         key.Binding // previous field
	Down       key.Binding // next field, never past the last one
	Change     key.Binding // next choice of a toggle or picker
	ChangeBack key.Binding // previous choice
	Reveal     key.Binding // show or hide the password being typed
	Review     key.Binding // check everything and go to the review
	Save       key.Binding // on the review: save the account
	Retest     key.Binding // on the review: run the connection test again
	Cancel     key.Binding // leave the wizard (asks first when something was typed)
	Yes        key.Binding // answer a y/n question
	No         key.Binding
	// On the sign-in field: sign in (the device flow when the server has
	// one), again when signed in, in the browser, or stop waiting.
	SignIn, SignInAgain, SignInBrowser, StopSignIn key.Binding
	// On the review, a certificate that does not verify: trust it for the
	// test only, trust it always (pinned), or reject it.
	TrustOnce, TrustAlways, TrustReject key.Binding
}

// defaultWizardKeys returns every wizard binding, enabled, with its help text
// in l.
func defaultWizardKeys(l lang) wizardKeys {
	return wizardKeys{
		Next:          key.NewBinding(key.WithKeys("tab", "enter"), key.WithHelp("tab/enter", l.tr("wizard.key.next"))),
		Prev:          key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", l.tr("wizard.key.prev"))),
		Up:            key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", l.tr("wizard.key.prev"))),
		Down:          key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", l.tr("wizard.key.next"))),
		Change:        key.NewBinding(key.WithKeys(" ", "right"), key.WithHelp("space/←/→", l.tr("wizard.key.change"))),
		ChangeBack:    key.NewBinding(key.WithKeys("left"), key.WithHelp("←", l.tr("wizard.key.change"))),
		Reveal:        key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", l.tr("wizard.key.reveal"))),
		Review:        key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", l.tr("wizard.key.review"))),
		Save:          key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", l.tr("wizard.key.save"))),
		Retest:        key.NewBinding(key.WithKeys("t"), key.WithHelp("t", l.tr("wizard.key.retest"))),
		Cancel:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", l.tr("wizard.key.cancel"))),
		Yes:           key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", l.tr("wizard.key.yes"))),
		No:            key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n", l.tr("wizard.key.no"))),
		SignIn:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", l.tr("wizard.key.signin"))),
		SignInAgain:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", l.tr("wizard.key.signin-again"))),
		SignInBrowser: key.NewBinding(key.WithKeys("b"), key.WithHelp("b", l.tr("wizard.key.signin-browser"))),
		StopSignIn:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", l.tr("wizard.key.signin-stop"))),
		TrustOnce:     key.NewBinding(key.WithKeys("o"), key.WithHelp("o", l.tr("wizard.key.trust-once"))),
		TrustAlways:   key.NewBinding(key.WithKeys("a"), key.WithHelp("a", l.tr("wizard.key.trust-always"))),
		TrustReject:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", l.tr("wizard.key.trust-reject"))),
	}
}

// all lists every binding, in the order intents are matched.
func (k *wizardKeys) all() []*key.Binding {
	return []*key.Binding{&k.Yes, &k.No, &k.Save, &k.Retest, &k.Next, &k.Prev, &k.Up, &k.Down,
		&k.Change, &k.ChangeBack, &k.Reveal, &k.Review, &k.Cancel,
		&k.SignIn, &k.SignInAgain, &k.SignInBrowser, &k.StopSignIn, &k.TrustOnce, &k.TrustAlways, &k.TrustReject}
}

// ShortHelp is the footer: the few keys that matter at this point.
func (k wizardKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Yes, k.No, k.SignIn, k.SignInAgain, k.SignInBrowser, k.StopSignIn, k.TrustAlways, k.TrustOnce, k.TrustReject, k.Save, k.Next, k.Prev, k.Change, k.Reveal, k.Retest, k.Review, k.Cancel}
}

// FullHelp lists every enabled binding, grouped.
func (k wizardKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Next, k.Prev, k.Up, k.Down},
		{k.Change, k.ChangeBack, k.Reveal},
		{k.SignIn, k.SignInAgain, k.SignInBrowser, k.StopSignIn},
		{k.TrustAlways, k.TrustOnce, k.TrustReject},
		{k.Review, k.Save, k.Retest},
		{k.Yes, k.No, k.Cancel},
	}
}

// bind makes a binding whose help text comes from the message table.
func bind(l lang, helpKey, helpMsg string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(helpKey, l.tr(helpMsg)))
}

// keyMap is a help.KeyMap built from binding lists, for footers and the
// help screen.
type keyMap struct {
	short []key.Binding
	full  [][]key.Binding
}

// ShortHelp is the footer line.
func (k keyMap) ShortHelp() []key.Binding { return k.short }

// FullHelp is the help screen's columns.
func (k keyMap) FullHelp() [][]key.Binding { return k.full }

// globalKeys work on every screen (unless a text field or dialog has focus).
type globalKeys struct {
	Quit, Suspend, Help, Switch, SwitchTo, PrevAccount, NextAccount, Fetch, CancelFetch, Accounts, Dismiss key.Binding
}

func defaultGlobalKeys(l lang) globalKeys {
	return globalKeys{
		Quit:        bind(l, "ctrl+c", "help.quit", "ctrl+c"),
		Suspend:     bind(l, "ctrl+z", "help.suspend", "ctrl+z"),
		Help:        bind(l, "?", "help.help", "?"),
		Switch:      bind(l, "ctrl+a", "help.switch", "ctrl+a"),
		SwitchTo:    bind(l, "alt+1…9", "help.switchTo", "alt+1", "alt+2", "alt+3", "alt+4", "alt+5", "alt+6", "alt+7", "alt+8", "alt+9"),
		PrevAccount: bind(l, "[", "help.prevAccount", "["),
		NextAccount: bind(l, "]", "help.nextAccount", "]"),
		Fetch:       bind(l, "f", "help.fetch", "f"),
		CancelFetch: bind(l, "esc", "help.cancelFetch", "esc"),
		Accounts:    bind(l, "A/tab", "help.accounts", "A", "tab"),
		Dismiss:     bind(l, "esc", "help.dismiss", "esc"),
	}
}

// listKeys are the message list's bindings.
type listKeys struct {
	Up, Down, Top, Bottom, PageUp, PageDown, Open, Filter, ClearFilter, Delete, Undo, Quit key.Binding
	// filter field
	FilterApply, FilterCancel key.Binding
}

func defaultListKeys(l lang) listKeys {
	return listKeys{
		Up:           bind(l, "k/↑", "help.up", "k", "up"),
		Down:         bind(l, "j/↓", "help.down", "j", "down"),
		Top:          bind(l, "g/home", "help.top", "g", "home"),
		Bottom:       bind(l, "G/end", "help.bottom", "G", "end"),
		PageUp:       bind(l, "pgup", "help.pageUp", "pgup", "ctrl+b"),
		PageDown:     bind(l, "pgdn", "help.pageDown", "pgdown", "ctrl+f", " "),
		Open:         bind(l, "enter", "help.open", "enter"),
		Filter:       bind(l, "/", "help.filter", "/"),
		ClearFilter:  bind(l, "esc", "help.clearFilter", "esc"),
		Delete:       bind(l, "d", "help.delete", "d", "delete"),
		Undo:         bind(l, "u", "help.undo", "u"),
		Quit:         bind(l, "q", "help.quit", "q"),
		FilterApply:  bind(l, "enter", "help.filterApply", "enter"),
		FilterCancel: bind(l, "esc", "help.filterCancel", "esc"),
	}
}

// readerKeys are the message reader's bindings.
type readerKeys struct {
	Up, Down, PageUp, PageDown, Top, Bottom, Next, Prev, Save, Delete, Undo, Back key.Binding
	// attachment number prompt
	SaveConfirm, SaveCancel key.Binding
	// opening an attachment or the HTML part, the link list and its keys
	Open, OpenHTML, Links, LinkOpen, LinksClose key.Binding
}

func defaultReaderKeys(l lang) readerKeys {
	return readerKeys{
		Up:          bind(l, "k/↑", "help.scrollUp", "k", "up"),
		Down:        bind(l, "j/↓", "help.scrollDown", "j", "down"),
		PageUp:      bind(l, "pgup/b", "help.pageUp", "pgup", "b", "ctrl+b"),
		PageDown:    bind(l, "pgdn/space", "help.pageDown", "pgdown", " ", "ctrl+f"),
		Top:         bind(l, "g/home", "help.top", "g", "home"),
		Bottom:      bind(l, "G/end", "help.bottom", "G", "end"),
		Next:        bind(l, "n", "help.next", "n"),
		Prev:        bind(l, "p", "help.prev", "p"),
		Save:        bind(l, "s", "help.save", "s"),
		Delete:      bind(l, "d", "help.delete", "d", "delete"),
		Undo:        bind(l, "u", "help.undo", "u"),
		Back:        bind(l, "q/esc", "help.back", "q", "esc", "backspace", "left", "h"),
		SaveConfirm: bind(l, "enter", "help.saveConfirm", "enter"),
		SaveCancel:  bind(l, "esc", "help.saveCancel", "esc"),
		Open:        bind(l, "o", "help.openAttachment", "o"),
		OpenHTML:    bind(l, "H", "help.openHTML", "H"),
		Links:       bind(l, "L", "help.links", "L"),
		LinkOpen:    bind(l, "enter/1…9", "help.openLink", "enter"),
		LinksClose:  bind(l, "esc/q", "help.closeLinks", "esc", "q"),
	}
}

// accountsKeys are the accounts screen's bindings.
type accountsKeys struct {
	Up, Down, Use, Add, Edit, Remove, Incoming, Outgoing, Back key.Binding
	Yes, No                                                    key.Binding
}

func defaultAccountsKeys(l lang) accountsKeys {
	return accountsKeys{
		Up:       bind(l, "k/↑", "help.up", "k", "up"),
		Down:     bind(l, "j/↓", "help.down", "j", "down"),
		Use:      bind(l, "enter", "help.use", "enter", " "),
		Add:      bind(l, "a", "help.add", "a"),
		Edit:     bind(l, "e", "help.edit", "e"),
		Remove:   bind(l, "x/D", "help.remove", "x", "D"),
		Incoming: bind(l, "p", "help.incoming", "p"),
		Outgoing: bind(l, "o", "help.outgoing", "o"),
		Back:     bind(l, "q/esc", "help.backToList", "q", "esc"),
		Yes:      bind(l, "y", "help.yes", "y", "Y"),
		No:       bind(l, "n/esc", "help.no", "n", "N", "esc"),
	}
}

// passwdKeys are the password dialog's bindings.
type passwdKeys struct {
	Save, ToggleTest, Cancel key.Binding
}

func defaultPasswdKeys(l lang) passwdKeys {
	return passwdKeys{
		Save:       bind(l, "enter", "help.pwSave", "enter"),
		ToggleTest: bind(l, "ctrl+t", "help.pwTest", "ctrl+t"),
		Cancel:     bind(l, "esc", "help.cancel", "esc"),
	}
}

// switcherKeys are the account picker's bindings.
type switcherKeys struct {
	Up, Down, Choose, Number, Cancel key.Binding
}

func defaultSwitcherKeys(l lang) switcherKeys {
	return switcherKeys{
		Up:     bind(l, "k/↑", "help.up", "k", "up", "["),
		Down:   bind(l, "j/↓", "help.down", "j", "down", "]"),
		Choose: bind(l, "enter", "help.use", "enter", " "),
		Number: bind(l, "1…9", "help.pick", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
		Cancel: bind(l, "esc", "help.cancel", "esc", "ctrl+a", "q"),
	}
}

// helpKeys close and scroll the help screen.
type helpKeys struct {
	Up, Down, Close key.Binding
}

func defaultHelpKeys(l lang) helpKeys {
	return helpKeys{
		Up:    bind(l, "k/↑", "help.scrollUp", "k", "up", "pgup"),
		Down:  bind(l, "j/↓", "help.scrollDown", "j", "down", "pgdown", " "),
		Close: bind(l, "?/esc", "help.close", "?", "esc", "q"),
	}
}
