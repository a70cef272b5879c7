package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/tributary-gw/tributary/local/faults"
)

// stopGrace is how long a child gets to exit before SIGKILL.
const stopGrace = 10 * time.Second

// proc is a child process of the command: the gateway.
type proc struct {
	cmd     *exec.Cmd
	stdin   io.Closer // closing it asks the child to stop; may be nil
	logPath string
	done    chan struct{}
	err     error // cmd.Wait's result once done is closed
}

// startProc starts path with args, stderr (and, unless the caller reads
// it, stdout) to logPath. With pipeStdin the child's stdin is a pipe the
// parent holds: the child sees it close when the parent goes. It returns
// the read end of the child's stdout when pipeStdin is set, else nil.
func startProc(path string, args []string, logPath string, pipeStdin bool) (*proc, io.ReadCloser, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, nil, fmt.Errorf("gateway log: %w", err)
	}
	defer logf.Close() // the child holds its own descriptor once started
	cmd := exec.Command(path, args...)
	cmd.Stderr = logf
	cmd.Stdout = logf
	dieWithParent(cmd)
	p := &proc{cmd: cmd, logPath: logPath, done: make(chan struct{})}
	var outR io.ReadCloser
	var closeAfterStart []io.Closer
	if pipeStdin {
		inR, inW, err := os.Pipe()
		if err != nil {
			return nil, nil, fmt.Errorf("stdin pipe: %w", err)
		}
		r, w, err := os.Pipe()
		if err != nil {
			inR.Close()
			inW.Close()
			return nil, nil, fmt.Errorf("stdout pipe: %w", err)
		}
		cmd.Stdin, cmd.Stdout = inR, w
		p.stdin, outR = inW, r
		closeAfterStart = append(closeAfterStart, inR, w)
	}
	err = cmd.Start()
	for _, c := range closeAfterStart {
		c.Close()
	}
	if err != nil {
		if p.stdin != nil {
			p.stdin.Close()
			outR.Close()
		}
		return nil, nil, fmt.Errorf("starting %s: %w", path, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, outR, nil
}

// pid returns the child's process id.
func (p *proc) pid() int { return p.cmd.Process.Pid }

// exited reports whether the child has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop ends the child: stdin closed and SIGTERM, SIGKILL after stopGrace.
// It waits for the exit and may be called more than once.
func (p *proc) stop() {
	if p.stdin != nil {
		_ = p.stdin.Close()
	}
	if p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(stopGrace)
	defer t.Stop()
	select {
	case <-p.done:
	case <-t.C:
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// logTail returns the end of the child's log, for error messages.
func (p *proc) logTail() string {
	data, err := os.ReadFile(p.logPath)
	if err != nil || len(data) == 0 {
		return ""
	}
	if len(data) > 2048 {
		data = data[len(data)-2048:]
	}
	return "\n--- gateway log (" + p.logPath + ") ---\n" + string(data)
}

// logErrors counts the lines of the child's log that report an error, a
// panic or a fatal runtime error (as faults.LogWatch does in-process), and
// returns the first few.
func (p *proc) logErrors() (int, []string) {
	f, err := os.Open(p.logPath)
	if err != nil {
		return 0, nil
	}
	defer f.Close()
	var w faults.LogWatch
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		_, _ = w.Write(append(sc.Bytes(), '\n'))
	}
	return w.Count()
}
