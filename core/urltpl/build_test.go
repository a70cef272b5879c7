package urltpl

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// values returns a lookup over a fixed map.
func values(m map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

func mustCompile(t testing.TB, pattern string) *Template {
	t.Helper()
	tpl, err := Compile(pattern)
	if err != nil {
		t.Fatalf("Compile(%q): %v", pattern, err)
	}
	return tpl
}

func TestBuildSpecExample(t *testing.T) {
	tpl := mustCompile(t, "/v1/users/{id}/profile?src=gw")
	u, err := tpl.Build("http://users.internal", values(map[string]string{"id": "a b"}), "lang=en")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := u.String(), "http://users.internal/v1/users/a%20b/profile?src=gw&lang=en"; got != want {
		t.Errorf("URL = %s, want %s", got, want)
	}
	if u.Scheme != "http" || u.Host != "users.internal" || u.Path != "/v1/users/a b/profile" ||
		u.RawPath != "/v1/users/a%20b/profile" || u.RawQuery != "src=gw&lang=en" {
		t.Errorf("parts = %#v", u)
	}
}

func TestBuildHostileValues(t *testing.T) {
	tpl := mustCompile(t, "/v1/users/{id}/profile?src=gw&u={id}")
	tests := []struct {
		value, path, query string
	}{
		{"{other}", "%7Bother%7D", "%7Bother%7D"},
		{"{{.Secret}}", "%7B%7B.Secret%7D%7D", "%7B%7B.Secret%7D%7D"},
		{"..;", "..%3B", "..%3B"},
		{"/", "%2F", "%2F"},
		{"%", "%25", "%25"},
		{"?#", "%3F%23", "%3F%23"},
		{"a b", "a%20b", "a+b"},
		{"a+b", "a%2Bb", "a%2Bb"},
		{"a,b,c", "a%2Cb%2Cc", "a%2Cb%2Cc"},
		{"../admin", "..%2Fadmin", "..%2Fadmin"},
		{"...", "...", "..."},
		{`\..\`, "%5C..%5C", "%5C..%5C"},
		{"\r\nX-Evil: 1", "%0D%0AX-Evil%3A%201", "%0D%0AX-Evil%3A+1"},
		{"\x00", "%00", "%00"},
		{"été", "%C3%A9t%C3%A9", "%C3%A9t%C3%A9"},
		{"\xff", "%FF", "%FF"},
		{"@evil.example:80", "%40evil.example%3A80", "%40evil.example%3A80"},
		{"~user_-.", "~user_-.", "~user_-."},
		{"&x=1", "%26x%3D1", "%26x%3D1"},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			u, err := tpl.Build("https://api.internal:8443/", values(map[string]string{"id": tc.value}), "")
			if err != nil {
				t.Fatal(err)
			}
			want := "https://api.internal:8443/v1/users/" + tc.path + "/profile?src=gw&u=" + tc.query
			if got := u.String(); got != want {
				t.Fatalf("URL = %s\n want %s", got, want)
			}
			if u.Host != "api.internal:8443" {
				t.Errorf("host = %q", u.Host)
			}
			segs := strings.Split(u.EscapedPath(), "/")
			if len(segs) != 5 {
				t.Fatalf("segments = %q", segs)
			}
			if dec, err := url.PathUnescape(segs[3]); err != nil || dec != tc.value {
				t.Errorf("segment %q decodes to %q, %v", segs[3], dec, err)
			}
			if u.Path != "/v1/users/"+tc.value+"/profile" {
				t.Errorf("Path = %q", u.Path)
			}
			q, err := url.ParseQuery(u.RawQuery)
			if err != nil || q.Get("u") != tc.value || q.Get("src") != "gw" || len(q) != 2 {
				t.Errorf("query %q parses to %v, %v", u.RawQuery, q, err)
			}
			back, err := url.Parse(u.String())
			if err != nil || back.String() != u.String() || back.Path != u.Path || back.RawQuery != u.RawQuery {
				t.Errorf("round trip: %v, %v", back, err)
			}
		})
	}
}

func TestBuild(t *testing.T) {
	vals := map[string]string{"id": "42", "ext": "json", "list": "a,b", "empty": "", "dot": ".", "dots": "..", "sp": "x y"}
	tests := []struct {
		pattern, host, fwd string
		want               string
	}{
		{"/users/{id}.{ext}", "http://h", "", "http://h/users/42.json"},
		{"/users/{id}/", "http://h/", "", "http://h/users/42/"},
		{"/", "http://h", "a=1", "http://h/?a=1"},
		{"/a", "http://h", "", "http://h/a"},
		{"/a?", "http://h", "", "http://h/a"},
		{"/a?", "http://h", "b=2", "http://h/a?b=2"},
		{"/a?x=1&x=2", "http://h", "x=3", "http://h/a?x=1&x=2&x=3"},
		{"/a?flag&u={id}", "http://h", "", "http://h/a?flag&u=42"},
		{"/a?u=pre-{sp}-post", "http://h", "", "http://h/a?u=pre-x+y-post"},
		{"/list/{list}", "http://h", "", "http://h/list/a%2Cb"},
		{"/f/{empty}.json", "http://h", "", "http://h/f/.json"},
		{"/f/{dot}json", "http://h", "", "http://h/f/.json"},
		{"/q?e={empty}", "http://h", "", "http://h/q?e="},
		{"/lit%20eral/{sp}", "http://h", "", "http://h/lit%20eral/x%20y"},
		{"/a;v=1/{id}", "http://h", "", "http://h/a;v=1/42"},
		{"/{id}{id}", "http://[::1]:8080", "", "http://[::1]:8080/4242"},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			u, err := mustCompile(t, tc.pattern).Build(tc.host, values(vals), tc.fwd)
			if err != nil {
				t.Fatal(err)
			}
			if got := u.String(); got != tc.want {
				t.Errorf("URL = %s, want %s", got, tc.want)
			}
			if back, err := url.Parse(u.String()); err != nil || back.String() != u.String() {
				t.Errorf("round trip: %v, %v", back, err)
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	vals := map[string]string{"id": "42", "empty": "", "dot": ".", "dots": ".."}
	tests := []struct {
		pattern, host, fwd string
		is                 error
		msg                string
	}{
		{"/u/{missing}", "http://h", "", ErrValue, "placeholder {missing} has no value"},
		{"/u?q={missing}", "http://h", "", ErrValue, "placeholder {missing} has no value"},
		{"/u/{empty}/x", "http://h", "", ErrValue, "empty path segment"},
		{"/u/{empty}", "http://h", "", ErrValue, "empty path segment"},
		{"/{empty}", "http://h", "", ErrValue, "empty path segment"},
		{"/u/{dot}", "http://h", "", ErrValue, `"." path segment`},
		{"/u/{dots}/x", "http://h", "", ErrValue, `".." path segment`},
		{"/u/{dot}{dot}", "http://h", "", ErrValue, `".." path segment`},
		{"/u/{id}", "h", "", ErrHost, "want scheme://host[:port]"},
		{"/u/{id}", "http://", "", ErrHost, "want scheme://host[:port]"},
		{"/u/{id}", "://h", "", ErrHost, "want scheme://host[:port]"},
		{"/u/{id}", "http://h/path", "", ErrHost, "want scheme://host[:port]"},
		{"/u/{id}", "http://user@h", "", ErrHost, "want scheme://host[:port]"},
		{"/u/{id}", "http://h?x", "", ErrHost, "want scheme://host[:port]"},
		{"/u/{id}", "1http://h", "", ErrHost, "bad scheme"},
		{"/u/{id}", "ht tp://h", "", ErrHost, "bad scheme"},
		{"/u/{id}", "http://h", "a=1#frag", ErrInvariant, "forwarded query"},
		{"/u/{id}", "http://h", "a= 1", ErrInvariant, "forwarded query"},
	}
	for _, tc := range tests {
		t.Run(tc.pattern+" "+tc.host, func(t *testing.T) {
			u, err := mustCompile(t, tc.pattern).Build(tc.host, values(vals), tc.fwd)
			if err == nil || !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Build = %v, %v; want %v containing %q", u, err, tc.is, tc.msg)
			}
		})
	}
}

func TestBuildManyPlaceholders(t *testing.T) {
	pattern := "/" + strings.Repeat("{p}/", maxStackValues+2) + "end?q={p}"
	u, err := mustCompile(t, pattern).Build("http://h", values(map[string]string{"p": "a/b"}), "")
	if err != nil {
		t.Fatal(err)
	}
	want := "http://h/" + strings.Repeat("a%2Fb/", maxStackValues+2) + "end?q=a%2Fb"
	if u.String() != want {
		t.Errorf("URL = %s, want %s", u, want)
	}
}

func TestBuildCallsLookupOncePerOccurrence(t *testing.T) {
	calls := map[string]int{}
	lookup := func(name string) (string, bool) {
		calls[name]++
		return "{" + name + "}", true
	}
	u, err := mustCompile(t, "/a/{x}/{y}?x={x}").Build("http://h", lookup, "")
	if err != nil {
		t.Fatal(err)
	}
	if calls["x"] != 2 || calls["y"] != 1 || len(calls) != 2 {
		t.Errorf("lookup calls = %v", calls)
	}
	if want := "http://h/a/%7Bx%7D/%7By%7D?x=%7Bx%7D"; u.String() != want {
		t.Errorf("URL = %s, want %s", u, want)
	}
}

func TestZeroTemplate(t *testing.T) {
	for _, tpl := range []*Template{nil, {}} {
		if _, err := tpl.Build("http://h", values(nil), ""); !errors.Is(err, ErrPattern) {
			t.Errorf("Build on %#v: %v, want ErrPattern", tpl, err)
		}
		if tpl.Names() != nil || tpl.String() != "" {
			t.Errorf("zero template has names or a pattern")
		}
	}
}
