package main

// Trust on first use for a server whose certificate does not verify
// (self-signed, a private CA, another name, expired): popbox account trust
// pins it, account add --trust pins it for a new account, and every
// command that meets such a certificate prints what it is (printCertDetails).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"popbox/mail"
	"popbox/tui/i18n"
)

// trustTimeout bounds the look at a server's certificate.
const trustTimeout = 45 * time.Second

// certInfoError is a refusal of account trust or account add --trust that
// concerns the certificate a server presents: its sentence, then the
// certificate's lines.
type certInfoError struct {
	msg  string
	info mail.CertInfo
}

func (e certInfoError) Error() string { return e.msg }

// printCertDetails writes the lines that describe the certificate err is
// about (a refused one, the new one of a changed pin, or the one account
// trust looked at), each after indent; nothing when err has none.
func printCertDetails(w io.Writer, e env, err error, indent string) {
	var lines []string
	var ie certInfoError
	if errors.As(err, &ie) {
		lines = e.lang.CertLines(ie.info)
	} else {
		lines = e.lang.CertDetails(err)
	}
	for _, l := range lines {
		fmt.Fprintln(w, indent+l)
	}
}

// serverSide is the incoming or the outgoing server of a, as it is used.
func serverSide(a mail.Account, outgoing bool) mail.Server {
	if outgoing {
		return a.SMTP()
	}
	return a.Incoming
}

// sideWord is "incoming" or "outgoing" in e's language.
func sideWord(e env, outgoing bool) string {
	if outgoing {
		return e.lang.Tr("side.outgoing")
	}
	return e.lang.Tr("side.incoming")
}

// probe looks at the certificate of one server of a, sending no
// credentials; ce is nil when it verifies without a pin.
func probe(a mail.Account, outgoing bool) (mail.CertInfo, *mail.CertError, error) {
	conf, err := mail.TLSConfig(a)
	if err != nil {
		return mail.CertInfo{}, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), trustTimeout)
	defer cancel()
	return mail.ProbeCertificate(ctx, serverSide(a, outgoing), outgoing, a.CAFile, conf)
}

// cmdAccountTrust pins the certificate a server of the account presents,
// after checking that it is the one the user named and that it does not
// verify without a pin (one that does needs none, and a pin would only
// get in the way when the provider renews it).
func cmdAccountTrust(db string, args []string, e env) error {
	fs := newFlags("account trust", "account trust NAME SHA256 [--outgoing]", e)
	outgoing := fs.Bool("outgoing", false, "pin the outgoing (SMTP) server's certificate instead of the incoming (POP3) one's")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return fs.bad("cli.use.trustArgs")
	}
	name := pos[0]
	fp, err := mail.ParseFingerprint(pos[1])
	if err != nil {
		return fs.bad("cli.use.fingerprint", pos[1])
	}
	st, a, err := openAccount(db, name, e)
	if err != nil {
		return err
	}
	// The server is not asked while the database is held.
	st.Close()
	srv := serverSide(a, *outgoing)
	if srv.Security == mail.SecurityNone {
		return errors.New(e.lang.Tr("cli.trustNoTLS", sideWord(e, *outgoing), a.Name, srv.Address()))
	}
	info, ce, err := probe(a, *outgoing)
	if err != nil {
		return accountError{err: err, acct: a, outgoing: *outgoing}
	}
	if ce == nil {
		return certInfoError{msg: e.lang.Tr("cli.trustNotNeeded", srv.Address()), info: info}
	}
	if info.Fingerprint != fp {
		return certInfoError{msg: e.lang.Tr("cli.trustDiffers", srv.Address(), info.Fingerprint, fp), info: info}
	}

	st, a, err = openAccount(db, name, e)
	if err != nil {
		return err
	}
	defer st.Close()
	now := serverSide(a, *outgoing)
	if now.PinFor(fp) != srv.PinFor(fp) {
		return errors.New(e.lang.Tr("cli.trustMoved", sideWord(e, *outgoing), a.Name))
	}
	a.SetTrustedCert(*outgoing, now.PinFor(fp))
	if err := st.UpdateAccount(a); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, e.lang.Tr("cli.trusted", srv.Address(), fp, sideWord(e, *outgoing), a.Name))
	printCertDetails(e.stdout, e, certInfoError{info: info}, "  ")
	return nil
}

// trustFlag is account add's --trust.
func trustFlag(fs *flags) *string {
	return fs.String("trust", "", "SHA-256 `FINGERPRINT` of the incoming server's certificate, to trust it when it does not verify (self-signed, private CA); the outgoing server's too when it is on the same host and presents the same one")
}

// parseTrust reads --trust; "" is no pin.
func parseTrust(fs *flags, v string) (mail.Fingerprint, error) {
	if v == "" {
		return mail.Fingerprint{}, nil
	}
	fp, err := mail.ParseFingerprint(v)
	if err != nil {
		return fp, fs.bad("cli.use.fingerprint", v)
	}
	return fp, nil
}

// trustOnAdd pins fp for the incoming server of a new account. With the
// login test (check), only when the server presents that certificate and
// it does not verify without a pin; then the outgoing server too, when it
// is on the same host and presents the same certificate. Without the test
// the pin is saved as given. It returns what to say once the account is
// saved.
func trustOnAdd(a *mail.Account, fp mail.Fingerprint, check bool, e env) (after func(), err error) {
	if fp.IsZero() {
		return nil, nil
	}
	if a.Incoming.Security == mail.SecurityNone {
		return nil, errors.New(e.lang.Tr("cli.trustNoTLS", sideWord(e, false), a.Name, a.Incoming.Address()))
	}
	if !check {
		a.Incoming.TrustedCert = a.Incoming.PinFor(fp)
		return nil, nil
	}
	info, ce, err := probe(*a, false)
	if err != nil {
		return nil, accountError{err: err, acct: *a, adding: true}
	}
	if ce == nil {
		fmt.Fprintf(e.stderr, "popbox: %s %s\n", e.lang.Tr("cli.warning"), e.lang.Tr("cli.trustAddNotNeeded", a.Incoming.Address()))
		return nil, nil
	}
	if info.Fingerprint != fp {
		return nil, certInfoError{msg: e.lang.Tr("cli.trustDiffersAdding", a.Incoming.Address(), info.Fingerprint, fp), info: info}
	}
	a.Incoming.TrustedCert = a.Incoming.PinFor(fp)

	out := a.SMTP()
	if out.Security == mail.SecurityNone || !sameHost(out.Host, a.Incoming.Host) {
		return nil, nil
	}
	oinfo, oce, err := probe(*a, true)
	switch {
	case err != nil, oce == nil:
		// Not reached (the login test does not cover the outgoing
		// server; popbox check will), or trusted without a pin.
	case oinfo.Fingerprint == fp:
		a.Outgoing.TrustedCert = out.PinFor(fp)
		return func() { fmt.Fprintln(e.stdout, e.lang.Tr("cli.trustAlsoOutgoing", out.Address())) }, nil
	default:
		name := a.Name
		return func() {
			fmt.Fprintf(e.stderr, "popbox: %s %s\n", e.lang.Tr("cli.warning"),
				e.lang.Tr("cli.trustNotOutgoing", out.Address(), oinfo.Fingerprint, i18n.Shell(name)))
		}, nil
	}
	return nil, nil
}

// sameHost reports whether two host names are one, in any case.
func sameHost(a, b string) bool {
	clean := func(h string) string {
		return strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(h)), "["), "]"), ".")
	}
	return clean(a) == clean(b)
}

// pinJSON is a pin in accounts --json: where it applies and the
// certificate's fingerprint.
type pinJSON struct {
	Address string `json:"address"`
	SHA256  string `json:"sha256"`
}

func toPinJSON(v string) *pinJSON {
	addr, fp, ok := mail.ParsePin(v)
	if !ok {
		return nil
	}
	return &pinJSON{Address: addr, SHA256: fp.String()}
}
