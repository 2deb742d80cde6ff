package i18n

// The words of popbox export and popbox import: bad usage, the errors
// and warnings of a file or folder, and the end of a run that left
// messages out.
func init() {
	Add(map[string][2]string{
		"cli.use.exchangeWhere":  {"%s needs one of --mbox FILE or --maildir DIR", "%s には --mbox FILE か --maildir DIR のどちらか一方が必要です"},
		"cli.use.exchangeNoArgs": {"%s takes no arguments but flags (got %q); the file goes after --mbox or --maildir", "%s はフラグ以外の引数を取りません（%q が指定されました）。ファイルは --mbox か --maildir の後に指定してください"},
		"cli.use.since":          {"--since %q is not a date: give it as YYYY-MM-DD (2024-03-31)", "--since %q は日付ではありません。YYYY-MM-DD の形（2024-03-31）で指定してください"},
		"cli.exportExists":       {"%s already exists: popbox exports to a new file only, and changes no file it did not make. Give another name, or remove that file first", "%s はすでに存在します。popbox は新しいファイルにだけエクスポートし、自分が作っていないファイルは変更しません。別の名前を指定するか、先にそのファイルを削除してください"},
		"cli.exportCreate":       {"Cannot write %s (%v): check that its folder exists and that you may write there", "%s に書き込めません（%v）。フォルダーが存在し、書き込み権限があるか確認してください"},
		"cli.exportWrite":        {"Writing %[1]s failed (%[2]v) after %[3]d messages: the file is incomplete. Free some space (or fix the cause), remove it and export again", "%[3]d 通のあとで %[1]s への書き込みに失敗しました（%[2]v）。ファイルは不完全です。空き容量を確保するなど原因を取り除き、ファイルを削除してもう一度エクスポートしてください"},
		"cli.exportSkipped":      {"it was not exported", "このメッセージはエクスポートしていません"},
		"cli.exportDamaged":      {"%[1]d of the messages could not be read (see the warnings above) and are not in %[2]s; the others are. Run popbox --db %[3]s repair to save what can still be read", "%[1]d 通のメッセージが読めなかったため（上の警告を参照）、%[2]s に含まれていません。ほかのメッセージは含まれています。読める内容を救出するには popbox --db %[3]s repair を実行してください"},
		"cli.exportInterrupted":  {"The export was interrupted after %d messages: %s is incomplete. Remove it and export again", "%d 通のあとでエクスポートを中断しました。%s は不完全です。削除してもう一度エクスポートしてください"},
		"cli.importOpen":         {"Cannot read %s (%v): check the name and that you may read it", "%s を読めません（%v）。名前と読み取り権限を確認してください"},
		"cli.importNotMbox":      {"%s is not an mbox file: it does not begin with a \"From \" line. For a Maildir folder use --maildir", "%s は mbox ファイルではありません（\"From \" 行で始まっていません）。Maildir フォルダーには --maildir を使ってください"},
		"cli.importNotMaildir":   {"%s is not a Maildir folder: it has no cur or new folder in it. For an mbox file use --mbox", "%s は Maildir フォルダーではありません（中に cur も new もありません）。mbox ファイルには --mbox を使ってください"},
		"cli.importRead":         {"Reading %[1]s failed (%[2]v) after %[3]d messages; those are stored. Run the same import again when the file can be read: it stores only what is not there yet", "%[3]d 通のあとで %[1]s の読み取りに失敗しました（%[2]v）。それまでのメッセージは保存済みです。読めるようになったら同じインポートをもう一度実行してください。まだないものだけを保存します"},
		"cli.importTooLarge":     {"message %[1]d of %[2]s (%[3]s) is over the size limit of %[4]s (%[5]s); it was not imported", "%[2]s の %[1]d 通目（%[3]s）は %[4]s のサイズ上限（%[5]s）を超えているため、インポートしていません"},
		"cli.importFileUnread":   {"%s cannot be read (%v); it was not imported", "%s を読めません（%v）。インポートしていません"},
		"cli.importLeftOut":      {"%[1]d messages were not imported (see the warnings above). For those over the size limit, raise it with popbox account set %[2]s --max-size SIZE and run the same import again: it stores only what is not there yet", "%[1]d 通のメッセージをインポートしていません（上の警告を参照）。サイズ上限を超えたものは popbox account set %[2]s --max-size SIZE で上限を上げてから、同じインポートをもう一度実行してください。まだないものだけを保存します"},
		"cli.importInterrupted":  {"The import was interrupted: %d messages were stored. Run the same import again to go on: it stores only what is not there yet", "インポートを中断しました。%d 通を保存済みです。続けるには同じインポートをもう一度実行してください。まだないものだけを保存します"},
	})
}
