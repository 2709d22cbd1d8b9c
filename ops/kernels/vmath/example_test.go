package vmath_test

import (
	"fmt"

	"github.com/symgrad/symgrad/ops/kernels/vmath"
)

func ExampleExp() {
	x := []float64{0, 1, -1, 800}
	vmath.Exp(x, x) // in place
	fmt.Printf("%.6f\n", x)
	// Output: [1.000000 2.718282 0.367879 +Inf]
}

func ExampleSigmoid() {
	x := []float64{0, 2, -2, -800}
	y := make([]float64, len(x))
	vmath.Sigmoid(y, x)
	fmt.Printf("%.6f\n", y)
	// Output: [0.500000 0.880797 0.119203 0.000000]
}
