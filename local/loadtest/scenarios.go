package main

// scenario is one side-by-side comparison: the gateway serving
// GatewayPath against the stub backend serving DirectPath.
type scenario struct {
	// Name is the config name and the -scenarios key.
	Name string
	// Title says what is measured.
	Title string
	// DirectPath is requested from the stub backend itself.
	DirectPath string
	// GatewayPath is requested from the gateway.
	GatewayPath string
	// MinRatio is the goal for gateway req/s ÷ direct req/s.
	MinRatio float64
	// MaxRSS is the goal for the gateway's peak RSS under load, in bytes.
	MaxRSS uint64
	// Peer is the reference peer's figure, printed next to the goal.
	Peer string
	// ProxyGoal, when set, is the goal for this scenario's ratio ÷ the
	// proxy scenario's ratio in the same run: the cost of the feature it
	// adds to the proxy endpoint.
	ProxyGoal float64
	// Headers are sent with every request, to the backend and to the
	// gateway alike, by every generator.
	Headers []header
	// Token adds "Authorization: Bearer <token>" to Headers, with the
	// token the harness signs at start (see authFixture).
	Token bool
}

// browserOrigin is the Origin the browser-like scenarios send, and the one
// origin their CORS config allows.
const browserOrigin = "https://app.example.com"

const mib = 1 << 20

// scenarios returns the comparisons, in run order: the three of issue 4,
// the rate-limited proxy and the browser-facing and JWT-secured proxies
// (issue 11).
func scenarios() []scenario {
	return []scenario{
		{
			Name: "proxy", Title: "GET /users/{id}: 300 B object passed through, no shaping",
			DirectPath: "/users/1", GatewayPath: "/users/1",
			MinRatio: 0.5, MaxRSS: 40 * mib, Peer: "KrakenD CE 2.13: 0.18–0.19",
		},
		{
			// The proxy endpoint behind an endpoint limit and a per-client
			// limit (by IP: every generator connection is one client, the
			// most contended case) set far above the offered load: what
			// admitting a request through two token buckets costs. Goal:
			// at least 0.95 × the proxy scenario's ratio in the same run
			// (0.95 × 0.5 here as the absolute floor).
			Name: "limited", Title: "GET /users/{id}: the proxy scenario behind endpoint + client rate limits far above the load",
			DirectPath: "/users/1", GatewayPath: "/users/1",
			MinRatio: 0.475, MaxRSS: 40 * mib, Peer: "goal: ≥ 0.95 × proxy's ratio",
			ProxyGoal: 0.95,
		},
		{
			// The proxy endpoint behind service-level CORS (an allowed
			// origin) and six security headers, requested as a browser
			// would (with Origin). Goal: CORS and the security headers
			// cost at most 3 % of the proxy's ratio.
			Name: "webheaders", Title: "GET /users/{id}: the proxy scenario with CORS and security headers, requests with Origin",
			DirectPath: "/users/1", GatewayPath: "/users/1",
			MinRatio: 0.485, MaxRSS: 40 * mib, Peer: "goal: ≥ 0.97 × proxy's ratio",
			ProxyGoal: 0.97, Headers: []header{{"Origin", browserOrigin}},
		},
		{
			// webheaders plus an RS256 JWT validated on every request:
			// key lookup, signature, exp/iss/aud and roles.
			Name: "secured", Title: "GET /users/{id}: webheaders + RS256 JWT validation (iss, aud, roles) on every request",
			DirectPath: "/users/1", GatewayPath: "/users/1",
			MinRatio: 0.2, MaxRSS: 40 * mib, Peer: "KrakenD CE 2.12.1: 0.113",
			Headers: []header{{"Origin", browserOrigin}}, Token: true,
		},
		{
			// secured with the verified-token cache: the signature is
			// checked once, the claims on every request. Goal: at least
			// 0.8 × the proxy's ratio (0.8 × 0.5 as the absolute floor).
			Name: "secured-cached", Title: "GET /users/{id}: secured + verified-token cache (tributary.jwt_cache)",
			DirectPath: "/users/1", GatewayPath: "/users/1",
			MinRatio: 0.4, MaxRSS: 40 * mib, Peer: "goal: ≥ 0.8 × proxy's ratio",
			ProxyGoal: 0.8, Headers: []header{{"Origin", browserOrigin}}, Token: true,
		},
		{
			// telemetry/opentelemetry configured but sampling nothing and
			// its OTLP collector unreachable: what a switched-on but idle
			// tracer costs. Goal: at least 0.95 × the proxy's ratio.
			Name: "traced-off", Title: "GET /users/{id}: the proxy scenario with OpenTelemetry at sample rate 0, collector unreachable",
			DirectPath: "/users/1", GatewayPath: "/users/1",
			MinRatio: 0.475, MaxRSS: 48 * mib, Peer: "goal: ≥ 0.95 × proxy's ratio",
			ProxyGoal: 0.95,
		},
		{
			// Every request traced (a span per request, endpoint and
			// backend call, W3C traceparent sent to the backend), metrics
			// served to Prometheus, the OTLP collector unreachable: the
			// spans are queued, then dropped and counted. Reported, no
			// goal.
			Name: "traced", Title: "GET /users/{id}: the proxy scenario with OpenTelemetry at 100 % sampling and a Prometheus listener",
			DirectPath: "/users/1", GatewayPath: "/users/1",
			MinRatio: 0.2, MaxRSS: 64 * mib, Peer: "cost reported",
			ProxyGoal: 0.01,
		},
		{
			Name: "aggregate", Title: "GET /frontpage/{id}: 4 backends merged into ~13 KB (direct = /users/{id})",
			DirectPath: "/users/1", GatewayPath: "/frontpage/1",
			MinRatio: 0.08, MaxRSS: 40 * mib, Peer: "KrakenD CE 2.13: 0.027",
		},
		{
			// Two backends called one after the other, the second's URL
			// built from a value of the first's response: the user, then
			// the cart (direct = /users/{id}).
			Name: "sequential", Title: "GET /usercart/{id}: 2 sequential backends, the second's URL from the first's response (direct = /users/{id})",
			DirectPath: "/users/1", GatewayPath: "/usercart/1",
			MinRatio: 0.2, MaxRSS: 40 * mib, Peer: "—",
		},
		{
			Name: "big", Title: "GET /big: 1 MB object, deny one field (direct = the same body)",
			DirectPath: "/big", GatewayPath: "/big",
			MinRatio: 0.26, MaxRSS: 100 * mib, Peer: "KrakenD CE 2.13: 0.026–0.028",
		},
	}
}

// scenarioNames lists the scenario names in run order.
func scenarioNames() []string {
	var names []string
	for _, sc := range scenarios() {
		names = append(names, sc.Name)
	}
	return names
}

// startupGoal is the start-up goal: process start to first 200 with the
// 100-endpoint config.
const startupGoalMillis = 10
