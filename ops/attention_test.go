package ops_test

import (
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

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
		if !errorSays(err, tc.want) {
			t.Errorf("bmm(%v, %v) error = %v, want one containing %q", tc.a.Shape(), tc.b.Shape(), err, tc.want)
		}
	}
}

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
	if !errorSays(err, "batch row 1, query 0", "NaN") {
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
		if !errorSays(err, tc.want, tc.mask.Name()) {
			t.Errorf("mask %s: error = %v, want one naming it and containing %q", tc.mask.Name(), err, tc.want)
		}
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
