package redisstore

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/tributary-gw/tributary/core/stage"
)

// Defaults of Options.
const (
	// DefaultTimeout bounds one command, connecting included.
	DefaultTimeout = 50 * time.Millisecond
	// DefaultBreakerFailures is how many failed commands in a row open the
	// local breaker.
	DefaultBreakerFailures = 5
	// DefaultBreakerCooldown is how long an open breaker skips Redis
	// before one probe command is let through.
	DefaultBreakerCooldown = time.Second
	// DefaultLogEvery is the least time between two warnings.
	DefaultLogEvery = 10 * time.Second
	// DefaultRetryAfter is the wait a rate limit failing closed reports.
	DefaultRetryAfter = time.Second
	// DefaultConnMaxIdle is how long an idle connection may be reused.
	DefaultConnMaxIdle = 30 * time.Second
)

// ErrUnavailable is returned (wrapped) by Get, Set and Delete while the
// local breaker is open: Redis failed repeatedly and is not called.
var ErrUnavailable = errors.New("redis unavailable")

// Options configure New. Address is required; the zero value of every
// other field takes its default.
type Options struct {
	// Address is the server's host:port.
	Address string
	// DB is the database number.
	DB int
	// Username and Password authenticate the connections (AUTH, or an ACL
	// user on Redis 6+). They are never logged.
	Username, Password string
	// ClientName names the connections (CLIENT LIST).
	ClientName string
	// TLS, when not nil, connects over TLS with this configuration.
	TLS *tls.Config
	// PoolSize caps the open connections. Default: go-redis's (10 per
	// CPU).
	PoolSize int
	// Timeout bounds every command, dialling included. Default
	// DefaultTimeout.
	Timeout time.Duration
	// Prefix is put before every key, e.g. "tributary:my-gateway:", so
	// that several gateways can share one Redis.
	Prefix string
	// RateLimitFailClosed makes Take refuse (not ok, with RetryAfter) when
	// Redis cannot answer. Default: Take admits (fails open).
	RateLimitFailClosed bool
	// RetryAfter is the wait Take reports when it fails closed. Default
	// DefaultRetryAfter.
	RetryAfter time.Duration
	// BreakerFailures and BreakerCooldown tune the local breaker.
	// Defaults DefaultBreakerFailures and DefaultBreakerCooldown.
	BreakerFailures int
	BreakerCooldown time.Duration
	// Log receives the warnings. Default slog.Default().
	Log *slog.Logger
	// LogEvery is the least time between two warnings. Default
	// DefaultLogEvery.
	LogEvery time.Duration
}

// Store is a stage.Store kept in Redis. It is safe for concurrent use.
type Store struct {
	rdb        *redis.Client
	prefix     string
	timeout    time.Duration
	failClosed bool
	retryAfter time.Duration
	log        *slog.Logger
	logEvery   int64

	// Local breaker: failures in a row, the end of the open period (unix
	// nanoseconds, 0 while closed) and whether a probe is out.
	fails     atomic.Int64
	openUntil atomic.Int64
	probing   atomic.Bool
	maxFails  int64
	cooldown  time.Duration
	lastLog   atomic.Int64
	skipped   atomic.Int64
	failures  atomic.Int64
	now       func() time.Time
	closeOnce atomic.Bool
}

// New returns a store for the server o describes. Nothing is dialled
// until the first command.
func New(o Options) (*Store, error) {
	if o.Address == "" {
		return nil, errors.New("redis: no address")
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = DefaultRetryAfter
	}
	if o.BreakerFailures <= 0 {
		o.BreakerFailures = DefaultBreakerFailures
	}
	if o.BreakerCooldown <= 0 {
		o.BreakerCooldown = DefaultBreakerCooldown
	}
	if o.LogEvery <= 0 {
		o.LogEvery = DefaultLogEvery
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	// go-redis logs each failed dial itself, unbounded; the store logs
	// failures through its own rate-limited warning instead.
	quietLibrary.Do(func() { redis.SetLogger(quietLogger{}) })
	rdb := redis.NewClient(&redis.Options{
		Addr:                  o.Address,
		DB:                    o.DB,
		Username:              o.Username,
		Password:              o.Password,
		ClientName:            o.ClientName,
		TLSConfig:             o.TLS,
		PoolSize:              o.PoolSize,
		DialTimeout:           o.Timeout,
		ReadTimeout:           o.Timeout,
		WriteTimeout:          o.Timeout,
		PoolTimeout:           o.Timeout,
		ContextTimeoutEnabled: true,
		// A connection idle this long (by the wall clock, which keeps
		// running while a Lambda environment is frozen) is closed rather
		// than reused: NATs and load balancers drop idle flows silently,
		// and a dead connection would cost a failed command.
		ConnMaxIdleTime: DefaultConnMaxIdle,
		// One attempt per command: the caller's budget is the timeout,
		// and the breaker, not retries, deals with an outage.
		MaxRetries:      -1,
		DialerRetries:   1,
		DisableIdentity: true,
		MaintNotificationsConfig: &maintnotifications.Config{
			Mode: maintnotifications.ModeDisabled,
		},
	})
	return &Store{
		rdb:        rdb,
		prefix:     o.Prefix,
		timeout:    o.Timeout,
		failClosed: o.RateLimitFailClosed,
		retryAfter: o.RetryAfter,
		log:        o.Log,
		logEvery:   int64(o.LogEvery),
		maxFails:   int64(o.BreakerFailures),
		cooldown:   o.BreakerCooldown,
		now:        time.Now,
	}, nil
}

// quietLibrary silences go-redis's own logger once per process.
var quietLibrary sync.Once

// quietLogger drops go-redis's log lines.
type quietLogger struct{}

// Printf implements go-redis's logger interface.
func (quietLogger) Printf(context.Context, string, ...any) {}

// Close closes the connections.
func (s *Store) Close() error {
	if s.closeOnce.Swap(true) {
		return nil
	}
	return s.rdb.Close()
}

// Ping checks that the server answers within the timeout.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return s.rdb.Ping(ctx).Err()
}

// Failures is how many commands failed or were skipped by the breaker
// since the store was made.
func (s *Store) Failures() int64 { return s.failures.Load() }

// takeScript is a GCRA token bucket. KEYS[1] holds the theoretical
// arrival time (TAT) in microseconds of Redis's clock; ARGV are the
// emission interval in microseconds (1/rate), the burst and the tokens
// taken. A missing key is a full bucket. It returns {1, 0} when the
// tokens were taken, else {0, microseconds until they would be}. The key
// expires when the bucket would be full again, so idle clients cost
// nothing. It is made on first use, so that a gateway without Redis
// spends nothing on it at start.
var takeScript = sync.OnceValue(func() *redis.Script { return redis.NewScript(takeLua) })

const takeLua = `
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local new = tat + n * interval
local allow = new - burst * interval
if allow > now then
  return {0, math.ceil(allow - now)}
end
redis.call('SET', KEYS[1], string.format('%.0f', new), 'PX', math.ceil((new - now) / 1000) + 1)
return {1, 0}
`

// Take implements stage.Store with one script call: atomic across every
// process sharing the server. When Redis cannot answer it admits, or
// refuses with RetryAfter when RateLimitFailClosed is set; it never
// returns an error for an unavailable server.
func (s *Store) Take(ctx context.Context, key string, rate float64, burst, n int) (bool, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return false, 0, err
	}
	if n <= 0 {
		return true, 0, nil
	}
	if rate <= 0 || math.IsNaN(rate) || math.IsInf(rate, 0) || n > burst {
		return false, time.Duration(math.MaxInt64), nil
	}
	if !s.allow() {
		return s.takeFailed()
	}
	cctx, cancel := context.WithTimeout(ctx, s.timeout)
	interval := strconv.FormatFloat(1e6/rate, 'f', 3, 64)
	res, err := takeScript().Run(cctx, s.rdb, []string{s.prefix + key}, interval, burst, n).Int64Slice()
	cancel()
	if err == nil && len(res) != 2 {
		err = fmt.Errorf("redis: unexpected script reply %v", res)
	}
	if err != nil {
		if s.failed(ctx, err, "rate limit") {
			return s.takeFailed()
		}
		return false, 0, ctx.Err()
	}
	s.succeeded()
	if res[0] == 1 {
		return true, 0, nil
	}
	if res[1] >= math.MaxInt64/int64(time.Microsecond) {
		return false, time.Duration(math.MaxInt64), nil
	}
	return false, max(time.Duration(res[1])*time.Microsecond, time.Nanosecond), nil
}

// takeFailed applies the rate limits' failure policy.
func (s *Store) takeFailed() (bool, time.Duration, error) {
	if s.failClosed {
		return false, s.retryAfter, nil
	}
	return true, 0, nil
}

// Get implements stage.Store.
func (s *Store) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	if !s.allow() {
		return nil, false, ErrUnavailable
	}
	cctx, cancel := context.WithTimeout(ctx, s.timeout)
	b, err := s.rdb.Get(cctx, s.prefix+key).Bytes()
	cancel()
	if errors.Is(err, redis.Nil) {
		s.succeeded()
		return nil, false, nil
	}
	if err != nil {
		s.failed(ctx, err, "read")
		return nil, false, fmt.Errorf("redis get: %w", err)
	}
	s.succeeded()
	return b, true, nil
}

// Set implements stage.Store. A ttl ≤ 0 deletes key.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return s.Delete(ctx, key)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if !s.allow() {
		return ErrUnavailable
	}
	cctx, cancel := context.WithTimeout(ctx, s.timeout)
	err := s.rdb.Set(cctx, s.prefix+key, value, max(ttl, time.Millisecond)).Err()
	cancel()
	if err != nil {
		s.failed(ctx, err, "write")
		return fmt.Errorf("redis set: %w", err)
	}
	s.succeeded()
	return nil
}

// Delete implements stage.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !s.allow() {
		return ErrUnavailable
	}
	cctx, cancel := context.WithTimeout(ctx, s.timeout)
	err := s.rdb.Del(cctx, s.prefix+key).Err()
	cancel()
	if err != nil {
		s.failed(ctx, err, "delete")
		return fmt.Errorf("redis del: %w", err)
	}
	s.succeeded()
	return nil
}

// allow reports whether a command may be sent: the breaker is closed, or
// its cooldown is over and no other probe is out.
func (s *Store) allow() bool {
	until := s.openUntil.Load()
	if until == 0 {
		return true
	}
	if s.now().UnixNano() < until {
		s.failures.Add(1)
		s.skipped.Add(1)
		return false
	}
	if s.probing.CompareAndSwap(false, true) {
		return true
	}
	s.failures.Add(1)
	s.skipped.Add(1)
	return false
}

// succeeded closes the breaker.
func (s *Store) succeeded() {
	if s.fails.Load() != 0 {
		s.fails.Store(0)
	}
	if u := s.openUntil.Load(); u != 0 && s.openUntil.CompareAndSwap(u, 0) {
		s.probing.Store(false)
		s.log.Info("redis: available again")
	}
}

// failed counts a failed command and reports true, unless it failed
// because the caller's own context ended: that is not the server's fault
// and it reports false. A failed probe, or a run of failures, opens the
// breaker. The warning is rate-limited and never carries credentials.
func (s *Store) failed(ctx context.Context, err error, op string) bool {
	if ctx.Err() != nil {
		if s.probing.Load() {
			s.probing.Store(false) // a cancelled probe leaves the state as it is
		}
		return false
	}
	s.failures.Add(1)
	now := s.now()
	if n := s.fails.Add(1); n >= s.maxFails || s.probing.Load() {
		s.openUntil.Store(now.Add(s.cooldown).UnixNano())
		s.probing.Store(false)
	}
	last := s.lastLog.Load()
	if now.UnixNano()-last >= s.logEvery && s.lastLog.CompareAndSwap(last, now.UnixNano()) {
		s.log.Warn("redis: shared state unavailable, applying the failure policy",
			"op", op, "error", err.Error(), "skipped", s.skipped.Swap(0))
	}
	return true
}

var _ stage.Store = (*Store)(nil)
