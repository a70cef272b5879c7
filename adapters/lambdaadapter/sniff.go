package lambdaadapter

import "bytes"

// trigger is the kind of event, which also fixes the reply format.
type trigger uint8

const (
	trigUnknown trigger = iota
	trigREST            // API Gateway REST API, payload 1.0
	trigV2              // API Gateway HTTP API, payload 2.0
	trigURL             // Lambda Function URL
	trigALB             // Application Load Balancer target group
	trigDirect          // direct invocation (functions/endpoint)
)

func (t trigger) String() string {
	switch t {
	case trigREST:
		return "rest-v1"
	case trigV2:
		return "http-v2"
	case trigURL:
		return "function-url"
	case trigALB:
		return "alb"
	case trigDirect:
		return "direct"
	}
	return "unknown"
}

// probe is what sniffing learns: the trigger, the ALB reply mode, and why
// an event was not recognised.
type probe struct {
	trigger trigger
	// albMulti is set when an ALB event carries multiValueHeaders: its
	// reply must use multiValueHeaders too (lambda.md P9).
	albMulti bool
	reason   string
}

// sniffer collects the few keys sniffing looks at.
type sniffer struct {
	version       []byte
	hasVersion    bool
	hasHTTPMethod bool
	hasMVHeaders  bool
	hasRC         bool
	hasELB        bool
	hasHTTP       bool
	domainName    []byte
}

// sniff classifies the event by lambda.md §2.1, first match wins. It
// decodes only a small probe: version, the presence of httpMethod and
// multiValueHeaders, and requestContext.elb, .http and .domainName.
func (a *Adapter) sniff(event []byte) probe {
	sc := &scanner{b: event}
	if sc.kind() != kindObject {
		return probe{reason: "the event is not a JSON object"}
	}
	var s sniffer
	if !sc.object(func(key []byte) bool { return s.top(sc, key) }) || !sc.atEnd() {
		return probe{reason: "the event is not valid JSON"}
	}
	switch {
	case s.hasELB:
		return probe{trigger: trigALB, albMulti: s.hasMVHeaders}
	case s.hasHTTP || string(s.version) == "2.0":
		if bytes.Contains(s.domainName, []byte(".lambda-url.")) {
			return probe{trigger: trigURL}
		}
		return probe{trigger: trigV2}
	case s.hasHTTPMethod:
		return probe{trigger: trigREST}
	case !s.hasRC && !s.hasVersion:
		return probe{trigger: trigDirect}
	}
	return probe{reason: "the event matches no supported trigger (REST API, HTTP API, Function URL, ALB or direct invocation)"}
}

func (s *sniffer) top(sc *scanner, key []byte) bool {
	switch string(key) {
	case "version":
		s.hasVersion = true
		if sc.kind() == kindString {
			var ok bool
			s.version, ok = sc.scanString(true)
			return ok
		}
	case "httpMethod":
		s.hasHTTPMethod = true
	case "multiValueHeaders":
		s.hasMVHeaders = sc.kind() == kindObject
	case "requestContext":
		s.hasRC = true
		if sc.kind() == kindObject {
			return sc.object(func(key []byte) bool { return s.requestContext(sc, key) })
		}
	}
	return sc.skip()
}

func (s *sniffer) requestContext(sc *scanner, key []byte) bool {
	switch string(key) {
	case "elb":
		s.hasELB = sc.kind() != kindNull
	case "http":
		s.hasHTTP = sc.kind() != kindNull
	case "domainName":
		if sc.kind() == kindString {
			var ok bool
			s.domainName, ok = sc.scanString(true)
			return ok
		}
	}
	return sc.skip()
}
