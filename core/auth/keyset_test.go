package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// remote builds a validator over srv's JWKS with the test clock clk.
func remote(t *testing.T, srv *jwksServer, clk *clock, o Options) (*Validator, *KeySet) {
	t.Helper()
	ks, err := NewKeySet(KeySetOptions{URL: srv.URL + "/jwks", CA: srv.caPEM(), TTL: 15 * time.Minute, Cooldown: time.Minute, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	o.Keys, o.Now = ks, clk.now
	if o.Alg == "" {
		o.Alg = "RS256"
	}
	v, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return v, ks
}

func TestKeySetLazyAndCached(t *testing.T) {
	testKeys(t)
	srv := newJWKSServer(t, jwksDoc(t, jwk(&rsaKey.PublicKey, "k1", "RS256")))
	clk := &clock{t: testNow}
	v, _ := remote(t, srv, clk, Options{})
	if srv.hits.Load() != 0 {
		t.Fatal("the JWKS was fetched before the first request")
	}
	tok := sign(t, "RS256", rsaKey, "k1", claims(nil))
	for range 5 {
		if rep, _ := run(v, bearer(tok)); rep != nil {
			t.Fatalf("refused: %+v", rep)
		}
	}
	if n := srv.hits.Load(); n != 1 {
		t.Fatalf("JWKS fetched %d times for 5 requests", n)
	}
	// After the TTL the keys are fetched again.
	clk.add(16 * time.Minute)
	if rep, _ := run(v, bearer(tok)); rep != nil {
		t.Fatalf("refused: %+v", rep)
	}
	if n := srv.hits.Load(); n != 2 {
		t.Fatalf("JWKS fetched %d times after the TTL, want 2", n)
	}
}

func TestKeySetRotationAndUnknownKidCooldown(t *testing.T) {
	testKeys(t)
	srv := newJWKSServer(t, jwksDoc(t, jwk(&rsaKey.PublicKey, "k1", "")))
	clk := &clock{t: testNow}
	v, ks := remote(t, srv, clk, Options{Cache: &CacheOptions{}})
	tok1 := sign(t, "RS256", rsaKey, "k1", claims(nil))
	if rep, _ := run(v, bearer(tok1)); rep != nil {
		t.Fatalf("refused: %+v", rep)
	}
	gen := ks.Generation()
	if v.cache.Len() != 1 {
		t.Fatal("verified token not cached")
	}
	// The issuer rotates to k2: the first k2 token triggers one refresh.
	srv.set("", jwksDoc(t, jwk(&rsaKey2.PublicKey, "k2", "")))
	tok2 := sign(t, "RS256", rsaKey2, "k2", claims(nil))
	if rep, _ := run(v, bearer(tok2)); rep != nil {
		t.Fatalf("rotated key refused: %+v", rep)
	}
	if srv.hits.Load() != 2 || ks.Generation() == gen {
		t.Fatalf("hits %d, generation %d→%d", srv.hits.Load(), gen, ks.Generation())
	}
	// The cached k1 token belongs to the old generation: it is verified
	// again and now fails (k1 is gone).
	if rep, _ := run(v, bearer(tok1)); status(rep) != 401 {
		t.Fatalf("token of a rotated-out key accepted from the cache: %d", status(rep))
	}
	// A flood of random kids within the cool-down: no more fetches.
	before := srv.hits.Load()
	for i := range 200 {
		tok := sign(t, "RS256", rsaKey, fmt.Sprintf("random-%d", i), claims(nil))
		if rep, _ := run(v, bearer(tok)); status(rep) != 401 {
			t.Fatal("unknown kid accepted")
		}
	}
	if n := srv.hits.Load() - before; n != 0 {
		t.Fatalf("%d JWKS fetches during the cool-down, want 0", n)
	}
	clk.add(61 * time.Second)
	for i := range 50 {
		run(v, bearer(sign(t, "RS256", rsaKey, fmt.Sprintf("again-%d", i), claims(nil))))
	}
	if n := srv.hits.Load() - before; n != 1 {
		t.Fatalf("%d JWKS fetches after the cool-down, want 1", n)
	}
}

func TestKeySetFailures(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	testKeys(t)
	good := jwksDoc(t, jwk(&rsaKey.PublicKey, "k1", ""))
	tok := sign(t, "RS256", rsaKey, "k1", claims(nil))
	for _, state := range []string{"down", "slow", "huge", "redirect", "garbage"} {
		t.Run(state, func(t *testing.T) {
			srv := newJWKSServer(t, good)
			if state == "garbage" {
				srv.set("", []byte(`{"keys": "nope"}`))
			} else {
				srv.set(state, nil)
			}
			clk := &clock{t: testNow}
			v, ks := remote(t, srv, clk, Options{})
			// No keys ever fetched: fail closed.
			if rep, _ := run(v, bearer(tok)); status(rep) != 401 {
				t.Fatalf("status %d with the JWKS %s", status(rep), state)
			}
			// Right after a failure, requests do not refetch.
			run(v, bearer(tok))
			if ks.Fetches() != 1 {
				t.Fatalf("%d fetches right after a failure", ks.Fetches())
			}
			if state == "redirect" && srv.hits.Load() != 1 {
				t.Fatal("the redirect was followed")
			}
			// Recovery.
			srv.set("", good)
			clk.add(3 * time.Second)
			if rep, _ := run(v, bearer(tok)); rep != nil {
				t.Fatalf("refused after the JWKS recovered: %+v", rep)
			}
			// Stale-if-error: past the TTL with the JWKS failing, the last
			// keys are still used for up to StaleFor.
			if state == "garbage" {
				srv.set("", []byte(`{"keys": "nope"}`))
			} else {
				srv.set(state, nil)
			}
			clk.add(16 * time.Minute)
			if rep, _ := run(v, bearer(tok)); rep != nil {
				t.Fatalf("stale keys not used while the JWKS is %s: %+v", state, rep)
			}
			clk.add(StaleFor)
			if rep, _ := run(v, bearer(tok)); status(rep) != 401 {
				t.Fatalf("keys used past the stale limit: %d", status(rep))
			}
			srv.CloseClientConnections()
		})
	}
}

func TestKeySetSingleFlight(t *testing.T) {
	testKeys(t)
	srv := newJWKSServer(t, jwksDoc(t, jwk(&rsaKey.PublicKey, "k1", "")))
	clk := &clock{t: testNow}
	v, _ := remote(t, srv, clk, Options{})
	tok := sign(t, "RS256", rsaKey, "k1", claims(nil))
	var wg sync.WaitGroup
	errs := make(chan int, 32)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, _ := run(v, bearer(tok))
			errs <- status(rep)
		}()
	}
	wg.Wait()
	close(errs)
	for s := range errs {
		if s != 200 {
			t.Fatalf("status %d", s)
		}
	}
	if n := srv.hits.Load(); n != 1 {
		t.Fatalf("%d concurrent fetches, want 1", n)
	}
}

func TestKeySetCancelledWaiter(t *testing.T) {
	testKeys(t)
	srv := newJWKSServer(t, jwksDoc(t, jwk(&rsaKey.PublicKey, "k1", "")))
	srv.set("slow", nil)
	clk := &clock{t: testNow}
	_, ks := remote(t, srv, clk, Options{})
	started := make(chan struct{})
	go func() {
		close(started)
		ks.Key(context.Background(), "k1")
	}()
	<-started
	for ks.Fetches() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := ks.Key(ctx, "k1"); !errors.Is(err, context.Canceled) && !errors.Is(err, ErrKeysUnavailable) {
		t.Fatalf("err = %v", err)
	}
}

func TestParseJWKS(t *testing.T) {
	testKeys(t)
	many := `{"keys":[` + strings.TrimSuffix(strings.Repeat(`{"kty":"oct","kid":"x","k":"AAAA"},`, MaxKeys+1), ",") + `]}`
	for name, doc := range map[string]string{
		"not json":   `{`,
		"no keys":    `{"keys":[]}`,
		"too many":   many,
		"duplicate":  `{"keys":[{"kty":"oct","kid":"x","k":"AAAA"},{"kty":"oct","kid":"x","k":"AAAB"}]}`,
		"enc only":   `{"keys":[{"kty":"oct","kid":"x","k":"AAAA","use":"enc"}]}`,
		"bad kty":    `{"keys":[{"kty":"zzz","kid":"x"}]}`,
		"no kid":     `{"keys":[{"kty":"oct","k":"AAAA"}]}`,
		"keys a map": `{"keys":{"a":1}}`,
	} {
		if _, err := parseJWKS([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// An unparseable key next to a good one is skipped.
	good := string(jwksDoc(t, jwk(&rsaKey.PublicKey, "k1", "")))
	mixed := strings.Replace(good, `{"keys":[`, `{"keys":[{"kty":"zzz","kid":"bad"},`, 1)
	keys, err := parseJWKS([]byte(mixed))
	if err != nil || len(keys) != 1 {
		t.Fatalf("mixed set: %v, %d keys", err, len(keys))
	}
}
