package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// naive is the triple-loop reference C = alpha·op(A)·op(B) + beta·C in
// float64 (beta = 0 does not read C).
func naive[T float](tA, tB Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				ai, bi := i*lda+p, p*ldb+j
				if tA {
					ai = p*lda + i
				}
				if tB {
					bi = j*ldb + p
				}
				av, bv := a[ai], b[bi]
				s += float64(av) * float64(bv)
			}
			v := float64(alpha) * s
			if beta != 0 {
				v += float64(beta) * float64(c[i*ldc+j])
			}
			c[i*ldc+j] = T(v)
		}
	}
}

// shape is one product's arguments for the tests.
type shape struct {
	tA, tB      Transpose
	m, n, k     int
	pa, pb, pc  int // extra stride beyond the width
	alpha, beta float64
}

func (s shape) String() string {
	return fmt.Sprintf("tA=%v,tB=%v,%dx%dx%d,pad=%d/%d/%d,alpha=%g,beta=%g", s.tA, s.tB, s.m, s.k, s.n, s.pa, s.pb, s.pc, s.alpha, s.beta)
}

// operands returns random A, B, C for s and their leading dimensions; C
// has NaN in its padding (which must stay untouched).
func operands[T float](rng *rand.Rand, s shape) (a []T, lda int, b []T, ldb int, c []T, ldc int) {
	ar, ac := s.m, s.k
	if s.tA {
		ar, ac = s.k, s.m
	}
	br, bc := s.k, s.n
	if s.tB {
		br, bc = s.n, s.k
	}
	lda, ldb, ldc = max(1, ac)+s.pa, max(1, bc)+s.pb, max(1, s.n)+s.pc
	a = random[T](rng, max(0, (ar-1)*lda+ac))
	b = random[T](rng, max(0, (br-1)*ldb+bc))
	c = random[T](rng, max(0, (s.m-1)*ldc+s.n))
	for i := range s.m {
		for j := s.n; j < ldc && i*ldc+j < len(c); j++ {
			c[i*ldc+j] = T(math.NaN())
		}
	}
	return a, lda, b, ldb, c, ldc
}

func random[T float](rng *rand.Rand, n int) []T {
	x := make([]T, n)
	for i := range x {
		x[i] = T(rng.Float64()*2 - 1)
	}
	return x
}

// product runs Dgemm or Sgemm.
func product[T float](s shape, a []T, lda int, b []T, ldb int, c []T, ldc int) error {
	switch a := any(a).(type) {
	case []float64:
		return Dgemm(s.tA, s.tB, s.m, s.n, s.k, s.alpha, a, lda, any(b).([]float64), ldb, s.beta, any(c).([]float64), ldc)
	default:
		return Sgemm(s.tA, s.tB, s.m, s.n, s.k, float32(s.alpha), any(a).([]float32), lda, any(b).([]float32), ldb, float32(s.beta), any(c).([]float32), ldc)
	}
}

// compare runs s through the package and the reference and fails when
// an element differs by more than tol·(1+Σ|terms|) or the padding of C
// changed.
func compare[T float](t testing.TB, rng *rand.Rand, s shape, tol float64) {
	t.Helper()
	a, lda, b, ldb, c, ldc := operands[T](rng, s)
	want := append([]T(nil), c...)
	naive(s.tA, s.tB, s.m, s.n, s.k, T(s.alpha), a, lda, b, ldb, T(s.beta), want, ldc)
	if err := product(s, a, lda, b, ldb, c, ldc); err != nil {
		t.Fatalf("%v: %v", s, err)
	}
	bound := tol * float64(s.k+2)
	for i := range c {
		g, w := float64(c[i]), float64(want[i])
		if math.IsNaN(w) {
			if !math.IsNaN(g) {
				t.Fatalf("%v: padding C[%d] = %g was overwritten", s, i, g)
			}
			continue
		}
		if math.IsNaN(g) || math.Abs(g-w) > bound {
			t.Fatalf("%v: C[%d] = %g, want %g (row %d, col %d)", s, i, g, w, i/ldc, i%ldc)
		}
	}
}

var sizes = []int{1, 2, 3, 5, 6, 7, 8, 9, 16, 17, 33, 65, 100}

// TestAgainstNaive checks both element types, every transpose pair, odd
// sizes, padded strides and alpha/beta variants against the reference.
func TestAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	scalars := [][2]float64{{1, 0}, {1, 1}, {-0.5, 2}, {2, -1}}
	for _, tA := range []Transpose{NoTrans, Trans} {
		for _, tB := range []Transpose{NoTrans, Trans} {
			for range 60 {
				s := shape{tA: tA, tB: tB,
					m: sizes[rng.IntN(len(sizes))], n: sizes[rng.IntN(len(sizes))], k: sizes[rng.IntN(len(sizes))],
					pa: rng.IntN(3) * 3, pb: rng.IntN(3) * 2, pc: rng.IntN(3),
				}
				ab := scalars[rng.IntN(len(scalars))]
				s.alpha, s.beta = ab[0], ab[1]
				compare[float64](t, rng, s, 1e-14)
				compare[float32](t, rng, s, 1e-5)
			}
		}
	}
}

// TestLargeShapes covers several k blocks, several mc and nc blocks and
// the split between goroutines.
func TestLargeShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, s := range []shape{
		{m: 128, k: 784, n: 256, alpha: 1},
		{tA: Trans, m: 200, k: 600, n: 70, alpha: 1, beta: 1, pa: 5},
		{tB: Trans, m: 37, k: 300, n: 1100, alpha: -1, beta: 0.5, pc: 3},
		{tA: Trans, tB: Trans, m: 150, k: 517, n: 1100, alpha: 2, beta: 0},
	} {
		compare[float64](t, rng, s, 1e-14)
		compare[float32](t, rng, s, 1e-5)
	}
}
