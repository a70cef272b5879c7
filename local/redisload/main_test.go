package main

import (
	"io"
	"strings"
	"testing"

	"github.com/tributary-gw/tributary/config"
)

// The configs the program writes load, with and without the shared
// store, and carry the limit and the policy asked for.
func TestWriteConfigLoads(t *testing.T) {
	f := &fleetEnv{dir: t.TempDir(), redis: "127.0.0.1:6379", backend: "127.0.0.1:8080"}
	for _, policy := range []string{"", "fail_open", "fail_closed"} {
		p, err := f.writeConfig(50, policy)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := config.LoadFile(p, nil)
		if err != nil {
			t.Fatalf("%s: %v", policy, err)
		}
		if rl := cfg.Endpoints[0].RateLimit; rl == nil || rl.MaxRate != 50 || rl.Capacity != 50 {
			t.Fatalf("%s: rate limit %+v", policy, rl)
		}
		if policy == "" {
			if cfg.Redis != nil {
				t.Fatal("the in-process config has a shared store")
			}
			continue
		}
		if s := cfg.Redis.Shared; s == nil || s.Pool == nil || s.Pool.Address != f.redis || s.RateLimitFailClosed != (policy == "fail_closed") {
			t.Fatalf("%s: shared store %+v", policy, s)
		}
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{{"-rate", "0"}, {"-overload", "0.5"}, {"-d", "10ms"}, {"-rounds", "0"}} {
		err := run(args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "need -rate") {
			t.Errorf("%v: %v", args, err)
		}
	}
}
