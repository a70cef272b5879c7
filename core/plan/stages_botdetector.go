package plan

import (
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/stage"
)

// botDetectorStage compiles security/bot-detector at either scope; nil
// when bd is nil.
func (c *compiler) botDetectorStage(bd *config.BotDetector) (stage.Endpoint, error) { return nil, nil }
