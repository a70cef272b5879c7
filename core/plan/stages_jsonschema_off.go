//go:build tributary_nojsonschema

package plan

import (
	"errors"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/stage"
)

// jsonSchemaStage refuses validation/json-schema: this binary was built
// with the tributary_nojsonschema tag, which leaves the JSON Schema
// library (and its start-up cost) out.
func (c *compiler) jsonSchemaStage(e *config.Endpoint) (stage.Endpoint, error) {
	if e.JSONSchema == nil {
		return nil, nil
	}
	return nil, errNoJSONSchema
}

var errNoJSONSchema = errors.New("this binary was built without JSON Schema support (build tag tributary_nojsonschema, which the Lambda builds add unless `tributary sam generate -c CONFIG -o template.yaml` found the namespace in CONFIG); regenerate the template from this config, or build with FUNCTION_TAGS set without tributary_nojsonschema")
