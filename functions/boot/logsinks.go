package boot

import (
	"context"
	"time"

	"github.com/tributary-gw/tributary/core/telemetry"
)

// LogFlushBound is the longest a Lambda invocation waits, after its
// response is ready, for its log lines to leave through the network log
// outputs (telemetry/gelf); lines not sent by then go out when the
// function next runs.
const LogFlushBound = 100 * time.Millisecond

// withLogSinksFlush extends the AfterInvoke hook after with a bounded
// flush of the network log outputs, run last so that it also carries what
// after logged. It returns after itself when there are no such outputs.
func withLogSinksFlush(after func(context.Context), sinks *telemetry.Sinks) func(context.Context) {
	if sinks == nil {
		return after
	}
	return func(ctx context.Context) {
		if after != nil {
			after(ctx)
		}
		ctx, cancel := context.WithTimeout(ctx, LogFlushBound)
		defer cancel()
		_ = sinks.Flush(ctx)
	}
}
