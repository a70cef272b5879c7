package backend

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// hit is what a test backend saw.
type hit struct {
	method, path, body, ctype, auth, cookie string
	length                                  int64
}

// recorder is a loopback backend that records its requests and answers
// "/r/<code>?to=<location>" with that redirect and anything else with 200.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	hits []hit
}

func newRecorder(t *testing.T, tlsOn bool) *recorder {
	t.Helper()
	rec := &recorder{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.hits = append(rec.hits, hit{r.Method, r.URL.Path, string(b), r.Header.Get("Content-Type"),
			r.Header.Get("Authorization"), r.Header.Get("Cookie"), r.ContentLength})
		rec.mu.Unlock()
		if code, ok := strings.CutPrefix(r.URL.Path, "/r/"); ok {
			n, _ := strconv.Atoi(code)
			if to := r.URL.Query().Get("to"); to != "" {
				w.Header().Set("Location", to)
			}
			w.WriteHeader(n)
			_, _ = io.WriteString(w, "redirect body")
			return
		}
		if n, ok := strings.CutPrefix(r.URL.Path, "/chain/"); ok { // /chain/3 → /chain/2 → … → /chain/0
			k, _ := strconv.Atoi(n)
			if k > 0 {
				w.Header().Set("Location", "/chain/"+strconv.Itoa(k-1))
				w.WriteHeader(http.StatusFound)
				return
			}
		}
		_, _ = io.WriteString(w, "final:"+r.URL.Path)
	})
	if tlsOn {
		rec.Server = httptest.NewTLSServer(h)
	} else {
		rec.Server = httptest.NewServer(h)
	}
	t.Cleanup(rec.Close)
	return rec
}

func (rec *recorder) seen() []hit {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]hit(nil), rec.hits...)
}

func (rec *recorder) reset() {
	rec.mu.Lock()
	rec.hits = nil
	rec.mu.Unlock()
}

func TestDoRedirectsNotFollowedByDefault(t *testing.T) {
	checkLeaks(t)
	a := newRecorder(t, false)
	c := newClient(t, Options{})
	for _, code := range []int{301, 302, 303, 307, 308} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			resp, err := get(t, c, a.Server, "/r/"+strconv.Itoa(code)+"?to=http://169.254.169.254/latest/meta-data/")
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != code || resp.Header.Get("Location") != "http://169.254.169.254/latest/meta-data/" || string(resp.Body) != "redirect body" {
				t.Errorf("got %d Location %q body %q", resp.Status, resp.Header.Get("Location"), resp.Body)
			}
		})
	}
}

func TestDoFollowRedirects(t *testing.T) {
	checkLeaks(t)
	a := newRecorder(t, false)     // the backend's own host
	b := newRecorder(t, false)     // another configured host
	other := newRecorder(t, false) // a host nobody allowed
	secure := newRecorder(t, true) // https
	pool := x509.NewCertPool()
	pool.AddCert(secure.Certificate())
	c := newClient(t, Options{TLSConfig: &tls.Config{RootCAs: pool}})

	type want struct {
		err    error
		status int
		hits   map[*recorder][]hit // exact requests each backend saw
	}
	post := []byte(`{"x":1}`)
	tests := []struct {
		name   string
		start  *recorder
		method string
		path   string
		body   []byte
		req    Request
		want   want
	}{
		{"302 POST becomes GET without body", a, "POST", "/r/302?to=/done", post, Request{},
			want{status: 200, hits: map[*recorder][]hit{a: {
				{method: "POST", path: "/r/302", body: `{"x":1}`, ctype: "application/json", length: 7, auth: "Bearer t", cookie: "s=1"},
				{method: "GET", path: "/done", auth: "Bearer t", cookie: "s=1"}}}}},
		{"301 PUT becomes GET", a, "PUT", "/r/301?to=/done", post, Request{},
			want{status: 200, hits: map[*recorder][]hit{a: {
				{method: "PUT", path: "/r/301", body: `{"x":1}`, ctype: "application/json", length: 7, auth: "Bearer t", cookie: "s=1"},
				{method: "GET", path: "/done", auth: "Bearer t", cookie: "s=1"}}}}},
		{"303 DELETE becomes GET", a, "DELETE", "/r/303?to=/done", nil, Request{},
			want{status: 200, hits: map[*recorder][]hit{a: {
				{method: "DELETE", path: "/r/303", ctype: "application/json", auth: "Bearer t", cookie: "s=1"},
				{method: "GET", path: "/done", auth: "Bearer t", cookie: "s=1"}}}}},
		{"302 HEAD stays HEAD", a, "HEAD", "/r/302?to=/done", nil, Request{},
			want{status: 200, hits: map[*recorder][]hit{a: {
				{method: "HEAD", path: "/r/302", ctype: "application/json", auth: "Bearer t", cookie: "s=1"},
				{method: "HEAD", path: "/done", ctype: "application/json", auth: "Bearer t", cookie: "s=1"}}}}},
		{"307 keeps method and body", a, "POST", "/r/307?to=/done", post, Request{},
			want{status: 200, hits: map[*recorder][]hit{a: {
				{method: "POST", path: "/r/307", body: `{"x":1}`, ctype: "application/json", length: 7, auth: "Bearer t", cookie: "s=1"},
				{method: "POST", path: "/done", body: `{"x":1}`, ctype: "application/json", length: 7, auth: "Bearer t", cookie: "s=1"}}}}},
		{"308 keeps method and body", a, "PATCH", "/r/308?to=/done", post, Request{},
			want{status: 200, hits: map[*recorder][]hit{a: {
				{method: "PATCH", path: "/r/308", body: `{"x":1}`, ctype: "application/json", length: 7, auth: "Bearer t", cookie: "s=1"},
				{method: "PATCH", path: "/done", body: `{"x":1}`, ctype: "application/json", length: 7, auth: "Bearer t", cookie: "s=1"}}}}},
		{"to an allowed host drops credentials", a, "GET", "/r/302?to=" + b.URL + "/there", nil, Request{AllowedHosts: []string{a.URL, b.URL + "/"}},
			want{status: 200, hits: map[*recorder][]hit{
				a: {{method: "GET", path: "/r/302", ctype: "application/json", auth: "Bearer t", cookie: "s=1"}},
				b: {{method: "GET", path: "/there", ctype: "application/json"}}}}},
		{"to a redirect host", a, "GET", "/r/307?to=" + b.URL + "/there", nil, Request{RedirectHosts: []string{b.URL}},
			want{status: 200, hits: map[*recorder][]hit{
				a: {{method: "GET", path: "/r/307", ctype: "application/json", auth: "Bearer t", cookie: "s=1"}},
				b: {{method: "GET", path: "/there", ctype: "application/json"}}}}},
		{"to a host not allowed", a, "GET", "/r/302?to=" + other.URL + "/x", nil, Request{AllowedHosts: []string{a.URL, b.URL}, RedirectHosts: []string{b.URL}},
			want{err: ErrRedirectNotAllowed, hits: map[*recorder][]hit{
				a: {{method: "GET", path: "/r/302", ctype: "application/json", auth: "Bearer t", cookie: "s=1"}}}}},
		{"to the metadata address", a, "GET", "/r/302?to=http://169.254.169.254/latest/", nil, Request{},
			want{err: ErrRedirectNotAllowed, hits: map[*recorder][]hit{
				a: {{method: "GET", path: "/r/302", ctype: "application/json", auth: "Bearer t", cookie: "s=1"}}}}},
		{"scheme-relative to another host", a, "GET", "/r/302?to=//169.254.169.254/", nil, Request{},
			want{err: ErrRedirectNotAllowed, hits: map[*recorder][]hit{
				a: {{method: "GET", path: "/r/302", ctype: "application/json", auth: "Bearer t", cookie: "s=1"}}}}},
		{"credentials in Location", a, "GET", "/r/302?to=http://u:p@" + strings.TrimPrefix(a.URL, "http://") + "/x", nil, Request{},
			want{err: ErrRedirectNotAllowed, hits: map[*recorder][]hit{
				a: {{method: "GET", path: "/r/302", ctype: "application/json", auth: "Bearer t", cookie: "s=1"}}}}},
		{"non-http scheme", a, "GET", "/r/302?to=file:///etc/passwd", nil, Request{},
			want{err: ErrRedirectNotAllowed, hits: map[*recorder][]hit{
				a: {{method: "GET", path: "/r/302", ctype: "application/json", auth: "Bearer t", cookie: "s=1"}}}}},
		{"https downgrade refused", secure, "GET", "/r/302?to=" + a.URL + "/x", nil, Request{AllowedHosts: []string{a.URL}},
			want{err: ErrRedirectNotAllowed, hits: map[*recorder][]hit{
				secure: {{method: "GET", path: "/r/302", ctype: "application/json", auth: "Bearer t", cookie: "s=1"}}}}},
		{"http to https upgrade", a, "GET", "/r/301?to=" + secure.URL + "/s", nil, Request{RedirectHosts: []string{secure.URL}},
			want{status: 200, hits: map[*recorder][]hit{
				a:      {{method: "GET", path: "/r/301", ctype: "application/json", auth: "Bearer t", cookie: "s=1"}},
				secure: {{method: "GET", path: "/s", ctype: "application/json"}}}}},
		{"https entry does not admit http", a, "GET", "/r/302?to=" + b.URL + "/x", nil, Request{RedirectHosts: []string{strings.Replace(b.URL, "http:", "https:", 1)}},
			want{err: ErrRedirectNotAllowed, hits: map[*recorder][]hit{
				a: {{method: "GET", path: "/r/302", ctype: "application/json", auth: "Bearer t", cookie: "s=1"}}}}},
		{"hops at the limit", a, "GET", "/chain/3", nil, Request{MaxRedirects: 3},
			want{status: 200, hits: map[*recorder][]hit{a: {
				{method: "GET", path: "/chain/3", ctype: "application/json", auth: "Bearer t", cookie: "s=1"},
				{method: "GET", path: "/chain/2", ctype: "application/json", auth: "Bearer t", cookie: "s=1"},
				{method: "GET", path: "/chain/1", ctype: "application/json", auth: "Bearer t", cookie: "s=1"},
				{method: "GET", path: "/chain/0", ctype: "application/json", auth: "Bearer t", cookie: "s=1"}}}}},
		{"one hop too many", a, "GET", "/chain/3", nil, Request{MaxRedirects: 2},
			want{err: ErrTooManyRedirects, hits: map[*recorder][]hit{a: {
				{method: "GET", path: "/chain/3", ctype: "application/json", auth: "Bearer t", cookie: "s=1"},
				{method: "GET", path: "/chain/2", ctype: "application/json", auth: "Bearer t", cookie: "s=1"},
				{method: "GET", path: "/chain/1", ctype: "application/json", auth: "Bearer t", cookie: "s=1"}}}}},
		{"default limit is 3", a, "GET", "/chain/4", nil, Request{},
			want{err: ErrTooManyRedirects, hits: map[*recorder][]hit{a: {
				{method: "GET", path: "/chain/4", ctype: "application/json", auth: "Bearer t", cookie: "s=1"},
				{method: "GET", path: "/chain/3", ctype: "application/json", auth: "Bearer t", cookie: "s=1"},
				{method: "GET", path: "/chain/2", ctype: "application/json", auth: "Bearer t", cookie: "s=1"},
				{method: "GET", path: "/chain/1", ctype: "application/json", auth: "Bearer t", cookie: "s=1"}}}}},
		{"3xx without Location is a response", a, "GET", "/r/302", nil, Request{},
			want{status: 302, hits: map[*recorder][]hit{a: {
				{method: "GET", path: "/r/302", ctype: "application/json", auth: "Bearer t", cookie: "s=1"}}}}},
		{"300 is not followed", a, "GET", "/r/300?to=/done", nil, Request{},
			want{status: 300, hits: map[*recorder][]hit{a: {
				{method: "GET", path: "/r/300", ctype: "application/json", auth: "Bearer t", cookie: "s=1"}}}}},
	}
	all := []*recorder{a, b, other, secure}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range all {
				r.reset()
			}
			h := http.Header{"Authorization": {"Bearer t"}, "Cookie": {"s=1"}, "Content-Type": {"application/json"}}
			r := tc.req
			r.Method, r.URL, r.Header, r.Body, r.FollowRedirects = tc.method, mustURL(t, tc.start.URL+tc.path), h, tc.body, true
			resp, err := c.Do(testCtx(t), &r)
			if tc.want.err != nil {
				if !errors.Is(err, tc.want.err) || resp != nil {
					t.Errorf("got %v, %v; want %v", resp, err, tc.want.err)
				}
			} else if err != nil {
				t.Fatalf("Do: %v", err)
			} else if resp.Status != tc.want.status {
				t.Errorf("status = %d, want %d", resp.Status, tc.want.status)
			}
			for _, rec := range all {
				got, want := rec.seen(), tc.want.hits[rec]
				if len(got) != len(want) {
					t.Errorf("%s saw %d requests %+v, want %d", rec.URL, len(got), got, len(want))
					continue
				}
				for i := range got {
					if got[i] != want[i] {
						t.Errorf("%s request %d = %+v, want %+v", rec.URL, i, got[i], want[i])
					}
				}
			}
			if len(h) != 3 {
				t.Errorf("caller header modified: %v", h)
			}
		})
	}
}

func TestOriginAdmits(t *testing.T) {
	tests := []struct {
		allowed, target string
		want            bool
	}{
		{"http://h", "http://h/x", true},
		{"http://h", "http://h:80/x", true},
		{"http://h:80", "http://h/x", true},
		{"http://H", "http://h/x", true},
		{"http://h", "https://h/x", true},
		{"http://h:8080", "https://h:8080/x", true},
		{"https://h", "http://h/x", false},
		{"http://h", "http://h:8080/x", false},
		{"http://h:8080", "http://h/x", false},
		{"http://h", "http://h.evil/x", false},
		{"http://h", "http://evil-h/x", false},
		{"http://[::1]:9", "http://[::1]:9/", true},
		{"http://[::1]:9", "http://[::2]:9/", false},
	}
	for _, tc := range tests {
		got := originOf(mustURL(t, tc.allowed)).admits(originOf(mustURL(t, tc.target)))
		if got != tc.want {
			t.Errorf("%s admits %s = %v, want %v", tc.allowed, tc.target, got, tc.want)
		}
	}
}
