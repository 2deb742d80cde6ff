package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"popbox/mail"
)

// TestAppDeliveryWarning: a fetch whose delivery failed shows why in the
// banner, in the user's language, and the status bar counts what was
// delivered and what waits.
func TestAppDeliveryWarning(t *testing.T) {
	de := &mail.DeliveryError{Target: mail.DeliveryTarget{Kind: mail.DeliverMDA, Command: "procmail"}, Op: "exit", Status: 75, Stderr: "over quota"}
	sync := func(context.Context, mail.Account, mail.Cache, mail.SyncOptions, func(mail.Progress)) (mail.SyncResult, error) {
		return mail.SyncResult{New: 2, Delivered: 0, WaitingDelivery: 2, DeliveryErr: de,
			Warnings: []mail.Warning{{Kind: mail.WarnDeliveryWaiting, N: 2, Text: de.Error(), Delivery: de}}}, nil
	}
	for _, tc := range []struct {
		l              lang
		banner, status string
	}{
		{langEN, "2 messages are waiting for delivery", "0 delivered, 2 waiting for delivery"},
		{langJA, "2 通のメッセージが配送待ち", "0通配送、2通配送待ち"},
	} {
		st := newMemStore(testAccounts()...)
		st.fill("1", 5, englishSubject)
		m := testApp(t, st, tc.l, 160, 24)
		m.syncFn = sync
		m = press(t, m, "f")
		view := ansi.Strip(m.View())
		if !strings.Contains(view, tc.banner) || !strings.Contains(view, "procmail") {
			t.Errorf("%v: the screen does not show %q:\n%s", tc.l, tc.banner, view)
		}
		if s := statusLine(m); !strings.Contains(s, tc.status) {
			t.Errorf("%v: status %q, want %q", tc.l, s, tc.status)
		}
	}
}
