package telemetry

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestTruncateJSON(t *testing.T) {
	const m = TruncationMark
	tests := []struct {
		name  string
		line  string
		limit int
		want  string
	}{
		{"cut in a value string", `{"a":"0123456789abcdef"}` + "\n", 32,
			`{"a":"012345678` + m + `"}` + "\n"},
		{"key is never cut", `{"a":1,"bcdefghijklmnopqrstuvwxyz":2}` + "\n", 40,
			`{"a":1,"` + m + `":true}` + "\n"},
		{"just opened object", `{"abcdefghijklmnopqrstuvwxyz":2}` + "\n", 30,
			`{"` + m + `":true}` + "\n"},
		{"array elements", `{"a":[1,2,3,4,5,6,7,8,9,10,11,12,13,14]}` + "\n", 34,
			`{"a":[1,2,3,4,"` + m + `"]}` + "\n"},
		{"empty array then more", `{"a":[],"b":"xxxxxxxxxxxxxxxxxxxxx"}` + "\n", 32,
			`{"a":[],"b":"xx` + m + `"}` + "\n"},
		{"nested", `{"g":{"h":{"i":"abcdefghijklmnopqrstuvwxyz"}}}` + "\n", 40,
			`{"g":{"h":{"i":"abcde` + m + `"}}}` + "\n"},
		{"escape kept whole", `{"a":"\u00e9\u00e9\u00e9\u00e9"}` + "\n", 37,
			`{"a":"\u00e9\u00e9` + m + `"}` + "\n"},
		{"utf-8 kept whole", `{"a":"ééééééééé"}` + "\n", 25,
			`{"a":"é` + m + `"}` + "\n"},
		{"too deep", string(bytes.Repeat([]byte("["), 200)) + string(bytes.Repeat([]byte("]"), 200)), 300,
			fallbackJSONLine},
		{"malformed", `}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}`, 30, fallbackJSONLine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(truncateJSON([]byte(tt.line), tt.limit))
			if got != tt.want {
				t.Errorf("truncateJSON(%q, %d)\n got %q\nwant %q", tt.line, tt.limit, got, tt.want)
			}
			if len(got) > tt.limit {
				t.Errorf("result is %d bytes, over the limit %d", len(got), tt.limit)
			}
			if !json.Valid([]byte(got)) {
				t.Errorf("result %q is not valid JSON", got)
			}
		})
	}
}

func TestTruncateText(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		limit int
		want  string
	}{
		{"ascii", "level=INFO msg=abcdefghijklmnopqrstuvwxyz\n", 30, "level=INFO msg=" + TruncationMark + "\n"},
		{"rune boundary", "msg=ééééééééééééééé\n", 28, "msg=éééé" + TruncationMark + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(truncateText([]byte(tt.line), tt.limit))
			if got != tt.want || len(got) > tt.limit {
				t.Errorf("truncateText(%q, %d) = %q, want %q", tt.line, tt.limit, got, tt.want)
			}
		})
	}
}

// FuzzTruncateJSON checks that any valid JSON text, cut to any limit the
// cutter supports, stays valid JSON within the limit, and that no input panics.
func FuzzTruncateJSON(f *testing.F) {
	seeds := []string{
		`{"time":"2026-01-02T03:04:05Z","level":"INFO","msg":"hello","k":[1,{"a":null}],"s":"\u00e9\n"}`,
		`{"a":{"b":{"c":[true,false,null,-1.5e3,"x\"y"]}},"d":{}}`,
		`["a",["b",["c"]],{}]`,
		`"just a string"`,
		`12345678901234567890123456789012345678901234567890`,
		`{ "spaced" : [ 1 , 2 ] , "z" : { } }`,
		`{"ü":"€😀","x":"\ud83d\ude00"}`,
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint16(i*7))
	}
	f.Fuzz(func(t *testing.T, line []byte, n uint16) {
		limit := len(fallbackJSONLine) + int(n)%(len(line)+8)
		out := truncateJSON(line, limit)
		if len(out) > limit {
			t.Fatalf("output %d bytes, limit %d", len(out), limit)
		}
		if len(out) == 0 || out[len(out)-1] != '\n' {
			t.Fatalf("output %q does not end in a newline", out)
		}
		if json.Valid(line) && !json.Valid(out) {
			t.Fatalf("valid input %q cut to invalid %q (limit %d)", line, out, limit)
		}
	})
}
