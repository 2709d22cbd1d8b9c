package ops_test

import (
	"fmt"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// TestGRUCellMatchesPrimitives compares the fused GRU step with its
// equivalent in primitives (slices, sigmoid, tanh, products): same loss
// and same gradients for gi, gh and h, for hidden sizes within one of the
// kernel's column chunks (128) and across two and three.
func TestGRUCellMatchesPrimitives(t *testing.T) {
	for _, hid := range []int{3, 128, 130, 300} {
		t.Run(fmt.Sprint("hidden ", hid), func(t *testing.T) { gruMatchesPrimitives(t, hid) })
	}
	g := G.NewGraph()
	a := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 6), G.WithName("a"))
	h := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("h"))
	if _, err := ops.GRUCell(a, a, h); err == nil {
		t.Error("GRUCell accepted gi [2,6] with h [2,3] (3H = 9)")
	}
}

func gruMatchesPrimitives(t *testing.T, hid int) {
	in := []ops.Input{{Name: "gi", Shape: []int{4, 3 * hid}, Domain: ops.Real},
		{Name: "gh", Shape: []int{4, 3 * hid}, Domain: ops.Real}, {Name: "h", Shape: []int{4, hid}, Domain: ops.Real}}
	c := drawCase(in, 17)
	fused := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return ops.GRUCell(n[0], n[1], n[2]) }
	prims := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
		sl := func(x *G.Node, k int) *G.Node { s, _ := ops.SliceAlong(x, 1, k*hid, (k+1)*hid); return s }
		sum := func(a, b *G.Node) *G.Node { s, _ := G.Add(a, b); return s }
		mul := func(a, b *G.Node) *G.Node { s, _ := G.HadamardProd(a, b); return s }
		r, err := ops.Sigmoid(sum(sl(n[0], 0), sl(n[1], 0)))
		if err != nil {
			return nil, err
		}
		z, err := ops.Sigmoid(sum(sl(n[0], 1), sl(n[1], 1)))
		if err != nil {
			return nil, err
		}
		nn, err := ops.Tanh(sum(sl(n[0], 2), mul(r, sl(n[1], 2))))
		if err != nil {
			return nil, err
		}
		d, err := G.Sub(n[2], nn)
		if err != nil {
			return nil, err
		}
		return G.Add(nn, mul(z, d)) // (1-z)n + zh
	}
	sameRun(t, c, fused, prims, 1e-12)
}
