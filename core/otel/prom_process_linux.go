//go:build linux

package otel

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// The process_* families of a Prometheus exporter with process_metrics,
// read from /proc/self and getrlimit/getrusage on each scrape. A value
// that cannot be read is left out of that scrape.

// userHZ is the clock tick of /proc times (fixed at 100 by the kernel's
// user-space ABI).
const userHZ = 100

// appendProcessFamilies adds the process_* families.
func appendProcessFamilies(fams []family) []family {
	add := func(name, typ, help string, v float64) {
		fams = append(fams, family{name: name, typ: typ, help: help, body: appendLine(nil, name, "", v)})
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		cpu := float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
		add("process_cpu_seconds_total", "counter", "User and system CPU time used, in seconds.", cpu)
	}
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) == nil {
		add("process_max_fds", "gauge", "The open file descriptor limit.", float64(rl.Cur))
	}
	if syscall.Getrlimit(syscall.RLIMIT_AS, &rl) == nil {
		add("process_virtual_memory_max_bytes", "gauge", "The virtual memory limit, in bytes.", float64(rl.Cur))
	}
	if n, ok := openFDs(); ok {
		add("process_open_fds", "gauge", "Open file descriptors.", float64(n))
	}
	if st, err := os.ReadFile("/proc/self/stat"); err == nil {
		// The fields after the command name, which is in parentheses
		// and may hold spaces: f[0] is field 3 (state).
		if i := bytes.LastIndexByte(st, ')'); i >= 0 {
			f := strings.Fields(string(st[i+1:]))
			if len(f) > 21 {
				if v, err := strconv.ParseUint(f[20], 10, 64); err == nil {
					add("process_virtual_memory_bytes", "gauge", "Virtual memory size, in bytes.", float64(v))
				}
				if v, err := strconv.ParseUint(f[21], 10, 64); err == nil {
					add("process_resident_memory_bytes", "gauge", "Resident memory size, in bytes.",
						float64(v)*float64(os.Getpagesize()))
				}
				if v, err := strconv.ParseUint(f[19], 10, 64); err == nil {
					if boot, ok := bootTime(); ok {
						add("process_start_time_seconds", "gauge", "Unix time the process started, in seconds.",
							boot+float64(v)/userHZ)
					}
				}
			}
		}
	}
	if in, out, ok := netOctets(); ok {
		add("process_network_receive_bytes_total", "counter",
			"Bytes received over the network (by the process's network namespace).", in)
		add("process_network_transmit_bytes_total", "counter",
			"Bytes sent over the network (by the process's network namespace).", out)
	}
	return fams
}

// openFDs counts the entries of /proc/self/fd, less the one reading it.
func openFDs() (int, bool) {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return 0, false
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil || len(names) == 0 {
		return 0, false
	}
	return len(names) - 1, true
}

// bootTime is the system boot time (btime of /proc/stat), Unix seconds.
func bootTime() (float64, bool) {
	st, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	for line := range strings.SplitSeq(string(st), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			return float64(n), err == nil
		}
	}
	return 0, false
}

// netOctets reads InOctets and OutOctets of the IpExt lines of
// /proc/self/net/netstat (a header line of names, then a line of values).
func netOctets() (in, out float64, ok bool) {
	st, err := os.ReadFile("/proc/self/net/netstat")
	if err != nil {
		return 0, 0, false
	}
	var names []string
	for line := range strings.SplitSeq(string(st), "\n") {
		rest, found := strings.CutPrefix(line, "IpExt:")
		if !found {
			continue
		}
		f := strings.Fields(rest)
		if names == nil {
			names = f
			continue
		}
		var gotIn, gotOut bool
		for i, n := range names {
			if i >= len(f) {
				break
			}
			v, err := strconv.ParseUint(f[i], 10, 64)
			if err != nil {
				continue
			}
			switch n {
			case "InOctets":
				in, gotIn = float64(v), true
			case "OutOctets":
				out, gotOut = float64(v), true
			}
		}
		return in, out, gotIn && gotOut
	}
	return 0, 0, false
}
