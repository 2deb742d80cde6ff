package main

// account add --discover: the servers of the address's domain, looked up
// (package mail/discover) when --host is not given, fill in the flags the
// user left out.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"popbox/mail"
	"popbox/mail/discover"
)

// discoverFlag is account add's --discover.
type discoverFlag struct{ on *bool }

func addDiscoverFlag(fs *flags) discoverFlag {
	return discoverFlag{on: fs.Bool("discover", false,
		"look up the servers of the --email address's domain (popbox's presets, then an autoconfig file over HTTPS, "+
			"SRV records, MX records) and fill in the server flags not given; ignored with --host")}
}

// discovered is what --discover found: its outgoing server goes into the
// account once it is built (see outgoing).
type discovered struct{ p *discover.Proposal }

// fill looks the servers up when --discover is given and --host is not,
// sets the flags the user did not give (--host, --port, --security,
// --user) to what it found, and says on stderr what it found and where.
// Nothing found is an error that says to give --host.
func (d discoverFlag) fill(fs *flags, auth mail.AuthKind, e env) (discovered, error) {
	if !*d.on || given(fs, "host") {
		return discovered{}, nil
	}
	email := strings.TrimSpace(fs.Lookup("email").Value.String())
	if email == "" {
		return discovered{}, fs.bad("cli.use.discoverEmail")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := discover.Lookup(ctx, email, discoverOptions(e))
	switch {
	case errors.Is(err, discover.ErrBadAddress):
		return discovered{}, fs.bad("cli.use.discoverAddress", email)
	case errors.Is(err, discover.ErrNotFound):
		key := "cli.discoverNothing"
		for _, r := range res.Refused {
			if errors.Is(r.Err, discover.ErrTimedOut) {
				key = "cli.discoverNothingInTime"
			}
		}
		return discovered{}, errors.New(e.lang.Tr(key, mail.SafeLine(email)))
	case err != nil:
		return discovered{}, err
	}
	p := res.Best
	set := func(name, value string) {
		if value != "" && !given(fs, name) {
			_ = fs.Set(name, value)
		}
	}
	port := strconv.Itoa(p.Incoming.Port)
	if !given(fs, "port") || fs.Lookup("port").Value.String() == port {
		// A port of the user's own keeps the security it implies.
		set("security", p.Incoming.Security.String())
	}
	set("host", p.Incoming.Host)
	set("port", port)
	set("user", p.Incoming.User)
	fmt.Fprintln(e.stderr, "popbox: "+foundLine(p, e))
	if p.SignInFirst && auth == mail.AuthPassword {
		fmt.Fprintf(e.stderr, "popbox: %s %s\n", e.lang.Tr("cli.warning"), e.lang.Tr("cli.discoverSignIn", mail.SafeLine(p.Provider), p.SignIn))
	}
	return discovered{p: &p}, nil
}

// outgoing gives an account with the same credentials on both sides (no
// --smtp-host) the outgoing server that was found, in place of the one
// derived from the incoming host.
func (d discovered) outgoing(a *mail.Account) {
	if d.p == nil || !a.SMTPSame || d.p.Outgoing.Host == "" {
		return
	}
	a.Outgoing.Host, a.Outgoing.Port, a.Outgoing.Security = d.p.Outgoing.Host, d.p.Outgoing.Port, d.p.Outgoing.Security
}

// foundLine says what was found and where: "Found by MX: Microsoft 365:
// outlook.office365.com:995 (SSL); outgoing smtp.office365.com:587
// (STARTTLS)".
func foundLine(p discover.Proposal, e env) string {
	server := func(s mail.Server) string {
		return e.lang.Tr("cli.discoverServer", s.Host, s.Port, strings.ToUpper(s.Security.String()))
	}
	what := server(p.Incoming)
	if p.Outgoing.Host != "" {
		what = e.lang.Tr("cli.discoverBoth", what, server(p.Outgoing))
	}
	if p.Provider != "" {
		what = mail.SafeLine(p.Provider) + ": " + what
	}
	if p.Source == discover.SourceAutoconfig {
		return e.lang.Tr("cli.discoverFound.autoconfig", mail.SafeLine(p.Detail), what)
	}
	return e.lang.Tr("cli.discoverFound."+p.Source.String(), what)
}

// discoverOptions are the lookup's resolver and HTTP client: the system's,
// unless POPBOX_DNS_SERVER names a DNS server (discover.EnvOptions, which
// the TUI's wizard uses too).
func discoverOptions(e env) discover.Options {
	return discover.EnvOptions(e.getenv)
}
