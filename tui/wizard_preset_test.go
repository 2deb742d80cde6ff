package tui

import (
	"fmt"
	"strings"
	"testing"

	"popbox/mail"
)

// TestWizardTypingReplacesPreset: a value popbox put in a field (the
// preset port, a server or user name filled in from the address, the
// default 30 days, a port toggled with space) is replaced by the first
// character typed into it, as a selected text is; a value the user typed
// is edited. A port or day count is a whole number: typing replaces it
// whoever put it there, so 110 typed over 995 is 110, never 99511.
func TestWizardTypingReplacesPreset(t *testing.T) {
	tests := []struct {
		name  string
		steps []string
		field wizardField
		want  string
		check func(t *testing.T, m wizardModel)
	}{
		{name: "110 typed over the preset 995", steps: []string{"tab", "tab", "tab", "=110"}, field: wfPort, want: "110",
			check: func(t *testing.T, m wizardModel) { wantSecurity(t, m.security, mail.SecurityStartTLS) }},
		{name: "a port toggled with space is replaced too", steps: []string{"tab", "tab", "tab", "space", "=2995"}, field: wfPort, want: "2995"},
		{name: "backspace edits the preset", steps: []string{"tab", "tab", "tab", "backspace", "=4"}, field: wfPort, want: "994"},
		{name: "end then typing appends", steps: []string{"tab", "tab", "tab", "end", "=1"}, field: wfPort, want: "9951"},
		{name: "a letter in a port field keeps the preset", steps: []string{"tab", "tab", "tab", "=x"}, field: wfPort, want: "995"},
		{name: "a server filled in from the address", steps: []string{"tab", "=taro@gmail.com", "tab", "=mail.example.org"}, field: wfHost, want: "mail.example.org"},
		{name: "a user name filled in from the address", steps: []string{"tab", "=taro@example.org", "tab", "tab", "tab", "tab", "=taro"}, field: wfUser, want: "taro"},
		{name: "the outgoing port filled in", steps: []string{"tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "space", "tab", "tab", "=25"}, field: wfSMTPPort, want: "25"},
		{name: "the default of 30 days", steps: append(append([]string{}, gmailSteps...), "tab", "tab", "space", "space", "tab", "=7"), field: wfDays, want: "7"},
		{name: "only the first character replaces", steps: []string{"tab", "tab", "tab", "=1", "=1", "=0"}, field: wfPort, want: "110"},
		{name: "a typed value is edited, not replaced", steps: []string{"=Work", "tab", "shift+tab", "=2"}, field: wfName, want: "Work2"},
		{name: "a typed server is edited when come back to", steps: []string{"tab", "tab", "=pop.example.org", "tab", "shift+tab", "=x"}, field: wfHost, want: "pop.example.orgx"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newTestWizard(nil, nil, langEN)
			m, _ = drive(m, tc.steps...)
			wantFocus(t, m, tc.field)
			wantVal(t, m, tc.field, tc.want)
			if tc.check != nil {
				tc.check(t, m)
			}
		})
	}
}

// TestWizardEditPortReplaced: editing an account, typing a port replaces
// the stored one; the stored name is edited.
func TestWizardEditPortReplaced(t *testing.T) {
	existing := mail.Account{ID: "7", Name: "Work", Email: "taro@example.org",
		Incoming:  mail.Server{Host: "pop.example.org", Port: 995, Security: mail.SecuritySSL, User: "taro"},
		SMTPSame:  true,
		Retention: mail.Retention{Kind: mail.RetainKeep},
	}
	st := &fakeWizardStore{accounts: []mail.Account{existing}}
	m := newWizard(wizardTestDeps(langEN, nil), st, readWizardData(st), &existing).setSize(120, 40)
	m, _ = drive(m, "=2", "tab", "tab", "tab", "=110")
	wantVal(t, m, wfName, "Work2")
	wantVal(t, m, wfPort, "110")
	wantSecurity(t, m.security, mail.SecurityStartTLS)
}

// TestWizardPresetHint: while typing would replace the value, the hint
// under the field says so; once edited it goes.
func TestWizardPresetHint(t *testing.T) {
	for _, l := range []lang{langEN, langJA} {
		m := newTestWizard(nil, nil, l)
		m, _ = drive(m, "tab", "tab", "tab")
		hint := l.tr("wizard.preset")
		wantInView(t, m, hint)
		m, _ = drive(m, "=1")
		v := plainView(m)
		if containsFields(v, hint) {
			t.Errorf("%s: the hint stays after typing:\n%s", langName(l), v)
		}
	}
}

// containsFields reports whether view holds s, runs of spaces and line
// breaks read as one space (wrapped text), as wantInView does.
func containsFields(view, s string) bool {
	return strings.Contains(strings.Join(strings.Fields(view), " "), s)
}

// TestWizardScreensGolden: the port field holding its preset (drawn
// selected, with the hint that typing replaces it) and the password being
// typed (the mask), at every size in both languages.
func TestWizardScreensGolden(t *testing.T) {
	cases := []struct {
		name  string
		steps []string
	}{
		{"preset", []string{"=Work", "tab", "=taro@example.org", "tab", "=pop.example.org", "tab", "wait:995"}},
		{"password", append(append([]string{}, gmailSteps...), "wait:◦")},
	}
	for _, tc := range cases {
		for _, l := range []lang{langEN, langJA} {
			for _, sz := range goldenSizes {
				for _, color := range []bool{false, true} {
					if color && (sz[0] != 80 || tc.name != "preset") {
						continue // the selection shows in colour only: once
					}
					mode := "plain"
					if color {
						mode = "color"
					}
					name := fmt.Sprintf("%s-%dx%d-%s-%s", tc.name, sz[0], sz[1], langName(l), mode)
					t.Run(name, func(t *testing.T) {
						goldenProfile(t, color)
						d := wizardTestDeps(l, nil)
						d.plain = !color
						root := newWizardTestRoot(newWizard(d, &fakeWizardStore{}, wizardData{}, nil))
						final := playProgram(t, root, sz[0], sz[1], tc.steps...).(wizardTestRoot)
						view := final.View()
						checkFits(t, final.w, sz[0], sz[1]-1)
						checkScreen(t, view, sz[0], sz[1])
						requireGolden(t, "wizard/"+name, view)
					})
				}
			}
		}
	}
}
