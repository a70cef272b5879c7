package conformance

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"time"

	"github.com/tributary-gw/tributary/adapters/httpadapter"
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
)

// lamHost is the Host every Lambda-suite request carries unless the case
// sets one, so that no answer depends on a loopback port.
const lamHost = "gateway.test"

// lamRequestTimeout bounds one request of the reference run.
const lamRequestTimeout = 15 * time.Second

// lamAnswer is a response as a client receives it: status, header fields
// and body bytes.
type lamAnswer struct {
	status int
	header http.Header
	body   []byte
}

// lamCompile loads and compiles the config file at cfgPath exactly as
// `tributary run` does.
func lamCompile(cfgPath string) (*config.Config, *plan.Plan, error) {
	cfg, err := config.LoadFile(cfgPath, os.Environ())
	if err != nil {
		return nil, nil, fmt.Errorf("config: %w", err)
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("plan: %w", err)
	}
	return cfg, p, nil
}

// lamMaxTimeout is the largest endpoint timeout of a plan.
func lamMaxTimeout(p *plan.Plan) time.Duration {
	var d time.Duration
	for _, ep := range p.Endpoints {
		d = max(d, ep.Timeout)
	}
	return d
}

// lamServeHTTP serves the config file at cfgPath with the gateway
// `tributary run` builds (a fresh one per call, like a fresh process) on a
// loopback httpadapter.NewServer, and sends req: with net/http's client,
// or byte for byte on a raw connection for a raw_request_target.
func lamServeHTTP(cfgPath string, req *lamRequest) (*lamAnswer, error) {
	cfg, p, err := lamCompile(cfgPath)
	if err != nil {
		return nil, err
	}
	gw := exec.New(p, exec.Options{})
	defer gw.Client().CloseIdleConnections()
	srv := httpadapter.NewServer(httpadapter.New(gw, httpadapter.Options{Logger: slog.New(slog.DiscardHandler)}), cfg, 0, nil)
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln)
	}()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			_ = srv.Close()
		}
		<-served
	}()
	body, err := req.body()
	if err != nil {
		return nil, fmt.Errorf("request body: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), lamRequestTimeout)
	defer cancel()
	if req.RawRequestTarget != "" {
		return lamSendRaw(ctx, ln.Addr().String(), req, body)
	}
	return lamSendClient(ctx, ln.Addr().String(), req, body)
}

// lamSendClient sends req with net/http's client: no transparent gzip, no
// proxy, no default User-Agent, redirects not followed.
func lamSendClient(ctx context.Context, addr string, req *lamRequest, body []byte) (*lamAnswer, error) {
	u, err := url.Parse("http://" + addr + req.Path)
	if err != nil {
		return nil, fmt.Errorf("request.path %q: %w", req.Path, err)
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
		if req.Chunked {
			rd = io.MultiReader(rd) // hides the length: the client sends chunks
		}
	}
	r, err := http.NewRequestWithContext(ctx, req.method(), u.String(), rd)
	if err != nil {
		return nil, err
	}
	r.Host = lamHost
	for k, vs := range req.Headers {
		if http.CanonicalHeaderKey(k) == "Host" {
			if len(vs) > 0 {
				r.Host = vs[0]
			}
			continue
		}
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	if _, ok := r.Header["User-Agent"]; !ok {
		r.Header["User-Agent"] = []string{""}
	}
	tr := &http.Transport{DisableCompression: true, Proxy: nil}
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading the response body: %w", err)
	}
	return &lamAnswer{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// lamSendRaw writes the request by hand on a fresh connection so that the
// request target reaches the server byte for byte.
func lamSendRaw(ctx context.Context, addr string, req *lamRequest, body []byte) (*lamAnswer, error) {
	d := net.Dialer{Timeout: 2 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(dl); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", req.method(), req.RawRequestTarget)
	host := lamHost
	if vs := lamHeaderValues(req.Headers, "Host"); len(vs) > 0 {
		host = vs[0]
	}
	fmt.Fprintf(&b, "Host: %s\r\n", host)
	for _, k := range lamSortedNames(req.Headers) {
		if http.CanonicalHeaderKey(k) == "Host" {
			continue
		}
		for _, v := range req.Headers[k] {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	switch {
	case body != nil && req.Chunked:
		b.WriteString("Transfer-Encoding: chunked\r\n")
	case body != nil:
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("Connection: close\r\n\r\n")
	if body != nil && req.Chunked {
		if len(body) > 0 {
			fmt.Fprintf(&b, "%x\r\n%s\r\n", len(body), body)
		}
		b.WriteString("0\r\n\r\n")
	} else {
		b.Write(body)
	}
	if _, err := conn.Write(b.Bytes()); err != nil {
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: req.method()})
	if err != nil {
		return nil, fmt.Errorf("reading the response: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading the response body: %w", err)
	}
	return &lamAnswer{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// lamHeaderValues returns the values of the header name (any spelling).
func lamHeaderValues(h map[string]lamValues, name string) []string {
	var out []string
	for _, k := range lamSortedNames(h) {
		if http.CanonicalHeaderKey(k) == http.CanonicalHeaderKey(name) {
			out = append(out, h[k]...)
		}
	}
	return out
}

// lamSortedNames returns h's names in byte order, for deterministic
// requests and events.
func lamSortedNames[V any](h map[string]V) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// lamFunctionTimeout is the function timeout the emulator gets for a plan
// whose largest endpoint timeout is maxT: maxT + 1 s rounded up to whole
// seconds, at least 3 s (the SAM template's rule, lambda.md §7.1).
func lamFunctionTimeout(maxT time.Duration) time.Duration {
	d := (maxT + time.Second + time.Second - 1).Truncate(time.Second)
	return max(d, 3*time.Second)
}
