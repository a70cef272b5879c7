package exec

import (
	"github.com/tributary-gw/tributary/core/encoding"
	"github.com/tributary-gw/tributary/core/plan"
	"github.com/tributary-gw/tributary/core/shape"
)

// acceptOf returns the request's Accept header when the endpoint's output
// depends on it (output encoding negotiate), else "".
func acceptOf(ep *plan.Endpoint, r *Request) string {
	if ep.Output != plan.OutputNegotiate || r == nil {
		return ""
	}
	if v := r.Header["Accept"]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// decodeMarkup decodes a body with encoding xml or rss.
func decodeMarkup(b *plan.Backend, body []byte) (shape.Object, error) {
	if b.Encoding == plan.EncodingRSS {
		return encoding.DecodeFeed(body)
	}
	return encoding.DecodeXML(body, b.Expect == shape.ExpectCollection)
}

// setMarkup stores merged as the body of output encoding xml, yaml or
// negotiate (which may pick JSON). It reports false when the document could
// not be encoded, which only a stage breaking a value can cause.
func (g *Gateway) setMarkup(ep *plan.Endpoint, out *Response, merged shape.Object, accept string) bool {
	f := encoding.FormatXML
	switch ep.Output {
	case plan.OutputYAML:
		f = encoding.FormatYAML
	case plan.OutputNegotiate:
		f = encoding.Negotiate(accept)
	}
	var err error
	switch f {
	case encoding.FormatXML:
		out.Header["Content-Type"] = []string{encoding.ContentTypeXML}
		out.body, err = encoding.AppendXML(nil, merged)
	case encoding.FormatYAML:
		out.Header["Content-Type"] = []string{encoding.ContentTypeYAML}
		out.body, err = encoding.AppendYAML(nil, merged)
	default:
		out.Header["Content-Type"] = []string{ContentTypeJSON}
		out.setJSON(merged)
	}
	if err != nil {
		g.log.Error("encoding the response failed", "endpoint", ep.Method+" "+ep.Path, "error", err.Error())
		return false
	}
	return true
}
