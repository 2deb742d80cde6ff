package tui

import (
	"slices"
	"time"

	"popbox/mail"
)

// wizardEveryChoices are the fetch intervals space cycles through; an
// edited account's own value (set with the CLI) is among them too.
var wizardEveryChoices = []mail.Every{0,
	mail.Every(5 * time.Minute), mail.Every(10 * time.Minute), mail.Every(15 * time.Minute),
	mail.Every(30 * time.Minute), mail.Every(time.Hour), mail.Every(3 * time.Hour), mail.Every(12 * time.Hour)}

// cycleEvery moves the fetch interval one choice on (dir 1) or back.
func cycleEvery(cur mail.Every, dir int, existing *mail.Account) mail.Every {
	cs := slices.Clone(wizardEveryChoices)
	if existing != nil && existing.FetchEvery > 0 && !slices.Contains(cs, existing.FetchEvery) {
		cs = append(cs, existing.FetchEvery)
		slices.Sort(cs)
	}
	i := slices.Index(cs, cur)
	if i < 0 {
		i = 0
	}
	return cs[(i+dir+len(cs))%len(cs)]
}

// everyLabel names an interval: "Off", "Every 10 minutes", "Every hour".
func (m wizardModel) everyLabel(e mail.Every) string {
	l := m.d.lang
	d := time.Duration(e)
	switch {
	case e <= 0:
		return l.tr("wizard.every.off")
	case d == time.Hour:
		return l.tr("wizard.every.hour")
	case d%time.Hour == 0:
		return l.tr("wizard.every.hours", int(d/time.Hour))
	case d%time.Minute == 0:
		return l.tr("wizard.every.minutes", int(d/time.Minute))
	}
	return l.tr("wizard.every.other", e.String())
}
