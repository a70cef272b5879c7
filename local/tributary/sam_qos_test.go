package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSamGenerateWarnsPerEnvironmentState checks that sam generate says,
// for a config with rate limits, that each Lambda execution environment
// counts alone, and still writes the template.
func TestSamGenerateWarnsPerEnvironmentState(t *testing.T) {
	dir := t.TempDir()
	src := writeConfig(t, dir, "limited.json", `{"version": 3, "endpoints": [
  {"endpoint": "/one", "backend": [{"host": ["http://127.0.0.1:1"], "url_pattern": "/"}],
   "extra_config": {"qos/ratelimit/router": {"max_rate": 10}}}]}`)
	out := filepath.Join(dir, "deploy", "template.yaml")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runSam(t, "sam", "generate", "-c", src, "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "warning: rate limits (qos/ratelimit/router on 1 endpoint) count per Lambda execution environment"
	if !strings.Contains(stderr, want) {
		t.Fatalf("stderr %q lacks %q", stderr, want)
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatalf("no template written: %v", err)
	}
}
