package oauth

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testID     = "my client"
	testSecret = "s3cr3t:&=+"
)

// tokenServer is a real token endpoint on loopback. accept decides from
// the request whether to hand out a token.
type tokenServer struct {
	*httptest.Server
	calls  atomic.Int32
	mu     sync.Mutex
	seen   []*http.Request
	forms  []url.Values
	answer func(w http.ResponseWriter, r *http.Request, form url.Values)
}

func newTokenServer(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, form url.Values)) *tokenServer {
	ts := &tokenServer{answer: answer}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		ts.mu.Lock()
		ts.seen = append(ts.seen, r)
		ts.forms = append(ts.forms, form)
		ts.mu.Unlock()
		ts.answer(w, r, form)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func grant(w http.ResponseWriter, token string, expiresIn string) {
	w.Header().Set("Content-Type", "application/json")
	body := `{"access_token":"` + token + `","token_type":"bearer"`
	if expiresIn != "" {
		body += `,"expires_in":` + expiresIn
	}
	io.WriteString(w, body+"}")
}

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func basicOK(r *http.Request) bool {
	id, secret, ok := r.BasicAuth()
	return ok && id == url.QueryEscape(testID) && secret == url.QueryEscape(testSecret)
}

func TestTokenRequestAndCache(t *testing.T) {
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, form url.Values) {
		if !basicOK(r) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		grant(w, "tok1", "100")
	})
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	s := New(Options{ClientID: testID, ClientSecret: testSecret, TokenURL: ts.URL + "/token",
		Scopes: []string{"read", "write"}, Params: url.Values{"audience": {"api"}, "resource": {"r1", "r2"}}, Now: clk.Now})
	ctx := context.Background()
	for i := range 5 {
		tok, err := s.Token(ctx)
		if err != nil || tok != "tok1" {
			t.Fatalf("call %d: %q, %v", i, tok, err)
		}
	}
	if n := ts.calls.Load(); n != 1 {
		t.Fatalf("token endpoint called %d times, want 1", n)
	}
	r, form := ts.seen[0], ts.forms[0]
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("request %s %q", r.Method, r.Header.Get("Content-Type"))
	}
	if got := form.Encode(); got != "audience=api&grant_type=client_credentials&resource=r1&resource=r2&scope=read+write" {
		t.Errorf("form = %s", got)
	}
	// Valid until 30 s before expires_in.
	clk.Add(69 * time.Second)
	if _, err := s.Token(ctx); err != nil || ts.calls.Load() != 1 {
		t.Fatalf("at 69 s: %v, calls %d", err, ts.calls.Load())
	}
	clk.Add(2 * time.Second)
	if _, err := s.Token(ctx); err != nil || ts.calls.Load() != 2 {
		t.Fatalf("at 71 s: %v, calls %d, want a new fetch", err, ts.calls.Load())
	}
}

func TestNoExpiryMeansOneHourAndEmptyScope(t *testing.T) {
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, form url.Values) { grant(w, "tok", "") })
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	s := New(Options{ClientID: testID, ClientSecret: testSecret, TokenURL: ts.URL, Now: clk.Now})
	ctx := context.Background()
	if _, err := s.Token(ctx); err != nil {
		t.Fatal(err)
	}
	if v, ok := ts.forms[0]["scope"]; !ok || len(v) != 1 || v[0] != "" {
		t.Errorf("scope field = %q (present %v), want an empty value", v, ok)
	}
	clk.Add(59 * time.Minute)
	s.Token(ctx)
	if ts.calls.Load() != 1 {
		t.Fatalf("refetched before an hour")
	}
	clk.Add(2 * time.Minute)
	s.Token(ctx)
	if ts.calls.Load() != 2 {
		t.Fatalf("not refetched after an hour")
	}
}

func TestOneFetchInFlight(t *testing.T) {
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, form url.Values) {
		arrived <- struct{}{}
		<-release
		grant(w, "shared", "3600")
	})
	s := New(Options{ClientID: testID, ClientSecret: testSecret, TokenURL: ts.URL, Timeout: 10 * time.Second})
	ctx := context.Background()
	var wg sync.WaitGroup
	results := make(chan string, 21)
	wg.Go(func() {
		tok, _ := s.Token(ctx)
		results <- tok
	})
	<-arrived // the leader's request is at the server; the fetch is in flight
	for range 20 {
		wg.Go(func() {
			tok, _ := s.Token(ctx)
			results <- tok
		})
	}
	// A waiter whose own context ends stops waiting, with its context's
	// error.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Token(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled waiter: err = %v", err)
	}
	close(release)
	wg.Wait()
	close(results)
	for tok := range results {
		if tok != "shared" {
			t.Errorf("a caller got %q", tok)
		}
	}
	if n := ts.calls.Load(); n != 1 {
		t.Fatalf("token endpoint called %d times, want 1", n)
	}
}

func TestFailureIsNotCachedNorRetried(t *testing.T) {
	fail := atomic.Bool{}
	fail.Store(true)
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, form url.Values) {
		if fail.Load() {
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"error":"server_error","secret":"`+testSecret+`"}`)
			return
		}
		grant(w, "ok", "3600")
	})
	s := New(Options{ClientID: testID, ClientSecret: testSecret, TokenURL: ts.URL})
	ctx := context.Background()
	_, err := s.Token(ctx)
	if !errors.Is(err, ErrTokenFetch) || !strings.Contains(err.Error(), "500") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), testSecret) || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("the error carries the secret: %v", err)
	}
	if ts.calls.Load() != 1 {
		t.Fatalf("one failing fetch made %d requests", ts.calls.Load())
	}
	// A 500 says nothing about the credentials style: still Basic.
	if st, known := s.Style(); st != StyleBasic || known {
		t.Errorf("style after a 500 = %v (known %v)", st, known)
	}
	fail.Store(false)
	if tok, err := s.Token(ctx); err != nil || tok != "ok" {
		t.Fatalf("after recovery: %q, %v", tok, err)
	}
	if ts.calls.Load() != 2 {
		t.Fatalf("calls = %d, want 2", ts.calls.Load())
	}
}

func TestAuthStyleAlternation(t *testing.T) {
	// The server takes the credentials only in the form body.
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, form url.Values) {
		if r.Header.Get("Authorization") != "" || form.Get("client_id") != testID || form.Get("client_secret") != testSecret {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"invalid_client"}`)
			return
		}
		grant(w, "form-token", "40") // valid for 10 s
	})
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	s := New(Options{ClientID: testID, ClientSecret: testSecret, TokenURL: ts.URL, Now: clk.Now})
	ctx := context.Background()

	_, err := s.Token(ctx)
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("first fetch: err = %v", err)
	}
	if ts.calls.Load() != 1 {
		t.Fatalf("the first fetch made %d requests, want exactly 1", ts.calls.Load())
	}
	if !basicOK(ts.seen[0]) {
		t.Errorf("the first fetch did not use Basic")
	}
	if _, ok := ts.forms[0]["client_secret"]; ok {
		t.Errorf("the first fetch sent the secret in the body too")
	}
	tok, err := s.Token(ctx)
	if err != nil || tok != "form-token" {
		t.Fatalf("second fetch: %q, %v", tok, err)
	}
	if ts.calls.Load() != 2 {
		t.Fatalf("calls = %d, want 2", ts.calls.Load())
	}
	if st, known := s.Style(); st != StyleForm || !known {
		t.Fatalf("style = %v (known %v), want form, known", st, known)
	}
	clk.Add(11 * time.Second)
	if _, err := s.Token(ctx); err != nil {
		t.Fatalf("third fetch: %v", err)
	}
	if r := ts.seen[2]; r.Header.Get("Authorization") != "" {
		t.Errorf("the kept style was not used")
	}
}

func TestWorkingStyleIsKept(t *testing.T) {
	reject := atomic.Bool{}
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, form url.Values) {
		if reject.Load() || !basicOK(r) {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		grant(w, "b", "31") // valid for 1 s
	})
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	s := New(Options{ClientID: testID, ClientSecret: testSecret, TokenURL: ts.URL, Now: clk.Now})
	ctx := context.Background()
	if _, err := s.Token(ctx); err != nil {
		t.Fatal(err)
	}
	reject.Store(true)
	for range 3 {
		clk.Add(2 * time.Second)
		if _, err := s.Token(ctx); err == nil {
			t.Fatal("a rejected fetch succeeded")
		}
	}
	for i, r := range ts.seen {
		if !basicOK(r) {
			t.Errorf("fetch %d left the style that worked", i)
		}
	}
}

func TestBounds(t *testing.T) {
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, form url.Values) {
		switch r.URL.Path {
		case "/huge":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"`+strings.Repeat("a", MaxResponseBytes)+`"}`)
		case "/redirect":
			http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
		case "/elsewhere":
			grant(w, "followed", "")
		case "/empty":
			grant(w, "", "60")
		case "/ctl":
			grant(w, `a\r\nX-Injected: 1`, "60")
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}
	})
	ctx := context.Background()
	for path, want := range map[string]string{"/huge": "larger", "/redirect": "307", "/empty": "invalid token response", "/ctl": "invalid token response", "/slow": "timed out"} {
		s := New(Options{ClientID: testID, ClientSecret: testSecret, TokenURL: ts.URL + path, Timeout: 200 * time.Millisecond})
		_, err := s.Token(ctx)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", path, err, want)
		}
	}
	if ts.calls.Load() != 5 {
		t.Errorf("calls = %d, want 5 (a redirect is not followed)", ts.calls.Load())
	}
}
