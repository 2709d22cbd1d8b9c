package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The broadcasting rule shared by the arithmetic (arith.go), the selection
// ops (select.go) and the expression language (compiler/expr), which calls
// these functions rather than keeping a copy.
//
// The numpy (and PyTorch) rule: shapes are aligned at their trailing axis,
// a missing axis counts as size 1, and on each axis the two sizes must be
// equal or one of them 1; the result takes the larger. A scalar (0-d)
// broadcasts to any shape. [4,2] with [2] -> [4,2]; [4,1] with [1,3] ->
// [4,3]; [2,3,4] with [3,1] -> [2,3,4]; [4,2] with [3] is an error.

// MaxBroadcastAxes is the rank limit of Gorgonia's BroadcastPattern, which
// the arithmetic uses: broadcasting results of higher rank are an error
// (equal shapes of any rank are fine).
const MaxBroadcastAxes = 4

// BroadcastShapes applies the broadcasting rule to shapes xs and ys. It
// returns the result shape and the axes (of the result) along which x and y
// are repeated; an error names the first axis whose sizes clash.
func BroadcastShapes(xs, ys []int) (out []int, xAxes, yAxes []byte, err error) {
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

// LiftShape is s with leading 1-axes added up to rank r (s itself when it
// already has rank r or more).
func LiftShape(s []int, r int) tensor.Shape {
	if len(s) >= r {
		return tensor.Shape(s).Clone()
	}
	to := make(tensor.Shape, r)
	for i := range to {
		to[i] = dimFromEnd(s, r-1-i)
	}
	return to
}

// broadcastIndex maps every flat index of shape `to` to the flat index of
// the element of shape from (broadcastable to `to`) that it repeats.
func broadcastIndex(from, to tensor.Shape) []int {
	s := LiftShape(from, len(to))
	stride := make([]int, len(s))
	acc := 1
	for d := len(s) - 1; d >= 0; d-- {
		if s[d] != 1 {
			stride[d] = acc
		}
		acc *= s[d]
	}
	n := to.TotalSize()
	out := make([]int, n)
	coord := make([]int, len(to))
	for i := 0; i < n; i++ {
		j := 0
		for d, c := range coord {
			j += c * stride[d]
		}
		out[i] = j
		for d := len(coord) - 1; d >= 0; d-- { // next coordinate, row-major
			if coord[d]++; coord[d] < to[d] {
				break
			}
			coord[d] = 0
		}
	}
	return out
}

// broadcastTo repeats x up to shape to (x's shape broadcastable to it);
// x itself when it already has that shape.
func broadcastTo(x *G.Node, to tensor.Shape) (*G.Node, error) {
	if x.Shape().Eq(to) && x.Dims() == len(to) {
		return x, nil
	}
	out, err := Apply(&repeatToOp{from: x.Shape().Clone(), to: to.Clone()}, x)
	return out, errors.Wrapf(err, "broadcasting %s %v to %v", x.Name(), x.Shape(), to)
}

// repeatToOp is the broadcast of x (shape from) to shape to:
// out[i] = x[index(i)], any rank. Its gradient is sumToOp, the sum of g
// over the repeated elements; each is the other's gradient, so both are
// differentiable any number of times.
type repeatToOp struct {
	unaryBase
	from, to tensor.Shape
}

func (op *repeatToOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(typeOfDims(op.from.Dims(), a), typeOfDims(op.to.Dims(), a))
}
func (op *repeatToOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.to.Clone(), nil }
func (op *repeatToOp) Do(vs ...G.Value) (G.Value, error) {
	x, err := float64sOf(vs[0])
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	idx := broadcastIndex(op.from, op.to)
	res := make([]float64, len(idx))
	for i, j := range idx {
		res[i] = x[j]
	}
	return valueOf(res, op.to, dtypeOf(vs[0]))
}
func (op *repeatToOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *repeatToOp) Hashcode() uint32      { return hashOf(op) }
func (op *repeatToOp) String() string        { return fmt.Sprintf("broadcast%v->%v", op.from, op.to) }

// SymDiff is dx = sumTo(g, shape of x).
func (op *repeatToOp) SymDiff(_ G.Nodes, _, g *G.Node) (G.Nodes, error) {
	dx, err := Apply(&sumToOp{from: op.to, to: op.from}, g)
	return G.Nodes{dx}, err
}

// sumToOp sums g (shape from) onto shape to, the adjoint of repeatToOp:
// out[j] = Σ_{i: index(i) = j} g[i].
type sumToOp struct {
	unaryBase
	from, to tensor.Shape
}

func (op *sumToOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(typeOfDims(op.from.Dims(), a), typeOfDims(op.to.Dims(), a))
}
func (op *sumToOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.to.Clone(), nil }
func (op *sumToOp) Do(vs ...G.Value) (G.Value, error) {
	g, err := float64sOf(vs[0])
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	res := make([]float64, max(op.to.TotalSize(), 1))
	for i, j := range broadcastIndex(op.to, op.from) {
		res[j] += g[i]
	}
	return valueOf(res, op.to, dtypeOf(vs[0]))
}
func (op *sumToOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *sumToOp) Hashcode() uint32      { return hashOf(op) }
func (op *sumToOp) String() string        { return fmt.Sprintf("sumto%v->%v", op.from, op.to) }

// SymDiff is dg = broadcast(g', shape from).
func (op *sumToOp) SymDiff(_ G.Nodes, _, g *G.Node) (G.Nodes, error) {
	dg, err := Apply(&repeatToOp{from: op.to, to: op.from}, g)
	return G.Nodes{dg}, err
}

// reshapeTo reshapes x to shape to with the copying reshape op (x itself
// when it already has that shape).
func reshapeTo(x *G.Node, to tensor.Shape) (*G.Node, error) {
	if to.Eq(x.Shape()) && len(to) == x.Dims() {
		return x, nil
	}
	out, err := Apply(&reshapeOp{from: x.Shape().Clone(), to: to.Clone()}, x)
	return out, errors.Wrapf(err, "reshape of %s %v to %v", x.Name(), x.Shape(), to)
}

// KindBroadcastTo is the kind of the broadcasting repeat.
var KindBroadcastTo = NewKind("broadcastto")

// Identity is KindBroadcastTo.
func (op *repeatToOp) Identity() Identity { return Identity{Kind: KindBroadcastTo} }

// KindSumTo is the kind of the broadcasting repeat's gradient.
var KindSumTo = NewKind("sumto")

// Identity is KindSumTo.
func (op *sumToOp) Identity() Identity { return Identity{Kind: KindSumTo} }
