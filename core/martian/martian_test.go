package martian

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"testing"

	"github.com/tributary-gw/tributary/core/stage"
)

// newCall is a call to rawURL whose header map is shared (as the executor
// shares it between the backends of one request).
func newCall(t testing.TB, rawURL string, h http.Header) *stage.Call {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return &stage.Call{Method: http.MethodGet, URL: u, Header: h}
}

// runReq applies m as a request modifier to c through the stage.
func runReq(t testing.TB, m *Modifier, c *stage.Call) {
	t.Helper()
	s := NewStage(m, nil)
	if a, err := s.Before(context.Background(), c); a != nil || err != nil {
		t.Fatalf("Before = %v, %v", a, err)
	}
}

func TestRequestHeaders(t *testing.T) {
	shared := http.Header{"X-A": {"1", "2"}, "X-B": {"b"}, "Cookie": {"s=1"}}
	snapshot := shared.Clone()
	cases := []struct {
		name string
		m    *Modifier
		want http.Header
	}{
		{"set", SetHeader("X-A", "v"), http.Header{"X-A": {"v"}, "X-B": {"b"}, "Cookie": {"s=1"}}},
		{"set_new", SetHeader("X-New", "n"), http.Header{"X-A": {"1", "2"}, "X-B": {"b"}, "Cookie": {"s=1"}, "X-New": {"n"}}},
		{"append", AppendHeader("X-A", "3"), http.Header{"X-A": {"1", "2", "3"}, "X-B": {"b"}, "Cookie": {"s=1"}}},
		{"copy", CopyHeader("X-A", "X-C"), http.Header{"X-A": {"1", "2"}, "X-B": {"b"}, "Cookie": {"s=1"}, "X-C": {"1"}}},
		{"copy_absent", CopyHeader("X-Zz", "X-C"), http.Header{"X-A": {"1", "2"}, "X-B": {"b"}, "Cookie": {"s=1"}, "X-C": {""}}},
		{"remove", RemoveHeaders("X-A", "X-Absent", "Cookie"), http.Header{"X-B": {"b"}}},
		{"cookie", AddCookie(&http.Cookie{Name: "t", Value: "2", Path: "/ignored"}), http.Header{"X-A": {"1", "2"}, "X-B": {"b"}, "Cookie": {"s=1; t=2"}}},
		{"group", Group(SetHeader("X-A", "x"), nil, AppendHeader("X-A", "y"), RemoveHeaders("X-B")),
			http.Header{"X-A": {"x", "y"}, "Cookie": {"s=1"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCall(t, "http://h/p", shared)
			runReq(t, tc.m, c)
			if !equalHeader(c.Header, tc.want) {
				t.Errorf("header = %v, want %v", c.Header, tc.want)
			}
			if !equalHeader(shared, snapshot) {
				t.Fatalf("the shared header map changed: %v", shared)
			}
		})
	}
}

func TestRemoveAbsentDoesNotCopy(t *testing.T) {
	shared := http.Header{"X-B": {"b"}}
	c := newCall(t, "http://h/p", shared)
	runReq(t, RemoveHeaders("X-A"), c)
	if len(c.Header) != 1 {
		t.Fatal(c.Header)
	}
	c.Header["X-Probe"] = []string{"1"}
	if shared["X-Probe"] == nil {
		t.Error("an absent header copied the shared map") // same map expected: nothing to change
	}
}

func TestCookieJoinsEmpty(t *testing.T) {
	c := newCall(t, "http://h/p", nil)
	runReq(t, AddCookie(&http.Cookie{Name: "a", Value: "b"}), c)
	if got := c.Header["Cookie"]; !slices.Equal(got, []string{"a=b"}) {
		t.Errorf("Cookie = %q", got)
	}
}

func TestID(t *testing.T) {
	c := newCall(t, "http://h/p", nil)
	runReq(t, AddID(), c)
	id := c.Header.Get(IDHeader)
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
		t.Fatalf("X-Martian-Id = %q", id)
	}
	c2 := newCall(t, "http://h/p", nil)
	runReq(t, AddID(), c2)
	if c2.Header.Get(IDHeader) == id {
		t.Error("two calls got the same id")
	}
	c3 := newCall(t, "http://h/p", http.Header{IDHeader: {"mine"}})
	runReq(t, AddID(), c3)
	if got := c3.Header.Get(IDHeader); got != "mine" {
		t.Errorf("existing id replaced: %q", got)
	}
}

func TestFilters(t *testing.T) {
	h := http.Header{"X-Env": {"dev", "prod"}, "X-Agent": {"curl/8"}}
	set := SetHeader("X-Hit", "then")
	els := SetHeader("X-Hit", "else")
	cases := []struct {
		name, url string
		m         *Modifier
		want      string // X-Hit
	}{
		{"header_match_second_value", "http://h/p", HeaderFilter("X-Env", "prod", set, els), "then"},
		{"header_no_match", "http://h/p", HeaderFilter("X-Env", "qa", set, els), "else"},
		{"header_absent", "http://h/p", HeaderFilter("X-None", "", set, els), "else"},
		{"header_no_else", "http://h/p", HeaderFilter("X-Env", "qa", set, nil), ""},
		{"regex_match", "http://h/p", HeaderRegexFilter("X-Agent", regexp.MustCompile(`^curl/`), set, els), "then"},
		{"regex_first_value_only", "http://h/p", HeaderRegexFilter("X-Env", regexp.MustCompile(`prod`), set, els), "else"},
		{"regex_absent", "http://h/p", HeaderRegexFilter("X-None", regexp.MustCompile(`.*`), set, els), "else"},
		{"query_present", "http://h/p?a=1&b=2", QueryFilter("a", "", set, els), "then"},
		{"query_value", "http://h/p?a=1&a=7", QueryFilter("a", "7", set, els), "then"},
		{"query_other_value", "http://h/p?a=1", QueryFilter("a", "2", set, els), "else"},
		{"query_absent", "http://h/p?b=1", QueryFilter("a", "", set, els), "else"},
		{"url_all", "https://api.example.com:8443/v1/x?k=v", URLFilter("https", "API.example.com:8443", "/v1/x", "k=v", set, els), "then"},
		{"url_wildcard", "http://a.b.example.com/p", URLFilter("", "*.example.com", "", "", set, els), "then"},
		{"url_wildcard_apex", "http://example.com/p", URLFilter("", "*.example.com", "", "", set, els), "else"},
		{"url_scheme", "http://h/p", URLFilter("https", "", "", "", set, els), "else"},
		{"url_path_decoded", "http://h/a%20b", URLFilter("", "", "/a b", "", set, els), "then"},
		{"url_query", "http://h/p?x=1", URLFilter("", "", "", "x=2", set, els), "else"},
		{"nested", "http://h/p?a=1", QueryFilter("a", "1", HeaderFilter("X-Env", "dev", Group(set, AppendHeader("X-Hit", "2")), nil), nil), "then"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCall(t, tc.url, h)
			runReq(t, tc.m, c)
			if got := c.Header.Get("X-Hit"); got != tc.want {
				t.Errorf("X-Hit = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestURLModifiers(t *testing.T) {
	cases := []struct {
		name, url string
		m         *Modifier
		want      string
	}{
		{"query_set", "http://h/p?b=2&a=1&a=3", SetQuery("a", "x y"), "http://h/p?a=x+y&b=2"},
		{"query_add", "http://h/p", SetQuery("k", "v"), "http://h/p?k=v"},
		{"rewrite_path", "http://h/old%2Fseg?q=1", RewriteURL("", "/new/path", ""), "http://h/new/path?q=1"},
		{"rewrite_all", "http://h:81/p?q=1", RewriteURL("https", "/n", "a=1&b=2"), "https://h:81/n?a=1&b=2"},
		{"rewrite_decoded_path", "http://h/p", RewriteURL("", "/a b/100%", ""), "http://h/a%20b/100%25"},
		{"port_set", "http://h/p", Port(PortSet, 8080), "http://h:8080/p"},
		{"port_replace", "http://h:81/p", Port(PortSet, 9), "http://h:9/p"},
		{"port_default_http", "http://h:81/p", Port(PortDefault, 0), "http://h:80/p"},
		{"port_default_https", "https://h/p", Port(PortDefault, 0), "https://h:443/p"},
		{"port_remove", "http://h:81/p", Port(PortRemove, 0), "http://h/p"},
		{"port_remove_v6", "http://[::1]:81/p", Port(PortRemove, 0), "http://[::1]/p"},
		{"port_set_v6", "http://[::1]/p", Port(PortSet, 1), "http://[::1]:1/p"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCall(t, tc.url, nil)
			orig := c.URL
			before := orig.String()
			runReq(t, tc.m, c)
			if got := c.URL.String(); got != tc.want {
				t.Errorf("URL = %s, want %s", got, tc.want)
			}
			if orig.String() != before {
				t.Errorf("the original URL changed to %s", orig)
			}
		})
	}
}

func TestStashAndBody(t *testing.T) {
	c := newCall(t, "http://h:81/p?q=1", http.Header{"Content-Encoding": {"gzip"}, "Content-Type": {"text/plain"}})
	c.Body = []byte("old")
	runReq(t, Group(SetBody("application/json", []byte(`{"a":1}`)), Stash("X-Stash")), c)
	if string(c.Body) != `{"a":1}` || c.Header.Get("Content-Type") != "application/json" || c.Header["Content-Encoding"] != nil {
		t.Errorf("body %q, header %v", c.Body, c.Header)
	}
	if got := c.Header.Get("X-Stash"); got != "http://h:81/p?q=1" {
		t.Errorf("X-Stash = %q", got)
	}
	c = newCall(t, "http://h/p", http.Header{"Content-Type": {"text/plain"}})
	c.Body = []byte("old")
	runReq(t, SetBody("", nil), c)
	if c.Body != nil || c.Header["Content-Type"] != nil {
		t.Errorf("empty body: %q %v", c.Body, c.Header)
	}
}

func TestPriorityGroup(t *testing.T) {
	a, b, c, d := AppendHeader("X-O", "a"), AppendHeader("X-O", "b"), AppendHeader("X-O", "c"), AppendHeader("X-O", "d")
	m := PriorityGroup([]*Modifier{a, b, nil, c, d}, []int64{0, 10, 99, 10, -5})
	call := newCall(t, "http://h/p", nil)
	runReq(t, m, call)
	// 10 (c, added later, first), 10 (b), 0 (a), -5 (d).
	if got := call.Header["X-O"]; !slices.Equal(got, []string{"c", "b", "a", "d"}) {
		t.Errorf("order = %q", got)
	}
	if PriorityGroup([]*Modifier{nil}, []int64{1}) != nil || Group() != nil || NewStage(nil, nil) != nil {
		t.Error("empty groups or stages are not nil")
	}
}

func TestResponse(t *testing.T) {
	c := newCall(t, "http://h/p?a=1", http.Header{"X-Req": {"abc"}})
	s := NewStage(nil, Group(
		SetHeader("X-Set", "1"),
		AppendHeader("X-Multi", "2"),
		CopyHeader("X-Src", "X-Dst"),
		RemoveHeaders("X-Secret"),
		HeaderFilter("X-Flag", "on", SetHeader("X-Flagged", "yes"), SetHeader("X-Flagged", "no")),
		HeaderRegexFilter("X-Req", regexp.MustCompile("^a"), SetHeader("X-Req-Match", "1"), nil),
		QueryFilter("a", "1", SetHeader("X-Query", "1"), nil),
		URLFilter("http", "h", "/p", "", SetHeader("X-Url", "1"), nil),
		AddCookie(&http.Cookie{Name: "sid", Value: "x", Path: "/", HttpOnly: true, MaxAge: 60}),
		Stash("X-Stash"),
		SetBody("text/plain", []byte("replaced")),
	))
	if a, err := s.Before(context.Background(), c); a != nil || err != nil {
		t.Fatal(a, err)
	}
	in := http.Header{"X-Multi": {"1"}, "X-Src": {"s"}, "X-Secret": {"k"}, "X-Flag": {"on"}, "Content-Encoding": {"gzip"}, "Content-Type": {"application/json"}}
	body := []byte(`{"x":1}`)
	status, h, out, err := s.ModifyResponse(c, 201, in, body)
	if err != nil || status != 201 {
		t.Fatal(status, err)
	}
	want := http.Header{
		"X-Set": {"1"}, "X-Multi": {"1", "2"}, "X-Src": {"s"}, "X-Dst": {"s"}, "X-Flag": {"on"}, "X-Flagged": {"yes"},
		"X-Req-Match": {"1"}, "X-Query": {"1"}, "X-Url": {"1"}, "Set-Cookie": {"sid=x; Path=/; Max-Age=60; HttpOnly"},
		"X-Stash": {"http://h/p?a=1"}, "Content-Type": {"text/plain"},
	}
	if !equalHeader(h, want) {
		t.Errorf("header\n got %v\nwant %v", h, want)
	}
	if string(out) != "replaced" || string(body) != `{"x":1}` {
		t.Errorf("body %q (original %q)", out, body)
	}
	out[0] = 'X' // the caller may own the new body: the next response is unaffected
	_, _, out2, _ := s.ModifyResponse(c, 200, nil, nil)
	if string(out2) != "replaced" {
		t.Errorf("second body %q", out2)
	}
	// No response tree: the response passes unchanged.
	s2 := NewStage(SetHeader("X", "1"), nil)
	if st, h2, b2, err := s2.ModifyResponse(c, 500, in, body); st != 500 || &b2[0] != &body[0] || len(h2) != len(in) || err != nil {
		t.Error("a request-only stage changed the response")
	}
}

// Bad header state never panics: nil maps, nil URLs, nil branches.
func TestNilSafety(t *testing.T) {
	c := &stage.Call{}
	m := Group(SetHeader("X", "1"), RemoveHeaders("Y"), CopyHeader("A", "B"), HeaderFilter("A", "", nil, nil),
		QueryFilter("a", "", SetHeader("Q", "1"), nil), URLFilter("http", "", "", "", nil, SetHeader("U", "1")), Stash("S"),
		AddID(), AppendHeader("X", "2"))
	runReq(t, m, c)
	if c.Header.Get("U") != "1" || c.Header.Get("Q") != "" {
		t.Errorf("header %v", c.Header)
	}
	s := NewStage(nil, m)
	if _, h, _, _ := s.ModifyResponse(c, 200, nil, nil); h.Get("X") != "1" {
		t.Errorf("response header %v", h)
	}
}

func equalHeader(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// BenchmarkHeaderModifiers measures the request-side header modifiers on
// a call whose header map is shared (the copy-on-write clone included).
func BenchmarkHeaderModifiers(b *testing.B) {
	shared := http.Header{"Accept": {"application/json"}, "User-Agent": {"Tributary"}, "X-Forwarded-For": {"10.0.0.1"}, "X-Env": {"prod"}}
	u, _ := url.Parse("http://backend:8080/api/users/1")
	cases := []struct {
		name string
		m    *Modifier
	}{
		{"set", SetHeader("X-Api-Key", "secret")},
		{"append", AppendHeader("Accept", "text/plain")},
		{"copy", CopyHeader("X-Env", "X-Environment")},
		{"blacklist", RemoveHeaders("User-Agent", "X-Forwarded-For")},
		{"filter_set", HeaderFilter("X-Env", "prod", SetHeader("X-Prod", "1"), nil)},
		{"group3", Group(SetHeader("X-A", "1"), AppendHeader("X-B", "2"), RemoveHeaders("X-Env"))},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			s := NewStage(bc.m, nil)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				c := stage.Call{Method: "GET", URL: u, Header: shared}
				if _, err := s.Before(ctx, &c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("response_set", func(b *testing.B) {
		s := NewStage(nil, SetHeader("X-Served-By", "gw"))
		c := &stage.Call{URL: u, Header: shared}
		h := http.Header{"Content-Type": {"application/json"}}
		b.ReportAllocs()
		for b.Loop() {
			if _, _, _, err := s.ModifyResponse(c, 200, h, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
