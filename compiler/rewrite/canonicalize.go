package rewrite

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/nodes"
	"github.com/symgrad/symgrad/ops"
)

// canonicalize is the canonicalize phase, in the order tried:
// identities, static sizes, constant folding, and Gorgonia's softmax
// (whose hash leaves out its log flag) replaced by symgrad's.
func canonicalize() []*Rule {
	x := V("x")
	one, zero := C(1), C(0)
	return []*Rule{
		foldConstants(),
		staticSize(),
		documented("Multiplying, dividing or raising by a scalar constant 1 is the identity when x already has the result's shape.",
			FromCases(true,
				Case{Op(ops.KindMul, x, one), "x", same("x")},
				Case{Op(ops.KindMul, one, x), "x", same("x")},
				Case{Op(ops.KindDiv, x, one), "x", same("x")},
				Case{Op(ops.KindPow, x, one), "x", same("x")})),
		documented("Adding or subtracting a scalar constant 0 is the identity when x already has the result's shape.",
			FromCases(true,
				Case{Op(ops.KindAdd, x, zero), "x", same("x")},
				Case{Op(ops.KindAdd, zero, x), "x", same("x")},
				Case{Op(ops.KindSub, x, zero), "x", same("x")})),
		documented("Exact: negation flips the sign bit.", FromCases(true, Case{Op(ops.KindNeg, Op(ops.KindNeg, x)), "x", same("x")})),
		documented("Composes the permutations, r[i] = p[q[i]]; an identity r drops both transposes.",
			FromCases(true, Case{Op(ops.KindTranspose, Op(ops.KindTranspose, x).As("inner").Noted("p")).Noted("q"),
				"transpose(x, p∘q)", composeTransposes})),
		documented("symgrad's copying reshape only: Gorgonia's reshape returns a view, and its broadcast ops behave differently on a view of a vector than on the vector.",
			FromCases(true, Case{reshape(reshape(x.If(floating).If(notScalar))), "reshape(x)", reshapeOnce})),
		documented("symgrad's reshape only.", FromCases(true, Case{reshape(x).Noted("shape(x)"), "x", same("x")})),
		documented("Gorgonia's softmax op hashes alike with and without its log flag (gorgonia issue 569), so two of them can merge; symgrad's softmax and log-softmax are distinct graphs, stable, and differentiable twice.",
			FromCases(true, Case{Op(ops.KindSoftmax, x).Labeled("softmax_G").If(floating).As("s"), "softmax(x)", symgradSoftmax})),
	}
}

// reshape matches symgrad's reshape (ops.IsReshape).
func reshape(x *Pattern) *Pattern {
	return Composite("reshape", func(n *G.Node) (G.Nodes, bool) {
		x, ok := ops.IsReshape(n)
		return G.Nodes{x}, ok
	}, x)
}

func notScalar(n *G.Node) bool { return !n.IsScalar() }

func composeTransposes(m *Match, n *G.Node) (*G.Node, error) {
	x := m.Node("x")
	q, p := ops.Identify(n).Axes, ops.Identify(m.Node("inner")).Axes
	if len(p) != len(q) || len(p) != x.Dims() {
		return nil, nil
	}
	r := make([]int, len(q))
	identity := true
	for i := range q {
		r[i] = p[q[i]]
		identity = identity && r[i] == i
	}
	if identity {
		return x, nil
	}
	return G.Transpose(x, r...)
}

func reshapeOnce(m *Match, n *G.Node) (*G.Node, error) {
	if x := m.Node("x"); fits(x, n) {
		return x, nil
	}
	return ops.Reshape(m.Node("x"), n.Shape().Clone()...)
}

func symgradSoftmax(m *Match, _ *G.Node) (*G.Node, error) {
	id := ops.Identify(m.Node("s"))
	if id.Log {
		return ops.LogSoftmax(m.Node("x"), id.Axis)
	}
	return ops.Softmax(m.Node("x"), id.Axis)
}

// staticSize is a ∘ sizeof(x, axis) -> a ∘ x.shape[axis] for an
// elementwise op ∘.
func staticSize() *Rule {
	const doc = "Shapes are static, so the count Gorgonia's Mean divides by is a constant (and folds). Only elementwise users are rewritten: Gorgonia's repeat (broadcast) ops read their size input's shape at build time and need the size op itself."
	return named("sizeof(x, axis) -> constant", doc, true, func(n *G.Node) (*G.Node, error) {
		if !ops.KindOf(n).Binary() {
			return nil, nil
		}
		in := ops.Inputs(n)
		changed := false
		for i, c := range in {
			k, err := sizeConstant(c)
			if err != nil || k == nil {
				continue
			}
			in[i], changed = k, true
		}
		if !changed {
			return nil, nil
		}
		return G.ApplyOp(n.Op(), in...)
	})
}

// sizeConstant returns a constant holding the value of a scalar sizeof
// node, or nil when n is not one.
func sizeConstant(n *G.Node) (*G.Node, error) {
	id := ops.Identify(n)
	if id.Kind != ops.KindSizeOf || !n.IsScalar() {
		return nil, nil
	}
	x := ops.Inputs(n)[0]
	axis := id.Axis
	if x.IsScalar() || axis < 0 || axis >= x.Dims() {
		return nil, nil
	}
	size := float64(x.Shape()[axis])
	switch n.Dtype() {
	case tensor.Float64:
		return nodes.Constant(n.Graph(), size)
	case tensor.Float32:
		return nodes.Constant(n.Graph(), float32(size))
	}
	return nil, nil
}

// foldConstants is f(c1, ..., ck) -> c.
func foldConstants() *Rule {
	const doc = "An op whose inputs are all constants is computed once, at compile time. Stateful ops (dropout, batch-norm statistics) are never folded, nor is an op that wraps another (the compiler's collision-safe wrapper, which reports it with Unwrap)."
	return named("f(constants) -> constant", doc, true, func(n *G.Node) (*G.Node, error) {
		in := ops.Inputs(n)
		if len(in) == 0 || ops.IsStateful(n.Op()) || !isFloat(n.Dtype()) {
			return nil, nil
		}
		if _, wraps := n.Op().(interface{ Unwrap() G.Op }); wraps {
			return nil, nil
		}
		args := make([]G.Value, len(in))
		for i, c := range in {
			if !nodes.IsConstant(c) || c.Value() == nil {
				return nil, nil
			}
			v, err := G.CloneValue(c.Value())
			if err != nil {
				return nil, nil
			}
			args[i] = v
		}
		v, err := n.Op().Do(args...)
		if err != nil {
			return nil, errors.Wrapf(err, "folding %v", n.Op())
		}
		return constantLike(n, v)
	})
}

// constantLike makes a constant of value v for n, or nil when v does not
// have n's shape and dtype.
func constantLike(n *G.Node, v G.Value) (*G.Node, error) {
	if v.Dtype() != n.Dtype() {
		return nil, nil
	}
	switch s := v.(type) {
	case *G.F64, *G.F32:
		if !n.IsScalar() {
			return nil, nil
		}
		return nodes.Constant(n.Graph(), nodes.ConstantArg(s))
	case tensor.Tensor:
		d, ok := s.(*tensor.Dense)
		if !ok || n.IsScalar() || !d.Shape().Eq(n.Shape()) {
			return nil, nil
		}
		if d.IsMaterializable() {
			d = d.Materialize().(*tensor.Dense)
		}
		return nodes.Constant(n.Graph(), d.Clone().(*tensor.Dense))
	}
	return nil, nil
}
