// Package flops reports the speed of arithmetic benchmarks: GFLOP/s by
// the wall clock and GFLOP/cpu-s by the CPU time the process used, which
// on a machine shared with other work is the efficiency of the cores the
// benchmark got.
package flops

import (
	"testing"
	"time"
)

// Meter measures from Start to Report.
type Meter struct{ cpu time.Duration }

// Start starts a meter; call it right before the benchmark loop.
func Start() Meter { return Meter{cpu: cpuTime()} }

// CPU is the CPU time the process used since Start, 0 where the platform
// does not tell.
func (m Meter) CPU() time.Duration {
	if m.cpu == 0 {
		return 0
	}
	return cpuTime() - m.cpu
}

// Report adds GFLOP/s and, where the CPU time is known, GFLOP/cpu-s, for
// perOp floating-point operations per iteration.
func (m Meter) Report(b *testing.B, perOp float64) {
	total := perOp * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if cpu := m.CPU(); cpu > 0 {
		b.ReportMetric(total/cpu.Seconds()/1e9, "GFLOP/cpu-s")
	}
}
