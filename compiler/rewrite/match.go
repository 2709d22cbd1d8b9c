package rewrite

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/nodes"
)

// Small tests the rules share, on nodes and their values.

// scalarConst returns the value of a scalar constant node.
func scalarConst(n *G.Node) (float64, bool) {
	if n == nil || !nodes.IsConstant(n) || !n.IsScalar() {
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
	return x != nil && SameShape(x, n) && x.Dtype() == n.Dtype()
}

func isFloat(dt tensor.Dtype) bool { return dt == tensor.Float64 || dt == tensor.Float32 }

// floating is the condition "of a float dtype".
func floating(n *G.Node) bool { return isFloat(n.Dtype()) }

// matrix is the condition "a matrix (2-D)".
func matrix(n *G.Node) bool { return n.Dims() == 2 }
