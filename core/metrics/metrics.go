// Package metrics keeps the in-process counters and latency histograms of
// "telemetry/metrics" and renders them as one flat JSON object whose keys
// are the metric names KrakenD's stats endpoint uses.
//
// Every slot (one per endpoint name, one per backend url_pattern) is
// allocated when the plan is compiled; recording a request is a handful of
// atomic operations with no lookup and no allocation. Keys are rendered
// only when the stats are read. Runtime gauges (goroutines, memory) are
// sampled by Collect, every collection_time.
package metrics

import (
	"context"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultCollectionTime is collection_time when the option is absent.
const DefaultCollectionTime = 60 * time.Second

// DefaultListenAddress is listen_address when the option is absent.
const DefaultListenAddress = ":8090"

// Options select what a Registry records.
type Options struct {
	// CollectionTime is the period of the runtime samples and of the
	// router connection window. Default DefaultCollectionTime.
	CollectionTime time.Duration
	// RouterDisabled drops the router layer: connections and the
	// per-endpoint response status, size and time.
	RouterDisabled bool
	// ProxyDisabled drops the proxy (pipe) layer: the per-endpoint request
	// counters and latency by outcome.
	ProxyDisabled bool
	// BackendDisabled drops the backend layer: the per-backend request
	// counters and latency by outcome.
	BackendDisabled bool
}

// Registry holds every metric of one plan. It is safe for concurrent use.
type Registry struct {
	opts      Options
	endpoints []*Endpoint
	backends  []*Backend
	byName    map[string]*Endpoint // compile time only
	beByName  map[string]*Backend  // compile time only

	// Router connections: the window counters are moved into the gauges
	// and totals at each collection, as KrakenD does.
	connected, disconnected           atomic.Int64
	connectedTotal, disconnectedTotal atomic.Int64
	connectedGauge, disconnectedGauge atomic.Int64

	mu      sync.Mutex // guards runtime and memstats
	rt      runtimeSample
	ms      runtime.MemStats
	lastRun atomic.Int64 // unix nanos of the last collection
}

// New returns an empty registry; Endpoint and Backend add slots to it
// while the plan is compiled. It takes a first runtime sample.
func New(o Options) *Registry {
	if o.CollectionTime <= 0 {
		o.CollectionTime = DefaultCollectionTime
	}
	r := &Registry{opts: o, byName: map[string]*Endpoint{}, beByName: map[string]*Backend{}}
	r.Collect(time.Now())
	return r
}

// CollectionTime returns the collection period.
func (r *Registry) CollectionTime() time.Duration { return r.opts.CollectionTime }

// Endpoint returns the slot of the endpoint named name (its path
// template); endpoints sharing a path share a slot, as in KrakenD. It
// returns nil when both the router and the proxy layer are disabled. Call
// it only while compiling, never concurrently with recording.
func (r *Registry) Endpoint(name string) *Endpoint {
	if r == nil || (r.opts.RouterDisabled && r.opts.ProxyDisabled) {
		return nil
	}
	if e := r.byName[name]; e != nil {
		return e
	}
	e := &Endpoint{name: name, reg: r, router: !r.opts.RouterDisabled, proxy: !r.opts.ProxyDisabled}
	r.byName[name] = e
	r.endpoints = append(r.endpoints, e)
	return e
}

// Backend returns the slot of the backend named name (its url_pattern);
// backends sharing a pattern share a slot, as in KrakenD. It returns nil
// when the backend layer is disabled. Compile time only, like Endpoint.
func (r *Registry) Backend(name string) *Backend {
	if r == nil || r.opts.BackendDisabled {
		return nil
	}
	if b := r.beByName[name]; b != nil {
		return b
	}
	b := &Backend{name: name}
	r.beByName[name] = b
	r.backends = append(r.backends, b)
	return b
}

// Collect samples the runtime gauges and closes the router connection
// window. Run calls it every collection_time.
func (r *Registry) Collect(now time.Time) {
	r.lastRun.Store(now.UnixNano())
	c := r.connected.Swap(0)
	r.connectedGauge.Store(c)
	r.connectedTotal.Add(c)
	d := r.disconnected.Swap(0)
	r.disconnectedGauge.Store(d)
	r.disconnectedTotal.Add(d)

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s := runtimeSample{
		goroutines: int64(runtime.NumGoroutine()),
		cgoCalls:   runtime.NumCgoCall(),
		threads:    int64(pprof.Lookup("threadcreate").Count()),
	}
	r.mu.Lock()
	r.ms, r.rt = ms, s
	r.mu.Unlock()
}

// CollectIfDue collects when collection_time has passed since the last
// collection, and reports whether it did. Only one of concurrent callers
// collects.
func (r *Registry) CollectIfDue(now time.Time) bool {
	last := r.lastRun.Load()
	if now.UnixNano()-last < int64(r.opts.CollectionTime) {
		return false
	}
	if !r.lastRun.CompareAndSwap(last, now.UnixNano()) {
		return false
	}
	r.Collect(now)
	return true
}

// Run collects every collection_time until ctx is done.
func (r *Registry) Run(ctx context.Context) {
	t := time.NewTicker(r.opts.CollectionTime)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			r.Collect(now)
		}
	}
}

type runtimeSample struct {
	goroutines, cgoCalls, threads int64
}

// outcome indexes the four complete/error combinations.
func outcome(complete, failed bool) int {
	i := 0
	if complete {
		i = 2
	}
	if failed {
		i++
	}
	return i
}

// maxStatuses bounds the distinct status codes counted per endpoint; the
// rest are counted together and not rendered.
const maxStatuses = 24

type statusSlot struct {
	code atomic.Int32
	n    atomic.Int64
}

// Endpoint is the slot of one endpoint name. Its methods are safe on a nil
// receiver (the layer is off) and never allocate.
type Endpoint struct {
	name          string
	reg           *Registry
	router, proxy bool

	statuses   [maxStatuses]statusSlot
	overflow   atomic.Int64
	size, time Histogram
	requests   [4]atomic.Int64
	latency    [4]Histogram
}

// Response records an answered request at the router layer: its status,
// body size and time since arrival.
func (e *Endpoint) Response(status, size int, d time.Duration) {
	if e == nil || !e.router {
		return
	}
	e.reg.connected.Add(1)
	e.reg.disconnected.Add(1)
	e.countStatus(int32(status))
	e.size.Update(int64(size))
	e.time.Update(int64(d))
}

func (e *Endpoint) countStatus(code int32) {
	for i := range e.statuses {
		s := &e.statuses[i]
		c := s.code.Load()
		if c == 0 && s.code.CompareAndSwap(0, code) {
			c = code
		} else if c == 0 {
			c = s.code.Load()
		}
		if c == code {
			s.n.Add(1)
			return
		}
	}
	e.overflow.Add(1)
}

// Proxy records the proxy (pipe) layer of one request: whether every
// backend succeeded, whether some failed, and the time the backends took.
func (e *Endpoint) Proxy(complete, failed bool, d time.Duration) {
	if e == nil || !e.proxy {
		return
	}
	i := outcome(complete, failed)
	e.requests[i].Add(1)
	e.latency[i].Update(int64(d))
}

// Backend is the slot of one backend url_pattern. Its methods are safe on
// a nil receiver and never allocate.
type Backend struct {
	name     string
	requests [4]atomic.Int64
	latency  [4]Histogram
}

// Done records one backend call: complete when its response was usable,
// failed when it ended in an error, and its duration.
func (b *Backend) Done(complete, failed bool, d time.Duration) {
	if b == nil {
		return
	}
	i := outcome(complete, failed)
	b.requests[i].Add(1)
	b.latency[i].Update(int64(d))
}
