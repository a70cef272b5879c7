// Package authorizer carries the claims an API Gateway authorizer attached
// to a Lambda event (requestContext.authorizer) from the Lambda adapter to
// the auth/validator stage, through the request context. The adapter stores
// the raw JSON object; the stage, when configured to trust it, reads the
// claims with Claims. Client headers never reach this path: only the event's
// requestContext, which API Gateway writes. It imports only the standard
// library.
package authorizer

import (
	"bytes"
	"context"
	"encoding/json"
)

// MaxBytes caps the authorizer object kept from an event.
const MaxBytes = 64 << 10

type key struct{}

// NewContext returns ctx carrying raw, the JSON object of an event's
// requestContext.authorizer. An empty or oversized raw value leaves ctx
// unchanged.
func NewContext(ctx context.Context, raw []byte) context.Context {
	if len(raw) == 0 || len(raw) > MaxBytes {
		return ctx
	}
	return context.WithValue(ctx, key{}, bytes.Clone(raw))
}

// FromContext returns the authorizer object NewContext stored, if any.
func FromContext(ctx context.Context) ([]byte, bool) {
	raw, ok := ctx.Value(key{}).([]byte)
	return raw, ok
}

// Claims extracts the claims from an authorizer object, looking in this
// order: jwt.claims (HTTP API JWT authorizer), lambda (HTTP API Lambda
// authorizer), claims (REST API Cognito authorizer), then the object itself
// (REST API Lambda authorizer context). Numbers keep their exact digits
// (json.Number). ok is false when raw is not a JSON object or the chosen
// member is not one.
func Claims(raw []byte) (map[string]any, bool) {
	var top map[string]any
	if !decode(raw, &top) || top == nil {
		return nil, false
	}
	if jwt, ok := top["jwt"].(map[string]any); ok {
		c, ok := jwt["claims"].(map[string]any)
		return c, ok
	}
	if c, ok := top["lambda"].(map[string]any); ok {
		return c, true
	}
	if c, ok := top["claims"].(map[string]any); ok {
		return c, true
	}
	return top, true
}

func decode(raw []byte, dst any) bool {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(dst); err != nil || d.More() {
		return false
	}
	return true
}
