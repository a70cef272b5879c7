package urltpl

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestParseQueryErrors(t *testing.T) {
	tests := []struct{ name, raw, msg string }{
		{"semicolon", "a=1;b=2", `unescaped ";"`},
		{"semicolon alone", ";", `unescaped ";"`},
		{"bad escape", "a=%zz", `malformed escape "%zz"`},
		{"truncated escape", "a=%4", `malformed escape "%4"`},
		{"lone percent", "a=%", `malformed escape "%"`},
		{"bad escape in key", "%g1=x", `malformed escape "%g1"`},
		{"control character", "a=\x00", "control character 0x0"},
		{"newline", "a=1\r\nb", "control character 0xd"},
		{"too many params", strings.Repeat("a=1&", MaxQueryParams) + "a=1", "more than 256 parameters"},
		{"too long", "a=" + strings.Repeat("x", MaxQueryBytes-1), "longer than 8192 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseQuery(tc.raw)
			if err == nil || !errors.Is(err, ErrInvalidQuery) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want ErrInvalidQuery containing %q", err, tc.msg)
			}
			if !strings.HasPrefix(err.Error(), "invalid query: ") {
				t.Errorf("message %q", err)
			}
		})
	}
}

func TestParseQueryLimitsInclusive(t *testing.T) {
	for _, raw := range []string{
		strings.Repeat("a=1&", MaxQueryParams-1) + "a=1",
		strings.Repeat("&", 300) + "a=1",
		"a=" + strings.Repeat("x", MaxQueryBytes-2),
	} {
		if _, err := ParseQuery(raw); err != nil {
			t.Errorf("ParseQuery(%.20q...): %v", raw, err)
		}
	}
}

func TestFilter(t *testing.T) {
	const raw = "b=2&a=1&B=3&b=1&c=x+y&d=%2Fz%3B&e&=empty&a=0&%C3%A9=%E2%82%AC&f=a%2Bb"
	q, err := ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	if q.Len() != 11 {
		t.Errorf("Len = %d", q.Len())
	}
	tests := []struct {
		name  string
		allow []string
		want  string
	}{
		{"nil allows nothing", nil, ""},
		{"empty allows nothing", []string{}, ""},
		{"empty string allows nothing", []string{""}, ""},
		{"star allows all, sorted, values in client order", []string{"*"},
			"=empty&B=3&a=1&a=0&b=2&b=1&c=x+y&d=%2Fz%3B&e=&f=a%2Bb&%C3%A9=%E2%82%AC"},
		{"exact keys", []string{"b", "a"}, "a=1&a=0&b=2&b=1"},
		{"case-sensitive", []string{"B"}, "B=3"},
		{"unknown key", []string{"zzz"}, ""},
		{"key without value", []string{"e"}, "e="},
		{"escaped values re-encoded", []string{"c", "d", "f"}, "c=x+y&d=%2Fz%3B&f=a%2Bb"},
		{"UTF-8 key", []string{"é"}, "%C3%A9=%E2%82%AC"},
		{"star among others", []string{"a", "*"}, "=empty&B=3&a=1&a=0&b=2&b=1&c=x+y&d=%2Fz%3B&e=&f=a%2Bb&%C3%A9=%E2%82%AC"},
		{"empty string next to a key", []string{"", "a"}, "a=1&a=0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := q.Filter(tc.allow)
			if got != tc.want {
				t.Fatalf("Filter(%q) = %q, want %q", tc.allow, got, tc.want)
			}
			if got == "" {
				return
			}
			// The output is a well-formed query Go parses back to the same values.
			if _, err := url.ParseQuery(got); err != nil {
				t.Fatalf("output %q does not parse: %v", got, err)
			}
			again, err := ParseQuery(got)
			if err != nil || again.Filter([]string{"*"}) != got {
				t.Errorf("re-parsing %q is not stable: %v", got, err)
			}
		})
	}
}

func TestEmptyQuery(t *testing.T) {
	for _, raw := range []string{"", "&", "&&&"} {
		q, err := ParseQuery(raw)
		if err != nil || q.Len() != 0 || q.Filter([]string{"*"}) != "" {
			t.Errorf("ParseQuery(%q) = %v, %v", raw, q, err)
		}
	}
	var zero Query
	if zero.Filter([]string{"*"}) != "" || zero.Len() != 0 {
		t.Error("zero Query is not empty")
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"a=1&b=2", "b=2&a=1&b=1", "q=caf%C3%A9+au+lait", "a=1;b=2", "%zz", "=v&e", "&&", "a=%2B+%20"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := ParseQuery(raw)
		if err != nil {
			if !errors.Is(err, ErrInvalidQuery) || len(err.Error()) > 120 {
				t.Fatalf("error %q", err)
			}
			return
		}
		ref, err := url.ParseQuery(raw)
		if err != nil {
			t.Fatalf("accepted %q that net/url refuses: %v", raw, err)
		}
		all := q.Filter([]string{"*"})
		back, err := url.ParseQuery(all)
		if err != nil || len(back) != len(ref) {
			t.Fatalf("Filter(*) = %q parses to %v (%v), want %v", all, back, err, ref)
		}
		for k, vs := range ref {
			if strings.Join(back[k], "\x00") != strings.Join(vs, "\x00") {
				t.Fatalf("key %q: values %q, want %q (client order)", k, back[k], vs)
			}
		}
		if len(all) > MaxQueryBytes {
			return // raw non-ASCII bytes grow 3× when re-encoded
		}
		again, err := ParseQuery(all)
		if err != nil || again.Filter([]string{"*"}) != all {
			t.Fatalf("Filter(*) output %q is not stable: %v", all, err)
		}
	})
}
