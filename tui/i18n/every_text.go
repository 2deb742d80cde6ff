package i18n

// The words of fetching on its own: the fetch interval's problem, the
// new-mail command that failed, and the command line's.
func init() {
	Add(map[string][2]string{
		"err.every-range":    {"Fetch every must be from %s to %s, or off.", "自動受信の間隔は%s～%s、またはオフで指定してください。"},
		"cli.use.fetchEvery": {"--fetch-every %q is not a time such as 10m, 1h or off", "--fetch-every %q は 10m、1h、off のような時間ではありません"},
		"cli.use.bell":       {"--bell %q is not on or off", "--bell %q は on または off ではありません"},
		"cli.onNewFailed":    {"The new-mail command of %s failed (%s); the mail is stored. Check it with popbox account set %s --on-new CMD", "%s の新着メールコマンドが失敗しました（%s）。メールは保存されています。popbox account set %s --on-new CMD で確認してください"},
		"fetch.onNewFailed":  {"The new-mail command of %s failed (%s); the mail is stored.", "%s の新着メールコマンドが失敗しました（%s）。メールは保存されています。"},
		"cli.everySet":       {"%s is now fetched every %s while popbox is open.", "popbox を開いている間、%s を %s ごとに受信します。"},
		"cli.everyOff":       {"%s is no longer fetched on its own.", "%s の自動受信をオフにしました。"},
		"cli.onNewSet":       {"%s runs %s after a fetch brings new mail.", "%s は新着メールの受信後に %s を実行します。"},
		"cli.onNewOff":       {"%s runs no command for new mail.", "%s の新着メールコマンドをオフにしました。"},
		"cli.bellSet":        {"%s rings the bell for new mail.", "%s は新着メールでベルを鳴らします。"},
		"cli.bellOff":        {"%s does not ring the bell.", "%s はベルを鳴らしません。"},
	})
}
