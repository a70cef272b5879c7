// Command gateway is the Lambda function that serves every endpoint of the
// config (catch-all API Gateway, ALB or Function URL events), routed
// in-process by the same matcher as `tributary run`.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/tributary-gw/tributary/functions/boot"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	a, err := boot.New(os.Environ(), os.Stdout, boot.Options{Version: version})
	if err != nil {
		// Init fails loudly with the same lines `tributary check` prints;
		// Lambda reports it and retries init on the next invoke.
		fmt.Fprintln(os.Stderr, boot.Describe(err))
		os.Exit(1)
	}
	lambda.Start(a) // a lambda.Handler: no reflection
}
