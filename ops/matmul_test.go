package ops_test

import (
	"fmt"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/errtext"
	"github.com/symgrad/symgrad/ops"
)

// naiveBMM is torch.matmul by index arithmetic, for float64 operands of
// the given shapes (batch axes broadcast), after the transposes.
func naiveBMM(a, b []float64, sa, sb []int, ta, tb bool) ([]float64, []int) {
	ra, rb := len(sa), len(sb)
	m, k := sa[ra-2], sa[ra-1]
	if ta {
		m, k = k, m
	}
	n := sb[rb-1]
	if tb {
		n = sb[rb-2]
	}
	nb := max(ra, rb) - 2
	batch := make([]int, nb)
	dim := func(s []int, i int) int {
		if j := i - (nb - (len(s) - 2)); j >= 0 {
			return s[j]
		}
		return 1
	}
	for i := range batch {
		batch[i] = max(dim(sa, i), dim(sb, i))
	}
	total := 1
	for _, d := range batch {
		total *= d
	}
	off := func(s []int, flat int) int {
		o, stride := 0, s[len(s)-2]*s[len(s)-1]
		for i := nb - 1; i >= 0; i-- {
			idx := flat % batch[i]
			flat /= batch[i]
			if d := dim(s, i); d != 1 {
				o += idx * stride
			}
			stride *= dim(s, i)
		}
		return o
	}
	out := make([]float64, total*m*n)
	for f := range total {
		oa, ob := off(sa, f), off(sb, f)
		for i := range m {
			for j := range n {
				s := 0.0
				for p := range k {
					ai, bi := oa+i*k+p, ob+p*n+j
					if ta {
						ai = oa + p*m + i
					}
					if tb {
						bi = ob + j*k + p
					}
					s += a[ai] * b[bi]
				}
				out[(f*m+i)*n+j] = s
			}
		}
	}
	return out, append(batch, m, n)
}

var bmmCases = []struct {
	name   string
	sa, sb []int
	ta, tb bool
}{
	{"3-d equal batch", []int{2, 3, 4}, []int{2, 4, 5}, false, false},
	{"4-d equal batch, B transposed", []int{2, 3, 4, 5}, []int{2, 3, 6, 5}, false, true},
	{"4-d, A transposed", []int{2, 2, 5, 3}, []int{2, 2, 5, 4}, true, false},
	{"both transposed", []int{3, 4, 2}, []int{3, 5, 4}, true, true},
	{"broadcast size-1 axes", []int{2, 1, 3, 4}, []int{1, 3, 4, 2}, false, false},
	{"matrix B", []int{2, 3, 3, 4}, []int{4, 5}, false, false},
	{"matrix A, missing axes", []int{3, 4}, []int{2, 4, 5}, false, false},
}

// TestBatchedMatMulMatchesLoops compares the forward pass with index
// arithmetic and the gradients with central differences, for equal, 3-d,
// 4-d, transposed and broadcast batch axes.
func TestBatchedMatMulMatchesLoops(t *testing.T) {
	for i, tc := range bmmCases {
		t.Run(tc.name, func(t *testing.T) {
			c := drawCase([]ops.Input{{Name: "a", Shape: tc.sa, Domain: ops.Real}, {Name: "b", Shape: tc.sb, Domain: ops.Real}}, uint64(10+i))
			want, wantShape := naiveBMM(c.values[0], c.values[1], tc.sa, tc.sb, tc.ta, tc.tb)
			b := func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) { return ops.BatchedMatMul(n[0], n[1], tc.ta, tc.tb) }
			_, out := sumRun(t, c.args(), b)
			got := valueFloats(out.Value())
			if !slices.Equal(out.Shape(), tensor.Shape(wantShape)) {
				t.Fatalf("shape %v, want %v", out.Shape(), wantShape)
			}
			for j := range want {
				if !near(got[j], want[j], 1e-12) {
					t.Fatalf("element %d = %v, want %v", j, got[j], want[j])
				}
			}
			if err := checkGradient(c, b, nil); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestBatchedMatMulErrors checks that mismatched operands are errors
// naming the shapes.
func TestBatchedMatMulErrors(t *testing.T) {
	g := G.NewGraph()
	mk := func(name string, s ...int) *G.Node { return mustInput(g, name, tensor.Float64, s...) }
	for _, tc := range []struct {
		a, b *G.Node
		want string
	}{
		{mk("a1", 2, 3, 4), mk("b1", 2, 5, 6), "inner dimensions"},
		{mk("a2", 2, 3, 4), mk("b2", 3, 4, 6), "do not broadcast"},
		{mk("a3", 4), mk("b3", 4, 6), "at least 2 axes"},
	} {
		_, err := ops.BatchedMatMul(tc.a, tc.b, false, false)
		if !errtext.Has(err, tc.want) {
			t.Errorf("bmm(%v, %v) error = %v, want one containing %q", tc.a.Shape(), tc.b.Shape(), err, tc.want)
		}
	}
}

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
