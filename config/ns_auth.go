package config

// Validator is the endpoint "auth/validator" namespace (§17.8).
type Validator struct{}

// Revoker is the "auth/revoker" namespace (§17.20).
type Revoker struct{}

// validator decodes the endpoint "auth/validator".
func (l *loader) validator(e *Endpoint, v *node, base, key string) { l.notYet(v, base, key) }

// validatorService decodes the service "auth/validator"
// (shared_cache_duration only).
func (l *loader) validatorService(c *Config, v *node, base, key string) { l.notYet(v, base, key) }

// revoker decodes "auth/revoker".
func (l *loader) revoker(c *Config, v *node, base, key string) { l.notYet(v, base, key) }
