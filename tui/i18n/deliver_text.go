package i18n

import (
	"errors"

	"popbox/mail"
)

// Delivery to a Maildir or an MDA: the words for a message that could not
// be delivered (a fetch's warning, fetch --deliver-only's error), for an
// account that delivers nowhere, and for a delivery setting that does not
// read.

// deliveryError is the sentence for a kind of delivery: an account
// without a delivery target, or a delivery that failed.
func (l Lang) deliveryError(err error, sc Scene) (string, bool) {
	if errors.Is(err, mail.ErrNoDelivery) {
		return l.Tr("deliver.none", safe(sc.Account.Name), Shell(sc.Account.Name)), true
	}
	var de *mail.DeliveryError
	if errors.As(err, &de) {
		return l.deliveryReason(de), true
	}
	return "", false
}

// deliveryWarning is the warning of a fetch that left messages waiting
// for delivery.
func (l Lang) deliveryWarning(w mail.Warning) string {
	reason := safe(w.Text)
	if w.Delivery != nil {
		reason = l.deliveryReason(w.Delivery)
	}
	return l.Tr("deliver.waiting", Count(w.N), reason)
}

// deliveryReason says why one delivery failed.
func (l Lang) deliveryReason(de *mail.DeliveryError) string {
	cmd := safe(de.Target.Command)
	switch de.Op {
	case "exit":
		if de.Stderr != "" {
			return l.Tr("deliver.exitSaid", cmd, de.Status, safe(de.Stderr))
		}
		return l.Tr("deliver.exit", cmd, de.Status)
	case "timeout":
		return l.Tr("deliver.timeout", cmd)
	case "run":
		return l.Tr("deliver.run", cmd, safe(errText(de.Err)))
	case "read":
		return l.Tr("deliver.read", de.ID, safe(errText(de.Err)))
	case "create":
		return l.Tr("deliver.maildirCreate", safe(de.Target.Path), safe(errText(de.Err)))
	}
	return l.Tr("deliver.maildirWrite", safe(de.Target.Path), safe(errText(de.Err)))
}

// errText is an error's words, or nothing.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func init() {
	Add(map[string][2]string{
		"deliver.waiting": {
			"%s messages are waiting for delivery and stay on the server (popbox tries again at the next fetch, or with popbox fetch --deliver-only): %s",
			"%s 通のメッセージが配送待ちで、サーバーにも残しています（次回の受信時、または popbox fetch --deliver-only で再試行します）: %s"},
		"deliver.exit": {
			"the delivery command %s exited with status %d",
			"配送コマンド %s が終了ステータス %d で終了しました"},
		"deliver.exitSaid": {
			"the delivery command %s exited with status %d: %s",
			"配送コマンド %s が終了ステータス %d で終了しました: %s"},
		"deliver.timeout": {
			"the delivery command %s did not finish in time",
			"配送コマンド %s が時間内に終わりませんでした"},
		"deliver.run": {
			"the delivery command %s could not be run (%s)",
			"配送コマンド %s を実行できませんでした（%s）"},
		"deliver.read": {
			"message %s could not be read for delivery (%s); popbox repair may help",
			"メッセージ %s を配送のために読み出せませんでした（%s）。popbox repair で直せることがあります"},
		"deliver.maildirCreate": {
			"the Maildir %s could not be made (%s); check that the folder exists and that you may write to it",
			"Maildir %s を作成できませんでした（%s）。フォルダーがあり、書き込めることを確認してください"},
		"deliver.maildirWrite": {
			"the message could not be written to the Maildir %s (%s); check that you may write to it and that the disk is not full",
			"Maildir %s にメッセージを書き込めませんでした（%s）。書き込み権限があり、ディスクに空きがあることを確認してください"},
		"deliver.none": {
			"Account %s delivers nowhere; set a Maildir or a delivery command with popbox account set %s --deliver maildir:DIR (or mda:COMMAND)",
			"アカウント %s には配送先がありません。popbox account set %s --deliver maildir:DIR（または mda:COMMAND）で Maildir か配送コマンドを設定してください"},
		"err.bad-deliver": {
			"Give the delivery target as maildir: and the full path of a folder, or mda: and a command, as in maildir:/home/taro/Maildir or mda:procmail.",
			"配送先は maildir: に続けてフォルダーのフルパス、または mda: に続けてコマンドを指定してください（例: maildir:/home/taro/Maildir、mda:procmail）。"},
		"fetch.delivered": {
			"%s delivered, %s waiting for delivery",
			"%s通配送、%s通配送待ち"},
		"cli.deliverSet": {
			"%s now delivers each fetched message to %s; the server copy is deleted only after delivery.",
			"%s は受信した各メッセージを %s に配送します。サーバーのコピーは配送が済むまで削除しません。"},
		"cli.deliverOff": {
			"%s no longer delivers fetched messages.",
			"%s は受信したメッセージを配送しなくなりました。"},
		"cli.deliverOffDropped": {
			"%s no longer delivers fetched messages; %s messages that were waiting for delivery stay in popbox only.",
			"%s は受信したメッセージを配送しなくなりました。配送待ちだった %s 通は popbox にのみ残ります。"},
	})
}
