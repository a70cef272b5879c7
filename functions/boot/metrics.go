package boot

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/tributary-gw/tributary/core/plan"
)

// Bounds of the stats a function logs: each line holds at most
// statsLineBytes of JSON (under the logger's own line cap) and one
// collection writes at most statsMaxLines lines.
const (
	statsLineBytes = 12 << 10
	statsMaxLines  = 32
)

// withStatsLog wraps h, in a function whose config has telemetry/metrics:
// a function opens no stats listener, so at the end of an invocation, once
// collection_time has passed since the last collection, the stats are
// written to the log instead. This happens before the handler returns,
// never between invocations.
func withStatsLog(h http.Handler, m *plan.Metrics, logger *slog.Logger) http.Handler {
	if m == nil {
		return h
	}
	logger.Warn("telemetry/metrics: a Lambda function opens no stats listener; the stats are written to the log every collection_time instead",
		"collection_time", m.Registry.CollectionTime().String(), "logged", m.Publish)
	if !m.Publish {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		logStatsIfDue(r, m, logger, time.Now())
	})
}

// logStatsIfDue writes the stats when collection_time has passed.
func logStatsIfDue(r *http.Request, m *plan.Metrics, logger *slog.Logger, now time.Time) {
	if !m.Registry.CollectIfDue(now) {
		return
	}
	chunks, dropped := m.Registry.Chunks(statsLineBytes, statsMaxLines)
	for i, c := range chunks {
		logger.LogAttrs(r.Context(), slog.LevelInfo, "telemetry/metrics stats",
			slog.String("part", strconv.Itoa(i+1)+"/"+strconv.Itoa(len(chunks))),
			slog.Any("stats", json.RawMessage(c)))
	}
	if dropped > 0 {
		logger.LogAttrs(r.Context(), slog.LevelWarn, "telemetry/metrics stats cut short",
			slog.Int("dropped_metrics", dropped))
	}
}
