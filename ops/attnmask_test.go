package ops_test

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/errtext"
	"github.com/symgrad/symgrad/ops"
)

// boolMask is a constant bool node of the given shape.
func boolMask(g *G.ExprGraph, name string, shape []int, v []bool) *G.Node {
	d := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	return G.NewTensor(g, tensor.Bool, len(shape), G.WithName(name), G.WithShape(shape...), G.WithValue(d))
}

// TestAttentionMaskCausalBool checks softmax(attnmask(x, padding, causal))
// along the keys: masked keys get probability exactly 0, the rest sum to 1,
// and the gradient matches central differences.
func TestAttentionMaskCausalBool(t *testing.T) {
	pad := []bool{false, false, true, false, false, false, false, true} // [2, 4]: batch 0 drops key 2, batch 1 key 3
	build := func(g *G.ExprGraph, n []*G.Node) (*G.Node, error) {
		m, err := ops.AttentionMask(n[0], boolMask(g, "kpm", []int{2, 4}, pad), true)
		if err != nil {
			return nil, err
		}
		return ops.Softmax(m, -1)
	}
	c := drawCase([]ops.Input{{Name: "x", Shape: []int{2, 3, 4, 4}, Domain: ops.Real}}, 5)
	if err := checkGradient(c, build, nil); err != nil {
		t.Error(err)
	}
	_, sm := sumRun(t, c.args(), build)
	p := valueFloats(sm.Value())
	for b := range 2 {
		for h := range 3 {
			for l := range 4 {
				row := p[((b*3+h)*4+l)*4:][:4]
				sum := 0.0
				for s, v := range row {
					masked := s > l || pad[b*4+s]
					if masked && v != 0 {
						t.Errorf("p[%d,%d,%d,%d] = %v, want 0 (masked)", b, h, l, s, v)
					}
					if !masked && v <= 0 {
						t.Errorf("p[%d,%d,%d,%d] = %v, want > 0", b, h, l, s, v)
					}
					sum += v
				}
				if !near(sum, 1, 1e-12) {
					t.Errorf("row [%d,%d,%d] sums to %v", b, h, l, sum)
				}
			}
		}
	}
}

// TestAttentionMaskFullyMaskedRow checks that a query with no key left is
// an error naming the row, not a silent NaN.
func TestAttentionMaskFullyMaskedRow(t *testing.T) {
	g := G.NewGraph()
	x := mustParam(g, "x", 2, 3, 3)
	// batch 1 masks key 0: with the causal mask, query 0 sees no key.
	m, err := ops.AttentionMask(x, boolMask(g, "kpm", []int{2, 3}, []bool{false, false, false, true, false, false}), true)
	if err != nil {
		t.Fatal(err)
	}
	sm, err := ops.Softmax(m, -1)
	if err != nil {
		t.Fatal(err)
	}
	loss, err := G.Sum(sm)
	if err != nil {
		t.Fatal(err)
	}
	err = compiled(t, loss, []*G.Node{x}).RunTrain()
	if !errtext.Has(err, "batch row 1, query 0", "NaN") {
		t.Fatalf("RunTrain error = %v, want one naming batch row 1, query 0", err)
	}
}

// TestAttentionMaskBadMask checks the mask's shape and dtype errors.
func TestAttentionMaskBadMask(t *testing.T) {
	g := G.NewGraph()
	x := mustInput(g, "scores", tensor.Float64, 2, 4, 3, 5)
	for _, tc := range []struct {
		mask *G.Node
		want string
	}{
		{mustInput(g, "m1", tensor.Float64, 2, 4), "has shape (2, 4), want [batch, keys] = [2, 5]"},
		{mustInput(g, "m2", tensor.Float64, 5), "want [batch, keys]"},
		{mustInput(g, "m3", tensor.Int64, 2, 5), "dtype int64, want bool or float64"},
	} {
		_, err := ops.AttentionMask(x, tc.mask, false)
		if !errtext.Has(err, tc.want, tc.mask.Name()) {
			t.Errorf("mask %s: error = %v, want one naming it and containing %q", tc.mask.Name(), err, tc.want)
		}
	}
}
