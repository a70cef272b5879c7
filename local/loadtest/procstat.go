package main

import (
	"github.com/tributary-gw/tributary/local/measure"

	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTick is the unit of utime and stime in /proc/PID/stat: USER_HZ,
// which Linux fixes at 100 on every architecture Go supports.
const clockTick = 10 * time.Millisecond

// procCPU returns the user plus system CPU time pid has used so far.
func procCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("cpu of pid %d: %w", pid, err)
	}
	return parseStatCPU(data)
}

// parseStatCPU reads utime and stime (fields 14 and 15) from the contents
// of /proc/PID/stat. The command name (field 2) is in parentheses and may
// hold spaces and parentheses, so fields are counted from the last ')'.
func parseStatCPU(data []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc stat: no command field")
	}
	f := strings.Fields(string(data[i+1:]))
	// f[0] is field 3 (state); utime is field 14, stime field 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc stat: %d fields after the command, want ≥ 13", len(f))
	}
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc stat: utime %q stime %q are not numbers", f[11], f[12])
	}
	return time.Duration(ut+st) * clockTick, nil
}

// rssWatch samples the RSS of some processes until finish and keeps each
// one's peak.
type rssWatch struct {
	pids []int
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex
	peak []uint64
}

// watchRSS starts sampling pids every interval (and once at once).
func watchRSS(pids []int, interval time.Duration) *rssWatch {
	w := &rssWatch{pids: pids, stop: make(chan struct{}), done: make(chan struct{}), peak: make([]uint64, len(pids))}
	go func() {
		defer close(w.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			w.sample()
			select {
			case <-w.stop:
				w.sample()
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func (w *rssWatch) sample() {
	for i, pid := range w.pids {
		if pid <= 0 {
			continue
		}
		if v, err := measure.ProcRSS(pid); err == nil {
			w.mu.Lock()
			w.peak[i] = max(w.peak[i], v)
			w.mu.Unlock()
		}
	}
}

// finish stops sampling and returns the peak RSS per pid (0 when it could
// not be read).
func (w *rssWatch) finish() []uint64 {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]uint64(nil), w.peak...)
}

// machine describes where the numbers were taken.
type machine struct {
	// CPUs is the number of logical CPUs (nproc).
	CPUs int `json:"cpus"`
	// CPUModel is the first "model name" of /proc/cpuinfo.
	CPUModel string `json:"cpu_model"`
	// OS and Arch are GOOS and GOARCH.
	OS   string `json:"os"`
	Arch string `json:"arch"`
	// GoVersion is the toolchain the harness was built with.
	GoVersion string `json:"go_version"`
	// LoadAvg is /proc/loadavg's first three fields at start.
	LoadAvg string `json:"load_avg"`
}

// cpuModel returns the first model name in /proc/cpuinfo contents.
func cpuModel(cpuinfo []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(cpuinfo))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// loadAvg returns the three load averages from /proc/loadavg contents.
func loadAvg(data []byte) string {
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
