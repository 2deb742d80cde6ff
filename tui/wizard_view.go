package tui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"popbox/mail"
	"popbox/mail/oauth"
)

// wizardProse is the widest a wrapped hint, error or test result gets, so
// sentences stay readable on wide terminals.
const wizardProse = 76

// wizardMask stands for a password in every view but the field being
// typed: the one mask of mask.go.
const wizardMask = storedMask

// setSize fits the wizard to a terminal of w x h cells.
func (m wizardModel) setSize(w, h int) wizardModel {
	m.width, m.height = w, h
	m.inputs = slices.Clone(m.inputs) // see wizardModel.inputs
	_, vw := m.columns()
	for i := range m.inputs {
		if wizardField(i).isInput() {
			m.inputs[i].Width = max(1, vw-1)
		}
	}
	return m.follow()
}

// contentWidth is the width to draw in (80 before the first setSize).
func (m wizardModel) contentWidth() int {
	if m.width <= 0 {
		return 80
	}
	return m.width
}

// columns gives the label width (the widest label in display cells, so
// Japanese labels line up) and the width left for values.
func (m wizardModel) columns() (labelW, valueW int) {
	for f := wizardField(0); f < wfCount; f++ {
		labelW = max(labelW, lipgloss.Width(m.label(f)))
	}
	return labelW, max(8, m.contentWidth()-labelW-4)
}

// label is a field's label in the user's language.
func (m wizardModel) label(f wizardField) string { return m.d.lang.tr("field." + f.name()) }

// follow scrolls the body so the focused block is in view.
func (m wizardModel) follow() wizardModel {
	if m.height <= 0 {
		m.top = 0
		return m
	}
	b := m.body()
	m.top = b.scroll(m.bodyHeight(), m.top)
	return m
}

// wizardBody is the form or review as lines, with the focused block
// (lines focusStart up to focusEnd) and where each block starts.
type wizardBody struct {
	lines                []string
	focusStart, focusEnd int
	starts               []int
}

// scroll moves the first shown line from top as little as needed to show
// the focused block (its start, when it does not fit) in rows lines, then
// onto the start of a block, so no block shows cut at the top.
func (b wizardBody) scroll(rows, top int) int {
	total, fs, fe := len(b.lines), b.focusStart, b.focusEnd
	if rows <= 0 || total <= rows {
		return 0
	}
	top = min(top, fs)
	for {
		start, n, _, _ := wizardWindow(total, rows, top)
		top = start
		if min(fe, fs+n) <= start+n || top >= fs {
			break
		}
		top++
	}
	for _, st := range b.starts {
		if st >= top && st <= fs {
			return st
		}
	}
	return top
}

// wizardWindow is which of total body lines show in rows lines starting
// near top: n lines from start, with a mark line above (up) or below (down)
// when more is hidden there.
func wizardWindow(total, rows, top int) (start, n int, up, down bool) {
	if rows <= 0 || total <= rows {
		return 0, total, false, false
	}
	rows = max(rows, 3)
	start = min(max(0, top), total-(rows-1))
	up = start > 0
	n = rows
	if up {
		n--
	}
	if start+n < total {
		down = true
		n--
	}
	return start, n, up, down
}

// bodyHeight is the number of lines between the header (title, step, a
// blank line) and the status line; 0 when the height is not known yet.
func (m wizardModel) bodyHeight() int {
	if m.height <= 0 {
		return 0
	}
	return max(1, m.height-4)
}

// body renders the form or the review and says which lines belong to the
// focused block (the test results on the review).
func (m wizardModel) body() wizardBody {
	if m.step == wizardStepReview {
		return m.reviewBody()
	}
	var (
		lines                []string
		starts               []int
		focusStart, focusEnd int
	)
	lw, vw := m.columns()
	indent := strings.Repeat(" ", lw+4)
	acct := m.account()
	probs := m.problemsOf(acct)
	s := m.d.styles
	for _, f := range m.visible() {
		focused := f == m.focus
		if focused {
			focusStart = len(lines)
		}
		starts = append(starts, len(lines))
		lines = append(lines, m.fieldLine(f, lw, vw, focused))
		for _, ln := range m.discoverLines(f, min(vw, wizardProse)) {
			lines = append(lines, indent+ln)
		}
		under := func(st lipgloss.Style, text string) {
			for _, ln := range wrapLines(text, min(vw, wizardProse)) {
				lines = append(lines, indent+st.Render(ln))
			}
		}
		if f == wfRetention && focused {
			for k := mail.RetainDelete; k <= mail.RetainMirror; k++ {
				lines = append(lines, indent+m.radio(m.retention == k, m.retentionLabel(k)))
			}
		}
		if f == wfReplyJIS && focused {
			for _, ln := range m.replyOtherChoice(vw) {
				lines = append(lines, indent+ln)
			}
		}
		if out := acct.SMTP(); f == wfSMTPSame && m.smtpSame && out.Host != "" {
			under(s.faint, m.d.lang.tr("wizard.smtp.summary", m.serverText(out)))
		}
		if f == wfRetention && m.recentLock {
			under(s.note, m.d.lang.tr("wizard.recent.locked"))
		}
		if f == wfSignIn {
			text, addr, strong := m.signInLines()
			st := s.fieldError
			if strong {
				st = s.note
			}
			for i, t := range text {
				under(st, t)
				if i == 0 {
					for _, piece := range cutEvery(addr, vw) {
						lines = append(lines, indent+s.accent.Render(piece))
					}
				}
			}
		}
		if m.shows(f) {
			if fe, ok := problemFor(probs, f); ok {
				if fe.Warning {
					under(s.fieldWarn, "! "+m.problemTextOf(fe, acct))
				} else {
					under(s.fieldError, "✗ "+m.problemTextOf(fe, acct))
				}
			}
		}
		if focused {
			if m.fresh {
				under(s.hint, m.d.lang.tr("wizard.preset"))
			}
			for _, h := range m.hints(f) {
				under(s.hint, h)
			}
			focusEnd = len(lines)
		}
	}
	return wizardBody{lines: lines, focusStart: focusStart, focusEnd: focusEnd, starts: starts}
}

// hints are the lines of help under the focused field: its own hint and,
// where they apply, the provider's.
func (m wizardModel) hints(f wizardField) []string {
	l := m.d.lang
	var out []string
	email := strings.TrimSpace(m.val(wfEmail))
	preset, known := m.presetFor(email)
	switch f {
	case wfEmail:
		if known {
			if _, found := m.foundFor(email); !found {
				// A lookup's finding has its line already (discoverLines).
				out = append(out, l.tr("wizard.provider", preset.Provider))
			}
			for _, h := range preset.Hints {
				if h != mail.HintGmailRecent && h != mail.HintFullAddress {
					out = append(out, m.hintText(h))
				}
			}
			return out
		}
	case wfUser:
		out = append(out, l.tr("hint.user"))
		if known {
			for _, h := range preset.Hints {
				if h == mail.HintGmailRecent || h == mail.HintFullAddress {
					out = append(out, m.hintText(h))
				}
			}
		}
		return out
	case wfPassword, wfSMTPPassword:
		if m.existing != nil && m.inputs[f].Placeholder != "" {
			out = append(out, l.tr("hint.password-unchanged"))
		}
	case wfSharing:
		if _, forced := m.sharingForced(); forced {
			return []string{l.tr("hint.sharing-locked")}
		}
	case wfSignIn:
		return m.signInHints()
	case wfClientID:
		if m.d.env(oauth.EnvClientID) != "" {
			out = append(out, l.tr("hint.oauth-client-id-env", oauth.EnvClientID))
		}
	}
	return append(out, l.tr("hint."+f.name()))
}

// hintText translates a provider hint, falling back to mail's English.
func (m wizardModel) hintText(h mail.Hint) string {
	if k := "hint." + h.Key; hasMessage(k) {
		return m.d.lang.tr(k)
	}
	return h.Text
}

// fieldLine is one field's label and value, the label padded to the common
// display width.
func (m wizardModel) fieldLine(f wizardField, lw, vw int, focused bool) string {
	s := m.d.styles
	label := m.label(f)
	pad := strings.Repeat(" ", max(0, lw-lipgloss.Width(label)))
	marker, lab := "  ", s.label.Render(label)
	if focused {
		marker, lab = s.accent.Render("›")+" ", s.labelFocused.Render(label)
	}
	return marker + lab + pad + "  " + m.fieldValue(f, vw, focused)
}

// fieldValue renders the value column of a field.
func (m wizardModel) fieldValue(f wizardField, vw int, focused bool) string {
	s := m.d.styles
	l := m.d.lang
	if f.isInput() {
		if focused && m.fresh {
			// Drawn as a selection: the value, then the cursor.
			cur := m.inputs[f].Cursor
			cur.SetChar(" ")
			return s.fieldPreset.Render(ansi.Truncate(m.val(f), vw-1, "…")) + cur.View()
		}
		if focused && f.kind() == wkSecret && !m.reveal && m.val(f) != "" {
			cur := m.inputs[f].Cursor
			cur.SetChar(" ")
			return s.fieldFocused.Render(typingMask(m.strokes)) + cur.View()
		}
		if focused {
			return m.inputs[f].View()
		}
		v := m.val(f)
		switch {
		case f.kind() == wkSecret && v != "":
			return s.field.Render(storedMask)
		case f.kind() == wkSecret && m.inputs[f].Placeholder != "" && m.existing != nil:
			return s.faint.Render(m.inputs[f].Placeholder)
		case f == wfCAFile && v == "":
			return s.faint.Render(l.tr("wizard.ca-none"))
		case f == wfAliases && v == "":
			return s.faint.Render(l.tr("wizard.aliases-none"))
		}
		if v == "" {
			return ""
		}
		return s.field.Render(ansi.Truncate(v, vw, "…"))
	}
	switch f {
	case wfAuth:
		return m.authValue()
	case wfSignIn:
		return m.signInValue()
	case wfSecurity, wfSMTPSecurity:
		cur := m.security
		if f == wfSMTPSecurity {
			cur = m.smtpSecurity
		}
		var opts []string
		for _, sec := range []mail.Security{mail.SecuritySSL, mail.SecurityStartTLS, mail.SecurityNone} {
			opts = append(opts, m.radio(cur == sec, m.securityLabel(sec)))
		}
		return strings.Join(opts, "  ")
	case wfSMTPSame:
		box := "[ ]"
		st := s.toggleOff
		if m.smtpSame {
			box, st = "[x]", s.toggleOn
		}
		return st.Render(box) + " " + s.field.Render(l.tr("field.smtp-same.box"))
	case wfRetention:
		if focused {
			return m.radio(m.retention == mail.RetainKeep, m.retentionLabel(mail.RetainKeep))
		}
		v := s.field.Render(m.retentionLabel(m.retention))
		if m.recentLock {
			v += " " + s.faint.Render(l.tr("wizard.locked"))
		}
		return v
	case wfFetchEvery:
		return s.field.Render(m.everyLabel(m.every))
	case wfReplyJIS:
		if focused {
			// The other choice is the line under it (body), as retention's.
			return m.radio(!m.replyJIS, m.replyLabel(false))
		}
		return s.field.Render(m.replyLabel(m.replyJIS))
	case wfSharing:
		if forced, ok := m.sharingForced(); ok {
			return s.field.Render(l.tr("wizard.sharing.admin", m.sharingLabel(forced)))
		}
		return m.radio(m.sharing == mail.SharingPrivate, m.sharingLabel(mail.SharingPrivate)) + "  " +
			m.radio(m.sharing == mail.SharingPublic, m.sharingLabel(mail.SharingPublic))
	}
	return ""
}

// radio is one choice of a toggle or picker, marked when chosen.
func (m wizardModel) radio(on bool, label string) string {
	if on {
		return m.d.styles.toggleOn.Render("● " + label)
	}
	return m.d.styles.toggleOff.Render("○ " + label)
}

// securityLabel, retentionLabel and sharingLabel name a choice in the
// user's language.
func (m wizardModel) securityLabel(s mail.Security) string {
	return m.d.lang.tr("wizard.opt." + s.String())
}

func (m wizardModel) retentionLabel(k mail.RetentionKind) string {
	name := mail.Retention{Kind: k}.String()
	if k == mail.RetainDays {
		name = "days"
	}
	return m.d.lang.tr("wizard.opt." + name)
}

func (m wizardModel) sharingLabel(s mail.Sharing) string {
	return m.d.lang.tr("wizard.opt." + s.String())
}

// serverText is host:port and security, as in "pop.gmail.com:995 (SSL)".
func (m wizardModel) serverText(s mail.Server) string {
	return s.Address() + " (" + m.securityLabel(s.Security) + ")"
}

// reviewBody is the summary of the account and the connection test.
func (m wizardModel) reviewBody() wizardBody {
	var lines []string
	l := m.d.lang
	s := m.d.styles
	a := m.account()
	lw, vw := m.columns()
	indent := strings.Repeat(" ", lw+4)
	rowL := func(label, value string) {
		pad := strings.Repeat(" ", max(0, lw-lipgloss.Width(label)))
		for i, ln := range wrapLines(value, vw) {
			if i == 0 {
				lines = append(lines, "  "+s.label.Render(label)+pad+"  "+s.field.Render(ln))
			} else {
				lines = append(lines, indent+s.field.Render(ln))
			}
		}
	}
	row := func(f wizardField, value string) { rowL(m.label(f), value) }
	mask := func(pw string) string {
		if pw == "" && m.existing != nil {
			return l.tr("wizard.unchanged")
		}
		return wizardMask
	}
	row(wfName, a.Name)
	row(wfEmail, a.Email)
	row(wfHost, m.serverText(a.Incoming))
	row(wfUser, a.Incoming.User)
	if m.auth == authPassword {
		row(wfPassword, mask(a.Incoming.Password))
	} else {
		row(wfAuth, m.reviewSignIn())
	}
	if a.SMTPSame {
		row(wfSMTPHost, l.tr("wizard.review.same", m.serverText(a.SMTP())))
	} else {
		row(wfSMTPHost, m.serverText(a.Outgoing))
		row(wfSMTPUser, a.Outgoing.User)
		if m.auth == authPassword {
			row(wfSMTPPassword, mask(a.Outgoing.Password))
		}
	}
	ret := m.retentionLabel(a.Retention.Kind)
	if a.Retention.Kind == mail.RetainDays {
		ret = l.tr("wizard.opt.days-n", a.Retention.Days)
	}
	row(wfRetention, ret)
	if forced, ok := m.sharingForced(); ok {
		row(wfSharing, l.tr("wizard.sharing.admin", m.sharingLabel(forced)))
	} else {
		row(wfSharing, m.sharingLabel(a.Sharing))
	}
	row(wfFetchEvery, m.everyLabel(a.FetchEvery))
	if a.CAFile != "" {
		row(wfCAFile, clean(a.CAFile))
	}
	if a.Aliases != "" {
		row(wfAliases, clean(a.Aliases))
	}
	row(wfReplyJIS, m.replyLabel(a.ReplyJIS))
	for _, t := range m.reviewTrust() {
		rowL(l.tr("wizard.trust.label"), t)
	}
	for _, w := range m.problemsOf(a).Warnings() {
		for _, ln := range wrapLines("! "+m.problemTextOf(w, a), max(min(m.contentWidth()-4, wizardProse), 1)) {
			lines = append(lines, "  "+s.fieldWarn.Render(ln))
		}
	}
	lines = append(lines, "")
	focusStart := len(lines)
	lines = append(lines, "  "+s.title.Render(l.tr("wizard.test.title")))
	lines = append(lines, m.resultLines(wizardSidePOP3, m.pop)...)
	lines = append(lines, m.resultLines(wizardSideSMTP, m.smtp)...)
	lines = append(lines, m.trustLines()...)
	return wizardBody{lines: lines, focusStart: focusStart, focusEnd: len(lines), starts: []int{0, focusStart}}
}

// resultLines is one side's test line, wrapped under its text.
func (m wizardModel) resultLines(side wizardSide, c wizardCheck) []string {
	l := m.d.lang
	s := m.d.styles
	a := m.testAccount()
	name, host := l.tr("wizard.test.pop3"), a.Incoming.Host
	if side == wizardSideSMTP {
		name, host = l.tr("wizard.test.smtp"), a.SMTP().Host
	}
	var icon, text string
	switch c.state {
	case wizardCheckIdle:
		icon, text = s.faint.Render("–"), l.tr("wizard.test.idle")
	case wizardCheckRunning:
		icon, text = m.spin.View(), l.tr("wizard.test.running", host)
	case wizardCheckOK:
		icon, text = s.ok.Render("✓"), l.tr("wizard.test.ok", host)
	case wizardCheckFailed:
		icon, text = s.err.Render("✗"), m.checkText(side, c.err)
	}
	width := min(max(10, m.contentWidth()-6), wizardProse)
	var out []string
	for i, ln := range wrapLines(name+": "+text, width) {
		if i == 0 {
			out = append(out, "  "+icon+" "+s.text.Render(ln))
		} else {
			out = append(out, "    "+s.text.Render(ln))
		}
	}
	return out
}

// view draws the wizard: title, step, the form or review and a status line
// (a question, or what went wrong), never wider or taller than its size.
// The key help is the root's footer, from keys().
func (m wizardModel) view() string {
	l := m.d.lang
	s := m.d.styles
	w := m.contentWidth()

	title := l.tr("wizard.title.add")
	if m.existing != nil {
		title = l.tr("wizard.title.edit", m.existing.Name)
	}
	sec := len(wizardSections) - 1
	if m.step == wizardStepForm {
		sec = m.focus.section()
	}
	step := l.tr("wizard.step", sec+1, len(wizardSections), l.tr(wizardSections[sec]))
	out := []string{s.title.Render(title), s.faint.Render(step), ""}

	b := m.body()
	lines, rows := b.lines, m.bodyHeight()
	top := b.scroll(rows, m.top)
	if start, n, up, down := wizardWindow(len(lines), rows, top); n < len(lines) {
		lw, _ := m.columns()
		indent := strings.Repeat(" ", lw+4)
		var win []string
		if up {
			win = append(win, indent+s.faint.Render(l.tr("wizard.more.above")))
		}
		win = append(win, lines[start:start+n]...)
		if down {
			win = append(win, indent+s.faint.Render(l.tr("wizard.more.below")))
		}
		lines = win
	}
	out = append(out, lines...)
	if rows > 0 {
		for len(out) < rows+3 {
			out = append(out, "")
		}
	} else {
		out = append(out, "")
	}
	out = append(out, m.statusLine())
	if m.height > 0 && len(out) > m.height {
		out = append(out[:max(0, m.height-1)], out[len(out)-1])
	}
	for i, ln := range out {
		if lipgloss.Width(ln) > w {
			out[i] = ansi.Truncate(ln, w, "…")
		}
	}
	return strings.Join(out, "\n")
}

// statusLine is the open question, the last action's outcome, or a problem
// reading the store.
func (m wizardModel) statusLine() string {
	s := m.d.styles
	l := m.d.lang
	switch {
	case m.confirm == wizardConfirmDiscard && m.existing != nil:
		return s.warn.Render(l.tr("wizard.confirm.discard-edit"))
	case m.confirm == wizardConfirmDiscard:
		return s.warn.Render(l.tr("wizard.confirm.discard"))
	case m.confirm == wizardConfirmSaveAnyway:
		return s.warn.Render(l.tr("wizard.confirm.save-anyway"))
	case m.status != "" && m.saving:
		return s.faint.Render(m.status)
	case m.status != "":
		return s.err.Render(m.status)
	case m.loadErr != "":
		return s.err.Render(m.loadErr)
	}
	return ""
}
