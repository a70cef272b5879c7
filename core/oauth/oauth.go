// Package oauth fetches and caches OAuth 2.0 client-credentials tokens for
// backend calls (auth/client-credentials).
//
// A Source holds one backend's token. It fetches at most one token at a
// time: concurrent callers wait for the fetch in flight, each bounded by
// its own context. A token is reused until 30 seconds before it expires
// (one hour when the server gives no lifetime). A failed fetch is returned
// to every caller that waited for it and is not retried for them; the next
// caller starts a new fetch.
//
// The client's credentials go as HTTP Basic first. While no style has
// worked, a 400 or 401 answer makes the next fetch send them in the form
// body instead, and so on, alternating from one fetch to the next; the
// style that works is kept. One fetch is always exactly one HTTP request
// (golang.org/x/oauth2's auto-detection, which retries within one fetch,
// is not used).
//
// Errors never carry the client secret, the token or the token endpoint's
// response body.
package oauth

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Defaults and bounds of a token fetch.
const (
	// FetchTimeout bounds one fetch (within the caller's own deadline).
	FetchTimeout = 1500 * time.Millisecond
	// MaxResponseBytes caps the token endpoint's response body.
	MaxResponseBytes = 150000
	// ExpiryMargin is how long before its expiry a token is replaced.
	ExpiryMargin = 30 * time.Second
	// DefaultLifetime is how long a token without expires_in is used.
	DefaultLifetime = time.Hour
)

// Options configure a Source.
type Options struct {
	// ClientID and ClientSecret are the client's credentials.
	ClientID, ClientSecret string
	// TokenURL is the token endpoint.
	TokenURL string
	// Scopes are sent joined with one space as the scope field (an empty
	// scope field without them).
	Scopes []string
	// Params are extra form fields (endpoint_params, audience).
	Params url.Values
	// Timeout bounds one fetch. Default FetchTimeout.
	Timeout time.Duration
	// Transport performs the token request. Default: a dedicated transport
	// with TLS 1.2 or later, no proxy, no keep-alive, and connect and
	// handshake timeouts of Timeout. Redirects are never followed.
	Transport http.RoundTripper
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Style is how the client's credentials are sent.
type Style uint8

// Credential styles.
const (
	// StyleBasic sends them as HTTP Basic authentication.
	StyleBasic Style = iota
	// StyleForm sends them as client_id and client_secret form fields.
	StyleForm
)

// String names the style.
func (s Style) String() string {
	if s == StyleForm {
		return "form"
	}
	return "basic"
}

// Source fetches and caches one client's token. It is safe for concurrent
// use.
type Source struct {
	configs [2]*clientcredentials.Config // by Style
	client  *http.Client
	timeout time.Duration
	now     func() time.Time

	mu       sync.Mutex
	token    string
	validTo  time.Time
	style    Style // the style of the next fetch
	known    bool  // style has worked
	inflight *fetch
}

// fetch is one token request in flight.
type fetch struct {
	done  chan struct{}
	token string
	err   error
}

// New returns a Source for o.
func New(o Options) *Source {
	s := &Source{timeout: o.Timeout, now: o.Now}
	if s.timeout <= 0 {
		s.timeout = FetchTimeout
	}
	if s.now == nil {
		s.now = time.Now
	}
	tr := o.Transport
	if tr == nil {
		tr = &http.Transport{
			DialContext:            (&net.Dialer{Timeout: s.timeout}).DialContext,
			TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout:    s.timeout,
			ResponseHeaderTimeout:  s.timeout,
			MaxResponseHeaderBytes: 64 << 10,
			// Fetches are rare (once per token lifetime): a fresh
			// connection each time leaves nothing idle behind, which
			// matters after a Lambda thaw.
			DisableKeepAlives: true,
		}
	}
	s.client = &http.Client{
		Transport: capped{tr},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	params := url.Values{}
	for k, v := range o.Params {
		params[k] = append([]string(nil), v...)
	}
	if len(o.Scopes) == 0 {
		params["scope"] = []string{""}
	}
	for i, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		s.configs[i] = &clientcredentials.Config{
			ClientID:       o.ClientID,
			ClientSecret:   o.ClientSecret,
			TokenURL:       o.TokenURL,
			Scopes:         o.Scopes,
			EndpointParams: params,
			AuthStyle:      style,
		}
	}
	return s
}

// Token returns a valid access token, fetching one when none is cached.
func (s *Source) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	if s.token != "" && s.now().Before(s.validTo) {
		t := s.token
		s.mu.Unlock()
		return t, nil
	}
	f := s.inflight
	lead := f == nil
	if lead {
		f = &fetch{done: make(chan struct{})}
		s.inflight = f
	}
	style := s.style
	s.mu.Unlock()
	if lead {
		s.run(ctx, f, style)
	}
	select {
	case <-f.done:
		return f.token, f.err
	case <-ctx.Done():
		return "", fmt.Errorf("waiting for the client-credentials token: %w", ctx.Err())
	}
}

// Style returns the style the next fetch will use and whether it is known
// to work.
func (s *Source) Style() (Style, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.style, s.known
}

// run performs fetch f with style and publishes its outcome. The fetch
// outlives a cancellation of ctx (other callers may be waiting for it) but
// not its deadline, and lasts at most s.timeout.
func (s *Source) run(ctx context.Context, f *fetch, style Style) {
	fctx := context.WithoutCancel(ctx)
	var cancel context.CancelFunc
	if d, ok := ctx.Deadline(); ok {
		fctx, cancel = context.WithDeadline(fctx, d)
		defer cancel()
	}
	fctx, cancel = context.WithTimeout(fctx, s.timeout)
	defer cancel()
	fctx = context.WithValue(fctx, oauth2.HTTPClient, s.client)

	start := s.now()
	tok, err := s.configs[style].Token(fctx)
	var lifetime time.Duration // x/oauth2 dates the expiry with the system clock
	if err == nil && !tok.Expiry.IsZero() {
		lifetime = time.Until(tok.Expiry)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer close(f.done)
	s.inflight = nil
	if err != nil {
		f.err = describe(err)
		if !s.known && rejected(err) {
			s.style ^= 1
		}
		return
	}
	if !printable(tok.AccessToken) {
		// A token that cannot go in a header line (control characters,
		// spaces, non-ASCII) is a broken answer, whatever the style.
		f.err = &fetchError{msg: fmt.Sprintf("%v: invalid token response", ErrTokenFetch)}
		return
	}
	s.known = true
	valid := start.Add(DefaultLifetime)
	if !tok.Expiry.IsZero() {
		valid = start.Add(lifetime - ExpiryMargin)
	}
	s.token, s.validTo = tok.AccessToken, valid
	f.token = tok.AccessToken
}

// rejected reports a 400 or 401 answer: the credentials style may be the
// problem.
func rejected(err error) bool {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.StatusCode == http.StatusBadRequest || re.Response.StatusCode == http.StatusUnauthorized
	}
	return false
}

// ErrTokenFetch is wrapped by every fetch error.
var ErrTokenFetch = errors.New("client-credentials token fetch failed")

// describe turns a fetch error into one that carries no response body,
// token or secret.
func describe(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		msg := fmt.Sprintf("%v: the token endpoint answered %d", ErrTokenFetch, re.Response.StatusCode)
		if re.ErrorCode != "" && len(re.ErrorCode) <= 64 && printable(re.ErrorCode) {
			msg += " (" + re.ErrorCode + ")"
		}
		return &fetchError{msg: msg}
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.Timeout() {
		return &fetchError{msg: fmt.Sprintf("%v: timed out", ErrTokenFetch), cause: context.DeadlineExceeded}
	}
	if errors.As(err, &ue) {
		return &fetchError{msg: fmt.Sprintf("%v: %v", ErrTokenFetch, ue.Err), cause: ue.Err}
	}
	if errors.Is(err, errTooLarge) || strings.Contains(err.Error(), errTooLarge.Error()) {
		return &fetchError{msg: fmt.Sprintf("%v: response larger than %d bytes", ErrTokenFetch, MaxResponseBytes)}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &fetchError{msg: fmt.Sprintf("%v: timed out", ErrTokenFetch), cause: context.DeadlineExceeded}
	}
	// x/oauth2's own messages (missing access_token, unparsable body) hold
	// no body text.
	return &fetchError{msg: fmt.Sprintf("%v: invalid token response", ErrTokenFetch)}
}

// fetchError is a sanitized fetch error.
type fetchError struct {
	msg   string
	cause error
}

func (e *fetchError) Error() string { return e.msg }

// Is makes every fetch error match ErrTokenFetch.
func (e *fetchError) Is(target error) bool { return target == ErrTokenFetch }

// Unwrap exposes a transport cause (timeouts), never a body.
func (e *fetchError) Unwrap() error { return e.cause }

// printable reports a non-empty string of visible ASCII characters.
func printable(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

var errTooLarge = errors.New("token response too large")

// capped caps response bodies at MaxResponseBytes.
type capped struct{ rt http.RoundTripper }

func (c capped) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.rt.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = &capBody{rc: resp.Body, left: MaxResponseBytes}
	return resp, nil
}

type capBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *capBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells an oversize body from an exact fit.
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, errTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *capBody) Close() error { return b.rc.Close() }
