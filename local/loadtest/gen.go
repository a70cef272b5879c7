package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// loadSpec describes one closed-loop run against one URL.
type loadSpec struct {
	// URL is the full request URL, http://127.0.0.1:PORT/path.
	URL string
	// Headers are added to every request, after User-Agent; a name the
	// generator sets itself (Host, User-Agent) replaces its value.
	Headers []header
	// Conns is the number of connections, each driven by its own worker
	// that sends the next request as soon as the previous answer is read.
	Conns int
	// Warmup runs before the measured window; nothing in it is recorded.
	Warmup time.Duration
	// Duration is the measured window.
	Duration time.Duration
}

// window is called by a generator when the measured window opens and
// closes, so resource sampling covers exactly the measured requests.
type window struct {
	Begin func()
	End   func()
}

// loadResult is what one run measured. Only complete 200 answers count as
// requests; everything else is counted as an error of its kind.
type loadResult struct {
	// Requests is the number of complete 200 responses in the window.
	Requests uint64
	// TransportErrors counts failed dials, writes and reads.
	TransportErrors uint64
	// Non200 counts responses with another status.
	Non200 uint64
	// Incomplete counts 200 responses flagged X-Tributary-Completed: false.
	Incomplete uint64
	// Bytes is the body bytes read for the counted requests.
	Bytes uint64
	// Elapsed is the measured window's real length.
	Elapsed time.Duration
	// RPS is Requests / Elapsed.
	RPS float64
	// P50, P99 and Max are latency percentiles of the counted requests;
	// Mean is their mean.
	P50, P99, Max, Mean time.Duration
}

// generator runs load. Implementations: the built-in net/http generator
// ("http"), the lean raw HTTP/1.1 generator ("raw") and wrk ("wrk").
type generator interface {
	run(ctx context.Context, spec loadSpec, w window) (loadResult, error)
}

// workerStats is one worker's tally; merged once the worker has stopped.
type workerStats struct {
	h                                    hist
	ok, transport, non200, incomplete, n uint64
}

// record tallies one finished exchange.
func (s *workerStats) record(d time.Duration, status int, incomplete bool, bytes int64) {
	switch {
	case status != http.StatusOK:
		s.non200++
	case incomplete:
		s.incomplete++
	default:
		s.ok++
		s.n += uint64(max(bytes, 0))
		s.h.record(d)
	}
}

// closedLoop runs spec.Conns workers for warm-up plus duration, opening
// the measured window in between. worker must loop until ctx is done,
// tallying into stats only while measuring is true.
func closedLoop(ctx context.Context, spec loadSpec, w window,
	worker func(ctx context.Context, measuring *atomic.Bool, stats *workerStats)) (loadResult, error) {
	if spec.Conns < 1 || spec.Duration <= 0 || spec.Warmup < 0 {
		return loadResult{}, fmt.Errorf("load spec: need ≥ 1 connection and a positive duration, got %d and %v", spec.Conns, spec.Duration)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var measuring atomic.Bool
	stats := make([]workerStats, spec.Conns)
	var wg sync.WaitGroup
	for i := range stats {
		wg.Add(1)
		go func() {
			defer wg.Done()
			worker(runCtx, &measuring, &stats[i])
		}()
	}
	stopped := func() {
		measuring.Store(false)
		cancel()
		wg.Wait()
	}
	if !sleepCtx(ctx, spec.Warmup) {
		stopped()
		return loadResult{}, fmt.Errorf("load run: %w", ctx.Err())
	}
	if w.Begin != nil {
		w.Begin()
	}
	start := time.Now()
	measuring.Store(true)
	completed := sleepCtx(ctx, spec.Duration)
	measuring.Store(false)
	elapsed := time.Since(start)
	if w.End != nil {
		w.End()
	}
	stopped()
	if !completed {
		return loadResult{}, fmt.Errorf("load run: %w", ctx.Err())
	}
	var all hist
	res := loadResult{Elapsed: elapsed}
	for i := range stats {
		s := &stats[i]
		all.merge(&s.h)
		res.Requests += s.ok
		res.TransportErrors += s.transport
		res.Non200 += s.non200
		res.Incomplete += s.incomplete
		res.Bytes += s.n
	}
	res.RPS = float64(res.Requests) / elapsed.Seconds()
	res.P50, res.P99, res.Max, res.Mean = all.quantile(0.50), all.quantile(0.99), all.quantile(1), all.mean()
	return res, nil
}

// sleepCtx waits d or until ctx is done; it reports whether d elapsed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// errorBackoff is how long a worker pauses after a transport error, so a
// dead target does not turn the generator into a busy loop.
const errorBackoff = 5 * time.Millisecond

// httpGen is the built-in generator: each connection is a worker with its
// own keep-alive http.Client and Transport (one connection each).
type httpGen struct{}

func (httpGen) run(ctx context.Context, spec loadSpec, w window) (loadResult, error) {
	base, err := http.NewRequest(http.MethodGet, spec.URL, nil)
	if err != nil {
		return loadResult{}, fmt.Errorf("load URL: %w", err)
	}
	if err := validHeaders(spec.Headers); err != nil {
		return loadResult{}, err
	}
	base.Header.Set("User-Agent", "tributary-loadtest")
	for _, h := range spec.Headers {
		if http.CanonicalHeaderKey(h.Name) == "Host" {
			base.Host = h.Value
			continue
		}
		base.Header.Set(h.Name, h.Value)
	}
	return closedLoop(ctx, spec, w, func(ctx context.Context, measuring *atomic.Bool, s *workerStats) {
		tr := &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConns:        1,
			MaxIdleConnsPerHost: 1,
			MaxConnsPerHost:     1,
			DisableCompression:  true,
			IdleConnTimeout:     time.Minute,
		}
		defer tr.CloseIdleConnections()
		// No client timeout: it would cost a timer per request. The run's
		// context ends every request still in flight when the run ends.
		client := &http.Client{Transport: tr}
		req := base.WithContext(ctx)
		for ctx.Err() == nil {
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				if measuring.Load() {
					s.transport++
				}
				sleepCtx(ctx, errorBackoff)
				continue
			}
			n, err := io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			d := time.Since(t0)
			if !measuring.Load() {
				continue
			}
			if err != nil {
				if !errors.Is(err, context.Canceled) {
					s.transport++
				}
				continue
			}
			incomplete := false
			if v := resp.Header["X-Tributary-Completed"]; len(v) > 0 && v[0] == "false" {
				incomplete = true
			}
			s.record(d, resp.StatusCode, incomplete, n)
		}
	})
}
