// Package demo runs the demo backends that `tributary run` starts with the
// bundled config (config/gateway.json), so that
// `curl localhost:8080/frontpage/42` shows an aggregated document:
//
//   - catalog on [CatalogAddr]: GET /products, GET /marketing-promos
//   - users on [UsersAddr]: GET /users/{id}, GET /shopping-cart/{id} (ids 1–1000)
//
// Every endpoint answers pre-encoded JSON, accepts GET and HEAD only (405
// otherwise), and honours two query controls for trying timeouts and partial
// responses: ?delay_ms=N (0–5000) waits before answering, and ?fail=S
// (400–599) answers status S with a JSON error. Bad control values are a 400.
// The data is realistic but fake; credentials in it are labelled FAKE.
package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Default listen addresses of the demo services, matching the hosts of the
// bundled config.
const (
	CatalogAddr = "127.0.0.1:8001"
	UsersAddr   = "127.0.0.1:8002"
)

// Server limits of the demo services (security.md §2 rule 6).
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = MaxDelay + 10*time.Second
	idleTimeout       = 60 * time.Second
	maxHeaderBytes    = 64 << 10
)

// Backends are the running demo servers.
type Backends struct {
	servers   [2]*http.Server
	listeners [2]net.Listener
	cancel    context.CancelFunc // cancels every request context
	serving   sync.WaitGroup     // the Serve goroutines
	closeOnce sync.Once
	closeErr  error
}

// Start listens on the given addresses (empty means [CatalogAddr] and
// [UsersAddr]) and serves the catalog and users services until Close. An
// address that cannot be listened on, typically a port already in use, is an
// error naming the address and saying to use --no-demo or free the port;
// nothing is left listening then. A nil logger discards.
func Start(catalogAddr, usersAddr string, logger *slog.Logger) (*Backends, error) {
	if catalogAddr == "" {
		catalogAddr = CatalogAddr
	}
	if usersAddr == "" {
		usersAddr = UsersAddr
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	names := [2]string{"catalog", "users"}
	addrs := [2]string{catalogAddr, usersAddr}
	handlers := [2]http.Handler{CatalogHandler(), UsersHandler()}

	var lc net.ListenConfig
	b := &Backends{}
	for i, addr := range addrs {
		ln, err := lc.Listen(context.Background(), "tcp", addr)
		if err != nil {
			for _, open := range b.listeners[:i] {
				_ = open.Close() // best effort: the listen error is the one to report
			}
			return nil, fmt.Errorf("demo %s backend: cannot listen on %s (use --no-demo or free the port): %w",
				names[i], addr, err)
		}
		b.listeners[i] = ln
	}

	ctx, cancel := context.WithCancel(context.Background())
	b.cancel = cancel
	errorLog := slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	for i, h := range handlers {
		srv := &http.Server{
			Handler:           h,
			ReadHeaderTimeout: readHeaderTimeout,
			ReadTimeout:       readTimeout,
			WriteTimeout:      writeTimeout,
			IdleTimeout:       idleTimeout,
			MaxHeaderBytes:    maxHeaderBytes,
			BaseContext:       func(net.Listener) context.Context { return ctx },
			ErrorLog:          errorLog,
		}
		b.servers[i] = srv
		ln, name := b.listeners[i], names[i]
		b.serving.Add(1)
		go func() {
			defer b.serving.Done()
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				logger.Error("demo backend stopped", "backend", name, "error", err)
			}
		}()
		logger.Info("demo backend listening", "backend", name, "addr", ln.Addr().String())
	}
	return b, nil
}

// CatalogURL is the base URL of the running catalog service, e.g.
// "http://127.0.0.1:8001".
func (b *Backends) CatalogURL() string { return "http://" + b.listeners[0].Addr().String() }

// UsersURL is the base URL of the running users service, e.g.
// "http://127.0.0.1:8002".
func (b *Backends) UsersURL() string { return "http://" + b.listeners[1].Addr().String() }

// Close shuts both services down gracefully: it stops accepting, lets
// requests in flight finish, and returns once the servers have stopped. When
// ctx ends first, requests still running are cancelled, their connections
// closed, and the context's error is returned (wrapped). Calls after the
// first return the first result.
func (b *Backends) Close(ctx context.Context) error {
	b.closeOnce.Do(func() { b.closeErr = b.shutdown(ctx) })
	return b.closeErr
}

// shutdown does the work of Close.
func (b *Backends) shutdown(ctx context.Context) error {
	results := make(chan error, len(b.servers))
	for _, srv := range b.servers {
		go func() { results <- srv.Shutdown(ctx) }()
	}
	var err error
	for range b.servers {
		err = errors.Join(err, <-results)
	}
	b.cancel()
	if err != nil {
		for _, srv := range b.servers {
			err = errors.Join(err, srv.Close())
		}
	}
	b.serving.Wait()
	if err != nil {
		return fmt.Errorf("demo backends: shutdown: %w", err)
	}
	return nil
}
