package mail

import (
	"bytes"
	"encoding/base64"
	"fmt"
)

// authenticate logs in to srv with secret: the password, or for
// AuthOAuth2 the access token.
func (s *session) authenticate(srv Server, secret string) error {
	if srv.Auth != AuthOAuth2 {
		return s.login(srv.User, secret)
	}
	if err := s.authOAuth(srv, secret); err != nil {
		return err
	}
	return s.loggedIn()
}

// authOAuth logs in with an access token over SASL OAUTHBEARER or XOAUTH2
// (RFC 7628, RFC 5034). The exchange is always the two-step form:
//
//	C: AUTH XOAUTH2
//	S: +
//	C: dXNlcj1hbm5AZXhhbXBsZS5jb20BYXV0aD1CZWFyZXIgeWEyOS4uLgEB
//	S: +OK
//
// for the initial response carries the token, longer than the 255 octets
// RFC 5034 allows on the command line. A refused token may come as an
// error challenge first ("+ " and base64 JSON, RFC 7628 section 3.2.2),
// answered with an empty line (XOAUTH2) or %x01 (OAUTHBEARER), before the
// -ERR; a refusal is a TokenError.
func (s *session) authOAuth(srv Server, token string) error {
	user := srv.User
	if err := checkArg("user name", user); err != nil {
		return err
	}
	mech, err := chooseOAuthMech(srv.SASL, s.caps.known, s.caps.hasSASL)
	if err != nil {
		return fmt.Errorf("%s offers SASL %q: %w", s.addr, s.caps.sasl, err)
	}
	c := newOAuthClient(mech, user, token, s.host, srv.Port)
	_, ir, err := c.Start()
	if err != nil {
		return err
	}
	if bytes.ContainsAny(ir, "\r\n\x00") {
		return fmt.Errorf("the user name or access token contains a line break or NUL character: %w", ErrTokenCmd)
	}
	call := func() ([]byte, error) { return bufBytes(s.lib.Cmd("AUTH", false, mech)) }
	sent := false
	for round := 0; round < 4; round++ {
		line, libText, libErr, err := s.libRead("AUTH", call)
		if err != nil {
			return err
		}
		// go-pop3 takes a continuation for an unknown reply; it is read here.
		if len(line) > 0 && line[0] == '+' && (len(line) == 1 || line[1] == ' ') {
			if !sent {
				sent = true
				call = s.libLine(base64.StdEncoding.EncodeToString(ir))
				continue
			}
			chal, derr := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(line[1:])))
			var resp []byte
			if derr == nil {
				resp, derr = c.Next(chal)
			}
			if derr != nil {
				// RFC 5034: "*" cancels the exchange.
				if _, _, err := s.libStatus("AUTH", s.libLine("*")); err != nil {
					return err
				}
				return fmt.Errorf("AUTH %s with %s: %v: %w", mech, s.addr, derr, ErrProtocol)
			}
			call = s.libLine(base64.StdEncoding.EncodeToString(resp))
			continue
		}
		ok, text, err := s.verdict("AUTH", line, libText, libErr)
		if err != nil {
			return err
		}
		if ok {
			if !sent {
				return fmt.Errorf("AUTH %s: %s logged in before the token was sent: %w", mech, s.addr, ErrProtocol)
			}
			return nil
		}
		if !sent {
			// Refused before any token was sent: the mechanism itself.
			return fmt.Errorf("%s refused AUTH %s (-ERR %s): %w", s.addr, mech, serverText(text), ErrNoOAuthMech)
		}
		lerr := s.loginErr(user, text)
		if ae, isAuth := lerr.(*AuthError); isAuth {
			return &TokenError{Host: ae.Host, User: user, Mech: mech, Status: c.status, Reply: ae.Reply}
		}
		return lerr
	}
	return fmt.Errorf("AUTH %s with %s: too many challenges: %w", mech, s.addr, ErrProtocol)
}
