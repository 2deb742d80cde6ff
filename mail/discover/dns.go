package discover

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"sort"
	"strings"

	"popbox/mail"
)

// srvService is one RFC 6186 (or RFC 8314) service name and the security
// its records imply.
type srvService struct {
	name     string
	sec      mail.Security
	outgoing bool
}

// srvServices are looked up at once; within a side, implicit TLS comes
// before STARTTLS when the records' priorities tie (RFC 8314 prefers it).
var srvServices = []srvService{
	{"pop3s", mail.SecuritySSL, false},
	{"pop3", mail.SecurityStartTLS, false},
	{"submissions", mail.SecuritySSL, true},
	{"submission", mail.SecurityStartTLS, true},
}

// srvCandidate is one SRV record of one service.
type srvCandidate struct {
	svc  srvService
	rank int // the service's place in srvServices
	rec  *net.SRV
}

// lookupSRV proposes servers from the domain's SRV records.
func lookupSRV(ctx context.Context, r Resolver, addr address) found {
	type answer struct {
		recs []*net.SRV
		err  error
	}
	answers := make([]answer, len(srvServices))
	done := make(chan struct{}, len(srvServices))
	for i, s := range srvServices {
		go func() {
			_, recs, err := r.LookupSRV(ctx, s.name, "tcp", addr.domain)
			answers[i] = answer{recs, err}
			done <- struct{}{}
		}()
	}
	for range srvServices {
		<-done
	}
	var f found
	var in, out []srvCandidate
	for i, a := range answers {
		s := srvServices[i]
		name := "_" + s.name + "._tcp." + addr.domain
		if a.err != nil {
			if ref, ok := dnsRefusal(ctx, SourceSRV, name, a.err); ok {
				f.refused = append(f.refused, ref)
			}
			// Go returns the valid records with an error when others
			// were not; those are still worth a look.
		}
		for _, rec := range a.recs {
			if rec == nil {
				continue
			}
			if rec.Target == "." || rec.Target == "" {
				// RFC 2782: the service is decidedly not offered here.
				f.refused = append(f.refused, Refusal{Source: SourceSRV, Detail: name, Err: ErrNotOffered})
				continue
			}
			c := srvCandidate{svc: s, rank: i, rec: rec}
			if s.outgoing {
				out = append(out, c)
			} else {
				in = append(in, c)
			}
		}
	}
	inSrv, inName, refused := pickSRV(in, addr)
	f.refused = append(f.refused, refused...)
	if inSrv.Host == "" {
		if len(in) == 0 && len(out) > 0 {
			// Submission is offered, POP3 is not.
			f.refused = append(f.refused, Refusal{Source: SourceSRV, Detail: "_pop3s._tcp." + addr.domain, Err: ErrNoPOP3})
		}
		return f
	}
	outSrv, _, refused := pickSRV(out, addr)
	f.refused = append(f.refused, refused...)
	p := Proposal{Source: SourceSRV, Detail: inName, Incoming: inSrv, Outgoing: outSrv}
	knownSignIn(&p)
	f.proposal = &p
	return f
}

// pickSRV orders one side's records as RFC 6186 section 3.4 and RFC 2782
// say: lowest priority first across the services (a domain says which it
// prefers that way), then implicit TLS before STARTTLS, then the heaviest
// weight (RFC 2782 picks by weight at random to spread load; a setting
// saved once takes the heaviest, so that the same records give the same
// answer), and takes the first usable one.
func pickSRV(cs []srvCandidate, addr address) (mail.Server, string, []Refusal) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.rec.Priority != b.rec.Priority {
			return a.rec.Priority < b.rec.Priority
		}
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		return a.rec.Weight > b.rec.Weight
	})
	var refused []Refusal
	for _, c := range cs {
		name := "_" + c.svc.name + "._tcp." + addr.domain
		host := strings.ToLower(strings.TrimSuffix(c.rec.Target, "."))
		if err := checkServer(host, int(c.rec.Port), c.svc.sec, c.svc.outgoing); err != nil {
			refused = append(refused, Refusal{Source: SourceSRV, Detail: name, Err: err})
			continue
		}
		return mail.Server{Host: host, Port: int(c.rec.Port), Security: c.svc.sec}, name, refused
	}
	return mail.Server{}, "", refused
}

// lookupMX proposes the servers of a hosted service the domain's MX
// records point at.
func lookupMX(ctx context.Context, r Resolver, addr address) found {
	var f found
	mxs, err := r.LookupMX(ctx, addr.domain)
	if err != nil {
		if ref, ok := dnsRefusal(ctx, SourceMX, addr.domain, err); ok {
			f.refused = append(f.refused, ref)
		}
	}
	// LookupMX sorts by preference; the most preferred known host wins.
	for _, mx := range mxs {
		if mx == nil {
			continue
		}
		host := strings.ToLower(strings.TrimSuffix(mx.Host, "."))
		p, known, ok := hostedByMX(host)
		if !ok {
			continue
		}
		if !known {
			f.refused = append(f.refused, Refusal{Source: SourceMX, Detail: host,
				Err: fmt.Errorf("%w: %s", ErrUnknownServers, p.Provider)})
			continue
		}
		pr := fromPreset(SourceMX, host, p, addr)
		f.proposal = &pr
		return f
	}
	return f
}

// zohoMX matches the MX hosts of Zoho Mail's data centres (mx.zoho.com,
// mx2.zoho.eu, mx3.zoho.com.au, mx.zohocloud.ca ...); the group is the
// domain of the centre, which mail.ZohoOrganizationPreset checks.
var zohoMX = regexp.MustCompile(`^mx[0-9]*\.(zoho(?:cloud)?\.[a-z]{2,3}(?:\.[a-z]{2})?)$`)

// hostedByMX says which hosted service an MX host belongs to (ok), and
// whether popbox knows the servers of a company domain there (known).
func hostedByMX(host string) (p mail.Preset, known, ok bool) {
	switch {
	case strings.HasSuffix(host, ".mail.protection.outlook.com"):
		return mail.Microsoft365Preset(), true, true
	case strings.HasSuffix(host, ".google.com"), strings.HasSuffix(host, ".googlemail.com"):
		return mail.GoogleWorkspacePreset(), true, true
	}
	if m := zohoMX.FindStringSubmatch(host); m != nil {
		p, known := mail.ZohoOrganizationPreset(m[1])
		// A lookalike (mx.zoho.evil) is no Zoho centre: no provider.
		return p, known, p.Provider != ""
	}
	return mail.Preset{}, false, false
}

// dnsRefusal is the refusal for a failed DNS query, and false when there
// is nothing to say (the name does not exist, which is the usual answer).
func dnsRefusal(ctx context.Context, src Source, name string, err error) (Refusal, bool) {
	var de *net.DNSError
	switch {
	case errors.As(err, &de) && de.IsNotFound:
		return Refusal{}, false
	case ctx.Err() != nil, errors.As(err, &de) && de.IsTimeout:
		return Refusal{Source: src, Detail: name, Err: ErrTimedOut}, true
	}
	return Refusal{Source: src, Detail: name, Err: fmt.Errorf("%w: %v", ErrLookup, err)}, true
}
