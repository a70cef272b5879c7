//go:build tributary_nolua

package plan

import (
	"errors"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/stage"
)

// The Lua builders of a binary built with the tributary_nolua tag, which
// leaves the Lua interpreter (gopher-lua) out: a config with any of the
// modifier/lua-* namespaces is refused at load, never served without its
// scripts.

var errNoLua = errors.New("this binary was built without Lua support (build tag tributary_nolua, which the Lambda builds add unless `tributary sam generate -c CONFIG -o template.yaml` found a modifier/lua-* namespace in CONFIG); regenerate the template from this config, or build with FUNCTION_TAGS set without tributary_nolua")

func (c *compiler) luaEndpointStages(e *config.Endpoint) ([]stage.Endpoint, error) {
	if c.cfg.LuaEndpoint != nil || e.LuaEndpoint != nil {
		return nil, errNoLua
	}
	return nil, nil
}

func (c *compiler) luaProxyStage(e *config.Endpoint) (stage.Endpoint, error) {
	if e.LuaProxy != nil {
		return nil, errNoLua
	}
	return nil, nil
}

func (c *compiler) luaProxyFinish(e *config.Endpoint) (stage.Finish, error) {
	if e.LuaProxy != nil {
		return nil, errNoLua
	}
	return nil, nil
}

func (c *compiler) luaBackendStage(_ *config.Endpoint, b *config.Backend) (stage.Backend, error) {
	if b.LuaBackend != nil {
		return nil, errNoLua
	}
	return nil, nil
}
