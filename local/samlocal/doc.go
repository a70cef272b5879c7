// Package samlocal is `sam local` without Docker: it reads a SAM template,
// routes HTTP requests the way API Gateway does, builds the Lambda events
// that `sam local start-api` builds, invokes each function under the AWS
// Lambda Runtime Interface Emulator (package local/rie, one emulator per
// function) and converts the function's reply back into an HTTP response
// the way API Gateway does (docs/lambda.md#local-runs).
//
// The event builder and the reply converter here are written independently
// of adapters/lambdaadapter, which runs inside the functions, so that one
// misunderstanding of the event formats cannot hide in both (§8 step 7).
//
// Choices where `sam local` and API Gateway differ (documented on the
// functions that make them):
//   - REST (Api, payload 1.0) events keep the percent-encoding of `path`, as
//     API Gateway does; `sam local` decodes it.
//   - HTTP API (payload 2.0) events lower-case header names and split the
//     Cookie header into cookies[] pair by pair, as API Gateway does, and
//     base64-encode every body that is not text, JSON or XML.
//   - requestTimeEpoch is in milliseconds for both payload versions.
//   - A REST (Api) reply's base64 body is decoded when the first media type
//     of the request's Accept header matches the API's binary media types,
//     as API Gateway documents; `sam local` decodes when the Accept range
//     that best matches the reply's Content-Type is a binary media type.
//
// Like `sam local`, templates are read with --parameter-overrides and
// --env-vars applied (TemplateOptions, ParseParameterOverrides,
// LoadEnvVars), and found in .aws-sam/build before the project directory
// (FindTemplate).
//
// The package reads no environment variables: the emulator processes get
// the caller's environment as package rie passes it on, plus the
// template's variables and Options.Env, and run in their bootstrap's
// directory, as functions run in /var/task.
package samlocal
