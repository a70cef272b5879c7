package telemetry

import "os"

// IsTerminal reports whether f is a character device, the test the
// "default" format uses to choose text over JSON. It needs neither cgo nor
// golang.org/x/term. Other character devices (such as /dev/null) count as
// terminals too; nil, pipes and regular files do not.
func IsTerminal(f *os.File) bool {
	if f == nil {
		return false
	}
	info, err := f.Stat()
	if err != nil {
		return false
	}
	return info.Mode()&os.ModeCharDevice != 0
}
