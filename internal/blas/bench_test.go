package blas

import (
	"fmt"
	"math/rand/v2"
	"testing"

	gblas "gonum.org/v1/gonum/blas"

	"github.com/symgrad/symgrad/internal/floatdense"
	"github.com/symgrad/symgrad/internal/flops"
)

// BenchmarkGemm measures the build's C = A·B (blas.Dgemm and
// blas.Sgemm, the entry the executor uses: package gemm by default,
// OpenBLAS with -tags openblas) on issue 15's products, m x k x n, in
// GFLOP/s (2·m·n·k per product). GFLOP/cpu-s divides by the CPU time
// the process used instead: on a machine shared with other work, the
// efficiency of the cores the benchmark got.
func BenchmarkGemm(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, sz := range [][3]int{{64, 100, 50}, {128, 784, 256}, {32, 64, 256}, {512, 512, 512}} {
		m, k, n := sz[0], sz[1], sz[2]
		name := fmt.Sprintf("%dx%dx%d", m, k, n)
		perOp := 2 * float64(m*n*k)
		b.Run("f64/"+name, func(b *testing.B) {
			x, y, c := fill64(rng, m*k), fill64(rng, k*n), make([]float64, m*n)
			meter := flops.Start()
			for b.Loop() {
				Dgemm(gblas.NoTrans, gblas.NoTrans, m, n, k, 1, x, k, y, n, 0, c, n)
			}
			meter.Report(b, perOp)
		})
		b.Run("f32/"+name, func(b *testing.B) {
			x, y, c := floatdense.Float32s(fill64(rng, m*k)), floatdense.Float32s(fill64(rng, k*n)), make([]float32, m*n)
			meter := flops.Start()
			for b.Loop() {
				Sgemm(gblas.NoTrans, gblas.NoTrans, m, n, k, 1, x, k, y, n, 0, c, n)
			}
			meter.Report(b, perOp)
		})
	}
}

func fill64(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.Float64()*2 - 1
	}
	return x
}
