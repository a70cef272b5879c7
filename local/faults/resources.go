package faults

import (
	"github.com/tributary-gw/tributary/local/measure"

	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// ProcSample is one reading of a process's resources. Unknown figures are
// negative.
type ProcSample struct {
	// At is when it was taken, relative to the sampler's start.
	At time.Duration
	// RSS is the resident set size in bytes.
	RSS int64
	// FDs is the number of open file descriptors.
	FDs int
	// Goroutines is the number of goroutines.
	Goroutines int
}

// unknownSample has every figure unknown.
var unknownSample = ProcSample{RSS: -1, FDs: -1, Goroutines: -1}

// ReadProc reads the RSS and open file descriptors of pid from /proc
// (Linux); the figures it cannot read are -1. Goroutines is left -1.
func ReadProc(pid int) ProcSample {
	s := unknownSample
	dir := "/proc/" + strconv.Itoa(pid)
	if data, err := os.ReadFile(dir + "/status"); err == nil {
		if v, err := measure.ParseStatusRSS(data); err == nil && v <= 1<<62 {
			s.RSS = int64(v)
		}
	}
	if f, err := os.Open(dir + "/fd"); err == nil {
		names, err := f.Readdirnames(-1)
		_ = f.Close()
		if err == nil {
			s.FDs = len(names)
		}
	}
	return s
}

// SelfSample reads this process: /proc/self figures and
// runtime.NumGoroutine. The open descriptor of the /proc/self/fd
// directory itself is not counted.
func SelfSample() ProcSample {
	s := ReadProc(os.Getpid())
	if s.FDs > 0 {
		s.FDs-- // the directory being listed
	}
	s.Goroutines = runtime.NumGoroutine()
	return s
}

// Resources holds the samples of a run: before the load, the peak of each
// figure during it, at its end and after the idle period.
type Resources struct {
	// Before is the baseline, Peak the highest of each figure during the
	// load, End the reading when it stopped, Idle the reading after the
	// idle period.
	Before, Peak, End, Idle ProcSample
	// Timeline holds the periodic samples taken during the load.
	Timeline []ProcSample
}

// Tolerance is how far above the baseline each figure may stay after the
// idle period. A negative value skips that figure.
type Tolerance struct {
	// Goroutines and FDs are counts; RSS is in bytes.
	Goroutines int
	FDs        int
	RSS        int64
}

// within reports whether s is back to the baseline b within t.
func (t Tolerance) within(b, s ProcSample) bool {
	ok := func(base, v, tol int64) bool { return tol < 0 || base < 0 || v < 0 || v <= base+tol }
	return ok(int64(b.Goroutines), int64(s.Goroutines), int64(t.Goroutines)) &&
		ok(int64(b.FDs), int64(s.FDs), int64(t.FDs)) &&
		ok(b.RSS, s.RSS, t.RSS)
}

// String states the tolerance.
func (t Tolerance) String() string {
	f := func(v int64, unit string) string {
		if v < 0 {
			return "not checked"
		}
		return "+" + strconv.FormatInt(v, 10) + unit
	}
	return fmt.Sprintf("goroutines %s, FDs %s, RSS %s", f(int64(t.Goroutines), ""), f(int64(t.FDs), ""), f(t.RSS>>20, " MiB"))
}

// Check returns a violation for each figure that did not return to the
// baseline within t.
func (r Resources) Check(t Tolerance) []Violation {
	var out []Violation
	check := func(name string, base, idle, peak, tol int64, unit func(int64) string) {
		if tol < 0 || base < 0 || idle < 0 || idle <= base+tol {
			return
		}
		out = append(out, Violation{Class: ClassResources, Detail: fmt.Sprintf(
			"%s: %s before, %s at peak, %s after idle; tolerance +%s", name, unit(base), unit(peak), unit(idle), unit(tol))})
	}
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	check("goroutines", int64(r.Before.Goroutines), int64(r.Idle.Goroutines), int64(r.Peak.Goroutines), int64(t.Goroutines), n)
	check("open file descriptors", int64(r.Before.FDs), int64(r.Idle.FDs), int64(r.Peak.FDs), int64(t.FDs), n)
	check("RSS", r.Before.RSS, r.Idle.RSS, r.Peak.RSS, t.RSS, mib)
	return out
}

// Write prints the samples as a table.
func (r Resources) Write(w io.Writer, indent string) {
	fmt.Fprintf(w, "%s%-12s %10s %6s %11s\n", indent, "", "RSS", "FDs", "goroutines")
	for _, row := range []struct {
		name string
		s    ProcSample
	}{{"before", r.Before}, {"peak", r.Peak}, {"end", r.End}, {"after idle", r.Idle}} {
		fmt.Fprintf(w, "%s%-12s %10s %6s %11s\n", indent, row.name, mib(row.s.RSS), num(row.s.FDs), num(row.s.Goroutines))
	}
}

// mib formats a byte count in MiB ("n/a" when unknown).
func mib(v int64) string {
	if v < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MiB", float64(v)/(1<<20))
}

// num formats a count ("n/a" when unknown).
func num(v int) string {
	if v < 0 {
		return "n/a"
	}
	return strconv.Itoa(v)
}

// Sampler samples a process periodically while a load runs and keeps the
// peak of each figure.
type Sampler struct {
	read  func() ProcSample
	start time.Time
	every time.Duration

	mu       sync.Mutex
	peak     ProcSample
	timeline []ProcSample
	stop     chan struct{}
	done     chan struct{}
}

// maxTimeline bounds the samples a Sampler keeps (the peak is kept
// regardless).
const maxTimeline = 1000

// StartSampler samples read every interval until Stop.
func StartSampler(read func() ProcSample, every time.Duration) *Sampler {
	s := &Sampler{read: read, start: time.Now(), every: every, peak: unknownSample,
		stop: make(chan struct{}), done: make(chan struct{})}
	go s.loop()
	return s
}

// loop samples until Stop.
func (s *Sampler) loop() {
	defer close(s.done)
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		s.Sample()
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}

// Sample takes one sample now, counts it toward the peak and returns it.
func (s *Sampler) Sample() ProcSample {
	v := s.read()
	v.At = time.Since(s.start)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.peak.RSS = max(s.peak.RSS, v.RSS)
	s.peak.FDs = max(s.peak.FDs, v.FDs)
	s.peak.Goroutines = max(s.peak.Goroutines, v.Goroutines)
	if len(s.timeline) < maxTimeline {
		s.timeline = append(s.timeline, v)
	}
	return v
}

// Stop ends the sampling and returns the peak and the timeline.
func (s *Sampler) Stop() (ProcSample, []ProcSample) {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak, s.timeline
}

// WaitBaseline samples read every interval until the figures are back to
// base within t, or limit passes (or ctx ends); it returns the last sample.
func WaitBaseline(ctx context.Context, read func() ProcSample, base ProcSample, t Tolerance, every, limit time.Duration) ProcSample {
	deadline := time.Now().Add(limit)
	for {
		s := read()
		if t.within(base, s) || !time.Now().Before(deadline) || ctx.Err() != nil {
			return s
		}
		select {
		case <-ctx.Done():
		case <-time.After(every):
		}
	}
}
