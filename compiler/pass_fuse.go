package compiler

import (
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/ops"
)

// The fuse phase: the dense layer as users write it in raw Gorgonia,
// x @ transpose(W) + b or x @ W + b with G.BroadcastAdd(xw, b, nil,
// []byte{0}), becomes symgrad's fused ops. Gorgonia builds that broadcast
// as
//
//	reshape_G(b, (1, N)) -> repeat₀(·, sizeof(xw, 0)) -> xw + ·
//
// and a transpose of W as a copy (and its gradient as another copy). The
// rules compose within one sweep, children first: the matrix product
// becomes a gemm, the repeat becomes broadcastrows, and then their sum
// becomes one linear op.

// MatMulTransB is a @ transpose(b) -> gemm(a, b, 0, 1) for matrices: the
// transpose becomes a BLAS flag, so neither the forward pass nor the
// gradient (Gorgonia's gradient of a transpose is another transpose)
// copies b. A transposed a is absorbed as well (gemm(a, b, 1, 1)).
var MatMulTransB = &Rule{Name: "a @ transpose(b) -> gemm(a, b, transB)", Phase: Fuse, SecondOrder: true,
	Rewrite: gemmRewrite(func(_, tb bool) bool { return tb })}

// MatMulTransA is transpose(a) @ b -> gemm(a, b, 1, 0) for matrices (the
// transpose is a BLAS flag; see MatMulTransB).
var MatMulTransA = &Rule{Name: "transpose(a) @ b -> gemm(a, b, transA)", Phase: Fuse, SecondOrder: true,
	Rewrite: gemmRewrite(func(ta, _ bool) bool { return ta })}

// gemmRewrite turns a matrix product whose stripped transposes satisfy
// when into gemm(a, b, ta, tb).
func gemmRewrite(when func(ta, tb bool) bool) func(*G.Node) (*G.Node, error) {
	return func(n *G.Node) (*G.Node, error) {
		a, b, ta, tb, ok := matMulOperands(n)
		if !ok || !when(ta, tb) {
			return nil, nil
		}
		return ops.Gemm(a, b, ta, tb)
	}
}

// BiasRows is x ∘ repeat₀(reshape(b, (1, N)), B) -> x ∘ broadcastrows(b,
// B) for an elementwise ∘: the row broadcast of Gorgonia's BroadcastAdd(x,
// b, nil, []byte{0}) (and BroadcastSub, BroadcastHadamardProd, ...) for x
// [B, N] and a bias b [N] (or (1, N)), in either operand order. Both give
// b_j in row i, column j; symgrad's op writes into a preallocated buffer
// and its gradient is colsum (db_j = Σ_i g_ij), where Gorgonia's is a sum
// over an axis and a reshape. The rule matches at the elementwise op, not
// at the repeat: a repeat feeding another repeat (a scalar broadcast over
// both axes) gets a gradient of lower rank from Gorgonia, which colsum
// rejects.
var BiasRows = &Rule{Name: "x + repeat₀(reshape(b, 1×N)) -> x + broadcastrows(b)", Phase: Fuse, SecondOrder: true,
	Rewrite: func(n *G.Node) (*G.Node, error) {
		_, l, r, ok := binary(n)
		if !ok || !fits(l, n) || !fits(r, n) {
			return nil, nil
		}
		in := G.Nodes{l, r}
		changed := false
		for i, c := range in {
			b, rows, ok := rowBroadcast(c)
			if !ok {
				continue
			}
			if b.Dims() != 1 {
				var err error
				if b, err = ops.Reshape(b, b.Shape().TotalSize()); err != nil {
					return nil, err
				}
			}
			rb, err := ops.BroadcastRows(b, rows)
			if err != nil {
				return nil, err
			}
			in[i], changed = rb, true
		}
		if !changed {
			return nil, nil
		}
		return G.ApplyOp(n.Op(), in...)
	}}

// LinearBias is gemm(x, W, 0, 1) + broadcastrows(b) -> linear(x, W, b):
// x·Wᵀ + b for x [B, in], W [out, in], b [out], in either operand order.
// With MatMulTransB and BiasRows it turns x @ transpose(W) + b, as built
// by Gorgonia, into one op that fills the output rows with b and adds x·Wᵀ
// with one BLAS call (gradient: dx = G·W, dW = Gᵀ·x, db = colsum(G)).
var LinearBias = &Rule{Name: "x @ transpose(W) + b -> linear(x, W, b)", Phase: Fuse, SecondOrder: true,
	Rewrite: func(n *G.Node) (*G.Node, error) {
		sym, l, r, ok := binary(n)
		if !ok || sym != ops.KindAdd {
			return nil, nil
		}
		for _, pair := range [2][2]*G.Node{{l, r}, {r, l}} {
			x, w, ok := gemmTransB(pair[0])
			if !ok {
				continue
			}
			if b, ok := broadcastRowsInput(pair[1]); ok && b.Dims() == 1 && b.Shape()[0] == w.Shape()[0] {
				return ops.Linear(x, w, b)
			}
		}
		return nil, nil
	}}

// fuseRules is the fuse phase, in the order tried.
var fuseRules = []*Rule{MatMulTransB, MatMulTransA, BiasRows, LinearBias}

// matMulOperands matches Gorgonia's matrix product a × b of two float
// matrices (G.Mul) and returns its operands with their transposes
// stripped: a @ b = op(a')·op(b') with op a transpose where ta (tb).
func matMulOperands(n *G.Node) (a, b *G.Node, ta, tb, ok bool) {
	if id := ops.Identify(n); id.Kind != ops.KindMatMul || id.TransA || id.TransB || !isFloat(n.Dtype()) {
		return nil, nil, false, false, false
	}
	in := children(n)
	if len(in) != 2 || in[0].Dims() != 2 || in[1].Dims() != 2 {
		return nil, nil, false, false, false
	}
	a, ta = untranspose(in[0])
	b, tb = untranspose(in[1])
	return a, b, ta, tb, true
}

// untranspose returns x for transpose(x, 1, 0) of a matrix x, and m
// itself otherwise.
func untranspose(m *G.Node) (*G.Node, bool) {
	id := ops.Identify(m)
	if id.Kind != ops.KindTranspose {
		return m, false
	}
	p := id.Axes
	x := children(m)[0]
	if len(p) != 2 || p[0] != 1 || p[1] != 0 || x.Dims() != 2 {
		return m, false
	}
	return x, true
}

// rowBroadcast matches Gorgonia's repeat along axis 0 of a (1, N) reshape
// (or chain of reshapes) of b (b of N elements), giving [rows, N], and
// returns b and rows.
func rowBroadcast(n *G.Node) (b *G.Node, rows int, ok bool) {
	if id := ops.Identify(n); id.Kind != ops.KindRepeat || id.Axis != 0 || !isFloat(n.Dtype()) || n.Dims() != 2 {
		return nil, 0, false
	}
	r := children(n)[0]
	s := r.Shape()
	if ops.KindOf(r) != ops.KindReshapeView || len(s) != 2 || s[0] != 1 || s[1] != n.Shape()[1] {
		return nil, 0, false
	}
	b = children(r)[0]
	for ops.KindOf(b) == ops.KindReshapeView { // compiler/expr lifts b to (1, N) before broadcasting
		b = children(b)[0]
	}
	if b.IsScalar() || b.Dims() > 2 || b.Shape().TotalSize() != s[1] || b.Dtype() != n.Dtype() {
		return nil, 0, false
	}
	return b, n.Shape()[0], true
}

// gemmTransB matches gemm(x, W, 0, 1) (x·Wᵀ) and returns x and W.
func gemmTransB(n *G.Node) (x, w *G.Node, ok bool) {
	if id := ops.Identify(n); id.Kind != ops.KindGemm || id.TransA || !id.TransB {
		return nil, nil, false
	}
	in := children(n)
	return in[0], in[1], true
}

// broadcastRowsInput matches broadcastrows(b, rows) and returns b.
func broadcastRowsInput(n *G.Node) (*G.Node, bool) {
	if ops.KindOf(n) != ops.KindBroadcastRows || n.Dims() != 2 {
		return nil, false
	}
	b := children(n)[0]
	return b, b.Dims() == 1 && b.Dtype() == n.Dtype() && isFloat(b.Dtype())
}
