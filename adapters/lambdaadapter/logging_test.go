package lambdaadapter

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// TestLogHandlerAddsLambdaFields checks that lines logged during an
// invocation carry its request id and X-Ray trace id, and that other lines
// are untouched.
func TestLogHandlerAddsLambdaFields(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(NewLogHandler(slog.NewJSONHandler(&buf, nil))).With("component", "test")
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	ctx = context.WithValue(ctx, traceKey, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=557abcec3ee5a047;Sampled=1")
	log.InfoContext(ctx, "backend failed")
	log.Info("config warning")

	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.Bytes())
	}
	var in, out map[string]any
	if err := json.Unmarshal(lines[0], &in); err != nil {
		t.Fatal(err)
	}
	if in["requestId"] != "req-1" || in["xrayTraceId"] != "1-5759e988-bd862e3fe1be46a994272793" || in["component"] != "test" {
		t.Errorf("invocation line: %s", lines[0])
	}
	if err := json.Unmarshal(lines[1], &out); err != nil {
		t.Fatal(err)
	}
	if _, ok := out["requestId"]; ok {
		t.Errorf("a line without an invocation got a request id: %s", lines[1])
	}
}

// TestTraceRoot checks the X-Ray header parsing.
func TestTraceRoot(t *testing.T) {
	for in, want := range map[string]string{
		"Root=1-a-b;Parent=c;Sampled=1": "1-a-b",
		"Parent=c; Root=1-x-y":          "1-x-y",
		"Sampled=0":                     "",
		"":                              "",
	} {
		if got := traceRoot(in); got != want {
			t.Errorf("traceRoot(%q) = %q, want %q", in, got, want)
		}
	}
}
