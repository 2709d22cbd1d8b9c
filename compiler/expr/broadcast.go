package expr

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// maxBroadcastAxes is the rank limit of Gorgonia's BroadcastPattern.
const maxBroadcastAxes = 4

// elemOp is one elementwise binary operator: the plain Gorgonia op (equal
// shapes or a scalar operand) and the broadcasting one.
type elemOp struct {
	plain func(a, b *G.Node) (*G.Node, error)
	bcast func(a, b *G.Node, left, right []byte) (*G.Node, error)
}

var elemOps = map[byte]elemOp{
	'+': {G.Add, G.BroadcastAdd},
	'-': {G.Sub, G.BroadcastSub},
	'*': {G.HadamardProd, G.BroadcastHadamardProd},
	'/': {G.HadamardDiv, G.BroadcastHadamardDiv},
	'^': {G.Pow, G.BroadcastPow},
}

// broadcastShapes applies the numpy rule: shapes are aligned at their
// trailing axis, a missing axis counts as size 1, and on each axis the
// sizes must be equal or one of them 1. It returns the result shape and
// the axes (of the result) along which x and y are repeated.
func broadcastShapes(xs, ys []int) (out []int, xAxes, yAxes []byte, err error) {
	r := max(len(xs), len(ys))
	out = make([]int, r)
	for i := range r {
		dx, dy := dimFromEnd(xs, r-1-i), dimFromEnd(ys, r-1-i)
		switch {
		case dx == dy:
			out[i] = dx
		case dx == 1:
			out[i] = dy
			xAxes = append(xAxes, byte(i))
		case dy == 1:
			out[i] = dx
			yAxes = append(yAxes, byte(i))
		default:
			return nil, nil, nil, fmt.Errorf("axis %d: size %d against %d", i, dx, dy)
		}
	}
	return out, xAxes, yAxes, nil
}

// dimFromEnd returns the size of the k-th axis from the end of s, 1 when s
// has fewer axes.
func dimFromEnd(s []int, k int) int {
	if k >= len(s) {
		return 1
	}
	return s[len(s)-1-k]
}

// elementwise builds x op y with the broadcasting rule. A scalar operand
// goes straight to Gorgonia's scalar-tensor op; otherwise the lower-rank
// operand is reshaped with leading 1-axes, and size-1 axes are repeated
// with G.Broadcast* (whose gradient sums over the repeated axes).
func (b *builder) elementwise(t *term, x, y *G.Node) (*G.Node, error) {
	op := elemOps[t.op]
	xs, ys := []int(x.Shape()), []int(y.Shape())
	what := fmt.Sprintf("%v %c %v", x.Shape(), t.op, y.Shape())
	if x.IsScalar() || y.IsScalar() || slices.Equal(xs, ys) {
		return b.apply(t, G.Nodes{x, y}, func(in G.Nodes) (*G.Node, error) { return op.plain(in[0], in[1]) }, "%s", what)
	}
	out, xAxes, yAxes, err := broadcastShapes(xs, ys)
	if err != nil {
		return nil, buildErr(t, err, "shapes %v and %v do not broadcast for %c", x.Shape(), y.Shape(), t.op)
	}
	if len(out) > maxBroadcastAxes && len(xAxes)+len(yAxes) > 0 {
		return nil, buildErr(t, nil, "shapes %v and %v: broadcasting supports at most %d axes", x.Shape(), y.Shape(), maxBroadcastAxes)
	}
	if x, err = b.lift(t, x, len(out)); err != nil {
		return nil, err
	}
	if y, err = b.lift(t, y, len(out)); err != nil {
		return nil, err
	}
	if len(xAxes)+len(yAxes) == 0 {
		return b.apply(t, G.Nodes{x, y}, func(in G.Nodes) (*G.Node, error) { return op.plain(in[0], in[1]) }, "%s", what)
	}
	return b.apply(t, G.Nodes{x, y}, func(in G.Nodes) (*G.Node, error) { return op.bcast(in[0], in[1], xAxes, yAxes) }, "%s", what)
}

// lift reshapes n to rank r by adding leading 1-axes.
func (b *builder) lift(t *term, n *G.Node, r int) (*G.Node, error) {
	s := n.Shape()
	if len(s) == r {
		return n, nil
	}
	to := make(tensor.Shape, r)
	for i := range to {
		to[i] = dimFromEnd(s, r-1-i)
	}
	return b.apply(t, G.Nodes{n}, func(in G.Nodes) (*G.Node, error) { return G.Reshape(in[0], to) }, "reshape %v to %v", s, to)
}

// matmul builds x @ y: matrix @ matrix, matrix @ vector, vector @ matrix
// or vector @ vector (a dot product, a scalar), as G.Mul does.
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
	return b.apply(t, G.Nodes{x, y}, func(in G.Nodes) (*G.Node, error) { return G.Mul(in[0], in[1]) }, "%v @ %v", xs, ys)
}
