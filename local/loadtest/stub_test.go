package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func mustBodies(t testing.TB) *bodies {
	t.Helper()
	b, err := newBodies()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBodiesSizesAndShapes(t *testing.T) {
	b := mustBodies(t)
	tests := []struct {
		name     string
		body     []byte
		min, max int
		check    func(t *testing.T, v any)
	}{
		{"users", b.user, 250, 350, func(t *testing.T, v any) {
			o := v.(map[string]any)
			for _, k := range []string{"name", "address", "loyalty", "password_hash"} {
				if _, ok := o[k]; !ok {
					t.Errorf("user has no %q", k)
				}
			}
			if city := o["address"].(map[string]any)["city"]; city != "London" {
				t.Errorf("address.city = %v", city)
			}
		}},
		{"cart", b.cart, 250, 350, func(t *testing.T, v any) {
			if items := v.(map[string]any)["items"].([]any); len(items) == 0 {
				t.Error("cart has no items")
			}
		}},
		{"products", b.products, 10_000, 12_000, func(t *testing.T, v any) {
			if n := len(v.([]any)); n != productCount {
				t.Errorf("products has %d items, want %d", n, productCount)
			}
		}},
		{"promos", b.promos, 1800, 2300, func(t *testing.T, v any) {
			if items := v.(map[string]any)["items"].([]any); len(items) != promoCount {
				t.Errorf("promos has %d items, want %d", len(items), promoCount)
			}
		}},
		{"big", b.big, bigTarget, bigTarget + 1000, func(t *testing.T, v any) {
			o := v.(map[string]any)
			if _, ok := o[bigDeniedField]; !ok {
				t.Errorf("big has no %q field to deny", bigDeniedField)
			}
			if recs := o["records"].([]any); len(recs) < 1000 {
				t.Errorf("big has only %d records", len(recs))
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if n := len(tc.body); n < tc.min || n > tc.max {
				t.Errorf("size %d B, want %d–%d", n, tc.min, tc.max)
			}
			var v any
			if err := json.Unmarshal(tc.body, &v); err != nil {
				t.Fatalf("not valid JSON: %v", err)
			}
			tc.check(t, v)
		})
	}
	again := mustBodies(t)
	if string(again.big) != string(b.big) || string(again.products) != string(b.products) {
		t.Error("bodies are not deterministic")
	}
}

func TestStubRoutes(t *testing.T) {
	b := mustBodies(t)
	srv := httptest.NewServer(newStub(b))
	defer srv.Close()
	tests := []struct {
		method, path string
		status       int
		body         []byte // nil: only the status is checked
	}{
		{"GET", "/users/1", 200, b.user},
		{"GET", "/users/abc-9", 200, b.user},
		{"GET", "/cart/7", 200, b.cart},
		{"GET", "/products", 200, b.products},
		{"GET", "/promos", 200, b.promos},
		{"GET", "/big", 200, b.big},
		{"GET", "/users/1?delay_ms=1", 200, b.user},
		{"HEAD", "/products", 200, []byte{}},
		{"GET", "/users/", 404, nil},
		{"GET", "/users/1/2", 404, nil},
		{"GET", "/nope", 404, nil},
		{"POST", "/users/1", 405, nil},
		{"GET", "/users/1?delay_ms=x", 400, nil},
		{"GET", "/users/1?delay_ms=-1", 400, nil},
		{"GET", "/users/1?delay_ms=10001", 400, nil},
	}
	client := srv.Client()
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if tc.body == nil {
				if !json.Valid(got) {
					t.Errorf("error body %q is not JSON", got)
				}
				return
			}
			if string(got) != string(tc.body) {
				t.Errorf("body differs from the pre-encoded one (%d B vs %d B)", len(got), len(tc.body))
			}
			wantLen := len(tc.body)
			if tc.method == "HEAD" {
				wantLen = len(b.products)
			}
			if cl := resp.Header.Get("Content-Length"); cl != strconv.Itoa(wantLen) {
				t.Errorf("Content-Length %q, want %d", cl, wantLen)
			}
		})
	}
}

func TestListenLoopbackOnly(t *testing.T) {
	tests := []struct {
		addr    string
		wantErr string
	}{
		{"127.0.0.1:0", ""},
		{"0.0.0.0:0", "only loopback"},
		{"10.1.2.3:0", "only loopback"},
		{"localhost:0", "address"},
		{"127.0.0.1", "address"},
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			ln, err := listenLoopback(tc.addr)
			if ln != nil {
				ln.Close()
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}
