//go:build tributary_nofc

package config

// renderFlexible refuses a Flexible Config template: this binary was built
// with the tributary_nofc tag, without the renderer (text/template and
// Sprig, about 4 MB), as the Lambda functions are to keep their cold start
// small. The template is rendered before it is deployed instead:
// `tributary sam generate -c FILE -o template.yaml` with FC_ENABLE set
// bundles the rendered JSON, and FC_OUT writes it anywhere.
func renderFlexible(name string, _ []byte, _ []string) (string, []byte, error) {
	return "", nil, Errors{{File: name, Pos: Position{Line: 1, Col: 1}, Path: "$",
		Problem: "Flexible Config is not built into this binary (FC_ENABLE is set)",
		Hint:    "render the template before deploying it: `tributary sam generate -c FILE -o template.yaml` with FC_ENABLE set bundles the rendered JSON, and FC_OUT=rendered.json writes it"}}
}
