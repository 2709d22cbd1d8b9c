package blas

import (
	"math"
	"testing"

	gblas "gonum.org/v1/gonum/blas"

	"github.com/symgrad/symgrad/internal/floatdense"
)

// TestDgemmTransposes checks C = op(A) op(B) for every transpose flag
// against a naive triple loop, in both precisions.
func TestDgemmTransposes(t *testing.T) {
	const m, n, k = 3, 4, 5
	a := make([]float64, m*k)
	b := make([]float64, k*n)
	for i := range a {
		a[i] = float64(i%7) - 3
	}
	for i := range b {
		b[i] = float64(i%5)*0.5 - 1
	}
	for _, tc := range []struct{ ta, tb bool }{{false, false}, {false, true}, {true, false}, {true, true}} {
		// Store A as [m,k] or, transposed, [k,m]; likewise B.
		at, bt := layout(a, m, k, tc.ta), layout(b, k, n, tc.tb)
		lda, ldb := k, n
		if tc.ta {
			lda = m
		}
		if tc.tb {
			ldb = k
		}
		c := make([]float64, m*n)
		c32 := make([]float32, m*n)
		Float64().Dgemm(flag(tc.ta), flag(tc.tb), m, n, k, 1, at, lda, bt, ldb, 0, c, n)
		Float32().Sgemm(flag(tc.ta), flag(tc.tb), m, n, k, 1, floatdense.Float32s(at), lda, floatdense.Float32s(bt), ldb, 0, c32, n)
		for i := range m {
			for j := range n {
				want := 0.0
				for l := range k {
					want += a[i*k+l] * b[l*n+j]
				}
				if got := c[i*n+j]; math.Abs(got-want) > 1e-12 {
					t.Fatalf("%s trans %v: C[%d,%d] = %g, want %g", Name(), tc, i, j, got, want)
				}
				if got := float64(c32[i*n+j]); math.Abs(got-want) > 1e-4 {
					t.Fatalf("%s trans %v float32: C[%d,%d] = %g, want %g", Name(), tc, i, j, got, want)
				}
			}
		}
	}
}

func flag(t bool) gblas.Transpose {
	if t {
		return gblas.Trans
	}
	return gblas.NoTrans
}

// layout returns x [r,c] row-major, or its transpose [c,r] when trans.
func layout(x []float64, r, c int, trans bool) []float64 {
	if !trans {
		return x
	}
	out := make([]float64, len(x))
	for i := range r {
		for j := range c {
			out[j*r+i] = x[i*c+j]
		}
	}
	return out
}
