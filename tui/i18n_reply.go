package tui

// The wizard's settings for answering mail: the account's other addresses
// and replies to ISO-2022-JP mail (wizard_reply.go). A label stays within
// the widest one of its language, so the value column does not move.
func init() {
	addMessages(map[string][2]string{
		"field.aliases":              {"Other addresses", "別のアドレス"},
		"hint.aliases":               {"Addresses this account also receives mail at, separated by commas, as in sales@example.com, info@example.com (optional). A reply goes out from the address the message was sent to.", "このアカウントで受け取るほかのアドレスを、カンマで区切って入力します（例: sales@example.com, info@example.com。任意）。返信は、メールが送られてきたアドレスから送ります。"},
		"wizard.placeholder.aliases": {"sales@example.com, info@example.com", "sales@example.com, info@example.com"},
		"wizard.aliases-none":        {"none", "なし"},

		"field.reply-iso-2022-jp": {"ISO-2022-JP replies", "ISO-2022-JPメールへの返信"},
		"hint.reply-iso-2022-jp":  {"How to answer mail written in ISO-2022-JP; many Japanese business readers expect it. A reply with a character ISO-2022-JP cannot hold goes in UTF-8. Space or ←/→ changes.", "ISO-2022-JP で書かれたメールに返信するときの文字コードです。日本の取引先などでは ISO-2022-JP が期待されることがよくあります。ISO-2022-JP で表せない文字がある返信は UTF-8 で送ります。スペースか←/→で切り替えます。"},
		"wizard.reply.utf8":       {"In UTF-8", "UTF-8 で返信"},
		"wizard.reply.jis":        {"In ISO-2022-JP (when every character fits)", "ISO-2022-JP で返信（すべての文字が表せるとき）"},
	})
}
