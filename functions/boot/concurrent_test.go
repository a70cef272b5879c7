package boot_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"go.uber.org/goleak"

	"github.com/tributary-gw/tributary/functions/boot"
)

// TestConcurrentInvokes is security.md rule 17: with
// AWS_LAMBDA_MAX_CONCURRENCY > 1, aws-lambda-go runs several invokes at
// once in one process through one handler. Many goroutines invoke the
// gateway and the per-endpoint function, each built by boot.New with the
// real gateway behind it, through every trigger; every answer must be the
// one for its own request, and -race (make test) must stay quiet.
func TestConcurrentInvokes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := strings.CutPrefix(r.URL.Path, "/u/")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q,"secret":"s"}`, id)
	}))
	cfg := writeFile(t, "tributary.json", usersConfig(srv.URL))
	gateway, err := boot.New([]string{"TRIBUTARY_CONFIG=" + cfg}, io.Discard, boot.Options{})
	if err != nil {
		t.Fatal(boot.Describe(err))
	}
	endpoint, err := boot.New([]string{"TRIBUTARY_CONFIG=" + cfg, "TRIBUTARY_ENDPOINT=GET /users/{id}"}, io.Discard, boot.Options{PerEndpoint: true})
	if err != nil {
		t.Fatal(boot.Describe(err))
	}
	// One handler per function, shared by every goroutine, as the runtime's
	// poll loops share it.
	handlers := []lambda.Handler{lambda.NewHandler(gateway.Handle), lambda.NewHandler(endpoint.Handle)}
	const goroutines, invokes = 16, 40
	var wg sync.WaitGroup
	errs := make(chan string, goroutines*invokes)
	for g := range goroutines {
		wg.Go(func() {
			for i := range invokes {
				id := fmt.Sprintf("g%d-%d", g, i)
				h := handlers[(g+i)%2]
				var payload string
				switch i % 4 {
				case 0:
					payload = v2Event("GET", "/users/"+id, "")
				case 1:
					payload = restEvent("GET", "/users/"+id)
				case 2:
					payload = albEvent("GET", "/users/"+id)
				default:
					payload = `{"params":{"id":"` + id + `"}}`
					h = handlers[1] // only the per-endpoint function takes direct payloads
				}
				want := `{"id":"` + id + `"}`
				out, err := h.Invoke(t.Context(), []byte(payload))
				switch {
				case err != nil:
					errs <- fmt.Sprintf("%s: %v", id, err)
				case i%4 == 3 && string(out) != want:
					errs <- fmt.Sprintf("%s: direct result %s", id, out)
				case i%4 != 3 && !strings.Contains(string(out), `"statusCode":200`):
					errs <- fmt.Sprintf("%s: reply %s", id, out)
				case i%4 != 3 && !strings.Contains(string(out), `"body":"{\"id\":\"`+id+`\"}"`):
					errs <- fmt.Sprintf("%s: another request's answer: %s", id, out)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	n := 0
	for e := range errs {
		if n++; n <= 10 {
			t.Error(e)
		}
	}
	if n > 10 {
		t.Errorf("… and %d more", n-10)
	}
	// No goroutine outlives the invokes once the backend has closed its
	// connections (security.md rule 5).
	srv.CloseClientConnections()
	srv.Close()
	goleak.VerifyNone(t)
}
