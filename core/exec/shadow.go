package exec

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync/atomic"
	"time"

	"github.com/tributary-gw/tributary/core/plan"
)

// DefaultMaxShadowCalls is the default bound on the shadow calls a gateway
// runs at once (Options.MaxShadowCalls).
const DefaultMaxShadowCalls = 64

// shadowSkipLogEvery is the least time between two log lines about shadow
// calls skipped because the bound was reached.
const shadowSkipLogEvery = 10 * time.Second

// errResponseReady is the cause given to the shadow calls that
// Options.CancelShadows stops once the client's response is ready.
var errResponseReady = errors.New("shadow call cancelled: the response is ready")

// shadowState is what a gateway keeps for its shadow backends
// (§17.17). It exists only when the plan has some.
type shadowState struct {
	// slots bounds the shadow calls in flight: a call takes a slot for
	// its whole life, and a request finding none free skips its shadow
	// call rather than wait or queue, so a slow shadow backend can hold at
	// most cap(slots) connections and goroutines.
	slots chan struct{}
	// cancelOnReady stops the shadow calls of a request when its response
	// is ready, and makes the request wait until they have ended
	// (Options.CancelShadows).
	cancelOnReady bool
	skipped       atomic.Uint64
	lastSkipLog   atomic.Int64 // unix nanoseconds
}

// newShadowState returns the shadow state for p, or nil when no endpoint
// of p has a shadow backend.
func newShadowState(p *plan.Plan, o Options) *shadowState {
	for _, ep := range p.Endpoints {
		if ep != nil && len(ep.Shadows) > 0 {
			n := o.MaxShadowCalls
			if n <= 0 {
				n = DefaultMaxShadowCalls
			}
			return &shadowState{slots: make(chan struct{}, n), cancelOnReady: o.CancelShadows}
		}
	}
	return nil
}

// ShadowsSkipped is the number of shadow calls skipped so far because
// Options.MaxShadowCalls were already in flight.
func (g *Gateway) ShadowsSkipped() uint64 {
	if g.shadows == nil {
		return 0
	}
	return g.shadows.skipped.Load()
}

// WaitShadows waits until no shadow call is in flight, or ctx ends (its
// error is then returned). Shadow calls outlive the response in server
// mode, each bounded by its shadow_timeout; a graceful shutdown and tests
// call WaitShadows to let them end.
func (g *Gateway) WaitShadows(ctx context.Context) error {
	if g.shadows == nil {
		return nil
	}
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for len(g.shadows.slots) > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// startShadows starts the shadow calls of one request, each with a copy of
// what the other backends get. In server mode they run on a context that
// keeps ctx's values but not its cancellation or deadline, bounded by each
// shadow's own timeout, and the response does not wait for them. With
// Options.CancelShadows (Lambda, where nothing may run once the handler
// returns), the function returned must be called when the response is
// ready: it cancels the shadow calls still running and waits until they
// have ended. It returns nil when there is nothing to wait for.
func (g *Gateway) startShadows(ctx context.Context, c *call) (stop func()) {
	st := g.shadows
	// The shadows' own copy of the request: the params live in the caller's
	// frame, and a stage of a shadow call must not add response headers to
	// a response that may already be written.
	sc := &call{
		g: c.g, ep: c.ep, params: slices.Clone(c.params), header: c.header, body: c.body,
		query: c.query, sharedQuery: c.sharedQuery, requestID: c.requestID,
	}
	if c.x != nil {
		x := *c.x
		x.Respond = nil
		sc.x = &x
	}
	var base context.Context
	var cancel context.CancelCauseFunc
	var done chan struct{}
	if st.cancelOnReady {
		base, cancel = context.WithCancelCause(ctx)
		done = make(chan struct{}, len(c.ep.Shadows))
	} else {
		base = context.WithoutCancel(ctx)
	}
	started := 0
	for _, b := range c.ep.Shadows {
		select {
		case st.slots <- struct{}{}:
		default:
			g.shadowSkipped(b)
			continue
		}
		started++
		go g.shadow(base, sc, b, done)
	}
	if cancel == nil {
		return nil
	}
	return func() {
		cancel(errResponseReady)
		for range started {
			<-done
		}
	}
}

// shadow performs one shadow call and discards its outcome: a failure is
// only logged. done, when not nil, is told when the call has ended.
func (g *Gateway) shadow(ctx context.Context, c *call, b *plan.Backend, done chan<- struct{}) {
	defer func() {
		if p := recover(); p != nil {
			g.log.Error("panic in shadow backend call", "endpoint", c.ep.Path, "backend", b.Index,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
		<-g.shadows.slots
		if done != nil {
			done <- struct{}{}
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, b.ShadowTimeout)
	defer cancel()
	res := c.run(ctx, b)
	res.resp.Release()
	if res.ok || res.err == nil {
		return
	}
	level := slog.LevelWarn
	if errors.Is(context.Cause(ctx), errResponseReady) {
		// Expected under CancelShadows: the client's answer was ready first.
		level = slog.LevelDebug
	}
	g.log.LogAttrs(ctx, level, "shadow backend failed",
		slog.String("request_id", c.requestID),
		slog.String("endpoint", c.ep.Method+" "+c.ep.Path),
		slog.Int("backend", b.Index),
		slog.Bool("timeout", res.timeout),
		slog.String("error", res.err.Error()))
}

// shadowSkipped counts a shadow call skipped because every slot was taken,
// and says so in the log at most once every shadowSkipLogEvery.
func (g *Gateway) shadowSkipped(b *plan.Backend) {
	st := g.shadows
	n := st.skipped.Add(1)
	now := time.Now().UnixNano()
	last := st.lastSkipLog.Load()
	if now-last < int64(shadowSkipLogEvery) || !st.lastSkipLog.CompareAndSwap(last, now) {
		return
	}
	g.log.LogAttrs(context.Background(), slog.LevelDebug, "shadow call skipped: too many shadow calls in flight",
		slog.Int("backend", b.Index),
		slog.Int("max_shadow_calls", cap(st.slots)),
		slog.Uint64("skipped_total", n))
}
