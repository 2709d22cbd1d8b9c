package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// maxOp is the maximum of x over some axes (PyTorch's amax).
//
// Forward: out[j] = max over the elements i of x that reduce to j.
// Gradient (PyTorch's amax and max() backward): the tied maxima of a slice
// share its upstream gradient evenly, dx[i] = g[j]/count[j] where x[i] is a
// maximum, 0 elsewhere. Gorgonia's Max gives every tie the whole g, so a
// slice with two tied maxima passes on twice its gradient.
type maxOp struct {
	unaryBase
	axes  []int        // sorted, distinct
	shape tensor.Shape // of x
}

// newMaxOp reduces a tensor of the given shape over axes (normalised).
func newMaxOp(shape tensor.Shape, axes []int) *maxOp {
	return &maxOp{axes: append([]int(nil), axes...), shape: shape.Clone()}
}

// outShape is shape without the reduced axes (a scalar when all are).
func (op *maxOp) outShape() tensor.Shape {
	var out tensor.Shape
	for d, n := range op.shape {
		if !op.reduced(d) {
			out = append(out, n)
		}
	}
	return out
}

func (op *maxOp) reduced(d int) bool {
	for _, a := range op.axes {
		if a == d {
			return true
		}
	}
	return false
}

// slots maps every flat index of x to the flat index of its output.
func (op *maxOp) slots() []int {
	n := op.shape.TotalSize()
	out := make([]int, n)
	coord := make([]int, len(op.shape))
	for i := 0; i < n; i++ {
		j := 0
		for d, c := range coord {
			if !op.reduced(d) {
				j = j*op.shape[d] + c
			}
		}
		out[i] = j
		for d := len(coord) - 1; d >= 0; d-- { // next coordinate, row-major
			if coord[d]++; coord[d] < op.shape[d] {
				break
			}
			coord[d] = 0
		}
	}
	return out
}

// maxima computes the maxima of x per output slot and how many elements
// reach each.
func (op *maxOp) maxima(x []float64) (slot []int, m []float64, count []int) {
	slot = op.slots()
	size := op.outShape().TotalSize()
	if len(op.outShape()) == 0 {
		size = 1
	}
	m, count = make([]float64, size), make([]int, size)
	seen := make([]bool, size)
	for i, v := range x {
		j := slot[i]
		switch {
		case !seen[j] || v > m[j]:
			m[j], count[j], seen[j] = v, 1, true
		case v == m[j]:
			count[j]++
		}
	}
	return slot, m, count
}

func (op *maxOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(typeOfDims(op.shape.Dims(), a), typeOfDims(op.outShape().Dims(), a))
}
func (op *maxOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.outShape(), nil }
func (op *maxOp) Do(vs ...G.Value) (G.Value, error) {
	x, err := float64sOf(vs[0])
	if err != nil || len(x) != op.shape.TotalSize() {
		return nil, errors.Errorf("%v: input %v does not fit (%v)", op, vs[0].Shape(), err)
	}
	_, m, _ := op.maxima(x)
	return valueOf(m, op.outShape(), dtypeOf(vs[0]))
}
func (op *maxOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.max%v%v", op.axes, op.shape) }
func (op *maxOp) Hashcode() uint32      { return hashOf(op) }

// Identity is KindMax.
func (op *maxOp) Identity() Identity {
	return Identity{Kind: KindMax, Axes: append([]int(nil), op.axes...)}
}

// String keeps Gorgonia's spelling of its max op, which compiler/expr
// prints back as max(x, axes...).
func (op *maxOp) String() string { return fmt.Sprintf("MaxAlong%v", op.axes) }

// SymDiff is dx = maxGrad(x, g): g shared evenly by each slice's maxima.
func (op *maxOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	dx, err := Apply(&maxGradOp{max: op}, in[0], g)
	return G.Nodes{dx}, err
}

// maxGradOp is maxOp's gradient: dx[i] = g[slot(i)]/count where x[i] is
// its slot's maximum, else 0. It is not differentiable again: DiffWRT says
// it is, so that a second derivative reaches SymDiff and is refused with
// an error instead of coming out silently zero.
type maxGradOp struct {
	binaryBase
	max *maxOp
}

func (op *maxGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	x := typeOfDims(op.max.shape.Dims(), a)
	return hm.NewFnType(x, typeOfDims(op.max.outShape().Dims(), a), x)
}
func (op *maxGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.max.shape.Clone(), nil
}
func (op *maxGradOp) Do(vs ...G.Value) (G.Value, error) {
	x, err := float64sOf(vs[0])
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	g, err := float64sOf(vs[1])
	if err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	slot, m, count := op.max.maxima(x)
	dx := make([]float64, len(x))
	for i, v := range x {
		if j := slot[i]; v == m[j] {
			dx[i] = g[j] / float64(count[j])
		}
	}
	return valueOf(dx, op.max.shape, dtypeOf(vs[0]))
}
func (op *maxGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *maxGradOp) Hashcode() uint32      { return hashOf(op) }

var (
	// KindMaxGrad is the kind of Max's gradient op.
	KindMaxGrad = NewKind("maxgrad")
)

// Identity is KindMaxGrad.
func (op *maxGradOp) Identity() Identity { return Identity{Kind: KindMaxGrad} }

func (op *maxGradOp) String() string { return fmt.Sprintf("max'%v%v", op.max.axes, op.max.shape) }
func (op *maxGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, errors.New("the gradient of max is not differentiable")
}
