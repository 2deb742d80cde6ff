package mime

import "testing"

// TestEmojiTables checks the tables read from EmojiSources.txt against
// its counts and a few codes of each carrier's published lists.
func TestEmojiTables(t *testing.T) {
	tables := emojiTables()
	for c, want := range map[carrier]int{docomo: 244, kddi: 633, softbank: 469} {
		if got := len(tables[c]); got != want {
			t.Errorf("%v has %d emoji, want %d", c, got, want)
		}
	}
	tests := []struct {
		c    carrier
		code uint16
		want string
	}{
		{docomo, 0xf89f, "\u2600"},
		{docomo, 0xf991, "\u2764"},
		{docomo, 0xf98b, "5\u20e3"},
		{kddi, 0xf660, "\u2600"},
		{kddi, 0xf340, "\U0001F342"},
		{softbank, 0xf991, "\U0001F42F"},
		{softbank, 0xfbb3, "\U0001F1E8\U0001F1F3"},
	}
	for _, tt := range tests {
		if got, ok := carrierEmoji(tt.c, tt.code); !ok || got != tt.want {
			t.Errorf("carrierEmoji(%v, %X) = %q, %v; want %q", tt.c, tt.code, got, ok, tt.want)
		}
	}
	for _, tt := range []struct {
		c    carrier
		code uint16
	}{{kddi, 0xf748}, {docomo, 0xf9b1}, {noCarrier, 0xf89f}} {
		if got, ok := carrierEmoji(tt.c, tt.code); ok {
			t.Errorf("carrierEmoji(%v, %X) = %q, want none", tt.c, tt.code, got)
		}
	}
}

func TestSenderCarrier(t *testing.T) {
	tests := []struct {
		from string
		want carrier
	}{
		{"Hanako <hanako@docomo.ne.jp>", docomo},
		{"taro@EZweb.ne.jp", kddi},
		{"taro@biz.ezweb.ne.jp", kddi},
		{"=?ISO-2022-JP?B?GyRCQkBPOhsoQg==?= <taro@au.com>", kddi},
		{"jiro@i.softbank.jp", softbank},
		{"jiro@t.vodafone.ne.jp (Jiro)", softbank},
		{"someone@notdocomo.ne.jp", noCarrier},
		{"someone@docomo.ne.jp.example.com", noCarrier},
		{"Mailer Daemon", noCarrier},
	}
	for _, tt := range tests {
		if got := senderCarrier([]byte(tt.from)); got != tt.want {
			t.Errorf("senderCarrier(%q) = %v, want %v", tt.from, got, tt.want)
		}
	}
}
