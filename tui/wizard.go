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

	"popbox/mail"
	"popbox/store"
)

// wizardStore is what the wizard's save needs of the store; *store.Store
// satisfies it. Only the command that save returns uses it.
type wizardStore interface {
	AddAccount(a mail.Account) (mail.Account, error)
	UpdateAccount(a mail.Account) error
	// SetRefreshToken seals the refresh token of a sign-in made in the form.
	SetRefreshToken(nameOrID string, outgoing bool, token string) error
}

// wizardSource is what the wizard is opened with, read from the store;
// *store.Store satisfies it.
type wizardSource interface {
	Accounts() ([]mail.Account, error)
	SharingPolicy() (store.Policy, error)
}

// wizardData is what the wizard needs to know besides the account it
// edits: the accounts (whose names are taken) and the administrator's
// sharing policy. The root reads it in a command (readWizardData) and
// passes it to newWizard, so the wizard never reads the store itself.
type wizardData struct {
	accounts []mail.Account
	policy   store.Policy
	problems []string // what could not be read; shown until the wizard closes
}

// readWizardData reads the wizard's data from st. It reads the disk: call
// it in a command, never in update.
func readWizardData(st wizardSource) wizardData {
	var data wizardData
	accts, err := st.Accounts()
	if err != nil {
		data.problems = append(data.problems, err.Error())
	}
	data.accounts = accts
	// Accounts reads the policy too, so a broken policy file may fail both.
	if pol, err := st.SharingPolicy(); err != nil && !slices.Contains(data.problems, err.Error()) {
		data.problems = append(data.problems, err.Error())
	} else if err == nil {
		data.policy = pol
	}
	return data
}

// wizardCancelledMsg tells the root that the user left the wizard without
// saving.
type wizardCancelledMsg struct{}

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

	// inputs is used by the input fields only. A slice, not an array: the
	// model is passed by value to every method, and an array of wfCount
	// text inputs made it 167 KB to copy each time (hundreds of copies a
	// frame). update and setSize clone it once, so the model they return
	// does not share its inputs with the one they were given.
	inputs       []textinput.Model
	security     mail.Security
	smtpSecurity mail.Security
	smtpSame     bool
	retention    mail.RetentionKind
	sharing      mail.Sharing
	every        mail.Every // fetch on its own; 0 = off
	replyJIS     bool       // answer ISO-2022-JP mail in ISO-2022-JP (wizard_reply.go)
	trust        wizardTrust
	auth         string // the sign-in choice: authPassword, a provider, authCommand
	sign         signInRun
	disc         discoverRun        // the lookup of the address's servers (wizard_discover.go)
	recentLock   bool               // the user name has recent:, so retention is keep
	beforeRecent mail.RetentionKind // the choice to restore when recent: goes

	edited  [wfCount]bool // changed by the user: presets leave it alone
	touched [wfCount]bool // left once: its problems show
	showAll bool          // saving was tried: every problem shows
	dirty   bool          // something was typed or chosen
	focus   wizardField
	reveal  bool // the focused password is shown in clear
	// fresh: the focused field holds a value the user did not type here (a
	// preset, a value filled in, a port toggled; any port or day count),
	// and the first character typed replaces it, as a selected text is.
	fresh bool
	// strokes counts the keys that changed a password, for its mask.
	strokes int
	// ca is the last check of the CA file field (wizard_ca.go); caReview
	// is set while a review waits for the check of the path typed.
	ca       caCheck
	caReview bool

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
// edits existing (password fields start empty, meaning "unchanged"). data
// gives the names taken and the sharing policy; st is only for the save.
func newWizard(d deps, st wizardStore, data wizardData, existing *mail.Account) wizardModel {
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
		inputs:       make([]textinput.Model, wfCount),
	}
	for _, a := range data.accounts {
		if existing != nil && a.ID == existing.ID {
			continue
		}
		m.taken = append(m.taken, a.Name)
	}
	m.policy = data.policy
	if len(data.problems) > 0 {
		m.loadErr = d.lang.tr("wizard.load-failed", strings.Join(data.problems, "; "))
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
		switch f {
		case wfCAFile:
			ti.CharLimit = 4096 // a path
		case wfAliases:
			ti.CharLimit = 2048 // a list of addresses
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
	case m.step == wizardStepForm && m.focus == wfSignIn && m.signingIn():
		k.StopSignIn.SetEnabled(true)
		for _, b := range []*key.Binding{&k.Next, &k.Prev, &k.Up, &k.Down, &k.Review} {
			b.SetEnabled(true)
		}
	case m.step == wizardStepReview:
		k.Save.SetEnabled(true)
		if m.existing != nil {
			k.Save.SetHelp("enter", l.tr("wizard.key.update"))
		}
		k.Retest.SetEnabled(m.d.checker != nil && !m.testing())
		m.trustKeys(&k)
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
		case wkAction:
			m.signInKeys(&k)
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
	wizardSignInAct
	wizardSignInAgainAct
	wizardSignInBrowserAct
	wizardStopSignInAct
	wizardTrustOnce
	wizardTrustAlways
	wizardTrustReject
)

// wizardIntent turns a key into an intent, using the enabled bindings of k.
func wizardIntent(k wizardKeys, msg tea.KeyMsg) wizardAction {
	for _, c := range []struct {
		b key.Binding
		a wizardAction
	}{
		{k.Yes, wizardYes}, {k.No, wizardNo}, {k.Save, wizardSave}, {k.Retest, wizardRetest},
		{k.StopSignIn, wizardStopSignInAct}, {k.SignIn, wizardSignInAct}, {k.SignInAgain, wizardSignInAgainAct},
		{k.SignInBrowser, wizardSignInBrowserAct},
		{k.TrustOnce, wizardTrustOnce}, {k.TrustAlways, wizardTrustAlways}, {k.TrustReject, wizardTrustReject},
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

// update is the wizard's state transition.
func (m wizardModel) update(msg tea.Msg) (wizardModel, tea.Cmd) {
	m.inputs = slices.Clone(m.inputs) // see inputs
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.KeyMsg:
		from := m.focus
		m, cmd = m.handleKey(msg)
		m, cmd = m.discoverAfterKey(from, cmd)
	case wizardCheckMsg:
		m = m.checkDone(msg)
	case wizardSaveFailedMsg:
		m = m.saveFailed(msg.err)
	case wizardCAFileMsg:
		m, cmd = m.caChecked(msg)
	case signInPromptMsg, signInURLMsg, signInDoneMsg:
		m, cmd = m.signInUpdate(msg)
	case wizardDiscoverTickMsg, wizardDiscoverMsg:
		m, cmd = m.discoverUpdate(msg)
	case spinner.TickMsg:
		if m.testing() || m.signingIn() || m.discovering() {
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
			return m.stopSignIn(), wizardCancelled
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
		case wizardTrustOnce, wizardTrustAlways, wizardTrustReject:
			return m.decideTrust(act)
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
	case wizardSignInAct, wizardSignInAgainAct:
		m.touched[wfSignIn] = true
		return m.startSignIn(false)
	case wizardSignInBrowserAct:
		m.touched[wfSignIn] = true
		return m.startSignIn(true)
	case wizardStopSignInAct:
		return m.stopSignIn(), nil
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
			return m.stopSignIn(), wizardCancelled
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
	if k, ok := msg.(tea.KeyMsg); ok && m.fresh {
		// Typed text replaces the value; any other key (backspace, the
		// cursor keys) starts editing it.
		m.fresh = false
		if k.Type == tea.KeyRunes || k.Type == tea.KeySpace {
			m.setVal(f, "")
		}
	}
	var cmd tea.Cmd
	m.inputs[f], cmd = m.inputs[f].Update(msg)
	if m.val(f) != before {
		if f.kind() == wkSecret {
			m.strokes++
		}
		m = m.changed(f)
		if f == wfCAFile && m.caNeedsCheck() {
			cmd = tea.Batch(cmd, checkCAFile(m.caValue()))
		}
		if f == wfEmail {
			var c tea.Cmd
			m, c = m.addressChanged()
			cmd = tea.Batch(cmd, c)
		}
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
		m.fresh = true
		return m.changed(f)
	case wfSecurity:
		m.security = cycleSecurity(m.security, dir)
	case wfSMTPSecurity:
		m.smtpSecurity = cycleSecurity(m.smtpSecurity, dir)
	case wfSMTPSame:
		m.smtpSame = !m.smtpSame
	case wfAuth:
		m = m.cycleAuth(dir)
	case wfRetention:
		if m.recentLock {
			return m
		}
		m.retention = mail.RetentionKind((int(m.retention) + dir + 4) % 4)
		if m.retention == mail.RetainDays && strings.TrimSpace(m.val(wfDays)) == "" {
			m.setVal(wfDays, "30")
		}
	case wfFetchEvery:
		m.every = cycleEvery(m.every, dir, m.existing)
	case wfReplyJIS:
		m.replyJIS = !m.replyJIS
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
	if m.caPending() {
		// The CA file typed is being checked: go on when it is.
		m.caReview = true
		return m, checkCAFile(m.caValue())
	}
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
