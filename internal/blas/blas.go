package blas

import gblas "gonum.org/v1/gonum/blas"

// Float64 returns the float64 BLAS of this build.
func Float64() gblas.Float64 { return impl }

// Float32 returns the float32 BLAS of this build.
func Float32() gblas.Float32 { return impl }

// Name names the implementation of this build: "go" (package gemm for
// the matrix products, gonum for the rest) or "openblas".
func Name() string { return name }

// Dgemm is C = α op(A) op(B) + βC through the build's BLAS (row-major,
// C [m, n], op(A) [m, k], op(B) [k, n]). With OpenBLAS it first picks the
// thread count for the product's size (see threadsFor).
func Dgemm(tA, tB gblas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	threadsFor(m, n, k)
	impl.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Sgemm is Dgemm in float32.
func Sgemm(tA, tB gblas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	threadsFor(m, n, k)
	impl.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// parallelWork is the size m·n·k from which a product runs on two
// threads (OpenBLAS builds). Measured on 2 cores (docs/performance.md):
// OpenBLAS's own switch (m·n·k > 262144) wakes its second thread for products as small as
// simplenet's 64x100 by 100x50, which then take twice as long; mlp's
// 128x784 by 784x256 runs 1.3x faster on two threads.
const parallelWork = 1 << 22
