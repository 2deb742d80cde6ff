package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// maskIn is the password mask on the line of view that holds label: the
// run of mask glyphs after the label, "" when there is none.
func maskIn(view, label string) string {
	for _, l := range strings.Split(ansi.Strip(view), "\n") {
		before, rest, ok := strings.Cut(l, label)
		// A choice named like the label ("● Password" of the sign-in) is
		// not the field.
		if !ok || strings.HasSuffix(before, "● ") || strings.HasSuffix(before, "○ ") {
			continue
		}
		rest = strings.TrimSpace(rest)
		end := strings.IndexFunc(rest, func(r rune) bool { return r != '•' && r != '◦' })
		if end >= 0 {
			rest = rest[:end]
		}
		return rest
	}
	return ""
}

// TestPasswordMaskOneEverywhere: the wizard's password field while typed
// and after, its review, and the password dialog show a password the same
// way: eight marks whatever its length, never the password, never '*'.
// While it is typed the mask changes with every key, so each key shows.
func TestPasswordMaskOneEverywhere(t *testing.T) {
	for _, pw := range []string{"Z", "app-password", strings.Repeat("Zq", 20)} {
		t.Run(pw, func(t *testing.T) {
			// The wizard: typing, then left, then the review.
			m := newTestWizard(nil, nil, langEN)
			m, _ = drive(m, append(gmailSteps[:len(gmailSteps)-1:len(gmailSteps)-1], "="+pw)...)
			wantFocus(t, m, wfPassword)
			typing := maskIn(m.view(), "Password")
			if n := len([]rune(typing)); n != maskLen {
				t.Errorf("while typing %d chars the mask is %q (%d marks), want %d", len(pw), typing, n, maskLen)
			}
			m, _ = drive(m, "tab")
			if got := maskIn(m.view(), "Password"); got != storedMask {
				t.Errorf("the field left shows %q, want %q", got, storedMask)
			}
			r, _ := drive(m, "ctrl+s")
			if got := maskIn(r.view(), "Password"); got != storedMask {
				t.Errorf("the review shows %q, want %q", got, storedMask)
			}
			for _, v := range []string{m.view(), r.view()} {
				if len(pw) > 1 && strings.Contains(v, pw) {
					t.Errorf("the password shows:\n%s", ansi.Strip(v))
				}
			}

			// The password dialog.
			d, _ := newPasswd(testDeps(langEN), newMemStore(), testAccounts()[0], false, 1)
			d = d.setSize(80, 24)
			d, _ = drive(d, "="+pw)
			v := d.view()
			if got := maskIn(v, "New password:"); len([]rune(got)) != maskLen {
				t.Errorf("the dialog shows %q, want %d marks", got, maskLen)
			}
			if len(pw) > 1 && strings.Contains(v, pw) || strings.Contains(ansi.Strip(v), "*") {
				t.Errorf("the dialog shows the password or stars:\n%s", ansi.Strip(v))
			}
		})
	}
}

// TestPasswordMaskMovesWithKeys: each key that changes the password
// changes the mask (typing and deleting alike), so the user sees it was
// taken, while the mask's length stays.
func TestPasswordMaskMovesWithKeys(t *testing.T) {
	m := newTestWizard(nil, nil, langEN)
	m, _ = drive(m, gmailSteps[:len(gmailSteps)-1]...)
	d, _ := newPasswd(testDeps(langEN), newMemStore(), testAccounts()[0], false, 1)
	d = d.setSize(80, 24)
	prevW, prevD := "", ""
	for i, k := range []string{"a", "b", "c", "backspace", "d", "e", "f", "g", "h", "i", "j"} {
		m, _ = drive(m, k)
		d, _ = drive(d, k)
		w, dv := maskIn(m.view(), "Password"), maskIn(d.view(), "New password:")
		if w == prevW || dv == prevD {
			t.Errorf("key %d (%s): the mask did not change: wizard %q dialog %q", i, k, w, dv)
		}
		if len([]rune(w)) != maskLen || len([]rune(dv)) != maskLen {
			t.Errorf("key %d (%s): mask %q / %q, want %d marks", i, k, w, dv, maskLen)
		}
		prevW, prevD = w, dv
	}
}

// TestPasswordMaskRevealShowsText: ctrl+r in the wizard still shows the
// password itself, and hiding it brings the mask back.
func TestPasswordMaskRevealShowsText(t *testing.T) {
	m := newTestWizard(nil, nil, langEN)
	m, _ = drive(m, gmailSteps...)
	m, _ = drive(m, "ctrl+r")
	wantInView(t, m, "app-password")
	m, _ = drive(m, "ctrl+r")
	if got := maskIn(m.view(), "Password"); len([]rune(got)) != maskLen {
		t.Errorf("hidden again: %q", got)
	}
}
