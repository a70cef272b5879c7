// Package infra generates the AWS SAM template (template.yaml) that deploys
// a Tributary config on AWS Lambda (docs/lambda.md#deploying).
//
// Generate is a pure function of a loaded config and Options: the same
// input always yields the same bytes, so the checked-in template can be
// compared byte for byte with a fresh rendering. The YAML is built as a
// yaml.Node tree, which keeps the CloudFormation short-form tags (!Ref,
// !Sub, !GetAtt) real YAML tags. The package imports config and the YAML
// encoder only; it never sees core or the adapters.
package infra
