package tui

import (
	"context"
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"popbox/mail"
	"popbox/mail/compose"
	"popbox/store"
	"popbox/store/send"
	"popbox/tui/i18n"
)

// The root's part in answering mail: c, r, R and F open the compose
// screen (compose.go) from the list and the reader; S and D open the Sent
// and outbox views (folder.go); a message the compose screen queued, or
// one sent again from the outbox, is sent in the background with a
// spinner in the status bar; after each fetch that went well, what waits
// in the account's outbox goes out (send.Pending).

// composeStartKeys are the keys that start writing or open the views.
type composeStartKeys struct {
	Compose, Reply, ReplyAll, Forward, Sent, Outbox key.Binding
	// The question after F.
	Inline, Attached, Cancel key.Binding
}

func defaultComposeStartKeys(l lang) composeStartKeys {
	return composeStartKeys{
		Compose:  bind(l, "c", "help.compose", "c"),
		Reply:    bind(l, "r", "help.reply", "r"),
		ReplyAll: bind(l, "R", "help.replyAll", "R"),
		Forward:  bind(l, "F", "help.forward", "F"),
		Sent:     bind(l, "S", "help.sentView", "S"),
		Outbox:   bind(l, "D", "help.outboxView", "D"),
		Inline:   bind(l, "i/enter", "help.forwardInline", "i", "enter"),
		Attached: bind(l, "a", "help.forwardAttached", "a"),
		Cancel:   bind(l, "esc", "help.cancel", "esc"),
	}
}

// outSender sends from the outbox: storeSender, or a fake in tests.
type outSender interface {
	One(ctx context.Context, acct mail.Account, id string, force bool) (store.Outgoing, error)
	Pending(ctx context.Context, acct mail.Account) (send.Result, error)
}

// storeSender sends through the account's outgoing server (store/send),
// with the account's passwords read from st.
type storeSender struct {
	st     *store.Store
	getenv func(string) string
	l      lang
}

func (s storeSender) options(a mail.Account, force bool) send.Options {
	return send.Options{
		Getenv:        s.getenv,
		Reason:        func(err error) string { return problemText(s.l, err, a, true, true) },
		UnknownReason: s.l.tr("cli.sendUnknownReason"),
		Force:         force,
	}
}

func (s storeSender) One(ctx context.Context, acct mail.Account, id string, force bool) (store.Outgoing, error) {
	a, err := s.st.Account(acct.ID)
	if err != nil {
		return store.Outgoing{}, err
	}
	return send.One(ctx, s.st, a, id, s.options(a, force))
}

func (s storeSender) Pending(ctx context.Context, acct mail.Account) (send.Result, error) {
	a, err := s.st.Account(acct.ID)
	if err != nil {
		return send.Result{}, err
	}
	return send.Pending(ctx, s.st, a, s.options(a, false))
}

// composeReadyMsg is a form made from the message it answers.
type composeReadyMsg struct {
	acct mail.Account
	form composeForm
	out  store.Outgoing
	err  error
}

// sendDoneMsg is the end of one send.
type sendDoneMsg struct {
	acct mail.Account
	out  store.Outgoing
	err  error
}

// pendingDoneMsg is the end of the sends after a fetch.
type pendingDoneMsg struct {
	acct mail.Account
	res  send.Result
	err  error
}

// outgoingDeletedMsg: a message of a view was thrown away.
type outgoingDeletedMsg struct{ err error }

// composeLang is the language of an attribution line.
func (m appModel) composeLang() compose.Lang {
	if m.d.lang == langJA {
		return compose.Japanese
	}
	return compose.English
}

// startCompose opens the compose screen: kind new, or an answer to the
// message whose bytes raw reads.
func (m appModel) startCompose(kind composeKind, raw func() ([]byte, error)) (appModel, tea.Cmd) {
	if m.outbox == nil || !m.hasActive {
		return m.withNotice(m.d.lang.tr("app.noAccounts"))
	}
	acct, lang := m.active, m.composeLang()
	if kind == composeNew {
		d := compose.Draft{From: mail.Address{Address: acct.Email}}
		return m.openCompose(acct, formFromDraft(composeNew, d), store.Outgoing{})
	}
	return m, func() tea.Msg {
		b, err := raw()
		if err != nil {
			return composeReadyMsg{acct: acct, err: err}
		}
		var d compose.Draft
		switch kind {
		case composeReply, composeReplyAll:
			d = compose.Reply(b, kind == composeReplyAll, acct, lang)
			if acct.ReplyJIS && compose.IsJIS(b) {
				d.Charset = compose.ISO2022JP
			}
		case composeForward:
			d = compose.Forward(b, true, acct, lang)
		default:
			d = compose.Forward(b, false, acct, lang)
		}
		return composeReadyMsg{acct: acct, form: formFromDraft(kind, d)}
	}
}

// openCompose shows the compose screen on form.
func (m appModel) openCompose(acct mail.Account, form composeForm, out store.Outgoing) (appModel, tea.Cmd) {
	if m.screen != screenCompose {
		m.composeBack = m.baseScreen()
	}
	var cmd tea.Cmd
	m.composeSeq++
	m.compose, cmd = newCompose(*m.d, m.outbox, acct, form, out, m.composeSeq, m.track, m.after)
	m.compose = m.compose.setSize(m.width, m.bodyHeight())
	m.screen = screenCompose
	m = m.clearNotice()
	return m, cmd
}

// composeStartKey starts writing from the list or the reader; raw reads
// the message an answer answers (nil: none selected). ok is false when k
// is none of the keys.
func (m appModel) composeStartKey(k tea.KeyMsg, raw func() ([]byte, error)) (appModel, tea.Cmd, bool) {
	ck := m.ck
	switch {
	case key.Matches(k, ck.Compose):
		m2, cmd := m.startCompose(composeNew, nil)
		return m2, cmd, true
	case key.Matches(k, ck.Reply, ck.ReplyAll, ck.Forward):
		if raw == nil {
			m2, cmd := m.withNotice(m.d.lang.tr("compose.noMessage"))
			return m2, cmd, true
		}
		if key.Matches(k, ck.Forward) {
			m.forwardAsk, m.forwardRaw = true, raw
			m2, cmd := m.withNotice(m.d.lang.tr("compose.forwardAsk"))
			return m2, cmd, true
		}
		kind := composeReply
		if key.Matches(k, ck.ReplyAll) {
			kind = composeReplyAll
		}
		m2, cmd := m.startCompose(kind, raw)
		return m2, cmd, true
	case key.Matches(k, ck.Sent):
		m2, cmd := m.openFolder(folderSent)
		return m2, cmd, true
	case key.Matches(k, ck.Outbox):
		m2, cmd := m.openFolder(folderOutbox)
		return m2, cmd, true
	}
	return m, nil, false
}

// forwardKey answers the question after F: inline or as an attachment.
func (m appModel) forwardKey(k tea.KeyMsg) (appModel, tea.Cmd) {
	raw := m.forwardRaw
	m.forwardAsk, m.forwardRaw = false, nil
	m = m.clearNotice()
	switch {
	case key.Matches(k, m.ck.Inline):
		return m.startCompose(composeForward, raw)
	case key.Matches(k, m.ck.Attached):
		return m.startCompose(composeForwardA, raw)
	}
	return m, nil
}

// inboxRaw reads message id of the inbox.
func (m appModel) inboxRaw(id string) func() ([]byte, error) {
	st := m.st
	return func() ([]byte, error) { return st.Raw(id) }
}

// composeMsg routes the compose screen's results.
func (m appModel) composeMsg(msg tea.Msg) (appModel, tea.Cmd) {
	switch msg := msg.(type) {
	case composeReadyMsg:
		if msg.err != nil {
			return m.withBanner(m.d.lang.failText("compose.openFailed", msg.err), true)
		}
		return m.openCompose(msg.acct, msg.form, msg.out)
	case composeClosedMsg:
		if m.screen == screenCompose {
			m.screen = m.composeBack
		}
		var cmds []tea.Cmd
		if m.screen == screenFolder {
			cmds = append(cmds, loadFolder(m.outbox, m.folder.kind, m.folder.acct))
		}
		if msg.err {
			m2, c := m.withBanner(msg.note, true)
			return m2, tea.Batch(append(cmds, c)...)
		}
		m2, c := m.withNotice(msg.note)
		return m2, tea.Batch(append(cmds, c)...)
	case composeSendMsg:
		if m.screen == screenCompose {
			m.screen = m.composeBack
		}
		return m.startSend(msg.acct, msg.out, false)
	}
	return m, nil
}

// startSend sends outbox message out of acct in the background.
func (m appModel) startSend(acct mail.Account, out store.Outgoing, force bool) (appModel, tea.Cmd) {
	if m.sender == nil {
		return m.withNotice(m.d.lang.tr("send.unavailable"))
	}
	m.sending++
	s := m.sender
	// Counted as a write: quitting waits for it (a while), so that a
	// message is rarely left "unknown" by quitting during its send.
	run := m.track(func() tea.Msg {
		got, err := s.One(context.Background(), acct, out.ID, force)
		if got.ID == "" {
			got = out
		}
		return sendDoneMsg{acct: acct, out: got, err: err}
	})
	cmds := []tea.Cmd{run}
	if m.sending == 1 {
		m.sendSpin = spinner.New(spinner.WithSpinner(spinner.Line), spinner.WithStyle(m.d.styles.accent))
		cmds = append(cmds, m.sendSpin.Tick)
	}
	m = m.clearNotice()
	return m, tea.Batch(cmds...)
}

// sendDone says how a send ended.
func (m appModel) sendDone(msg sendDoneMsg) (appModel, tea.Cmd) {
	l := m.d.lang
	m.sending = max(m.sending-1, 0)
	reload := m.reloadFolder()
	var f *send.Failure
	switch {
	case msg.err == nil:
		to := strings.Join(msg.out.To, ", ")
		m2, c := m.withNotice(l.tr("send.sent", clean(to)))
		return m2, tea.Batch(c, reload)
	case errors.As(msg.err, &f) && f.State == store.OutUnknown && !errors.Is(msg.err, mail.ErrDeliveryUnknown):
		// Sent again on purpose, and failed before anything went out.
		m2, c := m.withBanner(l.tr("send.failedUnknown", subjectText(l, msg.out.Subject), strings.TrimRight(clean(f.Reason), ".。")), true)
		return m2, tea.Batch(c, reload)
	case errors.As(msg.err, &f) && f.State == store.OutUnknown:
		m2, c := m.withBanner(l.tr("send.unknown", subjectText(l, msg.out.Subject)), true)
		return m2, tea.Batch(c, reload)
	case errors.As(msg.err, &f):
		m2, c := m.withBanner(l.tr("send.failed", subjectText(l, msg.out.Subject), strings.TrimRight(clean(f.Reason), ".。")), true)
		return m2, tea.Batch(c, reload)
	case errors.Is(msg.err, store.ErrOutState):
		m2, c := m.withNotice(l.tr("send.notNow"))
		return m2, tea.Batch(c, reload)
	}
	m2, c := m.withBanner(l.failText("send.error", msg.err), true)
	return m2, tea.Batch(c, reload)
}

// sendPending sends what waits in acct's outbox, after a fetch.
func (m appModel) sendPending(acct mail.Account) tea.Cmd {
	if m.sender == nil {
		return nil
	}
	s := m.sender
	return m.track(func() tea.Msg {
		res, err := s.Pending(context.Background(), acct)
		return pendingDoneMsg{acct: acct, res: res, err: err}
	})
}

// pendingDone says what the sends after a fetch did, when they did anything.
func (m appModel) pendingDone(msg pendingDoneMsg) (appModel, tea.Cmd) {
	l := m.d.lang
	reload := m.reloadFolder()
	switch {
	case msg.err != nil:
		m2, c := m.withBanner(l.failText("send.error", msg.err), true)
		return m2, tea.Batch(c, reload)
	case len(msg.res.Failed) > 0:
		f := msg.res.Failed[0]
		notSent := len(msg.res.Failed) + msg.res.Left
		m2, c := m.withBanner(l.tr("send.pendingFailed", i18n.Count(len(msg.res.Sent)), i18n.Count(notSent), strings.TrimRight(clean(f.Reason), ".。")), true)
		return m2, tea.Batch(c, reload)
	case len(msg.res.Sent) > 0:
		m2, c := m.withNotice(l.tr("send.pendingSent", i18n.Count(len(msg.res.Sent))))
		return m2, tea.Batch(c, reload)
	}
	return m, nil
}

// openFolder shows view kind of the active account.
func (m appModel) openFolder(kind folderKind) (appModel, tea.Cmd) {
	if m.outbox == nil || !m.hasActive {
		return m.withNotice(m.d.lang.tr("app.noAccounts"))
	}
	if m.screen == screenFolder && m.folder.kind == kind {
		m.screen = screenList
		return m, nil
	}
	var cmd tea.Cmd
	m.folder, cmd = newFolder(*m.d, m.outbox, kind, m.active.ID)
	m.folder = m.folder.setSize(m.width, m.bodyHeight())
	m.screen = screenFolder
	return m, cmd
}

// reloadFolder reads the open view again.
func (m appModel) reloadFolder() tea.Cmd {
	if m.outbox == nil || m.folder.d == nil {
		return nil
	}
	return loadFolder(m.outbox, m.folder.kind, m.folder.acct)
}

// folderKey handles a key of the Sent or outbox view.
func (m appModel) folderKey(k tea.KeyMsg) (appModel, tea.Cmd) {
	l := m.d.lang
	f := m.folder
	if f.asking != folderNone {
		sel, ok := f.selected()
		ask := f.asking
		m.folder.asking = folderNone
		if !key.Matches(k, f.k.Yes) || !ok || sel.ID != f.askingFor {
			return m, nil
		}
		if ask == folderSend {
			return m.startSend(m.active, sel, true)
		}
		st, acctID, id := m.outbox, f.acct, sel.ID
		return m, m.track(func() tea.Msg { return outgoingDeletedMsg{err: st.DeleteOutgoing(acctID, id)} })
	}
	if key.Matches(k, m.ck.Sent) {
		return m.openFolder(folderSent)
	}
	if key.Matches(k, m.ck.Outbox) {
		return m.openFolder(folderOutbox)
	}
	if key.Matches(k, m.ck.Compose) {
		return m.startCompose(composeNew, nil)
	}
	sel, ok := f.selected()
	switch f.intent(k) {
	case folderMove:
		m.folder = f.move(k)
	case folderBack:
		m.screen = screenList
	case folderOpen:
		if !ok {
			return m, nil
		}
		if f.kind == folderSent {
			return m.openSent(sel)
		}
		return m.reopen(sel)
	case folderSend:
		if !ok {
			return m, nil
		}
		switch sel.State {
		case store.OutDraft:
			return m.reopen(sel)
		case store.OutUnknown:
			m.folder.asking, m.folder.askingFor = folderSend, sel.ID
			return m, nil
		case store.OutSending:
			return m.withNotice(l.tr("send.notNow"))
		}
		return m.startSend(m.active, sel, false)
	case folderDelete:
		if ok {
			m.folder.asking, m.folder.askingFor = folderDelete, sel.ID
		}
	default:
		if ok && f.kind == folderSent {
			// r, R, F answer a sent message too.
			m2, cmd, done := m.composeStartKey(k, m.outboxRaw(sel.ID))
			if done {
				return m2, cmd
			}
		}
	}
	return m, nil
}

// outboxRaw reads the bytes of outbox message id of the active account.
func (m appModel) outboxRaw(id string) func() ([]byte, error) {
	st, acctID := m.outbox, m.active.ID
	return func() ([]byte, error) {
		_, raw, err := st.OutgoingMessage(acctID, id)
		return raw, err
	}
}

// reopen opens an unsent message in the compose screen: a draft to go on
// writing, a failed or queued one to send again or change.
func (m appModel) reopen(o store.Outgoing) (appModel, tea.Cmd) {
	st, acct := m.outbox, m.active
	return m, func() tea.Msg {
		got, form, err := st.OutgoingForm(acct.ID, o.ID)
		if err != nil {
			return composeReadyMsg{acct: acct, err: err}
		}
		if form == nil {
			// Sent from the command line: no form to write in again.
			return composeReadyMsg{acct: acct, err: errNoForm}
		}
		f, err := decodeForm(form)
		return composeReadyMsg{acct: acct, form: f, out: got, err: err}
	}
}

// errNoForm: the message was not written on the screen.
var errNoForm = errors.New("this message was sent from the command line; popbox outbox retry sends it again")

// sentSource is a readerSource of an account's outbox.
type sentSource struct {
	st     composeStore
	acctID string
}

func (s sentSource) Raw(id string) ([]byte, error) {
	_, raw, err := s.st.OutgoingMessage(s.acctID, id)
	return raw, err
}

// openSent shows a sent message in the reader.
func (m appModel) openSent(o store.Outgoing) (appModel, tea.Cmd) {
	m.openSeq++
	var load tea.Cmd
	m.reader, load = newReader(*m.d, sentSource{m.outbox, m.active.ID}, store.Message{ID: o.ID, Received: o.SentAt, Seen: true}, m.openSeq, m.cfg.saveDir)
	m.reader = m.reader.setSize(m.width, m.bodyHeight())
	m.readerSent = true
	m.screen = screenReader
	return m, load
}

// keepComposing saves what the screen's own editor holds when popbox
// ends while it is open: quitting does not lose a word.
func (m appModel) keepComposing() error {
	c := m.compose
	if m.screen != screenCompose || c.stage != composeEdit || c.st == nil {
		return nil
	}
	c.form.Text = c.ta.Value()
	d, _ := parseForm(c.form, c.acct)
	o := outgoingOf(d)
	o.ID = c.out.ID
	_, err := c.st.SaveDraft(c.acct.ID, o, c.form.encode())
	return err
}

// composeFooter is the footer of the compose screen, the views and the
// question after F; ok is false on other screens.
func (m appModel) composeFooter() ([]key.Binding, bool) {
	switch {
	case m.forwardAsk:
		return []key.Binding{m.ck.Inline, m.ck.Attached, m.ck.Cancel}, true
	case m.screen == screenCompose:
		return m.compose.keys().ShortHelp(), true
	case m.screen == screenFolder:
		ks := m.folder.keys().ShortHelp()
		if m.folder.asking == folderNone {
			other := m.ck.Outbox
			if m.folder.kind == folderOutbox {
				other = m.ck.Sent
			}
			ks = append(ks, m.ck.Compose, other)
		}
		return ks, true
	}
	return nil, false
}

// sendingText is the status bar's word while messages are sent.
func (m appModel) sendingText() string {
	if m.sending == 0 {
		return ""
	}
	return m.sendSpin.View() + " " + m.d.lang.tr("send.sending", i18n.Count(m.sending))
}

// composeUpdate routes the results of writing and sending; ok is false
// for any other message.
func (m appModel) composeUpdate(msg tea.Msg) (appModel, tea.Cmd, bool) {
	switch msg := msg.(type) {
	case composeAutosaveMsg:
		if m.screen != screenCompose {
			return m, nil, true
		}
		var cmd tea.Cmd
		m.compose, cmd = m.compose.update(msg)
		return m, cmd, true
	case composeReadyMsg, composeClosedMsg, composeSendMsg:
		m2, cmd := m.composeMsg(msg)
		return m2, cmd, true
	case sendDoneMsg:
		m2, cmd := m.sendDone(msg)
		return m2, cmd, true
	case pendingDoneMsg:
		m2, cmd := m.pendingDone(msg)
		return m2, cmd, true
	case folderLoadedMsg:
		m.folder = m.folder.loadedList(msg)
		return m, nil, true
	case outgoingDeletedMsg:
		if msg.err != nil {
			m2, c := m.withBanner(m.d.lang.failText("folder.deleteFailed", msg.err), true)
			return m2, tea.Batch(c, m2.reloadFolder()), true
		}
		m2, c := m.withNotice(m.d.lang.tr("folder.deleted"))
		return m2, tea.Batch(c, m2.reloadFolder()), true
	case spinner.TickMsg:
		if m.sending > 0 && msg.ID == m.sendSpin.ID() {
			var cmd tea.Cmd
			m.sendSpin, cmd = m.sendSpin.Update(msg)
			return m, cmd, true
		}
	}
	return m, nil, false
}

// readerComposeKey handles the reader's keys for writing (r, R, F, c, S,
// D) and, for a sent message shown from Sent, every key: there is no list
// to step through and nothing to delete, and back goes to Sent. done is
// false for a key the inbox's reader handles.
func (m appModel) readerComposeKey(k tea.KeyMsg) (appModel, tea.Cmd, bool) {
	if !m.reader.typing() {
		raw := m.inboxRaw(m.reader.msg.ID)
		if m.readerSent {
			raw = m.outboxRaw(m.reader.msg.ID)
		}
		if m2, cmd, done := m.composeStartKey(k, raw); done {
			return m2, cmd, true
		}
	}
	if !m.readerSent {
		return m, nil, false
	}
	switch m.reader.intent(k) {
	case readerBack:
		m.screen = screenFolder
		return m, nil, true
	case readerNext, readerPrev, readerDelete, readerUndo:
		return m, nil, true
	}
	var cmd tea.Cmd
	m.reader, cmd = m.reader.update(k)
	return m, cmd, true
}

// subjectText is a subject for a sentence: "(no subject)" when empty.
func subjectText(l lang, s string) string {
	if s = clean(s); s == "" {
		return l.tr("list.noSubject")
	}
	return s
}
