package sign

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// FetchTimeout bounds a key-set fetch.
const FetchTimeout = 1500 * time.Millisecond

// FetchOptions configure FetchKeySet. The zero value fetches over HTTPS
// with the system roots.
type FetchOptions struct {
	// Insecure allows http:// URLs (disable_jwk_security).
	Insecure bool
	// RootCAs, when set, replaces the system roots.
	RootCAs *x509.CertPool
	// Timeout bounds the whole fetch. Default FetchTimeout.
	Timeout time.Duration
}

// FetchKeySet downloads the key set at rawURL: https only unless
// o.Insecure, no redirects, within o.Timeout, at most MaxKeySetBytes.
func FetchKeySet(ctx context.Context, rawURL string, o FetchOptions) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("invalid key set URL: %w", err)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && o.Insecure:
	case u.Scheme == "http":
		return nil, errors.New("the key set URL must be https (set disable_jwk_security to allow http)")
	default:
		return nil, fmt.Errorf("unsupported key set URL scheme %q", u.Scheme)
	}
	if o.Timeout <= 0 {
		o.Timeout = FetchTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	tr := &http.Transport{
		DialContext:            (&net.Dialer{Timeout: o.Timeout}).DialContext,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: o.RootCAs},
		TLSHandshakeTimeout:    o.Timeout,
		ResponseHeaderTimeout:  o.Timeout,
		MaxResponseHeaderBytes: 64 << 10,
		DisableKeepAlives:      true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching the key set: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching the key set: status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxKeySetBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the key set: %w", err)
	}
	if len(body) > MaxKeySetBytes {
		return nil, fmt.Errorf("key set larger than %d bytes", MaxKeySetBytes)
	}
	return body, nil
}
