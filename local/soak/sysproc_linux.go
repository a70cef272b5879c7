package main

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill the child if this process dies first,
// so an interrupted run leaves no gateway behind.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
