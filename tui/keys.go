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
}

// defaultWizardKeys returns every wizard binding, enabled, with its help text
// in l.
func defaultWizardKeys(l lang) wizardKeys {
	return wizardKeys{
		Next:       key.NewBinding(key.WithKeys("tab", "enter"), key.WithHelp("tab/enter", l.tr("wizard.key.next"))),
		Prev:       key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", l.tr("wizard.key.prev"))),
		Up:         key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", l.tr("wizard.key.prev"))),
		Down:       key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", l.tr("wizard.key.next"))),
		Change:     key.NewBinding(key.WithKeys(" ", "right"), key.WithHelp("space/←/→", l.tr("wizard.key.change"))),
		ChangeBack: key.NewBinding(key.WithKeys("left"), key.WithHelp("←", l.tr("wizard.key.change"))),
		Reveal:     key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", l.tr("wizard.key.reveal"))),
		Review:     key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", l.tr("wizard.key.review"))),
		Save:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", l.tr("wizard.key.save"))),
		Retest:     key.NewBinding(key.WithKeys("t"), key.WithHelp("t", l.tr("wizard.key.retest"))),
		Cancel:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", l.tr("wizard.key.cancel"))),
		Yes:        key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", l.tr("wizard.key.yes"))),
		No:         key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n", l.tr("wizard.key.no"))),
	}
}

// all lists every binding, in the order intents are matched.
func (k *wizardKeys) all() []*key.Binding {
	return []*key.Binding{&k.Yes, &k.No, &k.Save, &k.Retest, &k.Next, &k.Prev, &k.Up, &k.Down,
		&k.Change, &k.ChangeBack, &k.Reveal, &k.Review, &k.Cancel}
}

// ShortHelp is the footer: the few keys that matter at this point.
func (k wizardKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Yes, k.No, k.Save, k.Next, k.Prev, k.Change, k.Reveal, k.Retest, k.Review, k.Cancel}
}

// FullHelp lists every enabled binding, grouped.
func (k wizardKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Next, k.Prev, k.Up, k.Down},
		{k.Change, k.ChangeBack, k.Reveal},
		{k.Review, k.Save, k.Retest},
		{k.Yes, k.No, k.Cancel},
	}
}
