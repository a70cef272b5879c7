// Command endpoint is the Lambda function that serves one endpoint, named
// by TRIBUTARY_ENDPOINT ("GET /frontpage/{id_user}"), through its own API
// Gateway route or by direct invocation with a JSON payload
// {"params":{…},"query":{…},"headers":{…},"body":…}.
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
	a, err := boot.New(os.Environ(), os.Stdout, boot.Options{PerEndpoint: true, Version: version})
	if err != nil {
		fmt.Fprintln(os.Stderr, boot.Describe(err))
		os.Exit(1)
	}
	lambda.Start(a) // a lambda.Handler: no reflection
}
