package config

// CORS is the "security/cors" namespace (§17.9).
type CORS struct{}

// HTTPSecure is the "security/http" namespace (§17.10).
type HTTPSecure struct{}

// BotDetector is the "security/bot-detector" namespace (§17.21).
type BotDetector struct{}

// cors decodes "security/cors".
func (l *loader) cors(c *Config, v *node, base, key string) { l.notYet(v, base, key) }

// httpSecure decodes "security/http".
func (l *loader) httpSecure(c *Config, v *node, base, key string) { l.notYet(v, base, key) }

// botDetector decodes "security/bot-detector" at either scope.
func (l *loader) botDetector(v *node, base, key string) *BotDetector {
	l.notYet(v, base, key)
	return nil
}
