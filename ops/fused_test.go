package ops_test

import (
	"fmt"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// TestGemmEveryTranspose checks Gemm's gradient against central
// differences for all four transpose flags (the registry checks one).
func TestGemmEveryTranspose(t *testing.T) {
	for i, tc := range []struct {
		ta, tb bool
		a, b   []int
	}{
		{false, false, []int{4, 3}, []int{3, 5}},
		{false, true, []int{4, 3}, []int{5, 3}},
		{true, false, []int{3, 4}, []int{3, 5}},
		{true, true, []int{3, 4}, []int{5, 3}},
	} {
		t.Run(fmt.Sprintf("ta=%v,tb=%v", tc.ta, tc.tb), func(t *testing.T) {
			in := []ops.Input{{Name: "a", Shape: tc.a, Domain: ops.Real}, {Name: "b", Shape: tc.b, Domain: ops.Real}}
			b := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return ops.Gemm(n[0], n[1], tc.ta, tc.tb) }
			if err := checkGradient(drawCase(in, uint64(10+i)), b, nil); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestLinearMatchesPrimitives compares the fused Linear with its
// equivalent in primitives, gemm(x, W, 0, 1) + broadcastrows(b, B), and
// with its registry reference (Gorgonia's x × Wᵀ + b): same outputs, loss
// and gradients.
func TestLinearMatchesPrimitives(t *testing.T) {
	in := []ops.Input{{Name: "x", Shape: []int{5, 4}, Domain: ops.Real},
		{Name: "w", Shape: []int{3, 4}, Domain: ops.Real}, {Name: "b", Shape: []int{3}, Domain: ops.Real}}
	c := drawCase(in, 7)
	fused := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return ops.Linear(n[0], n[1], n[2]) }
	prims := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
		xw, err := ops.Gemm(n[0], n[1], false, true)
		if err != nil {
			return nil, err
		}
		bb, err := ops.BroadcastRows(n[2], 5)
		if err != nil {
			return nil, err
		}
		return G.Add(xw, bb)
	}
	lin, _ := ops.Lookup("linear")
	gorgonia := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return lin.Reference(n, nil) }
	sameRun(t, c, fused, prims, 1e-12)
	sameRun(t, c, fused, gorgonia, 1e-12)
}

// TestLinearRejectsBadShapes checks the shape errors name the shapes.
func TestLinearRejectsBadShapes(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("x"))
	w := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 2), G.WithName("w"))
	b := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("b"))
	if _, err := ops.Linear(x, w, b); err == nil {
		t.Fatal("Linear accepted x [2,3] with W [4,2]")
	}
	if _, err := ops.Gemm(x, w, false, false); err == nil {
		t.Fatal("Gemm accepted [2,3]·[4,2]")
	}
}
