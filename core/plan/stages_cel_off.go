//go:build tributary_nocel

package plan

import (
	"errors"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/stage"
)

// The validation/cel builders of a binary built with the tributary_nocel
// tag, which leaves cel-go (and its start-up cost) out: a config that uses
// the namespace is refused at load, never served without its checks.

var errNoCEL = errors.New("this binary was built without CEL support (build tag tributary_nocel, which the Lambda builds add unless `tributary sam generate -c CONFIG -o template.yaml` found the namespace in CONFIG); regenerate the template from this config, or build with FUNCTION_TAGS set without tributary_nocel")

func (c *compiler) celJWTStage(e *config.Endpoint) (stage.Endpoint, error) {
	if len(e.CEL) == 0 {
		return nil, nil
	}
	return nil, errNoCEL
}

func (c *compiler) celRequestStage(*config.Endpoint) (stage.Endpoint, error) { return nil, nil }

func (c *compiler) celFinishStage(*config.Endpoint, *Endpoint) (stage.Finish, error) { return nil, nil }

func (c *compiler) celBackendRequestStage(_ *config.Endpoint, b *config.Backend) (stage.Backend, error) {
	if len(b.CEL) == 0 {
		return nil, nil
	}
	return nil, errNoCEL
}

func (c *compiler) celBackendResponseStage(*config.Endpoint, *config.Backend) (stage.Backend, error) {
	return nil, nil
}
