package rie

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestInvokeGatewayBootstrap runs the real gateway bootstrap under the real
// emulator. make test sets RIE_BIN and GATEWAY_BOOTSTRAP, so this never
// skips there.
func TestInvokeGatewayBootstrap(t *testing.T) {
	rieBin, boot := os.Getenv("RIE_BIN"), os.Getenv("GATEWAY_BOOTSTRAP")
	if rieBin == "" || boot == "" {
		t.Skip("RIE_BIN and GATEWAY_BOOTSTRAP unset (make test sets them)")
	}
	var logs strings.Builder
	e, err := Start(Options{RIE: rieBin, Bootstrap: boot, Output: &syncWriter{b: &logs}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// An unrecognisable payload: the gateway function answers with the
	// Tributary.invalid_event error result, which RIE returns as a 200 body.
	status, body, err := e.Invoke(ctx, []byte(`{"hello":"world"}`))
	if err != nil {
		t.Fatal(err)
	}
	if status != 200 || !strings.Contains(string(body), `"errorType":"Tributary.invalid_event"`) {
		t.Errorf("invoke = %d %s", status, body)
	}
	// The health endpoint through an HTTP API v2 event.
	status, body, err = e.Invoke(ctx, []byte(`{"version":"2.0","rawPath":"/__health","rawQueryString":"","headers":{"host":"x"},"requestContext":{"http":{"method":"GET","path":"/__health","sourceIp":"198.51.100.1"},"stage":"$default"},"isBase64Encoded":false}`))
	if err != nil {
		t.Fatal(err)
	}
	if status != 200 || !strings.Contains(string(body), `"statusCode":200`) || !strings.Contains(string(body), `\"status\":\"ok\"`) {
		t.Errorf("health invoke = %d %s", status, body)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if out := logs.String(); strings.Contains(out, "panic") || strings.Contains(out, "fatal error") {
		t.Errorf("emulator output shows a crash:\n%s", out)
	}
}

func TestStartErrors(t *testing.T) {
	if _, err := Start(Options{}); err == nil {
		t.Error("Start with no binaries succeeded")
	}
	if _, err := Start(Options{RIE: "/does/not/exist", Bootstrap: "/does/not/exist"}); err == nil || !strings.Contains(err.Error(), "exist") {
		t.Errorf("Start with missing files: %v", err)
	}
}

// TestInheritedDropsGatewaySettings checks that a caller's gateway settings
// never reach a function under the emulator: only Options.Env sets them.
func TestInheritedDropsGatewaySettings(t *testing.T) {
	got := inherited([]string{"PATH=/bin", "TRIBUTARY_CONFIG=/home/me/my.json", "KRAKEND_PORT=1", "FC_ENABLE=1", "HOME=/h"})
	if strings.Join(got, " ") != "PATH=/bin HOME=/h" {
		t.Errorf("inherited = %v", got)
	}
}
