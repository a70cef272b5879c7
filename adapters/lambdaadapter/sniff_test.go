package lambdaadapter

import (
	"net/url"
	"testing"
)

// TestSniff follows lambda.md §2.1 row by row; the first match wins.
func TestSniff(t *testing.T) {
	tests := []struct {
		payload string
		want    trigger
		multi   bool
	}{
		// 1: not a JSON object.
		{`[]`, trigUnknown, false},
		{`"x"`, trigUnknown, false},
		{`null`, trigUnknown, false},
		{`{"a":`, trigUnknown, false},
		// 2: requestContext.elb wins over everything else.
		{`{"requestContext":{"elb":{}},"httpMethod":"GET"}`, trigALB, false},
		{`{"requestContext":{"elb":{},"http":{}},"version":"2.0"}`, trigALB, false},
		{`{"multiValueHeaders":{"a":["b"]},"requestContext":{"elb":{"targetGroupArn":"x"}}}`, trigALB, true},
		{`{"multiValueHeaders":null,"headers":{},"requestContext":{"elb":{}}}`, trigALB, false},
		// 3: requestContext.http or version 2.0; a .lambda-url. domain is a Function URL.
		{`{"requestContext":{"http":{"method":"GET"}}}`, trigV2, false},
		{`{"version":"2.0"}`, trigV2, false},
		{`{"version":"9.9","requestContext":{"http":{}}}`, trigV2, false},
		{`{"version":"2.0","requestContext":{"domainName":"x.lambda-url.eu-west-1.on.aws","http":{}}}`, trigURL, false},
		{`{"requestContext":{"http":{},"domainName":"x.execute-api.eu-west-1.amazonaws.com"}}`, trigV2, false},
		{`{"requestContext":{"http":null},"httpMethod":"GET"}`, trigREST, false},
		// 4: httpMethod present, even empty; payload 1.0 of an HTTP API.
		{`{"httpMethod":"","requestContext":{}}`, trigREST, false},
		{`{"httpMethod":null}`, trigREST, false},
		{`{"version":"1.0","httpMethod":"GET","requestContext":{}}`, trigREST, false},
		// 5: an object without requestContext, httpMethod or version.
		{`{}`, trigDirect, false},
		{`{"params":{"id_user":"1"},"body":[1,2]}`, trigDirect, false},
		{`{"Records":[]}`, trigDirect, false},
		// 6: anything else.
		{`{"requestContext":{}}`, trigUnknown, false},
		{`{"requestContext":"x"}`, trigUnknown, false},
		{`{"version":"1.0"}`, trigUnknown, false},
		{`{"version":2}`, trigUnknown, false},
	}
	a := New(&recorder{}, Options{})
	for _, tt := range tests {
		p := a.sniff([]byte(tt.payload))
		if p.trigger != tt.want || p.albMulti != tt.multi {
			t.Errorf("sniff(%s) = %v multi=%v, want %v multi=%v", tt.payload, p.trigger, p.albMulti, tt.want, tt.multi)
		}
		if p.trigger == trigUnknown && p.reason == "" {
			t.Errorf("sniff(%s): no reason given", tt.payload)
		}
	}
}

func TestTriggerString(t *testing.T) {
	for tr, want := range map[trigger]string{trigREST: "rest-v1", trigV2: "http-v2", trigURL: "function-url",
		trigALB: "alb", trigDirect: "direct", trigUnknown: "unknown"} {
		if got := tr.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", tr, got, want)
		}
	}
}

func TestQueryEscapeMatchesNetURL(t *testing.T) {
	for _, s := range []string{"", "a b", "a+b&c=d/e?f#g%h;i:j@k$l,m", "ü€😀", "~-._", "\x00\xff", "A-Z_a.z~0"} {
		if got, want := string(appendQueryEscape(nil, s)), url.QueryEscape(s); got != want {
			t.Errorf("appendQueryEscape(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestNormalizeBasePath(t *testing.T) {
	for in, want := range map[string]string{"": "", "/": "", "v1": "/v1", "/v1": "/v1", "/v1/": "/v1", " /a/b/ ": "/a/b", "//": ""} {
		if got := normalizeBasePath(in); got != want {
			t.Errorf("normalizeBasePath(%q) = %q, want %q", in, got, want)
		}
	}
}
