package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/plan"
)

func TestGenerateConfig(t *testing.T) {
	for _, n := range []int{1, 100, 1000} {
		cfg, err := config.Load("generated.json", generateConfig(n), nil)
		if err != nil {
			t.Fatalf("%d endpoints: %v", n, err)
		}
		p, err := plan.Compile(cfg)
		if err != nil {
			t.Fatalf("%d endpoints: %v", n, err)
		}
		if len(p.Endpoints) != n || len(cfg.Warnings) != 0 {
			t.Errorf("%d endpoints: compiled %d, warnings %v", n, len(p.Endpoints), cfg.Warnings)
		}
		if _, err := plan.CompileEndpoint(cfg, "GET", endpointPath(0)); err != nil {
			t.Errorf("the endpoint variant's TRIBUTARY_ENDPOINT: %v", err)
		}
	}
}

func TestInitReport(t *testing.T) {
	tests := []struct {
		log  string
		want time.Duration
		ok   bool
	}{
		{"x\n25 Nov 2026 23:33:08,777 [INFO] (rapid) INIT REPORT(durationMs: 3.684000)\n", 3684 * time.Microsecond, true},
		{"INIT REPORT(durationMs: 8.994000)\nINIT REPORT(durationMs: 0.018000)\n", 8994 * time.Microsecond, true},
		{"INIT START(type: on-demand, phase: init)\n", 0, false},
		{"INIT REPORT(durationMs: x)", 0, false},
		{"INIT REPORT(durationMs: -1)", 0, false},
		{"INIT REPORT(durationMs: 1.0", 0, false},
	}
	for _, tt := range tests {
		got, ok := initReport(tt.log)
		if got != tt.want || ok != tt.ok {
			t.Errorf("initReport(%q) = %v, %v; want %v, %v", tt.log, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSummarize(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		var out []time.Duration
		for _, x := range v {
			out = append(out, time.Duration(x)*time.Millisecond)
		}
		return out
	}
	tests := []struct {
		in   []time.Duration
		want stats
	}{
		{nil, stats{}},
		{ms(5), stats{5 * time.Millisecond, 5 * time.Millisecond, 5 * time.Millisecond}},
		{ms(9, 1, 5), stats{5 * time.Millisecond, 1 * time.Millisecond, 9 * time.Millisecond}},
		{ms(4, 1, 2, 9), stats{3 * time.Millisecond, 1 * time.Millisecond, 9 * time.Millisecond}},
	}
	for _, tt := range tests {
		if got := summarize(tt.in); got != tt.want {
			t.Errorf("summarize(%v) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseOptions(t *testing.T) {
	tests := []struct {
		args []string
		want options
		err  string
	}{
		{nil, options{runs: 15, rie: "bin/aws-lambda-rie", endpoints: 100}, ""},
		{[]string{"-n", "3", "-rie", "/x/rie", "-endpoints", "7"}, options{runs: 3, rie: "/x/rie", endpoints: 7}, ""},
		{[]string{"-n", "0"}, options{}, "-n 0"},
		{[]string{"-endpoints", "20000"}, options{}, "-endpoints 20000"},
		{[]string{"extra"}, options{}, "unexpected arguments"},
	}
	for _, tt := range tests {
		got, err := parseOptions(tt.args, io.Discard)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("parseOptions(%q) = %+v, %v; want %+v", tt.args, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("parseOptions(%q) err = %v, want %q", tt.args, err, tt.err)
		}
	}
}

func TestWriteReport(t *testing.T) {
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	in := reportInput{
		goos: "linux", goarch: "amd64", runs: 3, endpoints: 100,
		variants: []variant{{name: "hello", pkg: pkgHello}, {name: "gateway", pkg: pkgGateway}, {name: "endpoint", pkg: pkgEndpoint}},
		results: [][]sample{
			{{ms(10), ms(2)}, {ms(12), ms(3)}, {ms(11), ms(2.5)}},
			{{ms(14), ms(5)}, {ms(13), ms(4)}, {ms(20), ms(6)}},
			{{ms(12), ms(3)}, {ms(12), ms(3)}, {ms(12), ms(3)}},
		},
		host:  map[string]binary{pkgHello: {size: 6_300_000}, pkgGateway: {size: 8_100_000}, pkgEndpoint: {size: 8_100_000}},
		arm64: map[string]binary{pkgHello: {size: 5_830_000}, pkgGateway: {size: 7_500_000}, pkgEndpoint: {size: 9_000_000}},
	}
	var b strings.Builder
	writeReport(&b, in)
	out := b.String()
	for _, want := range []string{
		"linux/amd64, 3 fresh starts per variant",
		"11.0 ms", "1.00×", // hello: median 11
		"14.0 ms", "1.27×", // gateway: median 14 → 14/11
		"1.09×", // endpoint: 12/11
		"functions/gateway      7.50 MB  7500000 bytes",
		"gateway first response 1.27× hello world (goal ≤ 1.3×): met",
		"functions/gateway arm64 7.50 MB (goal ≤ 8 MB): met",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

// FuzzInitReport: the emulator's output is parsed without panicking, and
// a duration is only ever reported with its line present and never
// negative.
func FuzzInitReport(f *testing.F) {
	f.Add("INIT REPORT(durationMs: 3.684000)")
	f.Add("INIT REPORT(durationMs: 1e308)")
	f.Add("INIT REPORT(durationMs: NaN)")
	f.Add("INIT REPORT(durationMs: ")
	f.Add("")
	f.Fuzz(func(t *testing.T, log string) {
		d, ok := initReport(log)
		if ok && (d < 0 || !strings.Contains(log, "INIT REPORT(durationMs: ")) {
			t.Errorf("initReport(%q) = %v, %v", log, d, ok)
		}
		if !ok && d != 0 {
			t.Errorf("initReport(%q) = %v without a report", log, d)
		}
	})
}
