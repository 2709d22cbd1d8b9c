package gemm

import (
	"testing"

	"github.com/symgrad/symgrad/internal/flops"
)

// BenchmarkKernel measures the micro-kernels alone on panels that stay
// in the L1 cache (kc = 256), in GFLOP/s: the ceiling of the blocked loop.
func BenchmarkKernel(b *testing.B) {
	const kc = 256
	b.Run("f64", func(b *testing.B) {
		a, bp, c := make([]float64, kc*mr), make([]float64, kc*nr64), make([]float64, mr*nr64)
		meter := flops.Start()
		for b.Loop() {
			f64.kernel(kc, &a[0], &bp[0], nr64, &c[0], nr64, 1, 1, 1)
		}
		meter.Report(b, 2*float64(mr*nr64*kc))
	})
	b.Run("f32", func(b *testing.B) {
		a, bp, c := make([]float32, kc*mr), make([]float32, kc*nr32), make([]float32, mr*nr32)
		meter := flops.Start()
		for b.Loop() {
			f32.kernel(kc, &a[0], &bp[0], nr32, &c[0], nr32, 1, 1, 1)
		}
		meter.Report(b, 2*float64(mr*nr32*kc))
	})
}
