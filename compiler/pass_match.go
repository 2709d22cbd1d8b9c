package compiler

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// Matching ops: a node is recognised by its op's kind (ops.Identify),
// never by the op's printed form or Go type; an op of an unknown kind
// matches nothing.

// binary matches a Gorgonia elementwise binary op and returns its kind
// (ops.KindAdd, ops.KindSub, ops.KindMul, ops.KindDiv, ops.KindPow or a
// comparison) and operands.
func binary(n *G.Node) (k ops.Kind, a, b *G.Node, ok bool) {
	if k = ops.KindOf(n); !k.Binary() {
		return ops.KindUnknown, nil, nil, false
	}
	in := children(n)
	if len(in) != 2 {
		return ops.KindUnknown, nil, nil, false
	}
	return k, in[0], in[1], true
}

// isUnary matches the Gorgonia unary op of kind k and returns its
// operand.
func isUnary(n *G.Node, k ops.Kind) (*G.Node, bool) {
	if !k.Unary() || ops.KindOf(n) != k {
		return nil, false
	}
	in := children(n)
	if len(in) != 1 {
		return nil, false
	}
	return in[0], true
}

// scalarConst returns the value of a scalar constant node.
func scalarConst(n *G.Node) (float64, bool) {
	if n == nil || !IsConstant(n) || !n.IsScalar() {
		return 0, false
	}
	switch v := n.Value().(type) {
	case *G.F64:
		return float64(*v), true
	case *G.F32:
		return float64(*v), true
	}
	return 0, false
}

// isConst reports whether n is a scalar constant equal to v.
func isConst(n *G.Node, v float64) bool {
	c, ok := scalarConst(n)
	return ok && c == v
}

// fits reports whether x can stand in for n: the same shape and dtype.
func fits(x, n *G.Node) bool {
	return x != nil && sameShape(x, n) && x.Dtype() == n.Dtype()
}

// reshapeInput matches symgrad's reshape and returns its input.
// Gorgonia's reshape is left alone: it returns a view, and its broadcast
// ops (repeat) behave differently on a view of a vector than on the vector
// (a reshape of a (1) vector to (1) is not removable there).
func reshapeInput(n *G.Node) (*G.Node, bool) {
	return ops.IsReshape(n)
}

func isFloat(dt tensor.Dtype) bool { return dt == tensor.Float64 || dt == tensor.Float32 }
