package rie

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
)

// maxStartAttempts bounds the retries when a reserved port was taken by
// another process between its reservation and the emulator's bind.
const maxStartAttempts = 5

// maxHeldOutput caps the emulator output held back while it starts.
const maxHeldOutput = 64 << 10

// bindCollision is what the emulator logs, before it panics, when one of
// its addresses is already taken.
var bindCollision = []byte("address already in use")

// ownsListeners reports whether process pid holds a listening TCP socket on
// 127.0.0.1:port for every port. known is false when the system cannot tell
// (no Linux socket diagnostics or /proc): the caller then falls back to a
// connect test. Reserved ports are released before the emulator binds
// them, so a connect test alone could reach another process that took the
// same port meanwhile.
func ownsListeners(pid int, ports []int) (owned, known bool) {
	inodes, err := listenerInodesDiag(ports)
	if err != nil {
		if inodes, err = listenerInodesProc(ports); err != nil {
			return false, false
		}
	}
	want := make(map[string]bool, len(ports))
	for _, port := range ports {
		inode, ok := inodes[port]
		if !ok {
			return false, true
		}
		want["socket:["+strconv.FormatUint(uint64(inode), 10)+"]"] = true
	}
	dir := "/proc/" + strconv.Itoa(pid) + "/fd"
	fds, err := os.ReadDir(dir)
	if err != nil {
		return false, true // the process is gone
	}
	held := 0
	for _, fd := range fds {
		if link, err := os.Readlink(dir + "/" + fd.Name()); err == nil && want[link] {
			held++
		}
	}
	return held >= len(ports), true
}

// listenerInodesProc is listenerInodesDiag read from /proc/net/tcp, for
// kernels that refuse socket diagnostics.
func listenerInodesProc(ports []int) (map[int]uint32, error) {
	table, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		return nil, err
	}
	found := make(map[int]uint32, len(ports))
	for _, port := range ports {
		// "sl: local rem st tx:rx tr:when retrnsmt uid timeout inode": a
		// listening socket on 127.0.0.1:port has no remote end and state 0A.
		key := []byte(fmt.Sprintf(" 0100007F:%04X 00000000:0000 0A ", port))
		i := bytes.Index(table, key)
		if i < 0 {
			continue
		}
		line := table[i:]
		if end := bytes.IndexByte(line, '\n'); end >= 0 {
			line = line[:end]
		}
		f := strings.Fields(string(line))
		if len(f) < 9 {
			continue
		}
		inode, err := strconv.ParseUint(f[8], 10, 32)
		if err != nil {
			continue
		}
		found[port] = uint32(inode)
	}
	return found, nil
}

// heldOutput holds an emulator's output back until the start attempt is
// known to be the good one: a failed attempt's bind panic must not reach
// the caller's log, which tests scan for "panic".
type heldOutput struct {
	mu      sync.Mutex
	dst     io.Writer
	buf     bytes.Buffer
	passing bool
	dropped bool
}

// Write implements io.Writer.
func (h *heldOutput) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.passing:
		return h.dst.Write(p)
	case !h.dropped && h.buf.Len() < maxHeldOutput:
		h.buf.Write(p[:min(len(p), maxHeldOutput-h.buf.Len())])
	}
	return len(p), nil
}

// release forwards what was held and everything written from now on.
func (h *heldOutput) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.passing = true
	if h.buf.Len() > 0 {
		_, _ = h.dst.Write(h.buf.Bytes())
	}
	h.buf.Reset()
}

// drop discards what was held and everything written from now on, and
// reports whether the held output shows a bind collision.
func (h *heldOutput) drop() (collision bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	collision = bytes.Contains(h.buf.Bytes(), bindCollision)
	h.dropped = true
	h.buf.Reset()
	return collision
}
