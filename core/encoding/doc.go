// Package encoding holds the non-JSON codecs of the response path: the
// backend decoders for XML and for RSS/Atom feeds, which turn a body into
// the JSON object model of package shape, and the output encoders for XML
// and YAML, which render that model. It also implements the Accept-header
// negotiation of output_encoding "negotiate".
//
// Everything works on JSON text: decoders emit compact JSON straight from
// the XML token stream (values as strings, no maps), and encoders walk the
// JSON bytes of a shape.Object, so key order and number literals survive
// (the XML encoder alone sorts keys, as the XML renderer of KrakenD does).
//
// XML input is hostile by default: the standard library decoder never
// expands DTD entities (a reference to one is a syntax error), element
// nesting is limited to MaxXMLDepth and the JSON produced to
// shape.MaxDepth, and the body size is already capped by the caller. Every
// failure is an error, never a panic.
package encoding
