package mail

import (
	"encoding/json"
	"strings"
	"testing"
)

func validAccount() Account {
	return Account{
		Name:     "Work",
		Email:    "taro@example.com",
		Incoming: Server{Host: "pop.example.com", Port: 995, Security: SecuritySSL, User: "taro@example.com", Password: "pw"},
		SMTPSame: true,
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(a *Account)
		taken   []string
		field   string
		code    string
		warning bool
	}{
		{"empty name", func(a *Account) { a.Name = "  " }, nil, FieldName, CodeRequired, false},
		{"name with newline", func(a *Account) { a.Name = "a\nb" }, nil, FieldName, CodeBadChars, false},
		{"duplicate name", func(a *Account) {}, []string{"work"}, FieldName, CodeDuplicateName, false},
		{"empty email", func(a *Account) { a.Email = "" }, nil, FieldEmail, CodeRequired, false},
		{"not an address", func(a *Account) { a.Email = "not-an-address" }, nil, FieldEmail, CodeBadEmail, false},
		{"address with name", func(a *Account) { a.Email = "Taro <taro@example.com>" }, nil, FieldEmail, CodeBadEmail, false},
		{"address two ats", func(a *Account) { a.Email = "a@b@c" }, nil, FieldEmail, CodeBadEmail, false},
		{"address trailing dot", func(a *Account) { a.Email = "a@example." }, nil, FieldEmail, CodeBadEmail, false},
		{"empty host", func(a *Account) { a.Incoming.Host = "" }, nil, FieldHost, CodeRequired, false},
		{"host with scheme", func(a *Account) { a.Incoming.Host = "pop://pop.example.com" }, nil, FieldHost, CodeHostScheme, false},
		{"host with space", func(a *Account) { a.Incoming.Host = "pop example.com" }, nil, FieldHost, CodeHostInvalid, false},
		{"host with port", func(a *Account) { a.Incoming.Host = "pop.example.com:995" }, nil, FieldHost, CodeHostInvalid, false},
		{"host leading space", func(a *Account) { a.Incoming.Host = " pop.example.com" }, nil, FieldHost, CodeHostInvalid, false},
		{"host bad label", func(a *Account) { a.Incoming.Host = "pop..example.com" }, nil, FieldHost, CodeHostInvalid, false},
		{"port 0", func(a *Account) { a.Incoming.Port = 0 }, nil, FieldPort, CodePortRange, false},
		{"port 70000", func(a *Account) { a.Incoming.Port = 70000 }, nil, FieldPort, CodePortRange, false},
		{"none on 995 warns", func(a *Account) { a.Incoming.Security = SecurityNone }, nil, FieldSecurity, CodePlainOnTLS, true},
		{"none on 110 warns", func(a *Account) { a.Incoming.Security = SecurityNone; a.Incoming.Port = 110 }, nil, FieldSecurity, CodePlainPassword, true},
		{"starttls on 995 warns", func(a *Account) { a.Incoming.Security = SecurityStartTLS }, nil, FieldSecurity, CodePlainOnTLS, true},
		{"ssl on 110 warns", func(a *Account) { a.Incoming.Port = 110 }, nil, FieldSecurity, CodeTLSOnPlain, true},
		{"empty user", func(a *Account) { a.Incoming.User = "" }, nil, FieldUser, CodeRequired, false},
		{"user with CRLF", func(a *Account) { a.Incoming.User = "alice\r\nDELE 1" }, nil, FieldUser, CodeBadChars, false},
		{"empty password", func(a *Account) { a.Incoming.Password = "" }, nil, FieldPassword, CodeRequired, false},
		{"password with LF", func(a *Account) { a.Incoming.Password = "a\nb" }, nil, FieldPassword, CodeBadChars, false},
		{"recent with delete", func(a *Account) {
			a.Incoming.User = "recent:taro@gmail.com"
			a.Retention = Retention{Kind: RetainDelete}
		}, nil, FieldRetention, CodeRecentKeep, false},
		{"recent with mirror", func(a *Account) {
			a.Incoming.User = "Recent:taro@gmail.com"
			a.Retention = Retention{Kind: RetainMirror}
		}, nil, FieldRetention, CodeRecentKeep, false},
		{"days 0", func(a *Account) { a.Retention = Retention{Kind: RetainDays, Days: 0} }, nil, FieldRetention, CodeDaysRange, false},
		{"days 3651", func(a *Account) { a.Retention = Retention{Kind: RetainDays, Days: 3651} }, nil, FieldRetention, CodeDaysRange, false},
		{"smtp by hand empty host", func(a *Account) { a.SMTPSame = false }, nil, FieldSMTPHost, CodeRequired, false},
		{"smtp by hand bad port", func(a *Account) {
			a.SMTPSame = false
			a.Outgoing = Server{Host: "smtp.example.com", Port: 0, Security: SecuritySSL, User: "u", Password: "p"}
		}, nil, FieldSMTPPort, CodePortRange, false},
		{"smtp by hand no password", func(a *Account) {
			a.SMTPSame = false
			a.Outgoing = Server{Host: "smtp.example.com", Port: 465, Security: SecuritySSL, User: "u"}
		}, nil, FieldSMTPPassword, CodeRequired, false},
		{"alias with a name", func(a *Account) { a.Aliases = "Sales <sales@example.com>" }, nil, FieldAliases, CodeBadAlias, false},
		{"alias not an address", func(a *Account) { a.Aliases = "info@example.com, not-an-address" }, nil, FieldAliases, CodeBadAlias, false},
		{"alias in brackets", func(a *Account) { a.Aliases = "<sales@example.com>" }, nil, FieldAliases, CodeBadAlias, false},
		{"alias the own address", func(a *Account) { a.Aliases = "info@example.com, " + strings.ToUpper(a.Email) }, nil, FieldAliases, CodeOwnAlias, false},
		{"aliases with a line break", func(a *Account) { a.Aliases = "info@example.com\nsales@example.com" }, nil, FieldAliases, CodeBadChars, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := validAccount()
			tt.edit(&a)
			fe := a.Validate(tt.taken)
			got, ok := fe.For(tt.field)
			if !ok {
				t.Fatalf("no problem reported for %s; got %v", tt.field, fe)
			}
			if got.Code != tt.code || got.Warning != tt.warning {
				t.Fatalf("got code %q warning %v, want %q warning %v (%s)", got.Code, got.Warning, tt.code, tt.warning, got.Message)
			}
			if got.Message == "" || !strings.HasSuffix(got.Message, ".") {
				t.Errorf("message %q is not a sentence", got.Message)
			}
			if tt.warning && len(fe.Errors()) != 0 {
				t.Errorf("a warning case also has errors: %v", fe.Errors())
			}
			if !tt.warning && len(fe.Errors()) == 0 {
				t.Errorf("an error case has no blocking errors")
			}
		})
	}
}

func TestValidateAcceptsGoodAccounts(t *testing.T) {
	good := []struct {
		name string
		edit func(a *Account)
	}{
		{"plain", func(a *Account) {}},
		{"recent with keep", func(a *Account) { a.Incoming.User = "recent:taro@gmail.com" }},
		{"days 1", func(a *Account) { a.Retention = Retention{Kind: RetainDays, Days: 1} }},
		{"days 3650", func(a *Account) { a.Retention = Retention{Kind: RetainDays, Days: 3650} }},
		{"password command", func(a *Account) { a.Incoming.Password = ""; a.Incoming.PasswordCmd = "pass show mail" }},
		{"ip host", func(a *Account) { a.Incoming.Host = "127.0.0.1" }},
		{"ipv6 host", func(a *Account) { a.Incoming.Host = "::1" }},
		{"starttls 110", func(a *Account) { a.Incoming.Port = 110; a.Incoming.Security = SecurityStartTLS }},
		{"japanese name", func(a *Account) { a.Name = "仕事用" }},
		{"other name taken", func(a *Account) {}},
		{"aliases", func(a *Account) { a.Aliases = "sales@example.com, info@example.com" }},
		{"aliases loosely typed", func(a *Account) { a.Aliases = " sales@example.com,,info@example.com ," }},
	}
	for _, tt := range good {
		t.Run(tt.name, func(t *testing.T) {
			a := validAccount()
			tt.edit(&a)
			if errs := a.Validate([]string{"Home"}).Errors(); len(errs) != 0 {
				t.Fatalf("unexpected errors: %v", errs)
			}
		})
	}
}

// TestAliases: NormalizeAliases keeps the other addresses as "a, b";
// BadAlias names the first one Validate refuses, and why.
func TestAliases(t *testing.T) {
	for in, want := range map[string]string{
		"":                           "",
		" , ":                        "",
		"a@x.test":                   "a@x.test",
		" a@x.test ,b@x.test,, ":     "a@x.test, b@x.test",
		"a@x.test, Sales <s@x.test>": "a@x.test, Sales <s@x.test>",
	} {
		if got := NormalizeAliases(in); got != want {
			t.Errorf("NormalizeAliases(%q) = %q, want %q", in, got, want)
		}
	}
	a := Account{Email: "taro@example.com"}
	for aliases, want := range map[string][2]string{
		"":                                 {"", ""},
		"a@x.test, b@x.test":               {"", ""},
		"a@x.test, not-an-address, b@":     {"not-an-address", CodeBadAlias},
		"Sales <s@x.test>":                 {"Sales <s@x.test>", CodeBadAlias},
		"a@x.test, Taro@Example.com":       {"Taro@Example.com", CodeOwnAlias},
		"taro@example.com, not-an-address": {"taro@example.com", CodeOwnAlias},
	} {
		a.Aliases = aliases
		if x, code := a.BadAlias(); x != want[0] || code != want[1] {
			t.Errorf("BadAlias of %q = %q, %q; want %q, %q", aliases, x, code, want[0], want[1])
		}
	}
}

func TestParsePort(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
		code string
	}{
		{"995", 995, ""}, {" 110 ", 110, ""}, {"0", 0, CodePortRange}, {"70000", 70000, CodePortRange},
		{"abc", 0, CodePortNumber}, {"", 0, CodePortNumber}, {"-1", -1, CodePortRange},
	} {
		t.Run(tt.in, func(t *testing.T) {
			n, fe := ParsePort(FieldPort, tt.in)
			if tt.code == "" {
				if fe != nil || n != tt.want {
					t.Fatalf("ParsePort(%q) = %d, %v", tt.in, n, fe)
				}
				return
			}
			if fe == nil || fe.Code != tt.code || fe.Field != FieldPort {
				t.Fatalf("ParsePort(%q) = %d, %v; want code %s", tt.in, n, fe, tt.code)
			}
		})
	}
}

func TestParseRetention(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    Retention
		wantErr bool
	}{
		{"keep", Retention{Kind: RetainKeep}, false},
		{"delete", Retention{Kind: RetainDelete}, false},
		{"mirror", Retention{Kind: RetainMirror}, false},
		{"days:30", Retention{Kind: RetainDays, Days: 30}, false},
		{"DAYS:7", Retention{Kind: RetainDays, Days: 7}, false},
		{"days:x", Retention{}, true},
		{"forever", Retention{}, true},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRetention(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("ParseRetention(%q) = %v, %v", tt.in, got, err)
			}
			if err == nil {
				back, _ := ParseRetention(got.String())
				if back != got {
					t.Fatalf("round trip %v -> %q -> %v", got, got.String(), back)
				}
			}
		})
	}
}

func TestAccountJSONHasNoPassword(t *testing.T) {
	a := validAccount()
	a.Incoming.Password = "Zx9-unique-S3cret-pw"
	a.Outgoing.Password = "other-Secret-77"
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "Zx9-unique") || strings.Contains(string(b), "other-Secret") {
		t.Fatalf("password in JSON: %s", b)
	}
	var back Account
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Incoming.Security != SecuritySSL || back.Retention != a.Retention || back.Name != a.Name {
		t.Fatalf("round trip lost fields: %+v", back)
	}
}

func TestSecurityAndSharingParse(t *testing.T) {
	for in, want := range map[string]Security{"ssl": SecuritySSL, "TLS": SecuritySSL, "starttls": SecurityStartTLS, "stls": SecurityStartTLS, "none": SecurityNone} {
		if got, err := ParseSecurity(in); err != nil || got != want {
			t.Errorf("ParseSecurity(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseSecurity("ssl3"); err == nil {
		t.Error("ParseSecurity(ssl3) accepted")
	}
	if s, err := ParseSharing("public"); err != nil || s != SharingPublic {
		t.Error("ParseSharing(public)")
	}
	if _, err := ParseSharing("everyone"); err == nil {
		t.Error("ParseSharing(everyone) accepted")
	}
}

func TestSecurityForPort(t *testing.T) {
	tests := []struct {
		name     string
		port     int
		outgoing bool
		current  Security
		want     Security
	}{
		{"pop3 995 is ssl", 995, false, SecurityNone, SecuritySSL},
		{"pop3 110 is starttls", 110, false, SecuritySSL, SecurityStartTLS},
		{"pop3 other port keeps the choice", 1995, false, SecurityNone, SecurityNone},
		{"pop3 465 is no pop3 port", 465, false, SecurityStartTLS, SecurityStartTLS},
		{"pop3 25 is no pop3 port", 25, false, SecurityNone, SecurityNone},
		{"smtp 465 is ssl", 465, true, SecurityNone, SecuritySSL},
		{"smtp 587 is starttls", 587, true, SecuritySSL, SecurityStartTLS},
		{"smtp 25 is starttls", 25, true, SecuritySSL, SecurityStartTLS},
		{"smtp 995 is no smtp port", 995, true, SecurityStartTLS, SecurityStartTLS},
		{"smtp other port keeps the choice", 2525, true, SecurityNone, SecurityNone},
		{"port 0 keeps the choice", 0, false, SecurityStartTLS, SecurityStartTLS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SecurityForPort(tt.port, tt.outgoing, tt.current); got != tt.want {
				t.Errorf("SecurityForPort(%d, %v, %v) = %v, want %v", tt.port, tt.outgoing, tt.current, got, tt.want)
			}
		})
	}
}

func TestDefaultPort(t *testing.T) {
	tests := []struct {
		name     string
		sec      Security
		outgoing bool
		want     int
	}{
		{"pop3 ssl", SecuritySSL, false, 995},
		{"pop3 starttls", SecurityStartTLS, false, 110},
		{"pop3 none", SecurityNone, false, 110},
		{"smtp ssl", SecuritySSL, true, 465},
		{"smtp starttls", SecurityStartTLS, true, 587},
		{"smtp none", SecurityNone, true, 587},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DefaultPort(tt.sec, tt.outgoing)
			if got != tt.want {
				t.Fatalf("DefaultPort(%v, %v) = %d, want %d", tt.sec, tt.outgoing, got, tt.want)
			}
			// The port a security defaults to implies that security back.
			if tt.sec != SecurityNone {
				if back := SecurityForPort(got, tt.outgoing, SecurityNone); back != tt.sec {
					t.Errorf("SecurityForPort(%d) = %v, want %v", got, back, tt.sec)
				}
			}
		})
	}
}

func TestRecentPrefix(t *testing.T) {
	tests := []struct {
		name   string
		user   string
		recent bool
		out    string
	}{
		{"lower case", "recent:ann@gmail.com", true, "ann@gmail.com"},
		{"capitalised", "Recent:ann@gmail.com", true, "ann@gmail.com"},
		{"upper case", "RECENT:ann@gmail.com", true, "ann@gmail.com"},
		{"mixed case", "rEcEnT:ann@gmail.com", true, "ann@gmail.com"},
		{"surrounding space", "  Recent:ann@gmail.com ", true, "ann@gmail.com"},
		{"prefix only", "recent:", true, ""},
		{"no prefix", "ann@gmail.com", false, "ann@gmail.com"},
		{"no colon", "recentann@gmail.com", false, "recentann@gmail.com"},
		{"word alone", "recent", false, "recent"},
		{"not at the start", "ann+recent:x@gmail.com", false, "ann+recent:x@gmail.com"},
		{"empty", "", false, ""},
		{"non-ASCII user", "Recent:太郎@example.jp", true, "太郎@example.jp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HasRecentPrefix(tt.user); got != tt.recent {
				t.Errorf("HasRecentPrefix(%q) = %v, want %v", tt.user, got, tt.recent)
			}
			if got := WithoutRecentPrefix(tt.user); got != tt.out {
				t.Errorf("WithoutRecentPrefix(%q) = %q, want %q", tt.user, got, tt.out)
			}
		})
	}
}

func TestOutgoingServerFor(t *testing.T) {
	tests := []struct {
		name     string
		email    string
		incoming Server
		want     Server
	}{
		{"gmail recent: lower case", "ann@gmail.com",
			Server{Host: "pop.gmail.com", Port: 995, User: "recent:ann@gmail.com", Password: "pw"},
			Server{Host: "smtp.gmail.com", Port: 465, Security: SecuritySSL, User: "ann@gmail.com", Password: "pw"}},
		{"gmail Recent: capitalised", "ann@gmail.com",
			Server{Host: "pop.gmail.com", Port: 995, User: "Recent:ann@gmail.com", Password: "pw"},
			Server{Host: "smtp.gmail.com", Port: 465, Security: SecuritySSL, User: "ann@gmail.com", Password: "pw"}},
		{"gmail RECENT: upper case", "ann@gmail.com",
			Server{Host: "pop.gmail.com", Port: 995, User: "RECENT:ann@gmail.com", PasswordCmd: "pass gmail"},
			Server{Host: "smtp.gmail.com", Port: 465, Security: SecuritySSL, User: "ann@gmail.com", PasswordCmd: "pass gmail"}},
		{"preset on 587", "ann@outlook.com",
			Server{Host: "outlook.office365.com", Port: 995, User: "ann@outlook.com"},
			Server{Host: "smtp-mail.outlook.com", Port: 587, Security: SecurityStartTLS, User: "ann@outlook.com"}},
		{"no preset: pop. becomes smtp.", "taro@example.com",
			Server{Host: "pop.example.com", Port: 110, Security: SecurityStartTLS, User: "taro"},
			Server{Host: "smtp.example.com", Port: 465, Security: SecuritySSL, User: "taro"}},
		{"no preset: an address stays", "taro@example.com",
			Server{Host: "127.0.0.1", Port: 995, User: "taro"},
			Server{Host: "127.0.0.1", Port: 465, Security: SecuritySSL, User: "taro"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OutgoingServerFor(tt.email, tt.incoming); got != tt.want {
				t.Errorf("OutgoingServerFor = %+v, want %+v", got, tt.want)
			}
			a := Account{Email: tt.email, Incoming: tt.incoming, SMTPSame: true}
			if got := a.SMTP(); got != tt.want {
				t.Errorf("Account.SMTP() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestAccountSMTPRecentAnyCase: the outgoing user of "same credentials" never
// carries recent:, in whatever case the incoming user has it.
func TestAccountSMTPRecentAnyCase(t *testing.T) {
	for _, user := range []string{"recent:ann@gmail.com", "Recent:ann@gmail.com", "RECENT:ann@gmail.com"} {
		a := Account{Email: "ann@gmail.com", SMTPSame: true,
			Incoming: Server{Host: "pop.gmail.com", Port: 995, User: user, Password: "pw"}}
		if got := a.SMTP().User; got != "ann@gmail.com" {
			t.Errorf("incoming user %q: outgoing user %q, want ann@gmail.com", user, got)
		}
	}
}
