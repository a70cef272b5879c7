package httpadapter

import (
	"log/slog"
	"net"
	"net/http"
	"strconv"

	"github.com/tributary-gw/tributary/core/plan"
)

// NewServer returns an http.Server for h with every timeout and cap set
// from the plan's server settings (security.md §2 rule 6; Go's zero values
// mean "no limit"). port overrides cfg.Port when positive. Serve it on a
// listener wrapped by WrapListener, so that the answers net/http gives on
// its own are JSON like every other.
func NewServer(h http.Handler, cfg plan.Server, port int, logger *slog.Logger) *http.Server {
	if port <= 0 {
		port = cfg.Port
	}
	host := ""
	if cfg.ListenIP.IsValid() {
		host = cfg.ListenIP.String()
	}
	var errLog *slog.Logger
	if logger != nil {
		errLog = logger.With("component", "http.Server")
	}
	s := &http.Server{
		Addr:              net.JoinHostPort(host, strconv.Itoa(port)),
		Handler:           h,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
	}
	if errLog != nil {
		s.ErrorLog = slog.NewLogLogger(errLog.Handler(), slog.LevelWarn)
	}
	return s
}
