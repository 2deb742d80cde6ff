package mail

import (
	"strconv"
	"strings"
	"time"
)

// capabilities is what CAPA (RFC 2449) said.
type capabilities struct {
	known      bool // CAPA answered +OK
	user       bool
	stls       bool
	pipelining bool
	uidl       bool
	sasl       []string
	// loginDelay and expireDays are LOGIN-DELAY and EXPIRE; the USER
	// variants mean the value may change after login (asked again then).
	loginDelay        time.Duration
	loginDelayPerUser bool
	expireDays        int // -1: NEVER or not announced
	expirePerUser     bool
}

func (c capabilities) hasSASL(mech string) bool {
	for _, m := range c.sasl {
		if strings.EqualFold(m, mech) {
			return true
		}
	}
	return false
}

// hints turns the capabilities into what is kept with the account.
func (c capabilities) hints(prev ServerHints) ServerHints {
	prev.LoginDelay = c.loginDelay
	prev.ExpireDays = c.expireDays
	return prev
}

// capa asks CAPA; a server without it (plain RFC 1939) leaves caps unknown.
func (s *session) capa() error {
	s.caps = capabilities{expireDays: -1}
	ok, _, err := s.cmd("CAPA")
	if err != nil || !ok {
		return err
	}
	body, err := s.readBody("CAPA", nil, maxListing, nil)
	if err != nil {
		return err
	}
	s.caps.known = true
	for len(body) > 0 {
		var line []byte
		line, body = nextLine(body)
		f := strings.Fields(string(line))
		if len(f) == 0 {
			continue
		}
		perUser := len(f) > 2 && strings.EqualFold(f[2], "USER")
		switch strings.ToUpper(f[0]) {
		case "USER":
			s.caps.user = true
		case "STLS":
			s.caps.stls = true
		case "PIPELINING":
			s.caps.pipelining = true
		case "UIDL":
			s.caps.uidl = true
		case "SASL":
			s.caps.sasl = append(s.caps.sasl, f[1:]...)
		case "LOGIN-DELAY":
			if len(f) > 1 {
				if n, err := strconv.Atoi(f[1]); err == nil && n > 0 {
					s.caps.loginDelay = time.Duration(n) * time.Second
					s.caps.loginDelayPerUser = perUser
				}
			}
		case "EXPIRE":
			if len(f) > 1 {
				if strings.EqualFold(f[1], "NEVER") {
					s.caps.expireDays = -1
				} else if n, err := strconv.Atoi(f[1]); err == nil && n >= 0 {
					s.caps.expireDays = n
				}
				s.caps.expirePerUser = perUser
			}
		}
	}
	return nil
}
