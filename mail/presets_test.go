package mail

import (
	"context"
	"errors"
	"testing"
)

func TestPresetFor(t *testing.T) {
	tests := []struct {
		email    string
		provider string
		inHost   string
		inPort   int
		outHost  string
		outPort  int
		outSec   Security
	}{
		{"a@zoho.com", "Zoho Mail", "pop.zoho.com", 995, "smtp.zoho.com", 465, SecuritySSL},
		{"a@zohomail.com", "Zoho Mail", "pop.zoho.com", 995, "smtp.zoho.com", 465, SecuritySSL},
		{"a@gmail.com", "Gmail", "pop.gmail.com", 995, "smtp.gmail.com", 465, SecuritySSL},
		{"a@GoogleMail.com", "Gmail", "pop.gmail.com", 995, "smtp.gmail.com", 465, SecuritySSL},
		{"a@outlook.com", "Outlook.com", "outlook.office365.com", 995, "smtp-mail.outlook.com", 587, SecurityStartTLS},
		{"a@hotmail.com", "Outlook.com", "outlook.office365.com", 995, "smtp-mail.outlook.com", 587, SecurityStartTLS},
		{"a@live.com", "Outlook.com", "outlook.office365.com", 995, "smtp-mail.outlook.com", 587, SecurityStartTLS},
		{"a@office365.com", "Outlook.com", "outlook.office365.com", 995, "smtp-mail.outlook.com", 587, SecurityStartTLS},
		{"a@corp.onmicrosoft.com", "Outlook.com", "outlook.office365.com", 995, "smtp-mail.outlook.com", 587, SecurityStartTLS},
		{"a@yahoo.com", "Yahoo Mail", "pop.mail.yahoo.com", 995, "smtp.mail.yahoo.com", 465, SecuritySSL},
		{"a@yahoo.co.jp", "Yahoo! JAPAN", "pop.mail.yahoo.co.jp", 995, "smtp.mail.yahoo.co.jp", 465, SecuritySSL},
	}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			p, ok := PresetFor(tt.email)
			if !ok {
				t.Fatal("no preset")
			}
			if p.Provider != tt.provider || p.Incoming.Host != tt.inHost || p.Incoming.Port != tt.inPort || p.Incoming.Security != SecuritySSL {
				t.Errorf("incoming %+v", p)
			}
			if p.Outgoing.Host != tt.outHost || p.Outgoing.Port != tt.outPort || p.Outgoing.Security != tt.outSec {
				t.Errorf("outgoing %+v", p.Outgoing)
			}
			if len(p.Hints) == 0 || p.Hints[0] != HintEnablePOP {
				t.Errorf("hints %v: enabling POP comes first", p.Hints)
			}
		})
	}
	for _, e := range []string{"a@example.com", "nobody", "", "a@gmail.com.evil.test"} {
		if _, ok := PresetFor(e); ok {
			t.Errorf("PresetFor(%q) found a preset", e)
		}
	}
	if p, _ := PresetFor("a@gmail.com"); !hasHint(p.Hints, HintAppPassword) || !hasHint(p.Hints, HintGmailRecent) {
		t.Error("Gmail lacks the app-password or recent: hint")
	}
}

func hasHint(hs []Hint, h Hint) bool {
	for _, x := range hs {
		if x == h {
			return true
		}
	}
	return false
}

func TestDeriveSMTP(t *testing.T) {
	tests := []struct{ email, in, want string }{
		{"a@gmail.com", "pop.gmail.com", "smtp.gmail.com"},
		{"a@example.com", "pop.example.com", "smtp.example.com"},
		{"a@example.com", "pop3.example.com", "smtp.example.com"},
		{"a@example.com", "mail.example.com", "mail.example.com"},
		{"a@example.com", "smtp.example.com", "smtp.example.com"},
		{"a@example.com", "in.mx.example.com", "smtp.mx.example.com"},
		{"a@example.com", "example.com", "smtp.example.com"},
		{"a@example.com", "127.0.0.1", "127.0.0.1"},
		{"a@example.com", "localhost", "localhost"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			s := OutgoingServerFor(tt.email, Server{Host: tt.in})
			if s.Host != tt.want {
				t.Errorf("host %q, want %q", s.Host, tt.want)
			}
			if tt.email == "a@example.com" && (s.Port != 465 || s.Security != SecuritySSL) {
				t.Errorf("derived %d/%v, want 465 ssl", s.Port, s.Security)
			}
		})
	}
}

func TestAccountSMTP(t *testing.T) {
	a := validAccount()
	a.Incoming.User = "recent:taro@gmail.com"
	a.Email = "taro@gmail.com"
	s := a.SMTP()
	if s.Host != "smtp.gmail.com" || s.Port != 465 || s.User != "taro@gmail.com" || s.Password != "pw" {
		t.Fatalf("same credentials SMTP = %+v", s)
	}
	a.SMTPSame = false
	a.Outgoing = Server{Host: "smtp.other.test", Port: 587, Security: SecurityStartTLS, User: "o", Password: "op"}
	if s := a.SMTP(); s != a.Outgoing {
		t.Fatalf("by-hand SMTP = %+v", s)
	}
}

func TestResolvePassword(t *testing.T) {
	ctx := context.Background()
	s := Server{Password: "plain"}
	if pw, err := s.ResolvePassword(ctx); err != nil || pw != "plain" {
		t.Fatalf("plain: %q %v", pw, err)
	}
	s = Server{PasswordCmd: "printf 'from-cmd\\nsecond\\n'"}
	if pw, err := s.ResolvePassword(ctx); err != nil || pw != "from-cmd" {
		t.Fatalf("cmd: %q %v", pw, err)
	}
	s = Server{PasswordCmd: "exit 3"}
	if _, err := s.ResolvePassword(ctx); !errors.Is(err, ErrPasswordCmd) {
		t.Fatalf("failing cmd: %v", err)
	}
	s = Server{PasswordCmd: "true"}
	if _, err := s.ResolvePassword(ctx); !errors.Is(err, ErrPasswordCmd) {
		t.Fatalf("silent cmd: %v", err)
	}
}
