package auth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Bounds of a JWKS fetch. A JWKS is untrusted network input: it can be
// slow, huge or wrong.
const (
	// FetchTimeout bounds one JWKS fetch, connection included.
	FetchTimeout = 1500 * time.Millisecond
	// MaxJWKSBytes caps a JWKS document.
	MaxJWKSBytes = 150_000
	// MaxKeys caps the keys of one JWKS.
	MaxKeys = 100
	// StaleFor is how long the last good keys stay in use after their TTL
	// when refreshing them fails.
	StaleFor = time.Hour
	// failedFetchBackoff spaces fetch attempts after a failed one, so a
	// JWKS that is down is not hammered by every request.
	failedFetchBackoff = 2 * time.Second
)

// Errors of KeySet.Key.
var (
	// ErrUnknownKey is a kid the key set does not hold.
	ErrUnknownKey = errors.New("unknown key id")
	// ErrKeysUnavailable means no usable keys: the JWKS could not be
	// fetched and no earlier keys are fresh enough.
	ErrKeysUnavailable = errors.New("signing keys unavailable")
)

// KeySetOptions configure a KeySet. Exactly one of URL and Local is set.
type KeySetOptions struct {
	// URL is the JWKS address (https, or http when the config allows it).
	URL string
	// Local is a JWKS document used as is; it is never refreshed.
	Local []byte
	// CA is PEM certificates trusted for the fetch on top of the system
	// pool; nil for none.
	CA []byte
	// TTL is how long fetched keys are used before a refresh. Default 15m.
	TTL time.Duration
	// Cooldown is the least time between two refreshes caused by an
	// unknown kid. Default 60s.
	Cooldown time.Duration
	// Client replaces the built-in HTTP client (tests). Its redirect
	// policy is overridden: redirects are never followed.
	Client *http.Client
	// Now replaces time.Now (tests).
	Now func() time.Time
}

// KeySet holds the verification keys of one JWKS, fetched on first use
// and cached; it is shared by every validator naming the same URL and is
// safe for concurrent use. It does no network I/O until a key is asked
// for.
type KeySet struct {
	url      string
	ttl      time.Duration
	cooldown time.Duration
	client   *http.Client
	now      func() time.Time

	mu        sync.Mutex
	keys      map[string]jose.JSONWebKey
	gen       uint64    // bumped on every successful fetch
	fetched   time.Time // when keys were fetched; zero before the first fetch
	failedAt  time.Time // the last failed fetch
	kidAt     time.Time // the last refresh caused by an unknown kid
	flight    *flight   // the fetch in progress, nil when none
	fetches   int       // fetch attempts, for tests and logs
	lastError error
}

// flight is one fetch that concurrent callers wait for.
type flight struct {
	done chan struct{}
}

// NewKeySet builds a key set. Local keys are parsed now; a URL is only
// checked for syntax.
func NewKeySet(o KeySetOptions) (*KeySet, error) {
	k := &KeySet{url: o.URL, ttl: o.TTL, cooldown: o.Cooldown, now: o.Now}
	if k.ttl <= 0 {
		k.ttl = 15 * time.Minute
	}
	if k.cooldown <= 0 {
		k.cooldown = time.Minute
	}
	if k.now == nil {
		k.now = time.Now
	}
	if o.Local != nil {
		keys, err := parseJWKS(o.Local)
		if err != nil {
			return nil, err
		}
		k.keys, k.gen = keys, 1
		return k, nil
	}
	if o.URL == "" {
		return nil, errors.New("no JWKS: neither a URL nor local keys")
	}
	client := o.Client
	if client == nil {
		var err error
		if client, err = newClient(o.CA); err != nil {
			return nil, err
		}
	} else {
		c := *client
		client = &c
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	client.Timeout = FetchTimeout
	k.client = client
	return k, nil
}

// newClient is the JWKS client: its own transport, TLS 1.2 at least,
// the system roots plus ca, bounded dial and header waits, no proxy.
func newClient(ca []byte) (*http.Client, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if len(ca) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(ca) {
			return nil, errors.New("jwk_local_ca holds no usable certificate")
		}
		tc.RootCAs = pool
	}
	tr := &http.Transport{
		DialContext:            (&net.Dialer{Timeout: FetchTimeout}).DialContext,
		TLSClientConfig:        tc,
		TLSHandshakeTimeout:    FetchTimeout,
		ResponseHeaderTimeout:  FetchTimeout,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        30 * time.Second,
		ForceAttemptHTTP2:      true,
	}
	return &http.Client{Transport: tr}, nil
}

// Generation identifies the current keys: it changes whenever keys are
// fetched again, so anything derived from the old keys (verified tokens)
// can be dropped.
func (k *KeySet) Generation() uint64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.gen
}

// Fetches reports how many fetches were attempted.
func (k *KeySet) Fetches() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.fetches
}

// Key returns the key named kid and the generation of the key set it came
// from. Keys are fetched on first use and after their TTL; an unknown kid
// causes at most one refresh per cool-down; when a refresh fails, the last
// good keys are used for up to StaleFor past their TTL.
func (k *KeySet) Key(ctx context.Context, kid string) (jose.JSONWebKey, uint64, error) {
	for attempt := 0; ; attempt++ {
		k.mu.Lock()
		if k.url == "" { // local keys never change
			key, ok := k.keys[kid]
			k.mu.Unlock()
			if !ok {
				return jose.JSONWebKey{}, 0, ErrUnknownKey
			}
			return key, 1, nil
		}
		now := k.now()
		has := !k.fetched.IsZero()
		age := now.Sub(k.fetched)
		fresh := has && age < k.ttl
		usable := has && age < k.ttl+StaleFor
		key, found := k.keys[kid]
		if fresh && found {
			gen := k.gen
			k.mu.Unlock()
			return key, gen, nil
		}
		want := false
		if attempt == 0 {
			switch {
			case k.flight != nil:
				want = true // join the fetch in progress
			case !fresh:
				want = k.failedAt.IsZero() || now.Sub(k.failedAt) >= failedFetchBackoff
			case k.kidAt.IsZero() || now.Sub(k.kidAt) >= k.cooldown:
				want, k.kidAt = true, now
			}
		}
		if !want {
			gen, lastErr := k.gen, k.lastError
			k.mu.Unlock()
			switch {
			case found && usable:
				return key, gen, nil
			case usable:
				return jose.JSONWebKey{}, 0, ErrUnknownKey
			case lastErr != nil:
				return jose.JSONWebKey{}, 0, fmt.Errorf("%w: %w", ErrKeysUnavailable, lastErr)
			default:
				return jose.JSONWebKey{}, 0, ErrKeysUnavailable
			}
		}
		f := k.flight
		leader := f == nil
		if leader {
			f = &flight{done: make(chan struct{})}
			k.flight = f
			k.fetches++
		}
		k.mu.Unlock()
		if leader {
			k.fetch(ctx, f)
			continue
		}
		select {
		case <-f.done:
		case <-ctx.Done():
			return jose.JSONWebKey{}, 0, ctx.Err()
		}
	}
}

// fetch runs one fetch as the leader of f and publishes its result. The
// fetch is not cancelled with the request that started it (other callers
// wait for it), but it is bounded by FetchTimeout.
func (k *KeySet) fetch(ctx context.Context, f *flight) {
	keys, err := k.download(context.WithoutCancel(ctx))
	k.mu.Lock()
	now := k.now()
	if err == nil {
		k.keys, k.fetched, k.failedAt, k.lastError = keys, now, time.Time{}, nil
		k.gen++
	} else {
		k.failedAt, k.lastError = now, err
	}
	k.flight = nil
	k.mu.Unlock()
	close(f.done)
}

// download fetches and parses the JWKS.
func (k *KeySet) download(ctx context.Context) (map[string]jose.JSONWebKey, error) {
	ctx, cancel := context.WithTimeout(ctx, FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Tributary")
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching the JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("fetching the JWKS: status %d", resp.StatusCode)
	}
	if resp.ContentLength > MaxJWKSBytes {
		return nil, fmt.Errorf("JWKS larger than %d bytes", MaxJWKSBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the JWKS: %w", err)
	}
	if len(body) > MaxJWKSBytes {
		return nil, fmt.Errorf("JWKS larger than %d bytes", MaxJWKSBytes)
	}
	return parseJWKS(body)
}

// parseJWKS parses a JWK set. Keys are taken one by one: a key of a type
// this build cannot parse, an encryption key or a key without a kid is
// skipped rather than failing the whole set. A set with no usable key,
// more than MaxKeys keys or two keys with the same kid is an error.
func parseJWKS(b []byte) (map[string]jose.JSONWebKey, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("invalid JWKS: %w", err)
	}
	if len(doc.Keys) > MaxKeys {
		return nil, fmt.Errorf("JWKS holds %d keys, more than %d", len(doc.Keys), MaxKeys)
	}
	keys := make(map[string]jose.JSONWebKey, len(doc.Keys))
	for _, raw := range doc.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(raw); err != nil || k.KeyID == "" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		if secret, sym := k.Key.([]byte); sym && len(secret) == 0 || !sym && !k.Valid() {
			continue
		}
		if _, dup := keys[k.KeyID]; dup {
			return nil, fmt.Errorf("JWKS holds two keys with kid %q", k.KeyID)
		}
		if !k.IsPublic() {
			if _, sym := k.Key.([]byte); !sym {
				k = k.Public()
			}
		}
		keys[k.KeyID] = k
	}
	if len(keys) == 0 {
		return nil, errors.New("JWKS holds no usable signing key")
	}
	return keys, nil
}
