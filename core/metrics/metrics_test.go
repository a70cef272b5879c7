package metrics

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestHistogramSnapshot(t *testing.T) {
	var h Histogram
	if s := h.Snapshot(); s != (Snapshot{}) {
		t.Errorf("empty snapshot = %+v", s)
	}
	for v := int64(1); v <= 100; v++ {
		h.Update(v)
	}
	h.Update(-5) // counted as 0
	s := h.Snapshot()
	if s.Count != 101 || s.Min != 0 || s.Max != 100 {
		t.Errorf("count/min/max = %d/%d/%d, want 101/0/100", s.Count, s.Min, s.Max)
	}
	if s.Mean < 49.9 || s.Mean > 50.1 {
		t.Errorf("mean = %v, want 50", s.Mean)
	}
	if s.StdDev < 28 || s.StdDev > 30 {
		t.Errorf("std-dev = %v, want about 29.3", s.StdDev)
	}
	// Percentiles are interpolated in power-of-two buckets: ordered and
	// inside [min, max].
	ps := []float64{s.P50, s.P75, s.P95, s.P99, s.P999}
	for i, p := range ps {
		if p < float64(s.Min) || p > float64(s.Max) || (i > 0 && p < ps[i-1]) {
			t.Errorf("percentiles %v not ordered within [min, max]", ps)
			break
		}
	}
	if s.P50 < 32 || s.P50 > 64 {
		t.Errorf("median %v outside its bucket [32, 63]", s.P50)
	}
}

func TestNilSlotsRecordNothing(t *testing.T) {
	var e *Endpoint
	var b *Backend
	e.Response(200, 1, time.Millisecond)
	e.Proxy(true, false, time.Millisecond)
	b.Done(true, false, time.Millisecond)
	r := New(Options{RouterDisabled: true, ProxyDisabled: true, BackendDisabled: true})
	if r.Endpoint("/a") != nil || r.Backend("/x") != nil {
		t.Error("disabled layers got slots")
	}
}

func TestSlotsShareNamesAndRender(t *testing.T) {
	r := New(Options{CollectionTime: time.Second})
	a1, a2 := r.Endpoint("/a"), r.Endpoint("/a")
	if a1 != a2 {
		t.Error("one path got two slots")
	}
	if r.Backend("/x") != r.Backend("/x") {
		t.Error("one url_pattern got two slots")
	}
	a1.Response(200, 10, time.Millisecond)
	a1.Response(404, 3, time.Millisecond)
	a1.Response(200, 10, time.Millisecond)
	a1.Proxy(false, true, time.Millisecond)
	r.Backend("/x").Done(true, false, time.Millisecond)
	var m map[string]json.RawMessage
	if err := json.Unmarshal(r.AppendJSON(nil), &m); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"krakend.router.response./a.status.200.count":                                 "2",
		"krakend.router.response./a.status.404.count":                                 "1",
		"krakend.router.response./a.status":                                           "0",
		"krakend.router.response./a.size.max":                                         "10",
		"krakend.proxy.requests.layer.pipe.name./a.complete.false.error.true":         "1",
		"krakend.proxy.requests.layer.pipe.name./a.complete.true.error.false":         "0",
		"krakend.proxy.requests.layer.backend.name./x.complete.true.error.false":      "1",
		"krakend.proxy.latency.layer.backend.name./x.complete.true.error.false.count": "1",
		"krakend.router.connected":                                                    "3",
	} {
		if string(m[k]) != want {
			t.Errorf("%s = %s, want %s", k, m[k], want)
		}
	}
	// Collect closes the connection window.
	r.Collect(time.Now())
	if err := json.Unmarshal(r.AppendJSON(nil), &m); err != nil {
		t.Fatal(err)
	}
	if string(m["krakend.router.connected"]) != "0" || string(m["krakend.router.connected-total"]) != "3" ||
		string(m["krakend.router.connected-gauge"]) != "3" {
		t.Errorf("after collect: connected %s total %s gauge %s", m["krakend.router.connected"],
			m["krakend.router.connected-total"], m["krakend.router.connected-gauge"])
	}
}

func TestCollectIfDue(t *testing.T) {
	r := New(Options{CollectionTime: time.Minute})
	now := time.Now()
	if r.CollectIfDue(now) {
		t.Error("collected right after New")
	}
	if !r.CollectIfDue(now.Add(61 * time.Second)) {
		t.Error("did not collect after collection_time")
	}
	if r.CollectIfDue(now.Add(62 * time.Second)) {
		t.Error("collected twice in one period")
	}
}

func TestChunksAreBoundedObjects(t *testing.T) {
	r := New(Options{})
	for _, p := range []string{"/a", "/b", "/c", "/d", "/e", "/f"} {
		r.Endpoint(p).Response(200, 1, time.Millisecond)
		r.Backend(p).Done(true, false, time.Millisecond)
	}
	whole := map[string]json.RawMessage{}
	if err := json.Unmarshal(r.AppendJSON(nil), &whole); err != nil {
		t.Fatal(err)
	}
	const max = 2048
	chunks, dropped := r.Chunks(max, 1000)
	seen := map[string]json.RawMessage{}
	for _, c := range chunks {
		if len(c) > max {
			t.Errorf("chunk of %d bytes > %d", len(c), max)
		}
		var part map[string]json.RawMessage
		if err := json.Unmarshal(c, &part); err != nil {
			t.Fatalf("chunk is not an object: %v", err)
		}
		for k, v := range part {
			seen[k] = v
		}
	}
	// memstats is larger than a chunk: the only member left out.
	if dropped != 1 || len(seen) != len(whole)-1 || seen["memstats"] != nil {
		t.Errorf("dropped %d, %d of %d members", dropped, len(seen), len(whole))
	}
	few, dropped := r.Chunks(max, 2)
	if len(few) != 2 || dropped <= 1 {
		t.Errorf("maxChunks 2: %d chunks, %d dropped", len(few), dropped)
	}
	if !strings.HasPrefix(string(few[0]), `{"cmdline":`) {
		t.Errorf("first chunk %.40s", few[0])
	}
}
