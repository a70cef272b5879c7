// Package influx pushes points to an InfluxDB 1.x server
// ("telemetry/influx"): every period, one HTTP POST to the server's /write
// endpoint with the points of a [Source] in line protocol. The plan's
// source renders the telemetry/metrics registry with the measurement names
// and tags KrakenD's InfluxDB exporter uses.
//
// A server starts the pusher's loop ([Pusher.Start]); a Lambda function pushes
// from [Pusher.Flush], which it calls before each invocation returns. The
// Pusher is an observe.Observer whose request methods do nothing, so it
// joins the other telemetry of the plan without costing requests anything.
// A failed push is logged (at most once a minute) and dropped.
package influx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tributary-gw/tributary/core/observe"
)

// Bounds of a push.
const (
	// RequestTimeout bounds one push of a server.
	RequestTimeout = 10 * time.Second
	// maxErrorBody is how much of a failed response's body is kept for
	// the log line.
	maxErrorBody = 256
	// logEvery is the least time between two failure log lines.
	logEvery = time.Minute
)

// Options configure a Pusher.
type Options struct {
	// Address is the server's base URL (http or https); points are
	// POSTed to Address + "/write". Required.
	Address string
	// DB is the database. Required.
	DB string
	// Username and Password, when Username is not empty, are sent as HTTP
	// basic authentication. The password is never logged.
	Username, Password string
	// Period is the push period (ttl). Required, positive.
	Period time.Duration
	// Host is the "host" tag of every point. Default: os.Hostname().
	Host string
	// Client sends the pushes. Default: a client of its own.
	Client *http.Client
}

// Pusher pushes the points of a source. It is safe for concurrent use.
type Pusher struct {
	src    Source
	o      Options
	url    string
	client *http.Client
	logger atomic.Pointer[slog.Logger]

	pushMu   sync.Mutex       // one push at a time; guards last, failures, lastLog
	last     map[string]int64 // totals of the last successful push, for "count"
	failures int
	lastLog  time.Time
	lastPush atomic.Int64 // unix nanos of the last push attempt (or of New)

	stopOnce sync.Once
	stop     chan struct{}
	running  sync.WaitGroup
}

// New returns a pusher of src's points.
func New(src Source, o Options) (*Pusher, error) {
	if src == nil {
		return nil, errors.New("influx: no source of points")
	}
	u, err := url.Parse(o.Address)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("influx: invalid address %q", o.Address)
	}
	if o.DB == "" || o.Period <= 0 {
		return nil, errors.New("influx: a database and a positive period are required")
	}
	if o.Host == "" {
		o.Host, _ = os.Hostname()
	}
	q := url.Values{"db": {o.DB}, "precision": {"s"}}
	p := &Pusher{src: src, o: o, url: o.Address + "/write?" + q.Encode(), client: o.Client,
		last: map[string]int64{}, stop: make(chan struct{})}
	if p.client == nil {
		p.client = &http.Client{Timeout: RequestTimeout, Transport: &http.Transport{
			Proxy: http.ProxyFromEnvironment, MaxIdleConns: 2, IdleConnTimeout: 90 * time.Second,
			TLSHandshakeTimeout: 5 * time.Second, ResponseHeaderTimeout: 5 * time.Second,
		}}
	}
	p.lastPush.Store(time.Now().UnixNano())
	return p, nil
}

// SetLogger sets where failed pushes are reported. Default: nowhere.
func (p *Pusher) SetLogger(l *slog.Logger) { p.logger.Store(l) }

// Start pushes every period, from a goroutine of its own, until ctx ends
// or Shutdown is called (a server; a Lambda function uses Flush instead).
func (p *Pusher) Start(ctx context.Context) {
	p.running.Add(1)
	go func() {
		defer p.running.Done()
		t := time.NewTicker(p.o.Period)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-p.stop:
				return
			case <-t.C:
				pctx, cancel := context.WithTimeout(ctx, min(p.o.Period, RequestTimeout))
				_ = p.Push(pctx)
				cancel()
			}
		}
	}()
}

// FlushBound bounds a push made by Flush.
const FlushBound = time.Second

// Flush pushes when a period has passed since the last push; a Lambda
// function calls it before each invocation returns. The push is bounded
// by ctx and by FlushBound. Flush returns at once when another push is
// running.
func (p *Pusher) Flush(ctx context.Context) error {
	if time.Now().UnixNano()-p.lastPush.Load() < int64(p.o.Period) {
		return nil
	}
	if !p.pushMu.TryLock() {
		return nil
	}
	defer p.pushMu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, FlushBound)
	defer cancel()
	return p.push(ctx)
}

// Shutdown stops the loop of Start, makes a last push bounded by ctx and releases the
// idle connections.
func (p *Pusher) Shutdown(ctx context.Context) error {
	p.stopOnce.Do(func() { close(p.stop) })
	p.running.Wait()
	err := p.Push(ctx)
	p.client.CloseIdleConnections()
	return err
}

// Push sends the current metrics now. A failure is returned, logged at
// most once a minute, and the points are dropped.
func (p *Pusher) Push(ctx context.Context) error {
	p.pushMu.Lock()
	defer p.pushMu.Unlock()
	return p.push(ctx)
}

// push is Push with pushMu held.
func (p *Pusher) push(ctx context.Context) error {
	now := time.Now()
	p.lastPush.Store(now.UnixNano())
	next := make(map[string]int64, len(p.last))
	t, pts := p.src()
	body := appendLines(make([]byte, 0, 64*len(pts)), t, pts, p.o.Host, p.last, next)
	err := p.send(ctx, body)
	if err != nil {
		p.failures++
		if l := p.logger.Load(); l != nil && (p.lastLog.IsZero() || now.Sub(p.lastLog) >= logEvery) {
			l.LogAttrs(ctx, slog.LevelWarn, "telemetry/influx push failed; points dropped",
				slog.String("err", err.Error()), slog.Int("failures", p.failures))
			p.lastLog, p.failures = now, 0
		}
		return err
	}
	p.last = next
	return nil
}

// send POSTs one batch.
func (p *Pusher) send(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	if p.o.Username != "" {
		req.SetBasicAuth(p.o.Username, p.o.Password)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is in the message already known to the operator
		}
		return fmt.Errorf("POST %s/write: %w", p.o.Address, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // keep the connection reusable
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s/write: status %d: %s", p.o.Address, resp.StatusCode, strconv.QuoteToASCII(string(msg)))
	}
	return nil
}

// Begin implements observe.Observer: the pusher watches no request, its
// source is read at push time.
func (p *Pusher) Begin(ctx context.Context, _ *observe.Request) context.Context { return ctx }

// BackendStart implements observe.Observer.
func (p *Pusher) BackendStart(ctx context.Context, _ *observe.Request, _ *observe.Backend) context.Context {
	return ctx
}

// Inject implements observe.Observer; it adds nothing.
func (p *Pusher) Inject(context.Context, http.Header) {}

// Propagates implements observe.Observer: false.
func (p *Pusher) Propagates() bool { return false }

// BackendEnd implements observe.Observer.
func (p *Pusher) BackendEnd(context.Context, *observe.Request, *observe.Backend) {}

// End implements observe.Observer.
func (p *Pusher) End(context.Context, *observe.Request) {}

var (
	_ observe.Observer = (*Pusher)(nil)
	_ observe.Flusher  = (*Pusher)(nil)
)
