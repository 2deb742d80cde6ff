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

// TestAccountAddPortAndSecurity: a port left out is the usual one for the
// security given, and a security left out is the one the port implies
// (mail.DefaultPort, mail.SecurityForPort), on both sides.
func TestAccountAddPortAndSecurity(t *testing.T) {
	type side struct {
		Port     int    `json:"port"`
		Security string `json:"security"`
	}
	tests := []struct {
		name    string
		args    []string
		in, out side
	}{
		{"ssl port, nothing else", []string{"--port", "995"}, side{995, "ssl"}, side{465, "ssl"}},
		{"110 implies starttls", []string{"--port", "110"}, side{110, "starttls"}, side{465, "ssl"}},
		{"other port keeps ssl", []string{"--port", "1995"}, side{1995, "ssl"}, side{465, "ssl"}},
		{"outgoing starttls on its usual port", []string{"--port", "995", "--smtp-host", "smtp.example.com", "--smtp-security", "starttls"}, side{995, "ssl"}, side{587, "starttls"}},
		{"outgoing 587 implies starttls", []string{"--port", "995", "--smtp-host", "smtp.example.com", "--smtp-port", "587"}, side{995, "ssl"}, side{587, "starttls"}},
		{"outgoing 25 implies starttls", []string{"--port", "995", "--smtp-host", "smtp.example.com", "--smtp-port", "25"}, side{995, "ssl"}, side{25, "starttls"}},
		{"outgoing server alone", []string{"--port", "995", "--smtp-host", "smtp.example.com"}, side{995, "ssl"}, side{465, "ssl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI(t, nil)
			args := append([]string{"account", "add", "--name", "box", "--email", "taro@example.com",
				"--host", "pop.example.com", "--user", "taro", "--password-stdin", "--no-check"}, tt.args...)
			c.ok("secret\n", args...)
			var accts []struct {
				Incoming side `json:"incoming"`
				Outgoing side `json:"outgoing"`
			}
			out := c.ok("", "accounts", "--json")
			if err := json.Unmarshal([]byte(out), &accts); err != nil || len(accts) != 1 {
				t.Fatalf("accounts --json: %v\n%s", err, out)
			}
			if accts[0].Incoming != tt.in || accts[0].Outgoing != tt.out {
				t.Errorf("incoming %+v outgoing %+v, want %+v and %+v", accts[0].Incoming, accts[0].Outgoing, tt.in, tt.out)
			}
		})
	}
}
