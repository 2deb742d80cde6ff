package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"popbox/mail"
)

func TestReadPolicy(t *testing.T) {
	cases := []struct {
		name    string
		content *string // nil: no file
		want    Policy
		errText string // non-empty: an ErrPolicy whose message contains it
	}{
		{"absent", nil, PolicyUserChoice, ""},
		{"private", ptr(`{"sharing": "private"}`), PolicyPrivate, ""},
		{"public", ptr(`{"sharing":"public"}` + "\n"), PolicyPublic, ""},
		{"user-choice", ptr(`{"sharing": "user-choice"}`), PolicyUserChoice, ""},
		{"other keys ignored", ptr(`{"sharing": "Private", "note": "set by IT"}`), PolicyPrivate, ""},
		{"unknown value", ptr(`{"sharing": "everyone"}`), 0, `"everyone"`},
		{"no sharing", ptr(`{}`), 0, `no "sharing"`},
		{"not JSON", ptr(`sharing = private`), 0, "not valid JSON"},
		{"empty", ptr(``), 0, "not valid JSON"},
		{"two values", ptr(`{"sharing":"public"} {"sharing":"private"}`), 0, "more than one"},
		{"wrong type", ptr(`{"sharing": 1}`), 0, "not valid JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "policy.json")
			if c.content != nil {
				if err := os.WriteFile(path, []byte(*c.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := readPolicy(path)
			if c.errText != "" {
				if !errors.Is(err, ErrPolicy) {
					t.Fatalf("err = %v, want ErrPolicy", err)
				}
				if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.errText) {
					t.Errorf("message %q should name %s and say %q", err, path, c.errText)
				}
				return
			}
			if err != nil || got != c.want {
				t.Errorf("readPolicy = %v, %v; want %v", got, err, c.want)
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestPolicyUnreadable(t *testing.T) {
	// A folder in place of the file cannot be read, whoever runs the test.
	path := t.TempDir()
	if _, err := readPolicy(path); !errors.Is(err, ErrPolicy) || !strings.Contains(err.Error(), path) {
		t.Errorf("unreadable policy: %v", err)
	}
}

func TestPolicyString(t *testing.T) {
	for p, want := range map[Policy]string{PolicyUserChoice: "user-choice", PolicyPrivate: "private", PolicyPublic: "public"} {
		if p.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(p), p.String(), want)
		}
	}
}

func TestPolicyForcesSharing(t *testing.T) {
	cases := []struct {
		name   string
		policy string // "" = no file
		asked  mail.Sharing
		want   mail.Sharing
	}{
		{"absent, user picks public", "", mail.SharingPublic, mail.SharingPublic},
		{"user-choice, user picks private", "user-choice", mail.SharingPrivate, mail.SharingPrivate},
		{"private forces", "private", mail.SharingPublic, mail.SharingPrivate},
		{"public forces", "public", mail.SharingPrivate, mail.SharingPublic},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := testPath(t)
			policy := filepath.Join(filepath.Dir(path), "policy.json")
			if c.policy != "" {
				os.WriteFile(policy, []byte(`{"sharing": "`+c.policy+`"}`), 0o644)
			}
			s := openTest(t, path)
			a := testAccount("Work")
			a.Sharing = c.asked
			got, err := s.AddAccount(a)
			if err != nil {
				t.Fatal(err)
			}
			if got.Sharing != c.want {
				t.Errorf("AddAccount sharing %v, want %v", got.Sharing, c.want)
			}
			list, _ := s.Accounts()
			if list[0].Sharing != c.want {
				t.Errorf("Accounts sharing %v, want %v", list[0].Sharing, c.want)
			}
			got.Sharing = c.asked
			if err := s.UpdateAccount(got); err != nil {
				t.Fatal(err)
			}
			one, _ := s.Account("Work")
			if one.Sharing != c.want {
				t.Errorf("after UpdateAccount sharing %v, want %v", one.Sharing, c.want)
			}
		})
	}
}

func TestPolicyAppliedOnRead(t *testing.T) {
	path := testPath(t)
	policy := filepath.Join(filepath.Dir(path), "policy.json")
	s := openTest(t, path)
	addAccount(t, s, "Work") // private, the zero value

	// The administrator sets a policy after the account was made.
	os.WriteFile(policy, []byte(`{"sharing": "public"}`), 0o644)
	if p, err := s.SharingPolicy(); err != nil || p != PolicyPublic {
		t.Fatalf("SharingPolicy = %v, %v", p, err)
	}
	list, _ := s.Accounts()
	one, _ := s.Account("Work")
	act, _ := s.Active()
	for _, got := range []mail.Sharing{list[0].Sharing, one.Sharing, act.Sharing} {
		if got != mail.SharingPublic {
			t.Errorf("sharing %v under a public policy", got)
		}
	}
	if sh, forced := PolicyPublic.Forced(); !forced || sh != mail.SharingPublic {
		t.Errorf("Forced() = %v, %v", sh, forced)
	}
	if _, forced := PolicyUserChoice.Forced(); forced {
		t.Error("user-choice is forced")
	}

	// A broken file stops account changes with a sentence naming it.
	os.WriteFile(policy, []byte(`{"sharing": "nobody"}`), 0o644)
	if _, err := s.AddAccount(testAccount("Home")); !errors.Is(err, ErrPolicy) || !strings.Contains(err.Error(), policy) {
		t.Errorf("AddAccount under a broken policy: %v", err)
	}
	if _, err := s.Accounts(); !errors.Is(err, ErrPolicy) {
		t.Errorf("Accounts under a broken policy: %v", err)
	}
}

func TestPolicyFileFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "env-policy.json")
	os.WriteFile(policy, []byte(`{"sharing": "private"}`), 0o644)
	t.Setenv("POPBOX_POLICY", policy)
	path := filepath.Join(dir, "popbox.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if p, err := s.SharingPolicy(); err != nil || p != PolicyPrivate {
		t.Errorf("policy from $POPBOX_POLICY = %v, %v", p, err)
	}
}
