package main

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler/expr"
	"github.com/symgrad/symgrad/internal/panics"
)

// valueIsScalar reports whether the expression's value is 0-d when its
// scalar variables are true 0-d scalars, as in PyTorch and numpy. The
// compiled graph holds a scalar variable as a [1] parameter (compiler
// params have rank >= 1), so s * t, exp(s) or s * sum(x) come out [1]
// there; --dump writes such a value 0-d. The probe builds the expression
// on a throwaway graph with Gorgonia scalar nodes for the scalar variables
// (shapes are inferred as nodes are built; nothing runs).
func (x *exprCheck) valueIsScalar() (scalar bool, err error) {
	defer panics.Recover(&err, "expr %q: probing the value's shape", x.src)
	g := G.NewGraph()
	nodes := map[string]*G.Node{}
	for _, v := range x.vars {
		switch {
		case x.ints[v] != nil:
			nodes[v] = G.NewTensor(g, tensor.Int64, x.ints[v].Dims(), G.WithShape(x.ints[v].Shape().Clone()...), G.WithName(v))
		case x.scalars[v]:
			nodes[v] = G.NewScalar(g, tensor.Float64, G.WithName(v))
		default:
			sh := x.values[v].Shape().Clone()
			nodes[v] = G.NewTensor(g, tensor.Float64, len(sh), G.WithShape(sh...), G.WithName(v))
		}
	}
	out, err := expr.Build(g, x.e, nodes)
	if err != nil {
		return false, errors.Wrapf(err, "expr %q with 0-d scalars", x.src)
	}
	return out.IsScalar(), nil
}
