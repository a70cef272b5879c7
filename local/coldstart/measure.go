package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tributary-gw/tributary/local/rie"
)

// firstEvent is the payload of the measured invoke: the health endpoint
// through an HTTP API event, which needs no backend. The hello world
// ignores it.
const firstEvent = `{"version":"2.0","routeKey":"$default","rawPath":"/__health","rawQueryString":"",` +
	`"headers":{"host":"coldstart.test"},"requestContext":{"http":{"method":"GET","path":"/__health",` +
	`"sourceIp":"127.0.0.1"},"stage":"$default"},"isBase64Encoded":false}`

// variant is one function to measure.
type variant struct {
	name      string
	pkg       string
	bootstrap string
	env       []string
}

// sample is one cold start.
type sample struct {
	// firstResponse is emulator process start → first response received.
	firstResponse time.Duration
	// initReport is the emulator's INIT REPORT durationMs.
	initReport time.Duration
}

// measureAll runs every variant runs times, in turns (one of each, then
// the next round), so that drift on the machine spreads evenly.
func measureAll(rieBin string, variants []variant, runs int) ([][]sample, error) {
	out := make([][]sample, len(variants))
	for round := 0; round <= runs; round++ {
		for i, v := range variants {
			s, err := measureOnce(rieBin, v)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", v.name, err)
			}
			if round > 0 { // round 0 warms the page cache
				out[i] = append(out[i], s)
			}
		}
	}
	return out, nil
}

// measureOnce starts a fresh emulator, invokes it once and stops it.
func measureOnce(rieBin string, v variant) (sample, error) {
	logs := &logBuffer{}
	e, err := rie.Start(rie.Options{RIE: rieBin, Bootstrap: v.bootstrap, Env: v.env, Timeout: 10 * time.Second, Output: logs})
	if err != nil {
		return sample{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	status, body, err := e.Invoke(ctx, []byte(firstEvent))
	elapsed := time.Since(e.Started)
	_ = e.Close()
	switch {
	case err != nil:
		return sample{}, err
	case status != 200 || strings.Contains(string(body), `"errorType"`):
		return sample{}, fmt.Errorf("the invoke answered %d %s\n%s", status, body, logs.String())
	}
	init, ok := initReport(logs.String())
	if !ok {
		return sample{}, fmt.Errorf("no INIT REPORT in the emulator output:\n%s", logs.String())
	}
	return sample{firstResponse: elapsed, initReport: init}, nil
}

// maxInitMillis bounds a believable INIT REPORT: Lambda's init phase is
// 10 s, the emulator's function timeout at most 15 min.
const maxInitMillis = 15 * 60 * 1000

// initReport finds the emulator's "INIT REPORT(durationMs: 8.994000)" line
// and returns its duration. The first one is the cold init.
func initReport(log string) (time.Duration, bool) {
	const key = "INIT REPORT(durationMs: "
	i := strings.Index(log, key)
	if i < 0 {
		return 0, false
	}
	rest := log[i+len(key):]
	end := strings.IndexByte(rest, ')')
	if end < 0 {
		return 0, false
	}
	ms, err := strconv.ParseFloat(strings.TrimSpace(rest[:end]), 64)
	if err != nil || !(ms >= 0 && ms <= maxInitMillis) { // NaN fails both
		return 0, false
	}
	return time.Duration(ms * float64(time.Millisecond)), true
}

// stats are the median, min and max of some durations.
type stats struct{ median, min, max time.Duration }

func summarize(ds []time.Duration) stats {
	if len(ds) == 0 {
		return stats{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return stats{median: med, min: s[0], max: s[len(s)-1]}
}

// logBuffer collects the emulator's output from its two copiers.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
