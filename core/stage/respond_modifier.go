package stage

import "net/http"

// ResponseModifier is implemented by a Backend stage that changes the
// backend's response before the gateway processes it (krakend-compat §9,
// response side): martian response modifiers. The executor calls
// ModifyResponse once a response has arrived from the backend (never for
// an Answer a stage supplied, nor when the call failed), in stage order,
// before the status check, decoding and shaping, and before the Observers
// see the response. It returns the status, header and body to use
// instead; it may change header in place (the map belongs to the call)
// but never body, which may be pooled: a new body is a new slice, which
// the stage must not change afterwards. A non-nil error fails the call.
type ResponseModifier interface {
	ModifyResponse(c *Call, status int, header http.Header, body []byte) (int, http.Header, []byte, error)
}

// ModifyResponse runs the ResponseModifiers among stages on a response
// from c's backend, in order, and returns the result.
func ModifyResponse(stages []Backend, c *Call, status int, header http.Header, body []byte) (int, http.Header, []byte, error) {
	for _, s := range stages {
		if m, ok := s.(ResponseModifier); ok {
			var err error
			if status, header, body, err = m.ModifyResponse(c, status, header, body); err != nil {
				return status, header, body, err
			}
		}
	}
	return status, header, body, nil
}

// OwnHeader returns c's outgoing headers as a map the caller may change:
// the first call copies the map shared with the request's other backends
// (as SetHeader does).
func (c *Call) OwnHeader() http.Header {
	if !c.ownHeader {
		c.Header = c.Header.Clone()
		if c.Header == nil {
			c.Header = make(http.Header, 1)
		}
		c.ownHeader = true
	}
	return c.Header
}
