package exec

import (
	"time"

	"context"
	"fmt"
	"runtime/debug"

	"github.com/tributary-gw/tributary/core/observe"
	"github.com/tributary-gw/tributary/core/plan"
)

// do performs the call of backend b for one request: once, or as
// identical concurrent copies when the endpoint sets concurrent_calls.
func (c *call) do(ctx context.Context, b *plan.Backend) result {
	if c.rec != nil {
		return c.observed(ctx, b)
	}
	if c.ep.ConcurrentCalls > 1 {
		return c.concurrent(ctx, b)
	}
	return c.run(ctx, b)
}

// concurrent sends c.ep.ConcurrentCalls identical calls of b at once
// (§12.4). Each copy is a whole call: it picks its own host
// round-robin, goes through the backend's stages (rate limit, breaker,
// cache), and is processed on its own. The first copy that succeeds wins
// and the others are cancelled; their responses are released. When every
// copy fails, the backend fails with the copy that finished last. All the
// copies share ctx, the budget. concurrent returns only once every copy
// has ended, so no call outlives the request.
func (c *call) concurrent(ctx context.Context, b *plan.Backend) result {
	n := c.ep.ConcurrentCalls
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan result, n)
	for k := range n {
		go func() {
			var res result
			defer func() {
				if p := recover(); p != nil {
					c.g.log.Error("panic in backend call", "endpoint", c.ep.Path, "backend", b.Index, "copy", k,
						"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
					res = result{err: fmt.Errorf("internal error in backend %d", b.Index)}
				}
				done <- res
			}()
			res = c.run(cctx, b)
		}()
	}
	var out result
	won := false
	for range n {
		res := <-done
		switch {
		case won:
			// A copy that lost the race: nothing refers to its body.
			res.resp.Release()
		case res.ok:
			out.resp.Release()
			out, won = res, true
			cancel()
		default:
			// Keep the latest failure: it is the backend's outcome if no
			// copy succeeds.
			out.resp.Release()
			out = res
		}
	}
	return out
}

// observed is do with an observer watching: it fills the backend's record
// of the request around the call.
func (c *call) observed(ctx context.Context, b *plan.Backend) (res result) {
	rec := &c.rec.Backends[b.Index]
	rec.Started, rec.Start = true, time.Now()
	ctx = c.g.obs.BackendStart(ctx, c.rec, rec)
	if c.ep.ConcurrentCalls > 1 {
		res = c.concurrent(ctx, b)
	} else {
		res = c.run(ctx, b)
	}
	rec.Duration = time.Since(rec.Start)
	rec.OK, rec.Timeout, rec.Err = res.ok, res.timeout, res.err
	if res.resp != nil {
		rec.Status = res.resp.Status
	}
	c.g.obs.BackendEnd(ctx, c.rec, rec)
	return res
}

// observedCall returns the record of b's call when an observer watches
// and b is one of the endpoint's backends (not a shadow), else nil.
func (c *call) observedCall(b *plan.Backend) *observe.Backend {
	if c.rec == nil || b.Index >= len(c.rec.Backends) || c.ep.Backends[b.Index] != b {
		return nil
	}
	return &c.rec.Backends[b.Index]
}
