package store

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"popbox/mail"
)

func activeName(t *testing.T, s *Store) string {
	t.Helper()
	id, err := s.ActiveID()
	if err != nil {
		t.Fatal(err)
	}
	if id == "" {
		if _, err := s.Active(); !errors.Is(err, ErrNoAccount) {
			t.Errorf("Active() with none: %v, want ErrNoAccount", err)
		}
		return ""
	}
	a, err := s.Active()
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != id {
		t.Errorf("Active().ID = %s, ActiveID() = %s", a.ID, id)
	}
	return a.Name
}

func TestActiveAccountInvariants(t *testing.T) {
	type step struct {
		do         string // add, use, remove
		name       string
		wantActive string
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"first added becomes active", []step{
			{"add", "Work", "Work"},
			{"add", "Home", "Work"},
		}},
		{"use switches", []step{
			{"add", "Work", "Work"},
			{"add", "Home", "Work"},
			{"use", "home", "Home"},
			{"use", "Work", "Work"},
		}},
		{"removing the active picks the first remaining", []step{
			{"add", "Work", "Work"},
			{"add", "Home", "Work"},
			{"add", "Club", "Work"},
			{"use", "Club", "Club"},
			{"remove", "Club", "Work"},
			{"remove", "Work", "Home"},
		}},
		{"removing a non-active keeps the active", []step{
			{"add", "Work", "Work"},
			{"add", "Home", "Work"},
			{"use", "Home", "Home"},
			{"remove", "Work", "Home"},
		}},
		{"removing the last leaves none", []step{
			{"add", "Work", "Work"},
			{"remove", "WORK", ""},
			{"add", "Home", "Home"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t)
			if got := activeName(t, s); got != "" {
				t.Fatalf("fresh store has active %q", got)
			}
			for i, st := range c.steps {
				var err error
				switch st.do {
				case "add":
					_, err = s.AddAccount(testAccount(st.name))
				case "use":
					err = s.Use(st.name)
				case "remove":
					err = s.RemoveAccount(st.name)
				}
				if err != nil {
					t.Fatalf("step %d %s %s: %v", i, st.do, st.name, err)
				}
				if got := activeName(t, s); got != st.wantActive {
					t.Fatalf("step %d %s %s: active %q, want %q", i, st.do, st.name, got, st.wantActive)
				}
			}
		})
	}
}

func TestUseAndRemoveUnknown(t *testing.T) {
	s := newStore(t)
	addAccount(t, s, "Work")
	for name, err := range map[string]error{
		"Use":           s.Use("Nope"),
		"RemoveAccount": s.RemoveAccount("Nope"),
		"SetPassword":   s.SetPassword("Nope", false, "pw"),
	} {
		if !errors.Is(err, ErrNoAccount) {
			t.Errorf("%s: %v, want ErrNoAccount", name, err)
		} else if !strings.Contains(err.Error(), `"Nope"`) {
			t.Errorf("%s: message %q does not name the account", name, err)
		}
	}
	if _, err := s.Account("Nope"); !errors.Is(err, ErrNoAccount) {
		t.Errorf("Account: %v", err)
	}
	if got := activeName(t, s); got != "Work" {
		t.Errorf("active %q after failed calls", got)
	}
}

func TestAccountsOrderIDsAndPasswords(t *testing.T) {
	s := newStore(t)
	w := addAccount(t, s, "Work")
	h := addAccount(t, s, "  Home  ")
	if w.ID != "1" || h.ID != "2" {
		t.Errorf("IDs %q %q, want 1 2", w.ID, h.ID)
	}
	if h.Name != "Home" {
		t.Errorf("name not trimmed: %q", h.Name)
	}
	if h.Incoming.Password != "in-  Home  " {
		t.Errorf("AddAccount did not return the passwords: %q", h.Incoming.Password)
	}
	if err := s.RemoveAccount(h.ID); err != nil {
		t.Fatal(err)
	}
	c := addAccount(t, s, "Club")
	if c.ID != "3" {
		t.Errorf("ID reused: %q, want 3", c.ID)
	}
	z := addAccount(t, s, "Alpha")
	list, err := s.Accounts()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range list {
		names = append(names, a.Name)
		if a.Incoming.Password != "" || a.Outgoing.Password != "" {
			t.Errorf("Accounts() carries a password for %s", a.Name)
		}
	}
	if !slices.Equal(names, []string{"Work", "Club", "Alpha"}) {
		t.Errorf("order %v, want creation order", names)
	}
	for _, key := range []string{"alpha", "ALPHA", z.ID} {
		got, err := s.Account(key)
		if err != nil {
			t.Fatalf("Account(%q): %v", key, err)
		}
		if got.ID != z.ID || got.Incoming.Password != "in-Alpha" || got.Outgoing.Password != "out-Alpha" {
			t.Errorf("Account(%q) = %s %q %q", key, got.ID, got.Incoming.Password, got.Outgoing.Password)
		}
	}
}

func TestAddAccountValidation(t *testing.T) {
	s := newStore(t)
	addAccount(t, s, "Work")
	cases := []struct {
		name  string
		edit  func(a *mail.Account)
		field string
		code  string
	}{
		{"duplicate name", func(a *mail.Account) { a.Name = "work" }, mail.FieldName, mail.CodeDuplicateName},
		{"duplicate name with spaces", func(a *mail.Account) { a.Name = " WORK " }, mail.FieldName, mail.CodeDuplicateName},
		{"no host", func(a *mail.Account) { a.Name = "Other"; a.Incoming.Host = "" }, mail.FieldHost, mail.CodeRequired},
		{"no password", func(a *mail.Account) { a.Name = "Other"; a.Incoming.Password = "" }, mail.FieldPassword, mail.CodeRequired},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := testAccount("x")
			c.edit(&a)
			_, err := s.AddAccount(a)
			var fe mail.FieldErrors
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want mail.FieldErrors", err)
			}
			if e, ok := fe.For(c.field); !ok || e.Code != c.code {
				t.Errorf("FieldErrors %v, want %s/%s", fe, c.field, c.code)
			}
		})
	}
	if list, _ := s.Accounts(); len(list) != 1 {
		t.Errorf("refused accounts were stored: %d accounts", len(list))
	}
	// A warning alone does not block.
	a := testAccount("Plain")
	a.Incoming.Security, a.Incoming.Port = mail.SecurityNone, 110
	if _, err := s.AddAccount(a); err != nil {
		t.Errorf("warning blocked saving: %v", err)
	}
}

func TestUpdateAccount(t *testing.T) {
	s := newStore(t)
	w := addAccount(t, s, "Work")
	addAccount(t, s, "Home")
	if err := s.SaveHints(w.ID, mail.ServerHints{ExpireDays: 30, LoginDelay: time.Minute}); err != nil {
		t.Fatal(err)
	}

	// Rename (case change of itself is fine), passwords left "" are kept.
	up := w
	up.Name = "WORK mail"
	up.Incoming.Password, up.Outgoing.Password = "", ""
	up.Retention = mail.Retention{Kind: mail.RetainDays, Days: 30}
	if err := s.UpdateAccount(up); err != nil {
		t.Fatal(err)
	}
	got, err := s.Account(w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "WORK mail" || got.Retention.Days != 30 {
		t.Errorf("update not stored: %+v", got)
	}
	if got.Incoming.Password != "in-Work" || got.Outgoing.Password != "out-Work" {
		t.Errorf("passwords not kept: %q %q", got.Incoming.Password, got.Outgoing.Password)
	}
	if got.Hints.ExpireDays != 30 {
		t.Errorf("hints lost on update: %+v", got.Hints)
	}

	// A new incoming password replaces only that one.
	up.Incoming.Password = "new-in"
	if err := s.UpdateAccount(up); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Account(w.ID)
	if got.Incoming.Password != "new-in" || got.Outgoing.Password != "out-Work" {
		t.Errorf("passwords: %q %q", got.Incoming.Password, got.Outgoing.Password)
	}

	// Another server: its hints start over.
	up.Incoming.Password = ""
	up.Incoming.Host = "pop.other.example"
	if err := s.UpdateAccount(up); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Account(w.ID)
	if got.Hints != (mail.ServerHints{}) {
		t.Errorf("hints kept for a new server: %+v", got.Hints)
	}

	// SMTPSame drops the outgoing password.
	up.SMTPSame = true
	if err := s.UpdateAccount(up); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Account(w.ID)
	if got.Outgoing.Password != "" || got.SMTP().Password != "new-in" {
		t.Errorf("SMTPSame: outgoing %q, SMTP() %q", got.Outgoing.Password, got.SMTP().Password)
	}

	// Taking another account's name is refused.
	up.Name = "home"
	var fe mail.FieldErrors
	if err := s.UpdateAccount(up); !errors.As(err, &fe) {
		t.Errorf("duplicate rename: %v, want FieldErrors", err)
	} else if e, _ := fe.For(mail.FieldName); e.Code != mail.CodeDuplicateName {
		t.Errorf("duplicate rename: %v", fe)
	}
	// An unknown ID.
	up.ID, up.Name = "99", "Ghost"
	if err := s.UpdateAccount(up); !errors.Is(err, ErrNoAccount) {
		t.Errorf("unknown ID: %v, want ErrNoAccount", err)
	}
}

func TestUpdateAccountNeedsSomePassword(t *testing.T) {
	s := newStore(t)
	a := testAccount("Cmd")
	a.Incoming.Password, a.Incoming.PasswordCmd = "", "pass show mail"
	a, err := s.AddAccount(a)
	if err != nil {
		t.Fatal(err)
	}
	// Dropping the command with no stored password to fall back on is refused.
	a.Incoming.PasswordCmd = ""
	var fe mail.FieldErrors
	if err := s.UpdateAccount(a); !errors.As(err, &fe) {
		t.Fatalf("err = %v, want FieldErrors", err)
	}
	if _, ok := fe.For(mail.FieldPassword); !ok {
		t.Errorf("FieldErrors %v lack the password", fe)
	}
}

func TestSetPasswordChangesOneSide(t *testing.T) {
	cases := []struct {
		name         string
		outgoing     bool
		wantIn, want string
	}{
		{"incoming", false, "changed", "out-Work"},
		{"outgoing", true, "in-Work", "changed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t)
			addAccount(t, s, "Work")
			addAccount(t, s, "Home")
			if err := s.SetPassword("work", c.outgoing, "changed"); err != nil {
				t.Fatal(err)
			}
			got, _ := s.Account("Work")
			if got.Incoming.Password != c.wantIn || got.Outgoing.Password != c.want {
				t.Errorf("passwords %q %q, want %q %q", got.Incoming.Password, got.Outgoing.Password, c.wantIn, c.want)
			}
			other, _ := s.Account("Home")
			if other.Incoming.Password != "in-Home" || other.Outgoing.Password != "out-Home" {
				t.Errorf("other account changed: %q %q", other.Incoming.Password, other.Outgoing.Password)
			}
		})
	}
}

func TestSetPasswordRefusals(t *testing.T) {
	s := newStore(t)
	a := testAccount("Same")
	a.SMTPSame = true
	a.Outgoing = mail.Server{}
	if _, err := s.AddAccount(a); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPassword("Same", true, "x"); err == nil || !strings.Contains(said(err), "--incoming") {
		t.Errorf("outgoing on SMTPSame: %v", err)
	}
	for _, pw := range []string{"", "a\nb", "a\x00b"} {
		if err := s.SetPassword("Same", false, pw); err == nil {
			t.Errorf("SetPassword(%q) accepted", pw)
		}
	}
	got, _ := s.Account("Same")
	if got.Incoming.Password != "in-Same" {
		t.Errorf("password changed by a refused call: %q", got.Incoming.Password)
	}
}

func TestSaveHints(t *testing.T) {
	s := newStore(t)
	a := addAccount(t, s, "Work")
	h := mail.ServerHints{LoginDelay: 5 * time.Minute, ExpireDays: -1, ExpireWarned: true, LastLogin: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
	if err := s.SaveHints(a.ID, h); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Account(a.ID)
	if got.Hints.LoginDelay != h.LoginDelay || got.Hints.ExpireDays != -1 || !got.Hints.ExpireWarned || !got.Hints.LastLogin.Equal(h.LastLogin) {
		t.Errorf("hints %+v, want %+v", got.Hints, h)
	}
	if got.Incoming.Password != "in-Work" {
		t.Error("SaveHints touched the password")
	}
	if err := s.SaveHints("42", h); !errors.Is(err, ErrNoAccount) {
		t.Errorf("unknown account: %v", err)
	}
}
