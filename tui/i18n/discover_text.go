package i18n

// The words of server discovery on the command line (account add
// --discover, package mail/discover): what was found and where, and what
// to do when nothing was.
func init() {
	Add(map[string][2]string{
		"cli.discoverFound.preset":     {"Found in popbox's presets: %s", "popbox の組み込み設定にありました: %s"},
		"cli.discoverFound.autoconfig": {"Found by autoconfig (%[1]s): %[2]s", "自動設定ファイル（%[1]s）から見つかりました: %[2]s"},
		"cli.discoverFound.srv":        {"Found by SRV: %s", "SRV レコードから見つかりました: %s"},
		"cli.discoverFound.mx":         {"Found by MX: %s", "MX レコードから見つかりました: %s"},
		// One server: host:port (SSL).
		"cli.discoverServer": {"%[1]s:%[2]d (%[3]s)", "%[1]s:%[2]d（%[3]s）"},
		// Both servers: the incoming one, then the outgoing one.
		"cli.discoverBoth":          {"%[1]s; outgoing %[2]s", "受信 %[1]s、送信 %[2]s"},
		"cli.discoverNothing":       {"No servers found for %s (popbox looked at its presets, an autoconfig file, SRV and MX records); give the incoming server with --host and --port", "%s のサーバーは見つかりませんでした（popbox の組み込み設定、自動設定ファイル、SRV レコードと MX レコードを調べました）。--host と --port で受信サーバーを指定してください"},
		"cli.discoverNothingInTime": {"No servers found for %s in time (some look-ups did not answer); give the incoming server with --host and --port, or try again", "%s のサーバーは時間内に見つかりませんでした（応答のない問い合わせがありました）。--host と --port で受信サーバーを指定するか、もう一度お試しください"},
		"cli.discoverSignIn":        {"%[1]s refuses passwords for POP: add the account with --auth oauth2 --oauth-provider %[2]s instead (see \"Signing in with OAuth2\" in the README)", "%[1]s は POP でパスワードを受け付けません。代わりに --auth oauth2 --oauth-provider %[2]s を付けてアカウントを追加してください（README の「Signing in with OAuth2」を参照）"},
		"cli.use.discoverEmail":     {"--discover needs --email: the servers are looked up for its domain", "--discover には --email が必要です（そのドメインのサーバーを調べます）"},
		"cli.use.discoverAddress":   {"--email %q has no domain to look up servers for; give an address such as taro@example.co.jp", "--email %q には、サーバーを調べられるドメインがありません。taro@example.co.jp のようなアドレスを指定してください"},
	})
}
