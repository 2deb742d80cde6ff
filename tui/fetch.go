package tui

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/progress"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"popbox/mail"
	"popbox/store/signin"
	"popbox/tui/i18n"
)

// syncFunc is the fetch engine's signature. The app runs mail.Sync; tests
// put a fake in appModel.syncFn.
type syncFunc func(ctx context.Context, acct mail.Account, cache mail.Cache, opts mail.SyncOptions, report func(mail.Progress)) (mail.SyncResult, error)

// fetchStore is what a fetch needs of the store: the account with its
// passwords, the sealed refresh token of an account that signs in with
// OAuth2 (and the sealing of a rotated one), and the cache the engine
// commits into.
type fetchStore interface {
	Account(nameOrID string) (mail.Account, error)
	RefreshToken(nameOrID string, outgoing bool) (string, error)
	SetRefreshToken(nameOrID string, outgoing bool, token string) error
	mail.Cache
}

// fetchIntervalEnv names the variable with the minutes between automatic
// fetches; unset or 0 means only f fetches.
const fetchIntervalEnv = "POPBOX_FETCH_INTERVAL"

// fetchInterval reads POPBOX_FETCH_INTERVAL (whole minutes, 0 = off).
func fetchInterval(getenv func(string) string) time.Duration {
	v := strings.TrimSpace(getenv(fetchIntervalEnv))
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(min(n, 24*60)) * time.Minute
}

// badFetchInterval is the value of POPBOX_FETCH_INTERVAL when it is set
// but not a whole number of minutes from 0 ("" when it is fine or unset),
// so that the screen can say why automatic fetching is off.
func badFetchInterval(getenv func(string) string) string {
	v := strings.TrimSpace(getenv(fetchIntervalEnv))
	if v == "" {
		return ""
	}
	if n, err := strconv.Atoi(v); err != nil || n < 0 {
		return v
	}
	return ""
}

// fetchJob is one running fetch: the context that cancels it, the channel
// its progress comes over and the one closed when it is over.
type fetchJob struct {
	acctID, acctName string
	req              int
	auto             bool
	cancel           context.CancelFunc
	ctx              context.Context
	progress         chan mail.Progress
	started          chan struct{}
	finished         chan struct{}
	last             mail.Progress
	cancelling       bool
}

// fetchProgressMsg is the newest progress of the running fetch.
type fetchProgressMsg struct {
	acctID string
	req    int
	p      mail.Progress
}

// fetchDoneMsg ends a fetch; err wraps context.Canceled when the user
// stopped it.
type fetchDoneMsg struct {
	acctID string
	req    int
	auto   bool
	acct   mail.Account
	res    mail.SyncResult
	err    error
}

// fetchTickMsg is the automatic fetch timer.
type fetchTickMsg struct{ seq int }

// newFetchJob prepares a fetch of acct; nothing runs until run's command.
func newFetchJob(acct mail.Account, req int, auto bool) fetchJob {
	ctx, cancel := context.WithCancel(context.Background())
	return fetchJob{
		acctID: acct.ID, acctName: acct.Name, req: req, auto: auto,
		ctx: ctx, cancel: cancel,
		progress: make(chan mail.Progress, 1),
		started:  make(chan struct{}),
		finished: make(chan struct{}),
	}
}

// run is the command that fetches: it reads the account with its
// passwords (or, for one that signs in with OAuth2, its token source from
// the sealed refresh token; getenv gives POPBOX_OAUTH_CLIENT_ID) and calls
// the engine, which reports into the progress channel. A refused access
// token is refreshed and the engine runs once more; a sign-in that is no
// longer valid ends the fetch with oauth.ErrSignInAgain, before any mail
// is touched.
// Only the newest progress is kept when the screen is slower than the
// engine. The channel is closed when the engine returns.
func (j fetchJob) run(fn syncFunc, st fetchStore, getenv func(string) string) tea.Cmd {
	return func() tea.Msg {
		close(j.started)
		defer close(j.finished)
		defer close(j.progress)
		done := fetchDoneMsg{acctID: j.acctID, req: j.req, auto: j.auto}
		acct, err := st.Account(j.acctID)
		if err != nil {
			done.err = err
			return done
		}
		done.acct = acct
		if fl, ok := st.(fetchLocker); ok {
			// A fetch of this account served to the command line runs to
			// its end first; this one then finds what is left.
			unlock, err := fl.LockFetch(j.ctx, acct.ID)
			if err != nil {
				done.err = err
				return done
			}
			defer unlock()
		}
		// A rotated refresh token is sealed at once, before the new
		// access token is used.
		id := acct.ID
		acct, ts, err := signin.Setup(acct, st, getenv, func(out bool, rt string) error { return st.SetRefreshToken(id, out, rt) })
		if err != nil {
			done.err = err
			return done
		}
		// The engine reports after every message, thousands a second; the
		// screen needs a value per frame. Phase changes and commits always
		// pass (a commit reloads the list).
		var last mail.Progress
		var lastAt time.Time
		report := func(p mail.Progress) {
			now := time.Now()
			if p.Phase == last.Phase && p.Committed == last.Committed && p.Messages != p.MessagesTotal && now.Sub(lastAt) < progressEvery {
				return
			}
			last, lastAt = p, now
			select {
			case j.progress <- p:
				return
			default:
			}
			select { // drop the stale value the screen has not read yet
			case <-j.progress:
			default:
			}
			select {
			case j.progress <- p:
			default:
			}
		}
		done.res, done.err = signin.Retry(j.ctx, ts, func() (mail.SyncResult, error) {
			return fn(j.ctx, acct, st, mail.SyncOptions{}, report)
		})
		return done
	}
}

// progressEvery is the least time between two progress values of one
// phase sent to the screen.
const progressEvery = 16 * time.Millisecond

// wait is the command that reads one progress value; the app runs it again
// after each one, until the channel is closed.
func (j fetchJob) wait() tea.Cmd {
	return func() tea.Msg {
		p, ok := <-j.progress
		if !ok {
			return nil
		}
		return fetchProgressMsg{acctID: j.acctID, req: j.req, p: p}
	}
}

// fraction is how far the fetch is: by bytes when the total is known, else
// by messages.
func (j fetchJob) fraction() float64 {
	p := j.last
	switch {
	case p.BytesTotal > 0:
		return min(float64(p.Bytes)/float64(p.BytesTotal), 1)
	case p.MessagesTotal > 0:
		return min(float64(p.Messages)/float64(p.MessagesTotal), 1)
	}
	return 0
}

// progressLine is the fetch's one line: what it does, the counts and a bar.
func progressLine(d deps, j fetchJob, w int) string {
	st, l, p := d.styles, d.lang, j.last
	var text string
	switch {
	case j.cancelling:
		text = l.tr("fetch.cancelling", clean(j.acctName))
	case p.MessagesTotal == 1:
		text = l.tr("fetch.progressOne", clean(j.acctName), i18n.Count(p.Messages), mail.FormatSizeShort(p.Bytes), mail.FormatSizeShort(p.BytesTotal))
	case p.MessagesTotal > 0:
		text = l.tr("fetch.progress", clean(j.acctName), i18n.Count(p.Messages), i18n.Count(p.MessagesTotal), mail.FormatSizeShort(p.Bytes), mail.FormatSizeShort(p.BytesTotal))
	default:
		text = l.tr("fetch.phase", clean(j.acctName), phaseText(l, p.Phase))
	}
	text = ansi.Truncate(text, max(w*2/3, 1), "…")
	barW := w - ansi.StringWidth(text) - 2
	if barW < 10 {
		return st.accent.Render(ansi.Truncate(text, w, "…"))
	}
	bar := progress.New(
		progress.WithSolidFill(colorString(d.styles.p.accent)),
		progress.WithWidth(barW),
		progress.WithColorProfile(lipgloss.ColorProfile()),
	)
	bar.PercentageStyle = st.faint
	return st.accent.Render(text) + "  " + bar.ViewAs(j.fraction())
}

// colorString is a terminal colour as the hex string progress wants, the
// dark-background shade of an adaptive colour.
func colorString(c lipgloss.TerminalColor) string {
	switch c := c.(type) {
	case lipgloss.AdaptiveColor:
		if lipgloss.HasDarkBackground() {
			return c.Dark
		}
		return c.Light
	case lipgloss.Color:
		return string(c)
	}
	return "#5fafff"
}

// phaseText names a fetch phase in the UI language.
func phaseText(l lang, p mail.Phase) string {
	switch p {
	case mail.PhaseConnect:
		return l.tr("fetch.phaseConnect")
	case mail.PhaseLogin:
		return l.tr("fetch.phaseLogin")
	case mail.PhasePlan:
		return l.tr("fetch.phasePlan")
	case mail.PhaseRetrieve:
		return l.tr("fetch.phaseRetrieve")
	case mail.PhaseDelete:
		return l.tr("fetch.phaseDelete")
	case mail.PhaseDone:
		return l.tr("fetch.phaseDone")
	}
	return p.String()
}

// fetchOutcome is the status bar's summary of a fetch that ended at now.
func fetchOutcome(l lang, res mail.SyncResult, err error, now time.Time) string {
	when := clockText(l, now, now)
	switch {
	case errors.Is(err, context.Canceled):
		return l.tr("fetch.cancelled", i18n.Count(res.New))
	case err != nil:
		return l.tr("fetch.failed", when)
	}
	var parts []string
	if res.New == 0 {
		parts = append(parts, l.tr("fetch.noNew", when))
	} else {
		parts = append(parts, l.tr("fetch.new", when, i18n.Count(res.New)))
	}
	if res.Deleted > 0 {
		parts = append(parts, l.tr("fetch.deleted", i18n.Count(res.Deleted)))
	}
	if res.Failed > 0 {
		parts = append(parts, l.tr("fetch.failedCount", i18n.Count(res.Failed)))
	}
	if res.Delivered > 0 || res.WaitingDelivery > 0 {
		// The reason a delivery failed is the banner's (a warning).
		parts = append(parts, l.tr("fetch.delivered", i18n.Count(res.Delivered), i18n.Count(res.WaitingDelivery)))
	}
	return strings.Join(parts, l.tr("fetch.sep"))
}

// clockText is a time for the status bar: the clock today, else the date.
func clockText(l lang, t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	return shortDate(l, t, now)
}

// problemText turns an error of a fetch or of the password dialog into
// the catalog's sentence: what happened, then what to do (a fetch points to
// the accounts screen, the password dialog to the field).
func problemText(l lang, err error, acct mail.Account, outgoing, fetch bool) string {
	task := i18n.TaskDialog
	if fetch {
		task = i18n.TaskFetch
	}
	return l.i18n().Error(err, i18n.Scene{Front: i18n.Screen, Task: task, Account: acct, Outgoing: outgoing})
}
