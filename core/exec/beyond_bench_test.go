package exec_test

import (
	"strings"
	"testing"
)

// BenchmarkServeFrontpageDeepMerge is BenchmarkServeFrontpage with the
// endpoint's tributary.merge set to "deep", for comparison with the
// default shallow merge.
func BenchmarkServeFrontpageDeepMerge(b *testing.B) {
	cfg := demoConfig()
	const at = `"endpoint": "/frontpage/{id_user}",`
	if !strings.Contains(cfg, at) {
		b.Fatal("the bundled config has no /frontpage endpoint")
	}
	cfg = strings.Replace(cfg, at, at+` "extra_config": {"tributary": {"merge": "deep"}},`, 1)
	benchServe(b, newGateway(b, cfg), "/frontpage/42", 1000)
}
