package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/tributary-gw/tributary/core/observe"
	"github.com/tributary-gw/tributary/core/plan"
)

// observerShutdownBound caps how long `tributary run` waits on exit for
// buffered telemetry (spans, metrics) to be sent.
const observerShutdownBound = 5 * time.Second

// startPrometheus starts one listener per telemetry/opentelemetry
// Prometheus exporter of o. The returned function stops them all, bounded
// by its context. An address already in use is an error (and whatever
// was started is stopped).
func startPrometheus(o observe.Observer, logger *slog.Logger) (func(context.Context), error) {
	var servers []*http.Server
	stop := func(ctx context.Context) {
		for _, s := range servers {
			if err := s.Shutdown(ctx); err != nil {
				_ = s.Close()
			}
		}
	}
	for _, l := range plan.PrometheusListeners(o) {
		ln, err := net.Listen("tcp", l.Address)
		if err != nil {
			stop(context.Background())
			return nil, fmt.Errorf("telemetry/opentelemetry Prometheus exporter %q: %w", l.Name, err)
		}
		srv := &http.Server{Handler: l.Handler, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
			WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute, MaxHeaderBytes: 16 << 10}
		servers = append(servers, srv)
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Warn("prometheus exporter stopped", "exporter", l.Name, "err", err)
			}
		}()
		logger.Info("prometheus exporter listening", "exporter", l.Name, "url", "http://"+ln.Addr().String()+"/metrics")
	}
	return stop, nil
}

// shutdownObserver flushes and stops an observer that buffers, bounded
// by observerShutdownBound.
func shutdownObserver(o observe.Observer, logger *slog.Logger) {
	f, ok := o.(observe.Flusher)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), observerShutdownBound)
	defer cancel()
	if err := f.Shutdown(ctx); err != nil {
		logger.Warn("telemetry not fully sent at shutdown", "err", err)
	}
}
