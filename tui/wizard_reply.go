package tui

import "popbox/mail"

// The wizard's two settings for answering mail, the last fields of the
// form: the account's other addresses (Account.Aliases), a text field
// whose entries Validate checks (bare addresses, not the account's own;
// its problem shows beside the field as any other), saved as
// mail.NormalizeAliases writes them; and whether mail written in
// ISO-2022-JP is answered in it (Account.ReplyJIS), a choice of two.

// applyReply sets the reply settings of the form on a.
func (m wizardModel) applyReply(a *mail.Account) {
	a.Aliases = mail.NormalizeAliases(m.val(wfAliases))
	a.ReplyJIS = m.replyJIS
}

// replyLabel names a choice of the ISO-2022-JP reply field: in UTF-8
// (jis false), or in ISO-2022-JP.
func (m wizardModel) replyLabel(jis bool) string {
	if jis {
		return m.d.lang.tr("wizard.reply.jis")
	}
	return m.d.lang.tr("wizard.reply.utf8")
}

// replyOtherChoice is the ISO-2022-JP choice drawn under the focused
// field (whose line holds the UTF-8 one), wrapped to width cells under its
// label, so a narrow terminal does not cut "when every character fits".
func (m wizardModel) replyOtherChoice(width int) []string {
	st := m.d.styles.toggleOff
	if m.replyJIS {
		st = m.d.styles.toggleOn
	}
	var out []string
	for i, ln := range wrapLines(m.replyLabel(true), max(1, width-2)) {
		if i == 0 {
			out = append(out, m.radio(m.replyJIS, ln))
		} else {
			out = append(out, "  "+st.Render(ln))
		}
	}
	return out
}
