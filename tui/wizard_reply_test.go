package tui

import (
	"strings"
	"testing"

	"popbox/mail"
)

// replySteps fill a valid Gmail account (taro@gmail.com) and go to the
// other addresses, the field after the CA file.
var replySteps = append(append([]string{}, caSteps...), "tab")

// TestWizardReplySettings: the last two fields of the form are the
// account's other addresses and the ISO-2022-JP reply choice (space and
// ←/→ change it); the addresses are saved trimmed, one comma and a space
// between them, and both show on the review.
func TestWizardReplySettings(t *testing.T) {
	st := &fakeWizardStore{}
	m := driveAll(newTestWizard(st, fakeChecker{}, langEN), replySteps...)
	wantFocus(t, m, wfAliases)
	wantInView(t, m, "› Other addresses")
	wantInView(t, m, "A reply goes out from the address the message was sent to.")
	m = driveAll(m, "= a@x.test ,b@x.test,", "tab")
	wantFocus(t, m, wfReplyJIS)
	wantInView(t, m, "› ISO-2022-JP replies ● In UTF-8")
	wantInView(t, m, "○ In ISO-2022-JP (when every character fits)")
	wantInView(t, m, "many Japanese business readers expect it")
	if m.account().ReplyJIS {
		t.Fatal("ISO-2022-JP replies are on before any change")
	}
	m = driveAll(m, "space")
	wantInView(t, m, "○ In UTF-8")
	wantInView(t, m, "● In ISO-2022-JP (when every character fits)")
	if m = driveAll(m, "left"); m.account().ReplyJIS {
		t.Fatal("left did not change the choice back")
	}
	if m = driveAll(m, "right"); !m.account().ReplyJIS {
		t.Fatal("right did not change the choice")
	}

	m = driveAll(m, "ctrl+s")
	if m.step != wizardStepReview {
		t.Fatalf("good reply settings blocked the review:\n%s", plainView(m))
	}
	wantInView(t, m, "Other addresses a@x.test, b@x.test")
	wantInView(t, m, "ISO-2022-JP replies In ISO-2022-JP (when every character fits)")
	m = driveAll(m, "enter")
	if len(st.added) != 1 {
		t.Fatalf("saved %d accounts, want 1", len(st.added))
	}
	if a := st.added[0]; a.Aliases != "a@x.test, b@x.test" || !a.ReplyJIS {
		t.Errorf("saved Aliases %q ReplyJIS %v, want %q and true", a.Aliases, a.ReplyJIS, "a@x.test, b@x.test")
	}
}

// TestWizardReplyDefaults: a new account has no other addresses (the form
// says so) and answers in UTF-8; the review shows the reply choice and
// leaves the addresses out.
func TestWizardReplyDefaults(t *testing.T) {
	st := &fakeWizardStore{}
	m := driveAll(newTestWizard(st, fakeChecker{}, langEN), gmailSteps...)
	wantInView(t, m, "Other addresses none")
	wantInView(t, m, "ISO-2022-JP replies In UTF-8")
	m = driveAll(m, "ctrl+s")
	if m.step != wizardStepReview {
		t.Fatalf("no review:\n%s", plainView(m))
	}
	wantInView(t, m, "ISO-2022-JP replies In UTF-8")
	if strings.Contains(plainView(m), "Other addresses") {
		t.Errorf("the review shows empty other addresses:\n%s", plainView(m))
	}
	m = driveAll(m, "enter")
	if len(st.added) != 1 || st.added[0].Aliases != "" || st.added[0].ReplyJIS {
		t.Fatalf("saved %+v, want no aliases, UTF-8 replies", st.added)
	}
}

// TestWizardReplyEdit: editing an account, its other addresses and reply
// choice fill the form and the review, are kept by a save, and change.
func TestWizardReplyEdit(t *testing.T) {
	existing := mail.Account{ID: "7", Name: "Work", Email: "taro@example.org",
		Incoming: mail.Server{Host: "pop.example.org", Port: 995, Security: mail.SecuritySSL, User: "taro", Password: "pw"},
		SMTPSame: true, Retention: mail.Retention{Kind: mail.RetainKeep},
		Aliases: "sales@example.org, info@example.org", ReplyJIS: true}
	st := &fakeWizardStore{accounts: []mail.Account{existing}}
	open := func(l lang) wizardModel {
		return newWizard(wizardTestDeps(l, fakeChecker{}), st, readWizardData(st), &existing).setSize(120, 40)
	}
	m := open(langEN)
	wantVal(t, m, wfAliases, "sales@example.org, info@example.org")
	wantInView(t, m, "Other addresses sales@example.org, info@example.org")
	wantInView(t, m, "ISO-2022-JP replies In ISO-2022-JP (when every character fits)")
	m = driveAll(m, "ctrl+s")
	if m.step != wizardStepReview {
		t.Fatalf("no review:\n%s", plainView(m))
	}
	wantInView(t, m, "Other addresses sales@example.org, info@example.org")
	wantInView(t, m, "ISO-2022-JP replies In ISO-2022-JP (when every character fits)")
	m = driveAll(m, "enter")
	if len(st.updated) != 1 || st.updated[0].Aliases != existing.Aliases || !st.updated[0].ReplyJIS {
		t.Fatalf("updated %+v, want the settings kept", st.updated)
	}

	ja := open(langJA)
	wantInView(t, ja, "別のアドレス sales@example.org, info@example.org")
	wantInView(t, ja, "ISO-2022-JPメールへの返信 ISO-2022-JP で返信（すべての文字が表せるとき）")

	m = open(langEN)
	for range 20 {
		if m.focus == wfAliases {
			break
		}
		m = driveAll(m, "down")
	}
	wantFocus(t, m, wfAliases)
	m = driveAll(m, "ctrl+u", "=sales@example.org", "tab", "space", "ctrl+s", "enter")
	if len(st.updated) != 2 || st.updated[1].Aliases != "sales@example.org" || st.updated[1].ReplyJIS {
		t.Fatalf("updated %+v, want one address and UTF-8 replies", st.updated)
	}
}

// TestWizardBadAlias: an other address with a name, one that is not an
// address, and the account's own address (in any case) are refused
// beside the field, in both languages, once it is left; the review sends
// the focus back to it, and nothing is saved.
func TestWizardBadAlias(t *testing.T) {
	cases := []struct {
		name, aliases, code string
		want                map[lang]string
	}{
		{"a name", "Sales <s@x.test>", mail.CodeBadAlias, map[lang]string{
			langEN: `"Sales <s@x.test>" is not an email address on its own; enter the other addresses without names, separated by commas`,
			langJA: `"Sales <s@x.test>" は単独のメールアドレスではありません。`}},
		{"not an address", "a@x.test, not-an-address", mail.CodeBadAlias, map[lang]string{
			langEN: `"not-an-address" is not an email address on its own`,
			langJA: `"not-an-address" は単独のメールアドレスではありません。`}},
		{"the own address", "a@x.test, Taro@Gmail.com", mail.CodeOwnAlias, map[lang]string{
			langEN: "Taro@Gmail.com is this account's own address; remove it from the other addresses.",
			langJA: "Taro@Gmail.com はこのアカウント自身のアドレスです。別のアドレスから外してください。"}},
	}
	for _, tc := range cases {
		for _, l := range []lang{langEN, langJA} {
			t.Run(tc.name+"/"+langName(l), func(t *testing.T) {
				st := &fakeWizardStore{}
				m := driveAll(newTestWizard(st, fakeChecker{}, l), append(replySteps, "="+tc.aliases)...)
				wantHidden(t, m, wfAliases)
				m = driveAll(m, "tab")
				wantShown(t, m, wfAliases, tc.code)
				// Wrapped Japanese breaks anywhere: compare without spaces.
				nospace := func(s string) string { return strings.Join(strings.Fields(s), "") }
				if !strings.Contains(nospace(plainView(m)), nospace("✗ "+tc.want[l])) {
					t.Errorf("view lacks %q:\n%s", tc.want[l], plainView(m))
				}
				m = driveAll(m, "ctrl+s")
				if m.step != wizardStepForm {
					t.Fatalf("%q went to the review", tc.aliases)
				}
				wantFocus(t, m, wfAliases)
				m = driveAll(m, "enter", "enter", "y")
				if len(st.added) != 0 {
					t.Fatalf("saved %+v", st.added)
				}
			})
		}
	}
}
