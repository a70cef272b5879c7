package plan

import (
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/stage"
)

// clientCredentialsStage compiles b's auth/client-credentials; nil when
// it is not configured.
func (c *compiler) clientCredentialsStage(e *config.Endpoint, b *config.Backend) (stage.Backend, error) {
	return nil, nil
}
