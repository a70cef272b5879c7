package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// Tests of tributary.request_id and tributary.access_log: defaults, every
// option, and the diagnostics of what is refused.

// tributaryConfig is a one-endpoint config whose service "tributary"
// namespace is ns (line 2).
func tributaryConfig(ns string) string {
	return fmt.Sprintf(`{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/x"}]}],
  "extra_config": {"tributary": %s}}`, ns)
}

func TestRequestIDDecode(t *testing.T) {
	def := DefaultRequestID()
	if def != (RequestID{Header: "X-Request-Id", TrustClient: true, Echo: true}) {
		t.Fatalf("defaults %+v", def)
	}
	for _, c := range []struct {
		ns   string
		want *RequestID
	}{
		{`{}`, nil},
		{`{"request_id": {}}`, &def},
		{`{"request_id": {"@comment": "x"}}`, &def},
		{`{"request_id": {"header": "x-correlation-id", "trust_client": false, "echo": false, "forward": true}}`,
			&RequestID{Header: "X-Correlation-Id", Forward: true}},
		{`{"request_id": {"forward": true}}`, &RequestID{Header: "X-Request-Id", TrustClient: true, Echo: true, Forward: true}},
	} {
		cfg, err := Load("t.json", []byte(tributaryConfig(c.ns)), nil)
		if err != nil {
			t.Errorf("%s: %v", c.ns, err)
			continue
		}
		switch {
		case c.want == nil && cfg.RequestID != nil,
			c.want != nil && (cfg.RequestID == nil || *cfg.RequestID != *c.want):
			t.Errorf("%s:\n got %+v\nwant %+v", c.ns, cfg.RequestID, c.want)
		}
		if len(cfg.Warnings) != 0 {
			t.Errorf("%s: warnings %v", c.ns, cfg.Warnings)
		}
	}
}

func TestAccessLogDecode(t *testing.T) {
	for _, c := range []struct {
		ns   string
		want []string
	}{
		{`{}`, nil},
		{`{"access_log": {}}`, nil},
		{`{"access_log": {"redact_query": []}}`, nil},
		{`{"access_log": {"redact_query": ["session", "SIG"]}}`, []string{"session", "SIG"}},
	} {
		cfg, err := Load("t.json", []byte(tributaryConfig(c.ns)), nil)
		if err != nil {
			t.Errorf("%s: %v", c.ns, err)
			continue
		}
		if !slices.Equal(cfg.RedactQuery, c.want) {
			t.Errorf("%s: RedactQuery = %q, want %q", c.ns, cfg.RedactQuery, c.want)
		}
	}
}

func TestRequestIDErrors(t *testing.T) {
	const p = `$.extra_config.tributary`
	for _, c := range []struct {
		ns   string
		want string
	}{
		{`{"request_id": {"header": "X Request"}}`,
			p + `.request_id.header: request id header "X Request" is not a valid header name; use a custom header such as "X-Request-Id" or "X-Correlation-Id"`},
		{`{"request_id": {"header": ""}}`, `is not a valid header name`},
		{`{"request_id": {"header": "connection"}}`, `request id header "connection" is a hop-by-hop header`},
		{`{"request_id": {"header": "Authorization"}}`, `request id header "Authorization" has a meaning of its own`},
		{`{"request_id": {"header": "x-forwarded-for"}}`, `has a meaning of its own`},
		{`{"request_id": {"header": "Content-Length"}}`, `has a meaning of its own`},
		{`{"request_id": {"header": 1}}`, p + `.request_id.header: expected a string, got number`},
		{`{"request_id": {"echo": "yes"}}`, p + `.request_id.echo: expected`},
		{`{"request_id": {"forwrd": true}}`, p + `.request_id.forwrd: unknown key; did you mean "forward"?`},
		{`{"request_id": {"generate": false}}`, p + `.request_id.generate: unknown option "generate"`},
		{`{"request_id": true}`, p + `.request_id: expected an object, got`},
		{`{"access_log": {"redact_query": "token"}}`, `wrap it in brackets`},
		{`{"access_log": {"redact_query": ["a", ""]}}`, p + `.access_log.redact_query[1]: empty parameter name`},
		{`{"access_log": {"redact_query": [1]}}`, p + `.access_log.redact_query[0]: expected a string, got number`},
		{`{"access_log": {"redact": ["a"]}}`, p + `.access_log.redact: unknown`},
		{`{"request_ids": {}}`, `did you mean "request_id"?`},
	} {
		_, err := Load("t.json", []byte(tributaryConfig(c.ns)), nil)
		var errs Errors
		if !errors.As(err, &errs) {
			t.Errorf("%s: err %v, want load errors", c.ns, err)
			continue
		}
		if got := errs.Error(); !strings.Contains(got, c.want) {
			t.Errorf("%s:\n got %s\nwant %s", c.ns, got, c.want)
		}
	}
}
