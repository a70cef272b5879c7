package config

import (
	"strconv"
	"strings"
)

// Position is a 1-based line and byte column in the config file.
type Position struct {
	// Line is the 1-based line number.
	Line int
	// Col is the 1-based byte column, as Go's compiler counts it.
	Col int
}

// Diagnostic is one load error or lint warning.
type Diagnostic struct {
	// File is the config file name as given to Load.
	File string
	// Pos is where the problem is; for an error without a position of its
	// own it is the enclosing object's position (1:1 for the root).
	Pos Position
	// Path is the JSON path, e.g. `$.endpoints[0].extra_config["router"]`.
	Path string
	// Problem says what is wrong.
	Problem string
	// Hint says how to fix it; it may be empty.
	Hint string
}

// String formats the diagnostic as "file:line:col: path: problem; hint".
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.File)
	b.WriteByte(':')
	b.WriteString(strconv.Itoa(d.Pos.Line))
	b.WriteByte(':')
	b.WriteString(strconv.Itoa(d.Pos.Col))
	b.WriteString(": ")
	if d.Path != "" {
		b.WriteString(d.Path)
		b.WriteString(": ")
	}
	b.WriteString(d.Problem)
	if d.Hint != "" {
		b.WriteString("; ")
		b.WriteString(d.Hint)
	}
	return b.String()
}

// Errors is the error returned when a config is rejected: every problem
// found, sorted by position.
type Errors []Diagnostic

// Error joins the diagnostics, one per line.
func (e Errors) Error() string {
	lines := make([]string, len(e))
	for i, d := range e {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}
