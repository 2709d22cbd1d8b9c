package rewrite

import (
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/ops"
)

// fuse is the fuse phase, in the order tried: the dense layer as users
// write it in raw Gorgonia, x @ transpose(W) + b or x @ W + b with
// G.BroadcastAdd(xw, b, nil, []byte{0}), becomes symgrad's fused ops.
// Gorgonia builds that broadcast as
//
//	reshape_G(b, (1, N)) -> repeat₀(·, sizeof(xw, 0)) -> xw + ·
//
// and a transpose of W as a copy (and its gradient as another copy). The
// rules compose within one sweep, children first: the matrix product
// becomes a gemm, the repeat becomes broadcastrows, and then their sum
// becomes one linear op.
func fuse() []*Rule {
	a, b, x, w := V("a"), V("b"), V("x"), V("W")
	return []*Rule{
		documented("Gorgonia's matrix × matrix only. The transpose becomes a BLAS flag, so neither the forward pass nor the gradient (Gorgonia's gradient of a transpose is another transposed copy) copies b. A transposed a is absorbed as well (gemm(a, b, transA, transB)).",
			FromCases(true, Case{matMul(a, transposed(b)), "gemm(a, b, transB)", gemm})),
		documented("As a @ transpose(b).", FromCases(true, Case{matMul(transposed(a), b), "gemm(a, b, transA)", gemm})),
		documented("For any elementwise ∘ (Gorgonia's BroadcastAdd(x, b, nil, []byte{0}), BroadcastSub, BroadcastHadamardProd, ...), x [B, N] and a bias b [N] or (1, N), in either operand order: symgrad's op writes into a preallocated buffer and its gradient is colsum (db_j = Σ_i g_ij), where Gorgonia's is a sum over an axis and a reshape. Matched at the elementwise op, not at the repeat: a repeat feeding another repeat (a scalar broadcast over both axes) gets a gradient of lower rank from Gorgonia, which colsum rejects (TestFuseLeavesScalarBroadcast).",
			FromCases(true,
				Case{elementwise(x, rowBroadcast(b)), "x ∘ broadcastrows(b)", broadcastRows(1)},
				Case{elementwise(rowBroadcast(b), x), "broadcastrows(b) ∘ x", broadcastRows(0)})),
		documented("x @ transpose(W) + b as Gorgonia builds it, after the two rules above, for x [B, in], W [out, in], b [out], in either operand order: one op that fills the output rows with b and adds x·Wᵀ with one BLAS call (gradient: dx = G·W, dW = Gᵀ·x, db = colsum(G)).",
			FromCases(true,
				Case{Op(ops.KindAdd, gemmTransB(x, w), bias(b)), "linear(x, W, b)", linear},
				Case{Op(ops.KindAdd, bias(b), gemmTransB(x, w)), "linear(x, W, b)", linear})),
	}
}

// matMul matches Gorgonia's matrix product of two float matrices (with
// neither of its own transpose flags set).
func matMul(a, b *Pattern) *Pattern {
	return Op(ops.KindMatMul, a.If(matrix), b.If(matrix)).If(func(n *G.Node) bool {
		id := ops.Identify(n)
		return !id.TransA && !id.TransB && floating(n)
	})
}

// transposed matches transpose(x, 1, 0) of a matrix x.
func transposed(x *Pattern) *Pattern {
	return Op(ops.KindTranspose, x.If(matrix)).If(func(n *G.Node) bool {
		p := ops.Identify(n).Axes
		return len(p) == 2 && p[0] == 1 && p[1] == 0
	})
}

// gemm is gemm(a, b, ta, tb) for the matrix product n, with both
// operands' transposes stripped.
func gemm(_ *Match, n *G.Node) (*G.Node, error) {
	in := ops.Inputs(n)
	a, ta := untranspose(in[0])
	b, tb := untranspose(in[1])
	return ops.Gemm(a, b, ta, tb)
}

// untranspose returns x for transpose(x, 1, 0) of a matrix x, and m
// itself otherwise.
func untranspose(m *G.Node) (*G.Node, bool) {
	var match Match
	if transposed(V("x")).Match(m, &match) {
		return match.Node("x"), true
	}
	return m, false
}

// elementwise matches any of Gorgonia's elementwise binary ops whose
// operands both have its shape and dtype; it prints as ∘.
func elementwise(l, r *Pattern) *Pattern {
	return Composite("∘", func(n *G.Node) (G.Nodes, bool) {
		in := ops.Inputs(n)
		if !ops.KindOf(n).Binary() || len(in) != 2 || !fits(in[0], n) || !fits(in[1], n) {
			return nil, false
		}
		return in, true
	}, l, r).between()
}

// between prints a two-argument composite between its arguments.
func (p *Pattern) between() *Pattern { q := *p; q.form = infix; return &q }

// rowBroadcast matches Gorgonia's repeat along axis 0 of a (1, N) reshape
// (or chain of reshapes) of b (b of N elements), giving [rows, N].
func rowBroadcast(b *Pattern) *Pattern {
	return Composite("repeat₀", func(n *G.Node) (G.Nodes, bool) {
		if id := ops.Identify(n); id.Kind != ops.KindRepeat || id.Axis != 0 || !floating(n) || n.Dims() != 2 {
			return nil, false
		}
		r := ops.Inputs(n)[0]
		s := r.Shape()
		return G.Nodes{r}, len(s) == 2 && s[0] == 1 && s[1] == n.Shape()[1]
	}, rowView(b)).As("repeat")
}

// rowView matches Gorgonia's reshape (a view) of b to (1, N), through a
// chain of reshapes (compiler/expr lifts b to (1, N) before broadcasting).
func rowView(b *Pattern) *Pattern {
	return Composite("reshape", func(r *G.Node) (G.Nodes, bool) {
		if ops.KindOf(r) != ops.KindReshapeView {
			return nil, false
		}
		b := ops.Inputs(r)[0]
		for ops.KindOf(b) == ops.KindReshapeView {
			b = ops.Inputs(b)[0]
		}
		ok := !b.IsScalar() && b.Dims() <= 2 && b.Shape().TotalSize() == r.Shape()[1] && b.Dtype() == r.Dtype()
		return G.Nodes{b}, ok
	}, b).Noted("1×N")
}

// broadcastRows replaces operand i of the elementwise op n, a row
// broadcast of b, by broadcastrows(b, rows).
func broadcastRows(i int) func(m *Match, n *G.Node) (*G.Node, error) {
	return func(m *Match, n *G.Node) (*G.Node, error) {
		b := m.Node("b")
		if b.Dims() != 1 {
			var err error
			if b, err = ops.Reshape(b, b.Shape().TotalSize()); err != nil {
				return nil, err
			}
		}
		rb, err := ops.BroadcastRows(b, m.Node("repeat").Shape()[0])
		if err != nil {
			return nil, err
		}
		in := ops.Inputs(n)
		in[i] = rb
		return G.ApplyOp(n.Op(), in...)
	}
}

// gemmTransB matches gemm(x, W, transB): x·Wᵀ.
func gemmTransB(x, w *Pattern) *Pattern {
	return Op(ops.KindGemm, x, w).If(func(n *G.Node) bool {
		id := ops.Identify(n)
		return !id.TransA && id.TransB
	}).Noted("transB")
}

// bias matches broadcastrows(b) of a float vector b of its dtype.
func bias(b *Pattern) *Pattern {
	return Op(ops.KindBroadcastRows, b.If(func(b *G.Node) bool { return b.Dims() == 1 && floating(b) })).If(matrix).As("rows")
}

func linear(m *Match, _ *G.Node) (*G.Node, error) {
	x, w, b := m.Node("x"), m.Node("W"), m.Node("b")
	if b.Dtype() != m.Node("rows").Dtype() || b.Shape()[0] != w.Shape()[0] {
		return nil, nil
	}
	return ops.Linear(x, w, b)
}
