package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// startupPoll is the pause between readiness probes while timing start-up.
const startupPoll = 200 * time.Microsecond

// startupResult is the start-up measurement: process start to the first
// 200 on the last endpoint of a 100-endpoint config.
type startupResult struct {
	Endpoints int       `json:"endpoints"`
	Runs      int       `json:"runs"`
	MedianMs  float64   `json:"median_ms"`
	MinMs     float64   `json:"min_ms"`
	MaxMs     float64   `json:"max_ms"`
	SamplesMs []float64 `json:"samples_ms"`
	GoalMs    float64   `json:"goal_ms"`
	Pass      bool      `json:"pass"`
}

// measureStartup starts the gateway runs times with the start-up config
// and times each start to its first 200.
func measureStartup(ctx context.Context, ps *procSet, bin, backendAddr, dir string, env []string, runs int) (startupResult, error) {
	res := startupResult{Endpoints: startupEndpoints, Runs: runs, GoalMs: startupGoalMillis}
	port, err := freePort()
	if err != nil {
		return res, err
	}
	data, err := startupConfig(backendAddr, port)
	if err != nil {
		return res, err
	}
	cfg := filepath.Join(dir, "startup.json")
	if err := os.WriteFile(cfg, data, 0o600); err != nil {
		return res, fmt.Errorf("writing the start-up config: %w", err)
	}
	for i := range runs {
		if i > 0 {
			if port, err = freePort(); err != nil {
				return res, err
			}
		}
		url := fmt.Sprintf("http://127.0.0.1:%d%s", port, startupProbePath())
		t0 := time.Now()
		c, err := startGateway(ps, bin, cfg, port, env, filepath.Join(dir, "gateway-startup.log"))
		if err != nil {
			return res, err
		}
		err = waitFor200(ctx, c, url, startupPoll, 10*time.Second)
		d := time.Since(t0)
		c.stop()
		if err != nil {
			return res, fmt.Errorf("start-up run %d: %w", i+1, err)
		}
		res.SamplesMs = append(res.SamplesMs, millis(d))
	}
	sorted := append([]float64(nil), res.SamplesMs...)
	res.MedianMs = median(sorted)
	if len(sorted) > 0 {
		res.MinMs, res.MaxMs = sorted[0], sorted[len(sorted)-1]
	}
	res.Pass = res.MedianMs < startupGoalMillis
	return res, nil
}
