package httpadapter

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	jsoniter "github.com/json-iterator/go"

	"github.com/tributary-gw/tributary/core/exec"
)

// json encodes the built-in endpoints' small documents: compact, no HTML
// escaping, map keys sorted (deterministic).
var json = jsoniter.Config{EscapeHTML: false, SortMapKeys: true}.Froze()

// fiveMethods are the methods the debug and echo endpoints answer.
func fiveMethods(m string) bool {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// builtin answers /__health, /__debug and /__echo (krakend-compat §19).
// body is the request body to read.
func (h *Handler) builtin(r *http.Request, body io.Reader) (*exec.Response, bool) {
	p := r.URL.Path
	health := h.edge.HealthPath
	if !strings.HasPrefix(p, "/__") && (health == "" || p != health) {
		return nil, false
	}
	switch {
	case health != "" && p == health:
		if r.Method != http.MethodGet {
			resp := exec.ErrorResponse(http.StatusMethodNotAllowed, "method_not_allowed", "method "+r.Method+" is not allowed on this path")
			resp.Header.Set("Allow", "GET")
			return resp, true
		}
		body, _ := json.Marshal(struct {
			Agents struct{} `json:"agents"`
			Now    string   `json:"now"`
			Status string   `json:"status"`
		}{Now: h.now().UTC().Format(time.RFC3339), Status: "ok"})
		return jsonResponse(body), true
	case h.debug && under(p, "/__debug"):
		if !fiveMethods(r.Method) {
			return methodNotAllowed(r.Method), true
		}
		var n int64
		if body != nil {
			n, _ = io.Copy(io.Discard, io.LimitReader(body, h.edge.MaxBodyBytes))
		}
		h.log.LogAttrs(r.Context(), slog.LevelDebug, "debug endpoint",
			slog.String("method", r.Method),
			slog.String("path", r.URL.EscapedPath()),
			slog.String("query", h.access.Redact(r.URL.RawQuery)),
			slog.Any("headers", redacted(r.Header)),
			slog.Int64("body_bytes", n),
			slog.String("content_type", r.Header.Get("Content-Type")),
		)
		return jsonResponse([]byte(`{"message":"pong"}`)), true
	case h.dashboardPath(p):
		return h.dashboard(r), true
	case h.edge.EchoEndpoint && under(p, "/__echo"):
		if !fiveMethods(r.Method) {
			return methodNotAllowed(r.Method), true
		}
		return h.echo(r, body), true
	}
	return nil, false
}

func methodNotAllowed(m string) *exec.Response {
	resp := exec.ErrorResponse(http.StatusMethodNotAllowed, "method_not_allowed", "method "+m+" is not allowed on this path")
	resp.Header.Set("Allow", "DELETE, GET, PATCH, POST, PUT")
	return resp
}

func jsonResponse(body []byte) *exec.Response {
	h := make(http.Header, 1)
	h.Set("Content-Type", exec.ContentTypeJSON)
	return exec.NewResponse(http.StatusOK, h, body)
}

type echoURI struct {
	User     string `json:"user"`
	Host     string `json:"host"`
	Path     string `json:"path"`
	Query    string `json:"query"`
	Fragment string `json:"fragment"`
}

type echoDoc struct {
	ReqURI         string              `json:"req_uri"`
	ReqURIDetails  echoURI             `json:"req_uri_details"`
	ReqMethod      string              `json:"req_method"`
	ReqQuerystring map[string][]string `json:"req_querystring"`
	ReqBody        string              `json:"req_body"`
	ReqHeaders     map[string][]string `json:"req_headers"`
}

// echo describes the received request; it is a conformance-test backend.
// in is the request body to read.
func (h *Handler) echo(r *http.Request, in io.Reader) *exec.Response {
	limit := h.edge.MaxBodyBytes
	if in == nil {
		in = http.NoBody
	}
	body, err := io.ReadAll(io.LimitReader(in, limit+1))
	if err != nil {
		return exec.ErrorResponse(http.StatusBadRequest, "bad_request", "reading the request body: "+err.Error())
	}
	if int64(len(body)) > limit {
		return exec.ErrorResponse(http.StatusRequestEntityTooLarge, "payload_too_large", "request body too large")
	}
	u := r.URL
	doc := echoDoc{
		ReqURI: r.RequestURI,
		ReqURIDetails: echoURI{
			User:     u.User.Username(),
			Host:     r.Host,
			Path:     u.Path,
			Query:    u.RawQuery,
			Fragment: u.Fragment,
		},
		ReqMethod:      r.Method,
		ReqQuerystring: u.Query(),
		ReqBody:        string(body),
		ReqHeaders:     r.Header,
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return exec.ErrorResponse(http.StatusInternalServerError, "internal_error", "encoding the echo document")
	}
	return jsonResponse(out)
}
