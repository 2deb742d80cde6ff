package i18n

import (
	"popbox/mail"
)

// Warning is a fetch's warning as a sentence in l.
func (l Lang) Warning(w mail.Warning) string {
	host, uid, text := safe(w.Host), safe(w.UID), safe(w.Text)
	switch w.Kind {
	case mail.WarnNotStored:
		return l.Tr("warn.notStored", uid, l.unfaithful(w.Unfaithful))
	case mail.WarnNotRetrieved:
		return l.Tr("warn.notRetrieved", uid, text)
	case mail.WarnMoreFailed:
		return l.Tr("warn.moreFailed", Count(w.N))
	case mail.WarnLoginRefusedMore:
		return l.Tr("warn.loginRefusedMore", host)
	case mail.WarnHintsNotSaved:
		return l.Tr("warn.hintsNotSaved", text)
	case mail.WarnUIDLLine:
		return l.Tr("warn.uidlLine", host, text)
	case mail.WarnUIDLTwice:
		return l.Tr("warn.uidlTwice", host, w.N)
	case mail.WarnLISTLine:
		return l.Tr("warn.listLine", host, text)
	case mail.WarnLISTTwice:
		return l.Tr("warn.listTwice", host, w.N)
	case mail.WarnListingMore:
		return l.Tr("warn.listingMore")
	case mail.WarnDeleRefused:
		return l.Tr("warn.deleRefused", host, w.N, text)
	case mail.WarnNoUID:
		return l.Tr("warn.noUID", host, Count(w.N))
	case mail.WarnDuplicateUID:
		return l.Tr("warn.duplicateUID", host, uid)
	case mail.WarnTooLarge:
		return l.Tr("warn.tooLarge", uid, mail.FormatSize(w.Size), mail.FormatSize(w.Limit))
	case mail.WarnOddUID:
		return l.Tr("warn.oddUID", host, w.N, uid)
	case mail.WarnMoreLater:
		return l.Tr("warn.moreLater", host, l.Duration(w.Delay))
	case mail.WarnDeliveryWaiting:
		return l.deliveryWarning(w)
	case mail.WarnExpire:
		when := l.Tr("warn.expireAfter", w.N)
		if w.N == 0 {
			when = l.Tr("warn.expireAtOnce")
		}
		return l.Tr("warn.expire", host, when, w.N, l.Retention(w.Retention))
	}
	return safe(w.String())
}

// unfaithful says why a reply was not taken as the message asked for.
func (l Lang) unfaithful(e *mail.UnfaithfulError) string {
	switch {
	case e == nil:
		return ""
	case e.CutOff && e.Announced > 0:
		return l.Tr("warn.cutOffAnnounced", mail.FormatSize(e.Limit), mail.FormatSize(e.Announced))
	case e.CutOff:
		return l.Tr("warn.cutOff", mail.FormatSize(e.Limit))
	}
	return l.Tr("warn.unfaithful", mail.FormatSize(e.Got), mail.FormatSize(e.Announced))
}

// Retention names a retention setting for people, as the accounts screen
// and sentences show it.
func (l Lang) Retention(r mail.Retention) string {
	switch r.Kind {
	case mail.RetainKeep:
		return l.Tr("retention.keep")
	case mail.RetainMirror:
		return l.Tr("retention.mirror")
	case mail.RetainDays:
		return l.Tr("retention.days", r.Days)
	}
	return l.Tr("retention.delete")
}

func init() {
	Add(map[string][2]string{
		"warn.notStored":        {"Message %s was not stored and stays on the server: %s.", "メッセージ %s は保存せず、サーバーに残しています: %s。"},
		"warn.cutOffAnnounced":  {"its reply ran past %[1]s although the server announced %[2]s, so popbox stopped reading it", "サーバーは %[2]s と知らせていましたが応答が %[1]s を超えたため、読み込みを止めました"},
		"warn.cutOff":           {"it is larger than the account's limit of %s, so popbox stopped reading it", "アカウントの上限 %s より大きいため、読み込みを止めました"},
		"warn.unfaithful":       {"its reply held %[1]s where the server announced %[2]s, so it cannot be a faithful copy", "サーバーは %[2]s と知らせていましたが応答は %[1]s で、正しい写しとは言えません"},
		"warn.notRetrieved":     {"Message %s was not retrieved and stays on the server: %s.", "メッセージ %s を受信できず、サーバーに残しています: %s。"},
		"warn.moreFailed":       {"%s more messages could not be retrieved.", "ほかに %s 通を受信できませんでした。"},
		"warn.loginRefusedMore": {"%s may hold more new mail, but it refused another login so soon; fetch again later.", "%s にはまだ新着メールがある可能性がありますが、続けてのログインを拒否されました。後でもう一度受信してください。"},
		"warn.hintsNotSaved":    {"The server's hints could not be saved: %s.", "サーバーの情報を保存できませんでした: %s。"},
		"warn.uidlLine":         {"%s listed %s in UIDL, which is not a message number and a UID.", "%s のUIDLに、メッセージ番号とUIDではない行 %s がありました。"},
		"warn.uidlTwice":        {"%s listed message %d twice in UIDL; the second entry was ignored.", "%s のUIDLにメッセージ %d が2回ありました。2つ目は無視しました。"},
		"warn.listLine":         {"%s listed %s in LIST, which is not a message number and a size.", "%s のLISTに、メッセージ番号とサイズではない行 %s がありました。"},
		"warn.listTwice":        {"%s listed message %d twice in LIST.", "%s のLISTにメッセージ %d が2回ありました。"},
		"warn.listingMore":      {"More lines of the listing could not be read.", "一覧のほかの行も読み取れませんでした。"},
		"warn.deleRefused":      {"%s did not delete message %d: -ERR %s", "%s はメッセージ %d を削除しませんでした: -ERR %s"},
		"warn.noUID":            {"%s left %s of the messages it lists out of UIDL; popbox fetches them each time and knows them by their content.", "%s はメッセージのうち %s 通をUIDLに載せていません。popbox は毎回それらを受信し、内容で見分けます。"},
		"warn.duplicateUID":     {"%s gave the UID %q to more than one message; one copy is fetched and none is deleted from the server.", "%s は複数のメッセージに同じUID %q を付けています。1通だけ受信し、サーバーからはどれも削除しません。"},
		"warn.tooLarge":         {"Message %s is %s, larger than the account's limit of %s, and stays on the server; raise the account's limit to fetch it.", "メッセージ %s は %s で、アカウントの上限 %s より大きいためサーバーに残しています。受信するには上限を上げてください。"},
		"warn.oddUID":           {"%s gave message %d a UID that POP3 does not allow; popbox knows it as %s.", "%s はメッセージ %d にPOP3で認められないUIDを付けています。popbox は %s として扱います。"},
		"warn.moreLater":        {"%s may hold more new mail than it offered in one session, and it asks for %s between logins; fetch again after that.", "%s には1回のセッションで渡された以上の新着メールがある可能性があります。ログイン間隔は%sなので、その後でもう一度受信してください。"},
		"warn.expire":           {"%[1]s deletes mail on its own %[2]s (CAPA EXPIRE %[3]d), while the setting is “%[4]s”; popbox keeps its own copy of what it fetched.", "%[1]s は%[2]sメールを自動的に削除します（CAPA EXPIRE %[3]d）。設定は「%[4]s」です。受信したメールは popbox に保存されています。"},
		"warn.expireAfter":      {"%d days after it is retrieved", "受信から%d日後に"},
		"warn.expireAtOnce":     {"as soon as it is retrieved", "受信するとすぐに"},
		"retention.keep":        {"keep on server", "メールを残す"},
		"retention.delete":      {"delete on receipt", "受信時に削除する"},
		"retention.days":        {"delete after %d days", "%d日後に削除する"},
		"retention.mirror":      {"delete when deleted here", "削除時に削除する"},
	})
}
