package i18n

// The words of the account settings for writing mail (account set
// --aliases, --reply-iso-2022-jp).
func init() {
	Add(map[string][2]string{
		"cli.use.onOff":   {"%s %q is not on or off", "%s %q は on または off ではありません"},
		"cli.aliasesSet":  {"%s also receives and answers as %s.", "%s は %s 宛のメールも受け取り、そのアドレスから返信します。"},
		"cli.aliasesOff":  {"%s has no other addresses now.", "%s の別アドレスをなくしました。"},
		"cli.replyJISOn":  {"%s answers ISO-2022-JP mail in ISO-2022-JP.", "%s は ISO-2022-JP のメールに ISO-2022-JP で返信します。"},
		"cli.replyJISOff": {"%s answers all mail in UTF-8.", "%s はすべてのメールに UTF-8 で返信します。"},
	})
}
