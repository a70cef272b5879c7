package plan

import (
	"bytes"
	"context"
	"testing"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/emf"
	"github.com/tributary-gw/tributary/core/observe"
	"github.com/tributary-gw/tributary/core/qos"
)

// TestLambdaMetricsObserver: off without the option; with it, an EMF
// observer with the configured namespace and dimensions, which tells a
// backend's own rate-limit refusal from other failures.
func TestLambdaMetricsObserver(t *testing.T) {
	cfg, err := config.Load("t.json", []byte(`{"version": 3, "endpoints": []}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if o, err := compileLambdaMetrics(cfg, &Plan{}); o != nil || err != nil {
		t.Fatalf("off: observer %v, err %v", o, err)
	}
	cfg, err = config.Load("t.json", []byte(`{"version": 3, "endpoints": [],
  "extra_config": {"tributary": {"lambda_metrics": {"namespace": "Shop", "dimensions": ["status_class", "route"]}}}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Observer.(*emf.Observer); !ok {
		t.Fatalf("Plan.Observer is %T, want *emf.Observer", p.Observer)
	}
	var buf bytes.Buffer
	o, err := newLambdaMetrics(cfg.LambdaMetrics, &buf)
	if err != nil {
		t.Fatal(err)
	}
	o.End(context.Background(), &observe.Request{Method: "GET", Route: "/a", Status: 500, Backends: []observe.Backend{
		{Index: 0, Pattern: "/x", Started: true, Err: qos.ErrRateLimited},
		{Index: 1, Pattern: "/y", Started: true, Err: context.Canceled},
	}})
	l, err := emf.Parse(buf.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.Bytes())
	}
	if l.Directives[0].Namespace != "Shop" {
		t.Errorf("namespace %q", l.Directives[0].Namespace)
	}
	if d := l.Dimensions("Latency"); len(d) != 2 || d[0] != "StatusClass" || d[1] != "Route" {
		t.Errorf("dimensions %v", d)
	}
	if v, _ := l.Metric("Backend0.RateLimited"); v != 1 {
		t.Errorf("Backend0.RateLimited = %v, want 1", v)
	}
	if v, _ := l.Metric("Backend1.RateLimited"); v != 0 {
		t.Errorf("Backend1.RateLimited = %v, want 0", v)
	}
}
