package conformance

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// casesDir holds the golden cases, one JSON file each, grouped by area.
const casesDir = "testdata/cases"

// goldenCase is one case file (the format is documented in doc.go).
type goldenCase struct {
	// name is "<area>/<file name without .json>".
	name string

	Doc        string                   `json:"doc"`
	Transports []string                 `json:"transports"`
	Backends   map[string]cannedBackend `json:"backends"`
	Config     json.RawMessage          `json:"config"`
	Request    caseRequest              `json:"request"`
	Expect     expectation              `json:"expect"`
}

// cannedBackend is one loopback backend of a case.
type cannedBackend struct {
	Routes map[string]*cannedResponse `json:"routes"`
	Refuse bool                       `json:"refuse"`
}

// cannedResponse is what a backend answers on one route.
type cannedResponse struct {
	Status          int                     `json:"status"`
	Headers         map[string]headerValues `json:"headers"`
	Body            json.RawMessage         `json:"body"`
	RawBody         *string                 `json:"raw_body"`
	RawBodyB64      *string                 `json:"raw_body_b64"`
	Gzip            bool                    `json:"gzip"`
	DelayMS         int                     `json:"delay_ms"`
	RepeatBodyBytes int                     `json:"repeat_body_bytes"`
	RawResponse     *string                 `json:"raw_response"`
}

// caseRequest is the client request of a case.
type caseRequest struct {
	Method           string                  `json:"method"`
	Path             string                  `json:"path"`
	RawRequestTarget string                  `json:"raw_request_target"`
	Headers          map[string]headerValues `json:"headers"`
	Body             *string                 `json:"body"`
	BodyB64          *string                 `json:"body_b64"`
	RepeatBodyBytes  int                     `json:"repeat_body_bytes"`
	Chunked          bool                    `json:"chunked"`
}

// expectation is what the client must receive.
type expectation struct {
	Status       int                     `json:"status"`
	Headers      map[string]headerValues `json:"headers"`
	Body         json.RawMessage         `json:"body"`
	RawBody      *string                 `json:"raw_body"`
	RawBodyB64   *string                 `json:"raw_body_b64"`
	BodyError    string                  `json:"body_error"`
	BodyContains []string                `json:"body_contains"`
	GunzipBody   bool                    `json:"gunzip_body"`
	BackendCalls map[string]int          `json:"backend_calls"`
	BackendSaw   map[string]sawExpect    `json:"backend_saw"`
	MaxLatencyMS int                     `json:"max_latency_ms"`
}

// sawExpect is what every request recorded under a backend_saw key must
// look like.
type sawExpect struct {
	Method        *string                 `json:"method"`
	Path          *string                 `json:"path"`
	Query         *string                 `json:"query"`
	Headers       map[string]headerValues `json:"headers"`
	Body          *string                 `json:"body"`
	ContentLength *int64                  `json:"content_length"`
}

// headerValues is a header's expected or canned values: a JSON string (one
// value), a list of strings, or null (absent).
type headerValues struct {
	absent bool
	values []string
}

// UnmarshalJSON accepts a string, a list of strings or null.
func (h *headerValues) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*h = headerValues{absent: true}
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*h = headerValues{values: []string{s}}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("a header is a string, a list of strings or null: %w", err)
	}
	*h = headerValues{values: list}
	return nil
}

// loadCases reads every case under casesDir, sorted by name.
func loadCases() ([]*goldenCase, error) {
	var cases []*goldenCase
	err := filepath.WalkDir(casesDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		c, err := readCase(path)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		cases = append(cases, c)
		return nil
	})
	slices.SortFunc(cases, func(a, b *goldenCase) int { return strings.Compare(a.name, b.name) })
	return cases, err
}

// readCase decodes and checks one case file.
func readCase(path string) (*goldenCase, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	c := &goldenCase{}
	if err := dec.Decode(c); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the case object")
	}
	rel, err := filepath.Rel(casesDir, path)
	if err != nil {
		return nil, err
	}
	c.name = strings.TrimSuffix(filepath.ToSlash(rel), ".json")
	return c, c.validate()
}

// validate rejects case files that could not mean what they say.
func (c *goldenCase) validate() error {
	switch {
	case c.Doc == "" || !strings.Contains(c.Doc, "§"):
		return errors.New(`"doc" must say what the case proves and name a spec section (§…)`)
	case len(c.Config) == 0:
		return errors.New(`"config" is required`)
	case (c.Request.Path == "") == (c.Request.RawRequestTarget == ""):
		return errors.New(`exactly one of request.path and request.raw_request_target is required`)
	case c.Request.RawRequestTarget != "" && !slices.Equal(c.Transports, []string{"http"}):
		return errors.New(`a raw_request_target case must list "transports": ["http"]`)
	case c.Request.Body != nil && c.Request.BodyB64 != nil:
		return errors.New(`request.body and request.body_b64 are exclusive`)
	case c.Expect.Status == 0:
		return errors.New(`expect.status is required`)
	}
	n := 0
	for _, set := range []bool{len(c.Expect.Body) > 0, c.Expect.RawBody != nil, c.Expect.RawBodyB64 != nil, c.Expect.BodyError != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return errors.New(`expect.body, raw_body, raw_body_b64 and body_error are exclusive`)
	}
	if len(c.Expect.Body) > 0 && !json.Valid(c.Expect.Body) {
		return errors.New(`expect.body is not valid JSON`)
	}
	for name, b := range c.Backends {
		if !validName(name) {
			return fmt.Errorf("backend name %q: use letters, digits, - and _", name)
		}
		for key, r := range b.Routes {
			if key != "*" {
				m, p, ok := strings.Cut(key, " ")
				if !ok || m == "" || !strings.HasPrefix(p, "/") {
					return fmt.Errorf("backend %s: route key %q is not \"METHOD /path\" or \"*\"", name, key)
				}
			}
			bodies := 0
			for _, set := range []bool{len(r.Body) > 0, r.RawBody != nil, r.RawBodyB64 != nil} {
				if set {
					bodies++
				}
			}
			if bodies > 1 {
				return fmt.Errorf("backend %s route %s: body, raw_body and raw_body_b64 are exclusive", name, key)
			}
		}
	}
	for key := range c.Expect.BackendCalls {
		if err := c.checkBackendKey(key); err != nil {
			return err
		}
	}
	for key := range c.Expect.BackendSaw {
		if err := c.checkBackendKey(key); err != nil {
			return err
		}
	}
	return nil
}

// checkBackendKey checks an expectation key: "name" or "name METHOD /path".
func (c *goldenCase) checkBackendKey(key string) error {
	name, _, _ := strings.Cut(key, " ")
	if _, ok := c.Backends[name]; !ok {
		return fmt.Errorf("expectation key %q names no backend of the case", key)
	}
	return nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// headerList is the headerValues of the given values, in order.
func headerList(vs ...string) headerValues {
	return headerValues{values: vs}
}

// sortedNames returns h's names in byte order, for deterministic requests
// and events.
func sortedNames[V any](h map[string]V) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// host returns the request's Host header value (any spelling of the name),
// or def when the case sets none.
func (r *caseRequest) host(def string) string {
	for _, k := range sortedNames(r.Headers) {
		if http.CanonicalHeaderKey(k) == "Host" && len(r.Headers[k].values) > 0 {
			return r.Headers[k].values[0]
		}
	}
	return def
}

// runsOn reports whether the case applies to the named transport.
func (c *goldenCase) runsOn(transport string) bool {
	return len(c.Transports) == 0 || slices.Contains(c.Transports, transport)
}

// requestBody returns the request body bytes, or nil.
func (r *caseRequest) requestBody() ([]byte, error) {
	var b []byte
	switch {
	case r.Body != nil:
		b = []byte(*r.Body)
	case r.BodyB64 != nil:
		d, err := base64.StdEncoding.DecodeString(*r.BodyB64)
		if err != nil {
			return nil, fmt.Errorf("body_b64: %w", err)
		}
		b = d
	}
	if n := r.RepeatBodyBytes; n > 0 {
		if len(b) == 0 {
			return nil, errors.New("repeat_body_bytes needs a body to repeat")
		}
		b = bytes.Repeat(b, n/len(b)+1)[:n]
	}
	return b, nil
}

// method returns the request method, GET by default.
func (r *caseRequest) method() string {
	if r.Method == "" {
		return "GET"
	}
	return r.Method
}

// target returns the request target, whichever form the case uses.
func (r *caseRequest) target() string {
	if r.RawRequestTarget != "" {
		return r.RawRequestTarget
	}
	return r.Path
}

// substitute replaces every "{{name}}" of urls in s.
func substitute(s string, urls map[string]string) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	pairs := make([]string, 0, 2*len(urls))
	for name, u := range urls {
		pairs = append(pairs, "{{"+name+"}}", u)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}
