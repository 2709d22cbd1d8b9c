package gemm

import (
	"testing"

	"github.com/symgrad/symgrad/internal/flops"
)

// BenchmarkKernel measures the micro-kernels alone on panels that stay
// in the L1 cache (kc = 256), in GFLOP/s: the ceiling of the blocked loop.
func BenchmarkKernel(b *testing.B) {
	b.Run("f64", func(b *testing.B) { benchKernel(b, &f64) })
	b.Run("f32", func(b *testing.B) { benchKernel(b, &f32) })
}

// benchKernel measures cfg's micro-kernel on one mr x nr tile.
func benchKernel[T float](b *testing.B, cfg *config[T]) {
	const kc = 256
	a, bp, c := make([]T, kc*mr), make([]T, kc*cfg.nr), make([]T, mr*cfg.nr)
	meter := flops.Start()
	for b.Loop() {
		cfg.kernel(kc, &a[0], &bp[0], cfg.nr, &c[0], cfg.nr, 1, 1, 1)
	}
	meter.Report(b, 2*float64(mr*cfg.nr*kc))
}
