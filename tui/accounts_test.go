package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"popbox/mail"
)

func TestAccountsIntent(t *testing.T) {
	tests := []struct {
		key        string
		confirming bool
		empty      bool
		want       accountsIntent
	}{
		{"k", false, false, accountsUp},
		{"up", false, false, accountsUp},
		{"j", false, false, accountsDown},
		{"enter", false, false, accountsUse},
		{" ", false, false, accountsUse},
		{"a", false, false, accountsAdd},
		{"e", false, false, accountsEdit},
		{"x", false, false, accountsRemove},
		{"D", false, false, accountsRemove},
		{"p", false, false, accountsIncoming},
		{"o", false, false, accountsOutgoing},
		{"q", false, false, accountsBack},
		{"esc", false, false, accountsBack},
		{"z", false, false, accountsNone},
		{"y", true, false, accountsYes},
		{"Y", true, false, accountsYes},
		{"n", true, false, accountsNo},
		{"esc", true, false, accountsNo},
		{"x", true, false, accountsNone},
		{"a", false, true, accountsAdd},
		{"e", false, true, accountsNone},
		{"x", false, true, accountsNone},
		{"p", false, true, accountsNone},
		{"enter", false, true, accountsNone},
	}
	for _, tc := range tests {
		m := newAccounts(testDeps(langEN))
		if !tc.empty {
			m = m.setAccounts(testAccounts(), "1")
		}
		m.confirming = tc.confirming
		if got := m.intent(keyMsg(tc.key)); got != tc.want {
			t.Errorf("%q confirming=%v empty=%v: %v, want %v", tc.key, tc.confirming, tc.empty, got, tc.want)
		}
	}
}

func TestAccountsUpdate(t *testing.T) {
	m := newAccounts(testDeps(langEN)).setAccounts(testAccounts(), "2").setSize(80, 20)
	if a, _ := m.selected(); a.ID != "2" {
		t.Fatalf("cursor starts on %q, want the active account", a.ID)
	}
	m, _ = m.update(keyMsg("j"))
	m, _ = m.update(keyMsg("j"))
	if a, _ := m.selected(); a.ID != "3" {
		t.Errorf("j past the end: %q", a.ID)
	}
	m, _ = m.update(keyMsg("x"))
	if !m.modal() {
		t.Fatal("x did not ask")
	}
	m, _ = m.update(keyMsg("n"))
	if m.modal() {
		t.Fatal("n did not close the question")
	}
	// A new list keeps the cursor on the same account.
	accts := testAccounts()
	m = m.setAccounts([]mail.Account{accts[2], accts[0]}, "1")
	if a, _ := m.selected(); a.ID != "3" {
		t.Errorf("cursor moved to %q after the list changed", a.ID)
	}
}

func TestAccountsView(t *testing.T) {
	for _, l := range []lang{langEN, langJA} {
		for _, w := range []int{40, 80, 120} {
			m := newAccounts(testDeps(l)).setAccounts(testAccounts(), "1").setSize(w, 20)
			view := m.view()
			checkScreen(t, view, w, 20)
			out := ansi.Strip(view)
			if w >= 80 {
				for _, want := range []string{">* Work", "pop.example.com:995 SSL", "pop.example.jp:110 STARTTLS", "個人"} {
					if !strings.Contains(out, want) {
						t.Errorf("lang %v width %d lacks %q:\n%s", l, w, want, out)
					}
				}
			}
		}
	}
	m := newAccounts(testDeps(langJA)).setAccounts(testAccounts(), "1").setSize(120, 20)
	out := ansi.Strip(m.view())
	for _, want := range []string{"アカウント（3）", "メールを残す", "削除時に削除する", "30日後に削除する"} {
		if !strings.Contains(out, want) {
			t.Errorf("Japanese view lacks %q:\n%s", want, out)
		}
	}
}

func TestSwitcher(t *testing.T) {
	accts := testAccounts()
	m := newSwitcher(testDeps(langEN), accts, "2", 80, 20)
	if a, _ := m.chosen(); a.ID != "2" {
		t.Fatalf("starts on %q", a.ID)
	}
	tests := []struct {
		key  string
		want switcherIntent
		to   string
	}{
		{"down", switcherDown, "3"},
		{"j", switcherDown, "1"},
		{"up", switcherUp, "3"},
		{"]", switcherDown, "1"},
		{"[", switcherUp, "3"},
		{"1", switcherChoose, "1"},
		{"3", switcherChoose, "3"},
		{"9", switcherChoose, "3"},
		{"enter", switcherChoose, "3"},
		{"esc", switcherCancel, "3"},
		{"ctrl+a", switcherCancel, "3"},
	}
	for _, tc := range tests {
		if got := m.intent(keyMsg(tc.key)); got != tc.want {
			t.Errorf("%q: intent %v, want %v", tc.key, got, tc.want)
		}
		m, _ = m.update(keyMsg(tc.key))
		if a, _ := m.chosen(); a.ID != tc.to {
			t.Errorf("after %q on %q, want %q", tc.key, a.ID, tc.to)
		}
	}
	checkScreen(t, m.view(), 80, 20)
	if out := ansi.Strip(m.view()); !strings.Contains(out, "Switch account") || !strings.Contains(out, "2 * Home  ann@gmail.com") {
		t.Errorf("switcher view:\n%s", out)
	}
}

func TestProblemText(t *testing.T) {
	accts := testAccounts()
	work, home := accts[0], accts[1]
	tests := []struct {
		name     string
		err      error
		acct     mail.Account
		outgoing bool
		fetch    bool
		l        lang
		want     string
	}{
		{"auth fetch", &mail.AuthError{}, work, false, true, langEN, "pop.example.com refused the password for ann@example.com: change the incoming password with p on the accounts screen (A, then p)."},
		{"auth gmail adds the app password", &mail.AuthError{}, home, false, true, langEN, "pop.gmail.com refused the password for ann@gmail.com: change the incoming password with p on the accounts screen (A, then p). With 2-step verification, use an app password."},
		{"auth dialog", &mail.AuthError{}, work, false, false, langEN, "pop.example.com refused the password for ann@example.com: check it and type it again."},
		{"auth outgoing", &mail.AuthError{}, home, true, true, langEN, "smtp.gmail.com refused the password for ann@gmail.com: change the outgoing password with o on the accounts screen (A, then o). With 2-step verification, use an app password."},
		{"timeout", mail.ErrTimeout, work, false, true, langEN, "pop.example.com did not answer in time: check the network connection, then try again (f fetches)."},
		{"deadline is a timeout", errorsJoin("check", contextDeadline()), work, false, false, langEN, "pop.example.com did not answer in time: check the network connection, then try again (f fetches)."},
		{"login delay with the server's figure", mail.ErrLoginDelay, withDelay(work), false, true, langEN, "pop.example.com allows one login every 15 min: fetch again later."},
		{"no uidl ja", mail.ErrNoUIDL, work, false, true, langJA, "pop.example.com はUIDLに対応していないため、受信済みのメッセージを区別できません。メッセージ設定を「受信時に削除する」にしてください（アカウント画面で e）。"},
		{"starttls", mail.ErrNoSTARTTLS, accts[2], false, true, langEN, "pop.example.jp does not offer STARTTLS on port 110: choose SSL and its SSL port (e on the accounts screen)."},
		{"password command", errorsJoin("run", mail.ErrPasswordCmd), work, false, true, langEN, "The password command of Work failed (run: password command failed): fix it with e, or set a password with p on the accounts screen."},
		{"quit refused is not a busy mailbox", errorsJoin("QUIT", mail.ErrQuitRefused), work, false, true, langEN, "pop.example.com did not confirm the end of the session, so messages popbox asked it to delete may still be there: nothing was lost, and the next fetch deletes them again."},
		{"certificate for another name", &mail.CertError{Reason: mail.CertWrongHost, Names: []string{"mail.other.test"}}, work, false, true, langEN, "The certificate of pop.example.com is for mail.other.test, not for this server name: check the server name (e on the accounts screen); a CA file does not change this."},
		{"certificate expired ja", &mail.CertError{Reason: mail.CertExpired, When: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}, work, false, true, langJA, "pop.example.com の証明書は 2026-01-02 に有効期限が切れています。サーバー管理者による更新が必要です。その日付がまだ来ていない場合は、このコンピューターの時計を合わせてください。"},
		{"certificate not signed by the account's CA", &mail.CertError{Reason: mail.CertUntrusted}, withCAFile(work, "/etc/ca.pem"), false, true, langEN, "The certificate of pop.example.com is not signed by the CA in /etc/ca.pem: check that the file holds the CA that signed the server's certificate."},
		{"certificate untrusted, no CA file", &mail.CertError{Reason: mail.CertUntrusted}, work, false, true, langEN, "The certificate of pop.example.com is not trusted or is not for this name: check the server name, or give the account a CA file (e on the accounts screen); if it is your server's own, its connection test there (ctrl+s) offers to trust it."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := problemText(tc.l, tc.err, tc.acct, tc.outgoing, tc.fetch)
			if got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func withCAFile(a mail.Account, f string) mail.Account {
	a.CAFile = f
	return a
}

func TestAccountsGolden(t *testing.T) {
	cases := []goldenCase{
		{name: "accounts/80x24", lang: langEN, w: 80, h: 24, keys: []string{"A"}, wait: "Accounts (3)"},
		{name: "accounts/120x40", lang: langEN, w: 120, h: 40, keys: []string{"A", "j"}, wait: "Accounts (3)"},
		{name: "accounts/ja-80x24", lang: langJA, w: 80, h: 24, keys: []string{"A"}, wait: "アカウント（3）"},
		{name: "accounts/ja-120x40", lang: langJA, w: 120, h: 40, keys: []string{"A", "j", "x"}, wait: "元に戻せません"},
		{name: "accounts/confirm-80x24", lang: langEN, w: 80, h: 24, keys: []string{"A", "j", "x"}, wait: "y removes it"},
		{name: "accounts/switcher-80x24", lang: langEN, w: 80, h: 24, keys: []string{"ctrl+a", "j"}, wait: "Switch account"},
		{name: "accounts/ja-switcher-120x40", lang: langJA, w: 120, h: 40, keys: []string{"ctrl+a"}, wait: "アカウントの切り替え"},
		{name: "accounts/passwd-80x24", lang: langEN, w: 80, h: 24, keys: []string{"A", "p", "s", "e", "c"}, wait: "•••◦"},
		{name: "accounts/ja-passwd-120x40", lang: langJA, w: 120, h: 40, keys: []string{"A", "j", "o"}, wait: "送信パスワード（SMTP）"},
	}
	for _, g := range cases {
		t.Run(g.name, func(t *testing.T) {
			st := newMemStore(testAccounts()...)
			st.fill("1", 30, englishSubject)
			runGolden(t, st, g)
		})
	}
}

func TestHelpGolden(t *testing.T) {
	cases := []goldenCase{
		{name: "help/80x24", lang: langEN, w: 80, h: 24, keys: []string{"?"}, wait: "Keys"},
		{name: "help/120x40", lang: langEN, w: 120, h: 40, keys: []string{"?"}, wait: "Keys"},
		{name: "help/ja-80x24", lang: langJA, w: 80, h: 24, keys: []string{"?"}, wait: "キー操作"},
		{name: "help/ja-120x40", lang: langJA, w: 120, h: 40, keys: []string{"?"}, wait: "キー操作"},
		{name: "help/color-120x40", lang: langEN, w: 120, h: 40, color: true, keys: []string{"?"}, wait: "Keys"},
	}
	for _, g := range cases {
		t.Run(g.name, func(t *testing.T) {
			st := newMemStore(testAccounts()...)
			st.fill("1", 30, englishSubject)
			runGolden(t, st, g)
		})
	}
}

func errorsJoin(what string, err error) error { return fmt.Errorf("%s: %w", what, err) }

func contextDeadline() error {
	ctx, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	<-ctx.Done()
	return ctx.Err()
}

func withDelay(a mail.Account) mail.Account {
	a.Hints.LoginDelay = 15 * time.Minute
	return a
}

// TestAccountsNoAccountFooter: with no account there is no list to go
// back to: the footer offers q to quit, which is what q does, and esc
// does nothing (it does not pretend to go back).
func TestAccountsNoAccountFooter(t *testing.T) {
	for _, l := range []lang{langEN, langJA} {
		m := testApp(t, newMemStore(), l, 80, 24)
		m, _ = m.update(wizardCancelledMsg{})
		if m.screen != screenAccounts {
			t.Fatalf("screen %v, want the accounts screen", m.screen)
		}
		footer := screenText(m)[strings.LastIndex(screenText(m), "\n")+1:]
		quit, back := "q "+l.tr("help.quit"), l.tr("help.backToList")
		if !strings.Contains(footer, quit) || strings.Contains(footer, back) || strings.Contains(footer, "esc") {
			t.Errorf("lang %v footer %q, want %q and no esc or %q", l, footer, quit, back)
		}
		if got := m.accts.intent(keyMsg("esc")); got != accountsNone {
			t.Errorf("esc with no account: %v, want nothing", got)
		}
		m2, _ := m.update(keyMsg("esc"))
		if m2.quitting || m2.screen != screenAccounts {
			t.Errorf("esc: quitting %v screen %v", m2.quitting, m2.screen)
		}
		m2, _ = m.update(keyMsg("q"))
		if !m2.quitting {
			t.Error("q did not quit")
		}
	}
	// With accounts, q and esc go back to the list, as the footer says.
	st := newMemStore(testAccounts()...)
	m := press(t, testApp(t, st, langEN, 100, 24), "A")
	if footer := screenText(m); !strings.Contains(footer, "q/esc back to the list") {
		t.Errorf("footer lacks q/esc back:\n%s", footer)
	}
	for _, k := range []string{"q", "esc"} {
		if m2 := press(t, m, k); m2.screen != screenList || m2.quitting {
			t.Errorf("%s: screen %v quitting %v, want the list", k, m2.screen, m2.quitting)
		}
	}
}
