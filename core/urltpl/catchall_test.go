package urltpl

import (
	"errors"
	"testing"
)

func TestBuildCatchAll(t *testing.T) {
	tpl := mustCompile(t, "/v1/{id}/{rest}/x?p={rest}").WithCatchAll("rest")
	cases := []struct {
		id, rest string
		want     string // "" = ErrValue/ErrInvariant expected
		path     string
	}{
		{"i", "a", "http://h/v1/i/a/x?p=a", "/v1/i/a/x"},
		{"i", "a/b c/é", "http://h/v1/i/a/b%20c/%C3%A9/x?p=a%2Fb+c%2F%C3%A9", "/v1/i/a/b c/é/x"},
		{"a/b", "c", "http://h/v1/a%2Fb/c/x?p=c", "/v1/a/b/c/x"},
		{"i", "a/../b", "", ""},
		{"i", "a//b", "", ""},
		{"i", "a/", "", ""},
		{"i", "a/%2F?#", "http://h/v1/i/a/%252F%3F%23/x?p=a%2F%252F%3F%23", "/v1/i/a/%2F?#/x"},
	}
	for _, c := range cases {
		u, err := tpl.Build("http://h", values(map[string]string{"id": c.id, "rest": c.rest}), "")
		if c.want == "" {
			if err == nil || !errors.Is(err, ErrValue) && !errors.Is(err, ErrInvariant) {
				t.Errorf("rest %q: %v, %v; want an error", c.rest, u, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("rest %q: %v", c.rest, err)
			continue
		}
		if u.String() != c.want || u.Path != c.path {
			t.Errorf("rest %q: %s (path %q), want %s (path %q)", c.rest, u, u.Path, c.want, c.path)
		}
	}
	// Without WithCatchAll a "/" stays escaped inside one segment.
	u, err := mustCompile(t, "/v1/{rest}").Build("http://h", values(map[string]string{"rest": "a/b"}), "")
	if err != nil || u.String() != "http://h/v1/a%2Fb" {
		t.Errorf("plain: %v %v", u, err)
	}
	if got := mustCompile(t, "/v1?q={rest}").WithCatchAll("rest"); got.multi != "" {
		t.Errorf("a query-only placeholder must not become a catch-all")
	}
}
