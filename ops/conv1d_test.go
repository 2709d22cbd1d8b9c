package ops_test

import (
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/ops"
)

// TestConv1DMatchesConv2D compares Conv1D (dilation 1) with Gorgonia's
// Conv2D over x viewed as [N, C, 1, L]: same loss and gradients, for
// several strides and paddings; and MaxPool1D with MaxPool2D on the same
// view without padding.
func TestConv1DMatchesConv2D(t *testing.T) {
	for _, tc := range []struct{ s, p int }{{1, 0}, {2, 1}, {3, 2}} {
		in := []ops.Input{{Name: "x", Shape: []int{2, 3, 10}, Domain: ops.Real},
			{Name: "w", Shape: []int{4, 3, 3}, Domain: ops.Real}, {Name: "b", Shape: []int{4}, Domain: ops.Real}}
		c := drawCase(in, uint64(30+tc.s))
		c1 := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return ops.Conv1D(n[0], n[1], n[2], tc.s, tc.p, 1) }
		c2 := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
			x4, err := ops.Reshape(n[0], 2, 3, 1, 10)
			if err != nil {
				return nil, err
			}
			w4, err := ops.Reshape(n[1], 4, 3, 1, 3)
			if err != nil {
				return nil, err
			}
			y, err := ops.Conv2D(x4, w4, n[2], [2]int{1, tc.s}, [2]int{0, tc.p})
			if err != nil {
				return nil, err
			}
			ys := y.Shape()
			return ops.Reshape(y, ys[0], ys[1], ys[3])
		}
		compareBuilders(t, c, c1, c2)
	}
	in := []ops.Input{{Name: "x", Shape: []int{2, 3, 9}, Domain: ops.Real}}
	p1 := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return ops.MaxPool1D(n[0], 3, 2, 0) }
	p2 := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
		x4, err := ops.Reshape(n[0], 2, 3, 1, 9)
		if err != nil {
			return nil, err
		}
		y, err := ops.MaxPool2D(x4, [2]int{1, 3}, [2]int{1, 2})
		if err != nil {
			return nil, err
		}
		return ops.Reshape(y, 2, 3, 4)
	}
	compareBuilders(t, drawCase(in, 5), p1, p2)
}

// TestSwapLastMatchesTranspose compares SwapLast with Gorgonia's Transpose
// of the last two axes, for rank 2, 3 and 4.
func TestSwapLastMatchesTranspose(t *testing.T) {
	for i, shape := range [][]int{{3, 5}, {2, 4, 3}, {2, 2, 3, 4}} {
		perm := make([]int, len(shape))
		for k := range perm {
			perm[k] = k
		}
		perm[len(perm)-2], perm[len(perm)-1] = perm[len(perm)-1], perm[len(perm)-2]
		c := drawCase([]ops.Input{{Name: "x", Shape: shape, Domain: ops.Real}}, uint64(60+i))
		swap := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return ops.SwapLast(n[0]) }
		tr := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return ops.Transpose(n[0], perm...) }
		compareBuilders(t, c, swap, tr)
	}
}
