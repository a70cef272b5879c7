//go:build !linux

package main

import "os/exec"

// dieWithParent is a no-op outside Linux: the harness still stops every
// child on exit and on SIGINT, and the backend exits when its stdin closes.
func dieWithParent(*exec.Cmd) {}
