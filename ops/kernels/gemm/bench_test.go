package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/symgrad/symgrad/internal/flops"
)

// benchSizes are issue 15's products, m x k x n.
var benchSizes = [][3]int{{64, 100, 50}, {128, 784, 256}, {32, 64, 256}, {512, 512, 512}}

// BenchmarkGemm measures C = A·B (NoTrans, beta = 0) in GFLOP/s.
func BenchmarkGemm(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, sz := range benchSizes {
		m, k, n := sz[0], sz[1], sz[2]
		name := fmt.Sprintf("%dx%dx%d", m, k, n)
		b.Run("f64/"+name, func(b *testing.B) { benchGemm(b, rng, Dgemm, m, k, n) })
		b.Run("f32/"+name, func(b *testing.B) { benchGemm(b, rng, Sgemm, m, k, n) })
	}
}

// benchGemm measures gemm (Dgemm or Sgemm) on random m x k and k x n
// operands.
func benchGemm[T float](b *testing.B, rng *rand.Rand, gemm func(tA, tB Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) error, m, k, n int) {
	x, y, c := random[T](rng, m*k), random[T](rng, k*n), make([]T, m*n)
	meter := flops.Start()
	for b.Loop() {
		_ = gemm(NoTrans, NoTrans, m, n, k, 1, x, k, y, n, 0, c, n)
	}
	meter.Report(b, 2*float64(m*n*k))
}

// BenchmarkPack measures the packing of mlp's operands (128x784 by
// 784x256, one k block of 196), as stored and transposed, in CPU
// nanoseconds per element.
func BenchmarkPack(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	const m, k, n, kc = 128, 784, 256, 196
	x, y := random[float64](rng, m*k), random[float64](rng, k*n)
	var s space[float64]
	s.fit(&f64, f64.mc, kc, n)
	for _, tr := range []Transpose{NoTrans, Trans} {
		p := problem[float64]{tA: tr, tB: tr, m: m, n: n, k: k, a: x, lda: k, b: y, ldb: n}
		if tr {
			p.lda, p.ldb = m, k
		}
		name := map[Transpose]string{NoTrans: "", Trans: "T"}[tr]
		b.Run("A"+name, func(b *testing.B) {
			meter := flops.Start()
			for b.Loop() {
				packA(&p, s.a, 0, f64.mc, 0, kc)
			}
			b.ReportMetric(float64(meter.CPU())/float64(b.N)/float64(f64.mc*kc), "ns/elem")
		})
		b.Run("B"+name, func(b *testing.B) {
			meter := flops.Start()
			for b.Loop() {
				packB(&p, s.b, nr64, 0, kc, 0, n)
			}
			b.ReportMetric(float64(meter.CPU())/float64(b.N)/float64(n*kc), "ns/elem")
		})
	}
}
