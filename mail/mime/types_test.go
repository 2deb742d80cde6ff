package mime

import (
	"encoding/json"
	"testing"
	"time"
)

// TestSummaryJSON pins the JSON shape of Summary: the store persists it, so
// a renamed or retagged field would lose what earlier versions wrote.
func TestSummaryJSON(t *testing.T) {
	s := Summary{
		From:        Address{Name: "Ann", Address: "ann@example.com"},
		To:          []Address{{Address: "bob@example.com"}},
		Cc:          []Address{{Name: "Cy", Address: "cy@example.com"}},
		Subject:     "Hi",
		Date:        time.Date(2024, 3, 12, 10, 0, 0, 0, time.FixedZone("", 9*3600)),
		DateMissing: true,
		MessageID:   "a@b",
		Size:        42,
		Attachments: true,
		Preview:     "text",
		Notes:       []string{"note"},
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"from":{"name":"Ann","address":"ann@example.com"},"to":[{"name":"","address":"bob@example.com"}],` +
		`"cc":[{"name":"Cy","address":"cy@example.com"}],"subject":"Hi","date":"2024-03-12T10:00:00+09:00","date_missing":true,` +
		`"message_id":"a@b","size":42,"attachments":true,"preview":"text","notes":["note"]}`
	if string(b) != want {
		t.Errorf("JSON =\n%s\nwant\n%s", b, want)
	}
	b, _ = json.Marshal(Summary{})
	const empty = `{"from":{"name":"","address":""},"subject":"","date":"0001-01-01T00:00:00Z","size":0,"attachments":false}`
	if string(b) != empty {
		t.Errorf("empty JSON =\n%s\nwant\n%s", b, empty)
	}
	var back Summary
	if err := json.Unmarshal([]byte(want), &back); err != nil || back.Subject != "Hi" || !back.Date.Equal(s.Date) || back.Notes[0] != "note" {
		t.Errorf("round trip: %+v, %v", back, err)
	}
}
