// Package nodes makes and recognises symgrad's constant nodes, and tells
// leaves from computed nodes, for the compiler, its rewrite rules and its
// executor alike (compiler.Constant and compiler.IsConstant are its public
// face).
//
// Gorgonia hash-conses nodes: two input nodes with the same name, type and
// shape become one node, and constants are deduplicated by their printed
// value (which elides the middle of large tensors). A symgrad constant is
// therefore a leaf with a value bound and a name that is unique in its
// graph, never a Gorgonia constant node.
package nodes

import (
	"fmt"
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops"
)

// ConstPrefix starts the name of every constant made by Constant. The
// compiler treats a leaf whose name has this prefix as a constant: it is
// neither a parameter nor an input to bind.
const ConstPrefix = "const#"

// Constant adds a constant tensor (or scalar, when v is a float64 or
// float32) to g under a fresh unique name.
func Constant(g *G.ExprGraph, v any) (n *G.Node, err error) {
	defer panics.Recover(&err, "constant")
	if g == nil {
		return nil, errors.New("constant: nil graph")
	}
	if v == nil {
		return nil, errors.New("constant: nil value")
	}
	name := FreshName(g, ConstPrefix)
	switch c := v.(type) {
	case float64:
		return G.NewScalar(g, tensor.Float64, G.WithName(name), G.WithValue(c)), nil
	case float32:
		return G.NewScalar(g, tensor.Float32, G.WithName(name), G.WithValue(c)), nil
	case *tensor.Dense:
		if c.Dims() == 0 {
			return nil, errors.New("constant: 0-d tensors are not supported; pass a float64 or float32")
		}
		return G.NewTensor(g, c.Dtype(), c.Dims(), G.WithName(name), G.WithShape(c.Shape()...), G.WithValue(c)), nil
	default:
		return nil, errors.Errorf("constant: unsupported value of type %T", v)
	}
}

// IsLeaf reports whether n's value is bound rather than computed: inputs,
// parameters and constants.
func IsLeaf(n *G.Node) bool {
	if n.Op() == nil {
		return true
	}
	_, isConst := n.Op().(interface{ Value() G.Value })
	return isConst
}

// IsConstant reports whether n is a constant made by Constant, or one of
// Gorgonia's own constant nodes.
func IsConstant(n *G.Node) bool {
	if n.Op() != nil {
		_, isConst := n.Op().(interface{ Value() G.Value })
		return isConst && len(ops.Inputs(n)) == 0
	}
	return strings.HasPrefix(n.Name(), ConstPrefix)
}

// ConstantArg converts a constant's value to what Constant accepts: a
// scalar to its float, a dense tensor as it is.
func ConstantArg(v G.Value) any {
	switch s := v.(type) {
	case *G.F64:
		return float64(*s)
	case *G.F32:
		return float32(*s)
	case *tensor.Dense:
		return s
	}
	return v
}

// FreshName returns prefix followed by the smallest number from the
// graph's node count on that no node of g is named.
func FreshName(g *G.ExprGraph, prefix string) string {
	for k := len(g.AllNodes()); ; k++ {
		name := fmt.Sprintf("%s%d", prefix, k)
		if len(g.ByName(name)) == 0 {
			return name
		}
	}
}
