package main

import (
	"encoding/json"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"
)

// testDNS is a DNS server on 127.0.0.1 (UDP and TCP, one port) that
// answers from zone-file lines and NXDOMAIN otherwise; the binary asks it
// through POPBOX_DNS_SERVER.
type testDNS struct {
	addr  string
	asked atomic.Int64
}

func startTestDNS(t *testing.T, lines ...string) *testDNS {
	t.Helper()
	var rrs []dns.RR
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			t.Fatalf("record %q: %v", l, err)
		}
		rrs = append(rrs, rr)
	}
	s := &testDNS{}
	h := dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		s.asked.Add(1)
		m := new(dns.Msg)
		m.SetReply(q)
		for _, qq := range q.Question {
			for _, rr := range rrs {
				if strings.EqualFold(rr.Header().Name, qq.Name) && rr.Header().Rrtype == qq.Qtype {
					m.Answer = append(m.Answer, rr)
				}
			}
		}
		if len(m.Answer) == 0 {
			m.Rcode = dns.RcodeNameError
		}
		_ = w.WriteMsg(m)
	})
	var pc net.PacketConn
	var l net.Listener
	for range 20 {
		var err error
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		if l, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			break
		}
		pc.Close()
		pc, l = nil, nil
	}
	if pc == nil {
		t.Fatal("no port free for both UDP and TCP")
	}
	s.addr = pc.LocalAddr().String()
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: h}, {Listener: l, Handler: h}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		<-started
		t.Cleanup(func() { _ = srv.Shutdown() })
	}
	return s
}

// discoverCLI is a cli whose --discover asks d.
func discoverCLI(t *testing.T, d *testDNS) *cli {
	c := newCLI(t, nil)
	c.env = append(c.env, "POPBOX_DNS_SERVER="+d.addr)
	return c
}

type sideJSON struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Security string `json:"security"`
	User     string `json:"user"`
}

// onlyAccount is the one account accounts --json lists.
func onlyAccount(t *testing.T, c *cli) (in, out sideJSON, same bool) {
	t.Helper()
	var accts []struct {
		Incoming sideJSON `json:"incoming"`
		Outgoing sideJSON `json:"outgoing"`
		SMTPSame bool     `json:"smtp_same"`
	}
	raw := c.ok("", "accounts", "--json")
	if err := json.Unmarshal([]byte(raw), &accts); err != nil || len(accts) != 1 {
		t.Fatalf("accounts --json: %v\n%s", err, raw)
	}
	return accts[0].Incoming, accts[0].Outgoing, accts[0].SMTPSame
}

// TestAccountAddDiscoverMX: a company domain whose MX is Microsoft 365
// gets Microsoft 365's servers on both sides, the address as the user,
// one line on stderr saying so, and a warning that a password will not
// do; with a sign-in there is no warning.
func TestAccountAddDiscoverMX(t *testing.T) {
	d := startTestDNS(t, "corp.test. 300 IN MX 10 corp-test.mail.protection.outlook.com.")
	c := discoverCLI(t, d)
	_, errs, code := c.run("secret\n", "account", "add", "--name", "work", "--email", "taro@corp.test", "--discover",
		"--password-stdin", "--no-check")
	want := "popbox: Found by MX: Microsoft 365: outlook.office365.com:995 (SSL); outgoing smtp.office365.com:587 (STARTTLS)\n"
	if code != 0 || !strings.HasPrefix(errs, want) {
		t.Fatalf("exit %d\n got %q\nwant %q", code, errs, want)
	}
	if !strings.Contains(errs, "popbox: warning: Microsoft 365 refuses passwords for POP: add the account with --auth oauth2 --oauth-provider microsoft") {
		t.Errorf("no sign-in warning: %q", errs)
	}
	in, out, same := onlyAccount(t, c)
	if in != (sideJSON{"outlook.office365.com", 995, "ssl", "taro@corp.test"}) ||
		out != (sideJSON{"smtp.office365.com", 587, "starttls", "taro@corp.test"}) || !same {
		t.Errorf("incoming %+v outgoing %+v same %v", in, out, same)
	}

	c = discoverCLI(t, d)
	c.env = append(c.env, "LANG=ja_JP.UTF-8")
	_, errs, code = c.run("secret\n", "account", "add", "--name", "work", "--email", "taro@corp.test", "--discover",
		"--password-stdin", "--no-check")
	want = "popbox: MX レコードから見つかりました: Microsoft 365: 受信 outlook.office365.com:995（SSL）、送信 smtp.office365.com:587（STARTTLS）\n" +
		"popbox: 警告: Microsoft 365 は POP でパスワードを受け付けません。"
	if code != 0 || !strings.HasPrefix(errs, want) {
		t.Errorf("in Japanese: exit %d\n got %q\nwant %q", code, errs, want)
	}

	c = discoverCLI(t, d)
	_, errs, code = c.run("", "account", "add", "--name", "work", "--email", "taro@corp.test", "--discover",
		"--auth", "oauth2", "--token-cmd", "echo token", "--no-check")
	if code != 0 || strings.Contains(errs, "warning") || !strings.Contains(errs, "Found by MX: Microsoft 365") {
		t.Fatalf("with a sign-in: exit %d: %q", code, errs)
	}
}

// TestAccountAddDiscoverFills: what the user gave stays; the rest comes
// from the lookup (here SRV records, which name no user, and Zoho's EU
// data centre by MX).
func TestAccountAddDiscoverFills(t *testing.T) {
	d := startTestDNS(t,
		"srv.test. 300 IN MX 10 mx.zoho.eu.",
		"_pop3s._tcp.srv.test. 300 IN SRV 0 1 995 mail.srv.test.",
		"_submission._tcp.srv.test. 300 IN SRV 0 1 587 smtp.srv.test.",
		"zoho.test. 300 IN MX 10 mx.zoho.eu.",
	)
	c := discoverCLI(t, d)
	_, errs, code := c.run("pw\n", "account", "add", "--name", "a", "--email", "taro@srv.test", "--discover",
		"--user", "taro", "--password-stdin", "--no-check")
	if code != 0 || !strings.Contains(errs, "popbox: Found by SRV: mail.srv.test:995 (SSL); outgoing smtp.srv.test:587 (STARTTLS)\n") {
		t.Fatalf("SRV: exit %d: %q", code, errs)
	}
	in, out, _ := onlyAccount(t, c)
	if in != (sideJSON{"mail.srv.test", 995, "ssl", "taro"}) || out != (sideJSON{"smtp.srv.test", 587, "starttls", "taro"}) {
		t.Errorf("SRV: incoming %+v outgoing %+v", in, out)
	}

	// A port of the user's own keeps the security it implies.
	c = discoverCLI(t, d)
	c.ok("pw\n", "account", "add", "--name", "a", "--email", "taro@srv.test", "--discover", "--port", "110",
		"--user", "taro", "--password-stdin", "--no-check")
	if in, _, _ := onlyAccount(t, c); in != (sideJSON{"mail.srv.test", 110, "starttls", "taro"}) {
		t.Errorf("--port 110: incoming %+v", in)
	}

	c = discoverCLI(t, d)
	_, errs, code = c.run("pw\n", "account", "add", "--name", "z", "--email", "hanako@zoho.test", "--discover",
		"--smtp-host", "relay.zoho.test", "--smtp-port", "465", "--password-stdin", "--no-check")
	if code != 0 || !strings.Contains(errs, "Found by MX: Zoho Mail EU (organisation): poppro.zoho.eu:995 (SSL)") {
		t.Fatalf("Zoho: exit %d: %q", code, errs)
	}
	in, out, same := onlyAccount(t, c)
	if in != (sideJSON{"poppro.zoho.eu", 995, "ssl", "hanako@zoho.test"}) || out.Host != "relay.zoho.test" || same {
		t.Errorf("Zoho: incoming %+v outgoing %+v same %v", in, out, same)
	}
}

// TestAccountAddDiscoverNothing: nothing found is one sentence that says
// to give --host, in English and Japanese; --discover without --email is
// bad usage; with --host, or for a preset's domain, nothing is asked.
func TestAccountAddDiscoverNothing(t *testing.T) {
	d := startTestDNS(t)
	c := discoverCLI(t, d)
	args := []string{"account", "add", "--name", "a", "--email", "taro@nowhere.test", "--discover", "--password-stdin", "--no-check"}
	_, errs, code := c.run("pw\n", args...)
	want := "popbox: No servers found for taro@nowhere.test (popbox looked at its presets, an autoconfig file, SRV and MX records); give the incoming server with --host and --port.\n"
	if code != 1 || errs != want {
		t.Fatalf("exit %d\n got %q\nwant %q", code, errs, want)
	}
	c.env = append(c.env, "LANG=ja_JP.UTF-8")
	_, errs, code = c.run("pw\n", args...)
	if code != 1 || !strings.HasPrefix(errs, "popbox: taro@nowhere.test のサーバーは見つかりませんでした") || !strings.Contains(errs, "--host と --port") {
		t.Fatalf("in Japanese: exit %d %q", code, errs)
	}

	_, errs, code = c.run("pw\n", "account", "add", "--name", "a", "--discover", "--password-stdin")
	if code != 2 || !strings.Contains(errs, "--discover には --email が必要です") {
		t.Errorf("no --email: exit %d %q", code, errs)
	}

	asked := d.asked.Load()
	c = discoverCLI(t, d)
	_, errs, code = c.run("pw\n", "account", "add", "--name", "a", "--email", "taro@nowhere.test", "--discover",
		"--host", "pop.nowhere.test", "--port", "995", "--user", "taro", "--password-stdin", "--no-check")
	if code != 0 || strings.Contains(errs, "Found") {
		t.Errorf("with --host: exit %d %q", code, errs)
	}
	_, errs, code = c.run("pw\n", "account", "add", "--name", "g", "--email", "ann@gmail.com", "--discover",
		"--password-stdin", "--no-check")
	if code != 0 || !strings.Contains(errs, "popbox: Found in popbox's presets: Gmail: pop.gmail.com:995 (SSL); outgoing smtp.gmail.com:465 (SSL)\n") {
		t.Errorf("a preset: exit %d %q", code, errs)
	}
	if n := d.asked.Load() - asked; n != 0 {
		t.Errorf("%d DNS questions with --host or a preset", n)
	}
}
