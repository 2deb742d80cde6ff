package i18n

// The words of the account settings for writing mail (account set
// --aliases, --reply-iso-2022-jp, and their problems, which the wizard
// shows too).
func init() {
	Add(map[string][2]string{
		"cli.use.onOff":  {"%s %q is not on or off", "%s %q は on または off ではありません"},
		"cli.aliasesSet": {"%s also receives and answers as %s.", "%s は %s 宛のメールも受け取り、そのアドレスから返信します。"},
		"cli.aliasesOff": {"%s has no other addresses now.", "%s の別アドレスをなくしました。"},
		"cli.replyJISOn": {"%s answers ISO-2022-JP mail in ISO-2022-JP.", "%s は ISO-2022-JP のメールに ISO-2022-JP で返信します。"},
		"cli.sendFailedStillUnknown": {
			"%[1]s. Nothing went out this time; outbox message %[2]s may still have been delivered before, so it stays \"delivery unknown\"; popbox outbox retry %[2]s --force tries again.",
			"%[1]s。今回は何も送信していません。送信箱のメッセージ %[2]s は以前の送信で届いている可能性があるため「配信不明」のままです。popbox outbox retry %[2]s --force でもう一度送信します。"},
		"cli.replyJISOff": {"%s answers all mail in UTF-8.", "%s はすべてのメールに UTF-8 で返信します。"},

		// The other addresses refused (mail.Account.Validate): the wizard's
		// field and account set --aliases.
		"err.bad-alias": {
			"%q is not an email address on its own; enter the other addresses without names, separated by commas, as in sales@example.com, info@example.com.",
			"%q は単独のメールアドレスではありません。別のアドレスは名前を付けずにカンマで区切って入力してください（例: sales@example.com, info@example.com）。"},
		"cli.err.bad-alias": {
			"%q is not an email address on its own; give the other addresses without names, separated by commas, as in --aliases sales@example.com,info@example.com.",
			"%q は単独のメールアドレスではありません。別のアドレスは名前を付けずにカンマで区切って指定してください（例: --aliases sales@example.com,info@example.com）。"},
		"err.own-alias": {
			"%s is this account's own address; remove it from the other addresses.",
			"%s はこのアカウント自身のアドレスです。別のアドレスから外してください。"},
		"cli.err.own-alias": {
			"%s is this account's own address; leave it out of --aliases.",
			"%s はこのアカウント自身のアドレスです。--aliases から外してください。"},
	})
}
