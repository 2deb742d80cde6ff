package tui

import (
	"popbox/tui/i18n"

	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// noticeTime is how long a notice stays in the status bar.
const noticeTime = 6 * time.Second

// noticeExpiredMsg clears notice seq from the status bar.
type noticeExpiredMsg struct{ seq int }

// bannerCause is what the banner is about, for clearing it when the cause
// is gone.
func (m appModel) bannerCause() error {
	if m.banner == "" {
		return nil
	}
	return m.bannerFrom
}

// setBanner puts up a banner (an error when isErr) for esc to dismiss.
func (m appModel) setBanner(s string, isErr bool) appModel {
	return m.setBannerFrom(s, isErr, nil)
}

// setBannerFrom is setBanner remembering the cause.
func (m appModel) setBannerFrom(s string, isErr bool, cause error) appModel {
	m.banner, m.bannerErr, m.bannerFrom = s, isErr, cause
	return m
}

// withBanner is setBanner with the layout redone.
func (m appModel) withBanner(s string, isErr bool) (appModel, tea.Cmd) {
	return m.setBanner(s, isErr).layout()
}

// withNotice shows s in the status bar for a few seconds.
func (m appModel) withNotice(s string) (appModel, tea.Cmd) {
	m.noticeSeq++
	m.notice = s
	seq := m.noticeSeq
	return m, m.after(noticeTime, func(time.Time) tea.Msg { return noticeExpiredMsg{seq: seq} })
}

// clearNotice takes the notice down at once: a newer status (a fetch
// started or ended) replaces it.
func (m appModel) clearNotice() appModel {
	m.noticeSeq++
	m.notice = ""
	return m
}

// bannerLines is the banner wrapped to the width.
func (m appModel) bannerLines() []string {
	if m.banner == "" || m.width <= 0 {
		return nil
	}
	lines := wrapLines(m.banner, max(m.width-2, 1))
	if len(lines) > 4 {
		lines = lines[:4]
		lines[3] = ansi.Truncate(lines[3], max(m.width-3, 1), "") + "…"
	}
	return lines
}

// statusBar is one reversed line: the active account and its counts on the
// left, the last fetch (or a notice) on the right.
func (m appModel) statusBar() string {
	l, w := m.d.lang, m.width
	left := " popbox"
	if m.hasActive {
		left = " " + clean(m.active.Name) + " <" + clean(m.active.Email) + ">"
		if m.list.src != nil {
			left += " · " + m.list.status()
		}
		if n := m.newMail[m.active.ID]; n > 0 {
			left += " · " + l.tr("app.newCount", i18n.Count(n))
		}
	} else if m.started {
		left = " " + l.tr("app.noActiveShort")
	}
	right := m.notice
	if right == "" {
		right = m.sendingText()
	}
	if right == "" && m.hasActive {
		info := m.fetched[m.active.ID]
		switch {
		case info.outcome != "":
			right = info.outcome
		case !info.at.IsZero():
			right = l.tr("fetch.last", clockText(l, info.at, m.d.now()))
		case m.fetching && m.fetch.acctID == m.active.ID:
			// The first fetch: its progress line says all there is.
		default:
			right = l.tr("fetch.never")
		}
	}
	if right != "" {
		right += " "
	}
	// The right side gets half the width, or all the left side leaves.
	rw := ansi.StringWidth(right)
	if room := max(w/2, w-ansi.StringWidth(left)-1); rw > room {
		right = ansi.Truncate(right, max(room, 1), "…")
		rw = ansi.StringWidth(right)
	}
	left = ansi.Truncate(left, max(w-rw-1, 0), "…")
	gap := max(w-ansi.StringWidth(left)-rw, 0)
	return m.d.styles.statusBar.Render(left + strings.Repeat(" ", gap) + right)
}
