package shape

import (
	"strings"
	"testing"
)

// BenchmarkAppendString measures the string escaper that AppendObject,
// DecodeString and core/exec's error bodies use, on text that needs no
// escape, on text with a few escapes, on non-ASCII text and on short keys.
func BenchmarkAppendString(b *testing.B) {
	cases := []struct{ name, s string }{
		{"key-8B", "user_ids"},
		{"ascii-1KB", strings.Repeat("The quick brown fox jumps over the lazy dog. ", 23)},
		{"escapes-1KB", strings.Repeat("line \"one\"\n\tpath C:\\tmp ", 43)},
		{"utf8-1KB", strings.Repeat("héllo wörld 世界 🎉 ", 43)},
		{"invalid-1KB", strings.Repeat("bad \xff byte ", 85)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			dst := AppendString(nil, c.s)
			b.ReportAllocs()
			b.SetBytes(int64(len(c.s)))
			for b.Loop() {
				dst = AppendString(dst[:0], c.s)
			}
		})
	}
}

// BenchmarkDecodeString measures output encoding string's decoder, which
// quotes a whole body held as bytes.
func BenchmarkDecodeString(b *testing.B) {
	body := []byte(strings.Repeat("plain text body, line after line\n", 2000))
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if o := DecodeString(body); len(o.Members) != 1 {
			b.Fatal("no content member")
		}
	}
}
