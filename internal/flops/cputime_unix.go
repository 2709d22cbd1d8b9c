//go:build unix

package flops

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used (all threads), to judge
// the efficiency on a machine shared with other work.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
