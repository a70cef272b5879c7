package plan

import (
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/stage"
)

// httpCacheStage compiles b's qos/http-cache; nil when it is not
// configured.
func (c *compiler) httpCacheStage(e *config.Endpoint, b *config.Backend) (stage.Backend, error) {
	return nil, nil
}
