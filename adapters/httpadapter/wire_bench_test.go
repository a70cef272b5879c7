//go:build unix

package httpadapter

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	stdjson "encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
)

// wireUser is the ~300 B object the wire benchmarks' backend serves.
var wireUser = []byte(`{"id_user":1,"name":"Ada Lovelace","email":"ada@example.com","address":{"street":"12 Analytical Way","city":"London","zip":"NW1"},"loyalty":{"tier":"gold","points":12345},"created_at":"2020-01-02T03:04:05Z","tags":["math","engines","poetry"],"active":true,"score":98.6}`)

// wireConfigSecured is wireConfig with the endpoint behind
// auth/validator (RS256, issuer, audience and roles, as the load harness
// configures it); JWKS is replaced by the JWK set file.
const wireConfigSecured = `{
  "version": 3,
  "timeout": "10s",
  "extra_config": {SERVICE},
  "endpoints": [
    {"endpoint": "/users/{id_user}", "method": "GET",
     "extra_config": {"auth/validator": {"alg": "RS256", "jwk_local_path": "JWKS",
       "issuer": "https://idp.test/", "audience": ["api"], "roles_key": "roles", "roles": ["customer"]}},
     "backend": [{"host": ["BACKEND"], "url_pattern": "/users/{id_user}"}]}
  ]
}`

// wireConfig is the proxy endpoint of the load harness; SERVICE is replaced
// by the service-level extra_config members (empty for the plain proxy).
const wireConfig = `{
  "version": 3,
  "timeout": "10s",
  "extra_config": {SERVICE},
  "endpoints": [
    {"endpoint": "/users/{id_user}", "method": "GET",
     "backend": [{"host": ["BACKEND"], "url_pattern": "/users/{id_user}"}]}
  ]
}`

// wireWebHeaders are the browser-facing scenario's service namespaces:
// CORS for one origin and six security headers.
const wireWebHeaders = `
  "security/cors": {"allow_origins": ["https://app.example.com"], "allow_credentials": false, "max_age": "12h"},
  "security/http": {"frame_deny": true, "content_type_nosniff": true, "browser_xss_filter": true,
    "referrer_policy": "strict-origin-when-cross-origin",
    "content_security_policy": "default-src 'none'; frame-ancestors 'none'",
    "sts_seconds": 31536000, "force_sts_header": true}`

// startWireGateway starts a backend answering wireUser and the gateway
// in front of it on loopback, with the given service extra_config members.
func startWireGateway(tb testing.TB, service string) string {
	tb.Helper()
	return startWireConfig(tb, wireConfig, service, "")
}

// startWireConfig is startWireGateway for the config template text, with
// JWKS replaced by jwks.
func startWireConfig(tb testing.TB, text, service, jwks string) string {
	tb.Helper()
	ct, cl := []string{"application/json"}, []string{strconv.Itoa(len(wireUser))}
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Content-Type"], h["Content-Length"] = ct, cl
		_, _ = w.Write(wireUser)
	}))
	tb.Cleanup(backend.Close)
	text = strings.NewReplacer("BACKEND", backend.URL, "SERVICE", service, "JWKS", jwks).Replace(text)
	cfg, err := config.Load("wire.json", []byte(text), nil)
	if err != nil {
		tb.Fatalf("config.Load: %v", err)
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		tb.Fatalf("plan.Compile: %v", err)
	}
	gw := exec.New(p, exec.Options{})
	tb.Cleanup(gw.Client().CloseIdleConnections)
	return serve(tb, New(gw, Options{}), p.Server)
}

// wireClient is one keep-alive connection sending a fixed request and
// reading each response with a minimal parser.
type wireClient struct {
	conn net.Conn
	br   *bufio.Reader
	req  []byte
	body []byte
	head []byte
}

var contentLength = []byte("Content-Length")

// roundTrip sends the request and reads one response; it returns the
// status, the header block and the body length.
func (c *wireClient) roundTrip() (status int, head []byte, n int, err error) {
	if _, err = c.conn.Write(c.req); err != nil {
		return 0, nil, 0, err
	}
	head = c.head[:0]
	defer func() { c.head = head }()
	length := -1
	for first := true; ; first = false {
		line, err := c.br.ReadSlice('\n')
		if err != nil {
			return 0, nil, 0, err
		}
		head = append(head, line...)
		if first {
			if len(line) < 12 {
				return 0, nil, 0, io.ErrUnexpectedEOF
			}
			status, _ = strconv.Atoi(string(line[9:12]))
			continue
		}
		if len(line) <= 2 {
			break
		}
		if k, v, ok := bytes.Cut(line, []byte(":")); ok && len(k) == len(contentLength) && bytes.EqualFold(k, contentLength) {
			length, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
		}
	}
	if length < 0 {
		return status, head, 0, io.ErrUnexpectedEOF
	}
	if cap(c.body) < length {
		c.body = make([]byte, length)
	}
	_, err = io.ReadFull(c.br, c.body[:length])
	return status, head, length, err
}

// benchWire drives the gateway at addr over real loopback connections,
// four per GOMAXPROCS, each sending the same GET with an Origin.
func benchWire(b *testing.B, addr string, extra ...string) {
	req := []byte("GET /users/1 HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: wire\r\nAccept: */*\r\nOrigin: https://app.example.com\r\n" + strings.Join(extra, "") + "\r\n")
	b.ReportAllocs()
	b.SetParallelism(4)
	cpu0 := processCPU()
	defer func() {
		// CPU time is steadier than wall time on a shared machine: it
		// counts the client, the gateway and the backend alike.
		b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	}()
	b.RunParallel(func(pb *testing.PB) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			b.Error(err)
			return
		}
		defer conn.Close()
		c := &wireClient{conn: conn, br: bufio.NewReaderSize(conn, 8<<10), req: req}
		for pb.Next() {
			status, _, n, err := c.roundTrip()
			if err != nil || status != 200 || n != len(wireUser) {
				b.Errorf("status %d, %d bytes: %v", status, n, err)
				return
			}
		}
	})
}

// processCPU is the user+system CPU time of this process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkWireProxy measures the whole server path (net/http parsing,
// the handler, the backend call over loopback, the write) for the plain
// proxy endpoint: the baseline of BenchmarkWireWebHeaders.
func BenchmarkWireProxy(b *testing.B) {
	benchWire(b, startWireGateway(b, ""))
}

// BenchmarkWireWebHeaders is BenchmarkWireProxy with service-level CORS
// (an allowed origin) and six security headers on.
func BenchmarkWireWebHeaders(b *testing.B) {
	benchWire(b, startWireGateway(b, wireWebHeaders))
}

// TestWireWebHeaders checks what the wire benchmarks measure: the
// response of the browser-facing config carries the CORS and security
// headers, the plain proxy's does not.
func TestWireWebHeaders(t *testing.T) {
	for _, tc := range []struct {
		service string
		want    bool
	}{{"", false}, {wireWebHeaders, true}} {
		addr := startWireGateway(t, tc.service)
		conn := dial(t, addr)
		c := &wireClient{conn: conn, br: bufio.NewReader(conn),
			req: []byte("GET /users/1 HTTP/1.1\r\nHost: gw\r\nOrigin: https://app.example.com\r\n\r\n")}
		for range 2 {
			status, head, n, err := c.roundTrip()
			if err != nil || status != 200 || n != len(wireUser) {
				t.Fatalf("status %d, %d bytes: %v", status, n, err)
			}
			for _, h := range []string{"Access-Control-Allow-Origin: https://app.example.com", "Vary: Origin",
				"X-Frame-Options: DENY", "Strict-Transport-Security: max-age=31536000", "X-Xss-Protection: 1; mode=block"} {
				if got := bytes.Contains(head, []byte(h+"\r\n")); got != tc.want {
					t.Errorf("service %q: header %q present = %v\n%s", tc.service, h, got, head)
				}
			}
		}
	}
}

// BenchmarkWireSecured is BenchmarkWireWebHeaders with an RS256 token
// validated on every request.
func BenchmarkWireSecured(b *testing.B) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	set, err := stdjson.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "jwks.json")
	if err := os.WriteFile(path, set, 0o600); err != nil {
		b.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	claims, _ := stdjson.Marshal(map[string]any{"iss": "https://idp.test/", "aud": []string{"api"}, "sub": "user-1",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "roles": []string{"customer", "reader"}})
	jws, err := signer.Sign(claims)
	if err != nil {
		b.Fatal(err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		b.Fatal(err)
	}
	benchWire(b, startWireConfig(b, wireConfigSecured, wireWebHeaders, path), "Authorization: Bearer "+tok+"\r\n")
}
