package demo

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Limits of the query controls every endpoint honours.
const (
	// MaxDelay is the largest ?delay_ms= accepted.
	MaxDelay = 5000 * time.Millisecond
	// minFail and maxFail bound the statuses ?fail= may ask for.
	minFail = 400
	maxFail = 599
)

// body is a response body encoded once, with its Content-Length.
type body struct {
	data   []byte
	length string
}

// newBody wraps pre-encoded JSON.
func newBody(data []byte) body {
	return body{data: data, length: strconv.Itoa(len(data))}
}

// mustJSON encodes v, which is built from fixed types that always encode.
// It runs while a handler is constructed, never per request.
func mustJSON(v any) body {
	data, err := json.Marshal(v)
	if err != nil {
		// Unreachable: the demo types hold only strings, numbers, bools and slices.
		data = []byte(`{"error":"internal_error"}`)
	}
	return newBody(data)
}

// errorBody is the JSON error document of the demo backends.
type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
	Status  int    `json:"status"`
}

// errorBodies are the pre-encoded error answers shared by both services.
type errorBodies struct {
	notFound, methodNotAllowed, badDelay, badFail body
	failed                                        [maxFail - minFail + 1]body
}

// newErrorBodies encodes every error answer once.
func newErrorBodies() *errorBodies {
	e := &errorBodies{
		notFound:         mustJSON(errorBody{"not_found", "no such resource", http.StatusNotFound}),
		methodNotAllowed: mustJSON(errorBody{"method_not_allowed", "only GET and HEAD are allowed", http.StatusMethodNotAllowed}),
		badDelay:         mustJSON(errorBody{"bad_request", "delay_ms must be an integer from 0 to 5000", http.StatusBadRequest}),
		badFail:          mustJSON(errorBody{"bad_request", "fail must be an HTTP status from 400 to 599", http.StatusBadRequest}),
	}
	for i := range e.failed {
		status := minFail + i
		e.failed[i] = mustJSON(errorBody{"simulated_failure", "failure requested with ?fail=" + strconv.Itoa(status), status})
	}
	return e
}

// route answers one request path: ok is false when no endpoint matches;
// otherwise status and b are the answer once the query controls have run.
type route func(path string) (status int, b body, ok bool)

// service is the http.Handler shared by both demo services.
type service struct {
	route  route
	errors *errorBodies
}

// ServeHTTP routes r, applies ?delay_ms= and ?fail=, and writes the answer.
func (s *service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status, b, ok := s.route(r.URL.Path)
	if !ok {
		write(w, r, http.StatusNotFound, s.errors.notFound)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		write(w, r, http.StatusMethodNotAllowed, s.errors.methodNotAllowed)
		return
	}
	delay, fail, errBody := s.controls(r.URL.RawQuery)
	if errBody != nil {
		write(w, r, http.StatusBadRequest, *errBody)
		return
	}
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if fail != 0 {
		write(w, r, fail, s.errors.failed[fail-minFail])
		return
	}
	write(w, r, status, b)
}

// controls reads ?delay_ms= and ?fail= from a raw query. A bad value yields
// the error body to answer with 400.
func (s *service) controls(rawQuery string) (delay time.Duration, fail int, bad *body) {
	if rawQuery == "" {
		return 0, 0, nil
	}
	if v, ok := queryValue(rawQuery, "delay_ms"); ok {
		ms, ok := parseDecimal(v, int(MaxDelay/time.Millisecond))
		if !ok {
			return 0, 0, &s.errors.badDelay
		}
		delay = time.Duration(ms) * time.Millisecond
	}
	if v, ok := queryValue(rawQuery, "fail"); ok {
		status, ok := parseDecimal(v, maxFail)
		if !ok || status < minFail {
			return 0, 0, &s.errors.badFail
		}
		fail = status
	}
	return delay, fail, nil
}

// write sends a pre-encoded JSON answer; HEAD gets the headers only.
func write(w http.ResponseWriter, r *http.Request, status int, b body) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", b.length)
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(b.data) // the client may be gone; nothing to do about it
	}
}

// queryValue returns the first value of key in a raw query string without
// building a url.Values map. Escaped keys and values are decoded.
func queryValue(rawQuery, key string) (string, bool) {
	for rawQuery != "" {
		var pair string
		pair, rawQuery, _ = strings.Cut(rawQuery, "&")
		k, v, _ := strings.Cut(pair, "=")
		if strings.ContainsAny(k, "%+") {
			dk, err := url.QueryUnescape(k)
			if err != nil {
				continue
			}
			k = dk
		}
		if k != key {
			continue
		}
		if strings.ContainsAny(v, "%+") {
			dv, err := url.QueryUnescape(v)
			if err != nil {
				return "", true // present but undecodable: a bad value
			}
			v = dv
		}
		return v, true
	}
	return "", false
}

// parseDecimal parses s as a plain decimal number from 0 to limit: ASCII
// digits only, no sign, at most 9 digits.
func parseDecimal(s string, limit int) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n <= limit
}
