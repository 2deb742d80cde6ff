package i18n

import (
	"errors"

	"popbox/mail/oauth"
)

// signInError is the sentence for a kind of package mail/oauth: a sign-in
// that is no longer valid, no client ID, a sign-in refused or run out of
// time. It needs no server, so it comes before the account's servers'.
func (l Lang) signInError(err error, sc Scene) (string, bool) {
	cli := sc.Front == CLI
	switch {
	case errors.Is(err, oauth.ErrSignInAgain):
		name := safe(sc.Account.Name)
		if cli {
			return l.Tr("cli.signInAgain", name, Shell(sc.Account.Name)), true
		}
		return l.Tr("fetch.errSignInAgain", name, Shell(sc.Account.Name)), true
	case errors.Is(err, oauth.ErrNoClientID) && cli && sc.Account.Name != "":
		// A saved account (fetch, check): account login takes the ID.
		return l.Tr("cli.noClientIDFor", safe(sc.Account.Name), Shell(sc.Account.Name)), true
	case errors.Is(err, oauth.ErrNoClientID) && cli:
		return l.Tr("cli.noClientID"), true
	case errors.Is(err, oauth.ErrNoClientID):
		return l.Tr("fetch.errNoClientID", safe(sc.Account.Name)), true
	case errors.Is(err, oauth.ErrAccessDenied):
		return l.Tr("cli.oauthDenied"), true
	case errors.Is(err, oauth.ErrCodeExpired):
		return l.Tr("cli.oauthExpired"), true
	}
	return "", false
}

// The words for OAuth2 sign-in: the command line's (account add --auth oauth2,
// account login, and a fetch or check whose sign-in is no longer valid), and
// the screen's sentence for a fetch whose sign-in is no longer valid.
func init() {
	Add(map[string][2]string{
		// The screen has no sign-in step yet: it sends the user to a terminal.
		"fetch.errSignInAgain":    {"The sign-in of %[1]s is no longer valid (revoked, expired or consent withdrawn); no mail was lost. Sign in again: on the accounts screen (A) press e, then s on Sign in; or in a terminal: popbox account login %[2]s", "%[1]s のサインインは無効になりました（取り消し、期限切れ、または同意の撤回）。メールは失われていません。アカウント画面（A）で e を押し、「サインイン」で s を押してサインインし直すか、端末で次のコマンドを実行してください: popbox account login %[2]s"},
		"cli.signInAgain":         {"The sign-in of %[1]s is no longer valid (revoked, expired or consent withdrawn); no mail was lost. Sign in again with: popbox account login %[2]s", "%[1]s のサインインは無効になりました（取り消し、期限切れ、または同意の撤回）。メールは失われていません。次のコマンドでもう一度サインインしてください: popbox account login %[2]s"},
		"fetch.errNoClientID":     {"%s signs in with OAuth2 but no client ID is set: set POPBOX_OAUTH_CLIENT_ID and start popbox again (see \"Signing in with OAuth2\" in the README).", "%s は OAuth2 でサインインしますが、クライアントIDが設定されていません。POPBOX_OAUTH_CLIENT_ID を設定して popbox を起動し直してください（README の OAuth2 の節を参照）。"},
		"cli.noClientIDFor":       {"%[1]s signs in with OAuth2 but no client ID is set: set POPBOX_OAUTH_CLIENT_ID, or sign in again with popbox account login %[2]s --oauth-client-id ID (see \"Signing in with OAuth2\" in the README)", "%[1]s は OAuth2 でサインインしますが、クライアントIDが設定されていません。POPBOX_OAUTH_CLIENT_ID を設定するか、popbox account login %[2]s --oauth-client-id ID でサインインし直してください（README の OAuth2 の節を参照）"},
		"cli.noClientID":          {"No OAuth client ID: register an app of your own and pass its ID with --oauth-client-id or set POPBOX_OAUTH_CLIENT_ID (see \"Signing in with OAuth2\" in the README)", "OAuth のクライアントIDがありません。自分のアプリを登録し、そのIDを --oauth-client-id で指定するか POPBOX_OAUTH_CLIENT_ID に設定してください（README の「Signing in with OAuth2」を参照）"},
		"cli.loginOutgoingSame":   {"The outgoing server of %[1]s uses the incoming server's sign-in (same credentials, or no OAuth2 of its own); sign in with: popbox account login %[2]s", "%[1]s の送信サーバーは受信サーバーのサインインを使います（同じ認証情報、または独自の OAuth2 なし）。次のコマンドでサインインしてください: popbox account login %[2]s"},
		"cli.signedInOutgoing":    {"Signed in the outgoing server of %s.", "%s の送信サーバーにサインインしました。"},
		"cli.oauthDevice":         {"To sign in, open %s and enter the code %s", "サインインするには %s を開き、コード %s を入力してください"},
		"cli.oauthBrowser":        {"To sign in, open this address in a browser: %s", "サインインするには、ブラウザーで次のアドレスを開いてください: %s"},
		"cli.oauthWaiting":        {"Waiting for the sign-in", "サインインを待っています"},
		"cli.oauthDenied":         {"The sign-in was refused (by you or by an administrator's policy); nothing was saved", "サインインが拒否されました（本人または管理者のポリシーによる）。何も保存していません"},
		"cli.oauthExpired":        {"The sign-in code expired before the sign-in was done; run the command again", "サインインが完了する前にコードの期限が切れました。もう一度コマンドを実行してください"},
		"cli.oauthNoDevice":       {"This provider has no device sign-in for mail; use --browser", "このプロバイダーにはメール用のデバイスサインインがありません。--browser を使ってください"},
		"cli.oauthFailed":         {"The sign-in failed (%s); nothing was saved", "サインインに失敗しました（%s）。何も保存していません"},
		"cli.signedIn":            {"Signed in %s.", "%s にサインインしました。"},
		"cli.notOAuth":            {"%s does not sign in with OAuth2 (it uses a password or a token command), so there is nothing to sign in to", "%s は OAuth2 でサインインしません（パスワードかトークンコマンドを使用しています）。サインインの必要はありません"},
		"cli.use.oauthNeeds":      {"--auth oauth2 needs --oauth-provider microsoft|google|custom or --token-cmd CMD", "--auth oauth2 には --oauth-provider microsoft|google|custom か --token-cmd CMD が必要です"},
		"cli.use.oauthNoPass":     {"--auth oauth2 takes no password: drop --password-stdin and --password-cmd", "--auth oauth2 ではパスワードを使いません。--password-stdin と --password-cmd を外してください"},
		"cli.use.auth":            {"--auth %q is not one of password, oauth2", "--auth %q は password、oauth2 のいずれでもありません"},
		"cli.use.provider":        {"--oauth-provider %q is not one of microsoft, google, custom", "--oauth-provider %q は microsoft、google、custom のいずれでもありません"},
		"cli.use.customURLs":      {"--oauth-provider custom needs --oauth-token-url and --oauth-device-url or --oauth-auth-url", "--oauth-provider custom には --oauth-token-url と、--oauth-device-url か --oauth-auth-url が必要です"},
		"cli.use.oauthFlagsAlone": {"%s needs --auth oauth2", "%s には --auth oauth2 が必要です"},
	})
}
