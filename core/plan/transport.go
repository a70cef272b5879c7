package plan

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/backend"
)

// transportOptions maps the service's upstream keys onto the one shared
// transport. Certificate files are read here, once, so a bad file is a
// start-up error rather than a failed request.
func transportOptions(cfg *config.Config) (backend.Options, error) {
	o := backend.Options{
		DisableKeepAlives:     cfg.DisableKeepAlives,
		DisableCompression:    cfg.DisableCompression,
		MaxIdleConns:          cfg.MaxIdleConnections,
		MaxIdleConnsPerHost:   cfg.MaxIdleConnectionsPerHost,
		IdleConnTimeout:       cfg.IdleConnectionTimeout,
		ResponseHeaderTimeout: cfg.ResponseHeaderTimeout,
		ExpectContinueTimeout: cfg.ExpectContinueTimeout,
		DialTimeout:           cfg.DialerTimeout,
		DialFallbackDelay:     cfg.DialerFallbackDelay,
		DialKeepAlive:         cfg.DialerKeepAlive,
	}
	t := cfg.ClientTLS
	if t == nil {
		return o, nil
	}
	tc := &tls.Config{
		InsecureSkipVerify: t.AllowInsecureConnections, //nolint:gosec // opt-in, lint warning at load
		MinVersion:         t.MinVersion,
		MaxVersion:         t.MaxVersion,
	}
	if tc.MinVersion == 0 {
		tc.MinVersion = tls.VersionTLS12
	}
	if len(t.CACerts) > 0 || t.DisableSystemCAPool {
		pool := x509.NewCertPool()
		if !t.DisableSystemCAPool {
			sys, err := x509.SystemCertPool()
			if err != nil {
				return o, fmt.Errorf("client_tls: loading the system CA pool: %w", err)
			}
			pool = sys
		}
		for _, f := range t.CACerts {
			pem, err := os.ReadFile(f)
			if err != nil {
				return o, fmt.Errorf("client_tls.ca_certs: %w", err)
			}
			if !pool.AppendCertsFromPEM(pem) {
				return o, fmt.Errorf("client_tls.ca_certs: %s holds no PEM certificate", f)
			}
		}
		tc.RootCAs = pool
	}
	for _, c := range t.ClientCerts {
		cert, err := tls.LoadX509KeyPair(c.Certificate, c.PrivateKey)
		if err != nil {
			return o, fmt.Errorf("client_tls.client_certs: %w", err)
		}
		tc.Certificates = append(tc.Certificates, cert)
	}
	o.TLSConfig = tc
	return o, nil
}
