package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"
)

// startStub serves the stub backend in-process on 127.0.0.1.
func startStub(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(newStub(mustBodies(t)))
	t.Cleanup(srv.Close)
	return srv
}

// TestEndToEnd runs the whole measuring pipeline — generator, histogram,
// CPU and RSS sampling, interleaved rounds, medians, ratios, report — for
// one short round against an in-process stub that plays both sides.
func TestEndToEnd(t *testing.T) {
	srv := startStub(t)
	for _, gen := range []struct {
		name string
		g    generator
	}{{"http", httpGen{}}, {"raw", rawGen{}}} {
		t.Run(gen.name, func(t *testing.T) {
			h := &harness{
				gen:     gen.g,
				spec:    loadSpec{Conns: 2, Warmup: 100 * time.Millisecond, Duration: time.Second},
				selfPID: os.Getpid(),
			}
			pid := os.Getpid()
			sc := scenarios()[0]
			direct := target{Name: "direct", URL: srv.URL + "/users/1", ServerPID: pid}
			gateway := target{Name: "gateway", URL: srv.URL + "/products", ServerPID: pid, BackendPID: pid}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			r, err := h.runScenario(ctx, sc, direct, gateway, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Runs) != 2 || r.Runs[0].Target != "direct" || r.Runs[1].Target != "gateway" {
				t.Fatalf("runs %+v, want direct then gateway", r.Runs)
			}
			for _, m := range []measurement{r.Direct, r.Gateway} {
				if m.Requests == 0 || m.RPS <= 0 {
					t.Errorf("%s: %d requests, %v req/s", m.Target, m.Requests, m.RPS)
				}
				if m.P50Ms <= 0 || m.P99Ms < m.P50Ms || m.MaxMs < m.P99Ms || m.MeanMs <= 0 {
					t.Errorf("%s: p50 %v p99 %v max %v are not ordered positive latencies", m.Target, m.P50Ms, m.P99Ms, m.MaxMs)
				}
				if m.failures() != 0 {
					t.Errorf("%s: %d errors", m.Target, m.failures())
				}
				if m.ServerRSS == 0 || m.ServerCPU <= 0 || m.GenCPU <= 0 {
					t.Errorf("%s: RSS %d, CPU %v µs/req, generator %v µs/req: resource sampling produced nothing", m.Target, m.ServerRSS, m.ServerCPU, m.GenCPU)
				}
			}
			if r.Direct.BodyBytes < 250 || r.Direct.BodyBytes > 350 {
				t.Errorf("direct read %v B per request, want the ~300 B user", r.Direct.BodyBytes)
			}
			if r.Gateway.BodyBytes < 10_000 {
				t.Errorf("gateway read %v B per request, want the ~11 KB product list", r.Gateway.BodyBytes)
			}
			if r.Gateway.BackendRSS == 0 {
				t.Error("the backend behind the gateway was not sampled")
			}
			if r.RatioRPS <= 0 || len(r.RoundRatios) != 1 || r.RatioRPS != r.RoundRatios[0] {
				t.Errorf("ratio %v, rounds %v: want one positive round ratio equal to the median ratio", r.RatioRPS, r.RoundRatios)
			}
			if r.RSSPass == nil {
				t.Error("no RSS verdict although RSS was sampled")
			}
		})
	}
}

func TestGeneratorsCountFailures(t *testing.T) {
	srv := startStub(t)
	partial := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Tributary-Completed", "false")
		_, _ = w.Write([]byte(`{}`))
	}))
	defer partial.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + ln.Addr().String() + "/users/1"
	ln.Close()

	tests := []struct {
		name           string
		url            string
		non200, incomp bool
		transport      bool
	}{
		{"404", srv.URL + "/nope", true, false, false},
		{"partial 200", partial.URL + "/", false, true, false},
		{"nothing listening", closedURL, false, false, true},
	}
	for _, gen := range []struct {
		name string
		g    generator
	}{{"http", httpGen{}}, {"raw", rawGen{}}} {
		for _, tc := range tests {
			t.Run(gen.name+"/"+tc.name, func(t *testing.T) {
				res, err := gen.g.run(context.Background(), loadSpec{URL: tc.url, Conns: 2, Duration: 200 * time.Millisecond}, window{})
				if err != nil {
					t.Fatal(err)
				}
				if res.Requests != 0 {
					t.Errorf("%d requests counted as successes", res.Requests)
				}
				if (res.Non200 > 0) != tc.non200 || (res.Incomplete > 0) != tc.incomp || (res.TransportErrors > 0) != tc.transport {
					t.Errorf("non-200 %d, incomplete %d, transport %d; want non-200 %v incomplete %v transport %v",
						res.Non200, res.Incomplete, res.TransportErrors, tc.non200, tc.incomp, tc.transport)
				}
			})
		}
	}
}

func TestClosedLoopStopsOnCancel(t *testing.T) {
	srv := startStub(t)
	ctx, cancel := context.WithCancel(context.Background())
	begun := make(chan struct{})
	go func() {
		<-begun
		cancel()
	}()
	done := make(chan error, 1)
	go func() {
		_, err := rawGen{}.run(ctx, loadSpec{URL: srv.URL + "/users/1", Conns: 2, Duration: time.Minute},
			window{Begin: func() { close(begun) }})
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Error("a cancelled run returned no error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the run did not stop after cancel")
	}
}

func TestLoadSpecValidation(t *testing.T) {
	for _, spec := range []loadSpec{
		{URL: "http://127.0.0.1:1/", Conns: 0, Duration: time.Second},
		{URL: "http://127.0.0.1:1/", Conns: 1, Duration: 0},
		{URL: "http://127.0.0.1:1/", Conns: 1, Duration: time.Second, Warmup: -1},
	} {
		if _, err := (httpGen{}).run(context.Background(), spec, window{}); err == nil {
			t.Errorf("spec %+v accepted", spec)
		}
	}
	if _, err := (rawGen{}).run(context.Background(), loadSpec{URL: "https://127.0.0.1:1/", Conns: 1, Duration: time.Second}, window{}); err == nil {
		t.Error("the raw generator accepted https")
	}
}
