package discover

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"popbox/mail"
)

// Records and a file that each propose another incoming server for
// example.test, for the tests of the order.
var (
	srvRecords = []string{
		"_pop3s._tcp.example.test. 300 IN SRV 0 1 995 srv.example.test.",
		"_submissions._tcp.example.test. 300 IN SRV 0 1 465 srv.example.test.",
	}
	mxMicrosoft = "example.test. 300 IN MX 10 example-test.mail.protection.outlook.com."
	autoFile    = config(pop3("auto.example.test", "995", "SSL", "%EMAILADDRESS%"), smtp("auto.example.test", "465", "SSL", "%EMAILADDRESS%"))
)

// TestOrder: autoconfig beats SRV beats MX; every answer is kept, and the
// later ones that name another server are conflicts.
func TestOrder(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		records   []string
		best      Source
		host      string
		all       int
		conflicts int
	}{
		{"all three", autoFile, append([]string{mxMicrosoft}, srvRecords...), SourceAutoconfig, "auto.example.test", 3, 2},
		{"SRV and MX", "", append([]string{mxMicrosoft}, srvRecords...), SourceSRV, "srv.example.test", 2, 1},
		{"MX alone", "", []string{mxMicrosoft}, SourceMX, "outlook.office365.com", 1, 0},
		{"autoconfig and MX", autoFile, []string{mxMicrosoft}, SourceAutoconfig, "auto.example.test", 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := startHTTPS(t, serveFiles(tt.file, ""))
			d := startDNS(t, tt.records...)
			res, err := Lookup(context.Background(), "taro@example.test", Options{Resolver: resolverAt(d.addr), HTTPClient: c})
			if err != nil {
				t.Fatal(err)
			}
			if res.Best.Source != tt.best || res.Best.Incoming.Host != tt.host {
				t.Errorf("best %v %s, want %v %s", res.Best.Source, res.Best.Incoming.Host, tt.best, tt.host)
			}
			if len(res.All) != tt.all || len(res.Conflicts) != tt.conflicts {
				t.Errorf("%d proposals and %d conflicts, want %d and %d", len(res.All), len(res.Conflicts), tt.all, tt.conflicts)
			}
			for i := 1; i < len(res.All); i++ {
				if res.All[i-1].Source >= res.All[i].Source {
					t.Errorf("proposals out of order: %v before %v", res.All[i-1].Source, res.All[i].Source)
				}
			}
		})
	}
}

// TestAgreeing: SRV records that name Microsoft 365's server agree with
// its MX: no conflict, and the SRV proposal gets Microsoft's sign-in.
func TestAgreeing(t *testing.T) {
	res, err := lookupDNS(t, mxMicrosoft,
		"_pop3s._tcp.example.test. 300 IN SRV 0 1 995 outlook.office365.com.",
		"_submission._tcp.example.test. 300 IN SRV 0 1 587 smtp.office365.com.")
	if err != nil {
		t.Fatal(err)
	}
	b := res.Best
	if b.Source != SourceSRV || b.SignIn != "microsoft" || !b.SignInFirst || b.Provider != "Microsoft 365" {
		t.Errorf("best %+v", b)
	}
	if len(res.All) != 2 || len(res.Conflicts) != 0 {
		t.Errorf("all %+v conflicts %+v", res.All, res.Conflicts)
	}
}

// TestPresetWins: an address popbox has a preset for gets the preset, and
// nothing is asked of the network, whatever it would say.
func TestPresetWins(t *testing.T) {
	c, served := startHTTPS(t, serveFiles(autoFile, autoFile))
	d := startDNS(t, "gmail.com. 300 IN MX 10 mx.zoho.eu.", "_pop3s._tcp.gmail.com. 300 IN SRV 0 1 995 evil.example.test.")
	for _, email := range []string{"taro@gmail.com", "Taro@GMAIL.com", "ann@zoho.eu", "bob@corp.onmicrosoft.com"} {
		res, err := Lookup(context.Background(), email, Options{Resolver: resolverAt(d.addr), HTTPClient: c})
		p, _ := mail.PresetFor(email)
		if err != nil || res.Best.Source != SourcePreset || res.Best.Incoming.Host != p.Incoming.Host ||
			res.Best.Provider != p.Provider || len(res.All) != 1 {
			t.Errorf("%s: %v %+v", email, err, res)
		}
	}
	if n := d.asked.Load() + served.Load(); n != 0 {
		t.Errorf("%d questions went to the network for preset addresses", n)
	}
}

// TestTimeout: a DNS server that never answers and an HTTPS server that
// hangs do not hold Lookup past its timeout; it returns what it has (here
// nothing, or the autoconfig file) and lists the sources that did not
// answer.
func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	hang := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	c, _ := startHTTPS(t, hang)
	t.Cleanup(func() { close(release) })
	silent := resolverAt(silentDNS(t))
	const timeout = 800 * time.Millisecond

	start := time.Now()
	res, err := Lookup(context.Background(), "taro@example.test", Options{Resolver: silent, HTTPClient: c, Timeout: timeout})
	elapsed := time.Since(start)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v %+v", err, res.Best)
	}
	if elapsed > timeout+500*time.Millisecond {
		t.Errorf("Lookup took %v with a timeout of %v", elapsed, timeout)
	}
	for _, src := range []Source{SourceAutoconfig, SourceSRV, SourceMX} {
		if !hasRefusal(res, src, ErrTimedOut) {
			t.Errorf("%v is not listed as timed out: %+v", src, res.Refused)
		}
	}

	t.Run("what it has", func(t *testing.T) {
		c, _ := startHTTPS(t, serveFiles(autoFile, ""))
		start := time.Now()
		res, err := Lookup(context.Background(), "taro@example.test", Options{Resolver: silent, HTTPClient: c, Timeout: timeout})
		if err != nil || res.Best.Source != SourceAutoconfig {
			t.Fatalf("got %v %+v", err, res)
		}
		if e := time.Since(start); e > timeout+500*time.Millisecond {
			t.Errorf("Lookup took %v", e)
		}
		if !hasRefusal(res, SourceMX, ErrTimedOut) {
			t.Errorf("MX not listed as timed out: %+v", res.Refused)
		}
	})

	t.Run("the caller's deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := Lookup(ctx, "taro@example.test", Options{Resolver: silent, HTTPClient: c, Timeout: time.Minute})
		if !errors.Is(err, ErrNotFound) || time.Since(start) > time.Second {
			t.Errorf("got %v after %v", err, time.Since(start))
		}
	})
}

// TestBadAddress: an address without a domain worth asking about is
// refused before anything is looked up.
func TestBadAddress(t *testing.T) {
	d := startDNS(t)
	for _, email := range []string{"", "nobody", "taro@", "@example.test", "taro@localhost", "taro@exa mple.test",
		"taro@-bad.test", "taro@[127.0.0.1]", "taro@under_score.test", "<taro@example.test>"} {
		_, err := Lookup(context.Background(), email, Options{Resolver: resolverAt(d.addr), HTTPClient: offline()})
		if !errors.Is(err, ErrBadAddress) {
			t.Errorf("%q: %v", email, err)
		}
	}
	if d.asked.Load() != 0 {
		t.Errorf("%d questions asked for bad addresses", d.asked.Load())
	}
}

// TestInternationalDomain: a domain in Japanese is asked in its ASCII
// form, and the user name keeps the address as typed.
func TestInternationalDomain(t *testing.T) {
	d := startDNS(t, "xn--6oq404h.jp. 300 IN MX 10 mx.zoho.eu.")
	res, err := Lookup(context.Background(), "taro@会社.jp", Options{Resolver: resolverAt(d.addr), HTTPClient: offline()})
	if err != nil || res.Best.Incoming.Host != "poppro.zoho.eu" || res.Best.Incoming.User != "taro@会社.jp" {
		t.Fatalf("%v %+v", err, res.Best)
	}
}

// TestConcurrent: Lookup can run from many goroutines at once (the TUI
// runs it in a command).
func TestConcurrent(t *testing.T) {
	c, _ := startHTTPS(t, serveFiles(autoFile, ""))
	d := startDNS(t, append([]string{mxMicrosoft}, srvRecords...)...)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := Lookup(context.Background(), "taro@example.test", Options{Resolver: resolverAt(d.addr), HTTPClient: c})
			if err != nil || res.Best.Source != SourceAutoconfig {
				t.Errorf("%v %+v", err, res.Best)
			}
		}()
	}
	wg.Wait()
}

// TestSourceString: the short names the UI shows.
func TestSourceString(t *testing.T) {
	for s, want := range map[Source]string{SourcePreset: "preset", SourceAutoconfig: "autoconfig", SourceSRV: "srv", SourceMX: "mx"} {
		if s.String() != want {
			t.Errorf("%d: %q", int(s), s.String())
		}
	}
}
