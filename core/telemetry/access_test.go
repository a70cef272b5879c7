package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/core/telemetry"
)

func TestValidRequestID(t *testing.T) {
	cases := []struct {
		id   string
		want bool
	}{
		{"a", true},
		{"0f8fad5b-d9cb-469f-a165-70867728950e", true},
		{"Root=1-5759e988-bd862e3fe1be46a994272793", true},
		{"svc:abc/123+xyz==", true},
		{"user@host.example_~", true},
		{strings.Repeat("x", 128), true},
		{"", false},
		{strings.Repeat("x", 129), false},
		{"abc\r\nX-Injected: 1", false},
		{"abc\ndef", false},
		{"abc\x00", false},
		{"abc\x7f", false},
		{"a b", false},
		{"a\tb", false},
		{`a"b`, false},
		{"a'b", false},
		{"a,b", false},
		{"a;b", false},
		{`a\b`, false},
		{"a<b>", false},
		{"a{b}", false},
		{"ünïcode", false},
		{"id-\u2028", false},
		{"\xff\xfe", false},
	}
	for _, c := range cases {
		if got := telemetry.ValidRequestID(c.id); got != c.want {
			t.Errorf("ValidRequestID(%q) = %v, want %v", c.id, got, c.want)
		}
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewRequestIDUniqueUnderConcurrency(t *testing.T) {
	const workers, each = 8, 2000
	ids := make([][]string, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				ids[w] = append(ids[w], telemetry.NewRequestID())
			}
		}()
	}
	wg.Wait()
	seen := make(map[string]bool, workers*each)
	for _, list := range ids {
		for _, id := range list {
			if seen[id] {
				t.Fatalf("duplicate id %q", id)
			}
			seen[id] = true
			if !uuidV4.MatchString(id) || !telemetry.ValidRequestID(id) {
				t.Fatalf("id %q is not a valid version 4 UUID", id)
			}
		}
	}
}

func TestRedactQuery(t *testing.T) {
	def := telemetry.DefaultRedactQuery
	const R = telemetry.Redacted
	cases := []struct {
		name, in string
		names    []string
		want     string
	}{
		{"empty", "", def, ""},
		{"nothing to hide", "a=1&b=2", def, "a=1&b=2"},
		{"token", "token=s3cr3t", def, "token=" + R},
		{"middle", "a=1&token=s3cr3t&b=2", def, "a=1&token=" + R + "&b=2"},
		{"case-insensitive", "Access_Token=x&API_KEY=y&Password=z", def, "Access_Token=" + R + "&API_KEY=" + R + "&Password=" + R},
		{"repeated", "code=1&code=2&code=3", def, "code=" + R + "&code=" + R + "&code=" + R},
		{"encoded name", "%74oken=abc&%4B%45%59=def", def, "%74oken=" + R + "&%4B%45%59=" + R},
		{"plus in name is a space", "my+key=1", []string{"my key"}, "my+key=" + R},
		{"bracket suffix", "token[]=a&api_key[0]=b&key%5Bx%5D=c", def, "token[]=" + R + "&api_key[0]=" + R + "&key%5Bx%5D=" + R},
		{"no value", "token&a=1", def, "token&a=1"},
		{"empty value", "token=&a=1", def, "token=&a=1"},
		{"value with equals", "signature=a=b==", def, "signature=" + R},
		{"semicolon separator", "a=1;token=x;b=2", def, "a=1;token=" + R + ";b=2"},
		{"malformed escape in value", "token=%zz%&a=%", def, "token=" + R + "&a=%"},
		{"malformed escape in name", "tok%zzen=1&%=2&%4=3", def, "tok%zzen=1&%=2&%4=3"},
		{"malformed escape kept, match after", "%zz=1&secret=2", def, "%zz=1&secret=" + R},
		{"empty segments", "&&token=x&&", def, "&&token=" + R + "&&"},
		{"not a prefix match", "tokens=1&mykey=2&keys=3", def, "tokens=1&mykey=2&keys=3"},
		{"value is a name", "a=token&b=code", def, "a=token&b=code"},
		{"configured list replaces", "token=1&session=2", []string{"session"}, "token=1&session=" + R},
		{"no names", "token=1", nil, "token=1"},
		{"unicode fold", "to\u212Aen=1", def, "to\u212Aen=" + R},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := telemetry.RedactQuery(c.in, c.names)
			if got != c.want {
				t.Fatalf("RedactQuery(%q) = %q, want %q", c.in, got, c.want)
			}
			if _, err := url.ParseQuery(strings.ReplaceAll(c.in, ";", "&")); err == nil {
				if _, err := url.ParseQuery(strings.ReplaceAll(got, ";", "&")); err != nil {
					t.Fatalf("redaction made %q unparseable: %q: %v", c.in, got, err)
				}
			}
		})
	}
}

func TestRedactQueryNoAllocWhenClean(t *testing.T) {
	q := "a=1&b=2&locale=es&page=3"
	if n := testing.AllocsPerRun(100, func() { _ = telemetry.RedactQuery(q, telemetry.DefaultRedactQuery) }); n != 0 {
		t.Fatalf("clean query: %v allocs, want 0", n)
	}
}

// checkRedacted fails when out, the redaction of in, changed anything but
// the values of redacted parameters or left one of those values visible.
func checkRedacted(t *testing.T, in, out string, names []string) {
	t.Helper()
	inSegs := splitSegs(in)
	outSegs := splitSegs(out)
	if len(inSegs) != len(outSegs) {
		t.Fatalf("segment count changed: %q -> %q", in, out)
	}
	for i := range inSegs {
		a, b := inSegs[i], outSegs[i]
		k, v, hasValue := strings.Cut(a, "=")
		match, known := isRedactedName(k, names)
		if a == b {
			if hasValue && v != "" && match {
				t.Fatalf("value of %q left visible: %q -> %q", k, in, out)
			}
			continue
		}
		// Over-redaction of a name net/url cannot decode is allowed.
		if b != k+"="+telemetry.Redacted || known && !match {
			t.Fatalf("segment %q became %q (in %q)", a, b, in)
		}
	}
	// An independent reading: every value url.ParseQuery gives for a
	// redacted name is the marker.
	if _, err := url.ParseQuery(strings.ReplaceAll(in, ";", "&")); err != nil {
		return
	}
	vals, err := url.ParseQuery(strings.ReplaceAll(out, ";", "&"))
	if err != nil {
		t.Fatalf("redaction made %q unparseable: %q: %v", in, out, err)
	}
	for k, vs := range vals {
		k, _, _ = strings.Cut(k, "[")
		for _, n := range names {
			if strings.EqualFold(k, n) {
				for _, v := range vs {
					if v != "" && v != telemetry.Redacted {
						t.Fatalf("value %q of %q visible in %q", v, k, out)
					}
				}
			}
		}
	}
}

func splitSegs(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '&' || s[i] == ';' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// isRedactedName decodes a raw name with net/url and compares it as
// RedactQuery documents; known is false when net/url cannot decode it.
func isRedactedName(raw string, names []string) (match, known bool) {
	d, err := url.QueryUnescape(raw)
	if err != nil {
		return false, false
	}
	d, _, _ = strings.Cut(d, "[")
	for _, n := range names {
		if strings.EqualFold(d, n) {
			return true, true
		}
	}
	return false, true
}

func FuzzRedactQuery(f *testing.F) {
	for _, s := range []string{"", "token=x", "a=1&TOKEN=2;code=3", "%74oken=v", "token", "token=", "tok%zzen=1",
		"key[]=1&key[a]=2", "a=%&b=%%&c=%4", "===&&;;", "api_key=a%26b&x=y", "+=1&secret=+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		out := telemetry.RedactQuery(q, telemetry.DefaultRedactQuery)
		checkRedacted(t, q, out, telemetry.DefaultRedactQuery)
	})
}

func TestAccessLogWrite(t *testing.T) {
	var buf bytes.Buffer
	al := telemetry.NewAccessLog(slog.New(slog.NewJSONHandler(&buf, nil)), nil)
	al.Write(context.Background(), &telemetry.Access{
		Method: "GET", Route: "/users/{id}", RawQuery: "page=2&token=s3cr3t", ClientIP: "192.0.2.7",
		RequestID: "req-1", Status: 200, Bytes: 123, Duration: 1500 * time.Microsecond, Complete: true, Backends: 2,
	})
	if strings.Contains(buf.String(), "s3cr3t") {
		t.Fatalf("secret logged: %s", buf.String())
	}
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("%v: %s", err, buf.String())
	}
	want := map[string]any{
		"level": "INFO", "msg": "request", "method": "GET", "route": "/users/{id}", "query": "page=2&token=" + telemetry.Redacted,
		"client_ip": "192.0.2.7", "request_id": "req-1", "status": 200.0, "bytes": 123.0, "duration_ms": 1.5,
		"complete": true, "backends": 2.0,
	}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %#v, want %#v", k, line[k], v)
		}
	}

	// No query: no "query" attribute; a configured list replaces the default.
	buf.Reset()
	al = telemetry.NewAccessLog(slog.New(slog.NewJSONHandler(&buf, nil)), []string{"session"})
	al.Write(context.Background(), &telemetry.Access{Method: "GET", Route: "/x", Status: 404})
	line = nil
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	if _, ok := line["query"]; ok || line["complete"] != false || line["backends"] != 0.0 {
		t.Errorf("line %v", line)
	}
	if got := al.Redact("session=a&token=b"); got != "session="+telemetry.Redacted+"&token=b" {
		t.Errorf("Redact = %q", got)
	}
}

func TestAccessLogDisabledDoesNothing(t *testing.T) {
	var buf bytes.Buffer
	al := telemetry.NewAccessLog(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn})), nil)
	a := &telemetry.Access{Method: "GET", Route: "/x", RawQuery: "token=1"}
	if n := testing.AllocsPerRun(100, func() { al.Write(context.Background(), a) }); n != 0 || buf.Len() != 0 {
		t.Fatalf("disabled access log: %v allocs, %d bytes written", n, buf.Len())
	}
	telemetry.NewAccessLog(nil, nil).Write(context.Background(), a) // nil logger: discard, no panic
}

func BenchmarkNewRequestID(b *testing.B) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = telemetry.NewRequestID()
		}
	})
}

func BenchmarkValidRequestID(b *testing.B) {
	id := telemetry.NewRequestID()
	b.ReportAllocs()
	for b.Loop() {
		_ = telemetry.ValidRequestID(id)
	}
}

func BenchmarkRedactQuery(b *testing.B) {
	for _, q := range []string{"page=2&locale=es&sort=name", "page=2&access_token=abcdef&sort=name"} {
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = telemetry.RedactQuery(q, telemetry.DefaultRedactQuery)
			}
		})
	}
}

func BenchmarkAccessLogWrite(b *testing.B) {
	al := telemetry.NewAccessLog(slog.New(slog.NewJSONHandler(discard{}, nil)), nil)
	a := &telemetry.Access{Method: "GET", Route: "/users/{id}", RawQuery: "page=2", ClientIP: "192.0.2.7",
		RequestID: "0f8fad5b-d9cb-469f-a165-70867728950e", Status: 200, Bytes: 123, Duration: time.Millisecond, Complete: true, Backends: 1}
	b.ReportAllocs()
	for b.Loop() {
		al.Write(context.Background(), a)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func ExampleRedactQuery() {
	q := "page=2&access_token=eyJhbGciOi&%74oken=x&Code=123"
	fmt.Println(telemetry.RedactQuery(q, telemetry.DefaultRedactQuery))
	// Output: page=2&access_token=[redacted]&%74oken=[redacted]&Code=[redacted]
}
