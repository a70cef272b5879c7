package boot_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/functions/boot"
)

// TestShadowCancelledOnLambda: nothing may run after a Lambda handler
// returns, so a shadow call still held by its backend when the response
// is ready has been cancelled by the time the invoke returns.
func TestShadowCancelledOnLambda(t *testing.T) {
	main := usersBackend(t)
	arrived, gone := make(chan struct{}, 1), make(chan struct{}, 1)
	stop := make(chan struct{})
	mirror := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-r.Context().Done():
			gone <- struct{}{}
		case <-stop:
		}
	}))
	t.Cleanup(mirror.Close)
	t.Cleanup(func() { close(stop) })
	cfg := writeFile(t, "tributary.json", `{"version": 3, "timeout": "2s", "endpoints": [{"endpoint": "/users/{id}", "backend": [
    {"host": ["`+main+`"], "url_pattern": "/u/{id}", "deny": ["secret"]},
    {"host": ["`+mirror.URL+`"], "url_pattern": "/mirror/{id}", "extra_config": {"proxy": {"shadow": true, "shadow_timeout": "1m"}}}]}]}`)
	a, err := boot.New([]string{"TRIBUTARY_CONFIG=" + cfg}, io.Discard, boot.Options{})
	if err != nil {
		t.Fatal(boot.Describe(err))
	}
	// The shadow starts before the main backend, so it has arrived or is
	// on its way; the reply is the main backend's alone.
	if r := call(t, a, v2Event("GET", "/users/42", "")); r.StatusCode != 200 || r.Body != `{"id":"42"}` {
		t.Fatalf("reply %d %s", r.StatusCode, r.Body)
	}
	select {
	case <-arrived:
		// The call reached the backend: its cancellation closes the
		// connection, which the backend sees shortly.
		select {
		case <-gone:
		case <-time.After(5 * time.Second):
			t.Fatal("the shadow call was not cancelled when the response was ready")
		}
	default:
		// Cancelled before it reached the backend: nothing runs.
	}
}
