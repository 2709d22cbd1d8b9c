package ops_test

import (
	"fmt"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// sliceCase is two slices of one axis whose bounds agree modulo 256, the
// collision of Gorgonia's sliceOp hash.
var sliceCases = []struct{ a, b [2]int }{
	{[2]int{0, 128}, [2]int{256, 384}},
	{[2]int{5, 6}, [2]int{261, 262}},
	{[2]int{0, 256}, [2]int{256, 512}},
	{[2]int{10, 300}, [2]int{266, 556}},
}

// TestSliceBoundsPast256StayApart: ops.SliceAlong gives distinct nodes
// for slices whose bounds agree modulo 256, with the right values and
// gradients (loss = sum(a) + 2·sum(b): the gradient is 1 on a's columns, 2
// on b's, their sum where they overlap).
func TestSliceBoundsPast256StayApart(t *testing.T) {
	for _, c := range sliceCases {
		t.Run(fmt.Sprint(c.a, c.b), func(t *testing.T) {
			const cols = 600
			g := G.NewGraph()
			xv := make([]float64, 2*cols)
			for i := range xv {
				xv[i] = float64(i % cols)
			}
			x := paramOf(g, "x", xv, 2, cols)
			a := G.Must(ops.SliceAlong(x, 1, c.a[0], c.a[1]))
			b := G.Must(ops.SliceAlong(x, 1, c.b[0], c.b[1]))
			if a == b {
				t.Fatal("the two slices are one node")
			}
			two := scalarOf(g, 2, tensor.Float64)
			loss := G.Must(G.Add(G.Must(G.Sum(a)), G.Must(G.Mul(two, G.Must(G.Sum(b))))))
			p := trained(t, loss, []*G.Node{x})
			want, grad := 0.0, make([]float64, cols)
			for j := c.a[0]; j < c.a[1]; j++ {
				want += 2 * float64(j)
				grad[j]++
			}
			for j := c.b[0]; j < c.b[1]; j++ {
				want += 2 * 2 * float64(j)
				grad[j] += 2
			}
			if p.Loss() != want {
				t.Errorf("loss %v, want %v", p.Loss(), want)
			}
			got := p.Params()[0].Grad.Data().([]float64)
			for j := range 2 * cols {
				if got[j] != grad[j%cols] {
					t.Fatalf("grad[%d] = %v, want %v", j, got[j], grad[j%cols])
				}
			}
		})
	}
}

// TestGorgoniaSliceMerges documents the defect SliceAlong avoids: the
// second of Gorgonia's slices is the first node.
func TestGorgoniaSliceMerges(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 512), G.WithName("x"))
	a := G.Must(G.Slice(x, nil, G.S(0, 128)))
	b := G.Must(G.Slice(x, nil, G.S(256, 384)))
	if a != b {
		t.Skip("Gorgonia's slices past 256 no longer merge: the defect is fixed upstream")
	}
}

// TestSwapAxesMatchesTranspose compares SwapAxes with Gorgonia's
// Transpose by the same permutation.
func TestSwapAxesMatchesTranspose(t *testing.T) {
	c := drawCase([]ops.Input{{Name: "x", Shape: []int{2, 3, 4, 5}, Domain: ops.Real}}, 3)
	for _, ax := range [][2]int{{1, 2}, {0, 3}, {-1, -3}, {0, 1}} {
		var s, tr *G.Node
		scalarRun(t, tensor.Float64, c.args(),
			func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
				var err error
				if s, err = ops.SwapAxes(n[0], ax[0], ax[1]); err != nil {
					return nil, err
				}
				perm := []int{0, 1, 2, 3}
				a, b := (ax[0]+4)%4, (ax[1]+4)%4
				perm[a], perm[b] = perm[b], perm[a]
				if tr, err = G.Transpose(n[0], perm...); err != nil {
					return nil, err
				}
				d, err := G.Sub(s, tr)
				if err != nil {
					return nil, err
				}
				return G.Sum(d)
			})
		got, want := valueFloats(s.Value()), valueFloats(tr.Value())
		if !s.Shape().Eq(tr.Shape()) {
			t.Fatalf("axes %v: shape %v, want %v", ax, s.Shape(), tr.Shape())
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("axes %v: element %d = %v, want %v", ax, i, got[i], want[i])
			}
		}
	}
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
