package boot

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/observe"
	"github.com/tributary-gw/tributary/core/plan"
)

// FlushBound is the longest a Lambda invocation waits, after its response
// is ready, for buffered telemetry (spans, metrics: any observe.Flusher)
// to be sent. Telemetry that cannot be sent within it stays queued for the
// next invocation or is dropped; the response is never delayed longer.
const FlushBound = 300 * time.Millisecond

// InfluxFlushBound replaces FlushBound when the config has
// telemetry/influx: each invocation's push to InfluxDB may take up to 1 s,
// as KrakenD-format configs expect of a push before the handler returns.
const InfluxFlushBound = time.Second

// flushAfterInvoke returns the lambdaadapter AfterInvoke hook that
// flushes o, within bound, when it buffers, or nil when it does not.
func flushAfterInvoke(o observe.Observer, bound time.Duration, logger *slog.Logger) func(context.Context) {
	f, ok := o.(observe.Flusher)
	if !ok {
		return nil
	}
	return func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, bound) // and never past the invoke deadline
		defer cancel()
		if err := f.Flush(ctx); err != nil {
			logger.Debug("telemetry flush incomplete", "error", err.Error(), "bound", bound.String())
		}
	}
}

// flushBound is the flush bound of plan p's telemetry.
func flushBound(p *plan.Plan) time.Duration {
	if p.Influx != nil {
		return InfluxFlushBound
	}
	return FlushBound
}

// setObserverLogger hands the gateway's logger to an observer that logs
// (telemetry/opentelemetry's rate-limited export problems).
func setObserverLogger(o observe.Observer, logger *slog.Logger) {
	if s, ok := o.(interface{ SetLogger(*slog.Logger) }); ok {
		s.SetLogger(logger)
	}
}

// lambdaRefusals are the config features a Lambda function cannot serve:
// a Prometheus exporter needs a second listener, which a function does
// not have.
func lambdaRefusals(cfg *config.Config) error {
	o := cfg.OpenTelemetry
	if o == nil {
		return nil
	}
	for _, p := range o.Prometheus {
		if !p.DisableMetrics {
			return fmt.Errorf("telemetry/opentelemetry: the Prometheus exporter %q needs its own listener (%s), which a Lambda function cannot serve; remove it (or set its disable_metrics) and push metrics with an OTLP exporter, or serve the gateway with `tributary run`",
				p.Name, p.Address())
		}
	}
	return nil
}
