package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// decodeClaims decodes a verified payload: a JSON object whose numbers keep
// their exact digits (json.Number).
func decodeClaims(payload []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(payload))
	d.UseNumber()
	var claims map[string]any
	if err := d.Decode(&claims); err != nil {
		return nil, errors.New("claims are not a JSON object")
	}
	if claims == nil {
		return nil, errors.New("claims are not a JSON object")
	}
	if d.More() {
		return nil, errors.New("data after the claims object")
	}
	return claims, nil
}

// numericDate reads a NumericDate claim (seconds since the epoch, possibly
// fractional). ok is false when the claim is present but not a finite
// number.
func numericDate(claims map[string]any, name string) (t float64, present, ok bool) {
	v, present := claims[name]
	if !present {
		return 0, false, true
	}
	n, isNum := v.(json.Number)
	if !isNum {
		return 0, true, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, true, false
	}
	return f, true, true
}

// unixSeconds is t in fractional Unix seconds.
func unixSeconds(t time.Time) float64 {
	return float64(t.UnixNano()) / 1e9
}

// audiences reads aud: a string or an array of strings.
func audiences(v any) ([]string, bool) {
	switch a := v.(type) {
	case string:
		return []string{a}, true
	case []any:
		out := make([]string, 0, len(a))
		for _, e := range a {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// lookup follows a split dot path through nested objects.
func lookup(claims map[string]any, path []string) (any, bool) {
	var cur any = claims
	for _, k := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// stringSet reads a roles or scopes claim: the string elements of an array
// (others are ignored), or a string split at spaces when split is set, or
// taken whole otherwise.
func stringSet(v any, split bool) []string {
	switch a := v.(type) {
	case string:
		if split {
			return strings.Fields(a)
		}
		return []string{a}
	case []any:
		out := make([]string, 0, len(a))
		for _, e := range a {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// scalarText renders a string, number or boolean claim value; ok is false
// for anything else.
func scalarText(v any) (string, bool) {
	switch s := v.(type) {
	case string:
		return s, true
	case json.Number:
		return string(s), true
	case bool:
		if s {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// ClaimText renders the top-level claim name of claims for a url_pattern
// placeholder: a string as is, a number with its exact digits, a boolean
// as true/false, an array of such values joined with ",". ok is false when
// the claim is missing, null, an object, or an array holding anything
// else: the value is then not usable in a URL.
func ClaimText(claims map[string]any, name string) (string, bool) {
	v, ok := claims[name]
	if !ok {
		return "", false
	}
	if s, ok := scalarText(v); ok {
		return s, true
	}
	a, isArr := v.([]any)
	if !isArr {
		return "", false
	}
	var b strings.Builder
	for i, e := range a {
		s, ok := scalarText(e)
		if !ok {
			return "", false
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s)
	}
	return b.String(), true
}

// headerValues renders a claim for propagate_claims: scalars as ClaimText
// does, objects (and objects inside arrays) as compact JSON text, arrays
// joined with "," or, with preserve, as one value per element. null gives
// no value.
func headerValues(v any, preserve bool) []string {
	switch a := v.(type) {
	case nil:
		return nil
	case []any:
		vals := make([]string, 0, len(a))
		for _, e := range a {
			if e == nil {
				continue
			}
			vals = append(vals, headerText(e))
		}
		if preserve || len(vals) <= 1 {
			return vals
		}
		return []string{strings.Join(vals, ",")}
	}
	return []string{headerText(v)}
}

// headerText renders one value for a header.
func headerText(v any) string {
	if s, ok := scalarText(v); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
