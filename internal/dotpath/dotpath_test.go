package dotpath

import (
	"slices"
	"strings"
	"testing"
)

func TestCheckAndSplit(t *testing.T) {
	for _, tc := range []struct {
		p    string
		err  error
		segs []string
	}{
		{"a", nil, []string{"a"}},
		{"a.b.c", nil, []string{"a", "b", "c"}},
		{"data.items", nil, []string{"data", "items"}},
		{"é.世界", nil, []string{"é", "世界"}},
		{"a b.c-d", nil, []string{"a b", "c-d"}},
		{"", ErrEmpty, nil},
		{".", ErrEmptySegment, nil},
		{".a", ErrEmptySegment, nil},
		{"a.", ErrEmptySegment, nil},
		{"a..b", ErrEmptySegment, nil},
		{"a.\xff", ErrNotUTF8, nil},
		{"\xff..", ErrNotUTF8, nil}, // UTF-8 is checked first
	} {
		if err := Check(tc.p); err != tc.err {
			t.Errorf("Check(%q) = %v, want %v", tc.p, err, tc.err)
		}
		segs, err := Split(tc.p)
		if err != tc.err || !slices.Equal(segs, tc.segs) {
			t.Errorf("Split(%q) = %q, %v; want %q, %v", tc.p, segs, err, tc.segs, tc.err)
		}
	}
}

// FuzzSplit: a path splits into non-empty keys that join back to it, and
// Check fails exactly when a key would be empty or the text is not UTF-8.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{"a", "a.b", ".a", "a..b", "a.", "", "é.\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		segs, err := Split(p)
		if err != nil {
			if segs != nil {
				t.Fatalf("Split(%q) = %q with %v", p, segs, err)
			}
			return
		}
		for _, s := range segs {
			if s == "" {
				t.Fatalf("Split(%q) = %q: an empty key", p, segs)
			}
		}
		if joined := strings.Join(segs, string(Sep)); joined != p {
			t.Fatalf("Split(%q) = %q joins back to %q", p, segs, joined)
		}
	})
}
