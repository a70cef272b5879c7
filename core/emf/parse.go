package emf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Line is one decoded EMF line: what CloudWatch would extract from it.
// Tests (here, in the conformance suite, under the Lambda emulator) parse
// what the gateway wrote with [Parse].
type Line struct {
	// Timestamp is _aws.Timestamp, milliseconds since the Unix epoch.
	Timestamp int64
	// Directives are the _aws.CloudWatchMetrics directives.
	Directives []Directive
	// Members are the root members other than _aws: numbers decode as
	// float64, strings as string.
	Members map[string]any
}

// Directive is one MetricDirective.
type Directive struct {
	// Namespace is the CloudWatch namespace.
	Namespace string
	// Dimensions are the dimension sets, each a list of member names.
	Dimensions [][]string
	// Metrics are the metric definitions.
	Metrics []MetricDef
}

// MetricDef is one MetricDefinition.
type MetricDef struct {
	// Name is the metric's name, the member holding its value.
	Name string
	// Unit is the CloudWatch unit.
	Unit string
}

// Metric returns the value of the metric member name.
func (l *Line) Metric(name string) (float64, bool) {
	v, ok := l.Members[name].(float64)
	return v, ok
}

// String returns the value of the string member name.
func (l *Line) String(name string) (string, bool) {
	v, ok := l.Members[name].(string)
	return v, ok
}

// Unit returns the unit a directive gives metric name, or "".
func (l *Line) Unit(name string) string {
	for _, d := range l.Directives {
		for _, m := range d.Metrics {
			if m.Name == name {
				return m.Unit
			}
		}
	}
	return ""
}

// Dimensions returns the dimension set of the directive that defines
// metric name, or nil.
func (l *Line) Dimensions(name string) []string {
	for _, d := range l.Directives {
		for _, m := range d.Metrics {
			if m.Name == name && len(d.Dimensions) > 0 {
				return d.Dimensions[0]
			}
		}
	}
	return nil
}

// knownUnit reports whether u is a CloudWatch unit. (A switch, not a
// map: a package-level map would be built at every cold start.)
func knownUnit(u string) bool {
	switch u {
	case "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
		"Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
		"Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second",
		"Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None":
		return true
	}
	return false
}

// Parse decodes one line (a trailing newline allowed) and checks it the
// way CloudWatch Logs does before extracting metrics: a single JSON
// object, no duplicate member, an _aws member with a Timestamp and at
// least one directive; every directive with a namespace, at most 30
// dimensions per set and 100 metrics, each dimension naming a string
// member that CloudWatch accepts as a value, each metric naming a number
// member, with a known unit.
func Parse(line []byte) (*Line, error) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	if bytes.ContainsAny(line, "\r\n") {
		return nil, errors.New("the line holds a line break")
	}
	raw, err := members(line)
	if err != nil {
		return nil, err
	}
	awsRaw, ok := raw["_aws"]
	if !ok {
		return nil, errors.New("no _aws member")
	}
	delete(raw, "_aws")
	var meta struct {
		Timestamp         *json.Number
		CloudWatchMetrics []struct {
			Namespace  *string
			Dimensions [][]string
			Metrics    []struct {
				Name *string
				Unit string
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(awsRaw))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&meta); err != nil {
		return nil, fmt.Errorf("_aws: %w", err)
	}
	if meta.Timestamp == nil {
		return nil, errors.New("_aws.Timestamp is missing")
	}
	ts, err := meta.Timestamp.Int64()
	if err != nil || ts <= 0 {
		return nil, fmt.Errorf("_aws.Timestamp %s is not a positive integer", meta.Timestamp)
	}
	if len(meta.CloudWatchMetrics) == 0 {
		return nil, errors.New("_aws.CloudWatchMetrics is empty")
	}
	out := &Line{Timestamp: ts, Members: make(map[string]any, len(raw))}
	for k, v := range raw {
		var x any
		if err := json.Unmarshal(v, &x); err != nil {
			return nil, fmt.Errorf("member %q: %w", k, err)
		}
		out.Members[k] = x
	}
	for i, d := range meta.CloudWatchMetrics {
		if d.Namespace == nil || *d.Namespace == "" || len(*d.Namespace) > 255 {
			return nil, fmt.Errorf("directive %d: bad Namespace", i)
		}
		dir := Directive{Namespace: *d.Namespace, Dimensions: d.Dimensions}
		if d.Dimensions == nil {
			return nil, fmt.Errorf("directive %d: no Dimensions", i)
		}
		for _, set := range d.Dimensions {
			if len(set) > 30 {
				return nil, fmt.Errorf("directive %d: %d dimensions in a set", i, len(set))
			}
			for _, name := range set {
				v, ok := out.Members[name].(string)
				if !ok {
					return nil, fmt.Errorf("directive %d: dimension %q names no string member", i, name)
				}
				if problem := dimensionProblem(v); problem != "" {
					return nil, fmt.Errorf("directive %d: dimension %q value %q: %s", i, name, v, problem)
				}
			}
		}
		if len(d.Metrics) == 0 || len(d.Metrics) > 100 {
			return nil, fmt.Errorf("directive %d: %d metrics", i, len(d.Metrics))
		}
		for _, m := range d.Metrics {
			if m.Name == nil || *m.Name == "" {
				return nil, fmt.Errorf("directive %d: a metric has no Name", i)
			}
			if _, ok := out.Members[*m.Name].(float64); !ok {
				return nil, fmt.Errorf("directive %d: metric %q names no number member", i, *m.Name)
			}
			if m.Unit != "" && !knownUnit(m.Unit) {
				return nil, fmt.Errorf("directive %d: metric %q: unknown unit %q", i, *m.Name, m.Unit)
			}
			dir.Metrics = append(dir.Metrics, MetricDef{Name: *m.Name, Unit: m.Unit})
		}
		out.Directives = append(out.Directives, dir)
	}
	return out, nil
}

// members splits a JSON object into its members, refusing anything else,
// trailing data and duplicate names.
func members(line []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	out := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("member %q: %w", key, err)
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("member %q appears twice", key)
		}
		out[key] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if dec.More() || dec.InputOffset() != int64(len(line)) {
		if rest := bytes.TrimSpace(line[dec.InputOffset():]); len(rest) > 0 {
			return nil, errors.New("data after the object")
		}
	}
	return out, nil
}

// dimensionProblem says why CloudWatch would refuse a dimension value,
// or "".
func dimensionProblem(v string) string {
	if v == "" || len(v) > MaxDimensionValue {
		return "not 1 to 1024 characters"
	}
	if strings.TrimSpace(v) == "" {
		return "blank"
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] >= 0x7f {
			return "not printable ASCII"
		}
	}
	return ""
}
