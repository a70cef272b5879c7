// Package lambdaadapter serves AWS Lambda events with an http.Handler: the
// same handler `tributary run` serves, so every transport answers alike.
//
// Handle sniffs the trigger from the raw event (REST API v1, HTTP API v2,
// Function URL, ALB, or a direct-invocation payload), converts the event
// into an *http.Request carrying the invocation's deadline and the trusted
// client IP, serves it, captures the response and encodes it in the
// trigger's own reply format (docs/lambda.md#events).
//
// Conversion is strict: the event is untrusted input and none of net/http's
// request checks run for it, so the adapter validates the method, path,
// query, headers, header caps and body encoding itself (security.md rule
// 18). An HTTP-shaped event always gets a well-formed HTTP answer in its own
// format and never a Go error (lambda.md R1); only direct invocations and
// unrecognisable payloads get a function error, as a
// messages.InvokeResponse_Error of type "Tributary.<code>" (lambda.md §4.1).
//
// REST v1 events go through aws-lambda-go-api-proxy's httpadapter, behind a
// guard that repairs its known defects; every other trigger is converted by
// this package. lambdaadapter imports no other package of this module.
package lambdaadapter
