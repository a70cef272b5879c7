//go:build !tributary_noredis

package plan

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/core/qos"
	"github.com/tributary-gw/tributary/core/redisstore"
	"github.com/tributary-gw/tributary/core/stage"
)

var redisTestSeq atomic.Int64

// planTestRedis returns the address of a real Redis: TRIBUTARY_TEST_REDIS,
// or a redis-server the test starts on a free loopback port (no
// persistence) and stops; it skips when there is neither.
func planTestRedis(t *testing.T) string {
	t.Helper()
	if addr := os.Getenv("TRIBUTARY_TEST_REDIS"); addr != "" {
		return addr
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("no Redis: set TRIBUTARY_TEST_REDIS or install redis-server")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := "127.0.0.1:" + strconv.Itoa(port)
	s, err := redisstore.New(redisstore.Options{Address: addr, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 0; s.Ping(context.Background()) != nil; i++ {
		if i == 100 {
			t.Fatal("redis-server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return addr
}

// sharedStoreExtra is the service extra_config of a shared store on addr,
// under a prefix of its own.
func sharedStoreExtra(t *testing.T, addr string) string {
	prefix := fmt.Sprintf("plantest:%d:%d:", os.Getpid(), redisTestSeq.Add(1))
	return `"redis": {"connection_pools": [{"name": "state", "address": "` + addr + `"}]},
  "tributary": {"shared_store": {"connection_pool": "state", "timeout": "1s", "key_prefix": "` + prefix + `"%s}}`
}

// Two plans compiled from one config are two gateway processes: with the
// shared store they take from one endpoint bucket.
func TestSharedStoreRateLimitFleet(t *testing.T) {
	extra := fmt.Sprintf(sharedStoreExtra(t, planTestRedis(t)), "")
	src := `{"version": 3, "extra_config": {` + extra + `},
 "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/a"}],
   "extra_config": {"qos/ratelimit/router": {"max_rate": 5, "every": "1h", "capacity": 5}}}]}`
	var plans [2]*Plan
	for i := range plans {
		p, err := Compile(load(t, src))
		if err != nil {
			t.Fatal(err)
		}
		plans[i] = p
	}
	admitted := 0
	for i := range 20 {
		st := plans[i%2].Endpoints[0].Stages
		if len(st) != 1 {
			t.Fatalf("%d endpoint stages, want the rate limit", len(st))
		}
		if _, ok := st[0].(*qos.RouterLimiter); !ok {
			t.Fatalf("stage %T, want the rate limit", st[0])
		}
		if rep := st[0].Run(context.Background(), exchange("GET", "/a", "", nil, nil)); rep == nil {
			admitted++
		} else if rep.Status != http.StatusServiceUnavailable {
			t.Fatalf("refusal status %d", rep.Status)
		}
	}
	if admitted != 5 {
		t.Fatalf("two plans admitted %d requests together; the shared bucket holds 5", admitted)
	}
	// rate_limits: false keeps the buckets in each process again.
	extra = fmt.Sprintf(sharedStoreExtra(t, planTestRedis(t)), `, "rate_limits": false`)
	src = `{"version": 3, "extra_config": {` + extra + `},
 "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/a"}],
   "extra_config": {"qos/ratelimit/router": {"max_rate": 5, "every": "1h", "capacity": 5}}}]}`
	admitted = 0
	for range 2 {
		p, err := Compile(load(t, src))
		if err != nil {
			t.Fatal(err)
		}
		for range 10 {
			if p.Endpoints[0].Stages[0].Run(context.Background(), exchange("GET", "/a", "", nil, nil)) == nil {
				admitted++
			}
		}
	}
	if admitted != 10 {
		t.Fatalf("per-process buckets admitted %d, want 5 each", admitted)
	}
}

// A token revoked through one process's admin path is refused by another.
func TestSharedStoreRevocationFleet(t *testing.T) {
	extra := fmt.Sprintf(sharedStoreExtra(t, planTestRedis(t)), `}, "revoke_admin": {"secret_sha256": "`+adminDigest+`"`)
	// Two compilers of one config are two processes.
	var procs [2]struct{ check, admin stage.Endpoint }
	for i := range procs {
		cfg := revokerConfig(t, ", "+extra)
		c := &compiler{cfg: cfg}
		var err error
		if procs[i].check, err = c.revokerStage(cfg.Endpoints[0]); err != nil || procs[i].check == nil {
			t.Fatalf("revokerStage: %v", err)
		}
		if procs[i].admin, err = c.revokeAdminStage(); err != nil || procs[i].admin == nil {
			t.Fatalf("revokeAdminStage: %v", err)
		}
	}
	check := func(i int, jti string) *stage.Reply {
		return procs[i].check.Run(context.Background(), exchange("GET", "/api", "", nil, map[string]any{"jti": jti}))
	}
	if rep := check(1, "t-1"); rep != nil {
		t.Fatalf("a token nobody revoked was refused: %+v", rep)
	}
	h := http.Header{"Authorization": {"Bearer " + adminSecret}}
	rep := procs[0].admin.Run(context.Background(), exchange("POST", "/__revoke", "claim=jti&value=t-1", h, nil))
	if rep == nil || rep.Status != http.StatusOK {
		t.Fatalf("admin answered %+v", rep)
	}
	if rep := check(1, "t-1"); rep == nil || rep.Status != http.StatusUnauthorized {
		t.Fatalf("the other process let the revoked token through: %+v", rep)
	}
	if rep := check(1, "t-2"); rep != nil {
		t.Fatalf("another token was refused: %+v", rep)
	}
}

// A response one process stored in the shared HTTP cache is a hit in
// another; with http_cache: false each process has its own.
func TestSharedStoreHTTPCacheFleet(t *testing.T) {
	addr := planTestRedis(t)
	for _, tc := range []struct {
		opt    string
		shared bool
	}{{"", true}, {`, "http_cache": false`, false}} {
		extra := fmt.Sprintf(sharedStoreExtra(t, addr), tc.opt)
		src := `{"version": 3, "extra_config": {` + extra + `},
 "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/a",
   "extra_config": {"qos/http-cache": {}}}]}]}`
		var procs [2]stage.Backend
		for i := range procs {
			p, err := Compile(load(t, src))
			if err != nil {
				t.Fatal(err)
			}
			procs[i] = p.Endpoints[0].Backends[0].Stages[0]
		}
		call := func() *stage.Call {
			u, _ := url.Parse("http://127.0.0.1:9/a")
			return &stage.Call{Exchange: exchange("GET", "/a", "", nil, nil), Method: "GET", URL: u, Header: http.Header{}}
		}
		c := call()
		ans, err := procs[0].Before(context.Background(), c)
		if err != nil || ans != nil {
			t.Fatalf("first call: %v, %v; want a miss", ans, err)
		}
		procs[0].(stage.Observer).After(c, 200, http.Header{"Cache-Control": {"max-age=60"}, "Content-Type": {"application/json"}}, []byte(`{"n":1}`), nil)
		ans, err = procs[1].Before(context.Background(), call())
		if err != nil {
			t.Fatal(err)
		}
		if tc.shared {
			if ans == nil || string(ans.Body) != `{"n":1}` || ans.Status != 200 {
				t.Fatalf("the other process missed the shared entry: %+v", ans)
			}
		} else if ans != nil {
			t.Fatalf("http_cache: false, yet the other process hit: %+v", ans)
		}
	}
}
