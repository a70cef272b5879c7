//go:build !linux

package rie

import "errors"

// listenerInodesDiag needs Linux socket diagnostics; elsewhere the caller
// falls back to a connect test.
func listenerInodesDiag([]int) (map[int]uint32, error) {
	return nil, errors.New("rie: socket diagnostics need Linux")
}
