package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// Tests of tributary.lambda_metrics: defaults, every option, and the
// exact diagnostics of what is refused.

// emfConfig is a one-endpoint config whose service tributary namespace
// holds lambda_metrics: lm (line 2).
func emfConfig(lm string) string {
	return fmt.Sprintf(`{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/x"}]}],
  "extra_config": {"tributary": {"lambda_metrics": %s}}}`, lm)
}

func TestLambdaMetricsDecode(t *testing.T) {
	const path = `$.extra_config.tributary.lambda_metrics`
	for _, c := range []struct {
		lm   string
		want LambdaMetrics
	}{
		{`{}`, LambdaMetrics{JSONPath: path, Namespace: "Tributary", Dimensions: []string{"route", "method"}, Backends: true}},
		{`{"@comment": "x", "namespace": "Shop/API-gw_1 #2:prod", "dimensions": ["status_class", "route"], "backends": false}`,
			LambdaMetrics{JSONPath: path, Namespace: "Shop/API-gw_1 #2:prod", Dimensions: []string{"status_class", "route"}}},
		{`{"dimensions": []}`, LambdaMetrics{JSONPath: path, Namespace: "Tributary", Dimensions: []string{}, Backends: true}},
	} {
		cfg, err := Load("t.json", []byte(emfConfig(c.lm)), nil)
		if err != nil {
			t.Errorf("%s: %v", c.lm, err)
			continue
		}
		if cfg.LambdaMetrics == nil || !reflect.DeepEqual(*cfg.LambdaMetrics, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.lm, cfg.LambdaMetrics, c.want)
		}
		if len(cfg.Warnings) != 0 {
			t.Errorf("%s: warnings %v", c.lm, cfg.Warnings)
		}
	}
	cfg, err := Load("t.json", []byte(`{"version": 3, "endpoints": [], "extra_config": {"tributary": {}}}`), nil)
	if err != nil || cfg.LambdaMetrics != nil {
		t.Errorf("absent option: LambdaMetrics = %+v, err %v; want nil", cfg.LambdaMetrics, err)
	}
}

func TestLambdaMetricsErrors(t *testing.T) {
	const p = `$.extra_config.tributary.lambda_metrics`
	for _, c := range []struct {
		lm   string
		want string
	}{
		{`true`, `t.json:2:52: ` + p + `: expected an object, got boolean`},
		{`{"namespace": ""}`,
			`t.json:2:66: ` + p + `.namespace: invalid CloudWatch namespace "": it must be 1 to 255 characters long; use 1 to 255 letters, digits, spaces or . - _ / # :, e.g. "Tributary"`},
		{`{"namespace": "AWS/Lambda"}`, `invalid CloudWatch namespace "AWS/Lambda": the "AWS/" prefix is reserved for AWS services`},
		{`{"namespace": "a\"b"}`, `invalid CloudWatch namespace "a\"b": character "\"" is not allowed`},
		{`{"namespace": "   "}`, `invalid CloudWatch namespace "   ": it is blank`},
		{`{"namespace": ":x"}`, `invalid CloudWatch namespace ":x": it must not start with a colon`},
		{`{"namespace": "` + strings.Repeat("n", 256) + `"}`, `it must be 1 to 255 characters long`},
		{`{"namespace": 3}`, p + `.namespace: expected a string, got number`},
		{`{"dimensions": ["route", "rout"]}`,
			`t.json:2:77: ` + p + `.dimensions[1]: unknown dimension "rout"; did you mean "route"?`},
		{`{"dimensions": ["path"]}`,
			`unknown dimension "path"; use "route", "method" or "status_class": the only ones whose values the config bounds`},
		{`{"dimensions": ["route", "route"]}`, p + `.dimensions[1]: dimension "route" is listed twice`},
		{`{"dimensions": "route"}`, p + `.dimensions: expected an array of strings, got string; wrap it in brackets: ["route"]`},
		{`{"backends": "yes"}`, p + `.backends: expected true or false, got string`},
		{`{"namspace": "X"}`, p + `.namspace: unknown key; did you mean "namespace"?`},
		{`{"flush": true}`, p + `.flush: unknown option "flush"`},
	} {
		cfg, err := Load("t.json", []byte(emfConfig(c.lm)), nil)
		var errs Errors
		if !errors.As(err, &errs) {
			t.Errorf("%s: err %v (LambdaMetrics %+v), want load errors", c.lm, err, cfg)
			continue
		}
		if got := errs.Error(); !strings.Contains(got, c.want) {
			t.Errorf("%s:\n got %s\nwant %s", c.lm, got, c.want)
		}
	}
}

// The option belongs to the service: elsewhere it is refused with the
// scope that accepts it.
func TestLambdaMetricsScope(t *testing.T) {
	src := `{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/x"}],
  "extra_config": {"tributary": {"lambda_metrics": {}}}}]}`
	_, err := Load("t.json", []byte(src), nil)
	if err == nil || !strings.Contains(err.Error(), "lambda_metrics: unknown key at endpoint scope; valid at service scope") {
		t.Errorf("err %v", err)
	}
}
