//go:build !openblas

package blas

import (
	gblas "gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/ops/kernels/gemm"
)

// implementation is gonum's pure-Go BLAS with its general matrix
// products replaced by package gemm's (the default build).
type implementation struct {
	gonum.Implementation
}

// impl is the default build's BLAS.
var impl = implementation{}

const name = "go"

// init makes Gorgonia and its tensor package use impl as well, so that
// their own matrix products run on package gemm.
func init() {
	G.Use(impl)
}

// threadsFor does nothing: package gemm splits large products itself.
func threadsFor(m, n, k int) {}

// Dgemm is C = α op(A) op(B) + βC through gemm.Dgemm. Like gonum's, it
// panics on invalid arguments.
func (implementation) Dgemm(tA, tB gblas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if err := gemm.Dgemm(transpose(tA), transpose(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); err != nil {
		panic(err)
	}
}

// Sgemm is Dgemm in float32, through gemm.Sgemm.
func (implementation) Sgemm(tA, tB gblas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if err := gemm.Sgemm(transpose(tA), transpose(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); err != nil {
		panic(err)
	}
}

// transpose converts a BLAS transpose flag (ConjTrans is Trans for real
// matrices); it panics on an invalid one, as gonum does.
func transpose(t gblas.Transpose) gemm.Transpose {
	switch t {
	case gblas.NoTrans:
		return gemm.NoTrans
	case gblas.Trans, gblas.ConjTrans:
		return gemm.Trans
	}
	panic("blas: illegal transpose")
}
