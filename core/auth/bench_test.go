package auth

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/core/stage"
)

// benchValidate validates one RS256 token per iteration, like a request
// would (header extraction, checks, claims, one claim header).
func benchValidate(b *testing.B, cache *CacheOptions) {
	testKeys(b)
	v := newLocal(b, Options{Issuer: "https://issuer.test", Audience: []string{"api"}, Cache: cache,
		Propagate: []Propagation{{Claim: []string{"sub"}, Header: "X-User"}}}, jwk(&rsaKey.PublicKey, "k1", "RS256"))
	h := bearer(sign(b, "RS256", rsaKey, "k1", claims(nil)))
	log := slog.New(slog.DiscardHandler)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		x := stage.Exchange{Header: h, Log: log}
		if rep := v.Run(ctx, &x); rep != nil {
			b.Fatalf("refused: %+v", rep)
		}
	}
}

// BenchmarkRS256 is full verification on every request.
func BenchmarkRS256(b *testing.B) { benchValidate(b, nil) }

// BenchmarkRS256Cached reuses the verified claims (tributary.jwt_cache).
func BenchmarkRS256Cached(b *testing.B) {
	benchValidate(b, &CacheOptions{MaxEntries: 100, TTL: time.Minute})
}
