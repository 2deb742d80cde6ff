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
	{[]string{"zoho.com", "zohomail.com"}, zohoPreset("Zoho Mail", "pop.zoho.com", "smtp.zoho.com")},
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
	// Zoho Mail's other data centres (see zohoCentres): personal addresses
	// at the centre's own domains.
	{[]string{"zoho.eu", "zohomail.eu"}, zohoPreset("Zoho Mail EU", "pop.zoho.eu", "smtp.zoho.eu")},
	{[]string{"zoho.in", "zohomail.in"}, zohoPreset("Zoho Mail India", "pop.zoho.in", "smtp.zoho.in")},
	{[]string{"zoho.com.au", "zohomail.com.au"}, zohoPreset("Zoho Mail Australia", "pop.zoho.com.au", "smtp.zoho.com.au")},
	{[]string{"zoho.jp", "zohomail.jp"}, zohoPreset("Zoho Mail Japan", "pop.zoho.jp", "smtp.zoho.jp")},
	{[]string{"zohocloud.ca", "zohomailcloud.ca"}, zohoPreset("Zoho Mail Canada", "pop.zohocloud.ca", "smtp.zohocloud.ca")},
}

// zohoPreset is a Zoho Mail account's preset: POP3 on 995 and SMTP on 465,
// both SSL, the full address as the user name (Zoho documents 587 with
// STARTTLS for SMTP as well).
func zohoPreset(provider, pop, smtp string) Preset {
	return Preset{
		Provider:    provider,
		Incoming:    Server{Host: pop, Port: 995, Security: SecuritySSL},
		Outgoing:    Server{Host: smtp, Port: 465, Security: SecuritySSL},
		UserIsEmail: true,
		Hints:       []Hint{HintEnablePOP, HintAppPassword, HintFullAddress},
	}
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

// The hosted services a company domain's mail can live at, which package
// mail/discover recognises by the domain's MX records. They are not tied
// to an address's domain, so PresetFor never gives them.

// GoogleWorkspacePreset is a Google Workspace account (a company domain
// whose mail Google hosts): Gmail's servers, and Google sign-in beside the
// app password.
func GoogleWorkspacePreset() Preset {
	p, _ := PresetFor("x@gmail.com")
	p.Provider = "Google Workspace"
	// Gmail's recent: hint names a gmail.com address; the rest hold.
	p.Hints = []Hint{HintEnablePOP, HintAppPassword, HintFullAddress, HintGoogle}
	return p
}

// Microsoft365Preset is a Microsoft 365 (Exchange Online) account on a
// company domain: Microsoft refuses passwords for POP, so the sign-in
// comes first; the outgoing server is Microsoft 365's submission host.
func Microsoft365Preset() Preset {
	return Preset{
		Provider:    "Microsoft 365",
		Incoming:    Server{Host: "outlook.office365.com", Port: 995, Security: SecuritySSL},
		Outgoing:    Server{Host: "smtp.office365.com", Port: 587, Security: SecurityStartTLS},
		UserIsEmail: true,
		Hints:       []Hint{HintEnablePOP, HintMicrosoft, HintFullAddress},
		SignIn:      "microsoft",
		SignInFirst: true,
	}
}

// Zoho Mail keeps each account in one of its data centres, and the
// servers carry that centre's domain. Personal accounts (an address at one
// of Zoho's own domains) use pop.DC and smtp.DC, which the presets above
// hold; organisation accounts (a company domain hosted at Zoho, on a paid
// plan: POP access is not offered on the free plan) use poppro.DC and
// smtppro.DC.
//
// Where this comes from (read as stored copies; there is no web access
// where this was written):
//   - Zoho's "POP configuration details" page,
//     https://www.zoho.com/mail/help/pop-access.html: pop.zoho.com, 995,
//     SSL; smtp.zoho.com, 465 SSL or 587 TLS; the full address as the user
//     name. Its current text, as Zoho's resellers quote it word for word
//     (https://pixelkicks.freshdesk.com/support/solutions/articles/241553-zoho-mail-pop-configuration,
//     https://support.cc-wd.com/portal/en/kb/articles/mail-access-via-pop3),
//     splits "Personal Users with email address as username@zoho.com"
//     (pop.zoho.com) from "Organization Users with domain based email
//     address you@yourdomain.com" (poppro.zoho.com).
//   - The India data centre's version of that page and of Zoho's "SMTP
//     Server Configuration" page (https://www.zoho.com/mail/help/zoho-smtp.html),
//     as a Zoho partner publishes them (https://fgrade.com/zoho-mail/pop-access,
//     https://fgrade.com/post/zoho-mail-smtp-server-configuration):
//     pop.zoho.in and poppro.zoho.in, smtp.zoho.in and smtppro.zoho.in.
//     The US version of the SMTP page, as quoted at
//     https://wiki.stretchpowered.com/books/zoho/page/how-to-configure-email-server-with-zoho-smtp-settings,
//     gives smtppro.zoho.com to "Paid Organization users".
//   - The EU names (pop.zoho.eu, poppro.zoho.eu, smtp.zoho.eu,
//     smtppro.zoho.eu): https://clean.email/blog/email-settings/zoho-mail-settings.
//   - The personal servers and domains of every centre: Mozilla's ISPDB,
//     https://github.com/thunderbird/autoconfig/tree/master/ispdb
//     (zoho.com.xml, zoho.eu.xml, zoho.in.xml, zoho.com.au.xml,
//     zoho.jp.xml, zohocloud.ca.xml), whose entries cite the Zoho pages
//     above. Canada's servers are under zohocloud.ca, not zoho.ca.
//   - The data centres themselves: Zoho's multi-DC table,
//     https://www.zoho.com/workdrive/developer/docs/api/v1/getting-started-multi-dc-support.html.
//
// No source was found for the organisation servers of the Australian,
// Japanese, Canadian, Saudi, Emirati and Chinese centres, so they are not
// guessed: ZohoOrganizationPreset says it does not know them.
var zohoCentres = []struct {
	dc, name string
	org      bool // poppro.DC and smtppro.DC are confirmed
}{
	{"zoho.com", "Zoho Mail", true},
	{"zoho.eu", "Zoho Mail EU", true},
	{"zoho.in", "Zoho Mail India", true},
	{"zoho.com.au", "Zoho Mail Australia", false},
	{"zoho.jp", "Zoho Mail Japan", false},
	{"zohocloud.ca", "Zoho Mail Canada", false},
	{"zoho.sa", "Zoho Mail Saudi Arabia", false},
	{"zoho.ae", "Zoho Mail UAE", false},
	{"zoho.com.cn", "Zoho Mail China", false},
}

// ZohoOrganizationPreset is the preset of an organisation account (a
// company domain) in Zoho Mail's data centre dc, the domain its servers
// carry: zoho.com, zoho.eu, zoho.in ... The provider is named in any case
// when dc is one of Zoho's centres; known says whether popbox knows the
// centre's organisation servers (poppro.DC, smtppro.DC).
func ZohoOrganizationPreset(dc string) (p Preset, known bool) {
	dc = strings.ToLower(strings.TrimSuffix(dc, "."))
	for _, c := range zohoCentres {
		if c.dc != dc {
			continue
		}
		if !c.org {
			return Preset{Provider: c.name + " (organisation)"}, false
		}
		return zohoPreset(c.name+" (organisation)", "poppro."+dc, "smtppro."+dc), true
	}
	return Preset{}, false
}
