package urltpl

import (
	"strings"
	"testing"
)

func BenchmarkBuild(b *testing.B) {
	cases := []struct{ name, pattern, value, fwd string }{
		{"1param_plain", "/v1/users/{id}/profile?src=gw", "12345", "lang=en"},
		{"1param_escaped", "/v1/users/{id}/profile?src=gw", "a b/c", "lang=en"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			tpl := mustCompile(b, c.pattern)
			lookup := func(string) (string, bool) { return c.value, true }
			if _, err := tpl.Build("http://users.internal", lookup, c.fwd); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tpl.Build("http://users.internal", lookup, c.fwd); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseQueryFilter(b *testing.B) {
	cases := []struct{ name, raw string }{
		{"small", "lang=en&page=2&sort=name&utm_source=x"},
		{"escaped", "q=caf%C3%A9+au+lait&lang=en&tags=a&tags=b&page=2"},
		{"64params", strings.Repeat("k=v&lang=en&", 32)},
	}
	allow := []string{"lang", "page", "q", "tags"}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				q, err := ParseQuery(c.raw)
				if err != nil {
					b.Fatal(err)
				}
				_ = q.Filter(allow)
			}
		})
	}
}

func TestBuildAllocs(t *testing.T) {
	tpl := mustCompile(t, "/v1/users/{id}/profile?src=gw")
	for value, want := range map[string]float64{"12345": 2, "a b": 2} {
		lookup := func(string) (string, bool) { return value, true }
		got := testing.AllocsPerRun(100, func() {
			if _, err := tpl.Build("http://users.internal", lookup, "lang=en"); err != nil {
				t.Fatal(err)
			}
		})
		if got > want {
			t.Errorf("Build(%q) allocates %v times, want ≤ %v (buffer + *url.URL)", value, got, want)
		}
	}
}
