package awslambda

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/tributary-gw/tributary/core/backend"
)

// fake is a loopback stand-in for the Lambda Invoke API.
type fake struct {
	calls    atomic.Int32
	handler  func(w http.ResponseWriter, r *http.Request, n int32)
	lastReq  atomic.Pointer[http.Request]
	lastBody atomic.Pointer[string]
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := f.calls.Add(1)
	b, _ := io.ReadAll(r.Body)
	s := string(b)
	f.lastBody.Store(&s)
	f.lastReq.Store(r)
	f.handler(w, r, n)
}

func newFake(t *testing.T, h func(w http.ResponseWriter, r *http.Request, n int32)) (*fake, string) {
	t.Helper()
	f := &fake{handler: h}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// client is the gateway's backend client, as the executor passes it.
func client(t *testing.T) *backend.Client {
	c := backend.NewClient(backend.Options{})
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func newTestInvoker() *Invoker {
	return New(Options{Getenv: env(map[string]string{
		"AWS_ACCESS_KEY_ID":     "AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		"AWS_REGION":            "eu-west-1",
	})})
}

func TestInvokeSuccessSigned(t *testing.T) {
	f, url := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
		w.Header().Set("X-Amz-Executed-Version", "$LATEST")
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	res, err := newTestInvoker().Invoke(context.Background(), client(t), &Request{FunctionName: "my-fn:live", Endpoint: url, Payload: []byte(`{"a":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.FunctionError != "" || string(res.Payload) != `{"ok":true}` {
		t.Fatalf("result = %+v %s", res, res.Payload)
	}
	r := f.lastReq.Load()
	if r.Method != http.MethodPost || r.URL.EscapedPath() != "/2015-03-31/functions/my-fn:live/invocations" {
		t.Errorf("request = %s %s", r.Method, r.URL.EscapedPath())
	}
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") || !strings.Contains(auth, "/eu-west-1/lambda/aws4_request") {
		t.Errorf("Authorization = %q", auth)
	}
	if strings.Contains(auth, "wJalrXUtnFEMI") {
		t.Error("the secret key leaked into the request")
	}
	if got := r.Header.Get("X-Amz-Invocation-Type"); got != "RequestResponse" {
		t.Errorf("invocation type = %q", got)
	}
	if got := *f.lastBody.Load(); got != `{"a":1}` {
		t.Errorf("payload = %q", got)
	}
}

func TestInvokeFunctionErrorIsNotRetried(t *testing.T) {
	f, url := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		_, _ = io.WriteString(w, `{"errorMessage":"boom","errorType":"Error"}`)
	})
	res, err := newTestInvoker().Invoke(context.Background(), client(t), &Request{FunctionName: "f", Endpoint: url, MaxRetries: 3, Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if res.FunctionError != "Unhandled" || !strings.Contains(string(res.Payload), "boom") {
		t.Errorf("result = %+v", res)
	}
	if n := f.calls.Load(); n != 1 {
		t.Errorf("calls = %d, want 1", n)
	}
}

func TestInvokeThrottlingRetried(t *testing.T) {
	f, url := newFake(t, func(w http.ResponseWriter, r *http.Request, n int32) {
		if n <= 2 {
			w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"Type":"User","message":"Rate Exceeded."}`)
			return
		}
		_, _ = io.WriteString(w, `{"n":3}`)
	})
	res, err := newTestInvoker().Invoke(context.Background(), client(t), &Request{FunctionName: "f", Endpoint: url, MaxRetries: 2, Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Payload) != `{"n":3}` || f.calls.Load() != 3 {
		t.Errorf("payload %s after %d calls", res.Payload, f.calls.Load())
	}
}

func TestInvokeThrottlingExhausted(t *testing.T) {
	f, url := newFake(t, func(w http.ResponseWriter, r *http.Request, n int32) {
		w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException:http://internal.amazon.com/coral/x/")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"Type":"User","message":"Rate Exceeded."}`)
	})
	_, err := newTestInvoker().Invoke(context.Background(), client(t), &Request{FunctionName: "f", Endpoint: url, MaxRetries: 1, Payload: []byte(`{}`)})
	var api *APIError
	if !errors.As(err, &api) || api.Status != 429 || api.Type != "TooManyRequestsException" || api.Message != "Rate Exceeded." {
		t.Fatalf("err = %v", err)
	}
	if n := f.calls.Load(); n != 2 {
		t.Errorf("calls = %d, want 2 (one retry)", n)
	}
}

func TestInvokeClientErrorNotRetried(t *testing.T) {
	f, url := newFake(t, func(w http.ResponseWriter, r *http.Request, n int32) {
		w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"Type":"User","Message":"Function not found"}`)
	})
	_, err := newTestInvoker().Invoke(context.Background(), client(t), &Request{FunctionName: "f", Endpoint: url, MaxRetries: 3, Payload: []byte(`{}`)})
	if err == nil || !strings.Contains(err.Error(), "404 ResourceNotFoundException: Function not found") {
		t.Fatalf("err = %v", err)
	}
	if n := f.calls.Load(); n != 1 {
		t.Errorf("calls = %d, want 1", n)
	}
}

func TestInvokeServiceErrorRetriedWithinContext(t *testing.T) {
	f, url := newFake(t, func(w http.ResponseWriter, r *http.Request, n int32) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	_, err := newTestInvoker().Invoke(context.Background(), client(t), &Request{FunctionName: "f", Endpoint: url, MaxRetries: 2, Payload: []byte(`{}`)})
	if err == nil || f.calls.Load() != 3 {
		t.Fatalf("err = %v after %d calls", err, f.calls.Load())
	}
}

func TestInvokeTimeout(t *testing.T) {
	release := make(chan struct{})
	_, url := newFake(t, func(w http.ResponseWriter, r *http.Request, n int32) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := newTestInvoker().Invoke(ctx, client(t), &Request{FunctionName: "f", Endpoint: url, MaxRetries: 3, Payload: []byte(`{}`)})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
}

func TestInvokeConnectionErrorNotRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close() // the connection drops: the function may have run
		}
	}()
	defer ln.Close()
	_, err = newTestInvoker().Invoke(context.Background(), client(t), &Request{FunctionName: "f", Endpoint: "http://" + ln.Addr().String(), MaxRetries: 3, Payload: []byte(`{}`)})
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), "wJalrXUtnFEMI") || strings.Contains(err.Error(), "AKIDEXAMPLE") {
		t.Errorf("credentials in the error: %v", err)
	}
	if n := accepted.Load(); n != 1 {
		t.Errorf("connections = %d, want 1 (no retry)", n)
	}
}

func TestInvokeOversizeResponse(t *testing.T) {
	_, url := newFake(t, func(w http.ResponseWriter, r *http.Request, n int32) {
		w.Header().Set("Content-Type", "application/json")
		chunk := strings.Repeat("x", 1<<16)
		for i := 0; i < (MaxPayloadBytes>>16)+2; i++ {
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
			w.(http.Flusher).Flush() // chunked: no Content-Length
		}
	})
	_, err := newTestInvoker().Invoke(context.Background(), client(t), &Request{FunctionName: "f", Endpoint: url, Payload: []byte(`{}`)})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func TestInvokeNoRegion(t *testing.T) {
	i := New(Options{Getenv: env(nil), Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
	_, err := i.Invoke(context.Background(), client(t), &Request{FunctionName: "f", Payload: []byte(`{}`)})
	if err == nil || !strings.Contains(err.Error(), "no region") {
		t.Fatalf("err = %v", err)
	}
}

func TestLoopbackPlaceholderCredentials(t *testing.T) {
	f, url := newFake(t, func(w http.ResponseWriter, r *http.Request, n int32) {
		_, _ = io.WriteString(w, `{}`)
	})
	// No credentials in the environment, an emulator on loopback: signed
	// with placeholders, never reaching for an instance role.
	i := New(Options{Getenv: env(nil)})
	if _, err := i.Invoke(context.Background(), client(t), &Request{FunctionName: "function", Region: "us-east-1", Endpoint: url, Payload: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if auth := f.lastReq.Load().Header.Get("Authorization"); !strings.Contains(auth, "Credential=tributary-local/") {
		t.Errorf("Authorization = %q", auth)
	}
}

func TestDefaultEndpoint(t *testing.T) {
	// The AWS endpoint is only built, never reached: a Doer that records
	// the URL stands in.
	var got string
	do := doFunc(func(_ context.Context, r *backend.Request) (*backend.Response, error) {
		got = r.URL.String()
		if r.Header.Get("Authorization") == "" || r.Header.Get("X-Amz-Date") == "" {
			t.Errorf("unsigned request: %v", r.Header)
		}
		return &backend.Response{Status: 200, Header: http.Header{}, Body: []byte(`{}`)}, nil
	})
	i := New(Options{Getenv: env(nil), Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
	for region, want := range map[string]string{
		"eu-west-1":  "https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:f/invocations",
		"cn-north-1": "https://lambda.cn-north-1.amazonaws.com.cn/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:f/invocations",
	} {
		if _, err := i.Invoke(context.Background(), do, &Request{FunctionName: "arn:aws:lambda:eu-west-1:123456789012:function:f", Region: region}); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: URL = %s", region, got)
		}
	}
}

type doFunc func(context.Context, *backend.Request) (*backend.Response, error)

func (f doFunc) Do(ctx context.Context, r *backend.Request) (*backend.Response, error) {
	return f(ctx, r)
}
