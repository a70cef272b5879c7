package main

import (
	"strings"
	"testing"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/plan"
)

// loadAndCompile runs the gateway's own loader and compiler on data.
func loadAndCompile(t *testing.T, name string, data []byte) (*config.Config, *plan.Plan) {
	t.Helper()
	cfg, err := config.Load(name+".json", data, nil)
	if err != nil {
		t.Fatalf("config.Load: %v\n%s", err, data)
	}
	if len(cfg.Warnings) > 0 {
		t.Errorf("lint warnings: %v", cfg.Warnings)
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		t.Fatalf("plan.Compile: %v", err)
	}
	return cfg, p
}

func TestScenarioConfigsLoadAndCompile(t *testing.T) {
	const backend = "127.0.0.1:45678"
	tests := []struct {
		name      string
		endpoint  string
		backends  int
		mustHave  []string
		mustLack  []string
		gatewayAt string
	}{
		{"proxy", "/users/{id_user}", 1, nil, []string{`"allow"`, `"deny"`, `"group"`, `"mapping"`}, "/users/1"},
		{"aggregate", "/frontpage/{id_user}", 4,
			[]string{`"allow"`, `"group": "cart"`, `"is_collection": true`, `"collection": "products"`, `"group": "promos"`}, nil, "/frontpage/1"},
		{"big", "/big", 1, []string{`"deny"`, `"secret"`}, nil, "/big"},
	}
	byName := map[string]scenario{}
	for _, sc := range scenarios() {
		byName[sc.Name] = sc
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := scenarioConfig(tc.name, backend, 18080, nil)
			if err != nil {
				t.Fatal(err)
			}
			cfg, _ := loadAndCompile(t, tc.name, data)
			if cfg.Port != 18080 || cfg.ListenIP.String() != "127.0.0.1" {
				t.Errorf("listens on %s:%d, want 127.0.0.1:18080", cfg.ListenIP, cfg.Port)
			}
			if len(cfg.Endpoints) != 1 {
				t.Fatalf("%d endpoints, want 1", len(cfg.Endpoints))
			}
			ep := cfg.Endpoints[0]
			if ep.Path != tc.endpoint || len(ep.Backends) != tc.backends {
				t.Errorf("endpoint %s with %d backends, want %s with %d", ep.Path, len(ep.Backends), tc.endpoint, tc.backends)
			}
			for _, b := range ep.Backends {
				if len(b.Host) != 1 || b.Host[0] != "http://"+backend {
					t.Errorf("backend %s hosts %v, want the stub", b.URLPattern, b.Host)
				}
			}
			text := string(data)
			for _, s := range tc.mustHave {
				if !strings.Contains(text, s) {
					t.Errorf("config lacks %s", s)
				}
			}
			for _, s := range tc.mustLack {
				if strings.Contains(text, s) {
					t.Errorf("config has %s", s)
				}
			}
			if sc := byName[tc.name]; sc.GatewayPath != tc.gatewayAt {
				t.Errorf("scenario requests %s from the gateway, want %s", sc.GatewayPath, tc.gatewayAt)
			}
		})
	}
	if _, err := scenarioConfig("nope", backend, 1, nil); err == nil {
		t.Error("an unknown scenario gave no error")
	}
}

func TestStartupConfigLoadsAndCompiles(t *testing.T) {
	data, err := startupConfig("127.0.0.1:45678", 18081)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := loadAndCompile(t, "startup", data)
	if n := len(cfg.Endpoints); n != startupEndpoints {
		t.Fatalf("%d endpoints, want %d", n, startupEndpoints)
	}
	probe := startupProbePath()
	found := false
	var backends int
	for _, ep := range cfg.Endpoints {
		backends += len(ep.Backends)
		if strings.Replace(ep.Path, "{id_user}", "1", 1) == probe {
			found = true
		}
	}
	if !found {
		t.Errorf("no endpoint answers the probe path %s", probe)
	}
	if backends <= startupEndpoints {
		t.Errorf("%d backends over %d endpoints: the config has no aggregates", backends, startupEndpoints)
	}
}
