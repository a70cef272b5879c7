package lambdaadapter

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// triggerEvents is one GET event per HTTP trigger and reply mode.
func triggerEvents() map[string]obj {
	return map[string]obj{
		"rest":      v1Event("GET", "/x"),
		"v2":        v2Event("GET", "/x"),
		"url":       urlEvent("GET", "/x"),
		"alb":       albEvent("GET", "/x", false),
		"alb-multi": albEvent("GET", "/x", true),
	}
}

// respondWith returns an Adapter whose handler runs fn.
func respondWith(fn func(w http.ResponseWriter, r *http.Request)) *Adapter {
	return New(&recorder{respond: fn}, Options{})
}

func TestCaptureWriter(t *testing.T) {
	tests := []struct {
		name       string
		fn         func(w http.ResponseWriter, r *http.Request)
		status     int
		body       string
		header     map[string]string // "" value = must be absent
		binaryBody bool
	}{
		{
			name:   "writing nothing is 200 with an empty body (B7)",
			fn:     func(w http.ResponseWriter, r *http.Request) {},
			status: 200, header: map[string]string{"Content-Type": ""},
		},
		{
			name:   "Write implies 200 and Content-Type is sniffed",
			fn:     func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "<html><body>hi</body></html>") },
			status: 200, body: "<html><body>hi</body></html>", header: map[string]string{"Content-Type": "text/html; charset=utf-8"},
		},
		{
			name: "the first WriteHeader wins",
			fn: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusCreated)
				w.WriteHeader(http.StatusTeapot)
				_, _ = w.Write([]byte("made"))
			},
			status: 201, body: "made",
		},
		{
			name: "1xx is ignored",
			fn: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusEarlyHints)
				w.WriteHeader(http.StatusAccepted)
			},
			status: 202,
		},
		{
			name: "headers changed after WriteHeader are ignored, as in net/http",
			fn: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Before", "1")
				w.WriteHeader(200)
				w.Header().Set("X-After", "1")
			},
			status: 200, header: map[string]string{"X-Before": "1", "X-After": ""},
		},
		{
			name: "hop-by-hop, framing and Connection-named headers are dropped",
			fn: func(w http.ResponseWriter, r *http.Request) {
				h := w.Header()
				h.Set("Connection", "X-Secret, close")
				h.Set("X-Secret", "s")
				h.Set("Keep-Alive", "timeout=5")
				h.Set("Transfer-Encoding", "chunked")
				h.Set("Content-Length", "2")
				h.Set("Upgrade", "h2c")
				h.Set("Trailer", "X-T")
				h["Bad Name"] = []string{"x"}
				h.Set("X-Kept", "yes")
				_, _ = w.Write([]byte("ok"))
			},
			status: 200, body: "ok", header: map[string]string{
				"Connection": "", "X-Secret": "", "Keep-Alive": "", "Transfer-Encoding": "",
				"Content-Length": "", "Upgrade": "", "Trailer": "", "Bad Name": "", "X-Kept": "yes",
			},
		},
		{
			name: "control characters in values become spaces",
			fn: func(w http.ResponseWriter, r *http.Request) {
				w.Header()["X-Split"] = []string{"a\r\nSet-Cookie: evil=1\x00"}
			},
			status: 200, header: map[string]string{"X-Split": "a  Set-Cookie: evil=1 ", "Set-Cookie": ""},
		},
		{
			name: "204 refuses a body",
			fn: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusNoContent)
				if _, err := w.Write([]byte("x")); !errors.Is(err, http.ErrBodyNotAllowed) {
					panic("Write after 204 did not fail")
				}
			},
			status: 204,
		},
		{
			name:   "an invalid status is 500 internal_error",
			fn:     func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(42) },
			status: 500, body: `{"error":"internal_error","message":"internal error"}`,
		},
		{
			name:   "a handler panic is 500 internal_error",
			fn:     func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("partial")); panic("boom") },
			status: 500, body: `{"error":"internal_error","message":"internal error"}`,
			header: map[string]string{"Content-Type": "application/json; charset=utf-8"},
		},
		{
			name:   "http.ErrAbortHandler is 500 too",
			fn:     func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) },
			status: 500, body: `{"error":"internal_error","message":"internal error"}`,
		},
		{
			name: "ASCII sent as application/octet-stream is base64 (B8)",
			fn: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/octet-stream")
				_, _ = w.Write([]byte("plain"))
			},
			status: 200, body: "plain", binaryBody: true,
		},
	}
	for _, tt := range tests {
		for trig, ev := range triggerEvents() {
			t.Run(tt.name+"/"+trig, func(t *testing.T) {
				r := handleReply(t, respondWith(tt.fn), mustJSON(t, ev))
				if r.StatusCode != tt.status {
					t.Errorf("status %d, want %d", r.StatusCode, tt.status)
				}
				if got := string(r.body(t)); got != tt.body {
					t.Errorf("body %q, want %q", got, tt.body)
				}
				if r.IsBase64Encoded != tt.binaryBody {
					t.Errorf("isBase64Encoded %v, want %v", r.IsBase64Encoded, tt.binaryBody)
				}
				for k, v := range tt.header {
					if got := r.header(k); got != v {
						t.Errorf("header %q = %q, want %q", k, got, v)
					}
				}
			})
		}
	}
}

func TestIsBinary(t *testing.T) {
	tests := []struct {
		ct, ce string
		body   string
		want   bool
	}{
		{"application/json", "", `{"a":1}`, false},
		{"application/json; charset=utf-8", "", `{"a":"ü"}`, false},
		{"Application/JSON", "", `1`, false},
		{"application/problem+json", "", `{}`, false},
		{"application/vnd.api+json", "", `{}`, false},
		{"application/xml", "", `<a/>`, false},
		{"application/atom+xml", "", `<a/>`, false},
		{"application/javascript", "", `x()`, false},
		{"application/x-www-form-urlencoded", "", `a=1`, false},
		{"text/plain", "", "hi", false},
		{"text/csv; charset=utf-8", "", "a,b", false},
		{"", "", "no type, UTF-8", false},
		{"", "", "\xff\xfe", true},
		{"text/plain", "", "\xff", true},
		{"application/octet-stream", "", "ascii", true},
		{"image/png", "", "\x89PNG", true},
		{"application/json", "gzip", `{}`, true},
		{"application/json", "identity", `{}`, false},
		{"application/+json", "", `{}`, true},
		{"text/", "", `x`, true},
		{"json", "", `x`, true},
		{"application/octet-stream", "", "", false},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.ct != "" {
			h.Set("Content-Type", tt.ct)
		}
		if tt.ce != "" {
			h.Set("Content-Encoding", tt.ce)
		}
		if got := isBinary(h, []byte(tt.body)); got != tt.want {
			t.Errorf("isBinary(%q, %q, %q) = %v, want %v", tt.ct, tt.ce, tt.body, got, tt.want)
		}
	}
}

// TestReplyRepeats checks R6: how repeated headers and Set-Cookie travel in
// each format.
func TestReplyRepeats(t *testing.T) {
	fn := func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Set-Cookie", "a=1; Path=/")
		h.Add("Set-Cookie", "b=2; Expires=Tue, 25 Nov 2025 10:00:00 GMT")
		h.Add("Vary", "Origin")
		h.Add("Vary", "Accept")
		h.Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}
	a := respondWith(fn)
	cookies := []string{"a=1; Path=/", "b=2; Expires=Tue, 25 Nov 2025 10:00:00 GMT"}

	for _, trig := range []string{"v2", "url"} {
		r := handleReply(t, a, mustJSON(t, triggerEvents()[trig]))
		if !slices.Equal(r.Cookies, cookies) {
			t.Errorf("%s cookies = %q, want %q", trig, r.Cookies, cookies)
		}
		if _, ok := r.Headers["Set-Cookie"]; ok {
			t.Errorf("%s: Set-Cookie is in headers too", trig)
		}
		if r.Headers["Vary"] != "Origin, Accept" {
			t.Errorf("%s Vary = %q", trig, r.Headers["Vary"])
		}
		if _, ok := r.keys["multiValueHeaders"]; ok {
			t.Errorf("%s reply has multiValueHeaders", trig)
		}
	}
	for _, trig := range []string{"rest", "alb-multi"} {
		r := handleReply(t, a, mustJSON(t, triggerEvents()[trig]))
		if !slices.Equal(r.MultiValueHeaders["Set-Cookie"], cookies) || !slices.Equal(r.MultiValueHeaders["Vary"], []string{"Origin", "Accept"}) {
			t.Errorf("%s multiValueHeaders = %q", trig, r.MultiValueHeaders)
		}
		if _, ok := r.keys["headers"]; ok {
			t.Errorf("%s reply has headers", trig)
		}
	}
	r := handleReply(t, a, mustJSON(t, triggerEvents()["alb"]))
	if r.Headers["Set-Cookie"] != cookies[0] || r.Headers["Vary"] != "Origin, Accept" {
		t.Errorf("single-value ALB headers = %q", r.Headers)
	}
	if r.StatusDescription != "200 OK" {
		t.Errorf("statusDescription %q", r.StatusDescription)
	}
}

// TestReplySizeCap checks R7: the marshalled reply, envelope and base64
// included, is at most 6 000 000 bytes, or 502 bad_gateway in the
// trigger's format.
func TestReplySizeCap(t *testing.T) {
	tests := []struct {
		name   string
		ct     string
		body   []byte
		status int
	}{
		{"text just under the cap", "text/plain", bytes.Repeat([]byte("a"), maxResponseBytes-500), 200},
		{"text over the cap", "text/plain", bytes.Repeat([]byte("a"), maxResponseBytes+1), 502},
		{"far over the cap", "text/plain", bytes.Repeat([]byte("a"), 3*maxResponseBytes), 502},
		{"binary that fits only before base64", "application/octet-stream", bytes.Repeat([]byte{0}, 5_000_000), 502},
		{"binary that fits after base64", "application/octet-stream", bytes.Repeat([]byte{0}, 4_400_000), 200},
		{"escaping pushes text over the cap", "text/plain", bytes.Repeat([]byte{'"'}, 3_500_000), 502},
	}
	for _, tt := range tests {
		fn := func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", tt.ct)
			// Write in chunks, as a streaming handler would.
			for b := tt.body; len(b) > 0; {
				n := min(len(b), 1<<20)
				if _, err := w.Write(b[:n]); err != nil {
					return
				}
				b = b[n:]
			}
		}
		for trig, ev := range triggerEvents() {
			t.Run(tt.name+"/"+trig, func(t *testing.T) {
				out := handle(t, respondWith(fn), mustJSON(t, ev))
				if len(out) > maxResponseBytes {
					t.Fatalf("reply is %d bytes", len(out))
				}
				r := decodeReply(t, out)
				if r.StatusCode != tt.status {
					t.Fatalf("status %d, want %d", r.StatusCode, tt.status)
				}
				if tt.status == 502 {
					if code := r.errCode(t); code != "bad_gateway" {
						t.Errorf("error code %q", code)
					}
				} else if !bytes.Equal(r.body(t), tt.body) {
					t.Error("body changed")
				}
			})
		}
	}
}

func TestCaptureStopsBuffering(t *testing.T) {
	c := newCapture(false)
	chunk := make([]byte, 1<<20)
	var err error
	for i := 0; i < 10 && err == nil; i++ {
		_, err = c.Write(chunk)
	}
	if !errors.Is(err, errResponseTooLarge) {
		t.Fatalf("Write error %v, want errResponseTooLarge", err)
	}
	if len(c.body) != maxResponseBytes+1 {
		t.Fatalf("buffered %d bytes, want cap+1", len(c.body))
	}
	if !c.finish().over {
		t.Fatal("finish did not report the overflow")
	}
}

func TestReplyHasNoExportedFields(t *testing.T) {
	b, err := json.Marshal(newReply([]byte(`{"statusCode":200}`)))
	if err != nil || string(b) != "{}" {
		t.Fatalf("json.Marshal(reply) = %s, %v; want {} so aws-lambda-go sends the reader untouched", b, err)
	}
	if ct := newReply(nil).ContentType(); ct != "application/json" {
		t.Fatalf("ContentType %q", ct)
	}
}

func TestAppendJSONString(t *testing.T) {
	tests := []string{
		"", "plain", `quote " backslash \ slash /`, "ctl \x00\x01\x1f\x7f tab\t nl\n cr\r",
		"ü €  😀", "bad \xff\xfe utf8 \xc3", "<html>&amp;</html>", "\u2028\u2029",
	}
	for _, s := range tests {
		got := appendJSONString(nil, s)
		if !json.Valid(got) {
			t.Errorf("%q: invalid JSON %s", s, got)
			continue
		}
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatal(err)
		}
		want := strings.ToValidUTF8(s, "\uFFFD")
		if s == "bad \xff\xfe utf8 \xc3" {
			want = "bad \uFFFD\uFFFD utf8 \uFFFD"
		}
		if back != want {
			t.Errorf("%q round-trips to %q, want %q", s, back, want)
		}
		if gotB := appendJSONString(nil, []byte(s)); !bytes.Equal(gotB, got) {
			t.Errorf("%q: []byte and string encodings differ", s)
		}
	}
}

func TestStatusDescription(t *testing.T) {
	for code, want := range map[int]string{200: "200 OK", 404: "404 Not Found", 502: "502 Bad Gateway", 599: "599"} {
		if got := statusDescription(code); got != want {
			t.Errorf("statusDescription(%d) = %q, want %q", code, got, want)
		}
	}
}

func TestBinaryReplyRoundTrip(t *testing.T) {
	payload := []byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff}
	a := respondWith(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(payload)
	})
	for trig, ev := range triggerEvents() {
		r := handleReply(t, a, mustJSON(t, ev))
		if !r.IsBase64Encoded || r.Body != base64.StdEncoding.EncodeToString(payload) {
			t.Errorf("%s: body %q base64 %v", trig, r.Body, r.IsBase64Encoded)
		}
	}
}
