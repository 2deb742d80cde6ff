package mail

import "strings"

// Hint is advice the wizard shows for a provider, as a stable key (the TUI
// translates it) and its English text.
type Hint struct {
	Key  string
	Text string
}

// Hints shown by the wizard.
var (
	HintAppPassword = Hint{"app-password", "With 2-step verification on, use an app password, not your usual password."}
	HintEnablePOP   = Hint{"enable-pop", "Enable POP access in the provider's mail settings first."}
	HintGmailRecent = Hint{"gmail-recent", "If other devices also read this Gmail over POP, use recent:you@gmail.com as the user name; popbox then keeps mail on the server."}
	HintFullAddress = Hint{"full-address", "The user name is your full email address."}
	HintMicrosoft   = Hint{"microsoft-signin", "Microsoft refuses passwords for POP: sign in with Microsoft, using a client ID of your own (see the README)."}
	HintGoogle      = Hint{"google-signin", "Or sign in with Google instead of an app password, using a client ID of your own (see the README)."}
)

// Preset is what popbox knows of a provider's servers.
type Preset struct {
	Provider string // display name: Gmail, Zoho Mail ...
	Incoming Server // host, port, security
	Outgoing Server // host, port, security
	// UserIsEmail: the user name is the full address.
	UserIsEmail bool
	Hints       []Hint
	// SignIn is the OAuth2 provider (mail/oauth's name: microsoft,
	// google) the provider's accounts can sign in with, "" for none.
	SignIn string
	// SignInFirst: a password no longer works, so the wizard starts on
	// the sign-in (Microsoft); else a password stays the default (Gmail).
	SignInFirst bool
}

var presets = []struct {
	domains []string
	preset  Preset
}{
	{[]string{"zoho.com", "zohomail.com"}, Preset{
		Provider:    "Zoho Mail",
		Incoming:    Server{Host: "pop.zoho.com", Port: 995, Security: SecuritySSL},
		Outgoing:    Server{Host: "smtp.zoho.com", Port: 465, Security: SecuritySSL},
		UserIsEmail: true,
		Hints:       []Hint{HintEnablePOP, HintAppPassword, HintFullAddress},
	}},
	{[]string{"gmail.com", "googlemail.com"}, Preset{
		Provider:    "Gmail",
		Incoming:    Server{Host: "pop.gmail.com", Port: 995, Security: SecuritySSL},
		Outgoing:    Server{Host: "smtp.gmail.com", Port: 465, Security: SecuritySSL},
		UserIsEmail: true,
		Hints:       []Hint{HintEnablePOP, HintAppPassword, HintGmailRecent, HintGoogle},
		SignIn:      "google",
	}},
	{[]string{"outlook.com", "hotmail.com", "live.com", "office365.com", "outlook.jp", "hotmail.co.jp"}, Preset{
		Provider:    "Outlook.com",
		Incoming:    Server{Host: "outlook.office365.com", Port: 995, Security: SecuritySSL},
		Outgoing:    Server{Host: "smtp-mail.outlook.com", Port: 587, Security: SecurityStartTLS},
		UserIsEmail: true,
		Hints:       []Hint{HintEnablePOP, HintMicrosoft, HintFullAddress},
		SignIn:      "microsoft",
		SignInFirst: true,
	}},
	{[]string{"yahoo.com"}, Preset{
		Provider:    "Yahoo Mail",
		Incoming:    Server{Host: "pop.mail.yahoo.com", Port: 995, Security: SecuritySSL},
		Outgoing:    Server{Host: "smtp.mail.yahoo.com", Port: 465, Security: SecuritySSL},
		UserIsEmail: true,
		Hints:       []Hint{HintEnablePOP, HintAppPassword, HintFullAddress},
	}},
	{[]string{"yahoo.co.jp"}, Preset{
		Provider:    "Yahoo! JAPAN",
		Incoming:    Server{Host: "pop.mail.yahoo.co.jp", Port: 995, Security: SecuritySSL},
		Outgoing:    Server{Host: "smtp.mail.yahoo.co.jp", Port: 465, Security: SecuritySSL},
		UserIsEmail: false,
		Hints:       []Hint{HintEnablePOP},
	}},
}

// PresetFor returns the preset for an address's domain, if popbox knows it.
// A domain ending in ".onmicrosoft.com" is taken as Office 365.
func PresetFor(email string) (Preset, bool) {
	d := Domain(email)
	if d == "" {
		return Preset{}, false
	}
	for _, p := range presets {
		for _, pd := range p.domains {
			if d == pd {
				return p.preset, true
			}
		}
	}
	if strings.HasSuffix(d, ".onmicrosoft.com") {
		return presets[2].preset, true
	}
	return Preset{}, false
}
