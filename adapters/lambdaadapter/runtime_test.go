package lambdaadapter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
)

// Layer (2): the exact runtime JSON path, in process:
// lambda.NewHandler(a.Handle).Invoke(ctx, payload).

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRuntimeInvokeFixtures(t *testing.T) {
	tests := []struct {
		file   string
		format string
		opts   Options
		want   want
	}{
		{"rest-post-base64.json", "rest", Options{BasePath: "/shop"}, want{
			method: "POST", escapedPath: "/orders/77", rawQuery: "expand=items&expand=lines&note=a+b",
			requestURI: "/orders/77?expand=items&expand=lines&note=a+b", host: "api.tributary.test", remoteAddr: "192.0.2.44:0",
			body:   "\x00\x01\x02\x03\xfe\xff",
			header: http.Header{"Accept": {"text/html", "application/json"}, "Content-Length": {"6"}}, absent: []string{"Host"},
		}},
		{"http-v2-get-stage.json", "v2", Options{}, want{
			method: "GET", escapedPath: "/frontpage/42", rawQuery: "locale=es&tag=new&tag=sale",
			requestURI: "/frontpage/42?locale=es&tag=new&tag=sale", host: "gw.tributary.test", remoteAddr: "203.0.113.50:0",
			header: http.Header{"Cookie": {"session=s1; theme=dark"}, "If-None-Match": {`"v1,v2", "v3"`},
				"X-Date": {"Tue, 25 Nov 2025 10:00:00 GMT"}},
		}},
		{"function-url-post.json", "url", Options{}, want{
			method: "POST", escapedPath: "/notes/a%2Fb", rawQuery: "draft=1", requestURI: "/notes/a%2Fb?draft=1",
			host: "k7j6h5g4f3.lambda-url.eu-west-1.on.aws", remoteAddr: "[2001:db8::77]:0", body: "remember the milk",
			header: http.Header{"Cookie": {"a=1; b=2; c=3"}, "Content-Type": {"text/plain; charset=utf-8"}},
		}},
		{"alb-single.json", "alb", Options{}, want{
			method: "GET", escapedPath: "/search", rawQuery: "page=2&q=caf%C3%A9%20noir", requestURI: "/search?page=2&q=caf%C3%A9%20noir",
			host: "alb.tributary.test", remoteAddr: "203.0.113.80:0",
		}},
		{"alb-multi.json", "alb-multi", Options{}, want{
			method: "GET", escapedPath: "/search", rawQuery: "page=2&page=3&q=caf%C3%A9%20noir", requestURI: "/search?page=2&page=3&q=caf%C3%A9%20noir",
			host: "alb.tributary.test", remoteAddr: "203.0.113.81:0",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rec := &recorder{}
			h := lambda.NewHandler(New(rec, tt.opts).Handle)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			out, err := h.Invoke(ctx, readFixture(t, tt.file))
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			r := decodeReply(t, out)
			if r.StatusCode != 200 || string(r.body(t)) != `{"ok":true}` {
				t.Fatalf("reply %s", out)
			}
			checkFormat200(t, tt.format, r)
			checkSeen(t, rec.last(t), tt.want)
		})
	}
}

// checkFormat200 asserts a success reply is in the trigger's format.
func checkFormat200(t *testing.T, format string, r wireReply) {
	t.Helper()
	_, single := r.keys["headers"]
	_, multi := r.keys["multiValueHeaders"]
	ok := map[string]bool{
		"rest":      multi && !single,
		"v2":        single && !multi,
		"url":       single && !multi,
		"alb":       single && !multi && r.StatusDescription == "200 OK",
		"alb-multi": multi && !single && r.StatusDescription == "200 OK",
	}[format]
	if !ok {
		t.Errorf("reply keys %v are not the %s format", keysOf(r), format)
	}
}

func TestRuntimeInvokeDirect(t *testing.T) {
	rec := &recorder{}
	h := lambda.NewHandler(directAdapter(rec).Handle)
	out, err := h.Invoke(context.Background(), readFixture(t, "direct.json"))
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	if string(out) != `{"ok":true}` {
		t.Errorf("result %s", out)
	}
	got := rec.last(t)
	if got.RequestURI != "/frontpage/42?locale=es&tag=new&tag=sale" || string(got.Body) != `{"note": "direct"}` ||
		got.Header.Get("Authorization") != "Bearer fixture-token" || got.Host != "" || got.RemoteAddr != "" {
		t.Errorf("request %+v", got)
	}

	// An error result comes out of the runtime as a function error with
	// our type, never a Runtime.* error.
	_, err = h.Invoke(context.Background(), []byte(`{"params":{"id_user":"1"},"extra":1}`))
	var ie messages.InvokeResponse_Error
	if !errors.As(err, &ie) || ie.Type != "Tributary.bad_request" {
		t.Fatalf("error %#v", err)
	}
	var m directMsg
	if err := json.Unmarshal([]byte(ie.Message), &m); err != nil || m.Status != 400 || m.Error != "bad_request" {
		t.Errorf("message %q", ie.Message)
	}
}

func TestRuntimeInvokeUnrecognised(t *testing.T) {
	h := lambda.NewHandler(New(&recorder{}, Options{}).Handle)
	_, err := h.Invoke(context.Background(), []byte(`{"Records":[]}`))
	var ie messages.InvokeResponse_Error
	if !errors.As(err, &ie) || ie.Type != "Tributary.invalid_event" {
		t.Fatalf("error %#v", err)
	}
	// Invalid JSON never reaches the adapter: aws-lambda-go refuses it.
	if _, err := h.Invoke(context.Background(), []byte(`{"httpMethod":`)); err == nil {
		t.Fatal("invalid JSON was accepted")
	}
}

// TestRuntimeHandlerPanicKeepsProcess: a handler panic is a 500 in the
// trigger's format and a nil error, so aws-lambda-go never exits.
func TestRuntimeHandlerPanicKeepsProcess(t *testing.T) {
	a := New(&recorder{respond: func(w http.ResponseWriter, r *http.Request) { panic("boom") }}, Options{})
	h := lambda.NewHandler(a.Handle)
	for trig, ev := range triggerEvents() {
		out, err := h.Invoke(context.Background(), mustJSON(t, ev))
		if err != nil {
			t.Fatalf("%s: Invoke error %v", trig, err)
		}
		if r := decodeReply(t, out); r.StatusCode != 500 || r.errCode(t) != "internal_error" {
			t.Errorf("%s: reply %s", trig, out)
		}
	}
}

// TestBeforeInvoke checks the thaw hook gets the wall-clock gap since the
// previous invoke ended.
func TestBeforeInvoke(t *testing.T) {
	var gaps []time.Duration
	a := New(&recorder{}, Options{BeforeInvoke: func(gap time.Duration) { gaps = append(gaps, gap) }})
	ev := mustJSON(t, v2Event("GET", "/"))
	handle(t, a, ev)
	time.Sleep(30 * time.Millisecond)
	handle(t, a, ev)
	if len(gaps) != 2 || gaps[0] != 0 || gaps[1] < 30*time.Millisecond || gaps[1] > 5*time.Second {
		t.Fatalf("gaps %v, want [0, ≥30ms]", gaps)
	}
	// A panicking hook is recovered: the invoke still answers.
	a = New(&recorder{}, Options{BeforeInvoke: func(time.Duration) { panic("hook") }})
	if r := handleReply(t, a, ev); r.StatusCode != 500 {
		t.Fatalf("status %d", r.StatusCode)
	}
}

// TestConcurrentInvokes runs many invokes at once through one Adapter and
// one runtime handler, as AWS_LAMBDA_MAX_CONCURRENCY > 1 does. Under -race
// it proves the adapter shares no mutable state between invokes, and each
// reply must carry its own request's id.
func TestConcurrentInvokes(t *testing.T) {
	echo := &recorder{respond: func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Req-Id")
		if id == "" {
			id = r.URL.Query().Get("id")
		}
		w.Header().Set("X-Req-Id", id)
		w.Header().Add("Set-Cookie", "id="+id)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q,"path":%q}`, id, r.URL.EscapedPath())
	}}
	var thaws sync.Map
	a := New(echo, Options{
		BasePath:     "/v1",
		Direct:       &DirectEndpoint{Method: "GET", Template: "/items/{id}"},
		BeforeInvoke: func(gap time.Duration) { thaws.Store(gap, true) },
	})
	h := lambda.NewHandler(a.Handle)
	const workers, perWorker = 16, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				id := strconv.Itoa(w*1000 + i)
				if err := concurrentOne(h, (w+i)%6, id); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := echo.count(); got != workers*perWorker {
		t.Errorf("handler called %d times, want %d", got, workers*perWorker)
	}
}

func concurrentOne(h lambda.Handler, kind int, id string) error {
	var ev obj
	switch kind {
	case 0:
		ev = v1Event("GET", "/v1/items/"+id)
	case 1:
		ev = v2Event("GET", "/v1/items/"+id)
	case 2:
		ev = urlEvent("GET", "/v1/items/"+id)
	case 3:
		ev = albEvent("GET", "/v1/items/"+id, false)
	case 4:
		ev = albEvent("GET", "/v1/items/"+id, true)
	case 5:
		ev = obj{"params": obj{"id": id}, "query": obj{"id": id}}
	}
	if kind != 5 {
		setHeader(ev, "x-req-id", id)
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := h.Invoke(ctx, payload)
	if err != nil {
		return fmt.Errorf("kind %d id %s: %w", kind, id, err)
	}
	want := fmt.Sprintf(`{"id":%q,"path":"/items/%s"}`, id, id)
	if kind == 5 {
		if string(out) != want {
			return fmt.Errorf("direct id %s: result %s", id, out)
		}
		return nil
	}
	var r wireReply
	if err := json.Unmarshal(out, &r); err != nil {
		return err
	}
	cookie := ""
	if len(r.Cookies) > 0 {
		cookie = r.Cookies[0]
	} else if c := r.Headers["Set-Cookie"]; c != "" {
		cookie = c
	} else if cs := r.MultiValueHeaders["Set-Cookie"]; len(cs) > 0 {
		cookie = cs[0]
	}
	if r.StatusCode != 200 || r.Body != want || cookie != "id="+id {
		return fmt.Errorf("kind %d id %s: reply %s", kind, id, out)
	}
	return nil
}
