package otel

import (
	"bufio"
	"compress/gzip"
	"context"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
)

// The Prometheus exporters are served here, in the Prometheus text
// exposition format 0.0.4, straight from the observer's own aggregates
// (store.Produce): no SDK reader and no Prometheus client library sit in
// between. Names follow the OpenTelemetry-to-Prometheus translation the
// OpenTelemetry Go exporter applies, so the series are the ones that
// exporter produced: "http.server.duration" in seconds becomes
// http_server_duration_seconds, attribute keys become label names with
// every invalid character replaced by "_", each series carries the
// otel_scope_* labels and the resource attributes are a target_info
// gauge.

// promContentType is the media type of the text exposition format.
const promContentType = "text/plain; version=0.0.4; charset=utf-8"

// Scope labels on every series, as the OpenTelemetry exporter writes them.
const (
	scopeNameLabel    = "otel_scope_name"
	scopeVersionLabel = "otel_scope_version"
	scopeSchemaLabel  = "otel_scope_schema_url"
)

// promHandler serves one Prometheus exporter.
type promHandler struct {
	// produce returns the current metrics (store.Produce).
	produce func(context.Context) ([]metricdata.ScopeMetrics, error)
	// target is the rendered label set of target_info ("" when the
	// resource has no attributes).
	target string
	// goMetrics and processMetrics add the runtime and process families.
	goMetrics, processMetrics bool
}

// newPromHandler builds the handler of one exporter.
func newPromHandler(produce func(context.Context) ([]metricdata.ScopeMetrics, error), res *resource.Resource,
	goMetrics, processMetrics bool) *promHandler {
	h := &promHandler{produce: produce, goMetrics: goMetrics, processMetrics: processMetrics}
	if res != nil {
		h.target = renderLabels(attrLabels(*res.Set(), nil))
	}
	return h
}

// ServeHTTP answers GET and HEAD (on any path) with the current metrics;
// any other method gets 405.
func (h *promHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", promContentType)
	hdr.Add("Vary", "Accept-Encoding")
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	var out io.Writer = w
	if acceptsGzip(r.Header.Values("Accept-Encoding")) {
		hdr.Set("Content-Encoding", "gzip")
		gz := gzip.NewWriter(w)
		defer gz.Close()
		out = gz
	}
	bw := bufio.NewWriterSize(out, 32<<10)
	h.write(r.Context(), bw)
	_ = bw.Flush()
}

// acceptsGzip reports whether an Accept-Encoding header lists gzip with a
// non-zero weight.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
				continue
			}
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			if q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000" {
				return false
			}
			return true
		}
	}
	return false
}

// family is one metric family of a scrape, rendered.
type family struct {
	name, help, typ string
	// body is the family's sample lines.
	body []byte
}

// write renders every family, sorted by name, to w.
func (h *promHandler) write(ctx context.Context, w *bufio.Writer) {
	var fams []family
	if sms, err := h.produce(ctx); err == nil {
		for _, sm := range sms {
			fams = appendScope(fams, sm)
		}
	}
	if h.goMetrics {
		fams = appendGoFamilies(fams)
	}
	if h.processMetrics {
		fams = appendProcessFamilies(fams)
	}
	if h.target != "" {
		fams = append(fams, family{name: "target_info", help: "Target metadata", typ: "gauge",
			body: []byte("target_info{" + h.target + "} 1\n")})
	}
	fams = mergeFamilies(fams)
	for _, f := range fams {
		if f.help != "" {
			_, _ = w.WriteString("# HELP ")
			_, _ = w.WriteString(f.name)
			_ = w.WriteByte(' ')
			_, _ = w.WriteString(escapeHelp(f.help))
			_ = w.WriteByte('\n')
		}
		_, _ = w.WriteString("# TYPE ")
		_, _ = w.WriteString(f.name)
		_ = w.WriteByte(' ')
		_, _ = w.WriteString(f.typ)
		_ = w.WriteByte('\n')
		_, _ = w.Write(f.body)
	}
}

// mergeFamilies sorts fams by name and joins families of the same name
// and type (a name may appear once only in the text format); a later
// family whose type differs is dropped.
func mergeFamilies(fams []family) []family {
	slices.SortStableFunc(fams, func(a, b family) int { return strings.Compare(a.name, b.name) })
	out := fams[:0]
	for _, f := range fams {
		if n := len(out); n > 0 && out[n-1].name == f.name {
			if out[n-1].typ == f.typ {
				out[n-1].body = append(out[n-1].body, f.body...)
			}
			continue
		}
		out = append(out, f)
	}
	return out
}

// label is one rendered-to-be label pair.
type label struct{ name, value string }

// sample is one series of a family: its rendered labels (without the
// braces) and the point it came from.
type sample[P any] struct {
	labels string
	point  P
}

// appendScope adds the families of one scope's metrics.
func appendScope(fams []family, sm metricdata.ScopeMetrics) []family {
	scope := []label{{scopeNameLabel, sm.Scope.Name}, {scopeVersionLabel, sm.Scope.Version},
		{scopeSchemaLabel, sm.Scope.SchemaURL}}
	for _, l := range attrLabels(sm.Scope.Attributes, nil) {
		if l.name != "name" && l.name != "version" && l.name != "schema_url" {
			scope = append(scope, label{"otel_scope_" + l.name, l.value})
		}
	}
	for _, m := range sm.Metrics {
		var f family
		switch d := m.Data.(type) {
		case metricdata.Histogram[int64]:
			f = histogramFamily(m, d.DataPoints, scope)
		case metricdata.Histogram[float64]:
			f = histogramFamily(m, d.DataPoints, scope)
		case metricdata.Sum[int64]:
			f = sumFamily(m, d.DataPoints, d.IsMonotonic, scope)
		case metricdata.Sum[float64]:
			f = sumFamily(m, d.DataPoints, d.IsMonotonic, scope)
		case metricdata.Gauge[int64]:
			f = pointFamily(m, "gauge", d.DataPoints, scope)
		case metricdata.Gauge[float64]:
			f = pointFamily(m, "gauge", d.DataPoints, scope)
		default:
			continue // exponential histograms and summaries are never produced
		}
		if f.name != "" {
			fams = append(fams, f)
		}
	}
	return fams
}

// histogramFamily renders the _bucket (cumulative, ending with +Inf),
// _sum and _count lines of each point.
func histogramFamily[N int64 | float64](m metricdata.Metrics, pts []metricdata.HistogramDataPoint[N], scope []label) family {
	name := promName(m.Name, m.Unit, "histogram")
	if name == "" {
		return family{}
	}
	list := make([]sample[metricdata.HistogramDataPoint[N]], len(pts))
	for i, p := range pts {
		list[i] = sample[metricdata.HistogramDataPoint[N]]{renderLabels(attrLabels(p.Attributes, scope, "le")), p}
	}
	slices.SortFunc(list, func(a, b sample[metricdata.HistogramDataPoint[N]]) int { return strings.Compare(a.labels, b.labels) })
	size := 0
	for _, s := range list {
		size += (len(s.point.BucketCounts) + 2) * (len(name) + len(s.labels) + 40)
	}
	b := make([]byte, 0, size)
	for _, s := range list {
		p := s.point
		var cum uint64
		for i, n := range p.BucketCounts {
			cum += n
			le := math.Inf(1)
			if i < len(p.Bounds) {
				le = p.Bounds[i]
			} else if i > len(p.Bounds) {
				break
			}
			b = appendBucket(b, name, s.labels, le, cum)
		}
		if len(p.BucketCounts) <= len(p.Bounds) { // malformed: always end with +Inf
			b = appendBucket(b, name, s.labels, math.Inf(1), p.Count)
		}
		b = appendLine(b, name+"_sum", s.labels, float64(p.Sum))
		b = appendLine(b, name+"_count", s.labels, float64(p.Count))
	}
	return family{name: name, help: m.Description, typ: "histogram", body: b}
}

// appendBucket appends one name_bucket line.
func appendBucket(b []byte, name, labels string, le float64, n uint64) []byte {
	b = append(b, name...)
	b = append(b, "_bucket{"...)
	if labels != "" {
		b = append(b, labels...)
		b = append(b, ',')
	}
	b = append(b, `le="`...)
	b = appendFloat(b, le)
	b = append(b, `"} `...)
	b = strconv.AppendUint(b, n, 10)
	return append(b, '\n')
}

// sumFamily renders a sum: a counter (name_total) when monotonic, a
// gauge otherwise.
func sumFamily[N int64 | float64](m metricdata.Metrics, pts []metricdata.DataPoint[N], monotonic bool, scope []label) family {
	if monotonic {
		return pointFamily(m, "counter", pts, scope)
	}
	return pointFamily(m, "gauge", pts, scope)
}

// pointFamily renders one line per point.
func pointFamily[N int64 | float64](m metricdata.Metrics, typ string, pts []metricdata.DataPoint[N], scope []label) family {
	name := promName(m.Name, m.Unit, typ)
	if name == "" {
		return family{}
	}
	list := make([]sample[metricdata.DataPoint[N]], len(pts))
	for i, p := range pts {
		list[i] = sample[metricdata.DataPoint[N]]{renderLabels(attrLabels(p.Attributes, scope)), p}
	}
	slices.SortFunc(list, func(a, b sample[metricdata.DataPoint[N]]) int { return strings.Compare(a.labels, b.labels) })
	var b []byte
	for _, s := range list {
		b = appendLine(b, name, s.labels, float64(s.point.Value))
	}
	return family{name: name, help: m.Description, typ: typ, body: b}
}

// appendLine appends `name{labels} value`.
func appendLine(b []byte, name, labels string, v float64) []byte {
	b = append(b, name...)
	if labels != "" {
		b = append(b, '{')
		b = append(b, labels...)
		b = append(b, '}')
	}
	b = append(b, ' ')
	b = appendFloat(b, v)
	return append(b, '\n')
}

// appendFloat formats v as the text format expects.
func appendFloat(b []byte, v float64) []byte {
	switch {
	case math.IsInf(v, 1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	case math.IsNaN(v):
		return append(b, "NaN"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// attrLabels turns an attribute set, plus extra labels, into label pairs
// sorted by name. Keys are sanitized (promLabel); keys that collide
// after sanitizing get their values joined with ";" in sorted order.
// Labels named in reserved are left out.
func attrLabels(set attribute.Set, extra []label, reserved ...string) []label {
	ls := make([]label, 0, set.Len()+len(extra))
	for it := set.Iter(); it.Next(); {
		kv := it.Attribute()
		name := promLabel(string(kv.Key))
		if name == "" || slices.Contains(reserved, name) {
			continue
		}
		ls = append(ls, label{name, kv.Value.Emit()})
	}
	ls = append(ls, extra...)
	slices.SortStableFunc(ls, func(a, b label) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
	out := ls[:0]
	for _, l := range ls {
		if n := len(out); n > 0 && out[n-1].name == l.name {
			out[n-1].value += ";" + l.value
			continue
		}
		out = append(out, l)
	}
	return out
}

// renderLabels renders sorted pairs as name="value",… (no braces), the
// values escaped.
func renderLabels(ls []label) string {
	var b strings.Builder
	for i, l := range ls {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(l.name)
		b.WriteString(`="`)
		writeEscaped(&b, l.value, true)
		b.WriteByte('"')
	}
	return b.String()
}

// writeEscaped writes s with backslash and newline escaped, and the
// double quote too when quote is set (a label value); invalid UTF-8 is
// replaced, so the output is always valid text.
func writeEscaped(b *strings.Builder, s string, quote bool) {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '"' && quote:
			b.WriteString(`\"`)
		default:
			b.WriteByte(c)
		}
	}
}

// escapeHelp escapes a HELP text.
func escapeHelp(s string) string {
	var b strings.Builder
	writeEscaped(&b, s, false)
	return b.String()
}

// validNameChar reports whether c may appear in a metric name.
func validNameChar(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ':'
}

// promName translates an OpenTelemetry metric name and unit to a
// Prometheus name: runs of invalid characters become one "_", the unit's
// word is appended (unless already a word of the name), counters end in
// _total and unit-"1" gauges in _ratio; a leading digit gets a "_"
// prefix. "" when nothing valid is left.
func promName(name, unit, typ string) string {
	words := strings.FieldsFunc(name, func(r rune) bool { return !validNameChar(r) })
	main, per := unitWords(unit)
	if main != "" && !slices.Contains(words, main) {
		words = append(words, main)
	}
	if per != "" && !slices.Contains(words, per) {
		words = append(words, "per", per)
	}
	switch {
	case typ == "counter":
		words = append(slices.DeleteFunc(words, func(w string) bool { return w == "total" }), "total")
	case typ == "gauge" && unit == "1":
		words = append(slices.DeleteFunc(words, func(w string) bool { return w == "ratio" }), "ratio")
	}
	out := strings.Join(words, "_")
	if strings.Trim(out, "_") == "" {
		return ""
	}
	if out[0] >= '0' && out[0] <= '9' {
		out = "_" + out
	}
	return out
}

// unitWords returns the name suffixes of an OpenTelemetry (UCUM) unit:
// "s" → "seconds", "By/s" → "bytes", "second". Annotations ({...}) add
// nothing; an unknown unit is used as written, cleaned.
func unitWords(unit string) (main, per string) {
	m, p, hasPer := strings.Cut(unit, "/")
	if m = strings.TrimSpace(m); m != "" && !strings.ContainsAny(m, "{}") {
		if w, ok := unitNames[m]; ok {
			main = w
		} else {
			main = cleanUnit(m)
		}
	}
	if p = strings.TrimSpace(p); hasPer && p != "" && !strings.ContainsAny(p, "{}") {
		if w, ok := perUnitNames[p]; ok {
			per = w
		} else {
			per = cleanUnit(p)
		}
	}
	return main, per
}

// cleanUnit keeps the valid runs of an unknown unit, joined with "_".
func cleanUnit(u string) string {
	return strings.Join(strings.FieldsFunc(u, func(r rune) bool { return !validNameChar(r) }), "_")
}

// unitNames and perUnitNames are the UCUM units with a Prometheus word.
var (
	unitNames = map[string]string{
		"d": "days", "h": "hours", "min": "minutes", "s": "seconds", "ms": "milliseconds", "us": "microseconds",
		"ns": "nanoseconds", "By": "bytes", "KiBy": "kibibytes", "MiBy": "mebibytes", "GiBy": "gibibytes",
		"TiBy": "tibibytes", "KBy": "kilobytes", "MBy": "megabytes", "GBy": "gigabytes", "TBy": "terabytes",
		"m": "meters", "V": "volts", "A": "amperes", "J": "joules", "W": "watts", "g": "grams", "Cel": "celsius",
		"Hz": "hertz", "1": "", "%": "percent",
	}
	perUnitNames = map[string]string{"s": "second", "m": "minute", "h": "hour", "d": "day", "w": "week",
		"mo": "month", "y": "year"}
)

// promLabel sanitizes an attribute key into a label name: every invalid
// character becomes "_" and runs of "_" collapse to one (a key both
// starting and ending with "__" keeps them); a leading digit gets a
// "key_" prefix. "" when nothing but underscores is left, and for
// __name__, which would stand for the metric name.
func promLabel(key string) string {
	var b strings.Builder
	b.Grow(len(key))
	affix := ""
	if len(key) >= 4 && strings.HasPrefix(key, "__") && strings.HasSuffix(key, "__") {
		affix, key = "__", key[2:len(key)-2]
	}
	under := false
	for _, r := range key {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			under = false
			continue
		}
		if !under {
			b.WriteByte('_')
		}
		under = true
	}
	out := affix + b.String() + affix
	if strings.Trim(out, "_") == "" || out == "__name__" {
		return ""
	}
	if out[0] >= '0' && out[0] <= '9' {
		out = "key_" + out
	}
	return out
}
