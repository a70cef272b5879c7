package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestMedianOf(t *testing.T) {
	ms := []measurement{
		{RPS: 300, P50Ms: 3, P99Ms: 9, ServerRSS: 30, ServerCPU: 3, Non200: 1},
		{RPS: 100, P50Ms: 1, P99Ms: 7, ServerRSS: 10, ServerCPU: 1},
		{RPS: 200, P50Ms: 2, P99Ms: 8, ServerRSS: 20, ServerCPU: 2, TransportErrors: 2},
	}
	got := medianOf("gateway", ms)
	if got.Target != "gateway" || got.RPS != 200 || got.P50Ms != 2 || got.P99Ms != 8 || got.ServerRSS != 20 || got.ServerCPU != 2 {
		t.Errorf("medians %+v", got)
	}
	if got.failures() != 3 {
		t.Errorf("errors %d, want the sum 3", got.failures())
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median of an even count = %v, want 2.5", m)
	}
	if m := median(nil); m != 0 {
		t.Errorf("median of nothing = %v", m)
	}
}

func TestPrintReport(t *testing.T) {
	yes, no := true, false
	r := &report{
		Machine: machine{CPUs: 2, CPUModel: "Example CPU", OS: "linux", Arch: "amd64", GoVersion: "go1.26", LoadAvg: "0.1 0.2 0.3"},
		Command: "go run ./local/loadtest -quick", Generator: "http", Conns: 64, GenProcs: 2,
		Warmup: "1s", Duration: "3s", Rounds: 1,
		Startup: &startupResult{Endpoints: 100, Runs: 5, MedianMs: 6.25, MinMs: 5, MaxMs: 9, GoalMs: 10, Pass: true},
		Scenarios: []scenarioResult{
			{Name: "proxy", Title: "proxy title", GoalRatio: 0.5, GoalRSS: 40 * mib, Peer: "peer 0.18",
				Direct:   measurement{RPS: 40000, BodyBytes: 320, P50Ms: 1.5, P99Ms: 4, ServerRSS: 10 * mib, ServerCPU: 10, GenCPU: 20},
				Gateway:  measurement{RPS: 12345.6, BodyBytes: 13457, P50Ms: 0.5, P99Ms: 12, ServerRSS: 20 * mib, ServerCPU: 40, BackendCPU: 10, GenCPU: 20},
				RatioRPS: 0.3086, RatioP50: 0.33, RatioP99: 3, RoundRatios: []float64{0.3086}, RatioPass: false, RSSPass: &yes},
			{Name: "big", Title: "big title", GoalRatio: 0.26, GoalRSS: 100 * mib, Peer: "peer 0.027",
				Direct:   measurement{RPS: 1000, P50Ms: 40, P99Ms: 1500},
				Gateway:  measurement{RPS: 500, P50Ms: 80, P99Ms: 2000, ServerRSS: 120 * mib, Non200: 3, Incomplete: 1},
				RatioRPS: 0.5, RoundRatios: []float64{0.5}, RatioPass: true, RSSPass: &no, Errors: 4},
		},
		Interrupted: "interrupt",
	}
	var buf bytes.Buffer
	printReport(&buf, r)
	out := buf.String()
	for _, want := range []string{
		"2 CPUs · Example CPU · linux/amd64 · go1.26 · load average 0.1 0.2 0.3",
		"command   go run ./local/loadtest -quick",
		"median 6.25 ms over 5 runs (min 5.00, max 9.00)   goal < 10 ms   PASS",
		"body per response: direct 320 B · gateway 13.5 KB",
		"12,346", "40,000", "500µs", "1.50ms", "1.50s", "20.0 MiB", "4.00×",
		"0.309 of direct (rounds: 0.309)", "goal ≥ 0.50", "peer 0.18",
		"gateway RSS peak 120.0 MiB", "goal < 100 MiB",
		"4 failed requests over all runs (transport 0, non-200 3, incomplete 1)", "FLAGGED",
		"summary   throughput goals met 1/2 · memory goals met 1/2 · start-up PASS · 1 scenario(s) FLAGGED for errors",
		"INCOMPLETE: the run stopped early: interrupt",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q\n%s", want, out)
		}
	}
	if n := strings.Count(out, "SHORT"); n != 2 {
		t.Errorf("%d SHORT verdicts, want 2 (proxy throughput, big memory)\n%s", n, out)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Errorf("the report does not encode as JSON: %v", err)
	}
}

func TestFormatters(t *testing.T) {
	tests := []struct{ got, want string }{
		{fmtRPS(0), "0"}, {fmtRPS(999.4), "999"}, {fmtRPS(1000), "1,000"}, {fmtRPS(1234567.8), "1,234,568"},
		{fmtMs(0), "-"}, {fmtMs(0.0123), "12µs"}, {fmtMs(12.345), "12.35ms"}, {fmtMs(2500), "2.50s"},
		{fmtRSS(0), "n/a"}, {fmtRSS(3 * mib / 2), "1.5 MiB"},
		{fmtBytes(0), "n/a"}, {fmtBytes(320), "320 B"}, {fmtBytes(13457), "13.5 KB"}, {fmtBytes(999_800), "999.8 KB"}, {fmtBytes(1_000_181), "1.00 MB"},
		{fmtCPU(0), "n/a"}, {fmtCPU(12.34), "12.3"},
		{fmtX(0), "-"}, {fmtX(2), "2.00×"},
	}
	for i, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("case %d: %q, want %q", i, tc.got, tc.want)
		}
	}
}
