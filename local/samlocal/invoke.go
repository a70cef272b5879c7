package samlocal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// Result is the outcome of one Invoke.
type Result struct {
	// Status is the emulator's HTTP status: 200, or 502 when the runtime
	// crashed.
	Status int
	// Body is the function's result, its error document, or the
	// emulator's error text.
	Body []byte
	// FunctionError reports a function error (see FunctionError).
	FunctionError bool
}

// Invoke runs fn once under a fresh emulator with event, passed verbatim
// (it must be JSON), and stops the emulator. The invoke is bounded by the
// function timeout plus a margin, and by ctx.
func Invoke(ctx context.Context, fn *Function, event []byte, o Options) (*Result, error) {
	if !json.Valid(event) {
		return nil, errors.New("the event is not valid JSON")
	}
	if len(event) > MaxInvokePayload {
		return nil, fmt.Errorf("the event is %d bytes; Lambda accepts at most %d", len(event), MaxInvokePayload)
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	path, err := o.Bootstrap(ctx, fn)
	if err != nil {
		return nil, err
	}
	e, err := startEmulator(fn, path, o, syncWriter(o.Output))
	if err != nil {
		return nil, err
	}
	defer e.Close()
	ctx, cancel := context.WithTimeout(ctx, fn.Timeout+invokeMargin)
	defer cancel()
	status, body, err := e.Invoke(ctx, event)
	if err != nil {
		return nil, fmt.Errorf("invoking %s: %w", fn.LogicalID, err)
	}
	if err := e.Close(); err != nil {
		return nil, fmt.Errorf("stopping %s: %w", fn.LogicalID, err)
	}
	return &Result{Status: status, Body: body, FunctionError: FunctionError(status, body)}, nil
}
