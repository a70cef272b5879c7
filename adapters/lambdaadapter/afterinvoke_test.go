package lambdaadapter

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
)

// TestAfterInvoke: the hook runs once per invoke, after the handler has
// produced the reply and before Handle returns, with the invoke's context;
// a panicking hook leaves the reply unchanged.
func TestAfterInvoke(t *testing.T) {
	var served, afterSawServed, calls atomic.Int32
	h := &recorder{respond: func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.WriteHeader(http.StatusTeapot)
	}}
	var sawDeadline atomic.Bool
	a := New(h, Options{AfterInvoke: func(ctx context.Context) {
		calls.Add(1)
		afterSawServed.Store(served.Load())
		_, ok := ctx.Deadline()
		sawDeadline.Store(ok)
	}})
	ev := mustJSON(t, v2Event("GET", "/"))
	if r := handleReply(t, a, ev); r.StatusCode != http.StatusTeapot {
		t.Fatalf("status %d", r.StatusCode)
	}
	if calls.Load() != 1 || afterSawServed.Load() != 1 || !sawDeadline.Load() {
		t.Fatalf("calls %d, served before hook %d, deadline %v", calls.Load(), afterSawServed.Load(), sawDeadline.Load())
	}
	a = New(h, Options{AfterInvoke: func(context.Context) { panic("hook") }})
	if r := handleReply(t, a, ev); r.StatusCode != http.StatusTeapot {
		t.Fatalf("panicking hook: status %d", r.StatusCode)
	}
}
