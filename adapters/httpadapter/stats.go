package httpadapter

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
)

// StatsPath is where the telemetry/metrics listener serves the stats;
// StatsPath+"/" answers the same.
const StatsPath = "/__stats"

// StatsHandler serves the telemetry/metrics stats of m: GET or HEAD on
// StatsPath (with or without the trailing slash) answers 200 with one flat
// JSON object, rendered on each request from the live counters; any other
// path is a 404 and any other method a 405, both as JSON errors.
func StatsHandler(m *plan.Metrics) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != StatsPath && r.URL.Path != StatsPath+"/" {
			writeStatsError(w, http.StatusNotFound, "not_found", "the stats listener serves "+StatsPath+" only")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeStatsError(w, http.StatusMethodNotAllowed, "method_not_allowed", "method not allowed on "+StatsPath)
			return
		}
		body := m.Registry.AppendJSON(nil)
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write(body)
		}
	})
}

func writeStatsError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(exec.ErrorBody(code, msg))
}

// NewStatsServer returns the http.Server of the stats listener, on m's
// listen_address, with fixed timeouts and a small header cap: it serves
// one small read-only document.
func NewStatsServer(m *plan.Metrics, logger *slog.Logger) *http.Server {
	s := &http.Server{
		Addr:              m.ListenAddress,
		Handler:           StatsHandler(m),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	if logger != nil {
		s.ErrorLog = slog.NewLogLogger(logger.With("component", "stats server").Handler(), slog.LevelWarn)
	}
	return s
}
