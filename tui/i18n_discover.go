package tui

// The words of the wizard's server discovery (wizard_discover.go): the
// lookup running, where the servers were found, and that none were.
func init() {
	addMessages(map[string][2]string{
		"wizard.discover.running": {"Looking up the servers for %s…", "%s のサーバーを調べています…"},
		// Where the servers were found; the provider's name follows when
		// the source gives one (wizard.discover.found-name).
		"wizard.discover.found.mx":         {"Found by MX", "MX レコードから見つかりました"},
		"wizard.discover.found.srv":        {"Found by SRV records", "SRV レコードから見つかりました"},
		"wizard.discover.found.autoconfig": {"Found in the autoconfig file of %s", "%s の自動設定ファイルから見つかりました"},
		"wizard.discover.found.preset":     {"Found in popbox's presets", "popbox の組み込み設定にありました"},
		"wizard.discover.found.other":      {"Found by a lookup", "検索で見つかりました"},
		"wizard.discover.found-name":       {"%[1]s: %[2]s", "%[1]s: %[2]s"},
		"wizard.discover.none":             {"No servers found for %s; enter them below.", "%s のサーバーは見つかりませんでした。下の欄に入力してください。"},
		"wizard.discover.none-in-time":     {"No servers found for %s in time; enter them below.", "%s のサーバーは時間内に見つかりませんでした。下の欄に入力してください。"},
	})
}
