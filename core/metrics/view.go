package metrics

import (
	"runtime"
	"time"
)

// View is a read-only copy of a registry's metrics at one moment, for
// exporters that push them elsewhere (telemetry/influx). Only the enabled
// layers are filled in.
type View struct {
	// Time is when the view was taken.
	Time time.Time
	// Runtime are the runtime gauges as of the last collection, named as
	// in the stats without the "krakend.service.runtime." prefix
	// ("NumGoroutine", "MemStats.Alloc", …).
	Runtime []Gauge
	// GCCPUFraction is MemStats.GCCPUFraction as of the last collection.
	GCCPUFraction float64
	// Router holds the connection counters; nil when the router layer is
	// disabled.
	Router *RouterView
	// Endpoints holds one entry per endpoint slot, in compile order.
	Endpoints []EndpointView
	// Backends holds one entry per backend slot (none when the backend
	// layer is disabled), in compile order.
	Backends []BackendView
}

// Gauge is one named integer value.
type Gauge struct {
	// Name is the metric name without the common prefix.
	Name string
	// Value is the value.
	Value int64
}

// RouterView holds the router connection counters.
type RouterView struct {
	// Connected and Disconnected count the current collection window.
	Connected, Disconnected int64
	// ConnectedTotal and DisconnectedTotal count every closed window.
	ConnectedTotal, DisconnectedTotal int64
	// ConnectedGauge and DisconnectedGauge are the last closed window's.
	ConnectedGauge, DisconnectedGauge int64
}

// StatusCount is how many responses had one status code.
type StatusCount struct {
	// Code is the status code.
	Code int
	// Count is the number of responses.
	Count int64
}

// EndpointView is the metrics of one endpoint name.
type EndpointView struct {
	// Name is the endpoint's path template.
	Name string
	// Router reports that the router-layer fields are kept.
	Router bool
	// Statuses counts the responses by status code.
	Statuses []StatusCount
	// Size and Time summarise the response sizes (bytes) and times (ns).
	Size, Time Snapshot
	// Proxy reports that the proxy-layer fields are kept.
	Proxy bool
	// Requests counts the requests by outcome; see [Outcome].
	Requests [4]int64
	// Latency summarises the backend time (ns) by outcome.
	Latency [4]Snapshot
}

// BackendView is the metrics of one backend url_pattern.
type BackendView struct {
	// Name is the backend's url_pattern.
	Name string
	// Requests counts the calls by outcome; see [Outcome].
	Requests [4]int64
	// Latency summarises the call durations (ns) by outcome.
	Latency [4]Snapshot
}

// Outcome decodes the index of the Requests and Latency arrays: whether
// the response was complete and whether a call failed.
func Outcome(i int) (complete, failed bool) {
	return i&2 != 0, i&1 != 0
}

// View copies the registry's metrics. It allocates and reads every
// histogram: call it at push time, never per request.
func (r *Registry) View() View {
	v := View{Time: time.Now()}
	r.mu.Lock()
	ms, rt := r.ms, r.rt
	r.mu.Unlock()
	v.Runtime = append(v.Runtime, Gauge{"NumGoroutine", rt.goroutines}, Gauge{"NumCgoCall", rt.cgoCalls},
		Gauge{"NumThread", rt.threads})
	v.Runtime = append(v.Runtime, memGauges(&ms)...)
	v.GCCPUFraction = ms.GCCPUFraction
	if !r.opts.RouterDisabled {
		v.Router = &RouterView{
			Connected: r.connected.Load(), Disconnected: r.disconnected.Load(),
			ConnectedTotal: r.connectedTotal.Load(), DisconnectedTotal: r.disconnectedTotal.Load(),
			ConnectedGauge: r.connectedGauge.Load(), DisconnectedGauge: r.disconnectedGauge.Load(),
		}
	}
	for _, e := range r.endpoints {
		ev := EndpointView{Name: e.name, Router: e.router, Proxy: e.proxy}
		if e.router {
			for i := range e.statuses {
				s := &e.statuses[i]
				if c := s.code.Load(); c != 0 {
					ev.Statuses = append(ev.Statuses, StatusCount{int(c), s.n.Load()})
				}
			}
			ev.Size, ev.Time = e.size.Snapshot(), e.time.Snapshot()
		}
		if e.proxy {
			for i := range 4 {
				ev.Requests[i] = e.requests[i].Load()
				ev.Latency[i] = e.latency[i].Snapshot()
			}
		}
		v.Endpoints = append(v.Endpoints, ev)
	}
	for _, b := range r.backends {
		bv := BackendView{Name: b.name}
		for i := range 4 {
			bv.Requests[i] = b.requests[i].Load()
			bv.Latency[i] = b.latency[i].Snapshot()
		}
		v.Backends = append(v.Backends, bv)
	}
	return v
}

// memGauges lists the integer memory statistics, named "MemStats.X".
func memGauges(ms *runtime.MemStats) []Gauge {
	out := make([]Gauge, 0, 23)
	for _, g := range []struct {
		name string
		v    uint64
	}{
		{"Alloc", ms.Alloc}, {"BuckHashSys", ms.BuckHashSys}, {"Frees", ms.Frees},
		{"HeapAlloc", ms.HeapAlloc}, {"HeapIdle", ms.HeapIdle}, {"HeapInuse", ms.HeapInuse},
		{"HeapObjects", ms.HeapObjects}, {"HeapReleased", ms.HeapReleased}, {"HeapSys", ms.HeapSys},
		{"LastGC", ms.LastGC}, {"Lookups", ms.Lookups}, {"MCacheInuse", ms.MCacheInuse},
		{"MCacheSys", ms.MCacheSys}, {"MSpanInuse", ms.MSpanInuse}, {"MSpanSys", ms.MSpanSys},
		{"Mallocs", ms.Mallocs}, {"NextGC", ms.NextGC}, {"NumGC", uint64(ms.NumGC)},
		{"PauseTotalNs", ms.PauseTotalNs}, {"StackInuse", ms.StackInuse}, {"StackSys", ms.StackSys},
		{"Sys", ms.Sys}, {"TotalAlloc", ms.TotalAlloc},
	} {
		out = append(out, Gauge{"MemStats." + g.name, int64(min(g.v, 1<<63-1))})
	}
	return out
}
