package expr

import (
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// TestBroadcastColumnSums checks the acceptance case: in (A + b) * C with
// A [4,2] and b [2], d sum / db is the column sums of C.
func TestBroadcastColumnSums(t *testing.T) {
	C := mat(4, 2, 1, 2, 3, 4, 5, 6, 7, 8)
	in := map[string]*tensor.Dense{"A": mat(4, 2, 0, 0, 0, 0, 0, 0, 0, 0), "b": vec(1, 1), "C": C}
	sym := symbolicGrads(t, "(A + b) * C", in)
	assertClose(t, "d/db", sym["b"], []float64{16, 20}, 1e-12)
	assertClose(t, "d/dA", sym["A"], C.Data().([]float64), 1e-12)
}

// TestBroadcastGradients compares the gradients of every operand of
// broadcasting expressions with central differences; w weights the output
// so that each gradient is a non-trivial sum.
func TestBroadcastGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	r := func(shape ...int) *tensor.Dense { return randDense(rng, -2, 2, shape...) }
	p := func(shape ...int) *tensor.Dense { return randDense(rng, 0.5, 2, shape...) }
	cases := []gradCase{
		{"(x + y) * w", map[string]*tensor.Dense{"x": r(4, 2), "y": r(2), "w": r(4, 2)}},
		{"(y - x) * w", map[string]*tensor.Dense{"x": r(4, 2), "y": r(2), "w": r(4, 2)}},
		{"x * y * w", map[string]*tensor.Dense{"x": r(4, 1), "y": r(1, 3), "w": r(4, 3)}},
		{"x / y * w", map[string]*tensor.Dense{"x": r(2, 3, 4), "y": p(3, 1), "w": r(2, 3, 4)}},
		{"(x + y) * w", map[string]*tensor.Dense{"x": r(1), "y": r(5), "w": r(5)}},
		{"x^y * w", map[string]*tensor.Dense{"x": p(3, 2), "y": r(2), "w": r(3, 2)}},
		{"(x - y) * w", map[string]*tensor.Dense{"x": r(2, 1, 3), "y": r(4, 1), "w": r(2, 4, 3)}},
	}
	checkGradients(t, cases)
}
