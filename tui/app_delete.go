package tui

import (
	"errors"
	"slices"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"popbox/mail"
	"popbox/store"
)

// undoWindow is how long a deleted message can be brought back with u
// before the store deletes it.
const undoWindow = 5 * time.Second

// pendingDelete is a message deleted in the list, waiting out its undo
// window; started is set once its store delete runs.
type pendingDelete struct {
	id, acct string
	seq      int
	started  bool
}

// deleteDueMsg ends the undo window of delete seq.
type deleteDueMsg struct{ seq int }

// deleteDoneMsg is the store's answer to a delete.
type deleteDoneMsg struct {
	id, acct string
	seq      int
	err      error
}

// track counts a store write while it runs, so shutdown can wait for it.
func (m appModel) track(f func() tea.Msg) tea.Cmd {
	w := m.writes
	return func() tea.Msg {
		w.begin()
		defer w.end()
		return f()
	}
}

// writeTracker counts commands writing to the store.
type writeTracker struct {
	mu sync.Mutex
	n  int
}

// begin counts a write that starts.
func (w *writeTracker) begin() { w.mu.Lock(); w.n++; w.mu.Unlock() }

// end counts a write that is done.
func (w *writeTracker) end() { w.mu.Lock(); w.n--; w.mu.Unlock() }

// wait returns when no write runs, or after d.
func (w *writeTracker) wait(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		w.mu.Lock()
		n := w.n
		w.mu.Unlock()
		if n == 0 {
			return
		}
	}
}

// deleteMessage hides msg at once and deletes it in the store when its undo
// window has passed.
func (m appModel) deleteMessage(msg store.Message) (appModel, tea.Cmd) {
	m.delSeq++
	seq := m.delSeq
	m.pending = append(m.pending, pendingDelete{id: msg.ID, acct: msg.AccountID, seq: seq})
	if msg.AccountID == "" {
		m.pending[len(m.pending)-1].acct = m.active.ID
	}
	var cmd tea.Cmd
	m.list, cmd = m.list.hide(msg.ID)
	m = m.syncUndo()
	due := m.after(undoWindow, func(time.Time) tea.Msg { return deleteDueMsg{seq: seq} })
	note := "app.deleted"
	if m.active.Retention.Kind == mail.RetainMirror {
		note = "app.deletedMirror"
	}
	m, c2 := m.withNotice(m.d.lang.tr(note, int(undoWindow/time.Second)))
	return m, tea.Batch(cmd, due, c2)
}

// undo brings back the newest deleted message still in its undo window.
// Switching accounts does not end the window: a message of another
// account comes back there (its list, built again when that account is
// shown, leaves it in), and the notice names the account.
func (m appModel) undo() (appModel, tea.Cmd) {
	l := m.d.lang
	for i := len(m.pending) - 1; i >= 0; i-- {
		p := m.pending[i]
		if p.started {
			continue
		}
		m.pending = append(m.pending[:i:i], m.pending[i+1:]...)
		var cmd tea.Cmd
		note := l.tr("app.undone")
		if p.acct == m.list.acct {
			m.list, cmd = m.list.unhide(p.id)
		}
		if p.acct != m.active.ID {
			note = l.tr("app.undoneIn", clean(m.accountName(p.acct)))
		}
		m = m.syncUndo()
		m, c2 := m.withNotice(note)
		return m, tea.Batch(cmd, c2)
	}
	return m.withNotice(l.tr("app.nothingToUndo"))
}

// accountName is the name of account id, or id when it is gone.
func (m appModel) accountName(id string) string {
	for _, a := range m.accounts {
		if a.ID == id {
			return a.Name
		}
	}
	return id
}

// syncUndo tells the list whether u can bring back a message of another
// account, so its help offers u when it does something.
func (m appModel) syncUndo() appModel {
	m.list.undoElsewhere = slices.ContainsFunc(m.pending, func(p pendingDelete) bool {
		return !p.started && p.acct != m.list.acct
	})
	return m
}

// dropPending forgets the deletes of account id, which was removed with
// its messages.
func (m appModel) dropPending(id string) appModel {
	m.pending = slices.DeleteFunc(slices.Clone(m.pending), func(p pendingDelete) bool { return p.acct == id })
	return m.syncUndo()
}

// deleteDue runs the store delete of pending delete seq.
func (m appModel) deleteDue(seq int) (appModel, tea.Cmd) {
	for i, p := range m.pending {
		if p.seq != seq || p.started {
			continue
		}
		m.pending[i].started = true
		m = m.syncUndo()
		st := m.st
		return m, m.track(func() tea.Msg {
			return deleteDoneMsg{id: p.id, acct: p.acct, seq: p.seq, err: st.DeleteMessage(p.id)}
		})
	}
	return m, nil
}

// deleteDone forgets a finished delete and reads the list again.
func (m appModel) deleteDone(msg deleteDoneMsg) (appModel, tea.Cmd) {
	for i, p := range m.pending {
		if p.seq == msg.seq {
			m.pending = append(m.pending[:i:i], m.pending[i+1:]...)
			break
		}
	}
	m = m.syncUndo()
	var cmd tea.Cmd
	if msg.acct == m.list.acct {
		m.list, cmd = m.list.forget(msg.id)
	}
	// A message already gone (its account removed meanwhile) is what the
	// delete was for.
	if msg.err != nil && !errors.Is(msg.err, store.ErrNoMessage) && !errors.Is(msg.err, store.ErrNoAccount) {
		m2, c2 := m.withBanner(m.d.lang.failText("app.deleteFailed", msg.err), true)
		return m2, tea.Batch(cmd, c2)
	}
	return m, cmd
}
