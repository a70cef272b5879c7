package plan

import (
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/stage"
	"github.com/tributary-gw/tributary/core/websec"
)

// botDetectorStage compiles security/bot-detector at either scope; nil
// when bd is nil. At service scope (bd is the config's own) the health
// endpoint is exempt, as it is served before the detector in KrakenD.
func (c *compiler) botDetectorStage(bd *config.BotDetector) (stage.Endpoint, error) {
	if bd == nil {
		return nil, nil
	}
	exempt := ""
	if bd == c.cfg.BotDetector && !c.cfg.Router.DisableHealth {
		exempt = c.cfg.Router.HealthPath
	}
	b, err := websec.NewBot(websec.BotOptions{
		Allow:               bd.Allow,
		Deny:                bd.Deny,
		Patterns:            bd.Patterns,
		EmptyUserAgentIsBot: bd.EmptyUserAgentIsBot,
		CacheSize:           bd.CacheSize,
		ExemptPath:          exempt,
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}
