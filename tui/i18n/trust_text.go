package i18n

import (
	"errors"
	"strings"
	"time"

	"popbox/mail"
)

// Trust on first use: the words for a certificate that does not verify
// (what it is and how to trust it anyway), for a pinned certificate that
// changed (mail.PinMismatchError), and for popbox account trust and
// account add --trust.

// certSentence is the sentence for a refused certificate: a pinned one
// that changed, or why it was refused (certProblem) and, on the CLI, how
// to trust it all the same. outgoing: the certificate is the outgoing
// server's; adding: account add's login test, before the account exists.
func (l Lang) certSentence(err error, f Front, a mail.Account, srv mail.Server, outgoing, adding bool) string {
	if s, ok := l.pinMismatch(err, f, a, outgoing, adding); ok {
		return s
	}
	s := l.certProblem(err, f, srv.Host, a.CAFile)
	var ce *mail.CertError
	if f != CLI || !errors.As(err, &ce) || ce.Fingerprint.IsZero() {
		return s
	}
	fp := ce.Fingerprint.String()
	if adding {
		return l.then(s, l.Tr("cli.trustAdviceAdding", fp))
	}
	return l.then(s, l.Tr("cli.trustAdvice", Shell(a.Name), fp, sideFlag(outgoing)))
}

// pinMismatch is the sentence for a pinned certificate that changed.
func (l Lang) pinMismatch(err error, f Front, a mail.Account, outgoing, adding bool) (string, bool) {
	var pm *mail.PinMismatchError
	if !errors.As(err, &pm) || pm.Cert == nil {
		return "", false
	}
	addr := safe(pm.Cert.Address())
	old, now := pm.Pinned.String(), pm.Cert.Fingerprint.String()
	switch {
	case adding:
		return l.Tr("cli.pinMismatchAdding", addr, old, now), true
	case f == CLI:
		return l.Tr("cli.pinMismatch", addr, old, now, Shell(a.Name), sideFlag(outgoing)), true
	}
	return l.Tr("fetch.errPinMismatch", addr, old, now, Shell(a.Name), sideFlag(outgoing)), true
}

// sideFlag is the flag of popbox account trust for the side.
func sideFlag(outgoing bool) string {
	if outgoing {
		return " --outgoing"
	}
	return ""
}

// then puts a second sentence after the first.
func (l Lang) then(s, more string) string {
	if l == JA {
		return strings.TrimSuffix(strings.TrimSpace(s), "。") + "。" + more
	}
	return strings.TrimSuffix(strings.TrimSpace(s), ".") + ". " + more
}

// CertDetails are the lines that describe the certificate err is about
// (the one a CertError refused, or the new one of a PinMismatchError), for
// a person deciding whether to trust it: subject, issuer, validity and
// SHA-256 fingerprint. nil when err carries no certificate.
func (l Lang) CertDetails(err error) []string {
	var ce *mail.CertError
	if !errors.As(err, &ce) || ce.Fingerprint.IsZero() {
		return nil
	}
	return l.CertLines(ce.CertInfo)
}

// CertLines describe a certificate in four lines, without indentation.
func (l Lang) CertLines(c mail.CertInfo) []string {
	day := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
	return []string{
		l.Tr("cert.subject", safe(c.Subject)),
		l.Tr("cert.issuer", safe(c.Issuer)),
		l.Tr("cert.valid", day(c.NotBefore), day(c.NotAfter)),
		l.Tr("cert.sha256", c.Fingerprint.String()),
	}
}

func init() {
	Add(map[string][2]string{
		"cert.subject": {"subject:  %s", "サブジェクト: %s"},
		"cert.issuer":  {"issuer:   %s", "発行者: %s"},
		"cert.valid":   {"valid:    %s to %s", "有効期間: %s ～ %s"},
		"cert.sha256":  {"SHA-256:  %s", "SHA-256: %s"},

		"cli.errCertSelfSigned":   {"The certificate of %s is self-signed, so no CA vouches for it", "%s の証明書は自己署名で、どのCAも保証していません"},
		"fetch.errCertSelfSigned": {"The certificate of %s is self-signed, so no CA vouches for it: if it is your server's own, trust it in the account's connection test (e on the accounts screen, then ctrl+s), or give that certificate as its CA file.", "%s の証明書は自己署名で、どのCAも保証していません。サーバー自身の証明書であれば、アカウントの接続テスト（アカウント画面で e、続けて ctrl+s）で信頼するか、その証明書をCAファイルに設定してください。"},
		"cli.trustAdvice":         {"If you know it is your server's own certificate (compare the fingerprint with the one its administrator gives you), trust it with: popbox account trust %[1]s %[2]s%[3]s", "サーバー自身の証明書だと確認できる場合は（フィンガープリントを管理者から伝えられたものと照らし合わせてください）、次のコマンドで信頼できます: popbox account trust %[1]s %[2]s%[3]s"},
		"cli.trustAdviceAdding":   {"If you know it is your server's own certificate (compare the fingerprint with the one its administrator gives you), run popbox account add again with --trust %s", "サーバー自身の証明書だと確認できる場合は（フィンガープリントを管理者から伝えられたものと照らし合わせてください）、popbox account add を --trust %s を付けてもう一度実行してください"},
		"cli.pinMismatch":         {"The certificate of %[1]s is not the one you trusted: SHA-256 %[2]s was pinned, the server now presents %[3]s. popbox did not log in, so nothing was sent, fetched or deleted. If the server's administrator replaced the certificate (ask them for the new fingerprint), trust the new one with: popbox account trust %[4]s %[3]s%[5]s; if not, someone may be intercepting the connection", "%[1]s の証明書は信頼済みのものではありません。固定していたのは SHA-256 %[2]s ですが、サーバーは現在 %[3]s を提示しています。ログインしていないため、何も送信・受信・削除していません。サーバー管理者が証明書を交換した場合は（新しいフィンガープリントを管理者に確認してください）、次のコマンドで新しい証明書を信頼してください: popbox account trust %[4]s %[3]s%[5]s。そうでなければ、通信が傍受されているおそれがあります"},
		"cli.pinMismatchAdding":   {"The certificate of %[1]s is not the one given with --trust (%[2]s): the server presents %[3]s", "%[1]s の証明書は --trust で指定したもの（%[2]s）ではありません。サーバーは %[3]s を提示しています"},
		"fetch.errPinMismatch":    {"The certificate of %[1]s is not the one you trusted (SHA-256 %[2]s was pinned, it is now %[3]s); popbox did not log in and nothing was lost. If the server's administrator replaced it, trust the new one in a terminal with: popbox account trust %[4]s %[3]s%[5]s", "%[1]s の証明書は信頼済みのものではありません（固定していたのは SHA-256 %[2]s、現在は %[3]s）。ログインしていないため、メールは失われていません。サーバー管理者が証明書を交換した場合は、端末で次のコマンドを実行して新しい証明書を信頼してください: popbox account trust %[4]s %[3]s%[5]s"},

		// popbox account trust and account add --trust.
		"cli.use.trustArgs":      {"account trust takes an account name and a fingerprint: popbox account trust NAME SHA256 [--outgoing]", "account trust にはアカウント名とフィンガープリントを指定します: popbox account trust NAME SHA256 [--outgoing]"},
		"cli.use.fingerprint":    {"%q is not a SHA-256 fingerprint: give its 64 hex digits, in pairs joined by colons or not (as popbox check shows it: AB:CD:...)", "%q は SHA-256 のフィンガープリントではありません。64桁の16進数を、コロン区切りの2桁ずつか区切りなしで指定してください（popbox check の表示と同じ AB:CD:... の形）"},
		"cli.trustNoTLS":         {"The %[1]s server of %[2]s (%[3]s) uses no encryption (security none), so it has no certificate to trust", "%[2]s の%[1]sサーバー（%[3]s）は暗号化を使っていない（security none）ため、信頼する証明書がありません"},
		"cli.trustNotNeeded":     {"The certificate of %[1]s verifies without a pin (a CA popbox trusts signed it for this name, and it is valid), so nothing was pinned: popbox already trusts it, and the next one the CA signs", "%[1]s の証明書は固定しなくても検証できます（popbox が信頼するCAがこの名前に対して署名しており、有効期間内です）。そのため何も固定していません。この証明書も、同じCAが署名する次の証明書も、すでに信頼されています"},
		"cli.trustDiffers":       {"The certificate %[1]s presents now has SHA-256 %[2]s, not the %[3]s given, so nothing was pinned. Compare again with the fingerprint the server's administrator gives you", "%[1]s が現在提示している証明書の SHA-256 は %[2]s で、指定された %[3]s ではありません。そのため何も固定していません。サーバー管理者から伝えられたフィンガープリントともう一度照らし合わせてください"},
		"cli.trustDiffersAdding": {"The certificate %[1]s presents has SHA-256 %[2]s, not the %[3]s given with --trust. Nothing was saved; compare again with the fingerprint the server's administrator gives you", "%[1]s が提示している証明書の SHA-256 は %[2]s で、--trust で指定された %[3]s ではありません。何も保存していません。サーバー管理者から伝えられたフィンガープリントともう一度照らし合わせてください"},
		"cli.trustMoved":         {"The %[1]s server of %[2]s was changed while popbox looked at its certificate; run the command again", "証明書の確認中に %[2]s の%[1]sサーバーの設定が変更されました。もう一度コマンドを実行してください"},
		"cli.trusted":            {"Pinned the certificate of %[1]s (SHA-256 %[2]s) for the %[3]s server of %[4]s: popbox trusts it, and only it, at that address.", "%[4]s の%[3]sサーバー %[1]s の証明書（SHA-256 %[2]s）を固定しました。popbox はこのアドレスでは、この証明書だけを信頼します。"},
		"cli.trustAddNotNeeded":  {"the certificate of %s verifies without a pin, so --trust is not needed and nothing is pinned", "%s の証明書は固定しなくても検証できるため、--trust は不要です。何も固定しません"},
		"cli.trustAlsoOutgoing":  {"The outgoing server %s presents the same certificate: it is pinned too.", "送信サーバー %s も同じ証明書を提示しているため、こちらも固定しました。"},
		"cli.trustNotOutgoing":   {"the outgoing server %[1]s presents another certificate (SHA-256 %[2]s), which is not pinned; if it is your server's own, trust it with: popbox account trust %[3]s %[2]s --outgoing", "送信サーバー %[1]s は別の証明書（SHA-256 %[2]s）を提示しており、固定していません。サーバー自身の証明書であれば、次のコマンドで信頼できます: popbox account trust %[3]s %[2]s --outgoing"},
	})
}
