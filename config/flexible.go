package config

import (
	"bytes"
	"strings"
)

// Flexible Config (krakend-compat.md §2.5): with a non-empty FC_ENABLE the
// config file is a Go text/template that is rendered to JSON before
// anything else happens (env overrides and validation then run on the
// rendered text). FC_SETTINGS, FC_TEMPLATES, FC_PARTIALS and FC_OUT are
// read from the env list given to Load, never from the process.
//
// Unlike KrakenD, which logs such problems and carries on, every problem
// here is a load error: a template that fails to parse or execute (named
// by file, line and column), a settings file that is not a JSON object, a
// missing FC_* directory, an include of a missing file or of a name that
// leaves FC_PARTIALS, and any call of getHostByName (the loader does no
// network I/O; security.md §4).
//
// Sprig's function map is built only when rendering, so loading a plain
// JSON config never pays for it. The renderer (flexible_render.go) links
// text/template and Sprig, about 4 MB; binaries built with the
// tributary_nofc tag (the Lambda functions) leave it out and refuse
// FC_ENABLE with a message saying how to render the config instead
// (flexible_off.go).

// flexibleHint is the §2.1 hint for a file that fails to parse as JSON and
// looks like a template while FC_ENABLE is unset.
const flexibleHint = "this looks like a Flexible Config template: set FC_ENABLE=1 (see docs/configuration.md) or render it to plain JSON first"

// flexibleEnabled reports whether env enables Flexible Config: FC_ENABLE
// set to a non-empty value (the first entry for the name wins, as with
// os.Getenv).
func flexibleEnabled(env []string) bool {
	v, _ := envValue(env, "FC_ENABLE")
	return v != ""
}

// templateHint returns the hint for a JSON syntax error in data when
// Flexible Config is off: flexibleHint if data contains "{{", else hint.
func templateHint(data []byte, hint string) string {
	if bytes.Contains(data, []byte("{{")) {
		return flexibleHint
	}
	return hint
}

// Render returns the text that Load validates for the config data read
// from name, with the file name that diagnostics about it use: name and
// data unchanged unless env enables Flexible Config, else the rendered
// JSON (written to FC_OUT as well when that is set) under the FC_OUT path
// or name plus " (rendered)". It is for callers that show the rendered
// config (check -d); its errors are Errors, as Load's are.
func Render(name string, data []byte, env []string) (string, []byte, error) {
	if !flexibleEnabled(env) {
		return name, data, nil
	}
	return renderFlexible(name, data, env)
}

// envValue returns the value of the first "name=value" entry in env.
func envValue(env []string, name string) (string, bool) {
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v, true
		}
	}
	return "", false
}
