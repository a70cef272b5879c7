package lambdaadapter

import (
	"context"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// traceKey is the context key under which aws-lambda-go's runtime loop
// stores the invocation's X-Ray trace header.
const traceKey = "x-amzn-trace-id"

// NewLogHandler wraps h so that every line logged with an invocation's
// context carries Lambda's correlation fields: "requestId", the AWS request
// id, and "xrayTraceId", the X-Ray trace id (the header's Root), when the
// invocation is traced. These are the field names of Lambda's JSON log
// format, so CloudWatch Logs Insights ties a "backend failed" line to the
// access line of the same request. Lines logged without an invocation's
// context (init, config warnings) pass through unchanged.
func NewLogHandler(h slog.Handler) slog.Handler { return &logHandler{h: h} }

// logHandler is the slog.Handler NewLogHandler returns.
type logHandler struct{ h slog.Handler }

// Enabled implements slog.Handler.
func (l *logHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return l.h.Enabled(ctx, level)
}

// Handle implements slog.Handler.
func (l *logHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx != nil {
		if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
			r.AddAttrs(slog.String("requestId", lc.AwsRequestID))
		}
		if v, ok := ctx.Value(traceKey).(string); ok {
			if id := traceRoot(v); id != "" {
				r.AddAttrs(slog.String("xrayTraceId", id))
			}
		}
	}
	return l.h.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (l *logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &logHandler{h: l.h.WithAttrs(attrs)}
}

// WithGroup implements slog.Handler.
func (l *logHandler) WithGroup(name string) slog.Handler {
	return &logHandler{h: l.h.WithGroup(name)}
}

// traceRoot returns the Root of an X-Ray trace header
// ("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=…;Sampled=1"), or "".
func traceRoot(header string) string {
	for part := range strings.SplitSeq(header, ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "Root="); ok {
			return v
		}
	}
	return ""
}
