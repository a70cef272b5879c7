package config

// Libraries says which of the optional, heavy libraries a config needs.
// A build of the Lambda functions may leave a library out (build tags
// tributary_nocel, tributary_nojsonschema, tributary_nolua,
// tributary_noredis, tributary_noawssdk, tributary_nootel) only when its field is false; a function built
// without a library refuses, at load, a config that needs it.
type Libraries struct {
	// CEL is true when an endpoint or a backend has validation/cel
	// (cel-go).
	CEL bool
	// JSONSchema is true when an endpoint has validation/json-schema (the
	// JSON Schema compiler).
	JSONSchema bool
	// Lua is true when the service, an endpoint or a backend has a
	// modifier/lua-endpoint, modifier/lua-proxy or modifier/lua-backend
	// namespace, even one without scripts (gopher-lua).
	Lua bool
	// Redis is true when the service declares tributary.shared_store (the
	// Redis client); connection pools alone dial nothing and do not count.
	Redis bool
	// AWSSDK is true when a backend has backend/lambda (the AWS SDK's
	// request signer and credential providers).
	AWSSDK bool
	// OpenTelemetry is true when the service has telemetry/opentelemetry
	// or telemetry/opencensus (the OpenTelemetry SDK, its OTLP exporters
	// and gRPC).
	OpenTelemetry bool
}

// Libraries reports which optional libraries c needs.
func (c *Config) Libraries() Libraries {
	u := Libraries{Lua: c.LuaEndpoint != nil, Redis: c.Redis != nil && c.Redis.Shared != nil,
		OpenTelemetry: c.OpenTelemetry != nil}
	for _, e := range c.Endpoints {
		u.CEL = u.CEL || len(e.CEL) > 0
		u.JSONSchema = u.JSONSchema || e.JSONSchema != nil
		u.Lua = u.Lua || e.LuaEndpoint != nil || e.LuaProxy != nil
		for _, b := range e.Backends {
			u.CEL = u.CEL || len(b.CEL) > 0
			u.Lua = u.Lua || b.LuaBackend != nil
			u.AWSSDK = u.AWSSDK || b.Lambda != nil
		}
	}
	return u
}
