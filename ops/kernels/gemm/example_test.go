package gemm_test

import (
	"fmt"

	"github.com/symgrad/symgrad/ops/kernels/gemm"
)

// ExampleDgemm computes C = A·Bᵀ + C for a 2x3 A and a 2x3 B (so Bᵀ is
// 3x2), row-major.
func ExampleDgemm() {
	a := []float64{1, 2, 3, 4, 5, 6}
	b := []float64{1, 0, 1, 0, 1, 0}
	c := []float64{10, 20, 30, 40}
	if err := gemm.Dgemm(gemm.NoTrans, gemm.Trans, 2, 2, 3, 1, a, 3, b, 3, 1, c, 2); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c)
	// Output: [14 22 40 45]
}
