package plan

import "github.com/tributary-gw/tributary/core/stage"

// corsStage compiles security/cors; nil when it is not configured.
func (c *compiler) corsStage() (stage.Endpoint, error) { return nil, nil }

// httpSecureStage compiles security/http; nil when it is not configured.
func (c *compiler) httpSecureStage() (stage.Endpoint, error) { return nil, nil }
