package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/local/rie"
)

// lamEmulator returns the emulator binary and the bootstrap named by
// bootstrapVar. make test sets both; only without them does a test skip.
func lamEmulator(t *testing.T, bootstrapVar string) (rieBin, bootstrap string) {
	t.Helper()
	rieBin, bootstrap = os.Getenv("RIE_BIN"), os.Getenv(bootstrapVar)
	if rieBin == "" || bootstrap == "" {
		t.Skip("RIE_BIN and " + bootstrapVar + " unset (make test sets them)")
	}
	return rieBin, bootstrap
}

// lamFunction is one function running under its own emulator.
type lamFunction struct {
	e    *rie.Emulator
	logs *lamLog
}

// lamStart starts bootstrap under the emulator with env added to its
// environment (TRIBUTARY_* settings) and the given function timeout.
func lamStart(rieBin, bootstrap string, env []string, timeout time.Duration) (*lamFunction, error) {
	logs := &lamLog{}
	e, err := rie.Start(rie.Options{RIE: rieBin, Bootstrap: bootstrap, Env: env, Timeout: timeout, Output: logs})
	if err != nil {
		return nil, err
	}
	return &lamFunction{e: e, logs: logs}, nil
}

// invoke sends one payload and returns the function's reply. The emulator
// must answer 200: a 502 means the runtime crashed or exited.
func (f *lamFunction) invoke(payload []byte, limit time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	status, reply, err := f.e.Invoke(ctx, payload)
	if err != nil {
		return nil, err
	}
	if status != 200 {
		return nil, fmt.Errorf("the emulator answered %d: %s", status, lamClip(reply))
	}
	return reply, nil
}

// close stops the emulator and fails when its output (the emulator's and
// the function's) shows a crash (security.md §7 invariant 1).
func (f *lamFunction) close() error {
	if err := f.e.Close(); err != nil {
		return err
	}
	out := f.logs.String()
	for _, bad := range []string{"panic", "fatal error"} {
		if strings.Contains(out, bad) {
			return fmt.Errorf("the emulator output shows %q:\n%s", bad, out)
		}
	}
	return nil
}

// lamFunctionError is the body of a function error: what RIE returns, with
// status 200 and no X-Amz-Function-Error header (lambda.md §5).
type lamFunctionError struct {
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}

// lamAsFunctionError decodes reply as a function error; ok is false when
// it is anything else.
func lamAsFunctionError(reply []byte) (fe lamFunctionError, ok bool) {
	var keys map[string]json.RawMessage
	if json.Unmarshal(reply, &keys) != nil || keys["errorType"] == nil {
		return fe, false
	}
	dec := json.NewDecoder(bytes.NewReader(reply))
	if dec.Decode(&fe) != nil || fe.ErrorType == "" {
		return fe, false
	}
	return fe, true
}

// lamLog collects an emulator's output; the emulator's stdout and stderr
// copiers write to it concurrently.
type lamLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lamLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lamLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
