package mail

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"popbox/mail/mailtest"
)

// oauthFake is a scripted POP3 server for the OAuth2 exchange: it offers
// sasl in CAPA, answers AUTH with "+ ", reads the initial response, then
// answers with after (lines, each either a reply to send or "<" to read a
// client line). It records what the client sent.
type oauthFake struct {
	sasl  string
	after []string

	mu   sync.Mutex
	got  []string // client lines, base64 decoded after AUTH
	auth []string // AUTH command lines
}

func (f *oauthFake) record(dst *[]string, s string) {
	f.mu.Lock()
	*dst = append(*dst, s)
	f.mu.Unlock()
}

func (f *oauthFake) lines() (got, auth []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.got...), append([]string(nil), f.auth...)
}

func (f *oauthFake) serve(c net.Conn) {
	r := bufio.NewReader(c)
	say := func(s string) { c.Write([]byte(s + "\r\n")) }
	read := func() (string, bool) {
		l, err := r.ReadString('\n')
		return strings.TrimRight(l, "\r\n"), err == nil
	}
	say("+OK fake ready")
	for {
		line, ok := read()
		if !ok {
			return
		}
		verb, _, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "CAPA":
			say("+OK\r\nUSER\r\nUIDL")
			if f.sasl != "" {
				say("SASL " + f.sasl)
			}
			say(".")
		case "AUTH":
			f.record(&f.auth, line)
			say("+ ")
			ir, ok := read()
			if !ok {
				return
			}
			b, _ := base64.StdEncoding.DecodeString(ir)
			f.record(&f.got, string(b))
			for _, step := range f.after {
				if step != "<" {
					say(step)
					continue
				}
				l, ok := read()
				if !ok {
					return
				}
				f.record(&f.got, l)
			}
		case "STAT":
			say("+OK 0 0")
		case "QUIT":
			say("+OK bye")
			return
		default:
			say("-ERR unknown command")
		}
	}
}

// TestOAuthPOP3Exchange pins the two-step exchange against a scripted
// server: the mechanism chosen from CAPA, the token after "+" on its own
// line, and the error challenge answered (empty line for XOAUTH2, %x01 for
// OAUTHBEARER) before the -ERR, which becomes a TokenError with the
// challenge's status.
func TestOAuthPOP3Exchange(t *testing.T) {
	token := "tok-" + strings.Repeat("x", 400)
	xo := "user=alice\x01auth=Bearer " + token + "\x01\x01"
	challenge := base64.StdEncoding.EncodeToString([]byte(`{"status":"401","schemes":"bearer","scope":"https://mail.example/"}`))
	tests := []struct {
		name     string
		sasl     string
		forced   string
		after    []string
		wantMech string
		wantIR   string // prefix of the decoded initial response
		wantResp string // the line answering the error challenge, if any
		want     error
		status   string
	}{
		{"xoauth2 accepted", "PLAIN XOAUTH2", "", []string{"+OK logged in"}, "XOAUTH2", xo, "", nil, ""},
		{"oauthbearer preferred", "XOAUTH2 OAUTHBEARER", "", []string{"+OK logged in"}, "OAUTHBEARER", "n,a=alice,\x01host=127.0.0.1\x01port=", "", nil, ""},
		{"forced xoauth2", "XOAUTH2 OAUTHBEARER", "xoauth2", []string{"+OK logged in"}, "XOAUTH2", xo, "", nil, ""},
		{"xoauth2 error challenge", "XOAUTH2", "", []string{"+ " + challenge, "<", "-ERR [AUTH] Invalid token"}, "XOAUTH2", xo, "", ErrTokenRefused, "401"},
		{"oauthbearer error challenge", "OAUTHBEARER", "", []string{"+ " + challenge, "<", "-ERR [AUTH] Invalid token"}, "OAUTHBEARER", "n,a=alice,", "AQ==", ErrTokenRefused, "401"},
		{"refused without challenge", "XOAUTH2", "", []string{"-ERR [AUTH] Authentication failed."}, "XOAUTH2", xo, "", ErrTokenRefused, ""},
		{"mailbox in use", "XOAUTH2", "", []string{"-ERR [IN-USE] Mailbox locked"}, "XOAUTH2", xo, "", ErrMailbox, ""},
		{"neither offered", "PLAIN LOGIN", "", nil, "", "", "", ErrNoOAuthMech, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &oauthFake{sasl: tt.sasl, after: tt.after}
			addr := mailtest.Fake(t, f.serve)
			acct := testAccount(t, addr, SecurityNone)
			acct.Incoming.Auth = AuthOAuth2
			acct.Incoming.SASL = tt.forced
			acct.Incoming.Token = staticToken(token)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := CheckPOP3(ctx, acct, nil)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("CheckPOP3: %v, want %v", err, tt.want)
			}
			if errors.Is(err, ErrTokenRefused) && errors.Is(err, ErrAuth) {
				t.Errorf("%v is ErrAuth too", err)
			}
			var te *TokenError
			if errors.As(err, &te) && te.Status != tt.status {
				t.Errorf("status %q, want %q", te.Status, tt.status)
			}
			got, auth := f.lines()
			if tt.wantMech == "" {
				if len(auth) != 0 {
					t.Errorf("AUTH sent: %q", auth)
				}
				return
			}
			if len(auth) != 1 || auth[0] != "AUTH "+tt.wantMech {
				t.Fatalf("AUTH lines %q, want one \"AUTH %s\" with nothing after it", auth, tt.wantMech)
			}
			if len(got) == 0 || !strings.HasPrefix(got[0], tt.wantIR) || !strings.Contains(got[0], "auth=Bearer "+token+"\x01\x01") {
				t.Fatalf("initial response %q, want it to start with %q and carry the token", got, tt.wantIR)
			}
			if strings.Contains(strings.Join(tt.after, ""), "<") {
				if len(got) != 2 || got[1] != tt.wantResp {
					t.Errorf("answer to the error challenge %q, want %q", got[1:], tt.wantResp)
				}
			}
		})
	}
}

// TestChooseOAuthMech: OAUTHBEARER over XOAUTH2, a forced one as it is,
// XOAUTH2 when the server lists nothing, and a clear refusal.
func TestChooseOAuthMech(t *testing.T) {
	offers := func(ms ...string) func(string) bool {
		return func(m string) bool {
			for _, x := range ms {
				if strings.EqualFold(x, m) {
					return true
				}
			}
			return false
		}
	}
	tests := []struct {
		name   string
		forced string
		known  bool
		offers func(string) bool
		want   string
		err    error
	}{
		{"both", "", true, offers("XOAUTH2", "OAUTHBEARER"), MechOAUTHBEARER, nil},
		{"xoauth2 only", "", true, offers("PLAIN", "xoauth2"), MechXOAUTH2, nil},
		{"neither", "", true, offers("PLAIN"), "", ErrNoOAuthMech},
		{"unknown caps", "", false, offers(), MechXOAUTH2, nil},
		{"forced", "oauthbearer", true, offers("XOAUTH2"), MechOAUTHBEARER, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := chooseOAuthMech(tt.forced, tt.known, tt.offers)
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Errorf("= %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
		})
	}
	if _, err := chooseOAuthMech("CRAM-MD5", true, offers()); err == nil {
		t.Errorf("an unknown forced mechanism was accepted")
	}
}
