package i18n

// The words of sending mail from the command line (popbox send, popbox
// outbox, and popbox fetch sending what waits) and of the outbox states.
func init() {
	Add(map[string][2]string{
		"cli.use.sendNoTo": {
			"send needs at least one recipient: --to, --cc or --bcc (with --raw, or To, Cc or Bcc in the message).",
			"send には宛先が少なくとも 1 つ必要です: --to、--cc または --bcc (--raw ではメッセージの To、Cc、Bcc でも可)。"},
		"cli.use.sendRawFlags": {
			"--raw sends the message as it is: --subject, --attach, --iso-2022-jp and --flowed do not go with it.",
			"--raw はメッセージをそのまま送ります: --subject、--attach、--iso-2022-jp、--flowed は一緒に使えません。"},
		"cli.use.sendAddress": {
			"%q is not an email address.",
			"%q はメールアドレスではありません。"},
		"cli.use.outboxRetry": {
			"outbox retry takes one ID or --all.",
			"outbox retry には ID を 1 つか --all を指定します。"},
		"cli.sendTooLarge": {
			"The message is larger than 64 MiB; nothing was sent.",
			"メッセージが 64 MiB を超えています。何も送信していません。"},
		"cli.sendFellBack": {
			"popbox: the text has characters ISO-2022-JP cannot hold, so the message is written in UTF-8.",
			"popbox: ISO-2022-JP で表せない文字があるため、UTF-8 で書きました。"},
		"cli.sent": {
			"Sent %s to %d recipient(s) (outbox %s); it is kept in popbox outbox sent.",
			"%s を %d 件の宛先に送信しました (送信箱 %s)。popbox outbox sent で確認できます。"},
		"cli.sendFailed": {
			"%s. The message stays in the outbox as failed; popbox outbox retry %s sends it again.",
			"%s。メッセージは送信箱に「失敗」として残っています。popbox outbox retry %s でもう一度送信します。"},
		"cli.sendUnknown": {
			"The connection ended after the message went to the server and before the server said whether it took it, so it may have been delivered. Check with a recipient or the server; popbox outbox retry %s --force sends it again (it may then arrive twice).",
			"メッセージをサーバーに渡した後、受け取ったかどうかの返事が来る前に接続が切れたため、届いている可能性があります。宛先の方やサーバーで確認してください。popbox outbox retry %s --force でもう一度送信します (二重に届くことがあります)。"},
		"cli.sendUnknownReason": {
			"the connection ended before the server answered the message",
			"メッセージへのサーバーの返事の前に接続が切れました"},
		"cli.outboxUnknownNoForce": {
			"Outbox message %s may have been delivered already (%s). Check with a recipient; popbox outbox retry %[1]s --force sends it again.",
			"送信箱のメッセージ %s はすでに届いている可能性があります (%s)。宛先の方に確認してください。popbox outbox retry %[1]s --force でもう一度送信します。"},
		"cli.outboxDraft": {
			"Outbox message %s is a draft: open it in popbox's Drafts view (D) to finish and send it.",
			"送信箱のメッセージ %s は下書きです。popbox の下書き一覧 (D) で開いて仕上げ、送信してください。"},
		"cli.outboxAlreadySent": {
			"Outbox message %s was sent already; nothing was sent again.",
			"送信箱のメッセージ %s は送信済みです。もう一度は送信していません。"},
		"cli.outboxNoID": {
			"There is no outbox message %[1]s for %[2]s; popbox outbox lists them.",
			"%[2]s の送信箱にメッセージ %[1]s はありません。popbox outbox で一覧を表示します。"},
		"cli.outboxEmpty": {
			"The outbox of %s is empty.",
			"%s の送信箱は空です。"},
		"cli.outboxNoneSent": {
			"%s has sent nothing yet.",
			"%s はまだ何も送信していません。"},
		"cli.outboxRetryFailed": {
			"Outbox messages %s were not sent; popbox outbox shows why.",
			"送信箱のメッセージ %s は送信できませんでした。popbox outbox で理由を表示します。"},
		// What popbox fetch says of the outbox it sends on its way.
		"cli.fetchSendFailed": {
			"Outbox message %[1]s to %[2]s was not sent: %[3]s. It waits in the outbox; the next fetch sends it, or popbox outbox retry %[1]s now.",
			"送信箱のメッセージ %[1]s (宛先 %[2]s) を送信できませんでした: %[3]s。送信箱に残っています。次の受信で送信するか、popbox outbox retry %[1]s で今すぐ送信します。"},
		"cli.fetchSendRefused": {
			"Outbox message %[1]s to %[2]s was not sent: %[3]s. Since the server refused it, fetch does not send it again; popbox outbox retry %[1]s does, once the cause is fixed.",
			"送信箱のメッセージ %[1]s (宛先 %[2]s) を送信できませんでした: %[3]s。サーバーが受け付けなかったため、受信のたびには再送しません。原因を直してから popbox outbox retry %[1]s で送信します。"},
		"cli.fetchSendLeft": {
			"%[1]d more outbox message(s) of %[2]s were not tried; the next fetch sends them, or popbox outbox retry --all now.",
			"%[2]s の送信箱のほかの %[1]d 件は送信を試みていません。次の受信で送信するか、popbox outbox retry --all で今すぐ送信します。"},
		// The outbox states, as the screens will name them.
		"outbox.state.draft":   {"draft", "下書き"},
		"outbox.state.queued":  {"queued", "送信待ち"},
		"outbox.state.sending": {"sending", "送信中"},
		"outbox.state.sent":    {"sent", "送信済み"},
		"outbox.state.failed":  {"failed", "失敗"},
		"outbox.state.unknown": {"delivery unknown", "配信不明"},
	})
}
