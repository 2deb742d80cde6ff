package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"golang.org/x/oauth2"
)

// DevicePrompt is what the user needs to sign in on another device: open
// URL and type Code.
type DevicePrompt struct {
	URL         string    // verification_uri
	Code        string    // user_code
	CompleteURL string    // verification_uri_complete, when the server sends one
	Expiry      time.Time // when Code stops working
}

// DeviceProgress is reported after each poll of the token endpoint, for a
// spinner or a countdown.
type DeviceProgress struct {
	Polls    int           // polls so far
	Interval time.Duration // wait before the next poll
	SlowDown bool          // the server just asked to poll more slowly
}

// DeviceFlow is a started device sign-in (RFC 8628).
type DeviceFlow struct {
	p    Profile
	conf *oauth2.Config
	da   *oauth2.DeviceAuthResponse
}

// StartDevice asks the device authorization endpoint for a code. Show
// Prompt to the user, then call Wait.
func (p Profile) StartDevice(ctx context.Context) (*DeviceFlow, error) {
	if !p.HasDevice() {
		return nil, ErrNoDeviceFlow
	}
	conf, err := p.config("")
	if err != nil {
		return nil, err
	}
	da, err := conf.DeviceAuth(p.withClient(ctx))
	if err != nil {
		return nil, fmt.Errorf("device authorization: %w", providerError(err, nil))
	}
	return &DeviceFlow{p: p, conf: conf, da: da}, nil
}

// Prompt returns what to show the user.
func (f *DeviceFlow) Prompt() DevicePrompt {
	return DevicePrompt{URL: f.da.VerificationURI, Code: f.da.UserCode,
		CompleteURL: f.da.VerificationURIComplete, Expiry: f.da.Expiry}
}

// Wait polls the token endpoint every interval until the user has signed
// in. It adds 5 s to the interval on slow_down (RFC 8628 section 3.5) and
// stops with ErrAccessDenied on access_denied, ErrCodeExpired on
// expired_token or when the code's lifetime has passed, and ctx.Err() when
// ctx ends. progress, when not nil, is called after each poll on the
// caller's goroutine.
func (f *DeviceFlow) Wait(ctx context.Context, progress func(DeviceProgress)) (*oauth2.Token, error) {
	base := f.p.HTTP
	if base == nil {
		base = defaultClient()
	}
	interval := time.Duration(f.da.Interval) * time.Second
	if interval <= 0 {
		interval = 5 * time.Second
	}
	obs := &pollObserver{next: base.Transport, progress: progress, interval: interval}
	client := *base
	client.Transport = obs
	tok, err := f.conf.DeviceAccessToken(context.WithValue(ctx, oauth2.HTTPClient, &client), f.da)
	if err == nil {
		return tok, nil
	}
	// DeviceAccessToken ends at the code's expiry with the context's
	// deadline error; the caller's own context is what tells the two apart.
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return nil, ErrCodeExpired
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return nil, fmt.Errorf("device sign-in: %w", providerError(err, map[string]error{
		"access_denied": ErrAccessDenied,
		"expired_token": ErrCodeExpired,
	}))
}

// pollObserver sits under golang.org/x/oauth2's device polling loop and
// reports each answer, which the library does not.
type pollObserver struct {
	next     http.RoundTripper
	progress func(DeviceProgress)
	interval time.Duration
	polls    int
}

func (o *pollObserver) RoundTrip(r *http.Request) (*http.Response, error) {
	next := o.next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(r)
	if err != nil || o.progress == nil {
		return resp, err
	}
	o.polls++
	slow := false
	if resp.StatusCode >= 400 {
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if rerr == nil {
			var e struct {
				Error string `json:"error"`
			}
			if json.Unmarshal(body, &e) == nil && e.Error == "slow_down" {
				slow = true
				// The same step golang.org/x/oauth2 takes.
				o.interval += 5 * time.Second
			}
		}
	}
	o.progress(DeviceProgress{Polls: o.polls, Interval: o.interval, SlowDown: slow})
	return resp, nil
}
