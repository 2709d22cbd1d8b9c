package gemm

import "github.com/pkg/errors"

// Transpose says whether a matrix operand is used as stored (NoTrans)
// or transposed (Trans).
type Transpose bool

const (
	// NoTrans uses the operand as stored: op(X) = X.
	NoTrans Transpose = false
	// Trans uses the operand's transpose: op(X) = Xᵀ.
	Trans Transpose = true
)

// Dgemm computes C = alpha·op(A)·op(B) + beta·C in float64 (row-major:
// element (i, j) of a matrix X with leading dimension ldx is
// X[i*ldx+j]). op(A) is m x k, so A is stored m x k (NoTrans) or k x m
// (Trans); op(B) is k x n; C is m x n. beta = 0 overwrites C without
// reading it. It returns an error naming the argument at fault when a
// size, a leading dimension or a slice length is invalid.
func Dgemm(tA, tB Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) error {
	if err := check(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc); err != nil {
		return errors.Wrap(err, "gemm.Dgemm")
	}
	run(&f64, problem[float64]{tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc})
	return nil
}

// Sgemm is Dgemm in float32.
func Sgemm(tA, tB Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) error {
	if err := check(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc); err != nil {
		return errors.Wrap(err, "gemm.Sgemm")
	}
	run(&f32, problem[float32]{tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc})
	return nil
}

// check validates the sizes, leading dimensions and slice lengths of a
// product (BLAS's rules: ld >= max(1, stored columns), and each slice
// long enough for its last row).
func check(tA, tB Transpose, m, n, k, la, lda, lb, ldb, lc, ldc int) error {
	switch {
	case m < 0:
		return errors.Errorf("m = %d < 0", m)
	case n < 0:
		return errors.Errorf("n = %d < 0", n)
	case k < 0:
		return errors.Errorf("k = %d < 0", k)
	}
	ar, ac := m, k
	if tA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	if err := checkMatrix("a", ar, ac, la, lda); err != nil {
		return err
	}
	if err := checkMatrix("b", br, bc, lb, ldb); err != nil {
		return err
	}
	return checkMatrix("c", m, n, lc, ldc)
}

// checkMatrix checks one stored rows x cols matrix (the argument name,
// its length l and leading dimension ld).
func checkMatrix(name string, rows, cols, l, ld int) error {
	if ld < max(1, cols) {
		return errors.Errorf("ld%s = %d < max(1, %d columns)", name, ld, cols)
	}
	if rows > 0 && cols > 0 && l < (rows-1)*ld+cols {
		return errors.Errorf("len(%s) = %d < %d for %dx%d with ld %d", name, l, (rows-1)*ld+cols, rows, cols, ld)
	}
	return nil
}
