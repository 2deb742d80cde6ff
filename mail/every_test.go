package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestEvery(t *testing.T) {
	for in, want := range map[string]Every{"": 0, "off": 0, "0": 0, "15": Every(15 * time.Minute), "10m": Every(10 * time.Minute),
		"1h30m": Every(90 * time.Minute), " 2H ": Every(2 * time.Hour)} {
		got, err := ParseEvery(in)
		if err != nil || got != want {
			t.Errorf("ParseEvery(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"-5", "soon", "-1m"} {
		if _, err := ParseEvery(bad); err == nil {
			t.Errorf("ParseEvery(%q) took it", bad)
		}
	}
	for e, want := range map[Every]string{0: "off", Every(10 * time.Minute): "10m", Every(90 * time.Minute): "1h30m", Every(2 * time.Hour): "2h"} {
		if e.String() != want {
			t.Errorf("%d.String() = %q, want %q", e, e.String(), want)
		}
	}
	a := Account{FetchEvery: Every(10 * time.Minute)}
	b, _ := json.Marshal(a)
	if !bytes.Contains(b, []byte(`"fetch_every":"10m"`)) {
		t.Errorf("JSON %s", b)
	}
	var back Account
	if err := json.Unmarshal(b, &back); err != nil || back.FetchEvery != a.FetchEvery {
		t.Errorf("round trip %v, %v", back.FetchEvery, err)
	}
	for _, tc := range []struct {
		e  Every
		ok bool
	}{{0, true}, {MinEvery, true}, {MaxEvery, true}, {Every(30 * time.Second), false}, {MaxEvery + 1, false}} {
		fe := Account{FetchEvery: tc.e}.Validate(nil)
		bad := false
		for _, f := range fe {
			if f.Field == FieldFetchEvery && f.Code == CodeEveryRange {
				bad = true
			}
		}
		if bad == tc.ok {
			t.Errorf("Validate(%v): range problem %v", tc.e, bad)
		}
	}
}

func TestFetchDue(t *testing.T) {
	last := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	ten := Every(10 * time.Minute)
	for _, tc := range []struct {
		name  string
		every Every
		delay time.Duration
		fails int
		want  time.Duration
		ok    bool
	}{
		{"off", 0, 0, 0, 0, false},
		{"interval", ten, 0, 0, 10 * time.Minute, true},
		{"LOGIN-DELAY longer", ten, 15 * time.Minute, 0, 15 * time.Minute, true},
		{"one failure doubles", ten, 0, 1, 20 * time.Minute, true},
		{"backoff capped at an hour", ten, 0, 4, time.Hour, true},
		{"a long interval is not shortened", Every(3 * time.Hour), 0, 2, 3 * time.Hour, true},
	} {
		due, ok := FetchDue(tc.every, tc.delay, last, tc.fails)
		if ok != tc.ok || (ok && due.Sub(last) != tc.want) {
			t.Errorf("%s: due in %v (%v), want %v", tc.name, due.Sub(last), ok, tc.want)
		}
	}
}

func TestRunOnNew(t *testing.T) {
	var out bytes.Buffer
	a := Account{Name: "Work; rm -rf /", Email: "taro@example.com", OnNew: `printf '%s|%s|%s' "$POPBOX_ACCOUNT" "$POPBOX_EMAIL" "$POPBOX_NEW"`}
	if err := RunOnNew(context.Background(), a, 3, &out, nil); err != nil {
		t.Fatal(err)
	}
	if out.String() != "Work; rm -rf /|taro@example.com|3" {
		t.Errorf("the command saw %q", out.String())
	}
	out.Reset()
	if err := RunOnNew(context.Background(), a, 0, &out, nil); err != nil || out.Len() != 0 {
		t.Errorf("ran for no new mail: %q %v", out.String(), err)
	}
	a.OnNew = "exit 3"
	if err := RunOnNew(context.Background(), a, 1, nil, nil); !errors.Is(err, ErrOnNew) {
		t.Errorf("a failing command: %v", err)
	}
}
