package tui

// The words of the wizard's sign-in with OAuth2: the "Sign-in" choice, the
// client ID and a custom server's endpoints, the sign-in field's states and
// keys, and its problems.
func init() {
	addMessages(map[string][2]string{
		"field.auth":                {"Sign-in", "サインイン方法"},
		"field.oauth-client-id":     {"Client ID", "クライアントID"},
		"field.oauth-client-secret": {"Client secret", "シークレット"},
		"field.oauth-device-url":    {"Device code URL", "デバイス認可URL"},
		"field.oauth-auth-url":      {"Authorize URL", "認可URL"},
		"field.oauth-token-url":     {"Token URL", "トークンURL"},
		"field.oauth-scopes":        {"Scopes", "スコープ"},
		"field.signin":              {"Sign in", "サインイン"},

		"wizard.auth.password":  {"Password", "パスワード"},
		"wizard.auth.microsoft": {"Microsoft", "Microsoft"},
		"wizard.auth.google":    {"Google", "Google"},
		"wizard.auth.custom":    {"Other OAuth2", "その他"},
		"wizard.auth.command":   {"Token command", "トークンコマンド"},

		"hint.auth":                  {"Password, or sign in with OAuth2 where the provider refuses passwords (Microsoft). Space switches.", "パスワード、またはパスワードが使えないプロバイダー（Microsoft など）では OAuth2 でサインインします。スペースで切り替えます。"},
		"hint.oauth-client-id":       {"The ID of an app you registered yourself with the provider; popbox never uses another app's (see \"Signing in with OAuth2\" in the README).", "自分でプロバイダーに登録したアプリのIDです。popbox は他のアプリのIDを使いません（README の「Signing in with OAuth2」を参照）。"},
		"hint.oauth-client-id-env":   {"Empty: the ID in %s is used.", "空欄の場合は %s のIDを使います。"},
		"hint.oauth-client-secret":   {"Google desktop-app clients only: the secret Google shows with the ID (Google does not treat it as secret).", "Google のデスクトップアプリのクライアントのみ: IDと一緒に表示されるシークレットです（Google はこれを秘密として扱いません）。"},
		"hint.oauth-device-url":      {"The server's device authorization endpoint, for signing in with a code.", "コードでサインインするための、サーバーのデバイス認可エンドポイントです。"},
		"hint.oauth-auth-url":        {"The server's authorization endpoint, for signing in in the browser.", "ブラウザーでサインインするための、サーバーの認可エンドポイントです。"},
		"hint.oauth-token-url":       {"The server's token endpoint.", "サーバーのトークンエンドポイントです。"},
		"hint.oauth-scopes":          {"Space-separated; empty: none asked for.", "スペース区切りで指定します。空欄の場合は要求しません。"},
		"hint.signin":                {"The sign-in serves the incoming and the outgoing server; popbox keeps only its refresh token, sealed like a password.", "サインインは受信と送信の両方のサーバーに使われます。popbox はリフレッシュトークンだけをパスワードと同様に暗号化して保存します。"},
		"wizard.signin.none":         {"Not signed in", "未サインイン"},
		"wizard.signin.starting":     {"Asking for a sign-in code…", "サインインコードを要求しています…"},
		"wizard.signin.waiting":      {"Waiting for you to sign in…", "サインインを待っています…"},
		"wizard.signin.browser":      {"Waiting for the browser…", "ブラウザーでのサインインを待っています…"},
		"wizard.signin.done":         {"Signed in", "サインイン済み"},
		"wizard.signin.stored":       {"Signed in (saved)", "サインイン済み（保存済み）"},
		"wizard.signin.failed":       {"Sign-in failed", "サインインに失敗しました"},
		"wizard.signin.code":         {"On any device, open %s and enter the code %s", "任意の端末で %s を開き、コード %s を入力してください"},
		"wizard.signin.complete":     {"Or open %s (the code is filled in).", "または %s を開いてください（コードは入力済みです）。"},
		"wizard.signin.expires":      {"The code works until %s.", "コードの有効期限は %s までです。"},
		"wizard.signin.url":          {"A browser was opened to sign in; if none came up, open this address:", "サインインのためにブラウザーを開きました。開かない場合は次のアドレスを開いてください:"},
		"wizard.signin.stop":         {"esc stops waiting.", "esc で待機をやめます。"},
		"wizard.signin.keys-device":  {"enter: sign in with a code, on this or another device.", "enter: コードを使って、この端末または別の端末でサインインします。"},
		"wizard.signin.keys-browser": {"enter: sign in in a browser on this computer.", "enter: このコンピューターのブラウザーでサインインします。"},
		"wizard.signin.keys-b":       {"b: sign in in a browser on this computer instead.", "b: 代わりにこのコンピューターのブラウザーでサインインします。"},
		"wizard.signin.again":        {"s: sign in again.", "s: もう一度サインインします。"},
		"wizard.signin.denied":       {"The sign-in was refused (by you or by an administrator's policy). Press enter to try again.", "サインインが拒否されました（本人または管理者のポリシーによる）。enter でやり直せます。"},
		"wizard.signin.expired":      {"The sign-in code expired before the sign-in was done. Press enter for a new code.", "サインインが完了する前にコードの期限が切れました。enter で新しいコードを取得します。"},
		"wizard.signin.no-device":    {"This server has no sign-in with a code for mail. Press b to sign in in the browser.", "このサーバーにはメール用のコードによるサインインがありません。b でブラウザーからサインインしてください。"},
		"wizard.signin.no-browser":   {"This server has no browser sign-in (no authorize URL). Press enter to sign in with a code.", "このサーバーにはブラウザーでのサインインがありません（認可URLがありません）。enter でコードを使ってサインインしてください。"},
		"wizard.signin.error":        {"The sign-in failed (%s). Check the client ID and the addresses, then press enter to try again.", "サインインに失敗しました（%s）。クライアントIDとアドレスを確認し、enter でやり直してください。"},

		"wizard.oauth-client-id":     {"Enter the client ID of an app you registered with the provider, or set POPBOX_OAUTH_CLIENT_ID (see \"Signing in with OAuth2\" in the README).", "プロバイダーに登録したアプリのクライアントIDを入力するか、POPBOX_OAUTH_CLIENT_ID を設定してください（README の「Signing in with OAuth2」を参照）。"},
		"wizard.oauth-url-bad":       {"Enter a web address starting with https://.", "https:// で始まるアドレスを入力してください。"},
		"wizard.oauth-url-required":  {"Enter the server's token endpoint.", "サーバーのトークンエンドポイントを入力してください。"},
		"wizard.oauth-flow-required": {"Enter the device code URL, the authorize URL, or both.", "デバイス認可URLと認可URLのどちらか、または両方を入力してください。"},
		"wizard.oauth-signin":        {"Sign in before saving: press enter on this field.", "保存する前にサインインしてください。この項目で enter を押します。"},

		"wizard.key.signin":         {"sign in", "サインイン"},
		"wizard.key.signin-again":   {"sign in again", "再サインイン"},
		"wizard.key.signin-browser": {"in the browser", "ブラウザーで"},
		"wizard.key.signin-stop":    {"stop waiting", "待機をやめる"},

		"wizard.review.signed-in":        {"%s, signed in", "%s（サインイン済み）"},
		"wizard.review.signed-in-stored": {"%s, signed in (saved)", "%s（サインイン済み・保存済み）"},
		"wizard.review.not-signed-in":    {"%s, not signed in", "%s（未サインイン）"},

		"acct.added-no-signin": {"Added %s, but its sign-in could not be kept (%s): sign in again with popbox account login %s.", "%s を追加しましたが、サインイン情報を保存できませんでした（%s）。popbox account login %s でサインインし直してください。"},
	})
}

// The words of trust on first use in the wizard's review.
func init() {
	addMessages(map[string][2]string{
		"wizard.trust.title":       {"Certificate of the incoming server %s", "受信サーバー %s の証明書"},
		"wizard.trust.title-smtp":  {"Certificate of the outgoing server %s", "送信サーバー %s の証明書"},
		"wizard.trust.ask":         {"Trust it only if you know it is your server's own (compare the SHA-256 with the one its administrator gives you): a trusts it always (pinned to this server and port), o for this test only, x rejects it.", "サーバー自身の証明書だと確認できる場合だけ信頼してください（SHA-256 を管理者から伝えられたものと照らし合わせてください）。a で常に信頼（このサーバーとポートに固定）、o はこのテストだけ信頼、x で拒否します。"},
		"wizard.trust.ask-changed": {"This is not the certificate you trusted before. Trust the new one only if the server's administrator replaced it (ask them for its SHA-256): a trusts it always, o for this test only, x rejects it.", "以前に信頼した証明書ではありません。サーバー管理者が交換した場合だけ新しい証明書を信頼してください（SHA-256 を管理者に確認してください）。a で常に信頼、o はこのテストだけ信頼、x で拒否します。"},
		"wizard.trust.rejected":    {"The certificate of %s was not trusted; the account cannot log in until it verifies (or give its CA file).", "%s の証明書を信頼しませんでした。証明書が検証できるまで（またはCAファイルを指定するまで）ログインできません。"},
		"wizard.trust.label":       {"Certificate", "証明書"},
		"wizard.trust.pinned":      {"trusts %s with SHA-256 %s", "%s の証明書を信頼（SHA-256 %s）"},
		"wizard.key.trust-once":    {"trust once", "今回だけ信頼"},
		"wizard.key.trust-always":  {"trust always", "常に信頼"},
		"wizard.key.trust-reject":  {"reject", "拒否"},
	})
}
