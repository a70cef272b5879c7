package config

// HTTPCache is the "qos/http-cache" namespace (§17.7).
type HTTPCache struct{}

// httpCache decodes "qos/http-cache".
func (l *loader) httpCache(b *Backend, v *node, base, key string) { l.notYet(v, base, key) }
