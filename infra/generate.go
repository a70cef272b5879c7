package infra

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/tributary-gw/tributary/config"
)

// API kinds accepted by Options.API.
const (
	// APIHTTP is an API Gateway HTTP API (payload 2.0) plus a Function URL.
	APIHTTP = "http"
	// APIREST is an API Gateway REST API (payload 1.0).
	APIREST = "rest"
)

// Integration timeouts of API Gateway (docs/lambda.md#limits). An endpoint
// timeout must stay below the one of the API it is served behind.
const (
	// HTTPIntegrationTimeout is the HTTP API integration timeout (fixed).
	HTTPIntegrationTimeout = 30 * time.Second
	// RESTIntegrationTimeout is the REST API default integration timeout.
	RESTIntegrationTimeout = 29 * time.Second
)

// Fixed logical IDs of the generated resources. Per-endpoint functions are
// named by LogicalID and always start with "Ep", so they never clash.
const (
	// GatewayFunctionID is the catch-all function behind the HTTP API.
	GatewayFunctionID = "GatewayFunction"
	// RestGatewayFunctionID is the catch-all function behind the REST API.
	RestGatewayFunctionID = "RestGatewayFunction"
	// RestAPIID is the explicit REST API resource.
	RestAPIID = "RestApi"
	// RestStageParam is the parameter holding the REST API stage name.
	RestStageParam = "RestStageName"
	// TargetGroupID is the ALB target group of the catch-all function
	// (Options.ALB).
	TargetGroupID = "GatewayTargetGroup"
	// TargetGroupPermissionID lets Elastic Load Balancing invoke the
	// catch-all function.
	TargetGroupPermissionID = "GatewayTargetGroupPermission"
	// ALBMultiValueParam is the parameter that turns the target group's
	// multi-value headers on or off.
	ALBMultiValueParam = "AlbMultiValueHeaders"
)

// Names shared with the functions and the Makefile (docs/lambda.md#settings).
const (
	// BundleConfigName is the config's file name inside every function's
	// deployment package when the template deploys a config of its own:
	// the functions read it through TRIBUTARY_CONFIG, relative to the
	// package root (/var/task).
	BundleConfigName = "gateway.json"
	// BundleConfigPath is where `tributary sam generate -c FILE -o OUT`
	// puts the config it generated OUT from, relative to OUT's directory
	// (the functions' CodeUri). The Makefile's build targets copy it into
	// each function's ARTIFACTS_DIR as BundleConfigName.
	BundleConfigPath = ".tributary/" + BundleConfigName
	// BuildTagsPath is where `tributary sam generate -c FILE -o OUT`
	// writes FunctionBuildTags of the config, beside BundleConfigPath;
	// the Makefile's function builds add them to their tags.
	BuildTagsPath = ".tributary/build-tags"
	// configEnv names the config file a function loads.
	configEnv = "TRIBUTARY_CONFIG"
	// integrationTimeoutEnv tells the functions a raised REST integration
	// timeout, so that their init check agrees with the template.
	integrationTimeoutEnv = "TRIBUTARY_INTEGRATION_TIMEOUT"
)

// Fixed settings of every generated function (docs/lambda.md#the-generated-template).
const (
	runtime    = "provided.al2023"
	arch       = "arm64"
	handler    = "bootstrap"
	memorySize = 512
	// endpointEnv names the endpoint a per-endpoint function serves.
	endpointEnv = "TRIBUTARY_ENDPOINT"
	// timeoutMargin is added to the largest endpoint timeout to get the
	// function timeout, so the gateway always answers before Lambda kills it.
	timeoutMargin = time.Second
)

// Options selects the template variant. The zero value generates the HTTP
// API variant with the gateway function only.
type Options struct {
	// API is APIHTTP (the default when empty) or APIREST. The HTTP variant
	// emits GatewayFunction with the HttpApi catch-all events and a Function
	// URL (AuthType AWS_IAM); the REST variant emits RestGatewayFunction,
	// RestApi and the RestStageName parameter instead.
	API string
	// PerEndpoint adds one function per endpoint (named by LogicalID) with
	// TRIBUTARY_ENDPOINT set and an event on the endpoint's own route.
	// Default false.
	PerEndpoint bool
	// Command is the command line recorded in the header comment, which
	// TestTemplateUpToDate replays. Default: "tributary sam generate"
	// followed by the flags that select this variant.
	Command string
	// ConfigName is the config file named in the header comment. Default:
	// the config's Source.
	ConfigName string
	// BundleConfig makes every function load BundleConfigName from its
	// deployment package (TRIBUTARY_CONFIG) instead of the config embedded
	// in the binary, which is the bundled demo. Set it when the template is
	// generated from a config file; the caller then writes that config to
	// BundleConfigPath beside the template. Default false.
	BundleConfig bool
	// IntegrationTimeout is a raised REST integration timeout (an API
	// Gateway quota increase): endpoint timeouts must stay below it, it
	// caps the function Timeout, and the functions get it as
	// TRIBUTARY_INTEGRATION_TIMEOUT. 0 means the default, 29 s; HTTP APIs
	// have a fixed 30 s and refuse it.
	IntegrationTimeout time.Duration
	// ALB adds an Application Load Balancer target group (target type
	// lambda) for the catch-all function, the permission that lets the
	// load balancer invoke it, and the AlbMultiValueHeaders parameter.
	// Default false.
	ALB bool
}

// Generate renders the SAM template for cfg as YAML. The output depends
// only on cfg and o, so it can be compared byte for byte with a checked-in
// copy.
//
// The Globals function Timeout is the largest endpoint timeout plus one
// second, rounded up to whole seconds and capped at the integration
// timeout (29 s for REST, 30 s for HTTP). An endpoint whose timeout is not
// below the integration timeout is an error that names it.
func Generate(cfg *config.Config, o Options) ([]byte, error) {
	if cfg == nil {
		return nil, errors.New("infra: no config")
	}
	var limit time.Duration
	switch o.API {
	case "", APIHTTP:
		o.API, limit = APIHTTP, HTTPIntegrationTimeout
		if o.IntegrationTimeout != 0 {
			return nil, fmt.Errorf("infra: the HTTP API integration timeout is fixed at %s; a raised integration timeout needs --api rest", HTTPIntegrationTimeout)
		}
	case APIREST:
		limit = RESTIntegrationTimeout
		if o.IntegrationTimeout != 0 {
			if o.IntegrationTimeout < time.Second || o.IntegrationTimeout%time.Second != 0 {
				return nil, fmt.Errorf("infra: integration timeout %s: want whole seconds, at least 1s", o.IntegrationTimeout)
			}
			limit = o.IntegrationTimeout
		}
	default:
		return nil, fmt.Errorf("infra: unknown API %q (want %q or %q)", o.API, APIHTTP, APIREST)
	}
	if o.Command == "" {
		o.Command = DefaultCommand(o)
	}
	if o.ConfigName == "" {
		o.ConfigName = cfg.Source
	}
	if err := headerSafe("command", o.Command); err != nil {
		return nil, err
	}
	if err := headerSafe("config name", o.ConfigName); err != nil {
		return nil, err
	}
	for i, e := range cfg.Endpoints {
		if e == nil {
			return nil, fmt.Errorf("infra: endpoint %d is nil", i)
		}
		if !utf8.ValidString(e.Method) || !utf8.ValidString(e.Path) {
			return nil, fmt.Errorf("infra: endpoint %d: %q %q is not valid UTF-8", i, e.Method, e.Path)
		}
	}
	longest, err := longestTimeout(cfg, o.API, limit)
	if err != nil {
		return nil, err
	}
	g := &generator{cfg: cfg, o: o, limit: limit, longest: longest}
	if o.PerEndpoint {
		g.ids, err = assignIDs(cfg.Endpoints, g.fixedIDs())
		if err != nil {
			return nil, err
		}
	}
	doc := &yaml.Node{
		Kind:        yaml.DocumentNode,
		HeadComment: "Generated by `" + o.Command + "` from " + o.ConfigName + ". DO NOT EDIT.",
		Content:     []*yaml.Node{g.template()},
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("infra: encoding the template: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("infra: encoding the template: %w", err)
	}
	return buf.Bytes(), nil
}

// DefaultCommand returns the canonical command line that selects the
// variant o: "tributary sam generate", then --per-endpoint, --api rest,
// --integration-timeout and --alb when they differ from the defaults.
// o.Command, o.ConfigName and o.BundleConfig are not used.
func DefaultCommand(o Options) string {
	cmd := "tributary sam generate"
	if o.PerEndpoint {
		cmd += " --per-endpoint"
	}
	if o.API == APIREST {
		cmd += " --api " + APIREST
	}
	if o.IntegrationTimeout != 0 {
		cmd += " --integration-timeout " + o.IntegrationTimeout.String()
	}
	if o.ALB {
		cmd += " --alb"
	}
	return cmd
}

// headerSafe rejects values that would break out of the one-line header
// comment, or that the YAML emitter cannot write as text.
func headerSafe(what, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("infra: %s %q is not valid UTF-8", what, s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return fmt.Errorf("infra: %s %q holds a control character", what, s)
		}
	}
	return nil
}

// longestTimeout returns the largest endpoint timeout (the service timeout
// when there are no endpoints), or an error naming every endpoint whose
// timeout is not below limit, the integration timeout of api.
func longestTimeout(cfg *config.Config, api string, limit time.Duration) (time.Duration, error) {
	longest := cfg.Timeout
	if len(cfg.Endpoints) > 0 {
		longest = 0
	}
	var errs []error
	for _, e := range cfg.Endpoints {
		if e.Timeout >= limit {
			errs = append(errs, fmt.Errorf("infra: endpoint %s %s (%s:%d:%d): timeout %s is not below the %s API integration timeout %s",
				e.Method, e.Path, cfg.Source, e.Pos.Line, e.Pos.Col, e.Timeout, strings.ToUpper(api), limit))
		}
		longest = max(longest, e.Timeout)
	}
	return longest, errors.Join(errs...)
}

// functionTimeout returns the function timeout in whole seconds: longest
// plus timeoutMargin, rounded up, at least 1 and at most limit.
func functionTimeout(longest, limit time.Duration) int {
	total := longest + timeoutMargin
	secs := int(total / time.Second)
	if total%time.Second != 0 {
		secs++
	}
	return max(1, min(secs, int(limit/time.Second)))
}

// generator holds what one Generate call renders.
type generator struct {
	cfg *config.Config
	o   Options
	// limit is the integration timeout of o.API.
	limit time.Duration
	// longest is the largest endpoint timeout.
	longest time.Duration
	// ids are the per-endpoint function IDs, parallel to cfg.Endpoints;
	// nil without PerEndpoint.
	ids []string
}

// fixedIDs returns the logical IDs of the fixed resources this variant
// emits or makes SAM emit.
func (g *generator) fixedIDs() []string {
	if g.o.API == APIREST {
		return []string{RestGatewayFunctionID, RestAPIID}
	}
	return []string{GatewayFunctionID, GatewayFunctionID + "Url", "ServerlessHttpApi"}
}

// template returns the root mapping of the template.
func (g *generator) template() *yaml.Node {
	root := block(
		pair{"AWSTemplateFormatVersion", quoted("2010-09-09")},
		pair{"Transform", plain("AWS::Serverless-2016-10-31")},
		pair{"Description", quoted(g.description())},
	)
	var params []pair
	if g.o.API == APIREST {
		params = append(params, pair{RestStageParam, flow(pair{"Type", plain("String")}, pair{"Default", plain("prod")})})
	}
	if g.o.ALB {
		params = append(params, pair{ALBMultiValueParam, flow(
			pair{"Type", plain("String")},
			pair{"AllowedValues", flowSeq(quoted("true"), quoted("false"))},
			pair{"Default", quoted("false")},
			pair{"Description", quoted("lambda.multi_value_headers.enabled of the target group")},
		)})
	}
	params = append(params, g.redisParams()...)
	if len(params) > 0 {
		root.Content = append(root.Content, plain("Parameters"), block(params...))
	}
	root.Content = append(root.Content,
		plain("Globals"), g.globals(),
		plain("Resources"), g.resources(),
		plain("Outputs"), g.outputs(),
	)
	return root
}

// globals returns the Globals section shared by every function.
func (g *generator) globals() *yaml.Node {
	timeout := integer(functionTimeout(g.longest, g.limit))
	timeout.LineComment = fmt.Sprintf("largest endpoint timeout (%s) + 1 s, rounded up; at most %d (%s API integration timeout)",
		g.longest, g.limit/time.Second, strings.ToUpper(g.o.API))
	fn := block(
		pair{"Runtime", plain(runtime)},
		pair{"Architectures", flowSeq(plain(arch))},
		pair{"Handler", plain(handler)},
		pair{"MemorySize", integer(memorySize)},
		pair{"Timeout", timeout},
		pair{"LoggingConfig", flow(pair{"LogFormat", plain("JSON")})},
	)
	var vars []pair
	if g.o.BundleConfig {
		vars = append(vars, pair{configEnv, quoted(BundleConfigName)})
	}
	if g.o.IntegrationTimeout != 0 {
		vars = append(vars, pair{integrationTimeoutEnv, quoted(g.o.IntegrationTimeout.String())})
	}
	vars = append(vars, g.redisEnv()...)
	if len(vars) > 0 {
		env := flow(pair{"Variables", flow(vars...)})
		if g.o.BundleConfig {
			env.LineComment = BundleConfigName + " is " + BundleConfigPath + ", copied into each package by `make build-<LogicalId>`"
		}
		fn.Content = append(fn.Content, plain("Environment"), env)
	}
	if vpc := g.redisVPC(); vpc != nil {
		fn.Content = append(fn.Content, plain("VpcConfig"), vpc)
	}
	return block(pair{"Function", fn})
}

// resources returns the Resources section.
func (g *generator) resources() *yaml.Node {
	res := block()
	add := func(id, comment string, n *yaml.Node) {
		key := plain(id)
		key.LineComment = comment
		res.Content = append(res.Content, key, n)
	}
	if g.o.API == APIREST {
		add(RestGatewayFunctionID, "every endpoint, routed in-process; REST API, payload 1.0", function(
			pair{"Description", quoted(g.gatewayDescription())},
			pair{"Events", block(
				pair{"RestRoot", g.event("/", "ANY")},
				pair{"RestProxy", g.event("/{proxy+}", "ANY")},
			)},
		))
		props := flow(
			pair{"StageName", ref(RestStageParam)},
			pair{"BinaryMediaTypes", flowSeq(quoted("*~1*"))},
		)
		props.LineComment = `"~1" is "/": every media type is binary`
		add(RestAPIID, "", block(pair{"Type", plain("AWS::Serverless::Api")}, pair{"Properties", props}))
	} else {
		url := flow(pair{"AuthType", plain("AWS_IAM")})
		url.LineComment = "NONE would open a public door around API Gateway throttling and WAF"
		add(GatewayFunctionID, "every endpoint, routed in-process; HTTP API, payload 2.0", function(
			pair{"Description", quoted(g.gatewayDescription())},
			pair{"FunctionUrlConfig", url},
			pair{"Events", block(
				pair{"HttpRoot", g.event("/", "ANY")}, // "/{proxy+}" does not match "/"
				pair{"HttpProxy", g.event("/{proxy+}", "ANY")},
			)},
		))
	}
	event := "Http"
	if g.o.API == APIREST {
		event = "Rest"
	}
	first := true
	for i, e := range g.cfg.Endpoints {
		if g.ids == nil {
			break
		}
		if catchAllPath(e.Path) {
			// A catch-all endpoint gets no function of its own: the
			// gateway function's greedy route reaches it, and its
			// in-process router keeps every other endpoint ahead of it,
			// which API Gateway's route precedence would not.
			continue
		}
		comment := ""
		if first {
			comment = "one function per endpoint (--per-endpoint); `make build-Ep%` builds each"
			first = false
		}
		add(g.ids[i], comment, function(
			pair{"Description", quoted(truncateDesc("Tributary endpoint " + e.Method + " " + e.Path))},
			pair{"Environment", flow(pair{"Variables", flow(pair{endpointEnv, quoted(e.Method + " " + e.Path)})})},
			pair{"Events", block(pair{event, g.event(e.Path, e.Method)})},
		))
	}
	if g.o.ALB {
		fn := g.gatewayID()
		perm := block(
			pair{"Type", plain("AWS::Lambda::Permission")},
			pair{"Properties", block(
				pair{"FunctionName", getAtt(fn + ".Arn")},
				pair{"Action", plain("lambda:InvokeFunction")},
				pair{"Principal", plain("elasticloadbalancing.amazonaws.com")},
			)},
		)
		add(TargetGroupPermissionID, "the load balancer may invoke the catch-all function", perm)
		tg := block(
			pair{"Type", plain("AWS::ElasticLoadBalancingV2::TargetGroup")},
			pair{"DependsOn", plain(TargetGroupPermissionID)},
			pair{"Properties", block(
				pair{"TargetType", plain("lambda")},
				pair{"Targets", flowSeq(flow(pair{"Id", getAtt(fn + ".Arn")}))},
				pair{"TargetGroupAttributes", flowSeq(flow(
					pair{"Key", plain("lambda.multi_value_headers.enabled")},
					pair{"Value", ref(ALBMultiValueParam)},
				))},
			)},
		)
		add(TargetGroupID, "attach it to a listener rule of your load balancer", tg)
	}
	return res
}

// gatewayID is the logical ID of the catch-all function of this variant.
func (g *generator) gatewayID() string {
	if g.o.API == APIREST {
		return RestGatewayFunctionID
	}
	return GatewayFunctionID
}

// configDescription names the config the template deploys.
func (g *generator) configDescription() string {
	if g.o.BundleConfig {
		return g.o.ConfigName
	}
	return "the bundled demo config"
}

// description is the template's Description: the config it deploys.
func (g *generator) description() string {
	return truncateDesc("Tributary API gateway serving " + g.configDescription() + " (" + strconv.Itoa(len(g.cfg.Endpoints)) + " endpoints)")
}

// gatewayDescription is the catch-all function's Description.
func (g *generator) gatewayDescription() string {
	return truncateDesc("Tributary gateway: every endpoint of " + g.configDescription() + ", routed in-process")
}

// truncateDesc keeps a Description within Lambda's 256 characters.
func truncateDesc(s string) string {
	if utf8.RuneCountInString(s) <= 256 {
		return s
	}
	r := []rune(s)
	return string(r[:255]) + "…"
}

// function returns an AWS::Serverless::Function built with the Makefile
// (build-<LogicalId>) from the repository root, with props after CodeUri.
func function(props ...pair) *yaml.Node {
	return block(
		pair{"Type", plain("AWS::Serverless::Function")},
		pair{"Metadata", flow(pair{"BuildMethod", plain("makefile")})},
		pair{"Properties", block(append([]pair{{"CodeUri", plain(".")}}, props...)...)},
	)
}

// event returns an HttpApi event on the implicit HTTP API, or an Api event
// on RestApi, for path and method.
func (g *generator) event(path, method string) *yaml.Node {
	if g.o.API == APIREST {
		return flow(pair{"Type", plain("Api")}, pair{"Properties", flow(
			pair{"RestApiId", ref(RestAPIID)},
			pair{"Path", quoted(path)},
			pair{"Method", plain(method)},
		)})
	}
	return flow(pair{"Type", plain("HttpApi")}, pair{"Properties", flow(
		pair{"Path", quoted(path)},
		pair{"Method", plain(method)},
	)})
}

// outputs returns the Outputs section: the URLs this variant creates.
func (g *generator) outputs() *yaml.Node {
	var out *yaml.Node
	if g.o.API == APIREST {
		out = block(pair{"RestApiUrl", flow(pair{"Value", sub(
			"https://${" + RestAPIID + "}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${" + RestStageParam + "}/")})})
	} else {
		out = block(
			pair{"HttpApiUrl", flow(pair{"Value", sub("https://${ServerlessHttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/")})},
			pair{"FunctionUrl", flow(pair{"Value", getAtt(GatewayFunctionID + "Url.FunctionUrl")})},
		)
	}
	if g.o.ALB {
		out.Content = append(out.Content, plain("TargetGroupArn"), flow(pair{"Value", ref(TargetGroupID)}))
	}
	return out
}

// Build tags that leave a heavy library out of the Lambda functions. A
// function built with one refuses, at init, a config that needs the
// library, naming the tag to drop.
const (
	// TagNoCEL leaves cel-go out: a config with validation/cel is refused
	// at init.
	TagNoCEL = "tributary_nocel"
	// TagNoJSONSchema leaves the JSON Schema compiler out: a config with
	// validation/json-schema is refused at init.
	TagNoJSONSchema = "tributary_nojsonschema"
	// TagNoLua leaves the Lua interpreter (gopher-lua) out: a config with
	// a modifier/lua-* namespace is refused at init.
	TagNoLua = "tributary_nolua"
	// TagNoRedis leaves the Redis client (go-redis) out: a config with
	// tributary.shared_store is refused at init.
	TagNoRedis = "tributary_noredis"
	// TagNoAWSSDK leaves the AWS SDK's signer and credential providers
	// out: a config with backend/lambda is refused at init.
	TagNoAWSSDK = "tributary_noawssdk"
	// TagNoOTel leaves the OpenTelemetry SDK, its OTLP exporters and gRPC
	// out: a config with telemetry/opentelemetry or telemetry/opencensus
	// is refused at init.
	TagNoOTel = "tributary_nootel"
)

// FunctionBuildTags are the extra build tags for functions that serve cfg,
// comma-separated, each one leaving out a library cfg does not use (see
// config.Libraries): cel-go and the JSON Schema compiler add about 4 ms
// and 2 MB to every cold start even unused; gopher-lua, go-redis and the
// AWS SDK's signer add 3.4 MB to the binary; the OpenTelemetry SDK and
// gRPC add several MB more. "" when cfg uses them all.
func FunctionBuildTags(cfg *config.Config) string {
	use := cfg.Libraries()
	var tags []string
	for _, t := range []struct {
		used bool
		tag  string
	}{{use.CEL, TagNoCEL}, {use.JSONSchema, TagNoJSONSchema}, {use.Lua, TagNoLua}, {use.Redis, TagNoRedis},
		{use.AWSSDK, TagNoAWSSDK}, {use.OpenTelemetry, TagNoOTel}} {
		if !t.used {
			tags = append(tags, t.tag)
		}
	}
	return strings.Join(tags, ",")
}

// catchAllPath reports whether an endpoint template ends with a catch-all
// segment {name...} (tributary.catch_all_routes).
func catchAllPath(path string) bool {
	last := path[strings.LastIndexByte(path, '/')+1:]
	return strings.HasPrefix(last, "{") && strings.HasSuffix(last, "...}")
}
