//go:build !unix

package flops

import "time"

// cpuTime is 0 where getrusage is missing (the metric is then skipped).
func cpuTime() time.Duration { return 0 }
