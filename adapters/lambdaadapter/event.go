package lambdaadapter

import (
	"net/http"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// kv is one name/value pair, in event order.
type kv struct{ k, v string }

// rawEvent holds the fields of an HTTP-shaped event (REST v1, HTTP API v2,
// Function URL, ALB) as they arrive, before validation. One parser serves
// every trigger; each builder reads the fields its trigger defines.
type rawEvent struct {
	version    string
	hasVersion bool
	httpMethod string // REST, ALB
	path       string // REST, ALB
	rawPath    string // v2, Function URL
	rawQuery   string // v2, Function URL

	headers      []kv // "headers"
	mvHeaders    []kv // "multiValueHeaders", one pair per value
	hasMVHeaders bool // "multiValueHeaders" is an object
	query        []kv // "queryStringParameters"
	mvQuery      []kv // "multiValueQueryStringParameters", one pair per value
	hasMVQuery   bool // "multiValueQueryStringParameters" is an object
	cookies      []string

	body     string
	isBase64 bool

	hasRC          bool   // "requestContext" is an object
	stage          string // requestContext.stage
	domainName     string // requestContext.domainName
	identitySource string // requestContext.identity.sourceIp (REST)
	httpCtxMethod  string // requestContext.http.method (v2, URL)
	httpCtxSource  string // requestContext.http.sourceIp (v2, URL)
	authorizer     []byte // requestContext.authorizer, raw JSON (REST, v2)
}

// eventParser decodes an HTTP-shaped event: no reflection, and unknown
// keys are skipped without being decoded.
type eventParser struct {
	sc  *scanner
	ev  *rawEvent
	err string // the first type error, if any
}

// parseEvent decodes event. A wrong JSON type for a known field, or broken
// JSON, is 400 invalid_event.
func (a *Adapter) parseEvent(event []byte) (*rawEvent, *httpError) {
	p := eventParser{sc: &scanner{b: event}, ev: &rawEvent{}}
	ok := p.sc.object(p.top) && p.sc.atEnd()
	if p.err != "" {
		return nil, errInvalidEvent(p.err)
	}
	if !ok {
		return nil, errInvalidEvent("the event is not valid JSON")
	}
	return p.ev, nil
}

// fail records the first type error and stops the parse.
func (p *eventParser) fail(msg string) bool {
	if p.err == "" {
		p.err = msg
	}
	return false
}

func (p *eventParser) top(key []byte) bool {
	ev, sc := p.ev, p.sc
	switch string(key) {
	case "version":
		ev.hasVersion = true
		return p.str("version", &ev.version)
	case "httpMethod":
		return p.str("httpMethod", &ev.httpMethod)
	case "path":
		return p.str("path", &ev.path)
	case "rawPath":
		return p.str("rawPath", &ev.rawPath)
	case "rawQueryString":
		return p.str("rawQueryString", &ev.rawQuery)
	case "body":
		return p.str("body", &ev.body)
	case "isBase64Encoded":
		switch sc.kind() {
		case kindBool:
			var ok bool
			ev.isBase64, ok = sc.boolean()
			return ok
		case kindNull:
			return sc.skip()
		}
		return p.fail("isBase64Encoded must be a boolean")
	case "headers":
		return p.stringMap("headers", &ev.headers, true)
	case "multiValueHeaders":
		ev.hasMVHeaders = sc.kind() == kindObject
		return p.multiMap("multiValueHeaders", &ev.mvHeaders, true)
	case "queryStringParameters":
		return p.stringMap("queryStringParameters", &ev.query, false)
	case "multiValueQueryStringParameters":
		ev.hasMVQuery = sc.kind() == kindObject
		return p.multiMap("multiValueQueryStringParameters", &ev.mvQuery, false)
	case "cookies":
		return p.stringList("cookies", &ev.cookies)
	case "requestContext":
		switch sc.kind() {
		case kindObject:
			ev.hasRC = true
			return sc.object(p.requestContext)
		case kindNull:
			return sc.skip()
		}
		return p.fail("requestContext must be an object")
	}
	return sc.skip()
}

func (p *eventParser) requestContext(key []byte) bool {
	ev := p.ev
	switch string(key) {
	case "stage":
		return p.str("requestContext.stage", &ev.stage)
	case "domainName":
		return p.str("requestContext.domainName", &ev.domainName)
	case "identity":
		return p.object("requestContext.identity", func(key []byte) bool {
			if string(key) == "sourceIp" {
				return p.str("requestContext.identity.sourceIp", &ev.identitySource)
			}
			return p.sc.skip()
		})
	case "authorizer":
		if p.sc.kind() != kindObject {
			return p.sc.skip()
		}
		var ok bool
		ev.authorizer, ok = p.sc.raw()
		return ok
	case "http":
		return p.object("requestContext.http", func(key []byte) bool {
			switch string(key) {
			case "method":
				return p.str("requestContext.http.method", &ev.httpCtxMethod)
			case "sourceIp":
				return p.str("requestContext.http.sourceIp", &ev.httpCtxSource)
			}
			return p.sc.skip()
		})
	}
	return p.sc.skip()
}

// str reads a string or null (which leaves dst empty).
func (p *eventParser) str(field string, dst *string) bool {
	switch p.sc.kind() {
	case kindString:
		var ok bool
		*dst, ok = p.sc.str()
		return ok
	case kindNull:
		return p.sc.skip()
	}
	return p.fail(field + " must be a string")
}

// object reads an object or null with fn.
func (p *eventParser) object(field string, fn func(key []byte) bool) bool {
	switch p.sc.kind() {
	case kindObject:
		return p.sc.object(fn)
	case kindNull:
		return p.sc.skip()
	}
	return p.fail(field + " must be an object")
}

// stringMap reads an object of strings (or null) into dst; null values are
// skipped. canon canonicalizes keys as header names.
func (p *eventParser) stringMap(field string, dst *[]kv, canon bool) bool {
	return p.object(field, func(key []byte) bool {
		switch p.sc.kind() {
		case kindString:
			v, ok := p.sc.str()
			*dst = append(*dst, kv{keyString(key, canon), v})
			return ok
		case kindNull:
			return p.sc.skip()
		}
		return p.fail(field + " values must be strings")
	})
}

// multiMap reads an object of string arrays (or null) into dst, one pair
// per value; null arrays and null items are skipped. canon canonicalizes
// keys as header names.
func (p *eventParser) multiMap(field string, dst *[]kv, canon bool) bool {
	return p.object(field, func(key []byte) bool {
		switch p.sc.kind() {
		case kindArray:
			k := keyString(key, canon)
			return p.sc.array(func() bool {
				switch p.sc.kind() {
				case kindString:
					v, ok := p.sc.str()
					*dst = append(*dst, kv{k, v})
					return ok
				case kindNull:
					return p.sc.skip()
				}
				return p.fail(field + " values must be arrays of strings")
			})
		case kindNull:
			return p.sc.skip()
		}
		return p.fail(field + " values must be arrays of strings")
	})
}

// stringList reads an array of strings (or null) into dst.
func (p *eventParser) stringList(field string, dst *[]string) bool {
	switch p.sc.kind() {
	case kindArray:
		return p.sc.array(func() bool {
			switch p.sc.kind() {
			case kindString:
				v, ok := p.sc.str()
				*dst = append(*dst, v)
				return ok
			case kindNull:
				return p.sc.skip()
			}
			return p.fail(field + " must be an array of strings")
		})
	case kindNull:
		return p.sc.skip()
	}
	return p.fail(field + " must be an array of strings")
}

// keyString returns key as a string; with canon, in canonical header form
// (as http.CanonicalHeaderKey would give it, in one allocation).
func keyString(key []byte, canon bool) string {
	if !canon {
		return string(key)
	}
	if len(key) > 256 {
		return http.CanonicalHeaderKey(string(key))
	}
	var buf [256]byte
	b := buf[:len(key)]
	upper := true
	for i, c := range key {
		if !httpsyntax.IsTokenByte(c) {
			return string(key) // net/http leaves invalid names alone
		}
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		} else if !upper && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
		upper = c == '-'
	}
	return string(b)
}
