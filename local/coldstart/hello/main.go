// Command hello is the smallest aws-lambda-go function: it answers every
// invoke with a fixed string. The cold-start benchmark (local/coldstart)
// measures the gateway function against it.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, json.RawMessage) (string, error) {
		return "hello", nil
	})
}
