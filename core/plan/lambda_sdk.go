//go:build !tributary_noawssdk

package plan

import "github.com/tributary-gw/tributary/core/backend/awslambda"

// lambdaSupport reports why this binary cannot invoke Lambda functions:
// never, as it links the AWS SDK's signer and credential providers (see
// lambda_sdk_off.go for the build without them).
func lambdaSupport() error { return nil }

// lambdaInvoker returns the plan's shared Invoker.
func (c *compiler) lambdaInvoker() Invoker {
	v, _ := c.memo("lambda:invoker", func() (any, error) {
		return awslambda.New(awslambda.Options{}), nil
	})
	return v.(Invoker)
}
