package plan

import (
	"strconv"
	"time"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/influx"
	"github.com/tributary-gw/tributary/core/metrics"
	"github.com/tributary-gw/tributary/core/observe"
)

// compileInflux builds the telemetry/influx pusher of the telemetry/metrics
// registry, or nil. It is also kept in p.Influx: a server starts its loop,
// while a Lambda function pushes through the observer's Flush.
func compileInflux(cfg *config.Config, p *Plan) (observe.Observer, error) {
	in := cfg.Influx
	if in == nil || p.Metrics == nil {
		return nil, nil
	}
	pu, err := influx.New(influxSource(p.Metrics.Registry, !p.Metrics.Publish), influx.Options{
		Address: in.Address, DB: in.DB, Username: in.Username, Password: in.Password, Period: in.TTL,
	})
	if err != nil {
		return nil, err
	}
	p.Influx = pu
	return pu, nil
}

// influxSource renders reg as the measurements KrakenD's InfluxDB exporter
// writes:
//
//	requests               layer (pipe|backend), name, complete, error:
//	                       total, count and the latency summary (ns)
//	responses              name, status: total, count
//	router                 direction (in|out): current, total, gauge
//	router.response-size   name: the response size summary (bytes)
//	router.response-time   name: the response time summary (ns)
//	runtime                the runtime gauges (NumGoroutine, MemStats.*)
//
// With collect, the runtime gauges are sampled first when collection_time
// has passed: nothing else samples them when the stats are neither served
// nor logged.
func influxSource(reg *metrics.Registry, collect bool) influx.Source {
	return func() (time.Time, []influx.Point) {
		if collect {
			reg.CollectIfDue(time.Now())
		}
		v := reg.View()
		pts := make([]influx.Point, 0, 8+len(v.Endpoints)*8+len(v.Backends)*4)
		for _, e := range v.Endpoints {
			if e.Proxy {
				for i := range 4 {
					pts = append(pts, requestPoint("pipe", e.Name, i, e.Requests[i], e.Latency[i]))
				}
			}
			if e.Router {
				for _, s := range e.Statuses {
					pts = append(pts, influx.Point{Measurement: "responses",
						Tags:    []influx.Tag{{Key: "name", Value: e.Name}, {Key: "status", Value: strconv.Itoa(s.Code)}},
						Counter: true, Total: s.Count})
				}
				pts = appendSummary(pts, "router.response-size", e.Name, e.Size)
				pts = appendSummary(pts, "router.response-time", e.Name, e.Time)
			}
		}
		for _, b := range v.Backends {
			for i := range 4 {
				pts = append(pts, requestPoint("backend", b.Name, i, b.Requests[i], b.Latency[i]))
			}
		}
		if r := v.Router; r != nil {
			pts = append(pts,
				influx.Point{Measurement: "router", Tags: []influx.Tag{{Key: "direction", Value: "in"}}, Ints: []influx.Int{
					{Key: "current", Value: r.Connected}, {Key: "total", Value: r.ConnectedTotal}, {Key: "gauge", Value: r.ConnectedGauge}}},
				influx.Point{Measurement: "router", Tags: []influx.Tag{{Key: "direction", Value: "out"}}, Ints: []influx.Int{
					{Key: "current", Value: r.Disconnected}, {Key: "total", Value: r.DisconnectedTotal}, {Key: "gauge", Value: r.DisconnectedGauge}}})
		}
		rt := influx.Point{Measurement: "runtime", Floats: []influx.Float{{Key: "MemStats.GCCPUFraction", Value: v.GCCPUFraction}}}
		for _, g := range v.Runtime {
			rt.Ints = append(rt.Ints, influx.Int{Key: g.Name, Value: g.Value})
		}
		return v.Time, append(pts, rt)
	}
}

var influxBools = [2]string{"false", "true"}

// requestPoint is the requests point of one layer, name and outcome.
func requestPoint(layer, name string, i int, total int64, lat metrics.Snapshot) influx.Point {
	complete, failed := metrics.Outcome(i)
	p := influx.Point{Measurement: "requests", Counter: true, Total: total, Tags: []influx.Tag{
		{Key: "complete", Value: influxBools[boolIndex(complete)]}, {Key: "error", Value: influxBools[boolIndex(failed)]},
		{Key: "layer", Value: layer}, {Key: "name", Value: name}}}
	if lat.Count > 0 {
		p.Ints, p.Floats = summaryFields(lat)
	}
	return p
}

// appendSummary appends a histogram point, unless the histogram is empty.
func appendSummary(pts []influx.Point, measurement, name string, s metrics.Snapshot) []influx.Point {
	if s.Count == 0 {
		return pts
	}
	ints, floats := summaryFields(s)
	return append(pts, influx.Point{Measurement: measurement, Tags: []influx.Tag{{Key: "name", Value: name}}, Ints: ints, Floats: floats})
}

func summaryFields(s metrics.Snapshot) ([]influx.Int, []influx.Float) {
	return []influx.Int{
			{Key: "max", Value: s.Max}, {Key: "min", Value: s.Min}, {Key: "mean", Value: int64(s.Mean)},
			{Key: "stddev", Value: int64(s.StdDev)}, {Key: "variance", Value: int64(s.StdDev * s.StdDev)}},
		[]influx.Float{{Key: "p0.5", Value: s.P50}, {Key: "p0.75", Value: s.P75}, {Key: "p0.95", Value: s.P95},
			{Key: "p0.99", Value: s.P99}, {Key: "p0.999", Value: s.P999}}
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}
