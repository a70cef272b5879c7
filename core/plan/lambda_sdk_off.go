//go:build tributary_noawssdk

package plan

import (
	"context"
	"errors"

	"github.com/tributary-gw/tributary/core/backend/awslambda"
)

// The backend/lambda builders of a binary built with the
// tributary_noawssdk tag, which leaves the AWS SDK's signer and credential
// providers out: a config with a backend/lambda backend is refused at
// load, never served with failing calls.

var errNoAWSSDK = errors.New("this binary was built without the AWS SDK that backend/lambda needs (build tag tributary_noawssdk, which the Lambda builds add unless `tributary sam generate -c CONFIG -o template.yaml` found the namespace in CONFIG); regenerate the template from this config, or build with FUNCTION_TAGS set without tributary_noawssdk")

// lambdaSupport refuses Lambda backends.
func lambdaSupport() error { return errNoAWSSDK }

// lambdaInvoker returns an Invoker that always fails; unused, as the
// endpoints with Lambda backends are refused.
func (c *compiler) lambdaInvoker() Invoker { return noInvoker{} }

type noInvoker struct{}

func (noInvoker) Invoke(context.Context, awslambda.Doer, *awslambda.Request) (*awslambda.Result, error) {
	return nil, errNoAWSSDK
}
