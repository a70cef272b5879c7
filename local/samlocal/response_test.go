package samlocal

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// outcome is what a conversion case expects: a response, or an error of a
// kind.
type outcome struct {
	status int
	header http.Header // compared exactly
	body   string
	err    error // errFunction or errMalformed
}

func jsonHeader(kv ...string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func checkConvert(t *testing.T, name string, ev *Event, accept string, status int, out string, want outcome) {
	t.Helper()
	resp, err := convert(ev, accept, status, []byte(out))
	if want.err != nil {
		if !errors.Is(err, want.err) {
			t.Errorf("%s: err = %v, want %v (response %+v)", name, err, want.err, resp)
		}
		return
	}
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	if resp.status != want.status || string(resp.body) != want.body || !reflect.DeepEqual(resp.header, want.header) {
		t.Errorf("%s:\ngot  %d %v %q\nwant %d %v %q", name, resp.status, resp.header, resp.body, want.status, want.header, want.body)
	}
}

// TestConvertREST: API Gateway REST (payload 1.0) reply rules.
func TestConvertREST(t *testing.T) {
	png := "\x89PNG\x00\xff"
	pngB64 := "iVBORwD/"
	tests := []struct {
		name   string
		ev     *Event
		accept string
		status int
		out    string
		want   outcome
	}{
		{"status, header, body", restProxy, "", 200, `{"statusCode":201,"headers":{"X-A":"1"},"body":"hi"}`,
			outcome{status: 201, header: jsonHeader("X-A", "1"), body: "hi"}},
		{"no statusCode is 200", restProxy, "", 200, `{"body":"x"}`,
			outcome{status: 200, header: jsonHeader(), body: "x"}},
		{"null body and headers", restProxy, "", 200, `{"statusCode":204,"headers":null,"multiValueHeaders":null,"body":null,"isBase64Encoded":null}`,
			outcome{status: 204, header: jsonHeader(), body: ""}},
		{"Content-Type kept", restProxy, "", 200, `{"statusCode":200,"headers":{"content-type":"text/plain"},"body":"x"}`,
			outcome{status: 200, header: http.Header{"Content-Type": {"text/plain"}}, body: "x"}},
		{"header maps merged, repeats once", restProxy, "", 200,
			`{"statusCode":200,"headers":{"Set-Cookie":"a=1","X":"b"},"multiValueHeaders":{"Set-Cookie":["a=1","b=2"],"X":["a"]}}`,
			outcome{status: 200, header: jsonHeader("Set-Cookie", "a=1", "Set-Cookie", "b=2", "X", "a", "X", "b")}},
		{"numbers and booleans as header text", restProxy, "", 200, `{"statusCode":200,"headers":{"X-N":5,"X-B":true}}`,
			outcome{status: 200, header: jsonHeader("X-N", "5", "X-B", "true")}},
		{"framing headers dropped", restProxy, "", 200, `{"statusCode":200,"headers":{"Content-Length":"99","Connection":"close","Transfer-Encoding":"chunked"},"body":"x"}`,
			outcome{status: 200, header: jsonHeader(), body: "x"}},
		{"base64 decoded when Accept matches", restProxy, "image/png", 200,
			`{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"` + pngB64 + `","isBase64Encoded":true}`,
			outcome{status: 200, header: http.Header{"Content-Type": {"image/png"}}, body: png}},
		// The API's binary media types are */* (as generated): every
		// request gets binary, whatever its Accept says.
		{"*/* binary types: decoded for a browser's Accept", restProxy, "text/html, */*;q=0.8", 200,
			`{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"` + pngB64 + `","isBase64Encoded":true}`,
			outcome{status: 200, header: http.Header{"Content-Type": {"image/png"}}, body: png}},
		{"*/* binary types: decoded without Accept", restProxy, "", 200,
			`{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"` + pngB64 + `","isBase64Encoded":true}`,
			outcome{status: 200, header: http.Header{"Content-Type": {"image/png"}}, body: png}},
		{"*/* binary types: decoded when Accept names another type", restProxy, "application/json", 200,
			`{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"` + pngB64 + `","isBase64Encoded":true}`,
			outcome{status: 200, header: http.Header{"Content-Type": {"image/png"}}, body: png}},
		{"*/* binary types: q is not looked at", restProxy, "image/png;q=0", 200,
			`{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"` + pngB64 + `","isBase64Encoded":true}`,
			outcome{status: 200, header: http.Header{"Content-Type": {"image/png"}}, body: png}},
		// Binary media types image/png: only the first Accept media type
		// decides; the response's Content-Type does not.
		{"first Accept type is binary", restPNG, "image/png, text/html", 200,
			`{"statusCode":200,"headers":{"Content-Type":"text/plain"},"body":"` + pngB64 + `","isBase64Encoded":true}`,
			outcome{status: 200, header: http.Header{"Content-Type": {"text/plain"}}, body: png}},
		{"a later Accept type does not count", restPNG, "text/html, image/png", 200,
			`{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"` + pngB64 + `","isBase64Encoded":true}`,
			outcome{status: 200, header: http.Header{"Content-Type": {"image/png"}}, body: pngB64}},
		{"Accept */* does not match image/png", restPNG, "*/*", 200,
			`{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"` + pngB64 + `","isBase64Encoded":true}`,
			outcome{status: 200, header: http.Header{"Content-Type": {"image/png"}}, body: pngB64}},
		{"no Accept does not match image/png", restPNG, "", 200,
			`{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"` + pngB64 + `","isBase64Encoded":true}`,
			outcome{status: 200, header: http.Header{"Content-Type": {"image/png"}}, body: pngB64}},
		{"base64 kept when isBase64Encoded is false", restProxy, "*/*", 200,
			`{"statusCode":200,"body":"` + pngB64 + `"}`,
			outcome{status: 200, header: jsonHeader(), body: pngB64}},
		{"unknown key", restProxy, "", 200, `{"statusCode":200,"body":"x","extra":1}`, outcome{err: errMalformed}},
		{"cookies is unknown to REST", restProxy, "", 200, `{"statusCode":200,"cookies":["a=1"]}`, outcome{err: errMalformed}},
		{"not an object", restProxy, "", 200, `"hello"`, outcome{err: errMalformed}},
		{"array", restProxy, "", 200, `[1]`, outcome{err: errMalformed}},
		{"statusCode as a string", restProxy, "", 200, `{"statusCode":"200"}`, outcome{err: errMalformed}},
		{"statusCode 99", restProxy, "", 200, `{"statusCode":99}`, outcome{err: errMalformed}},
		{"statusCode 600", restProxy, "", 200, `{"statusCode":600}`, outcome{err: errMalformed}},
		{"statusCode 200.5", restProxy, "", 200, `{"statusCode":200.5}`, outcome{err: errMalformed}},
		{"body not a string", restProxy, "", 200, `{"statusCode":200,"body":{"a":1}}`, outcome{err: errMalformed}},
		{"headers not an object", restProxy, "", 200, `{"statusCode":200,"headers":["a"]}`, outcome{err: errMalformed}},
		{"header value an object", restProxy, "", 200, `{"statusCode":200,"headers":{"X":{}}}`, outcome{err: errMalformed}},
		{"multi-value header not an array", restProxy, "", 200, `{"statusCode":200,"multiValueHeaders":{"X":"a"}}`, outcome{err: errMalformed}},
		{"bad header name", restProxy, "", 200, `{"statusCode":200,"headers":{"Bad Name":"x"}}`, outcome{err: errMalformed}},
		{"header value with a newline", restProxy, "", 200, `{"statusCode":200,"headers":{"X":"a\nb"}}`, outcome{err: errMalformed}},
		{"isBase64Encoded as a string", restProxy, "", 200, `{"statusCode":200,"isBase64Encoded":"true"}`, outcome{err: errMalformed}},
		{"bad base64 when decoding", restProxy, "*/*", 200, `{"statusCode":200,"body":"!!","isBase64Encoded":true}`, outcome{err: errMalformed}},
		{"function error", restProxy, "", 200, `{"errorMessage":"boom","errorType":"Tributary.bad_gateway"}`, outcome{err: errFunction}},
		{"runtime crash", restProxy, "", 502, `{"errorType":"Runtime.ExitError"}`, outcome{err: errFunction}},
		{"timeout", restProxy, "", 200, `Task timed out after 3.00 seconds`, outcome{err: errFunction}},
	}
	for _, tc := range tests {
		checkConvert(t, tc.name, tc.ev, tc.accept, tc.status, tc.out, tc.want)
	}
}

// TestConvertHTTPv2: API Gateway HTTP API payload 2.0 reply rules.
func TestConvertHTTPv2(t *testing.T) {
	tests := []struct {
		name   string
		accept string
		status int
		out    string
		want   outcome
	}{
		{"structured", "", 200, `{"statusCode":404,"headers":{"x-a":"1","content-type":"text/plain"},"body":"nope"}`,
			outcome{status: 404, header: http.Header{"X-A": {"1"}, "Content-Type": {"text/plain"}}, body: "nope"}},
		{"cookies become Set-Cookie", "", 200, `{"statusCode":200,"cookies":["a=1; Path=/","b=2"],"body":"{}"}`,
			outcome{status: 200, header: jsonHeader("Set-Cookie", "a=1; Path=/", "Set-Cookie", "b=2"), body: "{}"}},
		{"unknown keys ignored", "", 200, `{"statusCode":200,"body":"x","extra":{"deep":[1]}}`,
			outcome{status: 200, header: jsonHeader(), body: "x"}},
		{"multiValueHeaders is not a 2.0 key", "", 200, `{"statusCode":200,"multiValueHeaders":{"X":["a"]}}`,
			outcome{status: 200, header: jsonHeader()}},
		{"isBase64Encoded honoured without Accept", "", 200, `{"statusCode":200,"headers":{"content-type":"image/png"},"body":"iVBORw==","isBase64Encoded":true}`,
			outcome{status: 200, header: http.Header{"Content-Type": {"image/png"}}, body: "\x89PNG"}},
		{"object without statusCode is the body", "", 200, ` {"a": 1, "body": "not this"} `,
			outcome{status: 200, header: jsonHeader(), body: `{"a": 1, "body": "not this"}`}},
		{"bare string is its text", "", 200, `"hello \"you\""`,
			outcome{status: 200, header: jsonHeader(), body: `hello "you"`}},
		{"bare number", "", 200, `42`, outcome{status: 200, header: jsonHeader(), body: `42`}},
		{"bare array", "", 200, `[1,2]`, outcome{status: 200, header: jsonHeader(), body: `[1,2]`}},
		{"bare null", "", 200, `null`, outcome{status: 200, header: jsonHeader(), body: `null`}},
		{"statusCode as a string", "", 200, `{"statusCode":"200"}`, outcome{err: errMalformed}},
		{"body not a string", "", 200, `{"statusCode":200,"body":[1]}`, outcome{err: errMalformed}},
		{"cookies not strings", "", 200, `{"statusCode":200,"cookies":[1]}`, outcome{err: errMalformed}},
		{"bad base64", "", 200, `{"statusCode":200,"body":"%%","isBase64Encoded":true}`, outcome{err: errMalformed}},
		{"cookie with a control character", "", 200, `{"statusCode":200,"cookies":["a=\u0001"]}`, outcome{err: errMalformed}},
		{"function error", "", 200, `{"errorMessage":"boom","errorType":"Runtime.Unknown","stackTrace":[]}`, outcome{err: errFunction}},
		{"timeout", "", 200, `Task timed out after 3.00 seconds`, outcome{err: errFunction}},
		{"runtime crash", "", 502, `{}`, outcome{err: errFunction}},
	}
	for _, tc := range tests {
		checkConvert(t, tc.name, v2Proxy, tc.accept, tc.status, tc.out, tc.want)
	}
}

// TestConvertHTTPv1: an HTTP API route with PayloadFormatVersion 1.0.
func TestConvertHTTPv1(t *testing.T) {
	checkConvert(t, "statusCode required", v1HTTP, "", 200, `{"body":"x"}`, outcome{err: errMalformed})
	checkConvert(t, "unknown keys ignored", v1HTTP, "", 200, `{"statusCode":202,"body":"x","extra":1}`,
		outcome{status: 202, header: jsonHeader(), body: "x"})
	checkConvert(t, "base64 always decoded", v1HTTP, "", 200, `{"statusCode":200,"multiValueHeaders":{"Content-Type":["image/png"]},"body":"iVBORw==","isBase64Encoded":true}`,
		outcome{status: 200, header: http.Header{"Content-Type": {"image/png"}}, body: "\x89PNG"})
	checkConvert(t, "function error", v1HTTP, "", 200, `{"errorMessage":"x"}`, outcome{err: errFunction})
}

func TestFunctionError(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		want   bool
	}{
		{200, `{"statusCode":200,"body":"ok"}`, false},
		{200, `{"errorType":"Tributary.not_found","errorMessage":"{}"}`, true},
		{200, `{"errorMessage":"x"}`, true},
		{200, `{"statusCode":200,"errorMessage":"x"}`, false},
		{200, `{}`, false},
		{200, `"string"`, false},
		{200, `Task timed out after 3.00 seconds`, true},
		{200, ``, true},
		{502, `{"statusCode":200}`, true},
	} {
		if got := FunctionError(tc.status, []byte(tc.body)); got != tc.want {
			t.Errorf("FunctionError(%d, %s) = %v, want %v", tc.status, tc.body, got, tc.want)
		}
	}
}

// TestGatewayAnswers pins the bodies API Gateway makes up itself.
func TestGatewayAnswers(t *testing.T) {
	for _, tc := range []struct {
		resp   *response
		status int
		body   string
	}{
		{failure(true), 502, `{"message": "Internal server error"}`},
		{failure(false), 500, `{"message":"Internal Server Error"}`},
		{notFound(true), 403, `{"message":"Missing Authentication Token"}`},
		{notFound(false), 404, `{"message":"Not Found"}`},
		{integrationTimeout(true), 504, `{"message": "Endpoint request timed out"}`},
		{integrationTimeout(false), 503, `{"message":"Service Unavailable"}`},
	} {
		if tc.resp.status != tc.status || string(tc.resp.body) != tc.body || tc.resp.header.Get("Content-Type") != "application/json" {
			t.Errorf("got %d %s %v, want %d %s", tc.resp.status, tc.resp.body, tc.resp.header, tc.status, tc.body)
		}
	}
}

func TestBinaryAccept(t *testing.T) {
	for _, tc := range []struct {
		accept string
		types  []string
		want   bool
	}{
		{"", []string{"*/*"}, true},
		{"", []string{"image/png"}, false},
		{"", nil, false},
		{"text/html", []string{"*/*"}, true},
		{"text/html", nil, false},
		{"image/png", []string{"image/png"}, true},
		{"IMAGE/PNG; q=0.9", []string{"image/png"}, true},
		{"image/png", []string{"image/*"}, true},
		{"image/*", []string{"image/*"}, true},
		{"*/*", []string{"image/png"}, false},
		{"*/*", []string{"image/*"}, false},
		{"text/html, image/png", []string{"image/png"}, false},
		{" , image/png", []string{"image/png"}, true},
		{"image/gif", []string{"image/png", "application/octet-stream"}, false},
		{"application/octet-stream", []string{"image/png", "application/octet-stream"}, true},
	} {
		if got := binaryAccept(tc.accept, tc.types); got != tc.want {
			t.Errorf("binaryAccept(%q, %q) = %v, want %v", tc.accept, tc.types, got, tc.want)
		}
	}
	if !strings.Contains(restFailureBody, "Internal server error") {
		t.Error("REST failure text changed")
	}
}

func BenchmarkConvertHTTPv2(b *testing.B) {
	out := []byte(`{"statusCode":200,"headers":{"content-type":"application/json","x-tributary-completed":"true"},"cookies":["a=1"],"body":"{\"products\":[1,2,3],\"promos\":{\"items\":[]}}","isBase64Encoded":false}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := convert(v2Proxy, "", 200, out); err != nil {
			b.Fatal(err)
		}
	}
}
