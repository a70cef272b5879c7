package conformance

// The Lambda suites read the golden cases with their own small loader: it
// decodes only what a Lambda run needs (backends, config, request) and
// ignores the rest, so the expectation format can grow without touching
// these files. The format itself is documented in doc.go.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// lamCase is the part of a golden case the Lambda runs use.
type lamCase struct {
	// name is "<area>/<file name without .json>".
	name string

	Backends map[string]lamBackendDef `json:"backends"`
	Config   json.RawMessage          `json:"config"`
	Request  lamRequest               `json:"request"`
}

// lamBackendDef is one canned backend.
type lamBackendDef struct {
	Routes map[string]*lamCanned `json:"routes"`
	Refuse bool                  `json:"refuse"`
}

// lamCanned is one canned backend response.
type lamCanned struct {
	Status          int                  `json:"status"`
	Headers         map[string]lamValues `json:"headers"`
	Body            json.RawMessage      `json:"body"`
	RawBody         *string              `json:"raw_body"`
	RawBodyB64      *string              `json:"raw_body_b64"`
	Gzip            bool                 `json:"gzip"`
	DelayMS         int                  `json:"delay_ms"`
	RepeatBodyBytes int                  `json:"repeat_body_bytes"`
	RawResponse     *string              `json:"raw_response"`
}

// lamRequest is the client request of a case.
type lamRequest struct {
	Method           string               `json:"method"`
	Path             string               `json:"path"`
	RawRequestTarget string               `json:"raw_request_target"`
	Headers          map[string]lamValues `json:"headers"`
	Body             *string              `json:"body"`
	BodyB64          *string              `json:"body_b64"`
	Chunked          bool                 `json:"chunked"`
}

// lamValues is a header's values: a JSON string or a list of strings (null
// is no value).
type lamValues []string

// UnmarshalJSON accepts a string, a list of strings or null.
func (v *lamValues) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*v = nil
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = lamValues{s}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("header values: a string, a list of strings or null: %w", err)
	}
	*v = list
	return nil
}

// lamLoadCases reads every case under dir, sorted by name.
func lamLoadCases(dir string) ([]*lamCase, error) {
	var cases []*lamCase
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		c := &lamCase{}
		if err := json.Unmarshal(data, c); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		c.name = strings.TrimSuffix(filepath.ToSlash(rel), ".json")
		if len(c.Config) == 0 || (c.Request.Path == "") == (c.Request.RawRequestTarget == "") {
			return fmt.Errorf("%s: a case needs a config and exactly one of request.path and request.raw_request_target", path)
		}
		cases = append(cases, c)
		return nil
	})
	slices.SortFunc(cases, func(a, b *lamCase) int { return strings.Compare(a.name, b.name) })
	return cases, err
}

// method returns the request method, GET by default.
func (r *lamRequest) method() string {
	if r.Method == "" {
		return "GET"
	}
	return r.Method
}

// target returns the request target, path and query, whichever form the
// case uses.
func (r *lamRequest) target() string {
	if r.RawRequestTarget != "" {
		return r.RawRequestTarget
	}
	return r.Path
}

// body returns the request body, or nil when the case sends none.
func (r *lamRequest) body() ([]byte, error) {
	switch {
	case r.Body != nil:
		return []byte(*r.Body), nil
	case r.BodyB64 != nil:
		return base64.StdEncoding.DecodeString(*r.BodyB64)
	}
	return nil, nil
}

// lamRender replaces every "{{name}}" of urls in s.
func lamRender(s string, urls map[string]string) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	pairs := make([]string, 0, 2*len(urls))
	for name, u := range urls {
		pairs = append(pairs, "{{"+name+"}}", u)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}
