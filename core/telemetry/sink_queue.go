package telemetry

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Bounds of a network log sink.
const (
	// sinkQueueLen is how many formatted lines wait for a sink's sender;
	// a line logged while the queue is full is dropped.
	sinkQueueLen = 1024
	// sinkIOTimeout bounds one connect or one write of a sink.
	sinkIOTimeout = 2 * time.Second
	// sinkRedial is the least time between two connection attempts after
	// a failure: lines logged in between are dropped.
	sinkRedial = time.Second
	// sinkReportEvery is the least time between two reports of dropped
	// lines.
	sinkReportEvery = time.Minute
)

// transport sends formatted lines for a queue. Its methods run on the
// queue's goroutine only.
type transport interface {
	// send delivers one line, connecting first if needed.
	send(line []byte, sev int) error
	// close releases the connection, if any.
	close()
}

// queuedLine is one formatted line and its syslog severity, or a flush
// marker (flushed set), closed once every line queued before it is dealt
// with.
type queuedLine struct {
	line    []byte
	sev     int
	flushed chan struct{}
}

// queue decouples a network sink from the goroutines that log: enqueue
// never blocks (a full queue drops the line), and one goroutine sends.
type queue struct {
	name    string
	ch      chan queuedLine
	stop    chan struct{}
	done    chan struct{}
	closing sync.Once
	closed  atomic.Bool
	dropped atomic.Int64
	t       transport
	// report writes a warning about the sink to the logger's main output
	// (never to a network sink, which could be the failing one).
	report func(msg string, dropped int64, err error)

	lastReport time.Time // sender goroutine only
	lastFail   time.Time // sender goroutine only
	lastErr    error     // sender goroutine only
}

// newQueue starts the sender of t.
func newQueue(name string, t transport, report func(string, int64, error)) *queue {
	q := &queue{name: name, ch: make(chan queuedLine, sinkQueueLen), stop: make(chan struct{}),
		done: make(chan struct{}), t: t, report: report}
	go q.run()
	return q
}

// enqueue hands line to the sender without waiting; it reports false when
// the line was dropped.
func (q *queue) enqueue(line []byte, sev int) bool {
	if q.closed.Load() {
		q.dropped.Add(1)
		return false
	}
	select {
	case q.ch <- queuedLine{line: line, sev: sev}:
		return true
	default:
		q.dropped.Add(1)
		return false
	}
}

func (q *queue) run() {
	defer close(q.done)
	defer q.t.close()
	for {
		select {
		case l := <-q.ch:
			q.deliver(l)
		case <-q.stop:
			for {
				select {
				case l := <-q.ch:
					q.deliver(l)
				default:
					q.maybeReport(true)
					return
				}
			}
		}
	}
}

// deliver sends one line. After a failure it drops lines for sinkRedial
// instead of reconnecting for each, so a dead receiver costs one attempt
// per second.
func (q *queue) deliver(l queuedLine) {
	if l.flushed != nil {
		close(l.flushed)
		return
	}
	now := time.Now()
	if q.lastErr != nil && now.Sub(q.lastFail) < sinkRedial {
		q.dropped.Add(1)
		q.maybeReport(false)
		return
	}
	if err := q.t.send(l.line, l.sev); err != nil {
		q.t.close()
		q.lastErr, q.lastFail = err, now
		q.dropped.Add(1)
	} else {
		q.lastErr = nil
	}
	q.maybeReport(false)
}

// maybeReport reports the dropped lines, at most once per
// sinkReportEvery unless final.
func (q *queue) maybeReport(final bool) {
	n := q.dropped.Load()
	if n == 0 || q.report == nil {
		return
	}
	now := time.Now()
	if !final && !q.lastReport.IsZero() && now.Sub(q.lastReport) < sinkReportEvery {
		return
	}
	q.lastReport = now
	q.dropped.Add(-n)
	q.report(q.name+" log sink dropped lines", n, q.lastErr)
}

// flush waits until the lines queued before the call are sent or dropped,
// giving up when ctx ends.
func (q *queue) flush(ctx context.Context) error {
	if q.closed.Load() {
		return nil
	}
	m := make(chan struct{})
	select {
	case q.ch <- queuedLine{flushed: m}:
	case <-ctx.Done():
		return ctx.Err()
	case <-q.done:
		return nil
	}
	select {
	case <-m:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-q.done:
		return nil
	}
}

// shutdown stops accepting lines, sends those queued and waits for the
// sender, giving up when ctx ends (the sender then stops after its current
// write, bounded by sinkIOTimeout).
func (q *queue) shutdown(ctx context.Context) error {
	q.closing.Do(func() {
		q.closed.Store(true)
		close(q.stop)
	})
	select {
	case <-q.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
