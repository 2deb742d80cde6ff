package tui

// The words of opening things from the reader: an attachment or the HTML
// part with the desktop's program, and the link list.
func init() {
	addMessages(map[string][2]string{
		"help.openAttachment": {"open attachment", "添付を開く"},
		"help.openHTML":       {"open HTML in browser", "HTMLをブラウザーで開く"},
		"help.links":          {"list links", "リンク一覧"},
		"help.openLink":       {"open link", "リンクを開く"},
		"help.closeLinks":     {"close list", "一覧を閉じる"},

		"reader.openPrompt":   {"Open attachment number (1-%d; esc cancels): ", "開く添付ファイルの番号（1～%d、esc で中止）: "},
		"reader.htmlPart":     {"the HTML part", "HTMLパート"},
		"reader.opening":      {"Opening %s…", "%s を開いています…"},
		"reader.opened":       {"Opened %s.", "%s を開きました。"},
		"reader.openFailed":   {"Could not open %s: %s", "%s を開けませんでした: %s"},
		"reader.noOpener":     {"No program to open files: set POPBOX_OPENER or install xdg-utils; s saves the attachment instead.", "ファイルを開くプログラムがありません。POPBOX_OPENER を設定するか xdg-utils をインストールしてください。s で添付ファイルを保存することもできます。"},
		"reader.noLinkOpener": {"No program to open links: set POPBOX_OPENER or install xdg-utils.", "リンクを開くプログラムがありません。POPBOX_OPENER を設定するか xdg-utils をインストールしてください。"},
		"reader.noHTML":       {"This message has no HTML part.", "このメッセージにHTMLパートはありません。"},

		"reader.linksLoading":    {"Reading the links…", "リンクを読み込んでいます…"},
		"reader.linksTitle":      {"Links in this message (%d)", "このメッセージのリンク（%d件）"},
		"reader.linksHint":       {"enter or a number opens the link; esc closes the list.", "enter または番号でリンクを開きます。esc で一覧を閉じます。"},
		"reader.linkNumber":      {"Link number: ", "リンク番号: "},
		"reader.linkNotOpenable": {"[not opened]", "［開けません］"},
		"reader.linkNotOpened":   {"Not opened: popbox opens only http, https and mailto links.", "開きませんでした。popbox が開くのは http、https、mailto のリンクだけです。"},
		"reader.noLinks":         {"This message has no links.", "このメッセージにリンクはありません。"},
		"reader.linksFailed":     {"Could not read the links: %s", "リンクを読み込めませんでした: %s"},
	})
}
