package ops

import (
	"fmt"
	"hash"
	"sort"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops/kernels"
)

// SumAlong is Σ x over the given axes (all axes when none are given; a
// negative axis counts from the end). Gradient: g broadcast back over the
// summed axes.
func SumAlong(x *G.Node, axes ...int) (out *G.Node, err error) {
	defer panics.Recover(&err, "sum of %s", x.Name())
	ax, err := normAxes("sum", x, axes)
	if err != nil {
		return nil, err
	}
	out, err = applyGorgonia(func(in ...*G.Node) (*G.Node, error) { return G.Sum(in[0], ax...) }, x)
	return out, errors.Wrapf(err, "sum of %s %v over %v", x.Name(), x.Shape(), ax)
}

// MeanAlong is the mean of x over the given axes (all when none are given).
// Gradient: g / n broadcast back, n the number of averaged elements.
func MeanAlong(x *G.Node, axes ...int) (out *G.Node, err error) {
	defer panics.Recover(&err, "mean of %s", x.Name())
	ax, err := normAxes("mean", x, axes)
	if err != nil {
		return nil, err
	}
	out, err = meanOver(x, ax)
	return out, errors.Wrapf(err, "mean of %s %v over %v", x.Name(), x.Shape(), ax)
}

// allAxes is 0, 1, ..., x.Dims()-1.
func allAxes(x *G.Node) []int {
	axes := make([]int, x.Dims())
	for i := range axes {
		axes[i] = i
	}
	return axes
}

// meanOver is Gorgonia's Mean, node by node through applyGorgonia (the sum,
// each axis's size, their product, the quotient), so that no node of it
// can merge with another on a hash collision.
func meanOver(x *G.Node, axes []int) (*G.Node, error) {
	if x.IsScalar() {
		return x, nil
	}
	s, err := applyGorgonia(func(in ...*G.Node) (*G.Node, error) { return G.Sum(in[0], axes...) }, x)
	if err != nil {
		return nil, err
	}
	var count *G.Node
	for _, axis := range axes {
		size, err := applyGorgonia(func(in ...*G.Node) (*G.Node, error) { return G.SizeOf(axis, in[0]) }, x)
		if err != nil {
			return nil, err
		}
		if count == nil {
			count = size
		} else if count, err = applyGorgonia(func(in ...*G.Node) (*G.Node, error) { return G.Mul(in[0], in[1]) }, count, size); err != nil {
			return nil, err
		}
	}
	return applyGorgonia(func(in ...*G.Node) (*G.Node, error) { return G.HadamardDiv(in[0], in[1]) }, s, count)
}

// MaxAlong is the maximum of x over the given axes (all when none are
// given), PyTorch's amax. Gradient: g routed to the position of the
// maximum; tied maxima share it evenly (see maxOp).
func MaxAlong(x *G.Node, axes ...int) (out *G.Node, err error) {
	defer panics.Recover(&err, "max of %s", x.Name())
	ax, err := normAxes("max", x, axes)
	if err != nil {
		return nil, err
	}
	sort.Ints(ax)
	out, err = Apply(newMaxOp(x.Shape(), ax), x)
	return out, errors.Wrapf(err, "max of %s %v over %v", x.Name(), x.Shape(), ax)
}

// normAxes checks axes against x's rank, resolves negative ones and
// rejects duplicates. No axes means every axis.
func normAxes(what string, x *G.Node, axes []int) ([]int, error) {
	if err := checkFloatNode(what, x); err != nil {
		return nil, err
	}
	d := x.Dims()
	if len(axes) == 0 {
		out := make([]int, d)
		for i := range out {
			out[i] = i
		}
		return out, nil
	}
	seen := map[int]bool{}
	out := make([]int, len(axes))
	for i, a := range axes {
		r, err := normAxis(what, x, a)
		if err != nil {
			return nil, err
		}
		if seen[r] {
			return nil, errors.Errorf("%s: axis %d given twice", what, a)
		}
		seen[r] = true
		out[i] = r
	}
	return out, nil
}

// normAxis resolves a possibly negative axis of x.
func normAxis(what string, x *G.Node, a int) (int, error) {
	d := x.Dims()
	r := a
	if r < 0 {
		r += d
	}
	if r < 0 || r >= d {
		return 0, errors.Errorf("%s: axis %d out of range for %s of shape %v", what, a, x.Name(), x.Shape())
	}
	return r, nil
}

// intParams converts numeric expression params to ints, rejecting
// fractions.
func intParams(what string, ps []float64) ([]int, error) {
	out := make([]int, len(ps))
	for i, p := range ps {
		if p != float64(int(p)) {
			return nil, errors.Errorf("%s: parameter %d is %g, want an integer", what, i, p)
		}
		out[i] = int(p)
	}
	return out, nil
}

// axesSpec registers a reduction over axes.
func axesSpec(name, fwd, grad, notes string, f func(*G.Node, ...int) (*G.Node, error), params []float64, twice bool) {
	Register(&Spec{
		Name: name, Family: "reduce", Forward: fwd, Gradient: grad, Notes: notes,
		Build: func(n []*G.Node, p []float64) (*G.Node, error) {
			axes, err := intParams(name, p)
			if err != nil {
				return nil, err
			}
			return f(n[0], axes...)
		},
		MinNodes: 1, MaxNodes: 1, MaxParams: 4,
		Example: Example{Inputs: []Input{{Name: "x", Shape: []int{3, 4, 2}, Domain: Real}}, Params: params},
		Dtypes:  floats, TwiceDifferentiable: twice,
	})
}

func init() {
	axesSpec("sum", "sum(x, axes...) = Σ x over axes (none = all)", "g broadcast over the summed axes",
		"Gorgonia's Sum.", SumAlong, []float64{1}, true)
	axesSpec("mean", "mean(x, axes...) = Σ x / n over axes (none = all)", "g / n broadcast over the averaged axes",
		"Gorgonia's Mean.", MeanAlong, []float64{0, 2}, true)
	axesSpec("max", "max(x, axes...) = max x over axes (none = all), PyTorch's amax", "g at the argmax, 0 elsewhere; k tied maxima get g/k each (PyTorch's amax)",
		"symgrad op: Gorgonia's Max gives every tied maximum the whole g. A kink where the maximum is tied.", MaxAlong, []float64{1}, false)
}

// Reduction says how a loss reduces its per-element terms to a scalar, as
// PyTorch's reduction= argument does.
type Reduction int

const (
	// Mean averages the per-element terms (PyTorch's default).
	Mean Reduction = iota
	// Sum adds the per-element terms.
	Sum
	// NoReduction keeps the per-element terms (PyTorch's reduction="none").
	// Only the losses that document it accept it (CrossEntropyWith).
	NoReduction
)

func (r Reduction) String() string {
	switch r {
	case Mean:
		return "mean"
	case Sum:
		return "sum"
	case NoReduction:
		return "none"
	}
	return "unknown reduction"
}

// reductionOf picks the reduction from an optional argument list.
func reductionOf(rs []Reduction) (Reduction, error) {
	switch len(rs) {
	case 0:
		return Mean, nil
	case 1:
		if rs[0] == NoReduction {
			return 0, errors.New("reduction none is not supported here (CrossEntropyWith has it)")
		}
		if rs[0] != Mean && rs[0] != Sum {
			return 0, errors.Errorf("unknown reduction %d", int(rs[0]))
		}
		return rs[0], nil
	}
	return 0, errors.Errorf("at most one reduction, got %d", len(rs))
}

// reduce applies r to all elements of terms.
func reduce(terms *G.Node, r Reduction) (*G.Node, error) {
	if r == Sum {
		return sumAll(terms)
	}
	return meanOver(terms, allAxes(terms))
}

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

// ArgMax is PyTorch's argmax(x, dim): the index of the largest element
// along axis (a negative axis counts from the end), as an int64 node of x's
// shape without that axis; with no axis, the index into the flattened x
// (an int64 scalar). The first index wins a tie, and a NaN counts as the
// largest value (the first NaN wins), as in PyTorch.
//
// The output is int64, as PyTorch's, so that it can feed CrossEntropy or
// NLL as class indices and be compared with integer targets. It is not
// differentiable (the registry says so): the indices are piecewise
// constant, and an int64 node takes no part in a float loss.
func ArgMax(x *G.Node, axis ...int) (*G.Node, error) { return argExtreme(true, x, axis) }

// ArgMin is PyTorch's argmin(x, dim): as ArgMax, for the smallest element
// (a NaN counts as the smallest).
func ArgMin(x *G.Node, axis ...int) (*G.Node, error) { return argExtreme(false, x, axis) }

func argExtreme(isMax bool, x *G.Node, axis []int) (out *G.Node, err error) {
	name := "argmin"
	if isMax {
		name = "argmax"
	}
	defer panics.Recover(&err, "%s of %s", name, nodeName(x))
	if err := checkFloatNode(name, x); err != nil {
		return nil, err
	}
	op := &argOp{isMax: isMax, axis: -1, shape: x.Shape().Clone()}
	switch {
	case len(axis) > 1:
		return nil, errors.Errorf("%s of %s %v: at most one axis, got %v", name, x.Name(), x.Shape(), axis)
	case len(axis) == 1:
		if op.axis, err = normAxis(name, x, axis[0]); err != nil {
			return nil, err
		}
	case x.IsScalar():
		return nil, errors.Errorf("%s of %s: a scalar has no index", name, x.Name())
	}
	out, err = Apply(op, x)
	return out, errors.Wrapf(err, "%s of %s %v", name, x.Name(), x.Shape())
}

// argOp finds the index of the extreme element along axis (-1: over the
// flattened input).
type argOp struct {
	opBase
	isMax bool
	axis  int
	shape tensor.Shape
}

func (op *argOp) outShape() tensor.Shape {
	if op.axis < 0 {
		return tensor.ScalarShape()
	}
	var s tensor.Shape
	for d, n := range op.shape {
		if d != op.axis {
			s = append(s, n)
		}
	}
	return s
}

// better reports whether v beats the best so far (NaN beats everything,
// the first NaN stays).
func (op *argOp) better(v, best float64) bool {
	switch {
	case best != best:
		return false
	case v != v:
		return true
	case op.isMax:
		return v > best
	}
	return v < best
}

func (op *argOp) Arity() int { return 1 }
func (op *argOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(typeOfDims(op.shape.Dims(), a), typeOfDims(op.outShape().Dims(), tensor.Int64))
}
func (op *argOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.outShape(), nil }
func (op *argOp) Do(vs ...G.Value) (G.Value, error) {
	x, err := float64sOf(vs[0])
	if err != nil || len(x) != op.shape.TotalSize() {
		return nil, errors.Errorf("%v: input %v does not fit (%v)", op, vs[0].Shape(), err)
	}
	outer, n, inner := 1, len(x), 1
	if op.axis >= 0 {
		outer, n, inner = kernels.AxisLayout(op.shape, op.axis)
	}
	res := make([]int64, outer*inner)
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			best, at := x[o*n*inner+i], 0
			for k := 1; k < n; k++ {
				if v := x[(o*n+k)*inner+i]; op.better(v, best) {
					best, at = v, k
				}
			}
			res[o*inner+i] = int64(at)
		}
	}
	if op.axis < 0 {
		return G.NewI64(res[0]), nil
	}
	return tensor.New(tensor.WithShape(op.outShape()...), tensor.WithBacking(res)), nil
}
func (op *argOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v%v", op, op.shape) }
func (op *argOp) Hashcode() uint32      { return hashOf(op) }
func (op *argOp) String() string {
	name := "argmin"
	if op.isMax {
		name = "argmax"
	}
	if op.axis < 0 {
		return name
	}
	return fmt.Sprintf("%s(%d)", name, op.axis)
}
func (op *argOp) DiffWRT(int) []bool { return []bool{false} }
func (op *argOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, errors.Errorf("%v is not differentiable (its output is int64 indices)", op)
}

func init() {
	for _, s := range []struct {
		name, what string
		f          func(*G.Node, ...int) (*G.Node, error)
	}{{"argmax", "largest", ArgMax}, {"argmin", "smallest", ArgMin}} {
		Register(&Spec{
			Name: s.name, Family: "argmax",
			Forward:  s.name + "(x, axis) = int64 index of the " + s.what + " element along axis (none: of the flattened x)",
			Gradient: "none: not differentiable (int64 output)",
			Notes:    "symgrad op, PyTorch's rule: the first index wins a tie, NaN counts as the " + s.what + " value; output int64 (usable as class indices).",
			Build: func(n []*G.Node, p []float64) (*G.Node, error) {
				ax, err := intParams(s.name, p)
				if err != nil {
					return nil, err
				}
				return s.f(n[0], ax...)
			},
			MinNodes: 1, MaxNodes: 1, MaxParams: 1,
			Example: Example{Inputs: []Input{{Name: "x", Shape: []int{3, 4}, Domain: Real, NoGrad: true}}, Params: []float64{1}},
			Dtypes:  floats, NotDifferentiable: true,
		})
	}
}

// KindArg is the kind of ArgMax and ArgMin.
var KindArg = NewKind("arg")

// Identity is KindArg.
func (op *argOp) Identity() Identity { return Identity{Kind: KindArg} }
