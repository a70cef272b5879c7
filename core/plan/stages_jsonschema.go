//go:build !tributary_nojsonschema

package plan

import (
	"context"
	"net/http"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/schemacheck"
	"github.com/tributary-gw/tributary/core/stage"
)

// jsonSchemaStage compiles e's validation/json-schema (krakend-compat
// §17.14); nil when absent. An invalid schema, or one that refers to a
// document other than itself, fails the load.
func (c *compiler) jsonSchemaStage(e *config.Endpoint) (stage.Endpoint, error) {
	if e.JSONSchema == nil {
		return nil, nil
	}
	s, err := schemacheck.Compile(e.JSONSchema.Raw)
	if err != nil {
		return nil, err
	}
	return &schemaValidator{schema: s}, nil
}

// schemaValidator rejects a request whose body does not validate.
type schemaValidator struct {
	schema *schemacheck.Schema
}

// Run answers 400 invalid_body unless the body is a JSON document the
// schema accepts.
func (s *schemaValidator) Run(_ context.Context, x *stage.Exchange) *stage.Reply {
	msg := s.schema.Validate(x.Body)
	if msg == "" {
		return nil
	}
	return &stage.Reply{Status: http.StatusBadRequest, Code: "invalid_body", Message: msg}
}
