package websec

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/core/stage"
)

// Each benchmark runs one stage on a reused Exchange whose Respond map is
// cleared between runs, so the figures are the stage's own cost; a fresh
// request adds the one map the first header creates.

func benchStage(b *testing.B, s stage.Endpoint, x *stage.Exchange) {
	ctx := context.Background()
	x.Respond = make(http.Header, 8)
	b.ReportAllocs()
	for b.Loop() {
		clear(x.Respond)
		s.Run(ctx, x)
	}
}

func benchCORS(b *testing.B) *CORS {
	return mustCORS(b, CORSOptions{
		AllowOrigins:  []string{"https://app.example.com", "https://admin.example.com", "https://*.example.org"},
		AllowMethods:  []string{"GET", "POST", "PUT"},
		AllowHeaders:  []string{"Authorization", "Content-Type", "X-Trace"},
		ExposeHeaders: []string{"X-Tributary-Completed"},
		MaxAge:        time.Hour,
	})
}

func BenchmarkCORSActualExact(b *testing.B) {
	benchStage(b, benchCORS(b), xreq("GET", "Origin", "https://app.example.com"))
}

func BenchmarkCORSActualWildcard(b *testing.B) {
	benchStage(b, benchCORS(b), xreq("GET", "Origin", "https://tenant-42.eu.example.org"))
}

func BenchmarkCORSActualNoOrigin(b *testing.B) {
	benchStage(b, benchCORS(b), xreq("GET"))
}

func BenchmarkCORSPreflight(b *testing.B) {
	benchStage(b, benchCORS(b), xreq("OPTIONS", "Origin", "https://app.example.com",
		"Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "authorization, content-type"))
}

func BenchmarkSecureHeaders(b *testing.B) {
	s := mustSecure(b, SecureOptions{
		AllowedHosts: []string{"api.example.com"}, FrameDeny: true, ContentTypeNosniff: true,
		BrowserXSSFilter: true, ContentSecurityPolicy: "default-src 'none'", ReferrerPolicy: "no-referrer",
		STSSeconds: 31536000, SSLRedirect: true, SSLProxyHeaders: []HeaderValue{{"X-Forwarded-Proto", "https"}},
	})
	x := xreq("GET", "X-Forwarded-Proto", "https")
	x.Host = "api.example.com"
	benchStage(b, s, x)
}

func BenchmarkSecureHostRegex(b *testing.B) {
	s := mustSecure(b, SecureOptions{AllowedHosts: []string{`api\.example\.(com|org)`, `[a-z]+\.internal`}, AllowedHostsAreRegex: true})
	x := xreq("GET")
	x.Host = "svc.internal"
	benchStage(b, s, x)
}

var benchAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"

func benchBot(b *testing.B, cache int) {
	bot, err := NewBot(BotOptions{
		Deny:      []string{"BadAgent/1.0"},
		Patterns:  []string{`(?i)(bot|crawler|spider)`, `^curl/`, `python-requests`, `Go-http-client`},
		CacheSize: cache,
	})
	if err != nil {
		b.Fatal(err)
	}
	benchStage(b, bot, xreq("GET", "User-Agent", benchAgent))
}

func BenchmarkBotPatterns(b *testing.B)       { benchBot(b, 0) }
func BenchmarkBotPatternsCached(b *testing.B) { benchBot(b, 1024) }
