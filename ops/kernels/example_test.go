package kernels_test

import (
	"fmt"

	"github.com/symgrad/symgrad/ops/kernels"
)

// ExampleBinary divides a vector by a scalar broadcast over it.
func ExampleBinary() {
	o := make([]float64, 3)
	ok := kernels.Binary(kernels.Div, o, []float64{1, 2, 3}, []float64{2})
	fmt.Println(o, ok)
	// Output:
	// [0.5 1 1.5] true
}

// ExampleIm2Col unfolds a 3×3 image into the columns of a 2×2
// convolution with stride 1 and no padding.
func ExampleIm2Col() {
	g := kernels.Conv{C: 1, H: 3, W: 3, KH: 2, KW: 2, SH: 1, SW: 1, OH: 2, OW: 2}
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	col := make([]float64, 4*4)
	kernels.Im2Col(&g, col, x)
	for r := 0; r < 4; r++ {
		fmt.Println(col[4*r : 4*r+4])
	}
	// Output:
	// [1 2 4 5]
	// [2 3 5 6]
	// [4 5 7 8]
	// [5 6 8 9]
}
