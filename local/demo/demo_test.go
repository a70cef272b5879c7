package demo

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testClient is a client without keep-alives, so that no connection
// goroutine outlives a test.
func testClient() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
}

// startTest starts the backends on ephemeral loopback ports.
func startTest(t *testing.T) *Backends {
	t.Helper()
	b, err := Start("127.0.0.1:0", "127.0.0.1:0", nil)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = b.Close(ctx)
	})
	return b
}

// get fetches url and returns the status and body.
func get(ctx context.Context, c *http.Client, url string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data), err
}

func TestStartServesBothServices(t *testing.T) {
	b := startTest(t)
	c := testClient()
	tests := []struct {
		url    string
		status int
		prefix string
	}{
		{b.CatalogURL() + "/products", 200, `[{"id":1,"sku":"SKU-1001"`},
		{b.CatalogURL() + "/marketing-promos", 200, `{"data":{"items":[`},
		{b.UsersURL() + "/users/42", 200, `{"id":42,"name":`},
		{b.UsersURL() + "/shopping-cart/42?locale=es", 200, `{"items":[`},
		{b.UsersURL() + "/products", 404, `{"error":"not_found"`},
		{b.CatalogURL() + "/users/42", 404, `{"error":"not_found"`},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			status, body, err := get(context.Background(), c, tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if status != tt.status || !strings.HasPrefix(body, tt.prefix) {
				t.Errorf("GET %s = %d %.60q, want %d %q…", tt.url, status, body, tt.status, tt.prefix)
			}
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := b.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, _, err := get(context.Background(), c, b.CatalogURL()+"/products"); err == nil {
		t.Error("the catalog still answers after Close")
	}
}

func TestStartReportsBusyPort(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyAddr := busy.Addr().String()

	// A free address for the other service, to check it is released again.
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	freeAddr := probe.Addr().String()
	_ = probe.Close()

	tests := []struct {
		name, catalog, users, service string
	}{
		{"catalog port busy", busyAddr, freeAddr, "catalog"},
		{"users port busy", freeAddr, busyAddr, "users"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Start(tt.catalog, tt.users, nil)
			if err == nil {
				_ = b.Close(context.Background())
				t.Fatal("Start succeeded on a busy port")
			}
			for _, want := range []string{tt.service, busyAddr, "use --no-demo or free the port"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if !errors.Is(err, syscall.EADDRINUSE) {
				t.Errorf("error %q does not wrap EADDRINUSE", err)
			}
			again, err := net.Listen("tcp", freeAddr)
			if err != nil {
				t.Fatalf("the other address was not released: %v", err)
			}
			_ = again.Close()
		})
	}
}

func TestCloseWaitsForRequestsInFlight(t *testing.T) {
	b := startTest(t)
	c := testClient()
	written := make(chan struct{})
	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { close(written) }}
		ctx := httptrace.WithClientTrace(context.Background(), trace)
		status, _, err := get(ctx, c, b.UsersURL()+"/users/7?delay_ms=300")
		done <- result{status, err}
	}()
	select {
	case <-written:
	case <-time.After(5 * time.Second):
		t.Fatal("request never written")
	}
	time.Sleep(50 * time.Millisecond) // let the server pick the request up
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := b.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if waited := time.Since(start); waited < 100*time.Millisecond {
		t.Errorf("Close returned after %v, before the delayed request finished", waited)
	}
	r := <-done
	if r.err != nil || r.status != http.StatusOK {
		t.Errorf("request in flight got %d, %v; want 200", r.status, r.err)
	}
}

func TestCloseCutsRequestsAtDeadline(t *testing.T) {
	b := startTest(t)
	c := testClient()
	written := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { close(written) }}
		ctx := httptrace.WithClientTrace(context.Background(), trace)
		_, _, err := get(ctx, c, b.CatalogURL()+"/products?delay_ms=5000")
		done <- err
	}()
	select {
	case <-written:
	case <-time.After(5 * time.Second):
		t.Fatal("request never written")
	}
	time.Sleep(50 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := b.Close(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close = %v, want a deadline error", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Close took %v despite its 100ms deadline", took)
	}
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Error("the cut request never returned")
	}
}

// TestDefaultAddressesMatchBundledConfig pins the demo to the hosts of the
// bundled config.
func TestDefaultAddressesMatchBundledConfig(t *testing.T) {
	data, err := os.ReadFile("../../config/gateway.json")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Endpoints []struct {
			Backend []struct {
				Host       []string `json:"host"`
				URLPattern string   `json:"url_pattern"`
			} `json:"backend"`
		} `json:"endpoints"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	catalog, users := CatalogHandler(), UsersHandler()
	n := 0
	for _, e := range cfg.Endpoints {
		for _, be := range e.Backend {
			for _, host := range be.Host {
				var h http.Handler
				switch host {
				case "http://" + CatalogAddr:
					h = catalog
				case "http://" + UsersAddr:
					h = users
				default:
					t.Errorf("bundled host %q is neither demo address", host)
					continue
				}
				path := strings.ReplaceAll(be.URLPattern, "{id_user}", "42")
				if status, _ := serve(h, http.MethodGet, path); status != http.StatusOK {
					t.Errorf("%s%s answers %d, want 200", host, path, status)
				}
				n++
			}
		}
	}
	if n == 0 {
		t.Error("no backend found in the bundled config")
	}
}
