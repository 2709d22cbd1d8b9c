package compiler

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/floatdense"
)

// TestFiniteFindsEveryNonFinite puts NaN, +Inf and -Inf at every position
// of tensors whose lengths exercise the unrolled loop and its tail.
func TestFiniteFindsEveryNonFinite(t *testing.T) {
	for _, n := range []int{1, 3, 4, 5, 9} {
		for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
			for at := range n {
				v := make([]float64, n)
				for i := range v {
					v[i] = float64(i) - 2.5
				}
				v[at] = bad
				for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
					d := floatdense.Of(dt, []int{n}, v)
					if finite(d) {
						t.Errorf("%v n=%d: %v at %d not found", dt, n, bad, at)
					}
					if idx, _, found := firstNonFinite(d); !found || idx[0] != at {
						t.Errorf("%v n=%d: firstNonFinite = %v %v, want [%d]", dt, n, idx, found, at)
					}
				}
			}
		}
	}
	if !finite(floatdense.Of(tensor.Float64, []int{3}, []float64{math.MaxFloat64, -math.MaxFloat64, 0})) {
		t.Error("finite values reported as non-finite")
	}
	if finite(G.NewF64(math.NaN())) || !finite(G.NewF32(1)) {
		t.Error("scalars misclassified")
	}
}
