package measure

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseStatusRSS(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    uint64
		wantErr bool
	}{
		{"present", "Name:\tx\nVmPeak:\t  9000 kB\nVmRSS:\t   2048 kB\nThreads: 5\n", 2 << 20, false},
		{"missing", "Name:\tx\n", 0, true},
		{"odd unit", "VmRSS:\t2048 MB\n", 0, true},
		{"not a number", "VmRSS:\tmany kB\n", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseStatusRSS([]byte(tc.in))
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("got %v, %v; want %v, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

// TestProcRSSOnSelf reads this process's own VmRSS.
func TestProcRSSOnSelf(t *testing.T) {
	rss, err := ProcRSS(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if rss < 1<<20 {
		t.Errorf("rss %d B: implausibly small for a Go test binary", rss)
	}
}

func TestFindRepo(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	repo, err := FindRepo(wd)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(repo, "local", "measure")); err != nil {
		t.Errorf("FindRepo = %s, which has no local/measure: %v", repo, err)
	}
	if _, err := FindRepo(t.TempDir()); err == nil {
		t.Error("found a repository above a temp dir")
	}
}
