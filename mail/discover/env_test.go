package discover

import (
	"context"
	"testing"
)

// TestEnvOptions: without POPBOX_DNS_SERVER the system's resolver and
// client; with it, every name (the autoconfig hosts' too) is asked there.
func TestEnvOptions(t *testing.T) {
	if o := EnvOptions(func(string) string { return "" }); o.Resolver != nil || o.HTTPClient != nil {
		t.Errorf("without %s: %+v", EnvDNSServer, o)
	}
	d := startDNS(t, "corp.test. 300 IN MX 10 corp-test.mail.protection.outlook.com.")
	o := EnvOptions(func(k string) string {
		if k == EnvDNSServer {
			return " " + d.addr + " "
		}
		return ""
	})
	res, err := Lookup(context.Background(), "taro@corp.test", o)
	if err != nil || res.Best.Source != SourceMX || res.Best.Incoming.Host != "outlook.office365.com" {
		t.Fatalf("Lookup: %v %+v", err, res.Best)
	}
	// MX, the SRV names and the autoconfig hosts were all asked there.
	if n := d.asked.Load(); n < 5 {
		t.Errorf("%d questions to the DNS server named", n)
	}
}
