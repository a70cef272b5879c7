package qos

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-gw/tributary/core/stage"
)

// ErrRateLimited is the error of a backend call refused by its
// qos/ratelimit/proxy bucket. The call is not made; the backend counts as
// failed for the merge and the status, and the circuit breaker does not
// count it.
var ErrRateLimited = errors.New("backend rate limit exceeded")

// Limit is a token bucket: Rate tokens a second, at most Burst held. A
// new bucket starts full. The zero Limit is "no limit".
type Limit struct {
	// Rate is the refill in tokens per second; 0 means no limit.
	Rate float64
	// Burst is the bucket size (≥ 1 when Rate > 0).
	Burst int
}

// PerEvery is the Limit of n tokens per every with the given capacity.
func PerEvery(n float64, every time.Duration, capacity int) Limit {
	if n <= 0 || every <= 0 {
		return Limit{}
	}
	return Limit{Rate: n / every.Seconds(), Burst: max(capacity, 1)}
}

// On reports whether l limits anything.
func (l Limit) On() bool { return l.Rate > 0 }

// Strategy tells clients apart for a client limit.
type Strategy uint8

const (
	// ByIP keys clients by Exchange.ClientIP (the adapters resolve it
	// with the trusted-proxy rules), or by the first entry of the header
	// RouterOptions.Key names when the request carries it.
	ByIP Strategy = iota + 1
	// ByHeader keys clients by the value of the header RouterOptions.Key.
	ByHeader
	// ByParam keys clients by the path parameter RouterOptions.Key.
	ByParam
)

// maxKeyBytes is the longest client key used as is; longer keys are
// replaced by their SHA-256, so that a client cannot make the store hold
// large keys.
const maxKeyBytes = 64

// takers take one token from a bucket of a store; with the in-process
// store the key is assembled in a stack buffer.
type taker struct {
	store stage.Store
	mem   *stage.Memory
}

func newTaker(s stage.Store) taker {
	m, _ := s.(*stage.Memory)
	return taker{store: s, mem: m}
}

// take takes a token from the bucket named prefix+suffix.
func (t taker) take(ctx context.Context, prefix, suffix string, l Limit) (bool, time.Duration, error) {
	var buf [160]byte
	k := append(buf[:0], prefix...)
	if len(suffix) > maxKeyBytes {
		sum := sha256.Sum256([]byte(suffix))
		var hx [2 * sha256.Size]byte
		hex.Encode(hx[:], sum[:])
		k = append(k, '#')
		k = append(k, hx[:]...)
	} else {
		k = append(k, suffix...)
	}
	if t.mem != nil {
		return t.mem.TakeBytes(ctx, k, l.Rate, l.Burst, 1)
	}
	return t.store.Take(ctx, string(k), l.Rate, l.Burst, 1)
}

// RouterOptions configure NewRouterLimiter.
type RouterOptions struct {
	// Route names the endpoint, e.g. "GET /users/{id}"; it namespaces the
	// endpoint's buckets in the store.
	Route string
	// Endpoint is the endpoint-wide limit; a request finding it empty gets
	// 503. The zero Limit turns it off.
	Endpoint Limit
	// Client is the per-client limit; a request finding its client's
	// bucket empty, or whose client key is empty, gets 429. The zero
	// Limit turns it off.
	Client Limit
	// Strategy tells clients apart; required when Client is on.
	Strategy Strategy
	// Key is the header (ByHeader, and optionally ByIP) in canonical form,
	// or the path parameter name (ByParam).
	Key string
	// Store keeps the buckets; required.
	Store stage.Store
}

// RouterLimiter is the qos/ratelimit/router stage: the client bucket is
// checked first, so that a request it refuses takes no endpoint token,
// then the endpoint bucket. Both refusals carry Retry-After in whole
// seconds, rounded up. It implements stage.Endpoint.
type RouterLimiter struct {
	o            RouterOptions
	t            taker
	endpointKey  string
	clientPrefix string
	// emptyRetry is the Retry-After of a request without a client key:
	// the time one client token takes.
	emptyRetry string
}

// NewRouterLimiter returns the limiter o describes.
func NewRouterLimiter(o RouterOptions) (*RouterLimiter, error) {
	if o.Store == nil {
		return nil, errors.New("no state store")
	}
	if !o.Endpoint.On() && !o.Client.On() {
		return nil, errors.New("no rate set")
	}
	if o.Client.On() {
		switch o.Strategy {
		case ByIP:
		case ByHeader, ByParam:
			if o.Key == "" {
				return nil, errors.New("the client strategy needs a key")
			}
		default:
			return nil, fmt.Errorf("unknown client strategy %d", o.Strategy)
		}
	}
	r := &RouterLimiter{
		o:            o,
		t:            newTaker(o.Store),
		endpointKey:  "rl:e|" + o.Route,
		clientPrefix: "rl:c|" + o.Route + "|",
	}
	if o.Client.On() {
		r.emptyRetry = retryAfter(time.Duration(float64(time.Second) / o.Client.Rate))
	}
	return r, nil
}

// Run implements stage.Endpoint.
func (r *RouterLimiter) Run(ctx context.Context, x *stage.Exchange) *stage.Reply {
	if r.o.Client.On() {
		key := r.clientKey(x)
		if key == "" {
			return reject(http.StatusTooManyRequests, "the request carries no client key for the rate limit", r.emptyRetry)
		}
		ok, wait, err := r.t.take(ctx, r.clientPrefix, key, r.o.Client)
		if err == nil && !ok {
			return reject(http.StatusTooManyRequests, "too many requests from this client", retryAfter(wait))
		}
		// A store that cannot answer admits the request (fails open): a
		// limit is a protection against excess, not an access control.
	}
	if r.o.Endpoint.On() {
		ok, wait, err := r.t.take(ctx, r.endpointKey, "", r.o.Endpoint)
		if err == nil && !ok {
			return reject(http.StatusServiceUnavailable, "the endpoint's rate limit is exhausted", retryAfter(wait))
		}
	}
	return nil
}

// clientKey is the request's client key, "" when it has none.
func (r *RouterLimiter) clientKey(x *stage.Exchange) string {
	switch r.o.Strategy {
	case ByIP:
		if r.o.Key != "" {
			if v := x.Header[r.o.Key]; len(v) > 0 {
				first, _, _ := strings.Cut(v[0], ",")
				if first = strings.TrimSpace(first); first != "" {
					return first
				}
			}
		}
		return x.ClientIP
	case ByHeader:
		if v := x.Header[r.o.Key]; len(v) > 0 {
			return v[0]
		}
		return ""
	default: // ByParam
		v, _ := x.Param(r.o.Key)
		return v
	}
}

// reject is the gateway error reply of a refused request.
func reject(status int, msg, retry string) *stage.Reply {
	return &stage.Reply{
		Status:  status,
		Header:  http.Header{"Retry-After": []string{retry}},
		Code:    "rate_limited",
		Message: msg,
	}
}

// retryAfter renders a wait as whole seconds, rounded up, at least 1.
func retryAfter(wait time.Duration) string {
	secs := int64(wait / time.Second)
	if wait%time.Second != 0 {
		secs++
	}
	return strconv.FormatInt(max(secs, 1), 10)
}

// ProxyLimiter is the qos/ratelimit/proxy stage: one bucket for the calls
// of one backend. A call that finds it empty fails at once with
// ErrRateLimited. It implements stage.Backend.
type ProxyLimiter struct {
	key   string
	limit Limit
	t     taker
}

// NewProxyLimiter returns the limiter of the backend named name (its
// endpoint and position, e.g. "GET /users/{id}#0"), keeping its bucket in
// store.
func NewProxyLimiter(name string, l Limit, store stage.Store) (*ProxyLimiter, error) {
	if store == nil {
		return nil, errors.New("no state store")
	}
	if !l.On() {
		return nil, errors.New("no rate set")
	}
	return &ProxyLimiter{key: "rl:b|" + name, limit: l, t: newTaker(store)}, nil
}

// Before implements stage.Backend.
func (p *ProxyLimiter) Before(ctx context.Context, c *stage.Call) (*stage.Answer, error) {
	ok, _, err := p.t.take(ctx, p.key, "", p.limit)
	if err != nil {
		return nil, fmt.Errorf("backend rate limit: %w", err)
	}
	if !ok {
		return nil, ErrRateLimited
	}
	return nil, nil
}

var (
	_ stage.Endpoint = (*RouterLimiter)(nil)
	_ stage.Backend  = (*ProxyLimiter)(nil)
)
