package config

// Signer is the "auth/signer" namespace (§17.18).
type Signer struct{}

// ClientCredentials is the "auth/client-credentials" namespace (§17.19).
type ClientCredentials struct{}

// signer decodes "auth/signer".
func (l *loader) signer(e *Endpoint, v *node, base, key string) { l.notYet(v, base, key) }

// clientCredentials decodes "auth/client-credentials".
func (l *loader) clientCredentials(b *Backend, v *node, base, key string) { l.notYet(v, base, key) }
