package main

import (
	"strings"
	"testing"
	"time"
)

// wrkSample has the layout of `wrk --latency` output (written for this
// test, with round numbers).
const wrkSample = `Running 10s test @ http://127.0.0.1:8080/users/1
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.50ms    1.00ms  40.00ms   90.00%
    Req/Sec    12.50k     1.00k   15.00k    70.00%
  Latency Distribution
     50%    2.00ms
     75%    3.00ms
     90%    4.00ms
     99%  812.00us
  250000 requests in 10.00s, 100.00MB read
  Socket errors: connect 1, read 2, write 3, timeout 4
  Non-2xx or 3xx responses: 50
Requests/sec:  25000.00
Transfer/sec:     10.00MB
`

func TestParseWrk(t *testing.T) {
	res, err := parseWrk(wrkSample)
	if err != nil {
		t.Fatal(err)
	}
	want := loadResult{
		Requests: 249950, Non200: 50, TransportErrors: 10, Elapsed: 10 * time.Second,
		RPS: 24995, P50: 2 * time.Millisecond, P99: 812 * time.Microsecond,
	}
	if res != want {
		t.Errorf("got  %+v\nwant %+v", res, want)
	}
}

func TestParseWrkRejectsPartialOutput(t *testing.T) {
	tests := []struct {
		name, out string
	}{
		{"no latency distribution", strings.Replace(wrkSample, "     50%    2.00ms\n", "", 1)},
		{"no rate", strings.Replace(wrkSample, "Requests/sec:  25000.00\n", "", 1)},
		{"no count", strings.Replace(wrkSample, "  250000 requests in 10.00s, 100.00MB read\n", "", 1)},
		{"bad duration", strings.Replace(wrkSample, "2.00ms", "2.00parsecs", 1)},
		{"bad rate", strings.Replace(wrkSample, "25000.00", "lots", 1)},
		{"empty", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := parseWrk(tc.out); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestParseWrkDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"812.00us", 812 * time.Microsecond, true},
		{"1.50ms", 1500 * time.Microsecond, true},
		{"2.00s", 2 * time.Second, true},
		{"1.50m", 90 * time.Second, true},
		{"1.00h", time.Hour, true},
		{"10", 0, false},
		{"-1.00ms", 0, false},
		{"xms", 0, false},
	}
	for _, tc := range tests {
		got, err := parseWrkDuration(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseWrkDuration(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
