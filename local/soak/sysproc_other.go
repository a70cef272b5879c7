//go:build !linux

package main

import "os/exec"

// dieWithParent does nothing where the kernel offers no parent-death
// signal; the child still stops when its stdin closes.
func dieWithParent(*exec.Cmd) {}
