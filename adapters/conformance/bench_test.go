package conformance

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tributary-gw/tributary/adapters/httpadapter"
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
)

// Canned demo payloads: the shape of the demo services behind the bundled
// config, with fields the front page drops (so shaping has work to do).
const (
	benchProducts = `[{"id":1,"sku":"LMP-001","name":"Desk lamp","price":19.90,"currency":"EUR","stock":42,"tags":["home","light"]},` +
		`{"id":2,"sku":"DSK-002","name":"Standing desk","price":349.00,"currency":"EUR","stock":7,"tags":["office"]},` +
		`{"id":3,"sku":"CHR-003","name":"Chair","price":129.50,"currency":"EUR","stock":0,"tags":["office","seating"]},` +
		`{"id":4,"sku":"MUG-004","name":"Mug","price":7.25,"currency":"EUR","stock":310,"tags":["kitchen"]},` +
		`{"id":5,"sku":"PEN-005","name":"Fountain pen","price":45.00,"currency":"EUR","stock":18,"tags":["office","gift"]}]`
	benchPromos = `{"status":"ok","data":{"items":[{"id":"spring","title":"Spring sale","discount":0.15},` +
		`{"id":"ship","title":"Free shipping over 50 EUR","discount":0}],"valid_until":"2025-06-30T23:59:59Z",` +
		`"internal":{"campaign_id":"c-7781","owner":"marketing"}}}`
	benchUser = `{"id":42,"name":"Ana García","email":"ana@example.com","password_hash":"FAKE$2b$10$abcdefghijklmnopqrstuv",` +
		`"address":{"street":"Gran Vía 1","city":"Madrid","zip":"28013","country":"ES"},` +
		`"loyalty":{"tier":"gold","points":1830,"since":"2019-04-01"},"created_at":"2018-11-02T10:00:00Z"}`
	benchCart = `{"id":"cart-42","user_id":42,"items":[{"sku":"LMP-001","qty":2,"price":19.90},{"sku":"MUG-004","qty":1,"price":7.25}],` +
		`"total":47.05,"currency":"EUR","session":"FAKE-session-token","updated_at":"2025-03-01T12:00:00Z"}`
)

// benchBackends starts the catalog and users services on loopback.
func benchBackends(b *testing.B) (catalog, users *httptest.Server) {
	b.Helper()
	serve := func(routes map[string]string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, ok := routes[r.URL.Path]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, body)
		})
	}
	catalog = httptest.NewServer(serve(map[string]string{"/products": benchProducts, "/marketing-promos": benchPromos}))
	users = httptest.NewServer(serve(map[string]string{"/users/42": benchUser, "/shopping-cart/42": benchCart}))
	b.Cleanup(catalog.Close)
	b.Cleanup(users.Close)
	return catalog, users
}

// benchGateway compiles the bundled config with its hosts pointed at the
// loopback services.
func benchGateway(b *testing.B, catalog, users string) *exec.Gateway {
	b.Helper()
	text := strings.NewReplacer("http://127.0.0.1:8001", catalog, "http://127.0.0.1:8002", users).Replace(string(config.Bundled()))
	cfg, err := config.Load(config.BundledName, []byte(text), nil)
	if err != nil {
		b.Fatal(err)
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		b.Fatal(err)
	}
	gw := exec.New(p, exec.Options{})
	b.Cleanup(gw.Client().CloseIdleConnections)
	return gw
}

// BenchmarkFrontpage measures the full in-process request path of the demo
// endpoint GET /frontpage/{id_user}: four backend calls over loopback to
// httptest servers, shaping, merge and encoding. The figures include the
// loopback round trips and the httptest servers' own work, which run in
// the same process.
func BenchmarkFrontpage(b *testing.B) {
	catalog, users := benchBackends(b)
	gw := benchGateway(b, catalog.URL, users.URL)
	want := `{"products":[`

	b.Run("handler", func(b *testing.B) {
		h := httpadapter.New(gw, httpadapter.Options{})
		req := httptest.NewRequest(http.MethodGet, "/frontpage/42?locale=es", nil)
		req.Header.Set("Authorization", "Bearer FAKE")
		b.ReportAllocs()
		for b.Loop() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), want) {
				b.Fatalf("status %d body %s", rec.Code, rec.Body.String())
			}
		}
	})
	b.Run("gateway", func(b *testing.B) {
		header := http.Header{"Authorization": {"Bearer FAKE"}}
		b.ReportAllocs()
		for b.Loop() {
			resp := gw.Serve(context.Background(), &exec.Request{
				Method: http.MethodGet, RawPath: "/frontpage/42", RawQuery: "locale=es",
				Header: header, Host: "gw", ClientIP: "127.0.0.1", ContentLength: 0,
			})
			if resp.Status != http.StatusOK || !strings.HasPrefix(string(resp.Bytes()), want) {
				b.Fatalf("status %d body %s", resp.Status, resp.Bytes())
			}
		}
	})
	// The same four calls made directly with a plain client, in parallel,
	// bodies read and discarded: the part of the figures above that is
	// loopback HTTP rather than the gateway.
	b.Run("backends_only", func(b *testing.B) {
		tr := &http.Transport{MaxIdleConnsPerHost: 64}
		b.Cleanup(tr.CloseIdleConnections)
		client := &http.Client{Transport: tr}
		urls := []string{catalog.URL + "/products", catalog.URL + "/marketing-promos", users.URL + "/users/42", users.URL + "/shopping-cart/42"}
		b.ReportAllocs()
		for b.Loop() {
			var wg sync.WaitGroup
			for _, u := range urls {
				wg.Go(func() {
					resp, err := client.Get(u)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				})
			}
			wg.Wait()
		}
	})
}
