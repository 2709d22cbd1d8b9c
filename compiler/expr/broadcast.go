package expr

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/ops"
)

// elemOps maps each elementwise operator to its ops builder, which
// implements the broadcasting rule (ops/arith.go, shared with the Go
// API): a scalar operand goes to Gorgonia's scalar-tensor op; otherwise the
// lower-rank operand gets leading 1-axes (symgrad's copying reshape) and
// size-1 axes are repeated with G.Broadcast* (whose gradient sums over the
// repeated axes).
var elemOps = map[byte]func(a, b any) (*G.Node, error){
	'+': ops.Add,
	'-': ops.Sub,
	'*': ops.Mul,
	'/': ops.Div,
	'^': ops.Pow,
}

// elementwise builds x op y with the broadcasting rule; shapes that do not
// broadcast are reported with the operator's position.
func (b *builder) elementwise(t *term, x, y *G.Node) (*G.Node, error) {
	what := fmt.Sprintf("%v %c %v", x.Shape(), t.op, y.Shape())
	if !x.IsScalar() && !y.IsScalar() {
		if _, _, _, err := ops.BroadcastShapes(x.Shape(), y.Shape()); err != nil {
			return nil, buildErr(t, err, "shapes %v and %v do not broadcast for %c", x.Shape(), y.Shape(), t.op)
		}
	}
	return b.apply(t, G.Nodes{x, y}, func(in G.Nodes) (*G.Node, error) { return elemOps[t.op](in[0], in[1]) }, "%s", what)
}

// matmul builds x @ y with ops.MatMul: matrix @ matrix, matrix @ vector,
// vector @ matrix or vector @ vector (a dot product, a scalar).
func (b *builder) matmul(t *term, x, y *G.Node) (*G.Node, error) {
	xs, ys := x.Shape(), y.Shape()
	var inner, against int
	switch {
	case x.Dims() == 2 && y.Dims() >= 1 && y.Dims() <= 2:
		inner, against = xs[1], ys[0]
	case x.Dims() == 1 && y.Dims() >= 1 && y.Dims() <= 2:
		inner, against = xs[0], ys[0]
	default:
		return nil, buildErr(t, nil, "@ needs vectors or matrices, got shapes %v and %v", xs, ys)
	}
	if inner != against {
		return nil, buildErr(t, nil, "shapes %v and %v do not match for @ (%d against %d)", xs, ys, inner, against)
	}
	return b.apply(t, G.Nodes{x, y}, func(in G.Nodes) (*G.Node, error) { return ops.MatMul(in[0], in[1]) }, "%v @ %v", xs, ys)
}
