package main

import "testing"

// TestLimitedScenarioConfig checks the limited scenario: the proxy
// endpoint with an endpoint and a per-client limit far above any loopback
// load, compiled into one endpoint stage, and run by default.
func TestLimitedScenarioConfig(t *testing.T) {
	data, err := scenarioConfig("limited", "127.0.0.1:45678", 18080, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, p := loadAndCompile(t, "limited", data)
	rl := cfg.Endpoints[0].RateLimit
	if rl == nil || rl.MaxRate < 1e6 || rl.ClientMaxRate < 1e6 || rl.Strategy != "ip" {
		t.Fatalf("rate limit %+v, want endpoint and client limits far above the load", rl)
	}
	if cfg.Endpoints[0].Path != "/users/{id_user}" || len(p.Endpoints[0].Stages) != 1 {
		t.Fatalf("endpoint %s with %d stages, want the proxy endpoint behind one limiter", cfg.Endpoints[0].Path, len(p.Endpoints[0].Stages))
	}
	o, err := parseOptions(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !contains(o.scenarios, "limited") {
		t.Fatalf("default scenarios %v lack limited", o.scenarios)
	}
}
