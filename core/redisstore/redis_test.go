package redisstore

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// A real Redis for the tests: TRIBUTARY_TEST_REDIS (host:port) names a
// running one; otherwise the test starts redis-server itself on a free
// loopback port, without persistence, and stops it at the end. Without
// either, the tests that need Redis skip.

var keySeq atomic.Int64

// uniquePrefix keeps tests sharing one server apart.
func uniquePrefix(t *testing.T) string {
	return fmt.Sprintf("test:%d:%s:%d:", os.Getpid(), t.Name(), keySeq.Add(1))
}

// testRedis returns the address of a Redis for t.
func testRedis(t *testing.T) string {
	t.Helper()
	if addr := os.Getenv("TRIBUTARY_TEST_REDIS"); addr != "" {
		return addr
	}
	srv := startRedis(t, 0)
	return srv.addr
}

// benchRedis is testRedis for a benchmark.
func benchRedis(b *testing.B) string {
	b.Helper()
	if addr := os.Getenv("TRIBUTARY_TEST_REDIS"); addr != "" {
		return addr
	}
	return startRedis(b, 0).addr
}

// redisServer is a redis-server process the test started.
type redisServer struct {
	addr string
	port int
	cmd  *exec.Cmd
}

// startRedis starts redis-server on port (0: a free one) and waits until
// it answers; the process is stopped when t ends.
func startRedis(t testing.TB, port int) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("no Redis: set TRIBUTARY_TEST_REDIS or install redis-server")
	}
	if port == 0 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port = ln.Addr().(*net.TCPAddr).Port
		ln.Close()
	}
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--protected-mode", "yes", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &redisServer{addr: "127.0.0.1:" + strconv.Itoa(port), port: port, cmd: cmd}
	t.Cleanup(s.stop)
	c := redis.NewClient(&redis.Options{Addr: s.addr, MaxRetries: -1})
	defer c.Close()
	for i := 0; ; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return s
		}
		if i == 100 {
			t.Fatalf("redis-server on %s did not answer: %v", s.addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop kills the server and waits for it.
func (s *redisServer) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}
