package compiler

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// The canonicalize phase: identities, static sizes, constant folding, and
// Gorgonia's softmax (whose hash leaves out its log flag) replaced by
// symgrad's.

// MulOne is x*1 -> x (also 1*x, x/1 and x^1: multiplying, dividing or
// raising by a scalar constant 1 is the identity when x already has the
// result's shape).
var MulOne = &Rule{Name: "x*1 -> x", Phase: Canonicalize, SecondOrder: true, Rewrite: func(n *G.Node) (*G.Node, error) {
	sym, a, b, ok := binary(n)
	switch {
	case !ok:
	case (sym == ops.KindMul || sym == ops.KindDiv || sym == ops.KindPow) && isConst(b, 1) && fits(a, n):
		return a, nil
	case sym == ops.KindMul && isConst(a, 1) && fits(b, n):
		return b, nil
	}
	return nil, nil
}}

// AddZero is x+0 -> x (also 0+x and x-0).
var AddZero = &Rule{Name: "x+0 -> x", Phase: Canonicalize, SecondOrder: true, Rewrite: func(n *G.Node) (*G.Node, error) {
	sym, a, b, ok := binary(n)
	switch {
	case !ok:
	case (sym == ops.KindAdd || sym == ops.KindSub) && isConst(b, 0) && fits(a, n):
		return a, nil
	case sym == ops.KindAdd && isConst(a, 0) && fits(b, n):
		return b, nil
	}
	return nil, nil
}}

// NegNeg is --x -> x.
var NegNeg = &Rule{Name: "--x -> x", Phase: Canonicalize, SecondOrder: true, Rewrite: cancel(ops.KindNeg, ops.KindNeg)}

// cancel is the rewrite outer(inner(x)) -> x, for unary ops of which outer
// undoes inner.
func cancel(outer, inner ops.Kind) func(*G.Node) (*G.Node, error) {
	return func(n *G.Node) (*G.Node, error) {
		if y, ok := isUnary(n, outer); ok {
			if x, ok := isUnary(y, inner); ok && fits(x, n) {
				return x, nil
			}
		}
		return nil, nil
	}
}

// TransposeTranspose is transpose(transpose(x, p), q) -> transpose(x, r)
// with r[i] = p[q[i]], and -> x when r is the identity.
var TransposeTranspose = &Rule{Name: "transpose(transpose(x)) -> x", Phase: Canonicalize, SecondOrder: true,
	Rewrite: func(n *G.Node) (*G.Node, error) {
		nid := ops.Identify(n)
		if nid.Kind != ops.KindTranspose {
			return nil, nil
		}
		y := children(n)[0]
		yid := ops.Identify(y)
		if yid.Kind != ops.KindTranspose {
			return nil, nil
		}
		q, p := nid.Axes, yid.Axes
		x := children(y)[0]
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
	}}

// ReshapeChain is reshape(reshape(x, s1), s2) -> reshape(x, s2), with
// symgrad's copying reshape.
var ReshapeChain = &Rule{Name: "reshape(reshape(x)) -> reshape(x)", Phase: Canonicalize, SecondOrder: true,
	Rewrite: func(n *G.Node) (*G.Node, error) {
		y, ok := reshapeInput(n)
		if !ok {
			return nil, nil
		}
		x, ok := reshapeInput(y)
		if !ok || !isFloat(x.Dtype()) || x.IsScalar() {
			return nil, nil
		}
		if fits(x, n) {
			return x, nil
		}
		return ops.Reshape(x, n.Shape().Clone()...)
	}}

// ReshapeNoop is reshape(x, shape of x) -> x.
var ReshapeNoop = &Rule{Name: "reshape(x, shape(x)) -> x", Phase: Canonicalize, SecondOrder: true,
	Rewrite: func(n *G.Node) (*G.Node, error) {
		if x, ok := reshapeInput(n); ok && fits(x, n) {
			return x, nil
		}
		return nil, nil
	}}

// StaticSize is a ∘ sizeof(x, axis) -> a ∘ x.shape[axis] for an
// elementwise arithmetic op ∘: shapes are static, so the count Gorgonia's
// Mean divides by is a constant (and folds). Only arithmetic users are
// rewritten: Gorgonia's repeat (broadcast) ops read their size input's
// shape at build time and need the size op itself.
var StaticSize = &Rule{Name: "sizeof(x, axis) -> constant", Phase: Canonicalize, SecondOrder: true,
	Rewrite: func(n *G.Node) (*G.Node, error) {
		if !ops.KindOf(n).Binary() {
			return nil, nil
		}
		in := children(n)
		changed := false
		for i, c := range in {
			k, err := staticSize(c)
			if err != nil || k == nil {
				continue
			}
			in[i], changed = k, true
		}
		if !changed {
			return nil, nil
		}
		return G.ApplyOp(n.Op(), in...)
	}}

// staticSize returns a constant holding the value of a scalar sizeof node,
// or nil when n is not one.
func staticSize(n *G.Node) (*G.Node, error) {
	id := ops.Identify(n)
	if id.Kind != ops.KindSizeOf || !n.IsScalar() {
		return nil, nil
	}
	x := children(n)[0]
	axis := id.Axis
	if x.IsScalar() || axis < 0 || axis >= x.Dims() {
		return nil, nil
	}
	size := float64(x.Shape()[axis])
	switch n.Dtype() {
	case tensor.Float64:
		return Constant(n.Graph(), size)
	case tensor.Float32:
		return Constant(n.Graph(), float32(size))
	}
	return nil, nil
}

// FoldConstants is f(c1, ..., ck) -> c: an op whose inputs are all
// constants is computed once, at compile time. Stateful ops (dropout,
// batch-norm statistics) are never folded.
var FoldConstants = &Rule{Name: "f(constants) -> constant", Phase: Canonicalize, SecondOrder: true,
	Rewrite: func(n *G.Node) (*G.Node, error) {
		in := children(n)
		if len(in) == 0 || ops.IsStateful(n.Op()) || !isFloat(n.Dtype()) {
			return nil, nil
		}
		if _, wrapped := n.Op().(*distinctOp); wrapped {
			return nil, nil
		}
		args := make([]G.Value, len(in))
		for i, c := range in {
			if !IsConstant(c) || c.Value() == nil {
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
	}}

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
		return Constant(n.Graph(), constantValue(s))
	case tensor.Tensor:
		d, ok := s.(*tensor.Dense)
		if !ok || n.IsScalar() || !d.Shape().Eq(n.Shape()) {
			return nil, nil
		}
		if d.IsMaterializable() {
			d = d.Materialize().(*tensor.Dense)
		}
		return Constant(n.Graph(), d.Clone().(*tensor.Dense))
	}
	return nil, nil
}

// GorgoniaSoftmax is softmax_G(x) -> softmax(x) and logsoftmax_G(x) ->
// logsoftmax(x): Gorgonia's softmax op hashes alike with and without its
// log flag (gorgonia issue 569), so two of them can merge; symgrad's
// are distinct graphs, stable, and differentiable twice.
var GorgoniaSoftmax = &Rule{Name: "softmax_G(x) -> softmax(x)", Phase: Canonicalize, SecondOrder: true,
	Rewrite: func(n *G.Node) (*G.Node, error) {
		id := ops.Identify(n)
		if id.Kind != ops.KindSoftmax || !isFloat(n.Dtype()) {
			return nil, nil
		}
		x, axis := children(n)[0], id.Axis
		if id.Log {
			return ops.LogSoftmax(x, axis)
		}
		return ops.Softmax(x, axis)
	}}

// canonicalRules is the canonicalize phase, in the order tried.
var canonicalRules = []*Rule{FoldConstants, StaticSize, MulOne, AddZero, NegNeg, TransposeTranspose,
	ReshapeChain, ReshapeNoop, GorgoniaSoftmax}
