//go:build unix

package atomicfile

import (
	"errors"
	"syscall"
)

// canAskLiveness says processAlive's answer is reliable.
const canAskLiveness = true

// processAlive reports whether process pid exists (signal 0 checks without
// sending anything; EPERM means it exists but is someone else's).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
