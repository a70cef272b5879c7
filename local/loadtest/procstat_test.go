package main

import (
	"github.com/tributary-gw/tributary/local/measure"

	"os"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"plain", "1234 (tributary) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 8 0 100 0 0\n", 3 * time.Second, false},
		{"command with spaces and parens", "99 (a b) (c)) R 1 99 99 0 -1 0 0 0 0 0 7 3 0 0\n", 100 * time.Millisecond, false},
		{"no command", "1234 tributary S 1", 0, true},
		{"too short", "1 (x) S 1 2 3", 0, true},
		{"not numbers", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 a b 0 0\n", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStatCPU([]byte(tc.in))
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("got %v, %v; want %v, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

// TestProcReadersOnSelf reads this process's own /proc entries, which the
// harness depends on for every CPU and RSS figure.
func TestProcReadersOnSelf(t *testing.T) {
	pid := os.Getpid()
	cpu, err := procCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	if cpu < 0 {
		t.Errorf("cpu %v", cpu)
	}
	rss, err := measure.ProcRSS(pid)
	if err != nil {
		t.Fatal(err)
	}
	if rss < 1<<20 {
		t.Errorf("rss %d B: implausibly small for a Go test binary", rss)
	}
	w := watchRSS([]int{pid, 0, -1}, time.Millisecond)
	time.Sleep(5 * time.Millisecond)
	peaks := w.finish()
	if len(peaks) != 3 || peaks[0] == 0 || peaks[1] != 0 || peaks[2] != 0 {
		t.Errorf("peaks %v: want this process sampled and pids ≤ 0 skipped", peaks)
	}
	if _, err := procCPU(-5); err == nil {
		t.Error("no error for a pid that cannot exist")
	}
}

func TestMachineParsers(t *testing.T) {
	info := "processor\t: 0\nvendor_id\t: X\nmodel name\t: Example CPU @ 2.0GHz\n\nprocessor\t: 1\nmodel name\t: Other\n"
	if got := cpuModel([]byte(info)); got != "Example CPU @ 2.0GHz" {
		t.Errorf("cpuModel = %q", got)
	}
	if got := cpuModel([]byte("processor: 0\n")); got != "unknown" {
		t.Errorf("cpuModel without a model = %q", got)
	}
	if got := loadAvg([]byte("0.52 1.03 2.10 1/123 4567\n")); got != "0.52 1.03 2.10" {
		t.Errorf("loadAvg = %q", got)
	}
	if got := loadAvg([]byte("")); got != "unknown" {
		t.Errorf("loadAvg of nothing = %q", got)
	}
}
