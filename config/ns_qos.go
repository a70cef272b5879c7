package config

import (
	"math"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// Client key strategies of qos/ratelimit/router.
const (
	// RateLimitByIP keys clients by their address.
	RateLimitByIP = "ip"
	// RateLimitByHeader keys clients by the value of a request header.
	RateLimitByHeader = "header"
	// RateLimitByParam keys clients by the value of a path parameter.
	RateLimitByParam = "param"
)

// Bounds of the QoS options: large enough for any real deployment, small
// enough that token arithmetic in float64 stays exact.
const (
	// MaxRateLimitRate bounds max_rate and client_max_rate.
	MaxRateLimitRate = 1e9
	// MaxRateLimitCapacity bounds capacity and client_capacity.
	MaxRateLimitCapacity = 1_000_000_000
	// MaxBreakerSeconds bounds the breaker's interval and timeout (a day).
	MaxBreakerSeconds = 86400
	// MaxBreakerErrors bounds max_errors.
	MaxBreakerErrors = 1_000_000
)

// RouterRateLimit is the "qos/ratelimit/router" namespace (§17.4): an
// endpoint-wide token bucket, a token bucket per client, or both.
type RouterRateLimit struct {
	// MaxRate is max_rate: endpoint-wide tokens added per Every; 0 = no
	// endpoint limit. Default 0.
	MaxRate float64
	// Capacity is capacity: the endpoint bucket's size. Default
	// max(1, ⌊MaxRate × 1s ÷ Every⌋).
	Capacity int64
	// ClientMaxRate is client_max_rate: tokens added per Every to each
	// client's bucket; 0 = no client limit. Default 0.
	ClientMaxRate float64
	// ClientCapacity is client_capacity: each client bucket's size.
	// Default max(1, ⌊ClientMaxRate × 1s ÷ Every⌋).
	ClientCapacity int64
	// Every is every: the refill period of both rates, at least 1s.
	// Default 1s.
	Every time.Duration
	// Strategy is strategy: how clients are told apart, one of
	// RateLimitByIP, RateLimitByHeader or RateLimitByParam. Required when
	// ClientMaxRate > 0; "" otherwise.
	Strategy string
	// Key is key: the header name (header strategy; canonical form), the
	// path parameter name (param strategy), or an optional header the
	// client address is read from (ip strategy). Default "".
	Key string
	// NumShards is num_shards, accepted for compatibility (the client
	// buckets live in the gateway's sharded state store). Default 2048.
	NumShards int64
	// CleanupPeriod is cleanup_period, accepted for compatibility (idle
	// buckets are dropped as soon as they are full again). Default 1m.
	CleanupPeriod time.Duration
	// CleanupThreads is cleanup_threads, accepted for compatibility.
	// Default 1.
	CleanupThreads int64
}

// ProxyRateLimit is the "qos/ratelimit/proxy" namespace (§17.5): one
// token bucket for the calls to a backend.
type ProxyRateLimit struct {
	// MaxRate is max_rate: tokens added per Every (required, > 0).
	MaxRate float64
	// Capacity is capacity: the bucket's size (required, ≥ 1).
	Capacity int64
	// Every is every: the refill period, at least 1s. Default 1s.
	Every time.Duration
}

// CircuitBreaker is the "qos/circuit-breaker" namespace (§17.6).
type CircuitBreaker struct {
	// Interval is interval (whole seconds, required, ≥ 1): while closed,
	// the failure count starts again every Interval.
	Interval time.Duration
	// Timeout is timeout (whole seconds, required, ≥ 1): how long the
	// breaker stays open before it lets one probe call through.
	Timeout time.Duration
	// MaxErrors is max_errors (required, ≥ 1): the breaker opens when
	// more than MaxErrors consecutive calls failed.
	MaxErrors int64
	// Name is name: the label of the breaker's log lines. Default "".
	Name string
	// LogStatusChange is log_status_change: log every state change.
	// Default false.
	LogStatusChange bool
}

// rateNumber decodes a non-negative, finite rate (a JSON number, fractions
// allowed) no larger than MaxRateLimitRate.
func (l *loader) rateNumber(n *node, base, key string) (float64, bool) {
	if n.kind != kindNumber {
		hint := ""
		if n.kind == kindString && isJSONNumber(n.text) {
			hint = "numbers are not strings; remove the quotes"
		}
		l.wrongType(n, base, key, "a number", hint)
		return 0, false
	}
	v, err := strconv.ParseFloat(n.text, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		l.errNode(n, keyPath(base, key), "number "+n.text+" out of range", "")
		return 0, false
	}
	switch {
	case v < 0:
		l.errNode(n, keyPath(base, key), "rate "+n.text+" must not be negative", "")
		return 0, false
	case v > MaxRateLimitRate:
		l.errNode(n, keyPath(base, key), "rate "+n.text+" out of range; must be at most 1e9", "")
		return 0, false
	}
	return v, true
}

// refillPeriod decodes "every": a duration of at least one second.
func (l *loader) refillPeriod(n *node, base, key string) (time.Duration, bool) {
	d, ok := l.duration(n, base, key)
	if !ok {
		return 0, false
	}
	if d < time.Second {
		l.errNode(n, keyPath(base, key), "every "+quoteJSON(n.text)+" is shorter than 1s",
			`KrakenD silently uses 1s; write "1s" or longer`)
		return 0, false
	}
	return d, true
}

// defaultCapacity is the bucket size a rate gets when none is given:
// max(1, ⌊rate × 1s ÷ every⌋).
func defaultCapacity(rate float64, every time.Duration) int64 {
	c := math.Floor(rate * float64(time.Second) / float64(every))
	if c < 1 {
		return 1
	}
	return int64(c)
}

// routerRateLimit decodes "qos/ratelimit/router" (§17.4).
func (l *loader) routerRateLimit(e *Endpoint, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	rl := &RouterRateLimit{Every: time.Second, NumShards: 2048, CleanupPeriod: time.Minute, CleanupThreads: 1}
	var capSet, clientCapSet bool
	var strategyNode, keyNode, capNode, clientCapNode *node
	ok := true
	errsBefore := l.errorCount()
	fail := func(good bool) {
		if !good {
			ok = false
		}
	}
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "max_rate":
			r, good := l.rateNumber(mv, path, m.key)
			rl.MaxRate = r
			fail(good)
		case "client_max_rate":
			r, good := l.rateNumber(mv, path, m.key)
			rl.ClientMaxRate = r
			fail(good)
		case "capacity":
			n, good := l.intRange(mv, path, m.key, 1, MaxRateLimitCapacity)
			rl.Capacity, capSet, capNode = n, good, mv
			fail(good)
		case "client_capacity":
			n, good := l.intRange(mv, path, m.key, 1, MaxRateLimitCapacity)
			rl.ClientCapacity, clientCapSet, clientCapNode = n, good, mv
			fail(good)
		case "every":
			d, good := l.refillPeriod(mv, path, m.key)
			if good {
				rl.Every = d
			}
			fail(good)
		case "strategy":
			s, good := l.str(mv, path, m.key)
			if good {
				switch s {
				case RateLimitByIP, RateLimitByHeader, RateLimitByParam:
					rl.Strategy = s
					strategyNode = mv
				default:
					hint := `use "ip", "header" or "param"`
					if sug, _ := suggest(s, []string{RateLimitByIP, RateLimitByHeader, RateLimitByParam}); sug != "" {
						hint = "did you mean " + quoteJSON(sug) + "?"
					}
					l.errNode(mv, keyPath(path, m.key), "unknown strategy "+quoteJSON(s), hint)
					good = false
				}
			}
			fail(good)
		case "key":
			s, good := l.str(mv, path, m.key)
			if good {
				rl.Key, keyNode = s, mv
			}
			fail(good)
		case "num_shards":
			n, good := l.intRange(mv, path, m.key, 1, 1<<20)
			if good {
				rl.NumShards = n
			}
			fail(good)
		case "cleanup_period":
			d, good := l.limitDuration(mv, path, m.key)
			if good {
				rl.CleanupPeriod = d
			}
			fail(good)
		case "cleanup_threads":
			n, good := l.intRange(mv, path, m.key, 1, 1024)
			if good {
				rl.CleanupThreads = n
			}
			fail(good)
		default:
			l.unknownKey(objRateLimitRouter, path, m)
		}
	}
	if !ok || l.errorCount() != errsBefore {
		return
	}
	if rl.MaxRate == 0 && rl.ClientMaxRate == 0 {
		l.errNode(v, path, "no rate set", "set max_rate (the whole endpoint), client_max_rate (each client), or both")
		return
	}
	if capSet && rl.MaxRate == 0 {
		l.warnAt(capNode.pos, keyPath(path, "capacity"), "capacity has no effect without max_rate", "")
	}
	if clientCapSet && rl.ClientMaxRate == 0 {
		l.warnAt(clientCapNode.pos, keyPath(path, "client_capacity"), "client_capacity has no effect without client_max_rate", "")
	}
	if !capSet {
		rl.Capacity = defaultCapacity(rl.MaxRate, rl.Every)
	}
	if !clientCapSet {
		rl.ClientCapacity = defaultCapacity(rl.ClientMaxRate, rl.Every)
	}
	if rl.ClientMaxRate == 0 {
		if rl.Strategy != "" {
			l.warnAt(strategyNode.pos, keyPath(path, "strategy"), "strategy has no effect without client_max_rate", "")
		}
		e.RateLimit = rl
		return
	}
	switch rl.Strategy {
	case "":
		l.errNode(v, path, "client_max_rate needs a strategy",
			`add "strategy": "ip", "header" or "param" (KrakenD silently skips the client limit)`)
		return
	case RateLimitByHeader:
		if rl.Key == "" {
			l.errNode(v, path, `strategy "header" needs a key`, `name the header, e.g. "key": "X-Api-Key"`)
			return
		}
		if !httpsyntax.IsToken(rl.Key) {
			l.errNode(keyNode, keyPath(path, "key"), "invalid header name "+quoteJSON(rl.Key), "")
			return
		}
		rl.Key = textproto.CanonicalMIMEHeaderKey(rl.Key)
	case RateLimitByParam:
		if rl.Key == "" {
			l.errNode(v, path, `strategy "param" needs a key`, `name a placeholder of the endpoint, e.g. "key": "id_user"`)
			return
		}
	case RateLimitByIP:
		if rl.Key != "" {
			if !httpsyntax.IsToken(rl.Key) {
				l.errNode(keyNode, keyPath(path, "key"), "invalid header name "+quoteJSON(rl.Key), "")
				return
			}
			rl.Key = textproto.CanonicalMIMEHeaderKey(rl.Key)
			l.warnAt(keyNode.pos, keyPath(path, "key"), "the client address is read from the "+rl.Key+" header, which clients can set",
				"use it only when a trusted proxy sets that header and drops the client's copy")
		}
	}
	e.RateLimit = rl
}

// proxyRateLimit decodes "qos/ratelimit/proxy" (§17.5).
func (l *loader) proxyRateLimit(b *Backend, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	rl := &ProxyRateLimit{Every: time.Second}
	var rateSet, capSet bool
	ok := true
	errsBefore := l.errorCount()
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "max_rate":
			r, good := l.rateNumber(mv, path, m.key)
			if good && r == 0 {
				l.errNode(mv, keyPath(path, m.key), "max_rate must be greater than 0", "remove the namespace to call the backend without a limit")
				good = false
			}
			rl.MaxRate, rateSet = r, good
			ok = ok && good
		case "capacity":
			n, good := l.intRange(mv, path, m.key, 1, MaxRateLimitCapacity)
			rl.Capacity, capSet = n, good
			ok = ok && good
		case "every":
			d, good := l.refillPeriod(mv, path, m.key)
			if good {
				rl.Every = d
			}
			ok = ok && good
		default:
			l.unknownKey(objRateLimitProxy, path, m)
		}
	}
	if !ok || l.errorCount() != errsBefore {
		return
	}
	if !rateSet {
		l.errNode(v, path, `missing required key "max_rate"`, "the calls allowed per every (default 1s)")
		return
	}
	if !capSet {
		l.errNode(v, path, `missing required key "capacity"`, "the bucket size: how many calls may burst at once")
		return
	}
	b.RateLimit = rl
}

// circuitBreaker decodes "qos/circuit-breaker" (§17.6).
func (l *loader) circuitBreaker(b *Backend, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	cb := &CircuitBreaker{}
	var interval, timeout, maxErrors bool
	ok := true
	errsBefore := l.errorCount()
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "interval":
			n, good := l.seconds(mv, path, m.key)
			cb.Interval, interval = n, good
			ok = ok && good
		case "timeout":
			n, good := l.seconds(mv, path, m.key)
			cb.Timeout, timeout = n, good
			ok = ok && good
		case "max_errors":
			n, good := l.intRange(mv, path, m.key, 1, MaxBreakerErrors)
			cb.MaxErrors, maxErrors = n, good
			ok = ok && good
		case "name":
			s, good := l.str(mv, path, m.key)
			cb.Name = s
			ok = ok && good
		case "log_status_change":
			on, good := l.boolean(mv, path, m.key)
			cb.LogStatusChange = on
			ok = ok && good
		default:
			l.unknownKey(objCircuitBreaker, path, m)
		}
	}
	if !ok || l.errorCount() != errsBefore {
		return
	}
	for _, req := range []struct {
		set  bool
		key  string
		hint string
	}{
		{interval, "interval", "the window, in whole seconds, over which failures are counted"},
		{timeout, "timeout", "how long, in whole seconds, the breaker stays open"},
		{maxErrors, "max_errors", "the breaker opens after more than this many consecutive failures"},
	} {
		if !req.set {
			l.errNode(v, path, "missing required key "+quoteJSON(req.key), req.hint)
			ok = false
		}
	}
	if ok {
		b.CircuitBreaker = cb
	}
}

// seconds decodes a whole number of seconds, 1 to MaxBreakerSeconds.
func (l *loader) seconds(n *node, base, key string) (time.Duration, bool) {
	if n.kind == kindString && !isDecimalInteger(n.text) {
		l.errNode(n, keyPath(base, key), "expected whole seconds as an integer, got a string",
			"write a number of seconds, e.g. 60 (not a duration string)")
		return 0, false
	}
	v, ok := l.intRange(n, base, key, 1, MaxBreakerSeconds)
	if !ok {
		return 0, false
	}
	return time.Duration(v) * time.Second, true
}

// errorCount is how many errors were reported so far, kept or not; a QoS
// decoder compares it before and after its walk to skip cross-checks on
// an object that already has errors.
func (l *loader) errorCount() int { return len(l.errs) + l.errsDropped }

// LambdaStateNote is the note `tributary sam generate` prints for a
// config with rate limits or circuit breakers: their state lives in one
// process, which on Lambda is one execution environment. It returns ""
// when the config has neither.
func (c *Config) LambdaStateNote() string {
	var router, proxy, breakers, shadows int
	for _, e := range c.Endpoints {
		if e.RateLimit != nil {
			router++
		}
		for _, b := range e.Backends {
			if b.Shadow {
				shadows++
			}
			if b.RateLimit != nil {
				proxy++
			}
			if b.CircuitBreaker != nil {
				breakers++
			}
		}
	}
	var parts []string
	if router > 0 {
		parts = append(parts, "qos/ratelimit/router on "+plural(router, "endpoint"))
	}
	if proxy > 0 {
		parts = append(parts, "qos/ratelimit/proxy on "+plural(proxy, "backend"))
	}
	note := ""
	if len(parts) > 0 {
		note = "rate limits (" + strings.Join(parts, ", ") + ") count per Lambda execution environment: " +
			"N warm environments admit about N times the configured rate; for a hard limit use API Gateway throttling, usage plans or WAF"
	}
	if breakers > 0 {
		if note != "" {
			note += "; "
		}
		note += "circuit breakers (" + plural(breakers, "backend") + ") open and close in each execution environment on their own"
	}
	if shadows > 0 {
		if note != "" {
			note += "; "
		}
		note += "shadow traffic (" + plural(shadows, "backend") + ") is best-effort: shadow calls still running when the response is ready are cancelled"
	}
	return note
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
