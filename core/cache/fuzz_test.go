package cache

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// FuzzParseCacheControl: any field value parses without panicking, values
// stay within range, and parsing is independent of how the list is split
// into field lines.
func FuzzParseCacheControl(f *testing.F) {
	for _, s := range []string{"max-age=60", `public, s-maxage="10"`, `private="a,b", no-cache`, `max-age="`,
		"max-age=99999999999999999999", ",,,=,=", `x="\"", max-age=1`, "no-store\t, MAX-AGE = 5"} {
		f.Add(s, "max-age=1")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		d := ParseCacheControl([]string{a, b})
		if d.MaxAge < 0 || d.MaxAge > maxDelta || d.SMaxAge < 0 || d.SMaxAge > maxDelta {
			t.Fatalf("%q %q: out of range %+v", a, b, d)
		}
		if !d.HasMaxAge && d.MaxAge != 0 || !d.HasSMaxAge && d.SMaxAge != 0 {
			t.Fatalf("%q %q: value without directive %+v", a, b, d)
		}
		// One line a, b is the same list as two lines, when neither
		// element list leaves a quoted string open.
		if strings.Count(a, `"`) == 0 && strings.Count(b, `"`) == 0 {
			if j := ParseCacheControl([]string{a + "," + b}); j != d {
				t.Fatalf("%q %q: joined %+v, split %+v", a, b, j, d)
			}
		}
		h := http.Header{"Cache-Control": {a, b}, "Expires": {b}, "Age": {a}}
		if ttl, ok := Storable(h, true, time.Unix(0, 0)); ok && ttl <= 0 {
			t.Fatalf("storable with ttl %v", ttl)
		}
	})
}

// FuzzKey: the key of a call tells calls apart exactly when the method,
// the URL or the Vary-selected header values differ.
func FuzzKey(f *testing.F) {
	f.Add("GET", "http://h/a?b=c", "en", "es", "fr")
	f.Add("HEAD", "http://h/a%2Fb?", "", "x", "")
	f.Add("GET", "https://h:8/a b?q=%00", "a,b", "a", "b")
	f.Fuzz(func(t *testing.T, method, target, v1, v2, v3 string) {
		u, err := url.Parse(target)
		if err != nil {
			return
		}
		for _, v := range []string{v1, v2, v3} {
			if !httpsyntax.IsFieldValue(v) {
				return
			}
		}
		k := AppendKey(nil, method, u)
		if !bytes.HasPrefix(k, []byte(method+" ")) {
			t.Fatalf("key %q does not start with the method", k)
		}
		vary := []string{"Accept-Language", "X-B"}
		sets := [][]string{{v1}, {v2}, {v1, v2}, {v3}, nil}
		for i, a := range sets {
			for j, b := range sets {
				ha, hb := http.Header{}, http.Header{}
				if a != nil {
					ha["Accept-Language"] = a
				}
				if b != nil {
					hb["Accept-Language"] = b
				}
				ha["X-B"], hb["X-B"] = []string{v3}, []string{v3}
				ka := appendVariant(slices.Clone(k), vary, ha)
				kb := appendVariant(slices.Clone(k), vary, hb)
				same := (a == nil) == (b == nil) && slices.Equal(a, b)
				if bytes.Equal(ka, kb) != same {
					t.Fatalf("sets %d %d (%q, %q): keys equal %v, values equal %v", i, j, a, b, !same, same)
				}
			}
		}
	})
}
