package lambdaadapter

import (
	"context"
	"net/http"

	"github.com/tributary-gw/tributary/internal/authorizer"
)

// serveHTTPEvent serves an HTTP API v2, Function URL or ALB event with our
// own conversion and capture writer.
func (a *Adapter) serveHTTPEvent(ctx context.Context, p probe, event []byte) []byte {
	ev, e := a.parseEvent(event)
	var in *inbound
	if e == nil {
		if p.trigger == trigALB {
			in, e = a.buildALB(ev)
		} else {
			in, e = a.buildV2(ev, p.trigger)
		}
	}
	if e != nil {
		return encodeResponse(p.trigger, p.albMulti, errorResult(e))
	}
	if p.trigger == trigV2 && ev.authorizer != nil {
		ctx = authorizer.NewContext(ctx, ev.authorizer)
	}
	return encodeResponse(p.trigger, p.albMulti, a.run(newRequest(ctx, in)))
}

// run serves r with the handler into a capture writer. A panic becomes
// 500 internal_error, its stack logged and never sent (security.md rule 4).
func (a *Adapter) run(r *http.Request) (res result) {
	c := newCapture(r.Method == http.MethodHead)
	defer func() {
		if v := recover(); v != nil {
			a.logPanic(r.Context(), "handler", v)
			res = errorResult(errInternal())
		}
	}()
	a.h.ServeHTTP(c, r)
	return c.finish()
}
