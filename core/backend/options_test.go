package backend

import (
	"crypto/tls"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain runs the whole suite twice: with the plain-http fast path, then
// with every call through net/http, checking for leaked goroutines after
// each pass. A fuzzing run uses the fast path only; BACKEND_TEST_MODE=fast
// or =nethttp runs one pass (for profiles).
func TestMain(m *testing.M) {
	flag.Parse()
	mode := os.Getenv("BACKEND_TEST_MODE")
	code := 0
	if mode != "nethttp" {
		code = runMode(m, "fast path")
	}
	if f := flag.Lookup("test.fuzz"); code == 0 && mode != "fast" && (f == nil || f.Value.String() == "") {
		testNetHTTPOnly = true
		code = runMode(m, "net/http")
	}
	os.Exit(code)
}

// runMode runs the tests once and fails on leaked goroutines.
func runMode(m *testing.M, mode string) int {
	fmt.Fprintf(os.Stderr, "core/backend: running tests with the %s\n", mode)
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak (%s): %v\n", mode, err)
			code = 1
		}
	}
	return code
}

func TestNewTransportDefaults(t *testing.T) {
	tests := []struct {
		name string
		o    Options
	}{
		{"zero value", Options{}},
		{"negative values fall back", Options{MaxIdleConns: -1, MaxIdleConnsPerHost: -5, IdleConnTimeout: -time.Second,
			ResponseHeaderTimeout: -1, ExpectContinueTimeout: -1, DialTimeout: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTransport(tc.o)
			defer tr.CloseIdleConnections()
			checks := []struct {
				field     string
				got, want any
			}{
				{"MaxIdleConns", tr.MaxIdleConns, 0},
				{"MaxIdleConnsPerHost", tr.MaxIdleConnsPerHost, 250},
				{"MaxConnsPerHost", tr.MaxConnsPerHost, 256},
				{"IdleConnTimeout", tr.IdleConnTimeout, 30 * time.Second},
				{"TLSHandshakeTimeout", tr.TLSHandshakeTimeout, 3 * time.Second},
				{"ResponseHeaderTimeout", tr.ResponseHeaderTimeout, time.Duration(0)},
				{"ExpectContinueTimeout", tr.ExpectContinueTimeout, time.Duration(0)},
				{"MaxResponseHeaderBytes", tr.MaxResponseHeaderBytes, int64(64 << 10)},
				{"DisableCompression", tr.DisableCompression, false},
				{"DisableKeepAlives", tr.DisableKeepAlives, false},
				{"Proxy is nil", tr.Proxy == nil, true},
				{"TLS minimum", tr.TLSClientConfig.MinVersion, uint16(tls.VersionTLS12)},
				{"TLS verification", tr.TLSClientConfig.InsecureSkipVerify, false},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %v, want %v", c.field, c.got, c.want)
				}
			}
		})
	}
}

func TestNewTransportOverrides(t *testing.T) {
	in := &tls.Config{MinVersion: tls.VersionTLS10, ServerName: "backend.internal"}
	tr := newTransport(Options{
		DisableKeepAlives: true, DisableCompression: true, MaxIdleConns: 10, MaxIdleConnsPerHost: 7,
		IdleConnTimeout: time.Minute, ResponseHeaderTimeout: time.Second, ExpectContinueTimeout: 2 * time.Second,
		TLSConfig: in,
	})
	defer tr.CloseIdleConnections()
	if !tr.DisableKeepAlives || !tr.DisableCompression || tr.MaxIdleConns != 10 || tr.MaxIdleConnsPerHost != 7 ||
		tr.IdleConnTimeout != time.Minute || tr.ResponseHeaderTimeout != time.Second || tr.ExpectContinueTimeout != 2*time.Second {
		t.Errorf("overrides not applied: %+v", tr)
	}
	if tr.TLSClientConfig == in || tr.TLSClientConfig.MinVersion != tls.VersionTLS12 || tr.TLSClientConfig.ServerName != "backend.internal" {
		t.Errorf("TLS config not cloned and raised to TLS 1.2: %+v", tr.TLSClientConfig)
	}
	if in.MinVersion != tls.VersionTLS10 {
		t.Error("caller's TLS config modified")
	}
}

func TestDurationDefaults(t *testing.T) {
	tests := []struct {
		d, def, positive, nonZero time.Duration
	}{
		{0, time.Second, time.Second, time.Second},
		{-1, time.Second, time.Second, -1},
		{5, time.Second, 5, 5},
	}
	for _, tc := range tests {
		if got := positiveOr(tc.d, tc.def); got != tc.positive {
			t.Errorf("positiveOr(%v) = %v, want %v", tc.d, got, tc.positive)
		}
		if got := nonZeroOr(tc.d, tc.def); got != tc.nonZero {
			t.Errorf("nonZeroOr(%v) = %v, want %v", tc.d, got, tc.nonZero)
		}
	}
}
