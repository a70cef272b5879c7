package otel

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// The go_* families of a Prometheus exporter with go_metrics: the names
// Prometheus users know from the Go client's default runtime collector,
// read from runtime/metrics (no stop-the-world ReadMemStats) and
// runtime/debug.ReadGCStats.

// goSampleNames are the runtime/metrics read on each scrape; goGauges
// and goMemstats refer to them by index.
var goSampleNames = []string{
	"/memory/classes/heap/objects:bytes",          // 0
	"/gc/heap/allocs:bytes",                       // 1
	"/memory/classes/profiling/buckets:bytes",     // 2
	"/gc/heap/frees:objects",                      // 3
	"/gc/heap/tiny/allocs:objects",                // 4
	"/memory/classes/metadata/other:bytes",        // 5
	"/memory/classes/heap/released:bytes",         // 6
	"/memory/classes/heap/free:bytes",             // 7
	"/memory/classes/heap/unused:bytes",           // 8
	"/gc/heap/objects:objects",                    // 9
	"/gc/heap/allocs:objects",                     // 10
	"/memory/classes/metadata/mcache/inuse:bytes", // 11
	"/memory/classes/metadata/mcache/free:bytes",  // 12
	"/memory/classes/metadata/mspan/inuse:bytes",  // 13
	"/memory/classes/metadata/mspan/free:bytes",   // 14
	"/gc/heap/goal:bytes",                         // 15
	"/memory/classes/other:bytes",                 // 16
	"/memory/classes/heap/stacks:bytes",           // 17
	"/memory/classes/os-stacks:bytes",             // 18
	"/memory/classes/total:bytes",                 // 19
	"/gc/gogc:percent",                            // 20
	"/gc/gomemlimit:bytes",                        // 21
	"/sched/gomaxprocs:threads",                   // 22
}

// goMetric is one go_* family computed from the samples: the sum of the
// samples at idx.
type goMetric struct {
	name, typ, help string
	idx             []int
}

var goMetrics = []goMetric{
	{"go_gc_gogc_percent", "gauge", "The GOGC garbage collection target percentage.", []int{20}},
	{"go_gc_gomemlimit_bytes", "gauge", "The Go runtime's memory limit (GOMEMLIMIT), in bytes.", []int{21}},
	{"go_memstats_alloc_bytes", "gauge", "Bytes of live and not yet swept heap objects.", []int{0}},
	{"go_memstats_alloc_bytes_total", "counter", "Bytes allocated on the heap since the process started.", []int{1}},
	{"go_memstats_buck_hash_sys_bytes", "gauge", "Bytes of the profiling bucket hash table.", []int{2}},
	{"go_memstats_frees_total", "counter", "Heap objects freed since the process started.", []int{3, 4}},
	{"go_memstats_gc_sys_bytes", "gauge", "Bytes of garbage collector metadata.", []int{5}},
	{"go_memstats_heap_alloc_bytes", "gauge", "Bytes of live and not yet swept heap objects.", []int{0}},
	{"go_memstats_heap_idle_bytes", "gauge", "Bytes of heap spans holding no object (free or released).", []int{6, 7}},
	{"go_memstats_heap_inuse_bytes", "gauge", "Bytes of heap spans holding at least one object.", []int{0, 8}},
	{"go_memstats_heap_objects", "gauge", "Live and not yet swept heap objects.", []int{9}},
	{"go_memstats_heap_released_bytes", "gauge", "Heap bytes returned to the operating system.", []int{6}},
	{"go_memstats_heap_sys_bytes", "gauge", "Heap bytes obtained from the operating system.", []int{0, 8, 6, 7}},
	{"go_memstats_mallocs_total", "counter", "Heap objects allocated since the process started.", []int{10, 4}},
	{"go_memstats_mcache_inuse_bytes", "gauge", "Bytes of mcache structures in use.", []int{11}},
	{"go_memstats_mcache_sys_bytes", "gauge", "Bytes reserved for mcache structures.", []int{11, 12}},
	{"go_memstats_mspan_inuse_bytes", "gauge", "Bytes of mspan structures in use.", []int{13}},
	{"go_memstats_mspan_sys_bytes", "gauge", "Bytes reserved for mspan structures.", []int{13, 14}},
	{"go_memstats_next_gc_bytes", "gauge", "Heap size at which the next garbage collection starts.", []int{15}},
	{"go_memstats_other_sys_bytes", "gauge", "Bytes of other runtime allocations.", []int{16}},
	{"go_memstats_stack_inuse_bytes", "gauge", "Bytes of goroutine stacks allocated from the heap.", []int{17}},
	{"go_memstats_stack_sys_bytes", "gauge", "Bytes of all stacks, goroutine and system.", []int{17, 18}},
	{"go_memstats_sys_bytes", "gauge", "Bytes obtained from the operating system by the Go runtime.", []int{19}},
	{"go_sched_gomaxprocs_threads", "gauge", "The current GOMAXPROCS setting.", []int{22}},
}

// sampleValue is a runtime/metrics sample as a float (0 when the runtime
// does not know the metric).
func sampleValue(s metrics.Sample) float64 {
	switch s.Value.Kind() {
	case metrics.KindUint64:
		return float64(s.Value.Uint64())
	case metrics.KindFloat64:
		return s.Value.Float64()
	}
	return 0
}

// appendGoFamilies adds the go_* families.
func appendGoFamilies(fams []family) []family {
	samples := make([]metrics.Sample, len(goSampleNames))
	for i, n := range goSampleNames {
		samples[i].Name = n
	}
	metrics.Read(samples)
	for _, m := range goMetrics {
		var v float64
		for _, i := range m.idx {
			v += sampleValue(samples[i])
		}
		fams = append(fams, family{name: m.name, help: m.help, typ: m.typ, body: appendLine(nil, m.name, "", v)})
	}

	gc := debug.GCStats{PauseQuantiles: make([]time.Duration, 5)}
	debug.ReadGCStats(&gc)
	var b []byte
	for i, q := range []string{"0", "0.25", "0.5", "0.75", "1"} {
		b = appendLine(b, "go_gc_duration_seconds", `quantile="`+q+`"`, gc.PauseQuantiles[i].Seconds())
	}
	b = appendLine(b, "go_gc_duration_seconds_sum", "", gc.PauseTotal.Seconds())
	b = appendLine(b, "go_gc_duration_seconds_count", "", float64(gc.NumGC))
	var last float64
	if !gc.LastGC.IsZero() {
		last = float64(gc.LastGC.UnixNano()) / 1e9
	}
	threads, _ := runtime.ThreadCreateProfile(nil)
	return append(fams,
		family{name: "go_gc_duration_seconds", typ: "summary", body: b,
			help: "Stop-the-world pause durations of the garbage collection cycles, in seconds."},
		family{name: "go_memstats_last_gc_time_seconds", typ: "gauge", help: "Unix time of the last garbage collection.",
			body: appendLine(nil, "go_memstats_last_gc_time_seconds", "", last)},
		family{name: "go_goroutines", typ: "gauge", help: "Goroutines that currently exist.",
			body: appendLine(nil, "go_goroutines", "", float64(runtime.NumGoroutine()))},
		family{name: "go_threads", typ: "gauge", help: "Operating system threads created.",
			body: appendLine(nil, "go_threads", "", float64(threads))},
		family{name: "go_info", typ: "gauge", help: "The Go version the binary was built with.",
			body: appendLine(nil, "go_info", `version="`+runtime.Version()+`"`, 1)},
	)
}
