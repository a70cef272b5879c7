package backend

import (
	"crypto/tls"
	"net"
	"net/http"
	"time"
)

// Fixed and default transport settings (security.md §3).
const (
	// DefaultDialTimeout bounds a TCP connect when Options.DialTimeout is 0.
	DefaultDialTimeout = 2 * time.Second
	// DefaultDialFallbackDelay is the RFC 6555 fallback delay when
	// Options.DialFallbackDelay is 0.
	DefaultDialFallbackDelay = 300 * time.Millisecond
	// DefaultDialKeepAlive is the TCP keep-alive probe period when
	// Options.DialKeepAlive is 0.
	DefaultDialKeepAlive = 15 * time.Second
	// DefaultIdleConnTimeout closes idle pooled connections when
	// Options.IdleConnTimeout is 0.
	DefaultIdleConnTimeout = 30 * time.Second
	// DefaultMaxIdleConnsPerHost is the idle pool per host when
	// Options.MaxIdleConnsPerHost is 0.
	DefaultMaxIdleConnsPerHost = 250
	// MaxConnsPerHost caps the connections (dialing, active and idle) per
	// host. It is fixed.
	MaxConnsPerHost = 256
	// TLSHandshakeTimeout bounds a TLS handshake. It is fixed (KrakenD: 10 s).
	TLSHandshakeTimeout = 3 * time.Second
	// MaxResponseHeaderBytes caps a backend's response header block. It is
	// fixed (Go's default is 10 MiB).
	MaxResponseHeaderBytes = 64 << 10
)

// Options configure the one shared transport. The zero value works: each
// field states its default. Every timer here is also bounded by the context
// given to [Client.Do].
type Options struct {
	// DisableKeepAlives sends "Connection: close" and uses each connection
	// for one request only. Default false (connections are pooled).
	DisableKeepAlives bool
	// DisableCompression stops the client from asking for gzip. Default
	// false: "Accept-Encoding: gzip" is sent and gzip bodies are decoded.
	// A gzip body a backend sends anyway is still decoded.
	DisableCompression bool
	// MaxIdleConns caps idle connections across all hosts. 0 means no
	// global cap; the pool stays bounded by MaxIdleConnsPerHost per host and
	// by IdleConnTimeout.
	MaxIdleConns int
	// MaxIdleConnsPerHost caps idle connections kept per host. 0 (or a
	// negative value) means 250.
	MaxIdleConnsPerHost int
	// IdleConnTimeout closes a pooled connection idle for this long. 0 (or a
	// negative value) means 30s.
	IdleConnTimeout time.Duration
	// ResponseHeaderTimeout bounds the wait for response headers after the
	// request is written. 0 (or a negative value) means no transport timer:
	// the context (the backend budget) still bounds it.
	ResponseHeaderTimeout time.Duration
	// ExpectContinueTimeout is how long a request carrying
	// "Expect: 100-continue" waits before sending its body. 0 (or a negative
	// value) sends the body at once.
	ExpectContinueTimeout time.Duration
	// DialTimeout bounds a TCP connect. 0 (or a negative value) means 2s.
	DialTimeout time.Duration
	// DialFallbackDelay is the RFC 6555 (happy eyeballs) delay before an
	// IPv4 fallback dial. 0 means 300ms; a negative value disables the
	// fallback.
	DialFallbackDelay time.Duration
	// DialKeepAlive is the TCP keep-alive probe period. 0 means 15s; a
	// negative value disables keep-alive probes.
	DialKeepAlive time.Duration
	// TLSConfig configures TLS to https backends. nil means verification
	// against the system roots with TLS 1.2 as the minimum version. A
	// non-nil config is cloned; a MinVersion below TLS 1.2 is raised to it.
	TLSConfig *tls.Config

	// netHTTPOnly sends every call through net/http's transport, without
	// the fast path. This package's tests set it to run the suite both ways.
	netHTTPOnly bool
}

// newTransport builds the tuned transport described by o.
func newTransport(o Options) *http.Transport {
	dialer := &net.Dialer{
		Timeout:       positiveOr(o.DialTimeout, DefaultDialTimeout),
		KeepAlive:     nonZeroOr(o.DialKeepAlive, DefaultDialKeepAlive),
		FallbackDelay: nonZeroOr(o.DialFallbackDelay, DefaultDialFallbackDelay),
	}
	perHost := o.MaxIdleConnsPerHost
	if perHost <= 0 {
		perHost = DefaultMaxIdleConnsPerHost
	}
	return &http.Transport{
		Proxy:                  nil, // never read proxy settings from the environment
		DialContext:            dialer.DialContext,
		TLSClientConfig:        tlsConfig(o.TLSConfig),
		TLSHandshakeTimeout:    TLSHandshakeTimeout,
		DisableKeepAlives:      o.DisableKeepAlives,
		DisableCompression:     o.DisableCompression,
		MaxIdleConns:           max(o.MaxIdleConns, 0),
		MaxIdleConnsPerHost:    perHost,
		MaxConnsPerHost:        MaxConnsPerHost,
		IdleConnTimeout:        positiveOr(o.IdleConnTimeout, DefaultIdleConnTimeout),
		ResponseHeaderTimeout:  max(o.ResponseHeaderTimeout, 0),
		ExpectContinueTimeout:  max(o.ExpectContinueTimeout, 0),
		MaxResponseHeaderBytes: MaxResponseHeaderBytes,
		ForceAttemptHTTP2:      true, // h2 over TLS, as Go's default transport does
	}
}

// tlsConfig returns the client TLS config: verification on and TLS 1.2 at
// least, whatever the caller asked for.
func tlsConfig(c *tls.Config) *tls.Config {
	if c == nil {
		return &tls.Config{MinVersion: tls.VersionTLS12}
	}
	c = c.Clone()
	if c.MinVersion < tls.VersionTLS12 {
		c.MinVersion = tls.VersionTLS12
	}
	return c
}

// positiveOr returns d when it is positive, else def.
func positiveOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// nonZeroOr returns d unless it is 0, in which case it returns def.
func nonZeroOr(d, def time.Duration) time.Duration {
	if d != 0 {
		return d
	}
	return def
}
