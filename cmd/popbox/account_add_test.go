package main

import (
	"encoding/json"
	"testing"
)

// recentOutgoingCases are incoming user names with Gmail's recent: prefix
// in every case, and the outgoing user both front ends must derive from
// them (the wizard's side is TestWizardOutgoingUserWithoutRecent in tui).
var recentOutgoingCases = []struct{ incoming, outgoing string }{
	{"recent:ann@gmail.com", "ann@gmail.com"},
	{"Recent:ann@gmail.com", "ann@gmail.com"},
	{"RECENT:ann@gmail.com", "ann@gmail.com"},
	{"ann@gmail.com", "ann@gmail.com"},
}

// TestAccountAddOutgoingUser: account add gives the outgoing server the
// incoming user without recent:, with the same credentials and with an
// outgoing server given by hand but no --smtp-user.
func TestAccountAddOutgoingUser(t *testing.T) {
	for i, tc := range recentOutgoingCases {
		for _, by := range []string{"same", "smtp-host"} {
			t.Run(tc.incoming+"/"+by, func(t *testing.T) {
				c := newCLI(t, nil)
				args := []string{"account", "add", "--name", "box", "--email", "ann@gmail.com",
					"--host", "pop.gmail.com", "--port", "995", "--user", tc.incoming,
					"--password-stdin", "--retention", "keep", "--no-check"}
				if by == "smtp-host" {
					args = append(args, "--smtp-host", "smtp.gmail.com")
				}
				c.ok("secret\n", args...)
				var accts []struct {
					Incoming struct{ User string } `json:"incoming"`
					Outgoing struct{ User string } `json:"outgoing"`
				}
				out := c.ok("", "accounts", "--json")
				if err := json.Unmarshal([]byte(out), &accts); err != nil || len(accts) != 1 {
					t.Fatalf("accounts --json (case %d): %v\n%s", i, err, out)
				}
				if accts[0].Incoming.User != tc.incoming {
					t.Errorf("incoming user %q, want %q", accts[0].Incoming.User, tc.incoming)
				}
				if accts[0].Outgoing.User != tc.outgoing {
					t.Errorf("outgoing user %q, want %q", accts[0].Outgoing.User, tc.outgoing)
				}
			})
		}
	}
}
