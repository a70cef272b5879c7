package conformance

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/plan"
)

// brokenDir holds configs the loader must refuse, each with its expected
// diagnostics.
const brokenDir = "testdata/broken"

// minBroken guards against losing broken-config cases silently.
const minBroken = 20

// updateBroken rewrites the .err files from the loader's output. Review the
// diff: the files are the spec's examples of what `tributary check` prints.
var updateBroken = flag.Bool("update-broken", false, "rewrite testdata/broken/*.err from the loader's output")

// TestBrokenConfigs runs every testdata/broken/<name>.json through the one
// loader (config.Load, then plan.Compile, as `tributary check` does) and
// compares the diagnostics, one per line as check prints them, with
// <name>.err. The file name in the diagnostics is "<name>.json".
func TestBrokenConfigs(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(brokenDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < minBroken {
		t.Fatalf("found %d broken configs under %s, want at least %d", len(files), brokenDir, minBroken)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got := checkLines(t, name+".json", data)
			errFile := strings.TrimSuffix(f, ".json") + ".err"
			if *updateBroken {
				if err := os.WriteFile(errFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(errFile)
			if err != nil {
				t.Fatalf("%v (run with -update-broken to create it, then review it)", err)
			}
			if got != string(want) {
				t.Errorf("diagnostics differ\n got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// checkLines loads data as `tributary check` does and returns the error
// lines it prints, each ending in a newline. A config that loads is a test
// failure: everything under testdata/broken must be refused.
func checkLines(t *testing.T, name string, data []byte) string {
	t.Helper()
	cfg, err := config.Load(name, data, nil)
	if err == nil {
		_, err = plan.Compile(cfg)
	}
	if err == nil {
		t.Fatalf("%s loaded and compiled; every broken config must be refused", name)
	}
	var errs config.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error is %T, not config.Errors: %v", err, err)
	}
	var b strings.Builder
	for _, d := range errs {
		line := d.String()
		if !strings.HasPrefix(line, name+":") {
			t.Errorf("diagnostic %q does not start with the file name %q", line, name)
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}
