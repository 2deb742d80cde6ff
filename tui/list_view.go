package tui

import (
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"popbox/mail"
	"popbox/tui/i18n"
)

// columns are the widths in cells of the list's columns.
type columns struct {
	mark, date, from, subject, size, attach int
}

// layoutColumns shares w cells: fixed date, size and marks, a sender column
// a quarter wide, the subject takes the rest.
func layoutColumns(w int) columns {
	c := columns{mark: 3, date: 10, size: 5, attach: 2}
	c.from = min(max(w/4, 8), 28)
	// spaces after date, from and subject
	c.subject = w - c.mark - c.date - c.from - c.size - c.attach - 3
	if c.subject < 8 {
		c.size, c.attach = 0, 0
		c.subject = w - c.mark - c.date - c.from - 2
	}
	c.subject = max(c.subject, 1)
	return c
}

// formatAll formats every loaded row again, for a new width.
func (m *listModel) formatAll() {
	now := m.d.now()
	for i := range m.win {
		m.format(&m.win[i], now)
	}
}

// format fills r's columns for the current width.
func (m listModel) format(r *listRow, now time.Time) {
	c, l, s := m.cols, m.d.lang, r.msg.Summary
	r.mark = "   "
	if !r.msg.Seen {
		r.mark = " * "
	}
	r.date = fitCells(shortDate(l, s.Date, now), c.date)
	from := s.From.String()
	if from == "" {
		from = l.tr("list.noSender")
	}
	r.from = fitCells(from, c.from)
	subj := s.Subject
	if strings.TrimSpace(subj) == "" {
		subj = l.tr("list.noSubject")
	}
	r.subject = fitCells(subj, c.subject)
	r.size, r.attach = "", ""
	if c.size > 0 {
		r.size = padLeftCells(mail.FormatSizeShort(s.Size), c.size)
		r.attach = "  "
		if s.Attachments {
			r.attach = " +"
		}
	}
}

// shortDate is the list's date: the time today, month and day this year,
// the full date before.
func shortDate(l lang, t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(now.Location())
	y1, m1, d1 := t.Date()
	y2, m2, d2 := now.Date()
	switch {
	case y1 == y2 && m1 == m2 && d1 == d2:
		return t.Format("15:04")
	case y1 == y2:
		if l == langJA {
			return t.Format("1月2日")
		}
		return t.Format("Jan 2")
	}
	if l == langJA {
		return t.Format("2006/01/02")
	}
	return t.Format("2006-01-02")
}

// clean makes text from outside (a mail header, a server's words) safe for
// one terminal line with mail.SafeLine, the one sanitiser for such text, and
// makes runs of spaces one.
func clean(s string) string {
	s = mail.SafeLine(s)
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fitCells cleans s, cuts it to w cells with "…" and pads it with spaces to
// exactly w cells; wide characters count two.
func fitCells(s string, w int) string {
	if w <= 0 {
		return ""
	}
	return fitRaw(clean(s), w)
}

// fitRaw is fitCells for text already cleaned (columns put together):
// its spaces are kept.
func fitRaw(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	if n := w - ansi.StringWidth(s); n > 0 {
		s += strings.Repeat(" ", n)
	}
	return s
}

// padLeftCells right-aligns s in w cells.
func padLeftCells(s string, w int) string {
	if n := w - ansi.StringWidth(s); n > 0 {
		return strings.Repeat(" ", n) + s
	}
	return s
}

// status is the count for the status bar: "N messages", or "N matches"
// with a filter.
func (m listModel) status() string {
	l := m.d.lang
	if !m.counted {
		return l.tr("list.loading")
	}
	if m.query != "" && m.total == 1 {
		return l.tr("list.oneMatch")
	}
	if m.query != "" {
		return l.tr("list.matches", i18n.Count(m.total))
	}
	if m.total == 1 {
		return l.tr("list.oneMessage")
	}
	return l.tr("list.messages", i18n.Count(m.total))
}

// view draws exactly height lines: the column header, the rows on screen
// and the filter line.
func (m listModel) view() string {
	var b strings.Builder
	st, l, c := m.d.styles, m.d.lang, m.cols
	rows := m.rows()
	b.Grow((rows + 2) * (m.width + 16))

	hdr := strings.Repeat(" ", c.mark) + fitCells(l.tr("list.colDate"), c.date) + " " +
		fitCells(l.tr("list.colFrom"), c.from) + " " + fitCells(l.tr("list.colSubject"), c.subject)
	if c.size > 0 {
		// The title ends where the sizes end, measured in cells; one wider
		// than the column (サイズ is six cells in five) takes the space
		// before it rather than stick out over the attachment mark.
		title := ansi.Truncate(l.tr("list.colSize"), c.size+1, "…")
		hdr += padLeftCells(title, c.size+1) + strings.Repeat(" ", c.attach)
	}
	b.WriteString(st.faint.Render(ansi.Truncate(hdr, m.width, "")))

	lines := 0
	switch {
	case m.err != nil:
		b.WriteString("\n" + st.err.Render(fitCells(l.tr("list.error", m.err.Error()), m.width)))
		lines++
	case !m.counted:
		b.WriteString("\n" + st.faint.Render(fitCells(l.tr("list.loading"), m.width)))
		lines++
	case m.total == 0 && m.query != "":
		b.WriteString("\n" + st.faint.Render("  "+fitCells(l.tr("list.noMatch", m.query), m.width-2)))
		lines++
	case m.total == 0:
		b.WriteString("\n" + st.faint.Render("  "+fitCells(l.tr("list.empty"), m.width-2)))
		lines++
	default:
		top, cur := m.top, m.cursor
		if m.loading && !m.loaded(top) && m.loaded(m.drawTop) {
			top, cur = m.drawTop, m.drawCursor
		}
		for i := top; i < top+rows && i < m.total; i++ {
			b.WriteByte('\n')
			lines++
			j := i - m.winStart
			if j < 0 || j >= len(m.win) {
				continue // not loaded yet; the page is on its way
			}
			m.writeRow(&b, &m.win[j], i == cur)
		}
	}
	for ; lines < rows; lines++ {
		b.WriteByte('\n')
	}
	if m.filtering {
		b.WriteString("\n" + m.filter.View())
	} else if m.query != "" {
		b.WriteString("\n" + st.accent.Render(ansi.Truncate(l.tr("list.filtered", clean(m.query)), m.width, "…")))
	}
	return b.String()
}

// writeRow draws one row: the selected one in reverse, unread ones bold.
func (m listModel) writeRow(b *strings.Builder, r *listRow, selected bool) {
	st := m.d.styles
	sp := " "
	if selected {
		mark := r.mark
		if m.d.plain {
			// Without colours the reverse bar is invisible: point at the row.
			mark = ">" + mark[1:]
		}
		line := mark + r.date + sp + r.from + sp + r.subject
		if m.cols.size > 0 {
			line += sp + r.size + r.attach
		}
		b.WriteString(st.selected.Render(line))
		return
	}
	subj, from := st.listSubject, st.listFrom
	if !r.msg.Seen {
		subj, from = st.listUnread, st.listUnread
		b.WriteString(st.unread.Render(r.mark))
	} else {
		b.WriteString(r.mark)
	}
	b.WriteString(st.listDate.Render(r.date))
	b.WriteString(sp)
	b.WriteString(from.Render(r.from))
	b.WriteString(sp)
	b.WriteString(subj.Render(r.subject))
	if m.cols.size > 0 {
		b.WriteString(sp)
		b.WriteString(st.listSize.Render(r.size))
		b.WriteString(st.listAttach.Render(r.attach))
	}
}
