package main

import "testing"

// TestSequentialScenarioConfig checks the sequential scenario: two
// backends run in order, the second reading the first's response, and run
// by default.
func TestSequentialScenarioConfig(t *testing.T) {
	data, err := scenarioConfig("sequential", "127.0.0.1:45678", 18080, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, p := loadAndCompile(t, "sequential", data)
	ep := p.Endpoints[0]
	if !cfg.Endpoints[0].Sequential || !ep.Sequential || len(ep.Backends) != 2 || len(ep.Backends[1].Resp) != 1 {
		t.Fatalf("endpoint %s: sequential %v, %d backends; want 2 chained backends", cfg.Endpoints[0].Path, ep.Sequential, len(ep.Backends))
	}
	o, err := parseOptions(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !contains(o.scenarios, "sequential") {
		t.Fatalf("default scenarios %v lack sequential", o.scenarios)
	}
}
