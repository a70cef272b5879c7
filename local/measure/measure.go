// Package measure holds what the measuring commands (local/loadtest,
// local/soak) share: finding the repository and reading a process's
// resident memory. It is a library for benchmark and test tooling, never
// linked into the gateway.
package measure

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Module is the first line of the repository's go.mod.
const Module = "module github.com/tributary-gw/tributary"

// FindRepo walks up from dir to the directory whose go.mod declares the
// Tributary module.
func FindRepo(dir string) (string, error) {
	for d := dir; ; {
		if data, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil {
			first, _, _ := strings.Cut(string(data), "\n")
			if strings.TrimSpace(first) == Module {
				return d, nil
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod with %q above %s", Module, dir)
		}
		d = parent
	}
}

// ProcRSS returns pid's resident set size in bytes (VmRSS, Linux).
func ProcRSS(pid int) (uint64, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, fmt.Errorf("rss of pid %d: %w", pid, err)
	}
	return ParseStatusRSS(data)
}

// ParseStatusRSS reads "VmRSS:   1234 kB" from /proc/PID/status contents
// and returns it in bytes.
func ParseStatusRSS(data []byte) (uint64, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("/proc status: odd VmRSS line %q", sc.Text())
		}
		kb, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc status: VmRSS %q: %w", f[0], err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("/proc status: no VmRSS line")
}
