package metrics

import (
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
)

// Prefix starts every metric name, as in KrakenD.
const Prefix = "krakend."

// kv is one rendered member: a key and its JSON value.
type kv struct {
	key string
	val []byte
}

type members []kv

func (m *members) int(key string, v int64) {
	*m = append(*m, kv{key, strconv.AppendInt(nil, v, 10)})
}

func (m *members) float(key string, v float64) {
	*m = append(*m, kv{key, strconv.AppendFloat(nil, v, 'g', -1, 64)})
}

func (m *members) histogram(key string, h *Histogram) {
	s := h.Snapshot()
	m.int(key+".count", s.Count)
	m.float(key+".min", float64(s.Min))
	m.float(key+".max", float64(s.Max))
	m.float(key+".mean", s.Mean)
	m.float(key+".std-dev", s.StdDev)
	m.float(key+".50-percentile", s.P50)
	m.float(key+".75-percentile", s.P75)
	m.float(key+".95-percentile", s.P95)
	m.float(key+".99-percentile", s.P99)
	m.float(key+".999-percentile", s.P999)
}

var bools = [2]string{"false", "true"}

// layered renders the four complete/error counters and latencies of one
// proxy-layer name.
func (m *members) layered(layer, name string, requests *[4]atomic.Int64, latency *[4]Histogram) {
	for i := range 4 {
		labels := "layer." + layer + ".name." + name + ".complete." + bools[i>>1] + ".error." + bools[i&1]
		m.int(Prefix+"proxy.requests."+labels, requests[i].Load())
		m.histogram(Prefix+"proxy.latency."+labels, &latency[i])
	}
}

// AppendJSON appends the stats as one JSON object, keys sorted: cmdline,
// memstats (as of the last collection), the runtime gauges, and every
// metric of the enabled layers.
func (r *Registry) AppendJSON(dst []byte) []byte {
	return appendObject(dst, r.members())
}

// Chunks renders the stats as JSON objects of consecutive members, each
// at most maxBytes long, for log lines of bounded size. A member longer
// than maxBytes on its own is left out. At most maxChunks objects are
// returned; dropped reports how many members did not fit.
func (r *Registry) Chunks(maxBytes, maxChunks int) (chunks [][]byte, dropped int) {
	m := r.members()
	var cur []byte
	for i, x := range m {
		k, _ := json.Marshal(x.key)
		size := len(k) + 1 + len(x.val) + 1
		if size+2 > maxBytes {
			dropped++
			continue
		}
		if cur != nil && len(cur)+size+1 > maxBytes {
			chunks = append(chunks, append(cur, '}'))
			cur = nil
			if len(chunks) == maxChunks {
				return chunks, dropped + len(m) - i
			}
		}
		if cur == nil {
			cur = append(make([]byte, 0, maxBytes), '{')
		} else {
			cur = append(cur, ',')
		}
		cur = append(append(append(cur, k...), ':'), x.val...)
	}
	if cur != nil {
		chunks = append(chunks, append(cur, '}'))
	}
	return chunks, dropped
}

func appendObject(dst []byte, m members) []byte {
	dst = append(dst, '{')
	for i, x := range m {
		if i > 0 {
			dst = append(dst, ',')
		}
		k, _ := json.Marshal(x.key)
		dst = append(dst, k...)
		dst = append(dst, ':')
		dst = append(dst, x.val...)
	}
	return append(dst, '}')
}

// members renders every member, sorted by key.
func (r *Registry) members() members {
	m := make(members, 0, 64+len(r.endpoints)*64+len(r.backends)*44)
	cmd, _ := json.Marshal(os.Args)
	m = append(m, kv{"cmdline", cmd})
	r.mu.Lock()
	mem, _ := json.Marshal(&r.ms)
	ms, rt := r.ms, r.rt
	r.mu.Unlock()
	m = append(m, kv{"memstats", mem})
	svc := Prefix + "service.runtime."
	m.int(svc+"NumGoroutine", rt.goroutines)
	m.int(svc+"NumCgoCall", rt.cgoCalls)
	m.int(svc+"NumThread", rt.threads)
	for _, g := range memGauges(&ms) {
		m.int(svc+g.Name, g.Value)
	}
	m.float(svc+"MemStats.GCCPUFraction", ms.GCCPUFraction)

	if !r.opts.RouterDisabled {
		rp := Prefix + "router."
		m.int(rp+"connected", r.connected.Load())
		m.int(rp+"disconnected", r.disconnected.Load())
		m.int(rp+"connected-total", r.connectedTotal.Load())
		m.int(rp+"disconnected-total", r.disconnectedTotal.Load())
		m.int(rp+"connected-gauge", r.connectedGauge.Load())
		m.int(rp+"disconnected-gauge", r.disconnectedGauge.Load())
	}
	for _, e := range r.endpoints {
		if e.router {
			base := Prefix + "router.response." + e.name
			m.int(base+".status", 0) // registered, never incremented, as in KrakenD
			for i := range e.statuses {
				s := &e.statuses[i]
				if c := s.code.Load(); c != 0 {
					m.int(base+".status."+strconv.Itoa(int(c))+".count", s.n.Load())
				}
			}
			m.histogram(base+".size", &e.size)
			m.histogram(base+".time", &e.time)
		}
		if e.proxy {
			m.layered("pipe", e.name, &e.requests, &e.latency)
		}
	}
	for _, b := range r.backends {
		m.layered("backend", b.name, &b.requests, &b.latency)
	}
	slices.SortFunc(m, func(a, b kv) int { return strings.Compare(a.key, b.key) })

	return m
}
