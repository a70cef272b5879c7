package route

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// fuzzRoutes is a conflict-free table exercising literals, placeholders,
// backtracking, trailing slashes and several methods.
var fuzzRoutes = []Route{
	{"GET", "/"},
	{"GET", "/x/search"},
	{"GET", "/x/{id}"},
	{"POST", "/x/{id}"},
	{"DELETE", "/x/search"},
	{"GET", "/users"},
	{"GET", "/users/"},
	{"GET", "/users/{id}"},
	{"GET", "/users/{id}/orders/{order}"},
	{"PUT", "/users/{id}/orders/{order}/"},
	{"GET", "/a/b/c"},
	{"GET", "/a/{x}/d"},
	{"POST", "/{p}/b/{q}"},
	{"GET", "/caf%C3%A9/{v}"},
	{"PATCH", "/{only}"},
}

// refMatch reports whether template segs matches the decoded path segments.
func refMatch(segs []segment, path []string) bool {
	if len(segs) != len(path) {
		return false
	}
	for i, s := range segs {
		if s.param && path[i] == "" || !s.param && s.lit != path[i] {
			return false
		}
	}
	return true
}

// decodedSegments splits a clean escaped path and decodes each segment.
func decodedSegments(t *testing.T, p string) []string {
	raw := strings.Split(p[1:], "/")
	out := make([]string, len(raw))
	for i, s := range raw {
		v, ok := unescape(s)
		if !ok {
			t.Fatalf("clean path %q has a bad segment %q", p, s)
		}
		out[i] = v
	}
	return out
}

func FuzzRouteMatch(f *testing.F) {
	for _, s := range []struct{ m, p, q string }{
		{"GET", "/x/search", ""}, {"GET", "/x/1", ""}, {"PUT", "/x/search", ""}, {"HEAD", "/users", ""},
		{"GET", "/users/", "a=1"}, {"GET", "/users/a%2Fb", ""}, {"GET", "/users/%2e%2e", ""},
		{"GET", "/a/b/d", ""}, {"GET", "/users/1/orders/2/", "x=\\y"}, {"PUT", "/users/1/orders/2", "q"},
		{"GET", "//evil.example/", ""}, {"GET", "/users/a%252Fb", ""}, {"GET", "/caf%c3%a9/%C0%AE", ""},
		{"GET", "/x/%00", ""}, {"GET", "/x/a%0d%0a", ""}, {"PATCH", "/a\\b", ""}, {"GET", "/z/b/%7Bother%7D", ""},
	} {
		f.Add(s.m, s.p, s.q, false)
		f.Add(s.m, s.p, s.q, true)
	}
	f.Fuzz(func(t *testing.T, method, rawPath, rawQuery string, relaxed bool) {
		opts := Options{DisablePathDecoding: relaxed}
		tbl := mustNew(t, fuzzRoutes, opts)
		r := tbl.Lookup(method, rawPath, rawQuery, nil)
		if again := tbl.Lookup(method, rawPath, rawQuery, make([]Param, 0, 4)); !sameResult(r, again) || r.Location != again.Location {
			t.Fatalf("not deterministic: %+v vs %+v", r, again)
		}
		if r.Kind == BadPath {
			if checkPath(rawPath) == "" || tbl.Allowed(rawPath) != "" {
				t.Fatalf("BadPath for a clean path %q", rawPath)
			}
			return
		}
		if msg := checkPath(rawPath); msg != "" {
			t.Fatalf("kind %v for an unclean path %q (%s)", r.Kind, rawPath, msg)
		}
		path := decodedSegments(t, rawPath)

		// Reference: every route matching the path, by brute force.
		var same []int
		var allow []string
		for id, rt := range fuzzRoutes {
			segs := tbl.routes[id].segs
			if !refMatch(segs, path) {
				continue
			}
			if rt.Method == method {
				same = append(same, id)
			}
			if !slices.Contains(allow, rt.Method) {
				allow = append(allow, rt.Method)
			}
		}
		slices.Sort(allow)

		// The trailing-slash twin of the path routes under method exactly
		// when a Redirect (or the BadParam of the twin's params) is answered.
		var twin []string
		switch {
		case rawPath == "/":
		case strings.HasSuffix(rawPath, "/"):
			twin = path[:len(path)-1]
		default:
			twin = append(slices.Clip(path), "")
		}
		var twinSame []int
		for id, rt := range fuzzRoutes {
			if twin != nil && rt.Method == method && refMatch(tbl.routes[id].segs, twin) {
				twinSame = append(twinSame, id)
			}
		}
		twinRouted := len(twinSame) != 0
		switch r.Kind {
		case Found, BadParam:
			if r.Kind == BadParam && len(same) == 0 {
				same = twinSame // the twin of a would-be redirect holds the bad param
			}
			if !slices.Contains(same, r.Route) {
				t.Fatalf("route %d does not match %s %q (matching: %v)", r.Route, method, rawPath, same)
			}
			for _, other := range same {
				if !subset(tbl.routes[r.Route].segs, tbl.routes[other].segs) {
					t.Fatalf("route %d chosen over more specific route %d for %q", r.Route, other, rawPath)
				}
			}
		default:
			if len(same) != 0 {
				t.Fatalf("kind %v but routes %v match %s %q", r.Kind, same, method, rawPath)
			}
		}
		switch r.Kind {
		case Found:
			checkFoundParams(t, tbl, r, path, relaxed)
		case BadParam:
			if r.Message == "" || !strings.Contains(r.Message, "path param") {
				t.Fatalf("BadParam without a clear message: %+v", r)
			}
		case MethodNotAllowed:
			if r.Allow != strings.Join(allow, ", ") || r.Allow == "" {
				t.Fatalf("allow = %q, want %q", r.Allow, strings.Join(allow, ", "))
			}
		case Redirect:
			checkRedirect(t, r, method, rawPath, rawQuery)
		case NotFound:
			if len(allow) != 0 {
				t.Fatalf("NotFound for %q routed by %v", rawPath, allow)
			}
		}
		if (r.Kind == Redirect) != twinRouted && !(twinRouted && r.Kind == BadParam && len(same) == 0) && len(same) == 0 {
			t.Fatalf("kind %v for %s %q, twin routed: %v", r.Kind, method, rawPath, twinRouted)
		}
		if r.Kind != Found && len(r.Params) != 0 {
			t.Fatalf("params on %v: %+v", r.Kind, r.Params)
		}

		// The HTTP front end hands over r.URL.EscapedPath(), the Lambda
		// front ends the path as received. Spelled differently (raw "é" or
		// "{" re-escaped by net/url), the same segments must route the
		// same way. net/url drops the raw spelling, and so an encoded slash,
		// when the raw path holds bytes it would escape: those are excluded
		// by comparing the segment count.
		if strings.ContainsAny(rawPath, "?#") {
			return
		}
		u, err := url.Parse(rawPath)
		if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" ||
			strings.Count(u.EscapedPath(), "/") != strings.Count(rawPath, "/") {
			return
		}
		if r2 := tbl.Lookup(method, u.EscapedPath(), rawQuery, nil); !sameResult(r, r2) {
			t.Fatalf("%q and its re-escaped form %q route differently: %+v vs %+v", rawPath, u.EscapedPath(), r, r2)
		}
	})
}

// sameResult compares everything but Location and Message, which may
// legitimately carry the path's own spelling.
func sameResult(a, b Result) bool {
	return a.Kind == b.Kind && a.Route == b.Route && slices.Equal(a.Params, b.Params) &&
		a.Allow == b.Allow && a.Status == b.Status
}

func checkFoundParams(t *testing.T, tbl *Table, r Result, path []string, relaxed bool) {
	t.Helper()
	segs := tbl.routes[r.Route].segs
	// Substituting the params back into the template gives the decoded path.
	var rebuilt []string
	k := 0
	for _, s := range segs {
		if !s.param {
			rebuilt = append(rebuilt, s.lit)
			continue
		}
		if k >= len(r.Params) || r.Params[k].Name != s.name {
			t.Fatalf("params %+v do not follow template order", r.Params)
		}
		rebuilt = append(rebuilt, r.Params[k].Value)
		k++
	}
	if k != len(r.Params) || !slices.Equal(rebuilt, path) {
		t.Fatalf("rebuilt %q from %+v, want %q", rebuilt, r.Params, path)
	}
	for _, p := range r.Params {
		if checkParam(p.Value, relaxed) != ruleOK {
			t.Fatalf("param %+v breaks §6.3", p)
		}
		if !relaxed && strings.ContainsAny(p.Value, "/?#%") {
			t.Fatalf("param %+v holds a character only allowed when opted in", p)
		}
		if p.Value == "" || strings.ContainsAny(p.Value, "\\\x00\r\n") {
			t.Fatalf("param %+v is empty or holds a dangerous byte", p)
		}
	}
}

func checkRedirect(t *testing.T, r Result, method, rawPath, rawQuery string) {
	t.Helper()
	loc := r.Location
	if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.Contains(loc, "\\") {
		t.Fatalf("unsafe Location %q", loc)
	}
	for i := 0; i < len(loc); i++ {
		if loc[i] <= ' ' || loc[i] >= 0x7f {
			t.Fatalf("Location %q holds byte %#x", loc, loc[i])
		}
	}
	wantStatus := 307
	if method == "GET" {
		wantStatus = 301
	}
	if r.Status != wantStatus {
		t.Fatalf("status %d for %s", r.Status, method)
	}
	p, q, hasQuery := strings.Cut(loc, "?")
	if hasQuery != (rawQuery != "") || strings.Contains(q, "#") {
		t.Fatalf("Location %q for query %q", loc, rawQuery)
	}
	if strings.TrimSuffix(p, "/") != strings.TrimSuffix(appendString(rawPath), "/") || p == appendString(rawPath) {
		t.Fatalf("Location path %q is not %q with its final slash toggled", p, rawPath)
	}
	u, err := url.Parse(loc)
	if err != nil || u.Scheme != "" || u.Host != "" {
		t.Fatalf("Location %q parses as %+v, %v", loc, u, err)
	}
}

func appendString(s string) string { return string(appendLocation(nil, s, false)) }
