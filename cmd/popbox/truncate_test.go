package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"popbox/mail"
	"popbox/store"
)

// truncatedDB makes a database of 2,000 small messages (about 10 KiB,
// committed 100 at a time as a fetch does) and returns its bytes.
func truncatedDB(t *testing.T) []byte {
	t.Helper()
	c := newCLI(t, nil)
	st, err := store.Open(c.db, store.Options{PolicyFile: filepath.Join(t.TempDir(), "no-policy.json")})
	if err != nil {
		t.Fatal(err)
	}
	a, err := st.AddAccount(mail.Account{
		Name: "box", Email: "alice@example.test",
		Incoming:  mail.Server{Host: "127.0.0.1", Port: 1, Security: mail.SecuritySSL, User: "alice", Password: "secret"},
		SMTPSame:  true,
		Retention: mail.Retention{Kind: mail.RetainKeep},
	})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for b := 0; b < 20; b++ {
		var batch []mail.NewMessage
		for i := 0; i < 100; i++ {
			n := b*100 + i
			// Lines that do not repeat: the store compresses raw bytes,
			// and a cut must fall among the pages in use, not in the
			// room bbolt keeps at the end of the file.
			var body strings.Builder
			for l := range 100 {
				fmt.Fprintf(&body, "line %d of message %d %x\r\n", l, n, sha256.Sum256(fmt.Appendf(nil, "%d/%d", n, l)))
			}
			raw := []byte(fmt.Sprintf("From: bob@example.test\r\nSubject: report %d\r\nDate: %s\r\n\r\n%s", n,
				base.Add(time.Duration(n)*time.Minute).Format(time.RFC1123Z), body.String()))
			batch = append(batch, mail.NewMessage{UID: fmt.Sprintf("u%04d", n), Raw: raw, Summary: mail.Summarize(raw, base), Digest: sha256.Sum256(raw)})
		}
		if _, err := st.Commit(a.ID, batch); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(c.db)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestTruncatedDatabase: a database cut to 20, 35 or 50 % of its size
// makes list and fetch say that it is damaged and point at repair (exit 1,
// not a crash), and repair reports honestly what it could and could not
// copy: never that nothing was lost.
func TestTruncatedDatabase(t *testing.T) {
	data := truncatedDB(t)
	for _, pct := range []int{20, 35, 50} {
		t.Run(fmt.Sprintf("%d%%", pct), func(t *testing.T) {
			c := newCLI(t, nil)
			if err := os.WriteFile(c.db, data[:len(data)*pct/100], 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"list"}, {"fetch"}} {
				out, errs, code := c.run("", args...)
				if code != 1 || out != "" {
					t.Errorf("popbox %v: exit %d, stdout %q; want exit 1 and nothing", args, code, out)
				}
				for _, want := range []string{"The database " + c.db + " is damaged (the file is ", "shorter than the", "its own header says it holds: it was cut short", "Run popbox --db " + c.db + " repair"} {
					if !strings.Contains(errs, want) {
						t.Errorf("popbox %v: stderr %q does not say %q", args, errs, want)
					}
				}
			}

			out, errs, code := c.run("", "repair")
			t.Logf("repair: exit %d\n%s%s", code, out, errs)
			all := out + errs
			for _, lie := range []string{"no message is known to be lost", "no damage was found", "Copied 1 account and 2,000 messages"} {
				if strings.Contains(all, lie) {
					t.Errorf("repair says %q", lie)
				}
			}
			switch code {
			case 0:
				if !strings.Contains(out, "the file was cut short") || !strings.Contains(out, "could not be read and were left out") {
					t.Errorf("repair does not say the file was cut short and messages were lost: %q", out)
				}
			case 1:
				if !strings.Contains(errs, "No account can be read from "+c.db+" (the file is ") || !strings.Contains(errs, "it was cut short), so there is nothing to copy") {
					t.Errorf("repair failed without saying why: %q", errs)
				}
			default:
				t.Errorf("repair: exit %d", code)
			}
		})
	}
}

// TestRepairSummaryHonest: the line repair prints says what is known of
// the loss, and never that nothing was lost when the count was lost too.
func TestRepairSummaryHonest(t *testing.T) {
	cases := []struct {
		name string
		rep  store.SalvageReport
		want []string
		not  []string
	}{
		{"count lost, bounds known", store.SalvageReport{Accounts: 1, Messages: 4, Lost: 500, Damaged: true, Truncated: true, LostUnknown: true, MaxMessages: 2000},
			[]string{"Copied 1 account and 4 messages into /d/new.db; the file was cut short, so what lay past its end is gone, and an unknown number of messages could not be read and were left out, as the damage also hid how many the file held (at least 500; at most 1,996, as it had handed out 2,000 message IDs); those still on the server come back with the next fetch. Keep the old file"}, nil},
		{"count and counter lost", store.SalvageReport{Accounts: 1, Damaged: true, LostUnknown: true},
			[]string{"Copied 1 account and 0 messages into /d/new.db; an unknown number of messages could not be read and were left out, as the damage also hid how many the file held; those still"}, nil},
		{"count known", store.SalvageReport{Accounts: 1, Messages: 10, Lost: 1990, Damaged: true, Truncated: true},
			[]string{"the file was cut short, so what lay past its end is gone, and 1,990 messages could not be read and were left out"}, []string{"unknown"}},
		{"nothing lost", store.SalvageReport{Accounts: 1, Messages: 10, Damaged: true},
			[]string{"no message is known to be lost"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := repairSummary("/d/popbox.db", "/d/new.db", c.rep, false)
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("summary\n%q\ndoes not say\n%q", got, w)
				}
			}
			for _, w := range c.not {
				if strings.Contains(got, w) {
					t.Errorf("summary %q says %q", got, w)
				}
			}
			if c.rep.LostUnknown && strings.Contains(got, "no message is known to be lost") {
				t.Errorf("summary %q claims nothing was lost", got)
			}
		})
	}
}
