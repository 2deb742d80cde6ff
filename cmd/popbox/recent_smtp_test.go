package main

import (
	"path/filepath"
	"strings"
	"testing"

	"popbox/mail"
	"popbox/mail/mailtest"
	"popbox/store"
)

// TestSameCredentialsRecentNeverReachesSMTP (issue 13, part 9): Gmail's
// recent: prefix is POP-only. An account with "same credentials" whose
// incoming user is recent:alice (any case) logs in to the outgoing server
// as alice: checked against Dovecot's submission service, which knows only
// alice and logs every login. The rule lives in mail.OutgoingServerFor and
// Account.SMTP; popbox check (like the TUI's checker) logs in through it.
func TestSameCredentialsRecentNeverReachesSMTP(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Submission: true})
	for _, user := range []string{"recent:alice", "Recent:alice", "RECENT:alice"} {
		t.Run(user, func(t *testing.T) {
			c := newCLI(t, srv)
			// As the wizard saves it: same credentials, with the outgoing
			// host and port it derived adjusted to the server's.
			st, err := store.Open(c.db, store.Options{PolicyFile: filepath.Join(t.TempDir(), "none.json")})
			if err != nil {
				t.Fatal(err)
			}
			_, err = st.AddAccount(mail.Account{
				Name: "gmail", Email: "alice@example.test", Retention: mail.Retention{Kind: mail.RetainKeep},
				Incoming: mail.Server{Host: srv.Host, Port: srv.POPSPort, Security: mail.SecuritySSL, User: user, Password: "secret"},
				SMTPSame: true,
				Outgoing: mail.Server{Host: srv.Host, Port: srv.SubmissionPort, Security: mail.SecurityStartTLS},
			})
			st.Close()
			if err != nil {
				t.Fatal(err)
			}
			logStart := len(srv.Log())

			out, errs, code := c.run("", "check")
			// Dovecot has no user recent:alice, so the incoming side fails;
			// the outgoing side must log in as alice.
			if code != 1 || !strings.Contains(out, "incoming ") || !strings.Contains(out, "FAILED") {
				t.Fatalf("check: exit %d\n%s%s", code, out, errs)
			}
			if !strings.Contains(out, "outgoing "+srv.Host) || !strings.Contains(out, ": ok, logged in as alice\n") {
				t.Fatalf("the outgoing login did not go through as alice:\n%s%s", out, errs)
			}
			log := srv.Log()[logStart:]
			if !strings.Contains(log, "submission-login: Info: Login: user=<alice>,") {
				t.Fatalf("Dovecot logged no submission login of alice:\n%s", log)
			}
			// The one refused login is the POP3 one; the submission service
			// never saw the prefix.
			for _, line := range strings.Split(log, "\n") {
				if strings.Contains(line, "submission") && strings.Contains(strings.ToLower(line), "recent:") {
					t.Errorf("the recent: user reached the SMTP login: %s", line)
				}
				if strings.Contains(line, "auth failed") && !strings.Contains(line, "pop3-login:") {
					t.Errorf("a login other than POP3's failed: %s", line)
				}
			}
			if out := c.ok("", "accounts", "--json"); !strings.Contains(out, `"user": "alice"`) {
				t.Errorf("accounts --json shows another outgoing user:\n%s", out)
			}
		})
	}
}
