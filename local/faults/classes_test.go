package faults

import (
	"testing"
	"time"
)

// TestFaultClasses runs every fault class through a real gateway: each
// variant alone, beside ok backends and on every backend, checking each
// answer against the status rules (krakend-compat.md §14) and the
// invariants of security.md §7.
func TestFaultClasses(t *testing.T) {
	s := startSuite(t)
	ctx := testContext(t, 2*time.Minute)
	for _, k := range Kinds() {
		t.Run(string(k), func(t *testing.T) {
			r, err := s.RunClass(ctx, k, 8, 1)
			if err != nil {
				t.Fatal(err)
			}
			reportTally(t, string(k), r.Tally)
			if r.BackendCalls == 0 {
				t.Errorf("the fault server saw no %s call: the class was not exercised", k)
			}
		})
	}
	st := s.Server.Stats()
	if v := s.RunWide(st); len(v) > 0 {
		t.Errorf("run-wide: %v", v)
	}
}
