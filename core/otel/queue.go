package otel

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// queue is a span processor with a bounded queue in front of one
// exporter. OnEnd never blocks: when the queue is full the span is
// dropped and counted. One goroutine exports batches, every interval or
// when a batch fills, and on Flush; a slow or dead collector only ever
// holds up that goroutine.
type queue struct {
	exp      sdktrace.SpanExporter
	ch       chan sdktrace.ReadOnlySpan
	batch    int
	interval time.Duration
	timeout  time.Duration
	dropped  atomic.Uint64
	failed   atomic.Uint64
	// reported is dropped at the last report (exporting goroutine only).
	reported uint64
	flush    chan flushReq
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once
	// base is cancelled when Shutdown gives up waiting, which ends an
	// export in flight.
	base   context.Context
	cancel context.CancelFunc
	report func(err error)
}

// errQueueFull is reported when spans were dropped since the last export.
var errQueueFull = errors.New("span queue full: spans dropped")

// flushReq asks the exporting goroutine to export everything queued.
type flushReq struct {
	ctx  context.Context
	done chan error
}

// newQueue starts the exporting goroutine of exp.
func newQueue(exp sdktrace.SpanExporter, size, batch int, interval, timeout time.Duration, report func(error)) *queue {
	q := &queue{exp: exp, ch: make(chan sdktrace.ReadOnlySpan, size), batch: batch, interval: interval,
		timeout: timeout, flush: make(chan flushReq), stop: make(chan struct{}), done: make(chan struct{}), report: report}
	q.base, q.cancel = context.WithCancel(context.Background())
	go q.run()
	return q
}

// OnStart does nothing: spans are only queued once they end.
func (q *queue) OnStart(context.Context, sdktrace.ReadWriteSpan) {}

// OnEnd queues a sampled span, or drops and counts it when the queue is
// full.
func (q *queue) OnEnd(s sdktrace.ReadOnlySpan) {
	if !s.SpanContext().IsSampled() {
		return
	}
	select {
	case q.ch <- s:
	default:
		q.dropped.Add(1)
	}
}

// ForceFlush exports what is queued, giving up when ctx ends.
func (q *queue) ForceFlush(ctx context.Context) error {
	req := flushReq{ctx: ctx, done: make(chan error, 1)}
	select {
	case q.flush <- req:
	case <-q.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Shutdown exports what is queued and stops, giving up when ctx ends
// (the export in flight is then cancelled and the goroutine still ends).
func (q *queue) Shutdown(ctx context.Context) error {
	q.once.Do(func() { close(q.stop) })
	var err error
	select {
	case <-q.done:
	case <-ctx.Done():
		err = ctx.Err()
		q.cancel()
		<-q.done
	}
	q.cancel()
	return errors.Join(err, q.exp.Shutdown(ctx))
}

// run is the exporting goroutine.
func (q *queue) run() {
	defer close(q.done)
	buf := make([]sdktrace.ReadOnlySpan, 0, q.batch)
	t := time.NewTimer(q.interval)
	defer t.Stop()
	send := func(ctx context.Context) error {
		if len(buf) == 0 {
			return nil
		}
		ctx, cancel := context.WithTimeout(ctx, q.timeout)
		stop := context.AfterFunc(q.base, cancel)
		err := q.exp.ExportSpans(ctx, buf)
		stop()
		cancel()
		if err != nil {
			q.failed.Add(uint64(len(buf)))
			q.report(err)
		}
		clear(buf)
		buf = buf[:0]
		if d := q.dropped.Load(); d != q.reported {
			q.reported = d
			q.report(errQueueFull)
		}
		return err
	}
	drain := func() {
		for {
			select {
			case s := <-q.ch:
				buf = append(buf, s)
			default:
				return
			}
		}
	}
	for {
		select {
		case s := <-q.ch:
			buf = append(buf, s)
			if len(buf) >= q.batch {
				_ = send(q.base)
			}
		case <-t.C:
			_ = send(q.base)
			t.Reset(q.interval)
		case req := <-q.flush:
			drain()
			req.done <- send(req.ctx)
		case <-q.stop:
			drain()
			_ = send(q.base)
			return
		}
	}
}
