package lambdaadapter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
)

// The functions start the adapter as a lambda.Handler, without reflection.
var _ lambda.Handler = (*Adapter)(nil)

// TestInvokeMatchesHandle checks that Invoke, what the runtime loop calls,
// returns exactly the bytes Handle produces for every trigger, and the
// *json.SyntaxError aws-lambda-go would report for a payload that is not
// JSON.
func TestInvokeMatchesHandle(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"path":"`+r.URL.Path+`"}`)
	})
	a := New(h, Options{Direct: &DirectEndpoint{Method: "GET", Template: "/frontpage/{id_user}"}})
	var syntax *json.SyntaxError
	if _, err := a.Invoke(context.Background(), []byte(`{"params":`)); !errors.As(err, &syntax) {
		t.Errorf("invalid JSON: %v, want a *json.SyntaxError", err)
	}
	payloads := [][]byte{[]byte(`[]`), []byte(`{}`)}
	for _, f := range []string{"http-v2-get-stage.json", "rest-post-base64.json", "function-url-post.json", "alb-multi.json", "direct.json"} {
		payloads = append(payloads, readFixture(t, f))
	}
	for _, p := range payloads {
		got, gotErr := a.Invoke(context.Background(), p)
		out, wantErr := a.Handle(context.Background(), p)
		var want []byte
		if out != nil {
			want, _ = io.ReadAll(out)
		}
		if (gotErr == nil) != (wantErr == nil) || !bytes.Equal(got, want) {
			t.Errorf("payload %.40q: Invoke = %q, %v; Handle = %q, %v", p, got, gotErr, want, wantErr)
		}
	}
}
