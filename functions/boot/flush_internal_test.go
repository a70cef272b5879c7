package boot

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/core/influx"
	"github.com/tributary-gw/tributary/core/observe"
	"github.com/tributary-gw/tributary/core/plan"
)

// slowFlusher is an observer whose Flush waits until its context ends,
// reporting how long it was given.
type slowFlusher struct {
	observe.Observer
	gave chan time.Duration
}

func (s slowFlusher) Flush(ctx context.Context) error {
	d, _ := ctx.Deadline()
	s.gave <- time.Until(d)
	<-ctx.Done()
	return ctx.Err()
}

func (s slowFlusher) Shutdown(context.Context) error { return nil }

// TestFlushBound: the after-invoke flush is cut at 300 ms, or at 1 s
// when the config pushes to InfluxDB.
func TestFlushBound(t *testing.T) {
	if got := flushBound(&plan.Plan{}); got != FlushBound {
		t.Errorf("without influx: %v, want %v", got, FlushBound)
	}
	if got := flushBound(&plan.Plan{Influx: new(influx.Pusher)}); got != InfluxFlushBound {
		t.Errorf("with influx: %v, want %v", got, InfluxFlushBound)
	}
	s := slowFlusher{gave: make(chan time.Duration, 1)}
	hook := flushAfterInvoke(s, 50*time.Millisecond, slog.New(slog.DiscardHandler))
	start := time.Now()
	hook(context.Background())
	if gave := <-s.gave; gave > 50*time.Millisecond || gave <= 0 {
		t.Errorf("the flush was given %v, want at most 50ms", gave)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the hook returned after %v: the bound did not hold", took)
	}
	if flushAfterInvoke(struct{ observe.Observer }{}, FlushBound, slog.New(slog.DiscardHandler)) != nil {
		t.Error("an observer that does not buffer got a flush hook")
	}
}
