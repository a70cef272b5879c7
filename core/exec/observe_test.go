package exec_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/observe"
)

// tracingObserver records what the engine reports, and propagates a
// header naming the backend call it belongs to.
type tracingObserver struct {
	mu       sync.Mutex
	begun    int
	started  []string
	ended    []observe.Backend
	requests []observe.Request
}

type callKey struct{}

func (o *tracingObserver) Begin(ctx context.Context, r *observe.Request) context.Context {
	o.mu.Lock()
	o.begun++
	o.mu.Unlock()
	return ctx
}

func (o *tracingObserver) BackendStart(ctx context.Context, r *observe.Request, b *observe.Backend) context.Context {
	o.mu.Lock()
	o.started = append(o.started, b.Pattern)
	o.mu.Unlock()
	return context.WithValue(ctx, callKey{}, b.Pattern)
}

func (o *tracingObserver) Inject(ctx context.Context, h http.Header) {
	h.Set("X-Observed-Call", ctx.Value(callKey{}).(string))
}

func (o *tracingObserver) Propagates() bool { return true }

func (o *tracingObserver) BackendEnd(ctx context.Context, r *observe.Request, b *observe.Backend) {
	o.mu.Lock()
	o.ended = append(o.ended, *b)
	o.mu.Unlock()
}

func (o *tracingObserver) End(ctx context.Context, r *observe.Request) {
	o.mu.Lock()
	o.requests = append(o.requests, *r)
	o.mu.Unlock()
}

// TestObserverSeesEveryCall checks the observe seam: one Begin and End per
// request, a record per backend with its outcome, and per-call
// propagation headers that do not leak between backends.
func TestObserverSeesEveryCall(t *testing.T) {
	okB, okSeen := recordingBackend(t, 200, `{"a":1}`)
	badB, badSeen := recordingBackend(t, 503, `{}`)
	obs := &tracingObserver{}
	gw := startGateway(t, exec.Options{Observer: obs}, fanConfig("", "", okB.URL, badB.URL))
	got := serve(t, gw, &exec.Request{Method: http.MethodGet, RawPath: "/x", RequestID: "req-1"})
	if got.Status != http.StatusOK {
		t.Fatalf("status %d", got.Status)
	}
	if h := okSeen.all()[0].Header.Get("X-Observed-Call"); h != "/b0" {
		t.Errorf("backend 0 got X-Observed-Call %q, want /b0", h)
	}
	if h := badSeen.all()[0].Header.Get("X-Observed-Call"); h != "/b1" {
		t.Errorf("backend 1 got X-Observed-Call %q, want /b1", h)
	}
	if obs.begun != 1 || len(obs.requests) != 1 || len(obs.ended) != 2 {
		t.Fatalf("begun %d, ended requests %d, ended calls %d; want 1, 1, 2", obs.begun, len(obs.requests), len(obs.ended))
	}
	r := obs.requests[0]
	if r.Route != "/x" || r.Status != 200 || r.Complete || r.RequestID != "req-1" || r.Bytes != len(got.Body) || r.Duration <= 0 {
		t.Errorf("request record %+v", r)
	}
	if len(r.Backends) != 2 {
		t.Fatalf("%d backend records, want 2", len(r.Backends))
	}
	b0, b1 := r.Backends[0], r.Backends[1]
	if !b0.Started || !b0.OK || b0.Status != 200 || b0.Host != okB.URL || b0.Err != nil {
		t.Errorf("backend 0 record %+v", b0)
	}
	if !b1.Started || b1.OK || b1.Status != 503 || b1.Err == nil {
		t.Errorf("backend 1 record %+v", b1)
	}
}

// TestObserverUnrouted checks that a request no endpoint matches is still
// begun and ended, with no route and no backend records.
func TestObserverUnrouted(t *testing.T) {
	obs := &tracingObserver{}
	gw := startGateway(t, exec.Options{Observer: obs}, fanConfig("", "", refused(t)))
	got := get(t, gw, "/nope")
	if got.Status != http.StatusNotFound || len(obs.requests) != 1 {
		t.Fatalf("status %d, %d requests observed", got.Status, len(obs.requests))
	}
	if r := obs.requests[0]; r.Route != "" || r.Backends != nil || r.Status != 404 {
		t.Errorf("record %+v", r)
	}
}
