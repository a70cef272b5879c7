package demo

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// serve runs one request through h and returns the status and body.
func serve(h http.Handler, method, target string) (int, string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec.Code, rec.Body.String()
}

// decode decodes body into v keeping numbers as json.Number.
func decode(t *testing.T, body string, v any) {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(body))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		t.Fatalf("decode %.80q: %v", body, err)
	}
}

// cents parses a JSON price with exactly two decimals.
func cents(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	s := string(n)
	dot := strings.IndexByte(s, '.')
	if !ok || dot < 1 || len(s)-dot != 3 {
		t.Fatalf("price %v is not a number with two decimals", v)
	}
	c, err := strconv.ParseInt(s[:dot]+s[dot+1:], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// keys returns the sorted keys of m joined by commas.
func keys(m map[string]any) string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	for i := range k {
		for j := i + 1; j < len(k); j++ {
			if k[j] < k[i] {
				k[i], k[j] = k[j], k[i]
			}
		}
	}
	return strings.Join(k, ",")
}

func TestRoutes(t *testing.T) {
	catalog, users := CatalogHandler(), UsersHandler()
	tests := []struct {
		name      string
		h         http.Handler
		method    string
		target    string
		status    int
		errorCode string // "" for a success document
	}{
		{"products", catalog, "GET", "/products", 200, ""},
		{"promos", catalog, "GET", "/marketing-promos", 200, ""},
		{"products with other query", catalog, "GET", "/products?locale=es&x=%zz", 200, ""},
		{"products trailing slash", catalog, "GET", "/products/", 404, "not_found"},
		{"catalog unknown", catalog, "GET", "/", 404, "not_found"},
		{"catalog POST", catalog, "POST", "/products", 405, "method_not_allowed"},
		{"catalog POST unknown", catalog, "POST", "/nope", 404, "not_found"},
		{"user 1", users, "GET", "/users/1", 200, ""},
		{"user 1000", users, "GET", "/users/1000", 200, ""},
		{"cart 1000", users, "GET", "/shopping-cart/1000", 200, ""},
		{"user 0", users, "GET", "/users/0", 404, "not_found"},
		{"user 1001", users, "GET", "/users/1001", 404, "not_found"},
		{"user leading zero", users, "GET", "/users/042", 404, "not_found"},
		{"user sign", users, "GET", "/users/+42", 404, "not_found"},
		{"user negative", users, "GET", "/users/-1", 404, "not_found"},
		{"user text", users, "GET", "/users/abc", 404, "not_found"},
		{"user huge", users, "GET", "/users/99999999999999999999", 404, "not_found"},
		{"user empty", users, "GET", "/users/", 404, "not_found"},
		{"user subpath", users, "GET", "/users/42/orders", 404, "not_found"},
		{"cart 0", users, "GET", "/shopping-cart/0", 404, "not_found"},
		{"users list", users, "GET", "/users", 404, "not_found"},
		{"users DELETE", users, "DELETE", "/users/42", 405, "method_not_allowed"},
		{"cart PUT", users, "PUT", "/shopping-cart/42", 405, "method_not_allowed"},
		{"fail", users, "GET", "/users/42?fail=503", 503, "simulated_failure"},
		{"fail 404", catalog, "GET", "/products?fail=404", 404, "simulated_failure"},
		{"fail escaped key", catalog, "GET", "/products?f%61il=500", 500, "simulated_failure"},
		{"fail wins over a missing user", users, "GET", "/users/5000?fail=502", 502, "simulated_failure"},
		{"fail 200", catalog, "GET", "/products?fail=200", 400, "bad_request"},
		{"fail 600", catalog, "GET", "/products?fail=600", 400, "bad_request"},
		{"fail text", catalog, "GET", "/products?fail=oops", 400, "bad_request"},
		{"fail empty", catalog, "GET", "/products?fail=", 400, "bad_request"},
		{"delay too long", catalog, "GET", "/products?delay_ms=5001", 400, "bad_request"},
		{"delay negative", users, "GET", "/users/1?delay_ms=-1", 400, "bad_request"},
		{"delay bad escape", users, "GET", "/users/1?delay_ms=%zz", 400, "bad_request"},
		{"delay zero", users, "GET", "/users/1?delay_ms=0", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tt.h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.target, nil))
			if rec.Code != tt.status {
				t.Errorf("status = %d, want %d", rec.Code, tt.status)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			if cl := rec.Header().Get("Content-Length"); cl != strconv.Itoa(rec.Body.Len()) {
				t.Errorf("Content-Length = %q, body is %d bytes", cl, rec.Body.Len())
			}
			if tt.status == 405 && rec.Header().Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow = %q", rec.Header().Get("Allow"))
			}
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("body is not JSON: %q", rec.Body.String())
			}
			var e struct {
				Error  string `json:"error"`
				Status int    `json:"status"`
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &e)
			if e.Error != tt.errorCode {
				t.Errorf("error = %q, want %q", e.Error, tt.errorCode)
			}
			if tt.errorCode != "" && e.Status != tt.status {
				t.Errorf("error body status = %d, want %d", e.Status, tt.status)
			}
		})
	}
}

func TestHeadHasNoBody(t *testing.T) {
	for _, target := range []string{"/products", "/marketing-promos", "/nope"} {
		rec := httptest.NewRecorder()
		CatalogHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodHead, target, nil))
		_, get := serve(CatalogHandler(), http.MethodGet, target)
		if rec.Body.Len() != 0 || rec.Header().Get("Content-Length") != strconv.Itoa(len(get)) {
			t.Errorf("HEAD %s: body %d bytes, Content-Length %q, GET body %d bytes",
				target, rec.Body.Len(), rec.Header().Get("Content-Length"), len(get))
		}
	}
}

func TestProducts(t *testing.T) {
	_, body := serve(CatalogHandler(), "GET", "/products")
	var products []map[string]any
	decode(t, body, &products)
	if len(products) != 12 {
		t.Fatalf("%d products, want 12", len(products))
	}
	const want = "currency,id,image_url,in_stock,name,price,sku,tags"
	seen := map[string]bool{}
	for i, p := range products {
		if keys(p) != want {
			t.Errorf("product %d keys = %s", i, keys(p))
		}
		if id, _ := p["id"].(json.Number); string(id) != strconv.Itoa(i+1) {
			t.Errorf("product %d id = %v", i, p["id"])
		}
		sku, _ := p["sku"].(string)
		if seen[sku] || !strings.HasPrefix(sku, "SKU-") {
			t.Errorf("product %d sku %q duplicate or malformed", i, sku)
		}
		seen[sku] = true
		if c := cents(t, p["price"]); c <= 0 || c%100 == 0 && i == 0 {
			t.Errorf("product %d price %v", i, p["price"])
		}
		if _, ok := p["in_stock"].(bool); !ok {
			t.Errorf("product %d in_stock %v", i, p["in_stock"])
		}
		if tags, ok := p["tags"].([]any); !ok || len(tags) == 0 {
			t.Errorf("product %d tags %v", i, p["tags"])
		}
		if u, _ := p["image_url"].(string); !strings.HasPrefix(u, "https://") {
			t.Errorf("product %d image_url %q", i, u)
		}
	}
	if !strings.Contains(body, `"price":89.99,`) || !strings.Contains(body, `"price":64.00,`) {
		t.Error("prices are not rendered with two decimals")
	}
}

func TestMarketingPromos(t *testing.T) {
	_, body := serve(CatalogHandler(), "GET", "/marketing-promos")
	var doc struct {
		Data map[string]json.RawMessage `json:"data"`
		Meta map[string]any             `json:"meta"`
	}
	decode(t, body, &doc)
	if got := strings.Join(sortedRaw(doc.Data), ","); got != "campaign_internal_code,items,valid_until" {
		t.Errorf("data keys = %s", got)
	}
	var items []map[string]any
	decode(t, string(doc.Data["items"]), &items)
	if len(items) != 3 {
		t.Fatalf("%d promos, want 3", len(items))
	}
	for i, it := range items {
		if keys(it) != "id,image_url,target_url,title" {
			t.Errorf("promo %d keys = %s", i, keys(it))
		}
	}
	var until string
	decode(t, string(doc.Data["valid_until"]), &until)
	if _, err := time.Parse(time.RFC3339, until); err != nil {
		t.Errorf("valid_until %q: %v", until, err)
	}
	if len(doc.Meta) == 0 {
		t.Error("meta is empty")
	}
}

// sortedRaw returns the keys of m, sorted.
func sortedRaw(m map[string]json.RawMessage) []string {
	am := make(map[string]any, len(m))
	for k := range m {
		am[k] = nil
	}
	return strings.Split(keys(am), ",")
}

func TestUsers(t *testing.T) {
	h := UsersHandler()
	for _, id := range []int{1, 42, 500, 1000} {
		_, body := serve(h, "GET", "/users/"+strconv.Itoa(id))
		var u map[string]any
		decode(t, body, &u)
		if keys(u) != "address,created_at,email,id,loyalty,name,password_hash" {
			t.Errorf("user %d keys = %s", id, keys(u))
		}
		if n, _ := u["id"].(json.Number); string(n) != strconv.Itoa(id) {
			t.Errorf("user %d id = %v", id, u["id"])
		}
		if !strings.HasPrefix(body, `{"id":`+strconv.Itoa(id)+`,`) {
			t.Errorf("user %d: id is not the first key: %.40q", id, body)
		}
		if ph, _ := u["password_hash"].(string); !strings.Contains(ph, "FAKE") {
			t.Errorf("user %d password_hash %q is not labelled fake", id, ph)
		}
		addr, _ := u["address"].(map[string]any)
		if keys(addr) != "city,country,street,zip" {
			t.Errorf("user %d address keys = %s", id, keys(addr))
		}
		loy, _ := u["loyalty"].(map[string]any)
		if keys(loy) != "points,tier" {
			t.Errorf("user %d loyalty keys = %s", id, keys(loy))
		}
		if e, _ := u["email"].(string); !strings.HasSuffix(e, strconv.Itoa(id)+"@example.com") {
			t.Errorf("user %d email %q", id, e)
		}
		if c, _ := u["created_at"].(string); !validTime(c) {
			t.Errorf("user %d created_at %q", id, c)
		}
	}
}

func validTime(s string) bool {
	_, err := time.Parse(time.RFC3339, s)
	return err == nil
}

func TestCarts(t *testing.T) {
	h := UsersHandler()
	sizes := map[int]bool{}
	for id := 1; id <= MaxUserID; id++ {
		_, body := serve(h, "GET", "/shopping-cart/"+strconv.Itoa(id))
		var c map[string]any
		decode(t, body, &c)
		if keys(c) != "currency,items,session_token,total,updated_at" {
			t.Fatalf("cart %d keys = %s", id, keys(c))
		}
		items, ok := c["items"].([]any)
		if !ok {
			t.Fatalf("cart %d items = %v", id, c["items"])
		}
		sizes[len(items)] = true
		var sum int64
		for _, raw := range items {
			it, _ := raw.(map[string]any)
			if keys(it) != "name,qty,sku,unit_price" {
				t.Fatalf("cart %d item keys = %s", id, keys(it))
			}
			q, _ := it["qty"].(json.Number)
			qty, err := q.Int64()
			if err != nil || qty < 1 {
				t.Fatalf("cart %d qty %v", id, it["qty"])
			}
			sum += qty * cents(t, it["unit_price"])
		}
		if total := cents(t, c["total"]); total != sum {
			t.Errorf("cart %d total %d cents, items sum to %d", id, total, sum)
		}
		if tok, _ := c["session_token"].(string); !strings.Contains(tok, "FAKE") {
			t.Errorf("cart %d session_token %q is not labelled fake", id, tok)
		}
		if u, _ := c["updated_at"].(string); !validTime(u) {
			t.Errorf("cart %d updated_at %q", id, u)
		}
	}
	if len(sizes) < 4 || !sizes[0] {
		t.Errorf("cart sizes seen %v: want empty and varied carts", sizes)
	}
}

func TestUsersAreDeterministic(t *testing.T) {
	a, b := UsersHandler(), UsersHandler()
	distinct := map[string]int{}
	for _, p := range []string{"/users/", "/shopping-cart/"} {
		for id := 1; id <= MaxUserID; id++ {
			target := p + strconv.Itoa(id)
			_, x := serve(a, "GET", target)
			_, y := serve(b, "GET", target)
			if x != y {
				t.Fatalf("%s differs between handlers", target)
			}
			if prev, dup := distinct[x]; dup {
				t.Fatalf("%s answers the same body as id %d", target, prev)
			}
			distinct[x] = id
		}
	}
	// Pin one user so that accidental changes to the generator show up.
	_, body := serve(a, "GET", "/users/42")
	var u user
	decode(t, body, &u)
	if !reflect.DeepEqual(u, makeUser(42)) {
		t.Errorf("user 42 = %+v, want %+v", u, makeUser(42))
	}
}

func TestDelay(t *testing.T) {
	h := CatalogHandler()
	tests := []struct {
		name     string
		target   string
		cancel   bool
		minWait  time.Duration
		maxWait  time.Duration
		status   int
		wantBody bool
	}{
		{"waits", "/products?delay_ms=60", false, 60 * time.Millisecond, 3 * time.Second, 200, true},
		{"then fails", "/marketing-promos?delay_ms=60&fail=503", false, 60 * time.Millisecond, 3 * time.Second, 503, true},
		{"cancelled", "/products?delay_ms=5000", true, 0, time.Second, 200, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				time.AfterFunc(20*time.Millisecond, cancel)
			}
			rec := httptest.NewRecorder()
			start := time.Now()
			h.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, "GET", tt.target, nil))
			took := time.Since(start)
			if took < tt.minWait || took > tt.maxWait {
				t.Errorf("took %v, want %v..%v", took, tt.minWait, tt.maxWait)
			}
			if rec.Code != tt.status || (rec.Body.Len() > 0) != tt.wantBody {
				t.Errorf("got %d with %d body bytes", rec.Code, rec.Body.Len())
			}
		})
	}
}

func TestQueryValue(t *testing.T) {
	tests := []struct {
		raw, key, want string
		ok             bool
	}{
		{"", "fail", "", false},
		{"fail=503", "fail", "503", true},
		{"a=1&fail=503&fail=500", "fail", "503", true},
		{"failx=1&xfail=2", "fail", "", false},
		{"fail", "fail", "", true},
		{"f%61il=5%30%33", "fail", "503", true},
		{"%zz=1&fail=2", "fail", "2", true},
		{"fail=%zz", "fail", "", true},
		{"delay_ms=1+0", "delay_ms", "1 0", true},
		{"&&fail=1&", "fail", "1", true},
	}
	for _, tt := range tests {
		got, ok := queryValue(tt.raw, tt.key)
		if got != tt.want || ok != tt.ok {
			t.Errorf("queryValue(%q, %q) = %q, %v; want %q, %v", tt.raw, tt.key, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		s     string
		limit int
		want  int
		ok    bool
	}{
		{"0", 10, 0, true},
		{"10", 10, 10, true},
		{"11", 10, 11, false},
		{"007", 10, 7, true},
		{"", 10, 0, false},
		{"-1", 10, 0, false},
		{"+1", 10, 0, false},
		{"1.5", 10, 0, false},
		{"1234567890", 1 << 40, 0, false},
		{"999999999", 1 << 40, 999999999, true},
	}
	for _, tt := range tests {
		got, ok := parseDecimal(tt.s, tt.limit)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("parseDecimal(%q, %d) = %d, %v; want %d, %v", tt.s, tt.limit, got, ok, tt.want, tt.ok)
		}
	}
}

func TestPriceJSON(t *testing.T) {
	tests := []struct {
		p    price
		want string
	}{
		{0, "0.00"}, {5, "0.05"}, {99, "0.99"}, {100, "1.00"}, {8999, "89.99"}, {123456, "1234.56"}, {-250, "-2.50"},
	}
	for _, tt := range tests {
		got, err := json.Marshal(tt.p)
		if err != nil || string(got) != tt.want {
			t.Errorf("Marshal(price(%d)) = %s, %v; want %s", tt.p, got, err, tt.want)
		}
	}
}

// FuzzHandlers checks that no path, query or method panics, and that every
// answer is JSON with a status the services use.
func FuzzHandlers(f *testing.F) {
	f.Add("GET", "/users/42", "fail=503")
	f.Add("HEAD", "/shopping-cart/1000", "delay_ms=10")
	f.Add("POST", "/products", "")
	f.Add("GET", "/marketing-promos", "delay_ms=%zz&fail=5%30%30")
	f.Add("GET", "/users/0042", "fail=")
	handlers := []http.Handler{CatalogHandler(), UsersHandler()}
	allowed := map[int]bool{200: true, 400: true, 404: true, 405: true}
	f.Fuzz(func(t *testing.T, method, path, rawQuery string) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // a delay returns at once
		for _, h := range handlers {
			rec := httptest.NewRecorder()
			req := (&http.Request{Method: method, URL: urlOf(path, rawQuery), Header: http.Header{}}).WithContext(ctx)
			h.ServeHTTP(rec, req)
			if !allowed[rec.Code] && (rec.Code < minFail || rec.Code > maxFail) {
				t.Fatalf("%s %s?%s: status %d", method, path, rawQuery, rec.Code)
			}
			if rec.Body.Len() > 0 && !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("%s %s?%s: body is not JSON", method, path, rawQuery)
			}
		}
	})
}

// BenchmarkHandlers measures the per-request cost of the pre-encoded answers.
func BenchmarkHandlers(b *testing.B) {
	catalog, users := CatalogHandler(), UsersHandler()
	benches := []struct {
		name   string
		h      http.Handler
		target string
	}{
		{"products", catalog, "/products"},
		{"promos", catalog, "/marketing-promos"},
		{"user", users, "/users/42?locale=es"},
		{"cart", users, "/shopping-cart/42"},
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", bb.target, nil)
			w := &sinkWriter{header: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.header)
				bb.h.ServeHTTP(w, req)
			}
			if w.status != http.StatusOK {
				b.Fatalf("status %d", w.status)
			}
		})
	}
}

// sinkWriter is a ResponseWriter that keeps only the status.
type sinkWriter struct {
	header http.Header
	status int
}

func (w *sinkWriter) Header() http.Header         { return w.header }
func (w *sinkWriter) WriteHeader(s int)           { w.status = s }
func (w *sinkWriter) Write(p []byte) (int, error) { return len(p), nil }

// urlOf builds a request URL from a path and a raw query as a server would
// see them, without parsing (fuzz inputs are arbitrary).
func urlOf(path, rawQuery string) *url.URL {
	return &url.URL{Path: path, RawQuery: rawQuery}
}
