// Package awslambda invokes AWS Lambda functions for the backend/lambda
// namespace: a synchronous (RequestResponse) Invoke call signed with
// SigV4 by the AWS SDK for Go v2 signer.
//
// The call goes through the gateway's own backend client (one tuned
// transport for every upstream, with its timers and body cap), so idle
// connections, limits and shutdown are handled in one place.
//
// Cold start: the package deliberately does not use the SDK's generated
// Lambda service client. Linking that client (and the default config
// loader it needs) runs about 10,000 allocations of package init in every
// function binary, whether or not a config uses backend/lambda. The Invoke
// API is one REST call, so it is built here with the SDK's signer and
// credential providers only, whose init is negligible. Nothing else runs
// until the first Invoke: the signer and the credential chain are created
// lazily and then reused.
//
// Credentials come, in order, from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
// / AWS_SESSION_TOKEN (what AWS Lambda sets), the container credentials
// endpoint (ECS, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI), then
// the EC2 instance role. They are resolved on the first call, cached until
// they expire, never logged, and never part of an error text.
package awslambda

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"

	"github.com/tributary-gw/tributary/core/backend"
)

// MaxPayloadBytes bounds what is read of one Invoke response: the largest
// synchronous response AWS Lambda returns (6 MB) plus room for the
// protocol. A larger answer (a hostile endpoint) fails the call with
// ErrTooLarge.
const MaxPayloadBytes = 7 << 20

// ErrTooLarge is returned (wrapped) for a response over MaxPayloadBytes.
var ErrTooLarge = errors.New("lambda response too large")

// Request is one synchronous invocation.
type Request struct {
	// FunctionName is a name, "name:alias", or a full or partial ARN.
	FunctionName string
	// Region is the target region; "" uses AWS_REGION, then
	// AWS_DEFAULT_REGION.
	Region string
	// Endpoint overrides the service URL (an emulator, LocalStack); "" for
	// AWS ("https://lambda.<region>.amazonaws.com").
	Endpoint string
	// MaxRetries is the number of retries after a throttled or 5xx
	// answer; 0 for none.
	MaxRetries int
	// Payload is the JSON event.
	Payload []byte
}

// Result is the function's answer.
type Result struct {
	// StatusCode is the Invoke status (200 for a synchronous call).
	StatusCode int
	// FunctionError is the X-Amz-Function-Error value ("Unhandled",
	// "Handled"), "" when the function succeeded.
	FunctionError string
	// Payload is the function's response (or error) document.
	Payload []byte
}

// APIError is an error answer of the Lambda service (not of the function):
// throttling, a missing function, a service failure.
type APIError struct {
	// Status is the HTTP status of the answer.
	Status int
	// Type is the X-Amzn-ErrorType (e.g. TooManyRequestsException).
	Type string
	// Message is the service's message, truncated.
	Message string
}

// Error implements error.
func (e *APIError) Error() string {
	s := "lambda invoke failed: status " + strconv.Itoa(e.Status)
	if e.Type != "" {
		s += " " + e.Type
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// retryable reports throttling and service 5xx answers.
func (e *APIError) retryable() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500 ||
		strings.Contains(e.Type, "Throttl") || strings.HasPrefix(e.Type, "TooManyRequests")
}

// Invoker invokes functions. It is safe for concurrent use; the zero value
// is not usable: call New.
type Invoker struct {
	env func(string) string

	once   sync.Once
	creds  aws.CredentialsProvider
	signer *v4.Signer
}

// Doer sends one HTTP request; *backend.Client is the real one.
type Doer interface {
	Do(ctx context.Context, r *backend.Request) (*backend.Response, error)
}

// Options configure an Invoker.
type Options struct {
	// Getenv reads the environment (region, credentials); nil means
	// os.Getenv.
	Getenv func(string) string
	// Credentials replace the default chain (tests); nil for the default.
	Credentials aws.CredentialsProvider
}

// New returns an Invoker. It creates nothing: the signer and the
// credential chain are made on the first Invoke.
func New(o Options) *Invoker {
	i := &Invoker{env: o.Getenv, creds: o.Credentials}
	if i.env == nil {
		i.env = os.Getenv
	}
	return i
}

func (i *Invoker) init() {
	if i.creds == nil {
		i.creds = aws.NewCredentialsCache(&chain{env: i.env})
	}
	i.signer = v4.NewSigner()
}

// Invoke calls the function synchronously, sending with do. ctx bounds the
// whole call, retries included. A function error is not an error here: it
// is reported in Result.FunctionError.
func (i *Invoker) Invoke(ctx context.Context, do Doer, r *Request) (*Result, error) {
	i.once.Do(i.init)
	region := r.Region
	if region == "" {
		if region = i.env("AWS_REGION"); region == "" {
			region = i.env("AWS_DEFAULT_REGION")
		}
	}
	if region == "" {
		return nil, errors.New("lambda invoke: no region (set backend/lambda region or AWS_REGION)")
	}
	base := r.Endpoint
	if base == "" {
		base = "https://lambda." + region + ".amazonaws.com"
		if strings.HasPrefix(region, "cn-") {
			base += ".cn"
		}
	}
	target, err := url.Parse(strings.TrimSuffix(base, "/") + "/2015-03-31/functions/" + url.PathEscape(r.FunctionName) + "/invocations")
	if err != nil {
		return nil, fmt.Errorf("lambda invoke: %w", err)
	}
	sum := sha256.Sum256(r.Payload)
	hash := hex.EncodeToString(sum[:])
	creds := i.creds
	if r.Endpoint != "" && loopback(r.Endpoint) && i.env("AWS_ACCESS_KEY_ID") == "" {
		// An emulator on this machine (the Runtime Interface Emulator,
		// LocalStack) does not check signatures: without credentials in
		// the environment, sign with placeholders rather than reach for an
		// instance role.
		creds = placeholderCreds
	}
	for attempt := 0; ; attempt++ {
		res, err := i.once1(ctx, do, creds, target, region, hash, r.Payload)
		var api *APIError
		if err == nil || attempt >= r.MaxRetries || !errors.As(err, &api) || !api.retryable() {
			return res, err
		}
		// Exponential backoff with full jitter: 25 ms, 50 ms, … ≤ 1 s.
		d := time.Duration(rand.Int64N(int64(min(25*time.Millisecond<<attempt, time.Second)) + 1))
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("%w (retrying after: %w)", ctx.Err(), err)
		case <-t.C:
		}
	}
}

// once1 is one attempt.
func (i *Invoker) once1(ctx context.Context, do Doer, cp aws.CredentialsProvider, target *url.URL, region, hash string, payload []byte) (*Result, error) {
	// The request is signed as net/http would send it, then sent by do
	// with the signed headers (do adds only unsigned ones).
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("lambda invoke: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amz-Invocation-Type", "RequestResponse")
	creds, err := cp.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("lambda invoke: no AWS credentials: %w", err)
	}
	if err := i.signer.SignHTTP(ctx, creds, req, hash, "lambda", region, time.Now()); err != nil {
		return nil, fmt.Errorf("lambda invoke: signing: %w", err)
	}
	resp, err := do.Do(ctx, &backend.Request{
		Method:       http.MethodPost,
		URL:          target,
		Header:       req.Header,
		Body:         payload,
		MaxBodyBytes: MaxPayloadBytes,
	})
	if err != nil {
		if errors.Is(err, backend.ErrTooLarge) {
			return nil, fmt.Errorf("lambda invoke: %w", ErrTooLarge)
		}
		return nil, fmt.Errorf("lambda invoke: %w", err)
	}
	if resp.Status < 200 || resp.Status > 299 {
		return nil, apiError(resp)
	}
	return &Result{StatusCode: resp.Status, FunctionError: resp.Header.Get("X-Amz-Function-Error"), Payload: resp.Body}, nil
}

// apiError decodes a service error answer.
func apiError(resp *backend.Response) *APIError {
	body := resp.Body
	e := &APIError{Status: resp.Status, Type: resp.Header.Get("X-Amzn-ErrorType")}
	var doc struct {
		Type       string `json:"Type"`
		Message    string `json:"message"`
		MessageCap string `json:"Message"`
	}
	if json.Unmarshal(body, &doc) == nil {
		e.Message = doc.Message
		if e.Message == "" {
			e.Message = doc.MessageCap
		}
	}
	// "TooManyRequestsException:http://internal.amazon.com/…" → the code.
	if t, _, ok := strings.Cut(e.Type, ":"); ok {
		e.Type = t
	}
	e.Type = clip(e.Type, 64)
	e.Message = clip(e.Message, 256)
	return e
}

func clip(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
}

// placeholderCreds sign requests to a loopback emulator.
var placeholderCreds = credentials.NewStaticCredentialsProvider("tributary-local", "tributary-local", "")

// loopback reports an endpoint URL whose host is a loopback address or
// localhost.
func loopback(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// chain is the credential chain: environment, container endpoint, EC2
// instance role. The provider is picked on each Retrieve (the cache calls
// it only when the credentials are missing or expired).
type chain struct {
	env func(string) string

	mu  sync.Mutex
	p   aws.CredentialsProvider
	src string
}

// Retrieve implements aws.CredentialsProvider.
func (c *chain) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if id, secret := c.env("AWS_ACCESS_KEY_ID"), c.env("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		return credentials.NewStaticCredentialsProvider(id, secret, c.env("AWS_SESSION_TOKEN")).Retrieve(ctx)
	}
	c.mu.Lock()
	if c.p == nil {
		c.p = c.fallback()
	}
	p := c.p
	c.mu.Unlock()
	return p.Retrieve(ctx)
}

func (c *chain) fallback() aws.CredentialsProvider {
	endpoint := c.env("AWS_CONTAINER_CREDENTIALS_FULL_URI")
	if rel := c.env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); rel != "" {
		endpoint = "http://169.254.170.2" + rel
	}
	if endpoint == "" {
		return ec2rolecreds.New()
	}
	return endpointcreds.New(endpoint, func(o *endpointcreds.Options) {
		o.AuthorizationTokenProvider = endpointcreds.TokenProviderFunc(func() (string, error) {
			if f := c.env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); f != "" {
				b, err := os.ReadFile(f)
				return strings.TrimSpace(string(b)), err
			}
			return c.env("AWS_CONTAINER_AUTHORIZATION_TOKEN"), nil
		})
	})
}
