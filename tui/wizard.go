package tui

import (
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"popbox/mail"
	"popbox/store"
)

// wizardStore is what the wizard needs of the store; *store.Store satisfies it.
type wizardStore interface {
	Accounts() ([]mail.Account, error)
	AddAccount(a mail.Account) (mail.Account, error)
	UpdateAccount(a mail.Account) error
	SharingPolicy() (store.Policy, error)
}

// wizardCancelledMsg tells the root that the user left the wizard without
// saving.
type wizardCancelledMsg struct{}

// wizardProse is the widest a wrapped hint, error or test result gets, so
// sentences stay readable on wide terminals.
const wizardProse = 76

// wizardMask stands for a password in every view but the field being typed.
const wizardMask = "••••••••"

// wizardStep is the page of the wizard.
type wizardStep int

const (
	wizardStepForm wizardStep = iota
	wizardStepReview
)

// wizardConfirm is the y/n question open, if any.
type wizardConfirm int

const (
	wizardConfirmNone wizardConfirm = iota
	wizardConfirmDiscard
	wizardConfirmSaveAnyway
)

// wizardModel is the account setup screen: a form of fields, one focused at
// a time, then a review with a connection test, then saving.
type wizardModel struct {
	d        deps
	st       wizardStore
	km       wizardKeys
	spin     spinner.Model
	existing *mail.Account // the account being edited; nil when adding
	taken    []string      // names of the other accounts
	policy   store.Policy
	loadErr  string // the store could not be read; shown until the wizard closes

	inputs       [wfCount]textinput.Model // used by the input fields only
	security     mail.Security
	smtpSecurity mail.Security
	smtpSame     bool
	retention    mail.RetentionKind
	sharing      mail.Sharing
	recentLock   bool               // the user name has recent:, so retention is keep
	beforeRecent mail.RetentionKind // the choice to restore when recent: goes

	edited  [wfCount]bool // changed by the user: presets leave it alone
	touched [wfCount]bool // left once: its problems show
	showAll bool          // saving was tried: every problem shows
	dirty   bool          // something was typed or chosen
	focus   wizardField
	reveal  bool // the focused password is shown in clear

	step    wizardStep
	confirm wizardConfirm
	testSeq int
	pop     wizardCheck
	smtp    wizardCheck
	saving  bool
	status  string // one line about the last action, cleared by the next key

	width, height int
	top           int // first body line shown when the form scrolls
}

// newWizard builds the wizard: existing == nil adds an account, else it
// edits existing (password fields start empty, meaning "unchanged"). It reads
// the other accounts' names and the sharing policy from st once.
func newWizard(d deps, st wizardStore, existing *mail.Account) wizardModel {
	s := d.styles
	m := wizardModel{
		d:            d,
		st:           st,
		km:           defaultWizardKeys(d.lang),
		spin:         spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(s.accent)),
		security:     mail.SecuritySSL,
		smtpSecurity: mail.SecuritySSL,
		smtpSame:     true,
		retention:    mail.RetainKeep,
		sharing:      mail.SharingPrivate,
		width:        80,
	}
	var problems []string
	accts, err := st.Accounts()
	if err != nil {
		problems = append(problems, err.Error())
	}
	for _, a := range accts {
		if existing != nil && a.ID == existing.ID {
			continue
		}
		m.taken = append(m.taken, a.Name)
	}
	// Accounts reads the policy too, so a broken policy file may fail both.
	if pol, err := st.SharingPolicy(); err != nil && !slices.Contains(problems, err.Error()) {
		problems = append(problems, err.Error())
	} else if err == nil {
		m.policy = pol
	}
	if len(problems) > 0 {
		m.loadErr = d.lang.tr("wizard.load-failed", strings.Join(problems, "; "))
	}

	for f := wizardField(0); f < wfCount; f++ {
		if !f.isInput() {
			continue
		}
		ti := textinput.New()
		ti.Prompt = ""
		ti.Cursor.SetMode(cursor.CursorStatic)
		ti.Cursor.Style = s.accent
		ti.Cursor.TextStyle = s.fieldFocused
		ti.TextStyle = s.fieldFocused
		ti.PlaceholderStyle = s.faint
		// Without colour a placeholder would read as a value.
		if k := "wizard.placeholder." + f.name(); hasMessage(k) && !d.plain {
			ti.Placeholder = d.lang.tr(k)
		}
		switch f.kind() {
		case wkPort:
			ti.CharLimit = 5
		case wkNumber:
			ti.CharLimit = 4
		case wkSecret:
			ti.CharLimit = 1024
			ti.EchoMode = textinput.EchoPassword
			ti.EchoCharacter = '•'
		default:
			ti.CharLimit = 255
		}
		m.inputs[f] = ti
	}
	m.setVal(wfDays, "30")

	if existing != nil {
		m = m.prefill(*existing)
	} else {
		m = m.autofill()
	}
	m = m.focusOn(wfName)
	return m.setSize(m.width, m.height)
}

// hasMessage reports whether the catalog has key.
func hasMessage(key string) bool {
	_, ok := catalog[key]
	return ok
}

// typing reports whether keys should go to the wizard unfiltered: a text
// field has focus or a y/n question is open.
func (m wizardModel) typing() bool {
	if m.saving {
		return false
	}
	if m.confirm != wizardConfirmNone {
		return true
	}
	return m.step == wizardStepForm && m.focus.isInput()
}

// keys is the wizard's key map with only the bindings that work now enabled.
func (m wizardModel) keys() help.KeyMap { return m.bindings() }

// bindings is keys as its concrete type, for wizardIntent.
func (m wizardModel) bindings() wizardKeys {
	k := m.km
	for _, b := range k.all() {
		b.SetEnabled(false)
	}
	l := m.d.lang
	switch {
	case m.saving:
	case m.confirm != wizardConfirmNone:
		k.Yes.SetEnabled(true)
		k.No.SetEnabled(true)
	case m.step == wizardStepReview:
		k.Save.SetEnabled(true)
		if m.existing != nil {
			k.Save.SetHelp("enter", l.tr("wizard.key.update"))
		}
		k.Retest.SetEnabled(m.d.checker != nil && !m.testing())
		k.Prev.SetEnabled(true)
		k.Prev.SetHelp("shift+tab", l.tr("wizard.key.edit"))
		k.Cancel.SetEnabled(true)
	default:
		for _, b := range []*key.Binding{&k.Next, &k.Prev, &k.Up, &k.Down, &k.Review, &k.Cancel} {
			b.SetEnabled(true)
		}
		switch m.focus.kind() {
		case wkPort, wkChoice, wkCheck:
			can := !(m.focus == wfRetention && m.recentLock)
			k.Change.SetEnabled(can)
			k.ChangeBack.SetEnabled(can)
		case wkSecret:
			k.Reveal.SetEnabled(true)
			if m.reveal {
				k.Reveal.SetHelp("ctrl+r", l.tr("wizard.key.hide"))
			}
		}
	}
	return k
}

// wizardAction is what a key means to the wizard.
type wizardAction int

// The wizard's intents; wizardNone is a key that is text for the focused field.
const (
	wizardNone wizardAction = iota
	wizardNext
	wizardPrev
	wizardUp
	wizardDown
	wizardChange
	wizardChangeBack
	wizardReveal
	wizardReview
	wizardSave
	wizardRetest
	wizardCancel
	wizardYes
	wizardNo
)

// wizardIntent turns a key into an intent, using the enabled bindings of k.
func wizardIntent(k wizardKeys, msg tea.KeyMsg) wizardAction {
	for _, c := range []struct {
		b key.Binding
		a wizardAction
	}{
		{k.Yes, wizardYes}, {k.No, wizardNo}, {k.Save, wizardSave}, {k.Retest, wizardRetest},
		{k.Next, wizardNext}, {k.Prev, wizardPrev}, {k.Up, wizardUp}, {k.Down, wizardDown},
		{k.Change, wizardChange}, {k.ChangeBack, wizardChangeBack}, {k.Reveal, wizardReveal},
		{k.Review, wizardReview}, {k.Cancel, wizardCancel},
	} {
		if key.Matches(msg, c.b) {
			return c.a
		}
	}
	return wizardNone
}

// setSize fits the wizard to a terminal of w x h cells.
func (m wizardModel) setSize(w, h int) wizardModel {
	m.width, m.height = w, h
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

// update is the wizard's state transition.
func (m wizardModel) update(msg tea.Msg) (wizardModel, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.KeyMsg:
		m, cmd = m.handleKey(msg)
	case wizardCheckMsg:
		m = m.checkDone(msg)
	case wizardSaveFailedMsg:
		m = m.saveFailed(msg.err)
	case spinner.TickMsg:
		if m.testing() {
			m.spin, cmd = m.spin.Update(msg)
		}
	default:
		if m.step == wizardStepForm {
			m, cmd = m.updateInput(msg)
		}
	}
	return m.follow(), cmd
}

// handleKey acts on a key by its intent: a y/n answer, leaving, the
// review's actions, moving between fields, changing a choice, or text for
// the focused field.
func (m wizardModel) handleKey(msg tea.KeyMsg) (wizardModel, tea.Cmd) {
	if m.saving {
		return m, nil
	}
	act := wizardIntent(m.bindings(), msg)
	m.status = ""
	if m.confirm != wizardConfirmNone {
		return m.answer(act)
	}
	if act == wizardCancel {
		if !m.dirty {
			return m, wizardCancelled
		}
		m.confirm = wizardConfirmDiscard
		return m, nil
	}
	if m.step == wizardStepReview {
		switch act {
		case wizardSave:
			return m.trySave()
		case wizardRetest:
			return m.startTest()
		case wizardPrev:
			return m.backToForm(), nil
		}
		return m, nil
	}
	switch act {
	case wizardNext:
		return m.next(true)
	case wizardDown:
		return m.next(false)
	case wizardPrev, wizardUp:
		return m.prev(), nil
	case wizardReview:
		return m.toReview()
	case wizardChange:
		return m.change(1), nil
	case wizardChangeBack:
		return m.change(-1), nil
	case wizardReveal:
		m.reveal = !m.reveal
		return m.applyReveal(), nil
	}
	return m.updateInput(msg)
}

// wizardCancelled is the command that tells the root the user left.
func wizardCancelled() tea.Msg { return wizardCancelledMsg{} }

// answer handles y/n while a question is open.
func (m wizardModel) answer(act wizardAction) (wizardModel, tea.Cmd) {
	switch act {
	case wizardYes:
		c := m.confirm
		m.confirm = wizardConfirmNone
		if c == wizardConfirmDiscard {
			return m, wizardCancelled
		}
		return m.save()
	case wizardNo:
		m.confirm = wizardConfirmNone
	}
	return m, nil
}

// updateInput gives msg to the focused text input and reacts to a change of
// its value. Port and day fields take digits only.
func (m wizardModel) updateInput(msg tea.Msg) (wizardModel, tea.Cmd) {
	f := m.focus
	if !f.isInput() {
		return m, nil
	}
	if k, ok := msg.(tea.KeyMsg); ok && (f.kind() == wkPort || f.kind() == wkNumber) &&
		(k.Type == tea.KeyRunes || k.Type == tea.KeySpace) {
		var digits []rune
		for _, r := range k.Runes {
			if r >= '0' && r <= '9' {
				digits = append(digits, r)
			}
		}
		if len(digits) == 0 {
			return m, nil
		}
		k.Type, k.Runes = tea.KeyRunes, digits
		msg = k
	}
	before := m.val(f)
	var cmd tea.Cmd
	m.inputs[f], cmd = m.inputs[f].Update(msg)
	if m.val(f) != before {
		m = m.changed(f)
	}
	return m, cmd
}

// changed records that the user changed f and updates what follows from it.
func (m wizardModel) changed(f wizardField) wizardModel {
	m.edited[f] = true
	m.dirty = true
	switch f {
	case wfEmail, wfHost, wfUser:
		m = m.autofill()
	case wfPort:
		m.security = typedSecurity(m.val(wfPort), false, m.security)
	case wfSMTPPort:
		m.smtpSecurity = typedSecurity(m.val(wfSMTPPort), true, m.smtpSecurity)
	}
	return m
}

// change moves a toggle or picker one choice on (dir 1) or back (dir -1).
func (m wizardModel) change(dir int) wizardModel {
	f := m.focus
	switch f {
	case wfPort, wfSMTPPort:
		smtp := f == wfSMTPPort
		a := strconv.Itoa(mail.DefaultPort(mail.SecuritySSL, smtp))
		b := strconv.Itoa(mail.DefaultPort(mail.SecurityStartTLS, smtp))
		if strings.TrimSpace(m.val(f)) == a {
			m.setVal(f, b)
		} else {
			m.setVal(f, a)
		}
		return m.changed(f)
	case wfSecurity:
		m.security = cycleSecurity(m.security, dir)
	case wfSMTPSecurity:
		m.smtpSecurity = cycleSecurity(m.smtpSecurity, dir)
	case wfSMTPSame:
		m.smtpSame = !m.smtpSame
	case wfRetention:
		if m.recentLock {
			return m
		}
		m.retention = mail.RetentionKind((int(m.retention) + dir + 4) % 4)
		if m.retention == mail.RetainDays && strings.TrimSpace(m.val(wfDays)) == "" {
			m.setVal(wfDays, "30")
		}
	case wfSharing:
		if _, forced := m.sharingForced(); forced {
			return m
		}
		if m.sharing == mail.SharingPrivate {
			m.sharing = mail.SharingPublic
		} else {
			m.sharing = mail.SharingPrivate
		}
	default:
		return m
	}
	m.edited[f] = true
	m.dirty = true
	return m
}

// cycleSecurity steps through ssl, starttls and none.
func cycleSecurity(s mail.Security, dir int) mail.Security {
	return mail.Security((int(s) + dir + 3) % 3)
}

// next moves to the next field; past the last one it goes to the review
// when toReview is set.
func (m wizardModel) next(toReview bool) (wizardModel, tea.Cmd) {
	fs := m.focusable()
	for i, f := range fs {
		if f == m.focus && i+1 < len(fs) {
			return m.focusOn(fs[i+1]), nil
		}
	}
	if toReview {
		return m.toReview()
	}
	return m, nil
}

// prev moves to the previous field; on the first it stays.
func (m wizardModel) prev() wizardModel {
	fs := m.focusable()
	for i, f := range fs {
		if f == m.focus && i > 0 {
			return m.focusOn(fs[i-1])
		}
	}
	return m
}

// toReview goes to the review and starts the connection test, or, while a
// field has an error, shows every error and focuses the first.
func (m wizardModel) toReview() (wizardModel, tea.Cmd) {
	m.touched[m.focus] = true
	if f, ok := m.firstError(); ok {
		m.showAll = true
		m.status = m.d.lang.tr("wizard.status.fix")
		return m.focusOn(f), nil
	}
	m.step = wizardStepReview
	m.inputs[m.focus].Blur()
	m.reveal = false
	m = m.applyReveal()
	m.top = 0
	return m.startTest()
}

// backToForm leaves the review for the last field; a test still running
// is forgotten.
func (m wizardModel) backToForm() wizardModel {
	m.step = wizardStepForm
	m.testSeq++
	m.pop, m.smtp = wizardCheck{}, wizardCheck{}
	fs := m.focusable()
	return m.focusOn(fs[len(fs)-1])
}

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
		under := func(st lipgloss.Style, text string) {
			for _, ln := range wizardWrap(text, min(vw, wizardProse)) {
				lines = append(lines, indent+st.Render(ln))
			}
		}
		if f == wfRetention && focused {
			for k := mail.RetainDelete; k <= mail.RetainMirror; k++ {
				lines = append(lines, indent+m.radio(m.retention == k, m.retentionLabel(k)))
			}
		}
		if out := acct.SMTP(); f == wfSMTPSame && m.smtpSame && out.Host != "" {
			under(s.faint, m.d.lang.tr("wizard.smtp.summary", m.serverText(out)))
		}
		if f == wfRetention && m.recentLock {
			under(s.note, m.d.lang.tr("wizard.recent.locked"))
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
	preset, known := mail.PresetFor(strings.TrimSpace(m.val(wfEmail)))
	switch f {
	case wfEmail:
		if known {
			out = append(out, l.tr("wizard.provider", preset.Provider))
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
		if focused {
			return m.inputs[f].View()
		}
		v := m.val(f)
		switch {
		case f.kind() == wkSecret && v != "":
			return s.field.Render(wizardMask)
		case f.kind() == wkSecret && m.inputs[f].Placeholder != "" && m.existing != nil:
			return s.faint.Render(m.inputs[f].Placeholder)
		}
		if v == "" {
			return ""
		}
		return s.field.Render(ansi.Truncate(v, vw, "…"))
	}
	switch f {
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
	row := func(f wizardField, value string) {
		label := m.label(f)
		pad := strings.Repeat(" ", max(0, lw-lipgloss.Width(label)))
		for i, ln := range wizardWrap(value, vw) {
			if i == 0 {
				lines = append(lines, "  "+s.label.Render(label)+pad+"  "+s.field.Render(ln))
			} else {
				lines = append(lines, indent+s.field.Render(ln))
			}
		}
	}
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
	row(wfPassword, mask(a.Incoming.Password))
	if a.SMTPSame {
		row(wfSMTPHost, l.tr("wizard.review.same", m.serverText(a.SMTP())))
	} else {
		row(wfSMTPHost, m.serverText(a.Outgoing))
		row(wfSMTPUser, a.Outgoing.User)
		row(wfSMTPPassword, mask(a.Outgoing.Password))
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
	for _, w := range m.problemsOf(a).Warnings() {
		for _, ln := range wizardWrap("! "+m.problemTextOf(w, a), min(m.contentWidth()-4, wizardProse)) {
			lines = append(lines, "  "+s.fieldWarn.Render(ln))
		}
	}
	lines = append(lines, "")
	focusStart := len(lines)
	lines = append(lines, "  "+s.title.Render(l.tr("wizard.test.title")))
	lines = append(lines, m.resultLines(wizardSidePOP3, m.pop)...)
	lines = append(lines, m.resultLines(wizardSideSMTP, m.smtp)...)
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
	for i, ln := range wizardWrap(name+": "+text, width) {
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

// wizardWrap breaks plain text into lines of at most width cells: at spaces,
// and between two wide (CJK) characters, keeping closing punctuation with
// the character before it and opening brackets with the one after. A word
// longer than the line is cut.
func wizardWrap(text string, width int) []string {
	width = max(1, width)
	var toks []string // words, single wide characters, and " "
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	open := false // cur ends with an opening bracket
	for _, r := range text {
		switch {
		case r == ' ':
			flush()
			toks = append(toks, " ")
			open = false
		case strings.ContainsRune("、。，．・：；！？）」』】〕ー…", r):
			if cur.Len() == 0 && len(toks) > 0 && toks[len(toks)-1] != " " {
				toks[len(toks)-1] += string(r)
			} else {
				cur.WriteRune(r)
			}
		case strings.ContainsRune("（「『【〔", r):
			flush()
			cur.WriteRune(r)
			open = true
		case ansi.StringWidth(string(r)) > 1:
			if !open {
				flush()
			}
			cur.WriteRune(r)
			flush()
			open = false
		default:
			if open {
				open = false
			}
			cur.WriteRune(r)
		}
	}
	flush()

	var lines []string
	var line strings.Builder
	w := 0
	newline := func() {
		lines = append(lines, strings.TrimRight(line.String(), " "))
		line.Reset()
		w = 0
	}
	for _, t := range toks {
		tw := ansi.StringWidth(t)
		if t == " " {
			if w > 0 && w < width {
				line.WriteString(" ")
				w++
			}
			continue
		}
		if w > 0 && w+tw > width {
			newline()
		}
		for tw > width {
			head := ansi.Truncate(t, width, "")
			if head == "" {
				break
			}
			line.WriteString(head)
			newline()
			t = t[len(head):]
			tw = ansi.StringWidth(t)
		}
		line.WriteString(t)
		w += tw
	}
	if line.Len() > 0 || len(lines) == 0 {
		newline()
	}
	return lines
}
