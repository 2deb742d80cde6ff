package i18n

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"popbox/mail"
)

// TestDeliveryWords: every reason a delivery fails, the warning of
// messages left waiting, an account that delivers nowhere and a delivery
// setting that does not read are catalog sentences in both languages.
func TestDeliveryWords(t *testing.T) {
	mda := mail.DeliveryTarget{Kind: mail.DeliverMDA, Command: "procmail"}
	dir := mail.DeliveryTarget{Kind: mail.DeliverMaildir, Path: "/home/taro/Maildir"}
	errs := []*mail.DeliveryError{
		{Target: mda, Op: "exit", Status: 75, Stderr: "over quota"},
		{Target: mda, Op: "exit", Status: 1},
		{Target: mda, Op: "timeout"},
		{Target: mda, Op: "run", Err: errors.New("x")},
		{Target: mda, Op: "read", ID: "7", Err: errors.New("x")},
		{Target: dir, Op: "create", Err: errors.New("x")},
		{Target: dir, Op: "write", Err: errors.New("x")},
	}
	for _, de := range errs {
		t.Run(de.Op, func(t *testing.T) {
			w := mail.Warning{Kind: mail.WarnDeliveryWaiting, N: 3, Text: de.Error(), Delivery: de}
			en, ja := EN.Warning(w), JA.Warning(w)
			if !strings.Contains(en, "3 messages are waiting for delivery") || !hasJapanese(ja) || strings.Contains(en+ja, "%!") {
				t.Fatalf("en %q, ja %q", en, ja)
			}
			if m := english.FindString(ja); m != "" {
				t.Errorf("English (%q) in %q", m, ja)
			}
			if got := EN.Error(de, Scene{Front: CLI}); strings.Contains(got, "%!") || got == "" {
				t.Errorf("error: %q", got)
			}
		})
	}
	a := mail.Account{Name: "Work"}
	for _, l := range []Lang{EN, JA} {
		got := l.Error(fmt.Errorf("%w: account Work", mail.ErrNoDelivery), Scene{Front: CLI, Account: a})
		if !strings.Contains(got, "popbox account set Work --deliver") {
			t.Errorf("no target: %q", got)
		}
		_, fe := mail.ParseDeliver("maildir:relative")
		if fe == nil {
			t.Fatal("maildir:relative was taken")
		}
		got = l.Error(mail.FieldErrors{*fe}, Scene{Front: CLI, Account: a})
		if !strings.HasPrefix(got, "--deliver: ") || (l == JA && !hasJapanese(got)) {
			t.Errorf("field: %q", got)
		}
	}
}
