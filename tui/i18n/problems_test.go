package i18n

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"popbox/mail"
	"popbox/mail/oauth"
	"popbox/store"
)

// sampleAccount is the account the sample errors concern; its names hold
// no English words, so that a test can look for English prose.
var sampleAccount = mail.Account{
	Name:     "Box",
	Email:    "taro@example.jp",
	Incoming: mail.Server{Host: "pop.example.jp", Port: 995, Security: mail.SecuritySSL, User: "taro"},
	Outgoing: mail.Server{Host: "smtp.example.jp", Port: 465, Security: mail.SecuritySSL, User: "taro"},
}

// kinds is one error of every kind mail and store return.
func kinds() map[string]error {
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	wrapped := func(kind error) error { return fmt.Errorf("pop.example.jp:995: %w: xyz", kind) }
	m := map[string]error{
		"no message":        &store.NotFoundError{Kind: store.ErrNoMessage, ID: "42"},
		"no account named":  &store.NotFoundError{Kind: store.ErrNoAccount, Name: "Box"},
		"no account ID":     &store.NotFoundError{Kind: store.ErrNoAccount, ID: "7"},
		"no account":        &store.NotFoundError{Kind: store.ErrNoAccount},
		"damaged database":  &store.DamagedError{Path: "/home/taro/popbox.db", Detail: "xyz"},
		"damaged message":   &store.DamagedError{Path: "/home/taro/popbox.db", Detail: "xyz", MessageID: "42"},
		"key missing":       &store.KeyFileError{Path: "/home/taro/popbox.db.key", Problem: store.KeyMissing},
		"key unreadable":    &store.KeyFileError{Path: "/home/taro/popbox.db.key", Problem: store.KeyUnreadable, Detail: "EACCES"},
		"key damaged":       &store.KeyFileError{Path: "/home/taro/popbox.db.key", Problem: store.KeyDamaged, Detail: "3 bytes"},
		"key mismatch":      &store.KeyFileError{Path: "/home/taro/popbox.db.key", Problem: store.KeyMismatch, Account: "Box", Side: "incoming"},
		"same credentials":  &store.SameCredentialsError{Account: "Box"},
		"password empty":    store.ErrPasswordEmpty,
		"password chars":    store.ErrPasswordChars,
		"policy":            &store.PolicyError{Path: "/etc/popbox/policy.json", Why: "EACCES"},
		"locked":            &store.OpenError{Path: "/home/taro/popbox.db", Err: store.ErrLocked},
		"newer":             &store.OpenError{Path: "/home/taro/popbox.db", Err: store.ErrNewerSchema, Schema: 9},
		"key file refused":  &store.OpenError{Path: "/home/taro/popbox.db.key", Key: true, Err: store.ErrKeyFile, Reason: "FIFO"},
		"not a database":    &store.OpenError{Path: "/home/taro/popbox.db", Err: store.ErrNotDatabase, Reason: "FIFO"},
		"no database":       &store.OpenError{Path: "/home/taro/popbox.db", Err: store.ErrNoDatabase},
		"unsafe owner":      &store.OpenError{Path: "/home/taro/popbox.db", Err: store.ErrUnsafe, Unsafe: store.Unsafety{Problem: store.OwnedByOther, Owner: "jiro", Me: "taro"}},
		"unsafe writable":   &store.OpenError{Path: "/home/taro/popbox.db", Err: store.ErrUnsafe, Unsafe: store.Unsafety{Problem: store.Writable, ByOthers: true, Mode: "0666"}},
		"unsafe folder":     &store.OpenError{Path: "/srv/x/popbox.db", Err: store.ErrUnsafe, Unsafe: store.Unsafety{Problem: store.FolderOwnedByOther, Owner: "jiro", Folder: "/srv/x"}},
		"unsafe folder w":   &store.OpenError{Path: "/srv/x/popbox.db", Key: true, Err: store.ErrUnsafe, Unsafe: store.Unsafety{Problem: store.FolderWritable, Mode: "0770", Folder: "/srv/x"}},
		"auth":              wrapped(mail.ErrAuth),
		"tls mismatch":      wrapped(mail.ErrTLSMismatch),
		"certificate":       wrapped(mail.ErrCertificate),
		"cert wrong host":   fmt.Errorf("x: %w", &mail.CertError{Host: "pop.example.jp", Reason: mail.CertWrongHost, Names: []string{"mx.example.jp"}, Err: mail.ErrCertificate}),
		"cert expired":      fmt.Errorf("x: %w", &mail.CertError{Host: "pop.example.jp", Reason: mail.CertExpired, When: when, Err: mail.ErrCertificate}),
		"cert not yet":      fmt.Errorf("x: %w", &mail.CertError{Host: "pop.example.jp", Reason: mail.CertNotYetValid, When: when, Err: mail.ErrCertificate}),
		"cert untrusted":    fmt.Errorf("x: %w", &mail.CertError{Host: "pop.example.jp", Reason: mail.CertUntrusted, Err: mail.ErrCertificate}),
		"cert self-signed":  fmt.Errorf("x: %w", sampleCertError(mail.CertSelfSigned)),
		"cert fingerprint":  fmt.Errorf("x: %w", sampleCertError(mail.CertUntrusted)),
		"pin mismatch":      fmt.Errorf("x: %w", &mail.PinMismatchError{Pinned: mail.CertFingerprint([]byte("old")), Cert: sampleCertError(mail.CertSelfSigned)}),
		"no STARTTLS":       wrapped(mail.ErrNoSTARTTLS),
		"timeout":           wrapped(mail.ErrTimeout),
		"unreachable":       wrapped(mail.ErrUnreachable),
		"no UIDL":           wrapped(mail.ErrNoUIDL),
		"quit refused":      wrapped(mail.ErrQuitRefused),
		"mailbox":           wrapped(mail.ErrMailbox),
		"password command":  wrapped(mail.ErrPasswordCmd),
		"login delay":       wrapped(mail.ErrLoginDelay),
		"login delay until": &mail.LoginDelayError{Host: "pop.example.jp", Delay: 5 * time.Minute, Last: when, Next: when.Add(5 * time.Minute)},
		"protocol":          wrapped(mail.ErrProtocol),
		"token refused":     fmt.Errorf("x: %w", &mail.TokenError{Host: "pop.example.jp", User: "taro", Mech: mail.MechXOAUTH2, Status: "401"}),
		"token command":     wrapped(mail.ErrTokenCmd),
		"no token":          wrapped(mail.ErrNoToken),
		"no OAuth2 login":   wrapped(mail.ErrNoOAuthMech),
		"sign in again":     fmt.Errorf("refresh: %w", oauth.ErrSignInAgain),
		"no client ID":      oauth.ErrNoClientID,
	}
	for _, code := range []string{mail.CodeRequired, mail.CodeBadEmail, mail.CodeHostScheme, mail.CodeHostInvalid, mail.CodePortRange,
		mail.CodePortNumber, mail.CodePlainOnTLS, mail.CodeTLSOnPlain, mail.CodePlainPassword, mail.CodeRecentKeep,
		mail.CodeDaysRange, mail.CodeDuplicateName, mail.CodeBadChars, mail.CodeBadRetention, mail.CodeSizeRange, mail.CodeEveryRange,
		mail.CodeBadAlias, mail.CodeOwnAlias} {
		m["field "+code] = mail.FieldErrors{{Field: mail.FieldPort, Code: code, Message: "Xyz."}}
	}
	return m
}

// scenes are the places an error is shown.
var scenes = map[string]Scene{
	"cli":          {Front: CLI, Account: sampleAccount},
	"cli outgoing": {Front: CLI, Account: sampleAccount, Outgoing: true},
	"cli add":      {Front: CLI, Task: TaskTest, Account: sampleAccount},
	"fetch":        {Front: Screen, Task: TaskFetch, Account: sampleAccount},
	"dialog":       {Front: Screen, Task: TaskDialog, Account: sampleAccount},
	"test":         {Front: Screen, Task: TaskTest, Account: sampleAccount},
	"other":        {Front: Screen, Task: TaskOther, Account: sampleAccount},
}

// english finds English prose: its small words.
var english = regexp.MustCompile(`(?i)\b(the|is|are|was|not|with|and|to|of|for|could|cannot|does|did|this|that|check|again)\b`)

func hasJapanese(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han)
	})
}

// TestEveryKindInBothLanguages: every kind of error mail and store return
// becomes a sentence of the catalog in every scene, in English and in
// Japanese; a Japanese screen shows no English sentence from mail or store.
func TestEveryKindInBothLanguages(t *testing.T) {
	for name, err := range kinds() {
		for sname, sc := range scenes {
			en, ja := EN.Error(err, sc), JA.Error(err, sc)
			if en == "" || strings.Contains(en, "%!") || strings.Contains(ja, "%!") {
				t.Errorf("%s, %s: en %q, ja %q", name, sname, en, ja)
			}
			if strings.Contains(en, "Xyz") && name != "field "+mail.CodeBadRetention {
				// mail's own English message: the catalog lacks the code.
				t.Errorf("%s, %s: mail's message shown: %q", name, sname, en)
			}
			if !hasJapanese(ja) || ja == en {
				t.Errorf("%s, %s: not Japanese: %q", name, sname, ja)
			}
			if sc.Front == Screen {
				if w := english.FindString(ja); w != "" {
					t.Errorf("%s, %s: English (%q) on a Japanese screen: %q", name, sname, w, ja)
				}
			}
		}
	}
}

// TestSentencesPinned pins sentences that tests of store and cmd used to
// read from the errors themselves, before the advice moved here.
func TestSentencesPinned(t *testing.T) {
	cli := Scene{Front: CLI}
	tests := []struct {
		err  error
		sc   Scene
		want string
	}{
		{&store.DamagedError{Path: "/home/taro/popbox.db", MessageID: "42", Detail: "its bytes do not match the SHA-256 stored with it"}, cli,
			"Message 42 in the database /home/taro/popbox.db is damaged (its bytes do not match the SHA-256 stored with it); " +
				"popbox changed nothing in it. Run popbox --db /home/taro/popbox.db repair: it copies all that can still be read into a new file and says how to put that in place."},
		{&store.DamagedError{Path: "/home/taro/my mail/popbox.db", Detail: "page 7 unreadable"}, cli,
			"The database /home/taro/my mail/popbox.db is damaged (page 7 unreadable); popbox changed nothing in it. Run popbox --db '/home/taro/my mail/popbox.db' repair: it copies all that can still be read into a new file and says how to put that in place."},
		{&store.KeyFileError{Path: "/k", Problem: store.KeyMissing, Account: "Work", Side: "incoming"}, cli,
			"The key file /k is missing; passwords must be set again with popbox account passwd Work --incoming."},
		{&store.KeyFileError{Path: "/k", Problem: store.KeyMismatch, Account: "My Home", Side: "incoming"}, cli,
			"The key file /k does not open the stored incoming password of My Home (the file was replaced, or the database copied without it); passwords must be set again with popbox account passwd 'My Home' --incoming."},
		{&store.OpenError{Path: "/d", Err: store.ErrLocked}, cli, "Popbox is already running with this database (/d); close the other popbox first."},
		{&store.OpenError{Path: "/d", Err: store.ErrUnsafe, Unsafe: store.Unsafety{Problem: store.OwnedByOther, Owner: "nobody", Me: "root"}}, cli,
			"The database /d belongs to user nobody, not to you (root), so another user could have planted it or could change it; popbox did not read or write it. If it is yours, take it back with chown root /d (as root), or choose another file with --db."},
		{&store.OpenError{Path: "/d/p.db", Err: store.ErrUnsafe, Unsafe: store.Unsafety{Problem: store.FolderWritable, ByOthers: true, Mode: "0777", Folder: "/d"}}, cli,
			"The database /d/p.db cannot be trusted: its folder /d is writable by others (mode 0777), who can replace it, so another user could have planted it or could change it; popbox did not read or write it. Make the folder yours alone with chmod go-w /d, or choose another file with --db."},
		{&store.NotFoundError{Kind: store.ErrNoMessage, ID: "9"}, cli, "No message with ID 9; popbox list shows the IDs."},
		{&store.NotFoundError{Kind: store.ErrNoAccount, Name: "Nope"}, cli, `No account named "Nope"; popbox accounts lists them.`},
		{&store.SameCredentialsError{Account: "Same"}, cli, "Account Same uses its incoming password for the outgoing server; set that one with popbox account passwd Same --incoming."},
		{fmt.Errorf("x: %w", mail.ErrAuth), Scene{Front: CLI, Account: mail.Account{Name: "box", Email: "a@example.org", Incoming: mail.Server{Host: "h", User: "alice"}}},
			"h refused the password for alice. Set it again with: popbox account passwd box --incoming."},
		{fmt.Errorf("x: %w", mail.ErrAuth), Scene{Front: CLI, Outgoing: true, Account: mail.Account{Name: "box", Email: "a@example.org", Incoming: mail.Server{Host: "h", User: "alice"}, Outgoing: mail.Server{Host: "s", User: "bob"}}},
			"s refused the password for bob. Set it again with: popbox account passwd box --outgoing."},
		{&store.NotFoundError{Kind: store.ErrNoMessage, ID: "9"}, Scene{Front: Screen, Task: TaskOther}, "Message 9 is no longer stored."},
		{errors.New("victim.txt already exists"), cli, "victim.txt already exists."},
	}
	for _, tc := range tests {
		if got := EN.Error(tc.err, tc.sc); got != tc.want {
			t.Errorf("got  %q\nwant %q", got, tc.want)
		}
	}
}

// TestFieldCLIWords: the CLI names the flag and its values, the screen its
// labels.
func TestFieldCLIWords(t *testing.T) {
	fe := mail.FieldErrors{{Field: mail.FieldRetention, Code: mail.CodeBadRetention, Message: "x"}}
	if got := EN.Error(fe, Scene{Front: CLI}); got != "--retention: Choose keep, delete, days:N or mirror." {
		t.Errorf("CLI: %q", got)
	}
	if got := EN.Error(fe, Scene{Front: Screen, Task: TaskOther}); got != "Choose one of the four settings." {
		t.Errorf("screen: %q", got)
	}
	if got := JA.Error(fe, Scene{Front: CLI}); !strings.HasPrefix(got, "--retention: ") || !hasJapanese(got) {
		t.Errorf("CLI ja: %q", got)
	}
}

// TestEveryWarningInBothLanguages: every warning of a fetch is a sentence
// of the catalog, in Japanese without English prose of mail's.
func TestEveryWarningInBothLanguages(t *testing.T) {
	for k := mail.WarnNotStored; k <= mail.WarnDeliveryWaiting; k++ {
		w := mail.Warning{Kind: k, Host: "pop.example.jp", UID: "u1", N: 3, Size: 9 << 20, Limit: 1 << 20, Delay: time.Minute,
			Text: `"x y"`, Retention: mail.Retention{Kind: mail.RetainDays, Days: 30},
			Unfaithful: &mail.UnfaithfulError{Num: 1, Announced: 4096, Got: 1 << 20}}
		en, ja := EN.Warning(w), JA.Warning(w)
		if en == "" || strings.HasPrefix(en, "warning ") {
			t.Errorf("kind %d: not in the catalog: %q", k, en)
		}
		if strings.Contains(en, "%!") || strings.Contains(ja, "%!") || !hasJapanese(ja) {
			t.Errorf("kind %d: en %q, ja %q", k, en, ja)
		}
		if m := english.FindString(ja); m != "" {
			t.Errorf("kind %d: English (%q) in %q", k, m, ja)
		}
	}
}
